// PeaceWatch map page: the common operating picture of one time window — zones, towns, reports,
// violations and units (APP-6 symbols) — for the logged-in user (the server filters every record
// by its label against the user's clearance), kept current by the live feed.
import "maplibre-gl/dist/maplibre-gl.css";
import "./styles.css";
import type { Feature, FeatureCollection, Point } from "geojson";
import {
  type ErrorEvent,
  type MapGeoJSONFeature,
  type MapMouseEvent,
  Map as MapLibreMap,
  NavigationControl,
  type GeoJSONSource,
  type PointLike,
  Popup,
  ScaleControl,
  setWorkerUrl,
} from "maplibre-gl";
// MapLibre 6 finds its worker next to its own module file, which bundling moves:
// ship the worker as a build asset and say where it is.
import workerUrl from "maplibre-gl/dist/maplibre-gl-worker.mjs?url";
import { type Alert, AlertList } from "./alerts";
import {
  ApiError,
  fetchEvents,
  fetchMe,
  fetchMissions,
  fetchPlaces,
  fetchReports,
  fetchTracks,
  fetchUnits,
  fetchViolations,
  fetchZones,
  getJson,
  isoTime,
  login,
  logout,
  MAX_PAGES,
  type Mission,
  onSessionEnded,
  type Places,
  problemDetail,
  type ReportProperties,
  type TimeSpan,
  type UnitProperties,
  type Units,
  type User,
  sendJson,
  type ViolationProperties,
  type ZoneProperties,
  type Zones,
} from "./api";
import { type BasemapIndex, baseStyle, canDefer, fetchBasemapIndex, fillDeferred, loadBasemap } from "./basemap";
import { dashboards } from "./dashboards"; // dashboards
import { opsPanel } from "./ops/panel";
import { historyPanel } from "./history";
import { sitrepPanel } from "./sitrep"; // SITREP
import { byId } from "./dom";
import { type EventFeature, eventPopup, MergeTray } from "./eventpanel";
import {
  anyFilter,
  describeFilters,
  FilterPanel,
  type Filters,
  filtersFromUrl,
  hiddenFromUrl,
  reportParams,
  violationParams,
  writeFiltersToUrl,
  writeHiddenToUrl,
} from "./filters";
import { toDtg } from "./dtg";
import { type LonLat, lonLatText, toMgrs } from "./geo";
import {
  addOperationalLayers,
  CLUSTER_MAX_ZOOM,
  EVENT_LAYER,
  LAYER_GROUPS,
  REPORT_CLUSTER_LAYER,
  REPORT_LAYER,
  setEvents,
  setTracks,
  showGroup,
  setPlaces,
  setReports,
  setUnits,
  setViolations,
  setZones,
  UNIT_LAYER,
  VIOLATION_HALO_LAYER,
  VIOLATION_LAYER,
  ZONE_LAYERS,
} from "./layers";
import { FEED_RECORD, type FeedRecord, type FeedState, LiveFeed, type PositionProperties } from "./live";
import { MeasureTool } from "./measure";
import { highestMarking, markingClass } from "./marking";
import { holdPainting, type PaintHold } from "./paintgate";
import { clearPanel, renderPlaces, renderReports, renderZones, setCount } from "./panel";
import { type RuleOnViolation, reportPopup, unitPopup, violationPopup, zonePopup } from "./popup";
import { fromLocalValue, localValue, ReportForm } from "./reportform";
import { drawMissingSymbols, withSymbols } from "./symbols";
import {
  choiceFromUrl,
  dayOf,
  describe,
  inSpan,
  isDay,
  isoDay,
  spanOf,
  type TimeChoice,
  WINDOW_KINDS,
  type WindowKind,
  writeChoiceToUrl,
} from "./timewindow";

/** What browser tests (and curious operators) can read from the page. */
export interface PeaceWatchHandle {
  /** The logged-in user (GET /api/v1/auth/me), or null before login and after logout. */
  user: User | null;
  map: MapLibreMap | null;
  ready: boolean;
  mission: Mission | null;
  /** The day the window is about: the chosen day, or today (UTC) when live. */
  day: string | null;
  window: WindowKind;
  /** Live mode: the window ends now and follows it. */
  live: boolean;
  /** The window on screen, ISO 8601 [start, end); null before the first load. */
  span: { start: string; end: string } | null;
  /** The live feed's connection (GET /api/v1/stream). */
  feed: FeedState;
  counts: {
    zones: number;
    places: number;
    reports: number;
    violations: number;
    units: number;
    events: number;
    tracks: number;
  };
  /** The filters in force (GET /api/v1/reports' own), as in the URL. */
  filters: Filters;
  /** Layer groups switched off in the panel. */
  hidden: string[];
  /** Events selected by an analyst for merging. */
  merging: string[];
  reportsByKind: Record<string, number>;
  /** Alerts for violations that arrived on the live feed. */
  alerts: { total: number; unacknowledged: number };
  /** The slider's position (the window's end, ISO), or null when the window ends with its day. */
  t: string | null;
  /** The slider's range: the mission's start to its end (or now), ISO. */
  slider: { min: string; max: string } | null;
  /** The play control is advancing the window. */
  playing: boolean;
  /** The measuring tool: on, how many points, the path's length in km. */
  measure: { active: boolean; points: number; km: number };
  error: string | null;
}

declare global {
  interface Window {
    peacewatch: PeaceWatchHandle;
  }
}

const DEFAULT_DAY = "1999-06-15";
// Most specific first: a click inside a safety zone is about that zone, not the sector around it.
const ZONE_PRIORITY = ["ground_safety_zone", "air_safety_zone", "sector"];
/** How often a live window slides forward (drops what fell out, moves units to now). */
const LIVE_TICK_MS = 30_000;
/** Feed events are drawn in batches: a burst of 1,000 reports is one redraw, not 1,000. */
const REDRAW_DELAY_MS = 150;
/** A live window also takes reports stamped a little ahead of this browser's clock. */
const CLOCK_SKEW_MS = 5 * 60_000;

setWorkerUrl(workerUrl);

const emptyCounts = (): PeaceWatchHandle["counts"] => ({
  zones: 0,
  places: 0,
  reports: 0,
  violations: 0,
  units: 0,
  events: 0,
  tracks: 0,
});

const pw: PeaceWatchHandle = {
  user: null,
  map: null,
  ready: false,
  mission: null,
  day: null,
  window: "day",
  live: false,
  span: null,
  feed: "closed",
  counts: emptyCounts(),
  filters: filtersFromUrl(),
  hidden: [...hiddenFromUrl()],
  merging: [],
  reportsByKind: {},
  alerts: { total: 0, unacknowledged: 0 },
  t: null,
  slider: null,
  playing: false,
  measure: { active: false, points: 0, km: 0 },
  error: null,
};
window.peacewatch = pw;

function setReady(state: "true" | "false" | "error"): void {
  pw.ready = state === "true";
  document.body.dataset.ready = state;
}

function setStatus(text: string, kind: "info" | "warn" | "error" = "info"): void {
  const node = byId("status");
  node.textContent = text;
  node.className = kind === "info" ? "" : kind;
}

function fail(err: unknown): void {
  // A 401 ended the session: onSessionEnded has already put the login form back.
  if (err instanceof ApiError && err.status === 401) return;
  const msg = err instanceof Error ? err.message : String(err);
  pw.error = msg;
  // Whatever did load is drawn rather than left blank.
  releasePaint();
  setStatus(msg, "error");
  setReady("error");
}

// ---- days ---------------------------------------------------------------

function addDays(day: string, n: number): string {
  return isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000));
}

interface Span {
  /** First day, or "" when there is no lower bound. */
  min: string;
  max: string;
  /** The slider's range in time: the mission's start (on the hour) to its end or now. */
  from: Date;
  to: Date;
}

const HOUR_MS = 3_600_000;
const floorHour = (d: Date): Date => new Date(Math.floor(d.getTime() / HOUR_MS) * HOUR_MS);
const ceilHour = (d: Date): Date => new Date(Math.ceil(d.getTime() / HOUR_MS) * HOUR_MS);

function missionSpan(m: Mission): Span {
  const end = m.end ? new Date(m.end) : new Date();
  return { min: isoDay(new Date(m.start)), max: isoDay(end), from: floorHour(new Date(m.start)), to: ceilHour(end) };
}

/** An instant inside the slider's range, on the hour. */
function clampInstant(iso: string, span: Span): string {
  const t = Math.min(Math.max(Date.parse(iso), span.from.getTime()), span.to.getTime());
  return isoTime(new Date(Math.round(t / HOUR_MS) * HOUR_MS));
}

function clampDay(day: string, span: Span): string {
  if (day < span.min) return span.min;
  if (day > span.max) return span.max;
  return day;
}

// ---- map helpers ----------------------------------------------------------

function once(map: MapLibreMap, event: "style.load" | "load" | "idle"): Promise<void> {
  return new Promise((resolve) => map.once(event, () => resolve()));
}

const OPERATIONAL_SOURCES = [
  "zones",
  "zone-labels",
  "places",
  "reports",
  "events",
  "tracks",
  "patrols",
  "units",
  "violations",
];

function sourcesLoaded(map: MapLibreMap): boolean {
  return OPERATIONAL_SOURCES.every((s) => map.isSourceLoaded(s));
}

function releasePaint(): void {
  paintHold?.release();
  paintHold = null;
}

/** Resolve when every source has its data and the map has drawn it (MapLibre `idle`). */
async function settled(map: MapLibreMap): Promise<void> {
  for (;;) {
    const idle = once(map, "idle");
    map.triggerRepaint();
    await idle;
    if (sourcesLoaded(map)) return;
  }
}

/** The mission asked for in the URL, else KFOR, else the first; null when the user may see none. */
function pickMission(missions: Mission[]): Mission | null {
  if (!missions.length) return null;
  const wanted = new URLSearchParams(window.location.search).get("mission")?.toUpperCase();
  return (
    (wanted && missions.find((m) => m.code.toUpperCase() === wanted)) ||
    missions.find((m) => m.code.toUpperCase() === "KFOR") ||
    missions[0]
  );
}

// ---- page -----------------------------------------------------------------

type BBox = [number, number, number, number];
type ReportFeature = Feature<Point, ReportProperties>;
type ViolationFeature = Feature<Point, ViolationProperties>;

/** What the map shows: the map itself and the days it may show. Null when logged out. */
interface View {
  map: MapLibreMap;
  span: Span;
}

const NO_ZONES: Zones = { type: "FeatureCollection", features: [] };
const NO_UNITS: Units = { type: "FeatureCollection", features: [] };

let view: View | null = null;
/** Bumped at every login and logout: loads begun in an older session stop at their next await. */
let session = 0;
/** Every zone of the mission, whatever its validity; the map shows those valid in the window. */
let allZones: Zones = NO_ZONES;
let zones: Zones = allZones;
let units: Units = NO_UNITS;
let reportsById = new Map<string, ReportFeature>();
let violationsById = new Map<string, ViolationFeature>();
let eventsById = new Map<string, EventFeature>();
/** Units' tracks and patrols' tracks of the window. */
let tracks: FeatureCollection = { type: "FeatureCollection", features: [] };
let patrols: FeatureCollection = { type: "FeatureCollection", features: [] };
let unitsById = new Map<string, UnitProperties>();
let zonesById = new Map<string, ZoneProperties>();
/** The window on screen, and what was chosen; null until the first load. */
let choice: TimeChoice | null = null;
let span: TimeSpan | null = null;
let windowGeneration = 0;
let windowAbort: AbortController | null = null;
/** Feed events that arrive while a window loads wait here, then apply on top of the load. */
let pendingFeed: (() => void)[] | null = null;
let redrawTimer: number | null = null;
/** Holds a new map's drawing until its first window is loaded (see paintgate.ts). */
let paintHold: PaintHold | null = null;
let liveTimer: number | null = null;
let feed: LiveFeed | null = null;
let popup: Popup | null = null;
let basemapIndex: Promise<BasemapIndex> | null = null;

const measure = new MeasureTool(
  () => view?.map ?? null,
  (m) => {
    pw.measure = { active: m.active, points: m.count, km: m.km };
  },
);
let parties: Promise<string[]> | null = null;

/** The codes of the mission's parties the user may see (asked once per session). */
function missionParties(): Promise<string[]> {
  const code = pw.mission?.code;
  if (!code) return Promise.resolve([]);
  parties ??= getJson<{ items: { code: string }[] }>(`/api/v1/missions/${encodeURIComponent(code)}/parties`)
    .then((body) => body.items.map((i) => i.code))
    .catch((err: unknown) => {
      parties = null;
      throw err;
    });
  return parties;
}

const reportForm = new ReportForm({
  map: () => view?.map ?? null,
  defaults: () => {
    // Now when live, else just before the window's end (so that the report is in the window).
    const observed = !choice || choice.live || !span ? new Date() : new Date(span.end.getTime() - 60_000);
    return {
      observed,
      label: pw.mission?.default_label ?? "",
      mission: pw.mission?.code ?? null,
    };
  },
  parties: missionParties,
  filed: async (id) => {
    const gen = session;
    const f = await getJson<ReportFeature>(`/api/v1/reports/${encodeURIComponent(id)}`);
    if (gen !== session) return;
    // The live feed brings the same report: both land on the same id, drawn once.
    onReport(f);
    setStatus(`Report filed: ${f.properties.title} (${toDtg(f.properties.observed_at)}).`);
  },
});

const alerts = new AlertList(
  showAlert,
  (list) => {
    pw.alerts = { total: list.all.length, unacknowledged: list.unacknowledged };
  },
  () => pw.user?.permissions.includes("alerts:ack") ?? false,
  (f) => {
    if (!violationsById.has(f.properties.id)) return;
    violationsById.set(f.properties.id, f);
    scheduleRedraw();
  },
);

const filterPanel = new FilterPanel();

const mergeTray = new MergeTray((kept, gone) => {
  for (const id of gone) eventsById.delete(id);
  eventsById.set(kept.properties.id, kept);
  pw.merging = [];
  popup?.remove();
  scheduleRedraw();
  setStatus(`Events merged: ${kept.properties.title} (${kept.properties.report_count} reports).`);
});

/** The basemap's world overview and cell index, fetched once per page (static, not API data). */
function basemapWorld(): Promise<BasemapIndex> {
  basemapIndex ??= fetchBasemapIndex().catch((err: unknown) => {
    basemapIndex = null;
    throw err;
  });
  return basemapIndex;
}

function updatePageMarking(): void {
  const marking = highestMarking([
    ...zones.features.map((f) => f.properties.label),
    ...[...reportsById.values()].map((f) => f.properties.label),
    ...[...violationsById.values()].map((f) => f.properties.label),
    ...units.features.map((f) => f.properties.label),
    ...[...eventsById.values()].map((f) => f.properties.label),
    ...[...tracks.features, ...patrols.features].map((f) => String(f.properties?.label ?? "")),
    ...dashboards.markings(), // dashboards
    ...opsPanel.markings(),
  ]);
  // The same banner at the top and at the bottom of the page.
  for (const id of ["page-marking", "page-marking-bottom"]) {
    const node = byId(id);
    node.className = markingClass(marking);
    node.textContent = marking ? `Highest marking on view: ${marking}` : "No labelled data on view";
  }
}

/** Zones in force at some time during the window (valid_from < end, valid_to > start). */
function zonesValidIn({ start, end }: TimeSpan): Zones {
  const [t0, t1] = [start.getTime(), end.getTime()];
  return {
    type: "FeatureCollection",
    features: allZones.features.filter((f) => {
      const from = f.properties.valid_from ? Date.parse(f.properties.valid_from) : -Infinity;
      const to = f.properties.valid_to ? Date.parse(f.properties.valid_to) : Infinity;
      return from < t1 && to > t0;
    }),
  };
}

function collection<P>(features: Iterable<Feature<Point, P>>): FeatureCollection<Point, P> {
  return { type: "FeatureCollection", features: [...features] };
}

/** Draw the reports and violations held now, with their counts, legend and marking. */
function redraw(map: MapLibreMap): void {
  if (redrawTimer !== null) window.clearTimeout(redrawTimer);
  redrawTimer = null;
  const reports = collection(reportsById.values());
  setReports(map, reports);
  setViolations(map, collection(violationsById.values()));
  setEvents(map, collection(eventsById.values()));
  pw.counts.events = eventsById.size;
  setCount("count-events", eventsById.size);
  const byKind = renderReports(reports);
  pw.counts.reports = reports.features.length;
  pw.reportsByKind = Object.fromEntries(byKind);
  pw.counts.violations = violationsById.size;
  setCount("count-violations", violationsById.size);
  updatePageMarking();
}

function scheduleRedraw(): void {
  if (redrawTimer !== null || !view) return;
  const map = view.map;
  redrawTimer = window.setTimeout(() => redraw(map), REDRAW_DELAY_MS);
}

const EMPTY_LINES: FeatureCollection = { type: "FeatureCollection", features: [] };

function showTracks(map: MapLibreMap, t: FeatureCollection, p: FeatureCollection): void {
  tracks = t;
  patrols = p;
  setTracks(map, t, p);
  pw.counts.tracks = t.features.length + p.features.length;
  setCount("count-tracks", pw.counts.tracks);
}

function showUnits(map: MapLibreMap, found: Units): void {
  units = withSymbols(map, found);
  unitsById = new Map(units.features.map((f) => [String(f.properties.id), f.properties]));
  setUnits(map, units);
  pw.counts.units = units.features.length;
  setCount("count-units", units.features.length);
}

function clearWindowData(map: MapLibreMap): void {
  reportsById = new Map();
  violationsById = new Map();
  eventsById = new Map();
  showTracks(map, EMPTY_LINES, EMPTY_LINES);
  showUnits(map, NO_UNITS);
  redraw(map);
}

/** Reflect the choice in the header's controls. */
function showChoice(c: TimeChoice, s: TimeSpan, bounds: Span): void {
  const input = byId<HTMLInputElement>("day");
  input.value = c.day;
  input.disabled = c.live;
  byId<HTMLButtonElement>("prev-day").disabled = c.live || c.day <= bounds.min;
  byId<HTMLButtonElement>("next-day").disabled = c.live || c.day >= bounds.max;
  byId<HTMLSelectElement>("window").value = c.window;
  const live = byId<HTMLButtonElement>("live");
  live.setAttribute("aria-pressed", String(c.live));
  live.classList.toggle("on", c.live);
  byId("day-dtg").textContent = `${describe(c, s)} (UTC)`;
  byId("custom-window").hidden = c.window !== "custom" || c.live;
  if (c.window === "custom") {
    byId<HTMLInputElement>("custom-from").value = localValue(s.start);
    byId<HTMLInputElement>("custom-to").value = localValue(s.end);
  }
  showSlider(s.end, bounds, c.live);
}

/** Hours from the slider's start to `end`. */
function sliderValue(end: Date, bounds: Span): number {
  return Math.round((end.getTime() - bounds.from.getTime()) / HOUR_MS);
}

function sliderInstant(value: number, bounds: Span): Date {
  return new Date(bounds.from.getTime() + value * HOUR_MS);
}

function showSlider(end: Date, bounds: Span, live: boolean): void {
  const slider = byId<HTMLInputElement>("time-slider");
  const max = sliderValue(bounds.to, bounds);
  slider.max = String(max);
  slider.value = String(Math.min(Math.max(sliderValue(end, bounds), 0), max));
  slider.disabled = live;
  byId<HTMLButtonElement>("play").disabled = live;
  byId("slider-min").textContent = toDtg(bounds.from.toISOString());
  byId("slider-max").textContent = toDtg(bounds.to.toISOString());
  byId("slider-dtg").textContent = live ? "now" : `ends ${toDtg(end.toISOString())}`;
  pw.slider = { min: bounds.from.toISOString(), max: bounds.to.toISOString() };
}

/** The span asked of the API: a live window also takes what is stamped slightly ahead. */
function fetchSpan(c: TimeChoice, s: TimeSpan): TimeSpan {
  return c.live ? { start: s.start, end: new Date(s.end.getTime() + CLOCK_SKEW_MS) } : s;
}

/** Everything a window's fetch depends on; a prefetch is used only for the very same request. */
interface WindowRequest {
  mission: string | null;
  /** The span asked of the API. */
  asked: TimeSpan;
  /** The instant the units are placed at: the window's end. */
  unitsAt: Date;
  reportParams: [string, string][];
  violationParams: [string, string][];
}

function windowRequest(c: TimeChoice, s: TimeSpan): WindowRequest {
  return {
    mission: pw.mission?.code ?? null,
    asked: fetchSpan(c, s),
    unitsAt: s.end,
    reportParams: reportParams(pw.filters),
    violationParams: violationParams(pw.filters),
  };
}

/** What a prefetch is matched by: the same key, the same request. */
function requestKey(r: WindowRequest): string {
  return JSON.stringify([r.mission, r.asked.start, r.asked.end, r.unitsAt, r.reportParams, r.violationParams]);
}

/** Everything a window shows besides zones and towns, fetched in parallel. */
function fetchWindow(r: WindowRequest, signal: AbortSignal) {
  return Promise.all([
    fetchReports(r.mission, r.asked, signal, r.reportParams),
    fetchViolations(r.mission, r.asked, signal, r.violationParams),
    fetchUnits(r.mission, r.unitsAt, signal),
    fetchEvents(r.mission, r.asked, signal),
    fetchTracks(r.mission, r.asked, signal),
  ]);
}

type WindowData = Awaited<ReturnType<typeof fetchWindow>>;

/** The first window's data, asked for as soon as the mission is known, so that it loads while
 * the basemap is fetched and the map is made rather than after (issue 6: first paint). */
let prefetched: { key: string; data: Promise<WindowData>; abort: AbortController } | null = null;

function prefetchWindow(bounds: Span): void {
  prefetched?.abort.abort();
  const wanted = initialChoice(bounds);
  const c: TimeChoice = { ...wanted, day: clampDay(wanted.day, bounds) };
  if (c.t) c.t = clampInstant(c.t, bounds);
  if (c.live) return; // a live window's span moves with the clock: fetched when shown
  const request = windowRequest(c, spanOf(c, new Date()));
  const abort = new AbortController();
  // What the feed brings from now on waits for this data, as in showWindow.
  pendingFeed = [];
  const data = fetchWindow(request, abort.signal);
  data.catch(() => undefined); // awaited by showWindow, or dropped with the session
  prefetched = { key: requestKey(request), data, abort };
}

/** The prefetched data when it is for this request; any other prefetch is dropped. */
function takePrefetch(request: WindowRequest): { data: Promise<WindowData>; abort: AbortController } | null {
  const p = prefetched;
  prefetched = null;
  if (!p) return null;
  if (p.key === requestKey(request)) return p;
  p.abort.abort();
  return null;
}

async function showWindow(v: View, wanted: TimeChoice, push: boolean): Promise<void> {
  const { map } = v;
  const c: TimeChoice = { ...wanted, day: clampDay(wanted.day, v.span) };
  if (c.t) c.t = clampInstant(c.t, v.span);
  const gen = ++windowGeneration;
  windowAbort?.abort();
  const now = new Date();
  const s = spanOf(c, now);
  const request = windowRequest(c, s);
  const early = takePrefetch(request);
  windowAbort = early?.abort ?? new AbortController();
  const signal = windowAbort.signal;
  stopLiveTimer();
  setReady("false");
  choice = c;
  span = s;
  pw.day = dayOf(c, now);
  pw.window = c.window;
  pw.live = c.live;
  pw.t = c.t;
  pw.span = { start: s.start.toISOString(), end: s.end.toISOString() };
  pw.error = null;
  dashboards.follow(pw.mission, s); // dashboards
  opsPanel.follow();
  writeChoiceToUrl(c, push);
  showChoice(c, s, v.span);
  const what = describe(c, s);
  setStatus(`Loading ${what}…`);
  zones = zonesValidIn(s);
  setZones(map, zones);
  renderZones(zones);
  pw.counts.zones = zones.features.length;
  // Kept when the data was prefetched: the feed's messages since then apply on top of it.
  pendingFeed = early ? (pendingFeed ?? []) : [];
  try {
    const f = pw.filters;
    const [reports, violations, found, events, lines] = await (early?.data ?? fetchWindow(request, signal));
    if (gen !== windowGeneration) return;
    reportsById = new Map(reports.collection.features.map((f) => [f.properties.id, f]));
    violationsById = new Map(violations.collection.features.map((f) => [f.properties.id, f]));
    eventsById = new Map(events.collection.features.map((e) => [e.properties.id, e]));
    showUnits(map, found);
    showTracks(map, lines.tracks, lines.patrols);
    const waiting = pendingFeed;
    pendingFeed = null;
    for (const apply of waiting) apply();
    redraw(map);
    // A new map draws for the first time once this window's data is all loaded.
    paintHold?.dataSet(() => sourcesLoaded(map));
    paintHold = null;
    await settled(map);
    if (gen !== windowGeneration) return;
    const note = wanted.day !== c.day ? ` (${wanted.day} is outside the mission span)` : "";
    const truncated = reports.truncated || violations.truncated || events.truncated;
    const filtered = anyFilter(f) ? ` Filtered: ${describeFilters(f)}.` : "";
    if (truncated) {
      setStatus(`${what}: showing the first ${MAX_PAGES} pages only${note}.${filtered}`, "warn");
    } else {
      setStatus(
        `${what}: ${pw.counts.reports} reports, ${pw.counts.events} events, ${pw.counts.violations} violations, ` +
          `${pw.counts.units} units, ${pw.counts.zones} zones, ${pw.counts.places} towns${note}.${filtered}`,
        note ? "warn" : "info",
      );
    }
    if (c.live) startLiveTimer(v);
    setReady("true");
  } catch (err) {
    if (gen !== windowGeneration || (err instanceof DOMException && err.name === "AbortError")) return;
    pendingFeed = null;
    // Never leave another window's records on the map under this window's name.
    clearWindowData(map);
    pw.reportsByKind = {};
    renderReports(null);
    fail(err);
  }
}

// ---- live -------------------------------------------------------------------

function stopLiveTimer(): void {
  if (liveTimer !== null) window.clearInterval(liveTimer);
  liveTimer = null;
}

/** Slide a live window to now: drop what fell out of it, move the units to their positions now. */
function startLiveTimer(v: View): void {
  stopLiveTimer();
  liveTimer = window.setInterval(() => {
    if (!choice?.live || view !== v) return stopLiveTimer();
    const now = new Date();
    const s = spanOf(choice, now);
    span = s;
    pw.day = dayOf(choice, now);
    pw.span = { start: s.start.toISOString(), end: s.end.toISOString() };
    showChoice(choice, s, v.span);
    for (const [id, f] of reportsById) if (!inSpan(f.properties.observed_at, s, true)) reportsById.delete(id);
    for (const [id, f] of violationsById) if (!inSpan(f.properties.observed_at, s, true)) violationsById.delete(id);
    for (const [id, f] of eventsById) if (Date.parse(f.properties.last_observed_at) < s.start.getTime()) eventsById.delete(id);
    redraw(v.map);
    const gen = windowGeneration;
    fetchUnits(pw.mission?.code ?? null, now)
      .then((found) => {
        if (gen === windowGeneration && view === v) showUnits(v.map, found);
      })
      .catch((err: unknown) => {
        if (!(err instanceof ApiError && err.status === 401)) setStatus(`Units: ${String(err)}`, "warn");
      });
  }, LIVE_TICK_MS);
}

function ofMission(mission: string | null | undefined): boolean {
  return !pw.mission || !mission || mission === pw.mission.code;
}

/** Apply a feed event now, or after the window that is loading (it would overwrite it). */
function whenLoaded(apply: () => void): void {
  if (pendingFeed) pendingFeed.push(apply);
  else {
    apply();
    scheduleRedraw();
  }
}

/** Tell the page's other views (the Operations panel) that a record arrived on the feed. */
function announce(kind: "report" | "violation", f: Feature<Point>): void {
  const [lon, lat] = f.geometry.coordinates;
  window.dispatchEvent(new CustomEvent<FeedRecord>(FEED_RECORD, { detail: { kind, lon, lat } }));
}

function onReport(f: ReportFeature): void {
  if (!ofMission(f.properties.mission)) return;
  announce("report", f);
  const filters = pw.filters;
  if (!anyFilter(filters)) {
    whenLoaded(() => {
      if (span && choice && inSpan(f.properties.observed_at, span, choice.live)) reportsById.set(f.properties.id, f);
    });
    return;
  }
  // Filters in force: the server says whether the new report passes them (the same query as
  // the window's, narrowed to the report's place and instant), so that the page never keeps a
  // second, client-side version of the filters.
  const gen = windowGeneration;
  void passesFilters(f, filters)
    .then((passes) => {
      if (!passes || gen !== windowGeneration || filters !== pw.filters) return;
      whenLoaded(() => {
        if (span && choice && inSpan(f.properties.observed_at, span, choice.live)) reportsById.set(f.properties.id, f);
      });
    })
    .catch(() => undefined);
}

async function passesFilters(f: ReportFeature, filters: Filters): Promise<boolean> {
  const [lon, lat] = f.geometry.coordinates;
  const t = Date.parse(f.properties.observed_at);
  const params = new URLSearchParams({
    start: isoTime(new Date(Math.floor(t / 1000) * 1000)),
    end: isoTime(new Date(Math.floor(t / 1000) * 1000 + 1000)),
    bbox: [lon - 1e-6, lat - 1e-6, lon + 1e-6, lat + 1e-6].join(","),
    limit: "1000",
  });
  if (f.properties.mission) params.set("mission", f.properties.mission);
  for (const [k, v] of reportParams(filters)) params.append(k, v);
  const body = await getJson<{ features: ReportFeature[] }>(`/api/v1/reports?${params}`);
  return body.features.some((r) => r.properties.id === f.properties.id);
}

function onEvent(f: EventFeature): void {
  if (!ofMission(f.properties.mission)) return;
  whenLoaded(() => {
    if (!span || !choice) return;
    const overlaps =
      Date.parse(f.properties.first_observed_at) < span.end.getTime() + (choice.live ? CLOCK_SKEW_MS : 0) &&
      Date.parse(f.properties.last_observed_at) >= span.start.getTime();
    if (overlaps) eventsById.set(f.properties.id, f);
  });
}

/** A unit moved: in a window that ends now (live) or after the move, the symbol follows it and
 * the track grows; a move the window does not reach changes nothing. */
function onPosition(f: Feature<Point, PositionProperties>): void {
  if (!ofMission(f.properties.mission) || !view) return;
  const map = view.map;
  whenLoaded(() => {
    if (!span || !choice) return;
    const t = Date.parse(f.properties.observed_at);
    const end = span.end.getTime() + (choice.live ? CLOCK_SKEW_MS : 0);
    if (t >= end) return;
    const held = units.features.find((u) => u.properties.id === f.properties.unit);
    if (held && Date.parse(held.properties.position_at) <= t) {
      held.geometry = f.geometry;
      held.properties = { ...held.properties, position_at: f.properties.observed_at };
      showUnits(map, units);
    }
    if (t < span.start.getTime()) return;
    const track = tracks.features.find(
      (x) => x.properties?.unit === f.properties.unit && x.properties?.label === f.properties.label,
    );
    const point = f.geometry.coordinates;
    if (track && track.geometry.type === "LineString") track.geometry.coordinates.push(point);
    else if (track && track.geometry.type === "Point") {
      track.geometry = { type: "LineString", coordinates: [track.geometry.coordinates, point] };
    } else {
      tracks.features.push({
        type: "Feature",
        geometry: { type: "Point", coordinates: point },
        properties: { ...f.properties, id: f.properties.unit, points: 1 },
      });
    }
    showTracks(map, tracks, patrols);
  });
}

function onCorrection(f: ReportFeature): void {
  whenLoaded(() => {
    const id = f.properties.id;
    const wanted = ofMission(f.properties.mission) && span && choice
      && inSpan(f.properties.observed_at, span, choice.live);
    if (wanted) reportsById.set(id, f);
    else reportsById.delete(id);
  });
}

function onViolation(f: ViolationFeature): void {
  if (!ofMission(f.properties.mission)) return;
  announce("violation", f);
  alerts.add(f);
  whenLoaded(() => {
    if (span && choice && inSpan(f.properties.observed_at, span, choice.live)) violationsById.set(f.properties.id, f);
  });
}

function setFeedState(state: FeedState): void {
  pw.feed = state;
  const node = byId("feed-state");
  node.dataset.state = state;
  node.textContent = { open: "● feed", connecting: "○ connecting", closed: "× feed off" }[state];
  node.title = {
    open: "Live feed connected: new reports and violations appear as they arrive",
    connecting: "Live feed reconnecting…",
    closed: "Live feed closed",
  }[state];
}

/** Open the live feed of this session; when the server refuses it, find out why. */
function openFeed(gen: number): Promise<void> {
  const f = new LiveFeed({
    report: onReport,
    violation: onViolation,
    correction: onCorrection,
    event: onEvent,
    position: onPosition,
    state: (s) => {
      if (feed === f) setFeedState(s);
    },
    refused: () => {
      if (feed !== f || gen !== session) return;
      // A refused stream is either an ended session (back to the form) or a server that
      // answered with an error: then try again from the last event id in a while.
      void fetchMe()
        .then((me) => {
          if (feed !== f || gen !== session) return;
          if (!me) showLogin("Your session has ended: log in again.");
          else window.setTimeout(() => {
            if (feed === f && gen === session) void f.open();
          }, 5_000);
        })
        .catch(() => window.setTimeout(() => {
          if (feed === f && gen === session) void f.open();
        }, 5_000));
    },
  });
  feed = f;
  // Do not wait long for a slow stream: the window still loads, and the feed catches up.
  return Promise.race([f.open(), new Promise<void>((r) => window.setTimeout(r, 5_000))]);
}

function showAlert(alert: Alert): void {
  if (!view) return;
  const [lon, lat] = alert.violation.geometry.coordinates;
  view.map.flyTo({ center: [lon, lat], zoom: Math.max(view.map.getZoom(), 10) });
  const p = violationsById.get(alert.violation.properties.id)?.properties ?? alert.violation.properties;
  popup?.setLngLat([lon, lat]).setDOMContent(violationPopup(p, ruling(p.id))).addTo(view.map);
}

/** Fly to a report the map holds and open its popup; false when it does not hold it. */
function openReport(id: string): boolean {
  const f = reportsById.get(id);
  if (!view || !popup || !f) return false;
  const [lon, lat] = f.geometry.coordinates;
  // The Operations panel covers the map's left: centre the report in what remains visible,
  // a little high so that the popup (opening below it) has room.
  const ops = byId("ops");
  const box = view.map.getContainer().getBoundingClientRect();
  const covered = ops.hidden ? 0 : Math.max(0, ops.getBoundingClientRect().right - box.left);
  view.map.flyTo({ center: [lon, lat], zoom: Math.max(view.map.getZoom(), 11), offset: [covered / 2, -box.height / 4] });
  popup.setLngLat([lon, lat]).setDOMContent(reportPopup(f.properties)).addTo(view.map);
  return true;
}

// ---- interactions -------------------------------------------------------------

function around(p: { x: number; y: number }, r: number): [PointLike, PointLike] {
  return [
    [p.x - r, p.y - r],
    [p.x + r, p.y + r],
  ];
}

function wireInteractions(map: MapLibreMap): void {
  // The click handler below decides: a click on another feature moves the popup there (closing
  // it on every map click would race with the handler that opens it), a click on nothing closes it.
  popup = new Popup({ maxWidth: "340px", closeButton: true, closeOnClick: false, focusAfterOpen: false });
  const p = popup;
  const points = [VIOLATION_LAYER, UNIT_LAYER, EVENT_LAYER, REPORT_LAYER];
  const clickable = [...points, REPORT_CLUSTER_LAYER, ...ZONE_LAYERS];
  const idOf = (f: MapGeoJSONFeature): string => String(f.properties.id);

  map.on("click", (e: MapMouseEvent) => {
    const at: LonLat = [e.lngLat.lng, e.lngLat.lat];
    // A tool in use takes the click: the measuring tool, else the open reporting form.
    if (measure.active) {
      measure.add(at);
      return;
    }
    if (reportForm.isOpen) {
      reportForm.pick(at);
      return;
    }
    // Violations first, then units, then reports: the most pressing on top of the popup.
    const hits = map.queryRenderedFeatures(around(e.point, 6), { layers: points });
    const seen = new Set<string>();
    const boxes: HTMLElement[] = [];
    for (const layer of points) {
      for (const f of hits.filter((h) => h.layer.id === layer)) {
        const key = `${layer}:${idOf(f)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (layer === VIOLATION_LAYER) {
          const v = violationsById.get(idOf(f));
          if (v) boxes.push(violationPopup(v.properties, ruling(v.properties.id)));
        } else if (layer === UNIT_LAYER) {
          const u = unitsById.get(idOf(f));
          if (u) boxes.push(unitPopup(u));
        } else if (layer === EVENT_LAYER) {
          const ev = eventsById.get(idOf(f));
          if (ev) boxes.push(eventPopup(ev.properties, mayMerge() ? mergeTray : null));
        } else {
          const r = reportsById.get(idOf(f));
          if (r) boxes.push(reportPopup(r.properties));
        }
      }
    }
    if (!boxes.length) {
      // A cluster of reports: zoom in until it comes apart.
      const cluster = map.queryRenderedFeatures(around(e.point, 4), { layers: [REPORT_CLUSTER_LAYER] })[0];
      if (cluster) {
        const source = map.getSource("reports") as GeoJSONSource;
        const [lon, lat] = (cluster.geometry as Point).coordinates;
        void source
          .getClusterExpansionZoom(Number(cluster.properties.cluster_id))
          .then((zoom) => map.easeTo({ center: [lon, lat], zoom: Math.min(zoom, CLUSTER_MAX_ZOOM + 1) }))
          .catch(() => map.easeTo({ center: [lon, lat], zoom: CLUSTER_MAX_ZOOM + 1 }));
        return;
      }
    }
    if (boxes.length) {
      const box = document.createElement("div");
      box.append(...boxes.slice(0, 4));
      p.setLngLat(e.lngLat).setDOMContent(box).addTo(map);
      return;
    }
    const zoneHits = map
      .queryRenderedFeatures(e.point, { layers: ZONE_LAYERS })
      .map((f) => zonesById.get(String(f.properties.id)))
      .filter((z): z is ZoneProperties => z !== undefined);
    if (!zoneHits.length) {
      p.remove();
      return;
    }
    const rank = (k: string): number => {
      const i = ZONE_PRIORITY.indexOf(k);
      return i === -1 ? ZONE_PRIORITY.length + (k === "boundary" ? 1 : 0) : i;
    };
    zoneHits.sort((a, b) => rank(a.kind) - rank(b.kind));
    p.setLngLat(e.lngLat).setDOMContent(zonePopup(zoneHits[0])).addTo(map);
  });
  map.on("mousemove", (e: MapMouseEvent) => {
    showCursor([e.lngLat.lng, e.lngLat.lat]);
    if (measure.active || reportForm.isOpen) {
      map.getCanvas().style.cursor = "crosshair";
      return;
    }
    const over = map.queryRenderedFeatures(around(e.point, 3), { layers: clickable }).length > 0;
    map.getCanvas().style.cursor = over ? "pointer" : "";
  });
  map.on("mouseout", () => showCursor(null));
}

/** The cursor's lon/lat and MGRS grid in the map's status line. */
function showCursor(at: LonLat | null): void {
  const node = byId<HTMLOutputElement>("cursor-readout");
  if (!at) {
    node.textContent = "";
    delete node.dataset.lon;
    delete node.dataset.lat;
    return;
  }
  node.dataset.lon = at[0].toFixed(6);
  node.dataset.lat = at[1].toFixed(6);
  const grid = toMgrs(at);
  node.textContent = grid ? `${lonLatText(at)} · MGRS ${grid}` : lonLatText(at);
}

/** Merging events is offered to analysts only (the server checks anyway). */
function mayMerge(): boolean {
  return pw.user?.permissions.includes("events:fuse") ?? false;
}

/** Confirm or dismiss a violation: only offered to users who may (the server checks anyway). */
function ruling(id: string): RuleOnViolation | undefined {
  if (!pw.user?.permissions.includes("violations:rule")) return undefined;
  const gen = session;
  return async (state, reason) => {
    const f = await sendJson<ViolationFeature>("PATCH", `/api/v1/violations/${encodeURIComponent(id)}`, {
      state,
      reason,
    });
    // The ring shows the verdict too (thick when confirmed, faint when dismissed).
    if (gen === session && violationsById.has(id)) {
      const held = violationsById.get(id) as ViolationFeature;
      violationsById.set(id, { ...held, properties: { ...held.properties, ...f.properties } });
      scheduleRedraw();
    }
    return f.properties;
  };
}

/** Wired once: the controls act on whatever view is current (none while logged out). */
function wireWindowControls(): void {
  const change = (next: Partial<TimeChoice>): void => {
    if (view && choice) void showWindow(view, { ...choice, ...next }, true);
  };
  // A day chosen by the date field or the arrows is the whole of it: the slider's position goes.
  const toDay = (day: string): void => {
    stopPlay();
    change({ day, live: false, t: null, ...(choice?.window === "custom" ? { window: "day" as const } : {}) });
  };
  const input = byId<HTMLInputElement>("day");
  input.addEventListener("change", () => {
    if (isDay(input.value)) toDay(input.value);
  });
  byId("prev-day").addEventListener("click", () => toDay(addDays(choice?.day ?? DEFAULT_DAY, -1)));
  byId("next-day").addEventListener("click", () => toDay(addDays(choice?.day ?? DEFAULT_DAY, 1)));
  const select = byId<HTMLSelectElement>("window");
  select.addEventListener("change", () => {
    const w = select.value as WindowKind;
    if (!WINDOW_KINDS.includes(w)) return;
    if (w === "custom" && span) {
      // Start from the window on screen; the operator edits its ends and applies.
      change({ window: w, live: false, from: isoTime(span.start), to: isoTime(span.end), t: null });
    } else change({ window: w });
  });
  byId("custom-apply").addEventListener("click", () => {
    const from = fromLocalValue(byId<HTMLInputElement>("custom-from").value);
    const to = fromLocalValue(byId<HTMLInputElement>("custom-to").value);
    if (!from || !to || from >= to) {
      setStatus("A custom window needs a start before its end (UTC).", "warn");
      return;
    }
    stopPlay();
    change({ window: "custom", live: false, from: isoTime(from), to: isoTime(to), t: null });
  });
  byId("live").addEventListener("click", () => {
    stopPlay();
    change({ live: !choice?.live });
  });

  // The slider moves the window's end: its label follows the drag, the window the release.
  const slider = byId<HTMLInputElement>("time-slider");
  slider.addEventListener("input", () => {
    if (view) byId("slider-dtg").textContent = `ends ${toDtg(sliderInstant(Number(slider.value), view.span).toISOString())}`;
  });
  slider.addEventListener("change", () => {
    if (!view) return;
    stopPlay();
    change(movedTo(sliderInstant(Number(slider.value), view.span)));
  });
  byId("play").addEventListener("click", () => (playTimer !== null || pw.playing ? stopPlay() : startPlay()));
  window.addEventListener("popstate", () => {
    stopPlay();
    pw.filters = filtersFromUrl();
    filterPanel.show(pw.filters);
    if (view) void showWindow(view, initialChoice(view.span), false);
  });
}

/** The choice of the URL, with the default day (clamped to the mission) where it names none. */
function initialChoice(bounds: Span): TimeChoice {
  const fromUrl = choiceFromUrl();
  return { ...fromUrl, day: fromUrl.day ?? clampDay(DEFAULT_DAY, bounds) };
}

/** The choice with its window ending at `end` (a custom window keeps its length). */
function movedTo(end: Date): Partial<TimeChoice> {
  if (choice?.window === "custom" && span) {
    const length = span.end.getTime() - span.start.getTime();
    return { live: false, from: isoTime(new Date(end.getTime() - length)), to: isoTime(end), t: null };
  }
  return { live: false, t: isoTime(end) };
}

// ---- play -------------------------------------------------------------------

/** Pause between steps once a step's window has loaded. */
const PLAY_TICK_MS = 1_000;
let playTimer: number | null = null;

function setPlaying(on: boolean): void {
  pw.playing = on;
  const button = byId<HTMLButtonElement>("play");
  button.setAttribute("aria-pressed", String(on));
  button.classList.toggle("on", on);
  button.textContent = on ? "❚❚ Pause" : "▶ Play";
}

function stopPlay(): void {
  if (playTimer !== null) window.clearTimeout(playTimer);
  playTimer = null;
  if (pw.playing) setPlaying(false);
}

/** Advance the window's end by the chosen step, one step per tick, until the mission's end. */
function startPlay(): void {
  const v = view;
  if (!v || !choice || !span || choice.live) return;
  setPlaying(true);
  const step = async (): Promise<void> => {
    playTimer = null;
    if (!pw.playing || view !== v || !choice || !span) return stopPlay();
    const hours = Number(byId<HTMLSelectElement>("play-speed").value) || 1;
    const next = new Date(span.end.getTime() + hours * HOUR_MS);
    if (span.end.getTime() >= v.span.to.getTime()) return stopPlay();
    const end = next.getTime() > v.span.to.getTime() ? v.span.to : next;
    // Each step replaces the URL rather than adding to the history.
    await showWindow(v, { ...choice, ...movedTo(end) }, false);
    if (!pw.playing || view !== v) return;
    if (document.body.dataset.ready === "error") return stopPlay();
    if (end.getTime() >= v.span.to.getTime()) return stopPlay();
    playTimer = window.setTimeout(() => void step(), PLAY_TICK_MS);
  };
  playTimer = window.setTimeout(() => void step(), 0);
}

/** The extent of the towns: where to look when no mission is released to the user. */
function extentOf(places: Places): BBox | null {
  const coords = places.features.map((f) => f.geometry.coordinates);
  if (!coords.length) return null;
  const lons = coords.map((c) => c[0]);
  const lats = coords.map((c) => c[1]);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}

async function loadMap(gen: number): Promise<void> {
  setReady("false");
  setStatus("Loading…");
  // The feed opens first, so that nothing written while the window loads is missed.
  const [missions, places, world] = await Promise.all([
    fetchMissions(),
    fetchPlaces(500),
    basemapWorld(),
    openFeed(gen),
  ]);
  if (gen !== session) return;
  // A user may be cleared for some reports of a mission but not for the mission record
  // itself: then the map shows every report released to them, around the towns.
  const mission = pickMission(missions);
  const bbox: BBox = mission?.bbox ?? extentOf(places) ?? [-180, -85, 180, 85];
  pw.mission = mission;
  const bounds: Span = mission
    ? missionSpan(mission)
    : { min: "", max: isoDay(new Date()), from: new Date(Date.UTC(1990, 0, 1)), to: ceilHour(new Date()) };
  // The zones and the first window load while the basemap is fetched and the map is made.
  const zonesP = mission ? fetchZones(mission.code) : Promise.resolve(NO_ZONES);
  // Awaited below; if this load stops first (logout), its failure must not go "uncaught".
  zonesP.catch(() => undefined);
  prefetchWindow(bounds);
  // The basemap's cells around the mission (a few hundred kB, precomputed at build time).
  const basemap = await loadBasemap(world, bbox);
  if (gen !== session) return;
  const title = mission ? `PeaceWatch — ${mission.name}` : "PeaceWatch";
  byId("title").textContent = title;
  document.title = title;
  byId("mission-line").textContent = mission
    ? `${mission.code} · from ${toDtg(mission.start)}${mission.end ? ` to ${toDtg(mission.end)}` : ""}`
    : "No mission released to you: every report you may see";
  const input = byId<HTMLInputElement>("day");
  input.min = bounds.min;
  input.max = bounds.max;

  const map = new MapLibreMap({
    container: "map",
    // The coarser scales start empty: filled at once if the first view shows them, else once
    // the first window is drawn.
    style: baseStyle(basemap),
    bounds: bbox,
    fitBoundsOptions: { padding: 24 },
    maxZoom: 16,
    attributionControl: { compact: true },
  });
  pw.map = map;
  paintHold = holdPainting(map);
  map.addControl(new NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new ScaleControl({ unit: "metric" }), "bottom-right");
  map.on("error", (e: ErrorEvent) => {
    // Keep MapLibre's own logging (tests watch the console) and tell the operator too.
    console.error(e.error);
    setStatus(`Map: ${e.error?.message ?? "error"}`, "error");
  });
  drawMissingSymbols(map);

  // The style, not the whole basemap: the window's data loads while the basemap's tiles are
  // cut, rather than after (issue 6: first paint).
  await once(map, "style.load");
  if (gen !== session) return;
  const deferred = canDefer(basemap, map.getZoom());
  if (!deferred) await fillDeferred(map, basemap);
  if (gen !== session) return;
  addOperationalLayers(map);
  for (const group of Object.keys(LAYER_GROUPS)) showGroup(map, group, !pw.hidden.includes(group));
  measure.addLayers(map, VIOLATION_HALO_LAYER);
  const z = await zonesP;
  if (gen !== session) return;
  allZones = z;
  zonesById = new Map(z.features.map((f) => [String(f.properties.id), f.properties]));
  setPlaces(map, places);
  renderPlaces(places);
  offerFilterChoices(z);
  pw.counts.places = places.features.length;
  wireInteractions(map);
  view = { map, span: bounds };

  await showWindow(view, initialChoice(bounds), false);
  if (deferred && gen === session) {
    fillDeferred(map, basemap).catch((err: unknown) => setStatus(`Basemap: ${String(err)}`, "error"));
  }
}

// ---- filters and layers ----------------------------------------------------------

/** The parties of the mission and its zones, as the user may see them, in the filter form. */
function offerFilterChoices(z: Zones): void {
  const zoneChoices = z.features
    .map((f) => ({ uid: String(f.properties.id), name: f.properties.name }))
    .sort((a, b) => a.name.localeCompare(b.name));
  filterPanel.setChoices([], zoneChoices);
  filterPanel.show(pw.filters);
  const gen = session;
  missionParties()
    .then((codes) => {
      if (gen !== session) return;
      filterPanel.setChoices(codes, zoneChoices);
      filterPanel.show(pw.filters);
    })
    .catch(() => undefined);
}

function wireFiltersAndLayers(): void {
  filterPanel.wire((f) => {
    pw.filters = f;
    writeFiltersToUrl(f);
    if (view && choice) void showWindow(view, choice, false);
  });
  filterPanel.show(pw.filters);
  mergeTray.wire();
  const switches = [...document.querySelectorAll<HTMLInputElement>("#layer-switches input[name=layer]")];
  for (const box of switches) {
    box.checked = !pw.hidden.includes(box.value);
    box.addEventListener("change", () => {
      const hidden = new Set(pw.hidden);
      if (box.checked) hidden.delete(box.value);
      else hidden.add(box.value);
      pw.hidden = [...hidden].sort();
      writeHiddenToUrl(hidden);
      if (view) showGroup(view.map, box.value, box.checked);
    });
  }
}

// ---- session ----------------------------------------------------------------

/** Drop the map and everything loaded for the user who was logged in. */
function teardown(): void {
  session++;
  windowGeneration++;
  windowAbort?.abort();
  windowAbort = null;
  prefetched?.abort.abort();
  prefetched = null;
  stopLiveTimer();
  if (redrawTimer !== null) window.clearTimeout(redrawTimer);
  redrawTimer = null;
  pendingFeed = null;
  feed?.close();
  feed = null;
  setFeedState("closed");
  alerts.clear();
  stopPlay();
  reportForm.close();
  measure.reset();
  showCursor(null);
  parties = null;
  view = null;
  popup = null;
  releasePaint();
  pw.map?.remove();
  pw.map = null;
  pw.mission = null;
  pw.day = null;
  pw.span = null;
  pw.t = null;
  pw.slider = null;
  pw.counts = emptyCounts();
  pw.reportsByKind = {};
  pw.error = null;
  choice = null;
  span = null;
  allZones = zones = NO_ZONES;
  units = NO_UNITS;
  reportsById = new Map();
  violationsById = new Map();
  eventsById = new Map();
  tracks = patrols = EMPTY_LINES;
  unitsById = new Map();
  zonesById = new Map();
  mergeTray.clear();
  pw.merging = [];
  clearPanel();
  dashboards.clear(); // dashboards
  opsPanel.clear();
  historyPanel.clear();
  sitrepPanel.clear(); // SITREP
  updatePageMarking();
  byId("title").textContent = "PeaceWatch";
  document.title = "PeaceWatch";
  byId("mission-line").textContent = "Mission";
  byId("day-dtg").textContent = "";
}

function showUser(user: User | null): void {
  byId("session").hidden = user === null;
  byId("day-controls").hidden = user === null;
  if (!user) return;
  byId("new-report").hidden = !user.permissions.includes("reports:write");
  byId("user-name").textContent = user.username;
  byId("user-nation").textContent = user.nation;
  const clearance = byId("user-clearance");
  clearance.textContent = user.clearance;
  clearance.className = `clearance ${markingClass(user.clearance)}`;
  byId("user").title = [user.display_name, user.communities.length ? `Communities: ${user.communities.join(", ")}` : ""]
    .filter(Boolean)
    .join("\n");
}

function setLoginMessage(text: string, kind: "error" | "notice" = "error"): void {
  const node = byId("login-error");
  node.textContent = text;
  node.className = text ? `form-message ${kind}` : "form-message";
}

/** The login form instead of the map; `message` says why (session ended), if anything. */
function showLogin(message = "", kind: "error" | "notice" = "notice"): void {
  teardown();
  pw.user = null;
  showUser(null);
  byId("layout").hidden = true;
  byId("login").hidden = false;
  setReady("false");
  setStatus("Log in to see the map.");
  setLoginMessage(message, kind);
  byId<HTMLInputElement>("login-password").value = "";
  byId<HTMLInputElement>("login-username").focus();
}

function startSession(user: User): void {
  const gen = ++session;
  pw.user = user;
  showUser(user);
  byId("login").hidden = true;
  byId("layout").hidden = false;
  setLoginMessage("");
  loadMap(gen).catch((err: unknown) => {
    if (gen === session) fail(err);
  });
}


function wireLogin(): void {
  const form = byId<HTMLFormElement>("login-form");
  const username = byId<HTMLInputElement>("login-username");
  const password = byId<HTMLInputElement>("login-password");
  const submit = byId<HTMLButtonElement>("login-submit");
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (submit.disabled) return;
    submit.disabled = true;
    form.setAttribute("aria-busy", "true");
    username.removeAttribute("aria-invalid");
    password.removeAttribute("aria-invalid");
    setLoginMessage("");
    void (async () => {
      try {
        await login(username.value.trim(), password.value);
        // Ask who we are with the new cookie: proves the browser kept the session.
        const me = await fetchMe();
        if (!me) throw new Error("The browser did not keep the session cookie: allow cookies for this site.");
        password.value = "";
        startSession(me);
      } catch (err) {
        const fields = err instanceof ApiError ? (err.problem?.errors ?? []).map((p) => p.field ?? "") : [];
        for (const input of [username, password]) {
          if (fields.some((f) => f === input.name || f.endsWith(`.${input.name}`))) {
            input.setAttribute("aria-invalid", "true");
          }
        }
        setLoginMessage(problemDetail(err), "error");
        password.value = "";
        password.focus();
      } finally {
        submit.disabled = false;
        form.removeAttribute("aria-busy");
      }
    })();
  });

  const button = byId<HTMLButtonElement>("logout");
  button.addEventListener("click", () => {
    button.disabled = true;
    logout()
      .then(() => showLogin("You have logged out."))
      .catch((err: unknown) => setStatus(`Log out failed: ${problemDetail(err)}`, "error"))
      .finally(() => {
        button.disabled = false;
      });
  });

  // Any API call answering 401 later on: the session expired or was ended elsewhere.
  onSessionEnded(() => {
    if (pw.user) showLogin("Your session has ended: log in again.");
  });
}

async function main(): Promise<void> {
  setReady("false");
  wireWindowControls();
  alerts.wire();
  reportForm.wire();
  measure.wire();
  dashboards.wire(updatePageMarking); // dashboards
  historyPanel.wire();
  sitrepPanel.wire(() => ({ mission: pw.mission, span })); // SITREP
  opsPanel.wire(
    () => ({ mission: pw.mission, span, user: pw.user, map: view?.map ?? null, openReport }),
    updatePageMarking,
  );
  // One tool at a time takes the map's clicks.
  byId("measure").addEventListener("click", () => {
    if (measure.active) reportForm.close();
  });
  byId("new-report").addEventListener("click", () => {
    if (reportForm.isOpen && measure.active) measure.toggle();
  });
  wireLogin();
  wireFiltersAndLayers();
  // A 401 here is the expected answer before login: no error, just the form.
  const user = await fetchMe();
  if (user) startSession(user);
  else showLogin();
}

main().catch(fail);
