// PeaceWatch map page: mission, zones, towns and the reports of one UTC day.
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
  dayWindow,
  fetchMissions,
  fetchPlaces,
  fetchReportsOfDay,
  fetchZones,
  MAX_PAGES,
  type Mission,
  type ReportProperties,
  type Reports,
  type ZoneProperties,
  type Zones,
} from "./api";
import { baseStyle, buildBasemap, fetchTopologies, regionAround } from "./basemap";
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
import { renderPlaces, renderReports, renderZones } from "./panel";
import { reportPopup, zonePopup } from "./popup";

/** What browser tests (and curious operators) can read from the page. */
export interface PeaceWatchHandle {
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

function pickMission(missions: Mission[]): Mission {
  if (!missions.length) throw new Error("The API lists no mission.");
  const wanted = new URLSearchParams(window.location.search).get("mission")?.toUpperCase();
  return (
    (wanted && missions.find((m) => m.code.toUpperCase() === wanted)) ||
    missions.find((m) => m.code.toUpperCase() === "KFOR") ||
    missions[0]
  );
}

// ---- page -----------------------------------------------------------------

/** Every zone of the mission, whatever its validity; the map shows those valid on the day. */
let allZones: Zones = { type: "FeatureCollection", features: [] };
let zones: Zones = allZones;
let reportsById = new Map<string, ReportProperties>();
let zonesById = new Map<string, ZoneProperties>();
let dayGeneration = 0;
let dayAbort: AbortController | null = null;

function updatePageMarking(reports: Reports): void {
  const marking = highestMarking([
    ...zones.features.map((f) => f.properties.label),
    ...reports.features.map((f) => f.properties.label),
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

async function showDay(map: MapLibreMap, span: Span, wanted: string, push: boolean): Promise<void> {
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

function wireDayControls(map: MapLibreMap, span: Span): void {
  const input = byId<HTMLInputElement>("day");
  input.min = span.min;
  input.max = span.max;
  input.addEventListener("change", () => {
    if (DAY_RE.test(input.value)) void showDay(map, span, input.value, true);
  });
  byId("prev-day").addEventListener("click", () => void showDay(map, span, addDays(pw.day ?? DEFAULT_DAY, -1), true));
  byId("next-day").addEventListener("click", () => void showDay(map, span, addDays(pw.day ?? DEFAULT_DAY, 1), true));
  window.addEventListener("popstate", () => {
    void showDay(map, span, dayFromUrl() ?? clampDay(DEFAULT_DAY, span), false);
  });
}

async function main(): Promise<void> {
  setReady("false");
  const [missions, topologies] = await Promise.all([fetchMissions(), fetchTopologies()]);
  const mission = pickMission(missions);
  const basemap = buildBasemap(topologies, regionAround(mission.bbox));
  pw.mission = mission;
  const span = missionSpan(mission);
  const title = `PeaceWatch — ${mission.name}`;
  byId("title").textContent = title;
  document.title = title;
  byId("mission-line").textContent = `${mission.code} · from ${toDtg(mission.start)}${mission.end ? ` to ${toDtg(mission.end)}` : ""}`;

  const map = new MapLibreMap({
    container: "map",
    style: baseStyle(basemap),
    bounds: mission.bbox,
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

  const zonesP = fetchZones(mission.code);
  const placesP = fetchPlaces(500);
  await once(map, "load");
  addOperationalLayers(map);
  const [z, places] = await Promise.all([zonesP, placesP]);
  allZones = z;
  zonesById = new Map(z.features.map((f) => [String(f.properties.id), f.properties]));
  setPlaces(map, places);
  renderPlaces(places);
  pw.counts.places = places.features.length;
  wireInteractions(map);
  wireDayControls(map, span);

  const fromUrl = dayFromUrl();
  await showDay(map, span, fromUrl ?? clampDay(DEFAULT_DAY, span), false);
}

main().catch(fail);
