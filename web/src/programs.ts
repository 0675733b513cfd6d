// Paint written so that the layers of one type share one shader program.
//
// MapLibre builds a variant of a layer type's shader program for each combination of paint
// properties that are constant, follow the zoom, or follow the feature. With software WebGL
// (headless Chromium on SwiftShader, the machines of issue 6) each program drawn in the first
// frame costs 100-300 ms to compile and to turn into machine code. So: zones draw with constant
// paint, a layer of their own per kind (layers.ts); the circle layers, which each set a different
// property per feature, are all written alike (`circlePaint`); and every line, solid or dashed,
// takes its colour per feature (the tracks are coloured by party) and constant dashes, a solid
// line being one long dash (`linePaint`). A per-feature property costs a few bytes per vertex.
// tests/web/test_first_paint.py checks that the first frame builds one program per layer type.
import type { CircleLayerSpecification, LineLayerSpecification } from "maplibre-gl";

type CirclePaint = NonNullable<CircleLayerSpecification["paint"]>;
type LinePaint = NonNullable<LineLayerSpecification["paint"]>;
type Value = unknown;

/** Operators whose value depends on the feature (MapLibre's test for a data-driven value). */
const FEATURE_OPS = new Set(["get", "has", "properties", "feature-state", "geometry-type", "id"]);

function followsFeature(v: Value): boolean {
  return Array.isArray(v) && ((typeof v[0] === "string" && FEATURE_OPS.has(v[0])) || v.some(followsFeature));
}

function followsZoom(v: Value): v is unknown[] {
  return Array.isArray(v) && v[0] === "interpolate" && Array.isArray(v[2]) && v[2][0] === "zoom";
}

/** The same value, read per feature (["has", ""] is never true, and both arms agree). */
function perFeature<T>(v: T): T {
  return (followsFeature(v) ? v : ["case", ["has", ""], v, v]) as T;
}

/** The same value, read per feature and per zoom. */
function perFeatureAndZoom(v: Value): Value {
  if (!followsZoom(v)) return ["interpolate", ["linear"], ["zoom"], 0, perFeature(v), 24, perFeature(v)];
  return v.map((part, i) => (i >= 4 && i % 2 === 0 ? perFeature(part) : part));
}

/** Circle paint bound as every circle layer binds it; MapLibre's defaults where unset. */
export function circlePaint(paint: CirclePaint): CirclePaint {
  return {
    ...paint,
    "circle-color": perFeature(paint["circle-color"] ?? "#000000"),
    "circle-radius": perFeatureAndZoom(paint["circle-radius"] ?? 5),
    "circle-stroke-width": perFeature(paint["circle-stroke-width"] ?? 0),
    "circle-stroke-opacity": perFeature(paint["circle-stroke-opacity"] ?? 1),
  } as CirclePaint;
}

/** Dashes of a solid line: drawn with the dashed lines' program, as one long dash. */
const SOLID: [number, number] = [1, 0];

/** Line paint bound as every line layer binds it: colour per feature, constant dashes. */
export function linePaint(paint: LinePaint): LinePaint {
  return {
    ...paint,
    "line-color": perFeature(paint["line-color"] ?? "#000000"),
    "line-dasharray": paint["line-dasharray"] ?? SOLID,
  } as LinePaint;
}
