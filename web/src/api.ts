// Same-origin JSON client for the PeaceWatch REST API (/api/v1).
import type { Feature, FeatureCollection, Geometry, Point } from "geojson";

export interface Mission {
  id: string;
  code: string;
  name: string;
  start: string;
  end: string | null;
  bbox: [number, number, number, number];
  /** The label a new record of the mission gets unless told otherwise. */
  default_label?: string | null;
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
  mission?: string | null;
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

/** An event fused from one or more reports (GET /api/v1/events). */
export interface EventProperties {
  id: string;
  mission?: string | null;
  kind: string;
  title: string;
  first_observed_at: string;
  last_observed_at: string;
  report_count: number;
  source_count: number;
  credibility: number | null;
  locked: boolean;
  label: string;
}

export interface EventReport {
  id: string;
  kind: string;
  title: string;
  observed_at: string;
  source: string | null;
  grade: string | null;
  label: string;
}

export type EventDetail = Feature<Point, EventProperties> & { reports: EventReport[] };

/** A unit at its latest position at or before the asked time (GET /api/v1/units). */
export interface UnitProperties {
  id: string;
  mission: string | null;
  name: string;
  /** APP-6(D)/2525D (20 digits) or 2525C (15 characters) symbol identification code. */
  sidc: string;
  nation: string | null;
  party: string | null;
  echelon: string | null;
  label: string;
  position_at: string;
  source?: string | null;
  synthetic?: boolean;
}

/** A breach of an obligation found by the compliance engine (GET /api/v1/violations). */
export interface ViolationProperties {
  id: string;
  mission: string | null;
  agreement: string | null;
  obligation: string;
  obligation_version?: number;
  clause: string | null;
  title: string | null;
  zone: string | null;
  zone_name: string | null;
  party: string | null;
  category: string | null;
  observed_at: string;
  state: string;
  reason?: string | null;
  /** The watchkeeper who acknowledged its alert for the operations centre, and when. */
  acknowledged_by?: string | null;
  acknowledged_at?: string | null;
  acknowledged_note?: string | null;
  label: string;
}

export type Zones = FeatureCollection<Geometry, ZoneProperties>;
export type Places = FeatureCollection<Point, PlaceProperties>;
export type Reports = FeatureCollection<Point, ReportProperties>;
export type Units = FeatureCollection<Point, UnitProperties>;
export type Violations = FeatureCollection<Point, ViolationProperties>;

interface Page<P> extends FeatureCollection<Point, P> {
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

/** The human-readable part of a failure, for messages next to the control that failed. */
export function problemDetail(err: unknown): string {
  if (err instanceof ApiError) return err.problem?.detail || err.problem?.title || err.message;
  return err instanceof Error ? err.message : String(err);
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

/** The [start, end) of a UTC day. */
export function dayWindow(day: string): TimeSpan {
  const start = new Date(`${day}T00:00:00Z`);
  return { start, end: new Date(start.getTime() + 86_400_000) };
}

/** A time window [start, end): what the page shows. */
export interface TimeSpan {
  start: Date;
  end: Date;
}

/** An instant as the API takes it (whole seconds, "Z"). */
export function isoTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface Paged<P> {
  collection: FeatureCollection<Point, P>;
  /** True when MAX_PAGES were read and the server still offered another page. */
  truncated: boolean;
}

export const PAGE_SIZE = 1000;
export const MAX_PAGES = 20;

/** The query of one page of a window's reports or violations, exactly as the page sends it. */
export function windowQuery(
  mission: string | null,
  span: TimeSpan,
  cursor?: string | null,
  extra: [string, string][] = [],
): URLSearchParams {
  const params = new URLSearchParams({ start: isoTime(span.start), end: isoTime(span.end), limit: String(PAGE_SIZE) });
  if (mission) params.set("mission", mission);
  for (const [k, v] of extra) params.append(k, v);
  if (cursor) params.set("cursor", cursor);
  return params;
}

/** Every feature of a list endpoint in the window, following `next_cursor` page by page. */
async function fetchWindow<P>(
  path: string,
  mission: string | null,
  span: TimeSpan,
  signal?: AbortSignal,
  extra: [string, string][] = [],
): Promise<Paged<P>> {
  const features: Feature<Point, P>[] = [];
  let cursor: string | null | undefined = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const body: Page<P> = await getJson<Page<P>>(`${path}?${windowQuery(mission, span, cursor, extra)}`, signal);
    features.push(...body.features);
    cursor = body.next_cursor;
    if (!cursor) return { collection: { type: "FeatureCollection", features }, truncated: false };
  }
  return { collection: { type: "FeatureCollection", features }, truncated: true };
}

/** A mission's reports observed in the window. */
export function fetchReports(
  mission: string | null,
  span: TimeSpan,
  signal?: AbortSignal,
  filters: [string, string][] = [],
): Promise<Paged<ReportProperties>> {
  return fetchWindow<ReportProperties>("/api/v1/reports", mission, span, signal, filters);
}

/** A mission's fused events that overlap the window. */
export function fetchEvents(mission: string | null, span: TimeSpan, signal?: AbortSignal): Promise<Paged<EventProperties>> {
  return fetchWindow<EventProperties>("/api/v1/events", mission, span, signal);
}

/** One event with the reports of it the user may see. */
export function fetchEvent(id: string): Promise<EventDetail> {
  return getJson<EventDetail>(`/api/v1/events/${encodeURIComponent(id)}`);
}

/** Units' tracks and patrols' tracks in the window. */
export async function fetchTracks(
  mission: string | null,
  span: TimeSpan,
  signal?: AbortSignal,
): Promise<{ tracks: FeatureCollection; patrols: FeatureCollection }> {
  const params = new URLSearchParams({ start: isoTime(span.start), end: isoTime(span.end) });
  if (mission) params.set("mission", mission);
  const [tracks, patrols] = await Promise.all([
    getJson<FeatureCollection>(`/api/v1/tracks?${params}`, signal),
    getJson<FeatureCollection>(`/api/v1/patrols?${params}`, signal),
  ]);
  return { tracks, patrols };
}

/** A mission's violations observed in the window. */
export function fetchViolations(
  mission: string | null,
  span: TimeSpan,
  signal?: AbortSignal,
  filters: [string, string][] = [],
): Promise<Paged<ViolationProperties>> {
  return fetchWindow<ViolationProperties>("/api/v1/violations", mission, span, signal, filters);
}

/** A mission's units, each at its latest position at or before `at`. */
export function fetchUnits(mission: string | null, at: Date, signal?: AbortSignal): Promise<Units> {
  const params = new URLSearchParams({ at: isoTime(at) });
  if (mission) params.set("mission", mission);
  return getJson<Units>(`/api/v1/units?${params}`, signal);
}
