// Offline basemap from Natural Earth (npm world-atlas, TopoJSON), converted in the browser:
// 1:110m for the whole world at small scales, 1:10m clipped to the mission's region at
// large scales (the full 1:10m world costs the map worker seconds to index); glyphs from /fonts/.
import type {
  Feature,
  FeatureCollection,
  Geometry,
  MultiLineString,
  MultiPolygon,
  Point,
  Polygon,
  Position,
} from "geojson";
import { clipPolygon, clipPolyline } from "lineclip";
import type { LineLayerSpecification, StyleSpecification } from "maplibre-gl";
import { feature, mesh } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import countries10mUrl from "world-atlas/countries-10m.json?url";
import countries110mUrl from "world-atlas/countries-110m.json?url";
import land10mUrl from "world-atlas/land-10m.json?url";
import land110mUrl from "world-atlas/land-110m.json?url";

export const FONT = "Noto Sans Regular";
export const EMPHASISED_COUNTRY = "Kosovo";
const NATURAL_EARTH = "Basemap: Natural Earth";
/** From this zoom on, the detailed regional basemap replaces the world overview. */
export const DETAIL_MINZOOM = 5;
/** How far (degrees lon, lat) the detailed basemap reaches beyond the mission's bbox. */
const REGION_MARGIN: [number, number] = [20, 12];

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
type CountryProps = { name?: string };

export interface Topologies {
  countries10m: Topology;
  land10m: Topology;
  countries110m: Topology;
  land110m: Topology;
}

export interface Basemap {
  land: FeatureCollection;
  borders: FeatureCollection;
  countries: FeatureCollection;
  countryLabels: FeatureCollection<Point, { name: string }>;
  worldLand: FeatureCollection;
  worldBorders: FeatureCollection;
}

async function fetchTopology(url: string): Promise<Topology> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`basemap ${url}: HTTP ${res.status}`);
  return (await res.json()) as Topology;
}

export async function fetchTopologies(): Promise<Topologies> {
  const [countries10m, land10m, countries110m, land110m] = await Promise.all(
    [countries10mUrl, land10mUrl, countries110mUrl, land110mUrl].map(fetchTopology),
  );
  return { countries10m, land10m, countries110m, land110m };
}

export function regionAround(bbox: BBox): BBox {
  const [dx, dy] = REGION_MARGIN;
  return [
    Math.max(-180, bbox[0] - dx),
    Math.max(-85, bbox[1] - dy),
    Math.min(180, bbox[2] + dx),
    Math.min(85, bbox[3] + dy),
  ];
}

function clipPolygons(geom: Geometry | null, box: BBox): MultiPolygon | null {
  if (!geom || (geom.type !== "Polygon" && geom.type !== "MultiPolygon")) return null;
  const polys = geom.type === "Polygon" ? [geom.coordinates] : geom.coordinates;
  const out: Position[][][] = [];
  for (const poly of polys) {
    const rings: Position[][] = [];
    for (const [i, ring] of poly.entries()) {
      const clipped = clipPolygon(ring, box);
      if (clipped.length < 3) {
        if (i === 0) break; // outer ring gone: drop the polygon with its holes
        continue;
      }
      const [first, last] = [clipped[0], clipped[clipped.length - 1]];
      if (first[0] !== last[0] || first[1] !== last[1]) clipped.push(first);
      rings.push(clipped);
    }
    if (rings.length) out.push(rings);
  }
  return out.length ? { type: "MultiPolygon", coordinates: out } : null;
}

function clipLines(geom: MultiLineString, box: BBox): MultiLineString {
  const out: Position[][] = [];
  for (const line of geom.coordinates) clipPolyline(line, box, out);
  return { type: "MultiLineString", coordinates: out };
}

function collection<G extends Geometry, P>(features: Feature<G, P>[]): FeatureCollection<G, P> {
  return { type: "FeatureCollection", features };
}

function asCollection(f: Feature | FeatureCollection): FeatureCollection {
  return f.type === "FeatureCollection" ? f : collection([f]);
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

/** Shared arcs only (a !== b): land borders, without redrawing every coastline. */
function borderMesh(topo: Topology): MultiLineString {
  const obj = topo.objects.countries as GeometryCollection<CountryProps>;
  return mesh(topo, obj, (a, b) => a !== b);
}

export function buildBasemap(topos: Topologies, region: BBox): Basemap {
  const countriesObj = topos.countries10m.objects.countries as GeometryCollection<CountryProps>;
  const countryFeatures = (
    feature(topos.countries10m, countriesObj) as FeatureCollection<Geometry, CountryProps>
  ).features;
  const landFeatures = asCollection(feature(topos.land10m, topos.land10m.objects.land)).features;

  const countries: Feature<MultiPolygon, { name: string }>[] = [];
  const labels: Feature<Point, { name: string }>[] = [];
  for (const f of countryFeatures) {
    const geometry = clipPolygons(f.geometry, region);
    const name = f.properties?.name ?? "";
    if (!geometry) continue;
    countries.push({ type: "Feature", properties: { name }, geometry });
    const c = labelPoint(geometry);
    if (name && c) labels.push({ type: "Feature", properties: { name }, geometry: { type: "Point", coordinates: c } });
  }
  const land: Feature[] = [];
  for (const f of landFeatures) {
    const geometry = clipPolygons(f.geometry, region);
    if (geometry) land.push({ type: "Feature", properties: {}, geometry });
  }
  return {
    land: collection(land),
    countries: collection(countries),
    countryLabels: collection(labels),
    borders: collection([
      { type: "Feature", properties: {}, geometry: clipLines(borderMesh(topos.countries10m), region) },
    ]),
    worldLand: asCollection(feature(topos.land110m, topos.land110m.objects.land)),
    worldBorders: collection([{ type: "Feature", properties: {}, geometry: borderMesh(topos.countries110m) }]),
  };
}

const borderPaint: LineLayerSpecification["paint"] = {
  "line-color": COLORS.border,
  "line-width": ["interpolate", ["linear"], ["zoom"], 3, 0.5, 10, 1.4],
  "line-dasharray": [4, 2],
};

/** The base style: sea, land, country borders and names; operational layers are added later. */
export function baseStyle(basemap: Basemap): StyleSpecification {
  return {
    version: 8,
    // The style spec wants an absolute URL; the glyphs are served by our own server.
    glyphs: `${window.location.origin}/fonts/{fontstack}/{range}.pbf`,
    sources: {
      "world-land": { type: "geojson", data: basemap.worldLand, attribution: NATURAL_EARTH },
      "world-borders": { type: "geojson", data: basemap.worldBorders },
      land: { type: "geojson", data: basemap.land, attribution: NATURAL_EARTH },
      countries: { type: "geojson", data: basemap.countries },
      borders: { type: "geojson", data: basemap.borders },
      "country-labels": { type: "geojson", data: basemap.countryLabels },
    },
    layers: [
      { id: "sea", type: "background", paint: { "background-color": COLORS.sea } },
      {
        id: "world-land",
        type: "fill",
        source: "world-land",
        maxzoom: DETAIL_MINZOOM,
        paint: { "fill-color": COLORS.land },
      },
      {
        id: "land",
        type: "fill",
        source: "land",
        minzoom: DETAIL_MINZOOM,
        paint: { "fill-color": COLORS.land },
      },
      {
        id: "country-emphasis",
        type: "fill",
        source: "countries",
        filter: ["==", ["get", "name"], EMPHASISED_COUNTRY],
        paint: { "fill-color": COLORS.landEmphasis },
      },
      {
        id: "world-borders",
        type: "line",
        source: "world-borders",
        maxzoom: DETAIL_MINZOOM,
        layout: { "line-join": "round" },
        paint: { ...borderPaint },
      },
      {
        id: "country-borders",
        type: "line",
        source: "borders",
        minzoom: DETAIL_MINZOOM,
        layout: { "line-join": "round" },
        paint: { ...borderPaint },
      },
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
