// Offline basemap from Natural Earth (npm world-atlas), precomputed at build time by
// scripts/build-basemap.mjs into public/basemap/ as GeoJSON ready for MapLibre: the world at
// 1:110m for small scales, then 1:50m and 1:10m cells around the mission for larger ones.
// Converting the 1:10m TopoJSON in the page cost the first paint about a second (issue 6).
// Glyphs come from /fonts/.
import { linePaint } from "./programs";
import type { Feature, FeatureCollection, MultiLineString, MultiPolygon, Point, Polygon, Position } from "geojson";
import type {
  GeoJSONSource,
  LayerSpecification,
  LineLayerSpecification,
  Map as MapLibreMap,
  StyleSpecification,
} from "maplibre-gl";

export const FONT = "Noto Sans Regular";
/** Keep in step with EMPHASISED_COUNTRY in scripts/build-basemap.mjs, which ships its outline. */
export const EMPHASISED_COUNTRY = "Kosovo";
const NATURAL_EARTH = "Basemap: Natural Earth";
const BASEMAP_DIR = "/basemap";
/** Below this zoom the 1:110m world; from it, the 1:50m cells. */
const MID_MINZOOM = 3;
/** From this zoom on, the 1:10m cells replace the 1:50m ones. */
export const DETAIL_MINZOOM = 6;
/** How far (degrees lon, lat) each scale reaches beyond the mission's bbox, and at most how
 * many cells it may take (a mission spanning continents gets the coarser scales only). */
const MID_REACH = { margin: [20, 12], maxCells: 40 } as const;
const DETAIL_REACH = { margin: [6, 4], maxCells: 9 } as const;

export const COLORS = {
  sea: "#cfd8dd",
  land: "#ecebe5",
  landEmphasis: "#fbf8ee",
  border: "#8e949a",
  countryLabel: "#7d858c",
  ink: "#22282e",
  halo: "#f7f6f1",
};

type BBox = [number, number, number, number];
type Scale = "50m" | "10m";
/** What a basemap feature is: the page's layers filter on it. */
type Kind = "land" | "border" | "emphasis";
type Shapes = FeatureCollection<MultiPolygon | MultiLineString, { kind: Kind; name?: string }>;

/** public/basemap/world.json: the small-scale world, country labels and the cell index. */
export interface BasemapIndex {
  /** Cell size in degrees; a cell is named "<west>_<south>". */
  cell: number;
  /** The cells that hold land or borders, per scale. */
  cells: Record<Scale, string[]>;
  /** Hash of the cells' contents: asked for with it, a cell may be cached for good. */
  version: string;
  /** Land and borders at 1:110m. */
  world: Shapes;
  labels: FeatureCollection<Point, { kind: "label"; name: string }>;
  /** The emphasised country's outline (1:10m), drawn at every scale. */
  emphasis: Shapes;
}

/** The three scales, each one source (land, borders, the emphasised country): one set of tiles. */
export interface Basemap {
  index: BasemapIndex;
  world: Shapes;
  /** The 1:50m cells, fetched alongside the 1:10m ones but not waited for: the map starts with
   * the scale empty and `fillDeferred` gives it its data (issue 6: 24 files fewer before the
   * first paint). Null when the mission's region would take too many cells at that scale. */
  mid: Promise<Shapes | null> | null;
  /** Null when the mission's region would take too many cells at that scale. */
  detail: Shapes | null;
}

async function fetchJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`basemap ${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** The world overview and cell index (one small file, fetched once per page). */
export function fetchBasemapIndex(): Promise<BasemapIndex> {
  return fetchJson<BasemapIndex>(`${BASEMAP_DIR}/world.json`);
}

/** The cells of a scale that overlap the bbox widened by the margin; null if too many. */
function cellsAround(
  index: BasemapIndex,
  scale: Scale,
  bbox: BBox,
  reach: { margin: readonly [number, number]; maxCells: number },
): string[] | null {
  const [dx, dy] = reach.margin;
  const size = index.cell;
  const west = Math.floor(Math.max(-180, bbox[0] - dx) / size) * size;
  const south = Math.floor(Math.max(-90, bbox[1] - dy) / size) * size;
  const east = Math.min(180, bbox[2] + dx);
  const north = Math.min(90, bbox[3] + dy);
  if (Math.ceil((east - west) / size) * Math.ceil((north - south) / size) > reach.maxCells) return null;
  const present = new Set(index.cells[scale]);
  const names: string[] = [];
  for (let lon = west; lon < east; lon += size) {
    for (let lat = south; lat < north; lat += size) {
      const name = `${lon}_${lat}`;
      if (present.has(name)) names.push(name);
    }
  }
  return names;
}

type Shape = Feature<MultiPolygon | MultiLineString, { kind: Kind }>;

function withEmphasis(index: BasemapIndex, features: Shape[]): Shapes {
  return { type: "FeatureCollection", features: [...features, ...index.emphasis.features] };
}

async function fetchCells(index: BasemapIndex, scale: Scale, names: string[] | null): Promise<Shapes | null> {
  if (!names) return null;
  const parts = await Promise.all(
    names.map((n) => fetchJson<Shapes>(`${BASEMAP_DIR}/${scale}/${n}.json?v=${index.version}`)),
  );
  return withEmphasis(index, parts.flatMap((p) => p.features));
}

/** The basemap around a mission's bbox: the 1:50m and 1:10m cells it needs, fetched in parallel;
 * resolved once the 1:10m cells are in (the 1:50m ones follow: `Basemap.mid`). */
export async function loadBasemap(index: BasemapIndex, bbox: BBox): Promise<Basemap> {
  const midCells = cellsAround(index, "50m", bbox, MID_REACH);
  const mid = midCells ? fetchCells(index, "50m", midCells) : null;
  // Awaited by fillDeferred; until then its failure must not go "uncaught".
  mid?.catch(() => undefined);
  const detail = await fetchCells(index, "10m", cellsAround(index, "10m", bbox, DETAIL_REACH));
  return { index, world: withEmphasis(index, index.world.features), mid, detail };
}

/** Signed area and centroid of a ring (planar, in degrees: good enough to place a label). */
function ringCentroid(ring: Position[]): { area: number; c: Position } {
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x0, y0] = ring[j];
    const [x1, y1] = ring[i];
    const f = x0 * y1 - x1 * y0;
    a += f;
    cx += (x0 + x1) * f;
    cy += (y0 + y1) * f;
  }
  if (a === 0) return { area: 0, c: ring[0] };
  return { area: Math.abs(a / 2), c: [cx / (3 * a), cy / (3 * a)] };
}

/** A label point for a (multi)polygon: the centroid of its largest outer ring. */
export function labelPoint(geom: Polygon | MultiPolygon): Position | null {
  const polys = geom.type === "Polygon" ? [geom.coordinates] : geom.coordinates;
  let best: { area: number; c: Position } | null = null;
  for (const poly of polys) {
    if (!poly.length) continue;
    const rc = ringCentroid(poly[0]);
    if (!best || rc.area > best.area) best = rc;
  }
  return best ? best.c : null;
}

const borderPaint: LineLayerSpecification["paint"] = {
  "line-color": COLORS.border,
  "line-width": ["interpolate", ["linear"], ["zoom"], 3, 0.5, 10, 1.4],
  "line-dasharray": [4, 2],
};

/** Zoom range of a layer; MapLibre wants the keys absent rather than undefined. */
function zooms(min: number, max: number): { minzoom?: number; maxzoom?: number } {
  return { ...(min > 0 ? { minzoom: min } : {}), ...(max < 24 ? { maxzoom: max } : {}) };
}

const kindIs = (kind: Kind): ["==", ["get", string], string] => ["==", ["get", "kind"], kind];

const NOTHING: Shapes = { type: "FeatureCollection", features: [] };

/** The world scale waits for `fillDeferred` when the finest one is loaded: drawn only when
 * zoomed out, its data can wait until after the first paint rather than be cut into tiles
 * before it (issue 6). The 1:50m scale always does (see `Basemap.mid`). */
function worldDeferred(basemap: Basemap): boolean {
  return basemap.detail !== null;
}

/** Whether a map at `zoom` shows only the finest scale, so the coarser ones may come later. */
export function canDefer(basemap: Basemap, zoom: number): boolean {
  return basemap.detail !== null && zoom >= DETAIL_MINZOOM;
}

/** Give the coarser scales their data (see `baseStyle`), the 1:50m cells once fetched. */
export async function fillDeferred(map: MapLibreMap, basemap: Basemap): Promise<void> {
  const source = (name: string): GeoJSONSource | undefined => map.getSource(name) as GeoJSONSource | undefined;
  if (worldDeferred(basemap)) source("world")?.setData(basemap.world);
  const mid = await basemap.mid;
  if (mid) source("mid")?.setData(mid);
}

/** The base style: sea, land, country borders and names; operational layers are added later.
 * The coarser scales start empty and `fillDeferred` gives them their data. */
export function baseStyle(basemap: Basemap): StyleSpecification {
  const { index, world, mid, detail } = basemap;
  // Each scale shows from where the coarser one stops to where the finer one (if loaded) starts.
  const detailFrom = detail ? DETAIL_MINZOOM : 24;
  const midFrom = mid ? MID_MINZOOM : detailFrom;
  const scales: [string, Shapes | Promise<Shapes | null> | null, number, number, number][] = [
    // geojson-vt cuts tiles up to a zoom where each scale has nothing finer to show, and the
    // map overzooms them past it; a pixel of tolerance drops invisible vertices.
    ["world", world, 0, midFrom, 5],
    ["mid", mid, midFrom, detailFrom, 7],
    ["detail", detail, detailFrom, 24, 10],
  ];
  const sources: StyleSpecification["sources"] = {
    "country-labels": { type: "geojson", data: index.labels, maxzoom: 6 },
  };
  const land: LayerSpecification[] = [];
  for (const [name, data, from, to, maxzoom] of scales) {
    if (!data || from >= to) continue;
    sources[name] = {
      type: "geojson",
      data: name === "mid" || (name === "world" && worldDeferred(basemap)) ? NOTHING : (data as Shapes),
      maxzoom,
      tolerance: 1,
      attribution: NATURAL_EARTH,
    };
    const range = zooms(from, to);
    // In this order, so that each scale's fills and lines share one stencil pass of its tiles.
    // Fills without MapLibre's antialiasing pass, which would be one more shader program to build
    // for the first frame (programs.ts) and a line along every edge: land meets land of the same
    // colour, and the borders are drawn as lines.
    land.push(
      {
        id: `${name}-land`,
        type: "fill",
        source: name,
        ...range,
        filter: kindIs("land"),
        paint: { "fill-color": COLORS.land, "fill-antialias": false },
      },
      {
        id: `${name}-emphasis`,
        type: "fill",
        source: name,
        ...range,
        filter: kindIs("emphasis"),
        paint: { "fill-color": COLORS.landEmphasis, "fill-antialias": false },
      },
      {
        id: `${name}-borders`,
        type: "line",
        source: name,
        ...range,
        filter: kindIs("border"),
        layout: { "line-join": "round" },
        paint: linePaint(borderPaint ?? {}),
      },
    );
  }
  return {
    version: 8,
    // The style spec wants an absolute URL; the glyphs are served by our own server, and asked
    // for with the build's hash of them so that the browser keeps them (vite.config.ts).
    glyphs: `${window.location.origin}/fonts/{fontstack}/{range}.pbf?v=${__GLYPHS_VERSION__}`,
    sources,
    layers: [
      { id: "sea", type: "background", paint: { "background-color": COLORS.sea } },
      ...land,
      {
        id: "country-labels",
        type: "symbol",
        source: "country-labels",
        minzoom: 3,
        filter: ["!=", ["get", "name"], EMPHASISED_COUNTRY],
        layout: {
          "text-field": ["upcase", ["get", "name"]],
          "text-font": [FONT],
          "text-size": 13,
          "text-letter-spacing": 0.25,
          "text-max-width": 8,
        },
        paint: {
          "text-color": COLORS.countryLabel,
          "text-halo-color": COLORS.halo,
          "text-halo-width": 1.2,
        },
      },
      {
        id: "country-label-emphasis",
        type: "symbol",
        source: "country-labels",
        filter: ["==", ["get", "name"], EMPHASISED_COUNTRY],
        maxzoom: 8,
        layout: {
          "text-field": ["upcase", ["get", "name"]],
          "text-font": [FONT],
          "text-size": 17,
          "text-letter-spacing": 0.5,
        },
        paint: {
          "text-color": COLORS.ink,
          "text-opacity": 0.6,
          "text-halo-color": COLORS.halo,
          "text-halo-width": 1.5,
        },
      },
    ],
  };
}
