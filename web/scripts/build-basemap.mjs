// Precomputes the offline basemap from Natural Earth (npm `world-atlas`, TopoJSON) into
// public/basemap/, as GeoJSON the map hands straight to MapLibre: converting and clipping
// the 1:10m TopoJSON (6.7 MB) in the page cost the first paint about a second (issue 6).
//
// - world.json: the whole world at 1:110m (land, borders) for small scales, a label point
//   per country, the emphasised country's outline at 1:10m, and the index of the cells below.
// - 50m/<lon>_<lat>.json, 10m/<lon>_<lat>.json: land and borders at 1:50m and 1:10m, cut
//   into CELL x CELL degree cells named by their south-west corner; the page fetches the
//   few cells around the mission (any mission, anywhere), never the world at 1:10m.
// Every file is a FeatureCollection whose features say what they are in `kind` (land, border,
// label, emphasis), so that the page puts each scale in one source: fewer sources, fewer
// tiles to cut and fewer stencil passes per frame. Coordinates are rounded to what each scale
// can show; nothing is fetched from the internet.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { clipPolygon, clipPolyline } from "lineclip";
import { feature, mesh } from "topojson-client";

/** Cell size in degrees: small enough that a mission's region takes a few hundred kB. */
const CELL = 10;
/** Decimal places kept per scale (~100 m, ~100 m, ~10 m): finer than each scale's own detail. */
const DIGITS = { "110m": 3, "50m": 3, "10m": 4 };
/** Keep in step with EMPHASISED_COUNTRY in src/basemap.ts. */
const EMPHASISED_COUNTRY = "Kosovo";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const atlasDir = dirname(require.resolve("world-atlas/package.json"));
const outDir = join(here, "..", "public", "basemap");

const readTopology = (name) => JSON.parse(readFileSync(join(atlasDir, `${name}.json`), "utf8"));

const polygonsOf = (geom) =>
  !geom ? [] : geom.type === "Polygon" ? [geom.coordinates] : geom.type === "MultiPolygon" ? geom.coordinates : [];

/**
 * world-atlas keeps rings that cross the antimeridian whole (Chukotka, Fiji): their edges jump
 * from 180 to -180, which a flat map draws as bands of land across the world. Such a ring is
 * made continuous here (it then reaches past 180) and is clipped again shifted by 360.
 * Antarctica's ring goes round the pole and is left as it is.
 */
function unwrap(ring) {
  let shift = 0;
  const out = [ring[0]];
  for (let i = 1; i < ring.length; i++) {
    const d = ring[i][0] - ring[i - 1][0];
    if (d > 180) shift -= 360;
    else if (d < -180) shift += 360;
    out.push(shift ? [ring[i][0] + shift, ring[i][1]] : ring[i]);
  }
  return shift === 0 ? out : ring;
}

const shifted = (ring, dx) => (dx ? ring.map(([x, y]) => [x + dx, y]) : ring);
/** The shifts by which a continuous shape that reaches past ±180 falls on the map again. */
const SHIFTS = [0, -360, 360];

function roundRing(ring, digits, closed) {
  const k = 10 ** digits;
  const out = [];
  for (const [x, y] of ring) {
    const p = [Math.round(x * k) / k, Math.round(y * k) / k];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  if (closed) {
    const [first, last] = [out[0], out[out.length - 1]];
    if (out.length && (first[0] !== last[0] || first[1] !== last[1])) out.push(first);
  }
  return out;
}

/** Polygons clipped to a box (outer ring gone: the polygon goes, holes with it). */
function clipPolygons(polys, box, digits) {
  const out = [];
  for (const poly of polys) {
    const rings = [];
    for (const [i, ring] of poly.entries()) {
      const clipped = roundRing(clipPolygon(ring, box), digits, true);
      if (clipped.length < 4) {
        if (i === 0) break;
        continue;
      }
      rings.push(clipped);
    }
    if (rings.length) out.push(rings);
  }
  return out;
}

function clipLines(lines, box, digits) {
  const parts = [];
  for (const line of lines) clipPolyline(line, box, parts);
  return parts.map((l) => roundRing(l, digits, false)).filter((l) => l.length >= 2);
}

const collection = (features) => ({ type: "FeatureCollection", features });
const multiPolygon = (coordinates, properties = { kind: "land" }) => ({
  type: "Feature",
  properties,
  geometry: { type: "MultiPolygon", coordinates },
});
const multiLine = (coordinates) => ({
  type: "Feature",
  properties: { kind: "border" },
  geometry: { type: "MultiLineString", coordinates },
});
/** Land and borders of one place and scale, as features of one collection. */
const landAndBorders = (landParts, borderParts) =>
  collection([
    ...(landParts.length ? [multiPolygon(landParts)] : []),
    ...(borderParts.length ? [multiLine(borderParts)] : []),
  ]);

/** Land polygons and land borders (arcs shared by two countries) of one scale. */
function scale(name) {
  const landTopo = readTopology(`land-${name}`);
  const countriesTopo = readTopology(`countries-${name}`);
  const land = feature(landTopo, landTopo.objects.land)
    .features.flatMap((f) => polygonsOf(f.geometry))
    .map((poly) => poly.map(unwrap));
  const borders = mesh(countriesTopo, countriesTopo.objects.countries, (a, b) => a !== b).coordinates.map(unwrap);
  return { land, borders };
}

/** Land polygons and border lines clipped to a box, whichever way round they reach it. */
function clipShapes(land, landBoxes, borders, borderBoxes, box, digits) {
  const landParts = [];
  const borderParts = [];
  for (const dx of SHIFTS) {
    const b = [box[0] - dx, box[1], box[2] - dx, box[3]];
    const polys = land.filter((_, i) => overlaps(landBoxes[i], b)).map((poly) => poly.map((r) => shifted(r, dx)));
    const lines = borders.filter((_, i) => overlaps(borderBoxes[i], b)).map((line) => shifted(line, dx));
    landParts.push(...clipPolygons(polys, box, digits));
    borderParts.push(...clipLines(lines, box, digits));
  }
  return [landParts, borderParts];
}

function bboxOf(rings) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  for (const ring of rings)
    for (const [x, y] of ring) {
      if (x < b[0]) b[0] = x;
      if (y < b[1]) b[1] = y;
      if (x > b[2]) b[2] = x;
      if (y > b[3]) b[3] = y;
    }
  return b;
}

const overlaps = (a, b) => a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];

/** Hash of every cell written: the index names it, and the page asks for cells with it. */
const cellHash = createHash("sha256");

/** Writes the cells of one scale that hold anything; returns their names. */
function writeCells(name) {
  const { land, borders } = scale(name);
  const digits = DIGITS[name];
  // Test each polygon and line against a cell by its bbox first: clipping is the cost.
  const landBoxes = land.map((poly) => bboxOf([poly[0]]));
  const borderBoxes = borders.map((line) => bboxOf([line]));
  mkdirSync(join(outDir, name), { recursive: true });
  const cells = [];
  let bytes = 0;
  for (let lon = -180; lon < 180; lon += CELL) {
    for (let lat = -90; lat < 90; lat += CELL) {
      const box = [lon, lat, lon + CELL, lat + CELL];
      const [landParts, borderParts] = clipShapes(land, landBoxes, borders, borderBoxes, box, digits);
      if (!landParts.length && !borderParts.length) continue;
      const cell = `${lon}_${lat}`;
      const json = JSON.stringify(landAndBorders(landParts, borderParts));
      writeFileSync(join(outDir, name, `${cell}.json`), json);
      cellHash.update(`${name}/${cell}\n${json}\n`);
      bytes += json.length;
      cells.push(cell);
    }
  }
  console.log(`basemap ${name}: ${cells.length} cells, ${(bytes / 1e6).toFixed(1)} MB`);
  return cells;
}

/** Signed-area centroid of the largest outer ring: where a country's name goes. */
function labelPoint(polys) {
  let best = null;
  for (const poly of polys) {
    const ring = poly[0];
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
    if (a !== 0 && (!best || Math.abs(a) > best.area)) best = { area: Math.abs(a), c: [cx / (3 * a), cy / (3 * a)] };
  }
  return best && roundRing([best.c], 3, false)[0];
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const world = scale("110m");
const worldBox = [-180, -90, 180, 90];
const countries10m = readTopology("countries-10m");
const countryFeatures = feature(countries10m, countries10m.objects.countries).features;
const labels = [];
const emphasis = [];
for (const f of countryFeatures) {
  const name = f.properties?.name ?? "";
  const polys = polygonsOf(f.geometry).map((poly) => poly.map(unwrap));
  let c = name && labelPoint(polys);
  if (c && c[0] > 180) c = [c[0] - 360, c[1]];
  if (c && c[0] < -180) c = [c[0] + 360, c[1]];
  if (c) {
    labels.push({ type: "Feature", properties: { kind: "label", name }, geometry: { type: "Point", coordinates: c } });
  }
  if (name === EMPHASISED_COUNTRY) {
    emphasis.push(multiPolygon(clipPolygons(polys, worldBox, DIGITS["10m"]), { kind: "emphasis", name }));
  }
}
if (!emphasis.length) throw new Error(`"${EMPHASISED_COUNTRY}" is not in world-atlas countries-10m`);

const [worldLand, worldBorders] = clipShapes(
  world.land,
  world.land.map((poly) => bboxOf([poly[0]])),
  world.borders,
  world.borders.map((line) => bboxOf([line])),
  worldBox,
  DIGITS["110m"],
);
const cells = { "50m": writeCells("50m"), "10m": writeCells("10m") };
const index = {
  cell: CELL,
  cells,
  // Changes with any cell: the page asks for `<cell>.json?v=<version>`, which the server lets
  // browsers keep for good (no revalidation through a server busy with the window's data).
  version: cellHash.digest("hex").slice(0, 16),
  world: landAndBorders(worldLand, worldBorders),
  labels: collection(labels),
  // Drawn at every scale: the page adds it to each scale's source.
  emphasis: collection(emphasis),
};
const json = JSON.stringify(index);
writeFileSync(join(outDir, "world.json"), json);
console.log(`basemap world: ${labels.length} country labels, ${(json.length / 1e3).toFixed(0)} kB`);
