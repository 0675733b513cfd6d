// Holding the map's drawing until the first window is loaded, so that it is drawn once, whole.
//
// While a new map loads, MapLibre draws a frame each time a tile arrives: the sea, then the
// land, then each operational source in turn, a dozen frames. With software WebGL (headless
// Chromium on SwiftShader, the machines of issue 6) each frame costs 100–500 ms of CPU that the
// tile worker needed, and the main thread waits on it. Not drawing the partial pictures brought
// the first meaningful paint from 3.1 s to 2.2 s (median of 6 loads, A/B in one browser).
//
// Tiles are still requested and cut while drawing is held: only the painter's draw is skipped.
// Drawing resumes in the frame in which the first window's data and every tile are loaded, or
// after HOLD_MS whatever happens, so that a source that never loads cannot keep the map blank.
import type { Map as MapLibreMap } from "maplibre-gl";

/** At most this long (ms) without drawing, from when the map is made. */
export const HOLD_MS = 10_000;

export interface PaintHold {
  /** The first window's data is on the map: draw as soon as `loaded` says it is all loaded. */
  dataSet(loaded: () => boolean): void;
  /** Draw from now on (a failed load, or a map being removed). */
  release(): void;
}

export function holdPainting(map: MapLibreMap): PaintHold {
  const painter = map.painter;
  const render = painter.render;
  let loaded: () => boolean = () => false;
  const unhold = (): void => {
    window.clearTimeout(timer);
    painter.render = render;
  };
  const release = (): void => {
    if (painter.render === render) return; // drawing already
    unhold();
    map.triggerRepaint();
  };
  const timer = window.setTimeout(release, HOLD_MS);
  // Installed only while held: the first frame with everything loaded puts the painter back.
  painter.render = function (this: typeof painter, ...args: Parameters<typeof render>): void {
    if (!(loaded() && map.areTilesLoaded())) return;
    unhold();
    render.apply(this, args);
  };
  return {
    dataSet(check: () => boolean): void {
      loaded = check;
      map.triggerRepaint();
    },
    release,
  };
}
