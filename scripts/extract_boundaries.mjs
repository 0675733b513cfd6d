// Extract the Kosovo 1999 scenario's country boundaries from Natural Earth 1:10m.
//
// Regenerate (Node 20) from the repository root; web/package.json pins world-atlas 2.0.2 and
// topojson-client ~3.1.0, so after `(cd web && npm ci)`:
//
//   node scripts/extract_boundaries.mjs   # reads web/node_modules/world-atlas/countries-10m.json
//
// or with a private install:
//
//   mkdir -p /tmp/wa && (cd /tmp/wa && npm install world-atlas@2.0.2 topojson-client@3.1.0)
//   node scripts/extract_boundaries.mjs /tmp/wa/node_modules/world-atlas/countries-10m.json
//
// Both give the same file, byte for byte.
// Usage: node scripts/extract_boundaries.mjs [countries-10m.json] [out.geojson]
// The output defaults to src/peacewatch/scenarios/kosovo1999/data/boundaries.geojson.
// topojson-client is resolved next to the input file (the node_modules that holds world-atlas),
// then from the current directory, so the script itself needs no node_modules of its own.

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const input = path.resolve(
  process.argv[2] ?? path.join(repoRoot, "web/node_modules/world-atlas/countries-10m.json"),
);
const output = path.resolve(
  process.argv[3] ??
    path.join(repoRoot, "src/peacewatch/scenarios/kosovo1999/data/boundaries.geojson"),
);

const SOURCE = "Natural Earth 1:10m Admin 0 countries, via npm world-atlas@2.0.2 countries-10m.json";
const DECIMALS = 5;

// world-atlas ids are ISO 3166-1 numeric; Natural Earth gives Kosovo no id, so it is found by name.
// `name` is the name the product shows; `ne_name` is the name in the source file.
const WANTED = [
  { id: null, neName: "Kosovo", name: "Kosovo", iso_a3: "XKX" },
  { id: "688", neName: "Serbia", name: "Serbia", iso_a3: "SRB" },
  { id: "499", neName: "Montenegro", name: "Montenegro", iso_a3: "MNE" },
  { id: "008", neName: "Albania", name: "Albania", iso_a3: "ALB" },
  { id: "807", neName: "Macedonia", name: "North Macedonia", iso_a3: "MKD" },
  { id: "070", neName: "Bosnia and Herz.", name: "Bosnia and Herzegovina", iso_a3: "BIH" },
  { id: "191", neName: "Croatia", name: "Croatia", iso_a3: "HRV" },
  { id: "100", neName: "Bulgaria", name: "Bulgaria", iso_a3: "BGR" },
  { id: "642", neName: "Romania", name: "Romania", iso_a3: "ROU" },
  { id: "348", neName: "Hungary", name: "Hungary", iso_a3: "HUN" },
];

function loadFeature() {
  const attempts = [input, path.join(process.cwd(), "package.json")];
  for (const anchor of attempts) {
    try {
      return createRequire(anchor)("topojson-client").feature;
    } catch {
      // try the next anchor
    }
  }
  throw new Error("topojson-client not found; install it next to world-atlas (see the header)");
}

const factor = 10 ** DECIMALS;
const round = (x) => Math.round(x * factor) / factor;

// Rounding can make neighbouring vertices equal; drop the repeats so rings stay clean.
function roundRing(ring) {
  const out = [];
  for (const [x, y] of ring) {
    const p = [round(x), round(y)];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out;
}

function roundGeometry(geometry) {
  if (geometry.type === "Polygon") {
    return { type: "Polygon", coordinates: geometry.coordinates.map(roundRing) };
  }
  if (geometry.type === "MultiPolygon") {
    return {
      type: "MultiPolygon",
      coordinates: geometry.coordinates.map((poly) => poly.map(roundRing)),
    };
  }
  throw new Error(`unexpected geometry type ${geometry.type}`);
}

const feature = loadFeature();
const topology = JSON.parse(readFileSync(input, "utf8"));
const countries = topology.objects.countries.geometries;

const features = WANTED.map((want) => {
  const geom = countries.find((g) =>
    want.id === null ? g.properties?.name === want.neName : g.id === want.id,
  );
  if (!geom) throw new Error(`${want.neName} not found in ${input}`);
  if (geom.properties?.name !== want.neName) {
    throw new Error(`id ${want.id} is ${geom.properties?.name}, expected ${want.neName}`);
  }
  const f = feature(topology, geom);
  return {
    type: "Feature",
    properties: { name: want.name, iso_a3: want.iso_a3, ne_name: want.neName, source: SOURCE },
    geometry: roundGeometry(f.geometry),
  };
});

// One feature per line keeps diffs readable without bloating the file.
const body = features.map((f) => JSON.stringify(f)).join(",\n");
writeFileSync(output, `{"type":"FeatureCollection","features":[\n${body}\n]}\n`);
console.log(`wrote ${features.length} features to ${path.relative(process.cwd(), output)}`);
