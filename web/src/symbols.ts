// Units as APP-6 symbols: milsymbol draws each SIDC once on a canvas, which becomes a MapLibre
// style image named after the SIDC; the units layer picks its image by that name.
import type { Map as MapLibreMap } from "maplibre-gl";
import ms from "milsymbol";
import type { Units } from "./api";

ms.setStandard("APP6");

/** Octagon size in CSS pixels (milsymbol's `size`): legible at the scales the map is used. */
const SYMBOL_SIZE = 22;
/** Drawn at twice the size for sharp edges on high-density screens. */
const PIXEL_RATIO = 2;

export function symbolImageId(sidc: string): string {
  return `app6-${sidc}`;
}

/**
 * The symbol of `sidc` as an image whose centre is the symbol's anchor (the centre of its
 * frame, or the foot of a headquarters staff), so that `icon-anchor: center` puts the anchor
 * on the unit's position whatever the echelon and modifier marks around the frame.
 */
function symbolImage(sidc: string): ImageData {
  const symbol = new ms.Symbol(sidc, { size: SYMBOL_SIZE });
  const drawn = symbol.asCanvas(PIXEL_RATIO);
  const anchor = symbol.getAnchor();
  const size = symbol.getSize();
  const ax = anchor.x * PIXEL_RATIO;
  const ay = anchor.y * PIXEL_RATIO;
  const halfW = Math.ceil(Math.max(ax, size.width * PIXEL_RATIO - ax));
  const halfH = Math.ceil(Math.max(ay, size.height * PIXEL_RATIO - ay));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, 2 * halfW);
  canvas.height = Math.max(1, 2 * halfH);
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("2D canvas unavailable");
  ctx.drawImage(drawn, halfW - ax, halfH - ay);
  return ctx.getImageData(0, 0, canvas.width, canvas.height);
}

/** Register the image of `sidc` unless the style has it already. */
export function ensureSymbol(map: MapLibreMap, sidc: string): string {
  const id = symbolImageId(sidc);
  if (!map.hasImage(id)) map.addImage(id, symbolImage(sidc), { pixelRatio: PIXEL_RATIO });
  return id;
}

/** The units with the name of their symbol image in `icon`, every image registered. */
export function withSymbols(map: MapLibreMap, units: Units): Units {
  return {
    type: "FeatureCollection",
    features: units.features.map((f) => ({
      ...f,
      properties: { ...f.properties, icon: ensureSymbol(map, f.properties.sidc) },
    })),
  };
}

/**
 * A safety net for an image asked for before it was registered (MapLibre's
 * `styleimagemissing` lets a handler add it synchronously).
 */
export function drawMissingSymbols(map: MapLibreMap): void {
  map.on("styleimagemissing", (e: { id: string }) => {
    if (e.id.startsWith("app6-")) ensureSymbol(map, e.id.slice("app6-".length));
  });
}
