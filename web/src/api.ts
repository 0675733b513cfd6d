// Same-origin JSON client for the PeaceWatch REST API (/api/v1).
import type { Feature, FeatureCollection, Geometry, Point } from "geojson";

export interface Mission {
  id: string;
  code: string;
  name: string;
  start: string;
  end: string | null;
  bbox: [number, number, number, number];
}

export interface ZoneProperties {
  id: string;
  name: string;
  kind: string;
  label: string;
  valid_from: string | null;
  valid_to: string | null;
  rules: Record<string, unknown> | null;
  source: string | null;
  attributes: Record<string, unknown> | null;
}

export interface PlaceProperties {
  id: string | number;
  name: string;
  population: number | null;
  kind: string;
}

export interface ReportProperties {
  id: string;
  kind: string;
  observed_at: string;
  reported_at: string | null;
  title: string;
  party: string | null;
  label: string;
  grade: string | null;
  synthetic: boolean;
  source?: string | null;
  text?: string | null;
}

export type Zones = FeatureCollection<Geometry, ZoneProperties>;
export type Places = FeatureCollection<Point, PlaceProperties>;
export type Reports = FeatureCollection<Point, ReportProperties>;

interface ReportPage extends Reports {
  numberReturned?: number;
  next_cursor?: string | null;
}

interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field?: string; message?: string }[];
}

/** An API failure carrying the human-readable text of its problem+json body. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

async function problemMessage(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as Problem;
    let msg = body.detail || body.title || `HTTP ${res.status}`;
    const fields = (body.errors ?? [])
      .map((e) => [e.field, e.message].filter(Boolean).join(": "))
      .filter(Boolean);
    if (fields.length) msg += ` (${fields.join("; ")})`;
    return msg;
  } catch {
    return `HTTP ${res.status} ${res.statusText}`.trim();
  }
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, {
    headers: { Accept: "application/json, application/geo+json" },
    signal,
  });
  if (!res.ok) throw new ApiError(`${path.split("?")[0]}: ${await problemMessage(res)}`, res.status);
  return (await res.json()) as T;
}

export async function fetchMissions(): Promise<Mission[]> {
  const body = await getJson<{ items: Mission[] }>("/api/v1/missions");
  return body.items;
}

export function fetchZones(missionCode: string): Promise<Zones> {
  return getJson<Zones>(`/api/v1/zones?${new URLSearchParams({ mission: missionCode })}`);
}

export function fetchPlaces(limit = 500): Promise<Places> {
  return getJson<Places>(`/api/v1/places?${new URLSearchParams({ limit: String(limit) })}`);
}

/** The [start, end) of a UTC day as the ISO strings the reports endpoint takes. */
export function dayWindow(day: string): { start: string; end: string } {
  const start = new Date(`${day}T00:00:00Z`);
  const end = new Date(start.getTime() + 86_400_000);
  const iso = (d: Date): string => d.toISOString().replace(".000Z", "Z");
  return { start: iso(start), end: iso(end) };
}

export interface DayReports {
  reports: Reports;
  /** True when MAX_PAGES were read and the server still offered another page. */
  truncated: boolean;
}

export const REPORT_PAGE_SIZE = 1000;
export const MAX_PAGES = 20;

/** The query of one page of a day's reports, exactly as the page sends it. */
export function reportQuery(mission: string | null, day: string, cursor?: string | null): URLSearchParams {
  const { start, end } = dayWindow(day);
  const params = new URLSearchParams({ start, end, limit: String(REPORT_PAGE_SIZE) });
  if (mission) params.set("mission", mission);
  if (cursor) params.set("cursor", cursor);
  return params;
}

/** All of a mission's reports observed on one UTC day, following `next_cursor` page by page. */
export async function fetchReportsOfDay(
  mission: string | null,
  day: string,
  signal?: AbortSignal,
): Promise<DayReports> {
  const features: Feature<Point, ReportProperties>[] = [];
  let cursor: string | null | undefined = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const params = reportQuery(mission, day, cursor);
    const body: ReportPage = await getJson<ReportPage>(`/api/v1/reports?${params}`, signal);
    features.push(...body.features);
    cursor = body.next_cursor;
    if (!cursor) return { reports: { type: "FeatureCollection", features }, truncated: false };
  }
  return { reports: { type: "FeatureCollection", features }, truncated: true };
}
