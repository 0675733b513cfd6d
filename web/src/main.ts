// PeaceWatch map page: mission, zones, towns and the reports of one UTC day, for the
// logged-in user (the server filters every record by its label against the user's clearance).
import "maplibre-gl/dist/maplibre-gl.css";
import "./styles.css";
import {
  type ErrorEvent,
  type MapGeoJSONFeature,
  type MapMouseEvent,
  Map as MapLibreMap,
  NavigationControl,
  type PointLike,
  Popup,
  ScaleControl,
  setWorkerUrl,
} from "maplibre-gl";
// MapLibre 6 finds its worker next to its own module file, which bundling moves:
// ship the worker as a build asset and say where it is.
import workerUrl from "maplibre-gl/dist/maplibre-gl-worker.mjs?url";
import {
  ApiError,
  dayWindow,
  fetchMe,
  fetchMissions,
  fetchPlaces,
  fetchReportsOfDay,
  fetchZones,
  login,
  logout,
  MAX_PAGES,
  type Mission,
  onSessionEnded,
  type Places,
  type ReportProperties,
  type Reports,
  type User,
  type ZoneProperties,
  type Zones,
} from "./api";
import { baseStyle, buildBasemap, fetchTopologies, regionAround, type Topologies } from "./basemap";
import { byId } from "./dom";
import { dayLabel, toDtg } from "./dtg";
import {
  addOperationalLayers,
  REPORT_LAYER,
  setPlaces,
  setReports,
  setZones,
  ZONE_LAYERS,
} from "./layers";
import { highestMarking, markingClass } from "./marking";
import { clearPanel, renderPlaces, renderReports, renderZones } from "./panel";
import { reportPopup, zonePopup } from "./popup";

/** What browser tests (and curious operators) can read from the page. */
export interface PeaceWatchHandle {
  /** The logged-in user (GET /api/v1/auth/me), or null before login and after logout. */
  user: User | null;
  map: MapLibreMap | null;
  ready: boolean;
  mission: Mission | null;
  day: string | null;
  counts: { zones: number; places: number; reports: number };
  reportsByKind: Record<string, number>;
  error: string | null;
}

declare global {
  interface Window {
    peacewatch: PeaceWatchHandle;
  }
}

const DEFAULT_DAY = "1999-06-15";
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
// Most specific first: a click inside a safety zone is about that zone, not the sector around it.
const ZONE_PRIORITY = ["ground_safety_zone", "air_safety_zone", "sector"];

setWorkerUrl(workerUrl);

const pw: PeaceWatchHandle = {
  user: null,
  map: null,
  ready: false,
  mission: null,
  day: null,
  counts: { zones: 0, places: 0, reports: 0 },
  reportsByKind: {},
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
  setStatus(msg, "error");
  setReady("error");
}

// ---- days ---------------------------------------------------------------

const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

function addDays(day: string, n: number): string {
  return isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000));
}

interface Span {
  /** First day, or "" when there is no lower bound. */
  min: string;
  max: string;
}

function missionSpan(m: Mission): Span {
  return { min: isoDay(new Date(m.start)), max: isoDay(m.end ? new Date(m.end) : new Date()) };
}

function clampDay(day: string, span: Span): string {
  if (day < span.min) return span.min;
  if (day > span.max) return span.max;
  return day;
}

function dayFromUrl(): string | null {
  const day = new URLSearchParams(window.location.search).get("day");
  return day && DAY_RE.test(day) && !Number.isNaN(Date.parse(day)) ? day : null;
}

function writeDayToUrl(day: string, push: boolean): void {
  const url = new URL(window.location.href);
  if (url.searchParams.get("day") === day) return;
  url.searchParams.set("day", day);
  if (push) window.history.pushState({ day }, "", url);
  else window.history.replaceState({ day }, "", url);
}

// ---- map helpers ----------------------------------------------------------

function once(map: MapLibreMap, event: "load" | "idle"): Promise<void> {
  return new Promise((resolve) => map.once(event, () => resolve()));
}

const OPERATIONAL_SOURCES = ["zones", "zone-labels", "places", "reports"];

/** Resolve when every source has its data and the map has drawn it (MapLibre `idle`). */
async function settled(map: MapLibreMap): Promise<void> {
  for (;;) {
    const idle = once(map, "idle");
    map.triggerRepaint();
    await idle;
    if (OPERATIONAL_SOURCES.every((s) => map.isSourceLoaded(s))) return;
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

/** What the map shows: the map itself and the days it may show. Null when logged out. */
interface View {
  map: MapLibreMap;
  span: Span;
}

const NO_ZONES: Zones = { type: "FeatureCollection", features: [] };

let view: View | null = null;
/** Bumped at every login and logout: loads begun in an older session stop at their next await. */
let session = 0;
/** Every zone of the mission, whatever its validity; the map shows those valid on the day. */
let allZones: Zones = NO_ZONES;
let zones: Zones = allZones;
let reportsById = new Map<string, ReportProperties>();
let zonesById = new Map<string, ZoneProperties>();
let dayGeneration = 0;
let dayAbort: AbortController | null = null;
let topologies: Promise<Topologies> | null = null;

/** The basemap files, fetched once per page (they are static, not API data). */
function basemapTopologies(): Promise<Topologies> {
  topologies ??= fetchTopologies().catch((err: unknown) => {
    topologies = null;
    throw err;
  });
  return topologies;
}

function updatePageMarking(reports: Reports | null): void {
  const marking = highestMarking([
    ...zones.features.map((f) => f.properties.label),
    ...(reports?.features ?? []).map((f) => f.properties.label),
  ]);
  const node = byId("page-marking");
  node.className = markingClass(marking);
  node.textContent = marking ? `Highest marking on view: ${marking}` : "No labelled data on view";
}

/** Zones in force at some time during the UTC day (valid_from < day end, valid_to > day start). */
function zonesValidOn(day: string): Zones {
  const { start, end } = dayWindow(day);
  const [t0, t1] = [Date.parse(start), Date.parse(end)];
  return {
    type: "FeatureCollection",
    features: allZones.features.filter((f) => {
      const from = f.properties.valid_from ? Date.parse(f.properties.valid_from) : -Infinity;
      const to = f.properties.valid_to ? Date.parse(f.properties.valid_to) : Infinity;
      return from < t1 && to > t0;
    }),
  };
}

async function showDay({ map, span }: View, wanted: string, push: boolean): Promise<void> {
  const day = clampDay(wanted, span);
  const gen = ++dayGeneration;
  dayAbort?.abort();
  dayAbort = new AbortController();
  setReady("false");
  pw.day = day;
  pw.error = null;
  writeDayToUrl(day, push);
  const input = byId<HTMLInputElement>("day");
  input.value = day;
  byId<HTMLButtonElement>("prev-day").disabled = day <= span.min;
  byId<HTMLButtonElement>("next-day").disabled = day >= span.max;
  byId("day-dtg").textContent = `${dayLabel(day)} (UTC)`;
  setStatus(`Loading reports of ${dayLabel(day)}…`);
  zones = zonesValidOn(day);
  setZones(map, zones);
  renderZones(zones);
  pw.counts.zones = zones.features.length;
  try {
    const { reports, truncated } = await fetchReportsOfDay(pw.mission?.code ?? null, day, dayAbort.signal);
    if (gen !== dayGeneration) return;
    setReports(map, reports);
    reportsById = new Map(reports.features.map((f) => [f.properties.id, f.properties]));
    const byKind = renderReports(reports);
    pw.counts.reports = reports.features.length;
    pw.reportsByKind = Object.fromEntries(byKind);
    updatePageMarking(reports);
    await settled(map);
    if (gen !== dayGeneration) return;
    const note = wanted !== day ? ` (${wanted} is outside the mission span)` : "";
    if (truncated) {
      setStatus(`${dayLabel(day)}: showing the first ${MAX_PAGES} pages of reports only${note}.`, "warn");
    } else {
      setStatus(`${dayLabel(day)}: ${reports.features.length} reports, ${pw.counts.zones} zones, ${pw.counts.places} towns${note}.`,
        note ? "warn" : "info");
    }
    setReady("true");
  } catch (err) {
    if (gen !== dayGeneration || (err instanceof DOMException && err.name === "AbortError")) return;
    // Never leave another day's reports on the map under this day's date.
    setReports(map, { type: "FeatureCollection", features: [] });
    reportsById = new Map();
    renderReports(null);
    pw.counts.reports = 0;
    pw.reportsByKind = {};
    fail(err);
  }
}

function around(p: { x: number; y: number }, r: number): [PointLike, PointLike] {
  return [
    [p.x - r, p.y - r],
    [p.x + r, p.y + r],
  ];
}

function wireInteractions(map: MapLibreMap): void {
  const popup = new Popup({ maxWidth: "340px", closeButton: true, focusAfterOpen: false });
  const clickable = [REPORT_LAYER, ...ZONE_LAYERS];

  map.on("click", (e: MapMouseEvent) => {
    const hits = map.queryRenderedFeatures(around(e.point, 4), { layers: [REPORT_LAYER] });
    const reports = hits
      .map((f: MapGeoJSONFeature) => reportsById.get(String(f.properties.id)))
      .filter((p): p is ReportProperties => p !== undefined);
    if (reports.length) {
      const box = document.createElement("div");
      box.append(...reports.slice(0, 4).map(reportPopup));
      popup.setLngLat(e.lngLat).setDOMContent(box).addTo(map);
      return;
    }
    const zoneHits = map
      .queryRenderedFeatures(e.point, { layers: ZONE_LAYERS })
      .map((f) => zonesById.get(String(f.properties.id)))
      .filter((p): p is ZoneProperties => p !== undefined);
    if (!zoneHits.length) return;
    const rank = (k: string): number => {
      const i = ZONE_PRIORITY.indexOf(k);
      return i === -1 ? ZONE_PRIORITY.length + (k === "boundary" ? 1 : 0) : i;
    };
    zoneHits.sort((a, b) => rank(a.kind) - rank(b.kind));
    popup.setLngLat(e.lngLat).setDOMContent(zonePopup(zoneHits[0])).addTo(map);
  });
  map.on("mousemove", (e: MapMouseEvent) => {
    const over = map.queryRenderedFeatures(around(e.point, 3), { layers: clickable }).length > 0;
    map.getCanvas().style.cursor = over ? "pointer" : "";
  });
}

/** Wired once: the controls act on whatever view is current (none while logged out). */
function wireDayControls(): void {
  const input = byId<HTMLInputElement>("day");
  input.addEventListener("change", () => {
    if (view && DAY_RE.test(input.value)) void showDay(view, input.value, true);
  });
  byId("prev-day").addEventListener("click", () => {
    if (view) void showDay(view, addDays(pw.day ?? DEFAULT_DAY, -1), true);
  });
  byId("next-day").addEventListener("click", () => {
    if (view) void showDay(view, addDays(pw.day ?? DEFAULT_DAY, 1), true);
  });
  window.addEventListener("popstate", () => {
    if (view) void showDay(view, dayFromUrl() ?? clampDay(DEFAULT_DAY, view.span), false);
  });
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
  const [missions, places, topos] = await Promise.all([fetchMissions(), fetchPlaces(500), basemapTopologies()]);
  if (gen !== session) return;
  // A user may be cleared for some reports of a mission but not for the mission record
  // itself: then the map shows every report released to them, around the towns.
  const mission = pickMission(missions);
  const bbox: BBox = mission?.bbox ?? extentOf(places) ?? [-180, -85, 180, 85];
  const basemap = buildBasemap(topos, regionAround(bbox));
  pw.mission = mission;
  const span: Span = mission ? missionSpan(mission) : { min: "", max: isoDay(new Date()) };
  const title = mission ? `PeaceWatch — ${mission.name}` : "PeaceWatch";
  byId("title").textContent = title;
  document.title = title;
  byId("mission-line").textContent = mission
    ? `${mission.code} · from ${toDtg(mission.start)}${mission.end ? ` to ${toDtg(mission.end)}` : ""}`
    : "No mission released to you: every report you may see";
  const input = byId<HTMLInputElement>("day");
  input.min = span.min;
  input.max = span.max;

  const map = new MapLibreMap({
    container: "map",
    style: baseStyle(basemap),
    bounds: bbox,
    fitBoundsOptions: { padding: 24 },
    maxZoom: 16,
    attributionControl: { compact: true },
  });
  pw.map = map;
  map.addControl(new NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new ScaleControl({ unit: "metric" }), "bottom-right");
  map.on("error", (e: ErrorEvent) => {
    // Keep MapLibre's own logging (tests watch the console) and tell the operator too.
    console.error(e.error);
    setStatus(`Map: ${e.error?.message ?? "error"}`, "error");
  });

  const zonesP = mission ? fetchZones(mission.code) : Promise.resolve(NO_ZONES);
  // Awaited below; if this load stops first (logout), its failure must not go "uncaught".
  zonesP.catch(() => undefined);
  await once(map, "load");
  if (gen !== session) return;
  addOperationalLayers(map);
  const z = await zonesP;
  if (gen !== session) return;
  allZones = z;
  zonesById = new Map(z.features.map((f) => [String(f.properties.id), f.properties]));
  setPlaces(map, places);
  renderPlaces(places);
  pw.counts.places = places.features.length;
  wireInteractions(map);
  view = { map, span };

  const fromUrl = dayFromUrl();
  await showDay(view, fromUrl ?? clampDay(DEFAULT_DAY, span), false);
}

// ---- session ----------------------------------------------------------------

/** Drop the map and everything loaded for the user who was logged in. */
function teardown(): void {
  session++;
  dayGeneration++;
  dayAbort?.abort();
  dayAbort = null;
  view = null;
  pw.map?.remove();
  pw.map = null;
  pw.mission = null;
  pw.day = null;
  pw.counts = { zones: 0, places: 0, reports: 0 };
  pw.reportsByKind = {};
  pw.error = null;
  allZones = zones = NO_ZONES;
  reportsById = new Map();
  zonesById = new Map();
  clearPanel();
  updatePageMarking(null);
  byId("title").textContent = "PeaceWatch";
  document.title = "PeaceWatch";
  byId("mission-line").textContent = "Mission";
  byId("day-dtg").textContent = "";
}

function showUser(user: User | null): void {
  byId("session").hidden = user === null;
  byId("day-controls").hidden = user === null;
  if (!user) return;
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

function problemDetail(err: unknown): string {
  if (err instanceof ApiError) return err.problem?.detail || err.problem?.title || err.message;
  return err instanceof Error ? err.message : String(err);
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
  wireDayControls();
  wireLogin();
  // A 401 here is the expected answer before login: no error, just the form.
  const user = await fetchMe();
  if (user) startSession(user);
  else showLogin();
}

main().catch(fail);
