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

export interface Problem {
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
    readonly problem: Problem | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

async function readProblem(res: Response): Promise<Problem | null> {
  try {
    return (await res.json()) as Problem;
  } catch {
    return null;
  }
}

function problemText(res: Response, body: Problem | null): string {
  if (!body) return `HTTP ${res.status} ${res.statusText}`.trim();
  let msg = body.detail || body.title || `HTTP ${res.status}`;
  const fields = (body.errors ?? [])
    .map((e) => [e.field, e.message].filter(Boolean).join(": "))
    .filter(Boolean);
  if (fields.length) msg += ` (${fields.join("; ")})`;
  return msg;
}

// ---- requests and the session ---------------------------------------------

/** The signed-in user, as GET /api/v1/auth/me returns it. */
export interface User {
  username: string;
  display_name: string;
  nation: string;
  clearance: string;
  communities: string[];
  roles: string[];
  permissions: string[];
  disabled?: boolean;
  /** "session" (browser cookie) or "token" (bearer). */
  credential?: string;
}

export interface LoginResult {
  user: User;
  csrf_token: string;
  expires_at: string | null;
}

export const CSRF_COOKIE = "pw_csrf";
export const CSRF_HEADER = "X-CSRF-Token";

/** The session's CSRF token, from the readable cookie the server set at login. */
export function csrfToken(): string | null {
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join("=")) || null;
  }
  return null;
}

let sessionEnded: ((err: ApiError) => void) | null = null;

/** Called whenever an API call answers 401 (the session expired or was ended elsewhere). */
export function onSessionEnded(handler: ((err: ApiError) => void) | null): void {
  sessionEnded = handler;
}

async function failure(path: string, res: Response, quiet401: boolean): Promise<ApiError> {
  const body = await readProblem(res);
  const err = new ApiError(`${path.split("?")[0]}: ${problemText(res, body)}`, res.status, body);
  if (res.status === 401 && !quiet401) sessionEnded?.(err);
  return err;
}

interface RequestOptions {
  signal?: AbortSignal;
  /** A 401 is an answer, not the end of the session (login, the "who am I" probe). */
  quiet401?: boolean;
}

export async function getJson<T>(path: string, signal?: AbortSignal, quiet401 = false): Promise<T> {
  const res = await fetch(path, {
    headers: { Accept: "application/json, application/geo+json" },
    signal,
  });
  if (!res.ok) throw await failure(path, res, quiet401);
  return (await res.json()) as T;
}

export type WriteMethod = "POST" | "PUT" | "PATCH" | "DELETE";

/** A state-changing request: JSON in and out, with the session's X-CSRF-Token header. */
export async function sendJson<T>(
  method: WriteMethod,
  path: string,
  body?: unknown,
  opts: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const csrf = csrfToken();
  if (csrf) headers[CSRF_HEADER] = csrf;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: opts.signal,
  });
  if (!res.ok) throw await failure(path, res, opts.quiet401 ?? false);
  return (res.status === 204 ? null : await res.json()) as T;
}

/** The signed-in user, or null when there is no session (401). */
export async function fetchMe(): Promise<User | null> {
  try {
    return await getJson<User>("/api/v1/auth/me", undefined, true);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

/** Open a browser session; wrong credentials reject with the server's ApiError (401, 429…). */
export function login(username: string, password: string): Promise<LoginResult> {
  return sendJson<LoginResult>("POST", "/api/v1/auth/login", { username, password }, { quiet401: true });
}

/** End the session (a 401 means it had already ended). */
export async function logout(): Promise<void> {
  try {
    await sendJson<unknown>("POST", "/api/v1/auth/logout", undefined, { quiet401: true });
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) throw err;
  }
}

// ---- data -------------------------------------------------------------------

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
