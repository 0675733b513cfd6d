// Operational layers on top of the basemap: zones, towns, reports, units and violations.
import type { Feature, FeatureCollection, Point } from "geojson";
import type {
  ExpressionSpecification,
  FilterSpecification,
  GeoJSONSource,
  LayerSpecification,
  Map as MapLibreMap,
  SymbolLayerSpecification,
} from "maplibre-gl";
import type { Places, Reports, Units, Violations, Zones } from "./api";
import { COLORS, FONT, labelPoint } from "./basemap";
import { circlePaint, linePaint } from "./programs";
import {
  kindColorExpression,
  OTHER_REPORT_COLOR,
  OTHER_ZONE_COLOR,
  REPORT_KINDS,
  ZONE_KINDS,
} from "./kinds";

export const REPORT_LAYER = "reports-circle";
/** Dense reports are drawn as clusters (a count) below this zoom; a click zooms into one. */
export const REPORT_CLUSTER_LAYER = "reports-cluster";
const REPORT_CLUSTER_COUNT_LAYER = "reports-cluster-count";
export const CLUSTER_MAX_ZOOM = 11;
export const EVENT_LAYER = "events-diamond";
export const TRACK_LAYER = "tracks-line";
export const PATROL_LAYER = "patrols-line";
export const PLACE_LAYER = "places-circle";
export const UNIT_LAYER = "units-symbol";
/** The ring is what a click finds; the halo under it only draws the eye. */
export const VIOLATION_LAYER = "violations-ring";
export const VIOLATION_HALO_LAYER = "violations-halo";
export const VIOLATION_COLOR = "#d7191c";

const SAFETY_ZONE_KINDS = ["air_safety_zone", "ground_safety_zone"];
const reportColor = kindColorExpression(REPORT_KINDS, OTHER_REPORT_COLOR) as ExpressionSpecification;
const colorOf = (kind: string): string => ZONE_KINDS.find((k) => k.kind === kind)?.color ?? OTHER_ZONE_COLOR;

const EMPTY: FeatureCollection = { type: "FeatureCollection", features: [] };

// ---- zones -------------------------------------------------------------------
// Each zone kind has layers of its own with constant paint, rather than one layer whose colour,
// width and dashes follow the kind. A paint property that follows the feature makes MapLibre
// build another variant of the layer type's shader program, and with software WebGL (headless
// Chromium on SwiftShader, the machines of issue 6) each program in the first frame costs
// 100-300 ms to compile. With constant paint the zones share the basemap's programs: the first
// frame of the operating picture took about 0.5 s less (A/B, docs/benchmark-history.md).

/** How a zone kind is drawn: fill opacity, outline (width, dashes), diagonal hatching, and its
 * name repeated along its edge (the safety zones, whose edge is the rule). */
interface ZoneLook {
  fill: number;
  outline: { width: number; dash?: [number, number] } | null;
  hatch?: boolean;
  edgeLabel?: boolean;
}

const OTHER_ZONE = "other";
/** In drawing order: the safety zones' tints and hatching over the rest. */
const ZONE_LOOKS: [string, ZoneLook][] = [
  ["boundary", { fill: 0.02, outline: null }], // drawn by its own heavy line, zones-boundary
  ["sector", { fill: 0.05, outline: { width: 1.4, dash: [5, 3] } }],
  ["withdrawal_zone", { fill: 0.02, outline: { width: 1.1 } }],
  [OTHER_ZONE, { fill: 0.02, outline: { width: 1.1 } }],
  ["air_safety_zone", { fill: 0.05, outline: { width: 1.1 }, hatch: true, edgeLabel: true }],
  ["ground_safety_zone", { fill: 0.16, outline: { width: 1.1 }, hatch: true, edgeLabel: true }],
];
const KNOWN_ZONE_KINDS = ZONE_LOOKS.map(([kind]) => kind).filter((k) => k !== OTHER_ZONE);

function zoneKindIs(kind: string): FilterSpecification {
  return kind === OTHER_ZONE
    ? ["!", ["in", ["get", "kind"], ["literal", KNOWN_ZONE_KINDS]]]
    : ["==", ["get", "kind"], kind];
}

/** The zone layers below the labels: fills, hatching, outlines, the boundary; bottom first. */
function zoneLayers(): LayerSpecification[] {
  const fills: LayerSpecification[] = ZONE_LOOKS.map(([kind, look]) => ({
    id: `zones-fill-${kind}`,
    type: "fill",
    source: "zones",
    filter: zoneKindIs(kind),
    // No antialiasing pass (one more program, and lines over every edge): the outline draws it.
    paint: { "fill-color": colorOf(kind), "fill-opacity": look.fill, "fill-antialias": false },
  }));
  const hatch: LayerSpecification = {
    id: "zones-hatch",
    type: "fill",
    source: "zones",
    filter: ["in", ["get", "kind"], ["literal", ZONE_LOOKS.filter(([, l]) => l.hatch).map(([k]) => k)]],
    paint: { "fill-pattern": ["concat", "hatch-", ["get", "kind"]], "fill-antialias": false },
  };
  const outlines: LayerSpecification[] = ZONE_LOOKS.flatMap(([kind, look]): LayerSpecification[] =>
    look.outline
      ? [
          {
            id: `zones-outline-${kind}`,
            type: "line",
            source: "zones",
            filter: zoneKindIs(kind),
            layout: { "line-join": "round" },
            paint: linePaint({
              "line-color": colorOf(kind),
              "line-width": look.outline.width,
              "line-opacity": 0.9,
              ...(look.outline.dash ? { "line-dasharray": look.outline.dash } : {}),
            }),
          },
        ]
      : [],
  );
  const boundary: LayerSpecification = {
    id: "zones-boundary",
    type: "line",
    source: "zones",
    filter: zoneKindIs("boundary"),
    layout: { "line-join": "round", "line-cap": "round" },
    paint: linePaint({ "line-color": colorOf("boundary"), "line-width": 3.2 }),
  };
  return [...fills, hatch, ...outlines, boundary];
}

/** The safety zones' names along their edges. */
function zoneEdgeLabels(): SymbolLayerSpecification[] {
  return ZONE_LOOKS.filter(([, look]) => look.edgeLabel).map(([kind]) => ({
    id: `zones-edge-label-${kind}`,
    type: "symbol",
    source: "zones",
    filter: zoneKindIs(kind),
    layout: {
      "symbol-placement": "line",
      "symbol-spacing": 350,
      "text-field": ["upcase", ["get", "name"]],
      "text-font": [FONT],
      "text-size": 10,
      "text-letter-spacing": 0.15,
      "text-offset": [0, -0.8],
    },
    paint: { "text-color": colorOf(kind), "text-halo-color": COLORS.halo, "text-halo-width": 1.2 },
  }));
}

/** The zone layers a click or a query looks in (not their labels). */
export const ZONE_LAYERS = zoneLayers().map((l) => l.id);
const ZONE_EDGE_LABEL_LAYERS = zoneEdgeLabels().map((l) => l.id);
const PATROL_COLOR = "#1a7f5a";
/** Tracks by party: the parties to the agreement in their own colours, the mission's in blue. */
const partyColor: ExpressionSpecification = [
  "match",
  ["coalesce", ["get", "party"], ""],
  "FRY",
  "#b2182b",
  "UCK",
  "#8c510a",
  "#2166ac",
];

/** A diamond for events in one kind's colour, outlined dark. One image per kind rather than one
 * signed-distance image tinted by `icon-color`: the units' icon program then draws them too
 * (programs.ts). */
function diamondImage(color: string, size = 32): ImageData {
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("2D canvas unavailable");
  const h = size / 2;
  ctx.fillStyle = color;
  ctx.strokeStyle = "#20262b";
  ctx.lineWidth = 2.4;
  ctx.lineJoin = "miter";
  ctx.beginPath();
  ctx.moveTo(h, 3);
  ctx.lineTo(size - 3, h);
  ctx.lineTo(h, size - 3);
  ctx.lineTo(3, h);
  ctx.closePath();
  ctx.fill();
  ctx.stroke();
  return ctx.getImageData(0, 0, size, size);
}

const OTHER_DIAMOND = "other";
const diamondOf = (kind: string): string => `event-diamond-${kind}`;

/** The map's layers by what the operator switches: each name is a checkbox in the panel. */
export const LAYER_GROUPS: Record<string, string[]> = {
  zones: [...ZONE_LAYERS, ...ZONE_EDGE_LABEL_LAYERS, "zone-labels"],
  towns: ["places-circle", "places-label"],
  reports: [REPORT_CLUSTER_LAYER, REPORT_CLUSTER_COUNT_LAYER, REPORT_LAYER],
  events: [EVENT_LAYER],
  units: [UNIT_LAYER],
  tracks: [TRACK_LAYER, PATROL_LAYER],
  violations: [VIOLATION_HALO_LAYER, VIOLATION_LAYER],
};

/** Show or hide a group of layers. */
export function showGroup(map: MapLibreMap, group: string, on: boolean): void {
  for (const id of LAYER_GROUPS[group] ?? []) {
    if (map.getLayer(id)) map.setLayoutProperty(id, "visibility", on ? "visible" : "none");
  }
}

/**
 * Diagonal hatching as an image for `fill-pattern`, drawn locally (no sprite to fetch).
 * The GSZ lies inside the ASZ, so the two lean opposite ways and cross-hatch where both apply.
 */
function hatchImage(color: string, rising: boolean, alpha: number, size = 16): ImageData {
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("2D canvas unavailable");
  ctx.strokeStyle = color;
  ctx.globalAlpha = alpha;
  ctx.lineWidth = 2;
  ctx.beginPath();
  // Three strokes so the pattern tiles seamlessly across cell edges.
  for (const o of [-size, 0, size]) {
    if (rising) {
      ctx.moveTo(o, size);
      ctx.lineTo(o + size, 0);
    } else {
      ctx.moveTo(o, 0);
      ctx.lineTo(o + size, size);
    }
  }
  ctx.stroke();
  return ctx.getImageData(0, 0, size, size);
}

/** Points at which to write sector names (one per zone, not one per tile). */
function zoneLabelPoints(zones: Zones): FeatureCollection<Point, { name: string; kind: string }> {
  const features: Feature<Point, { name: string; kind: string }>[] = [];
  for (const z of zones.features) {
    const g = z.geometry;
    if (!g || (g.type !== "Polygon" && g.type !== "MultiPolygon")) continue;
    // Safety zones are labelled along their edge; the boundary is its own label.
    if (SAFETY_ZONE_KINDS.includes(z.properties.kind) || z.properties.kind === "boundary") continue;
    const c = labelPoint(g);
    if (c) {
      features.push({
        type: "Feature",
        properties: { name: z.properties.name, kind: z.properties.kind },
        geometry: { type: "Point", coordinates: c },
      });
    }
  }
  return { type: "FeatureCollection", features };
}

/** Add the empty operational sources and their layers, above the basemap's borders. */
export function addOperationalLayers(map: MapLibreMap): void {
  map.addImage("hatch-air_safety_zone", hatchImage(colorOf("air_safety_zone"), true, 0.5), { pixelRatio: 2 });
  map.addImage("hatch-ground_safety_zone", hatchImage(colorOf("ground_safety_zone"), false, 0.75), {
    pixelRatio: 2,
  });
  // promoteId keeps the API's string ids as feature ids (MapLibre drops non-numeric ids otherwise).
  map.addSource("zones", { type: "geojson", data: EMPTY, promoteId: "id" });
  map.addSource("zone-labels", { type: "geojson", data: EMPTY });
  map.addSource("places", { type: "geojson", data: EMPTY, promoteId: "id" });
  map.addSource("reports", {
    type: "geojson",
    data: EMPTY,
    promoteId: "id",
    cluster: true,
    clusterRadius: 36,
    clusterMaxZoom: CLUSTER_MAX_ZOOM,
    clusterMinPoints: 5,
  });
  map.addSource("events", { type: "geojson", data: EMPTY, promoteId: "id" });
  map.addSource("tracks", { type: "geojson", data: EMPTY });
  map.addSource("patrols", { type: "geojson", data: EMPTY });
  for (const k of REPORT_KINDS) map.addImage(diamondOf(k.kind), diamondImage(k.color), { pixelRatio: 2 });
  map.addImage(diamondOf(OTHER_DIAMOND), diamondImage(OTHER_REPORT_COLOR), { pixelRatio: 2 });
  map.addSource("units", { type: "geojson", data: EMPTY, promoteId: "id" });
  map.addSource("violations", { type: "geojson", data: EMPTY, promoteId: "id" });

  const below = "country-labels";
  for (const layer of zoneLayers()) map.addLayer(layer, below);
  map.addLayer({
    id: "places-circle",
    type: "circle",
    source: "places",
    paint: circlePaint({
      "circle-color": "#3d4349",
      "circle-radius": [
        "interpolate", ["linear"], ["sqrt", ["coalesce", ["get", "population"], 0]],
        0, 2, 100, 3, 400, 6,
      ],
      "circle-stroke-color": "#ffffff",
      "circle-stroke-width": 1,
    }),
  });
  for (const layer of zoneEdgeLabels()) map.addLayer(layer);
  map.addLayer({
    id: "places-label",
    type: "symbol",
    source: "places",
    minzoom: 7,
    layout: {
      "text-field": ["get", "name"],
      "text-font": [FONT],
      "text-size": ["interpolate", ["linear"], ["sqrt", ["coalesce", ["get", "population"], 0]], 0, 10, 400, 13],
      "text-variable-anchor": ["left", "right", "top", "bottom"],
      "text-radial-offset": 0.6,
      "text-justify": "auto",
      "symbol-sort-key": ["-", 0, ["coalesce", ["get", "population"], 0]],
    },
    paint: { "text-color": "#30363c", "text-halo-color": "#ffffff", "text-halo-width": 1.3 },
  });
  map.addLayer({
    id: "zone-labels",
    type: "symbol",
    source: "zone-labels",
    minzoom: 7,
    layout: {
      "text-field": ["upcase", ["get", "name"]],
      "text-font": [FONT],
      "text-size": 11,
      "text-letter-spacing": 0.12,
      "text-max-width": 12,
    },
    // Above the town names in the layer order, so sector names win label collisions.
    paint: { "text-color": "#45525e", "text-halo-color": COLORS.halo, "text-halo-width": 2 },
  });
  // Tracks under everything that is a point: where units and patrols went in the window.
  map.addLayer({
    id: PATROL_LAYER,
    type: "line",
    source: "patrols",
    layout: { "line-join": "round", "line-cap": "round" },
    paint: linePaint({ "line-color": PATROL_COLOR, "line-width": 2, "line-dasharray": [2, 1.5], "line-opacity": 0.8 }),
  });
  map.addLayer({
    id: TRACK_LAYER,
    type: "line",
    source: "tracks",
    layout: { "line-join": "round", "line-cap": "round" },
    paint: linePaint({ "line-color": partyColor, "line-width": 2.2, "line-opacity": 0.75 }),
  });
  map.addLayer({
    id: REPORT_CLUSTER_LAYER,
    type: "circle",
    source: "reports",
    filter: ["has", "point_count"],
    paint: circlePaint({
      "circle-color": "#5b6770",
      "circle-opacity": 0.85,
      "circle-radius": ["interpolate", ["linear"], ["get", "point_count"], 5, 11, 50, 16, 500, 24],
      "circle-stroke-color": "#ffffff",
      "circle-stroke-width": 1.5,
    }),
  });
  map.addLayer({
    id: REPORT_CLUSTER_COUNT_LAYER,
    type: "symbol",
    source: "reports",
    filter: ["has", "point_count"],
    layout: {
      "text-field": ["get", "point_count_abbreviated"],
      "text-font": [FONT],
      "text-size": 11,
      "text-allow-overlap": true,
    },
    paint: { "text-color": "#ffffff" },
  });
  map.addLayer({
    id: REPORT_LAYER,
    type: "circle",
    source: "reports",
    filter: ["!", ["has", "point_count"]],
    paint: circlePaint({
      "circle-color": reportColor,
      "circle-radius": ["interpolate", ["linear"], ["zoom"], 6, 4, 10, 6.5, 14, 9],
      "circle-stroke-color": "#ffffff",
      "circle-stroke-width": 1.2,
      "circle-opacity": 0.92,
    }),
  });
  // An event (fused from one or more reports) is a diamond in its kind's colour, sized by how
  // many reports tell of it.
  map.addLayer({
    id: EVENT_LAYER,
    type: "symbol",
    source: "events",
    layout: {
      "icon-image": [
        "match", ["get", "kind"],
        REPORT_KINDS.map((k) => k.kind), ["concat", diamondOf(""), ["get", "kind"]],
        diamondOf(OTHER_DIAMOND),
      ],
      "icon-size": ["interpolate", ["linear"], ["coalesce", ["get", "report_count"], 1], 1, 0.7, 4, 0.95, 12, 1.25],
      "icon-allow-overlap": true,
      "icon-ignore-placement": true,
    },
  });
  map.addLayer({
    id: UNIT_LAYER,
    type: "symbol",
    source: "units",
    layout: {
      "icon-image": ["get", "icon"],
      "icon-anchor": "center",
      "icon-size": ["interpolate", ["linear"], ["zoom"], 6, 0.8, 10, 1, 14, 1.3],
      // Every unit is drawn, even where symbols crowd: hiding one would hide a force.
      "icon-allow-overlap": true,
      "icon-ignore-placement": true,
    },
  });
  // Violations last, so they sit on top of the report or unit that is their evidence.
  map.addLayer({
    id: VIOLATION_HALO_LAYER,
    type: "circle",
    source: "violations",
    paint: circlePaint({
      "circle-color": VIOLATION_COLOR,
      "circle-radius": ["interpolate", ["linear"], ["zoom"], 6, 13, 10, 17, 14, 22],
      "circle-blur": 0.7,
      "circle-opacity": 0.35,
    }),
  });
  map.addLayer({
    id: VIOLATION_LAYER,
    type: "circle",
    source: "violations",
    paint: circlePaint({
      "circle-color": "rgba(0, 0, 0, 0)",
      "circle-radius": ["interpolate", ["linear"], ["zoom"], 6, 8, 10, 11, 14, 14],
      "circle-stroke-color": VIOLATION_COLOR,
      "circle-stroke-width": ["match", ["get", "state"], "confirmed", 3.5, "dismissed", 1, 2.5],
      "circle-stroke-opacity": ["match", ["get", "state"], "dismissed", 0.5, 1],
    }),
  });
}

export function setZones(map: MapLibreMap, zones: Zones): void {
  (map.getSource("zones") as GeoJSONSource).setData(zones);
  (map.getSource("zone-labels") as GeoJSONSource).setData(zoneLabelPoints(zones));
}

export function setPlaces(map: MapLibreMap, places: Places): void {
  (map.getSource("places") as GeoJSONSource).setData(places);
}

export function setReports(map: MapLibreMap, reports: Reports): void {
  (map.getSource("reports") as GeoJSONSource).setData(reports);
}

export function setUnits(map: MapLibreMap, units: Units): void {
  (map.getSource("units") as GeoJSONSource).setData(units);
}

export function setViolations(map: MapLibreMap, violations: Violations): void {
  (map.getSource("violations") as GeoJSONSource).setData(violations);
}

export function setEvents(map: MapLibreMap, events: FeatureCollection): void {
  (map.getSource("events") as GeoJSONSource).setData(events);
}

export function setTracks(map: MapLibreMap, tracks: FeatureCollection, patrols: FeatureCollection): void {
  (map.getSource("tracks") as GeoJSONSource).setData(tracks);
  (map.getSource("patrols") as GeoJSONSource).setData(patrols);
}
