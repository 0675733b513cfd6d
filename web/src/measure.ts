// The measuring tool: click two or more points, read the length of the path through them
// (haversine, km). Drawn in its own source above everything; nothing leaves the page.
import type { Feature, FeatureCollection, LineString, Point } from "geojson";
import type { GeoJSONSource, Map as MapLibreMap } from "maplibre-gl";
import { byId } from "./dom";
import { type LonLat, pathKm } from "./geo";
import { circlePaint, linePaint } from "./programs";

const SOURCE = "measure";

export class MeasureTool {
  private points: LonLat[] = [];
  active = false;

  constructor(
    private readonly map: () => MapLibreMap | null,
    private readonly changed: (tool: MeasureTool) => void = () => undefined,
  ) {}

  get km(): number {
    return pathKm(this.points);
  }

  get count(): number {
    return this.points.length;
  }

  wire(): void {
    byId("measure").addEventListener("click", () => this.toggle());
    byId("measure-clear").addEventListener("click", () => this.clear());
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.active) this.toggle();
    });
  }

  /** Add the (empty) source and layers to a new map, below `before` (violations stay on top). */
  addLayers(map: MapLibreMap, before?: string): void {
    map.addSource(SOURCE, { type: "geojson", data: this.data() });
    map.addLayer({
      id: "measure-line",
      type: "line",
      source: SOURCE,
      filter: ["==", ["geometry-type"], "LineString"],
      paint: linePaint({ "line-color": "#111", "line-width": 2, "line-dasharray": [3, 2] }),
    }, before);
    map.addLayer({
      id: "measure-points",
      type: "circle",
      source: SOURCE,
      filter: ["==", ["geometry-type"], "Point"],
      paint: circlePaint({ "circle-radius": 4, "circle-color": "#fff", "circle-stroke-color": "#111", "circle-stroke-width": 2 }),
    }, before);
  }

  toggle(): void {
    this.active = !this.active;
    const button = byId("measure");
    button.setAttribute("aria-pressed", String(this.active));
    button.classList.toggle("on", this.active);
    if (this.active) this.clear();
    this.render();
  }

  add(p: LonLat): void {
    this.points.push(p);
    this.render();
  }

  clear(): void {
    this.points = [];
    this.render();
  }

  /** Logged out or a new map: nothing measured, tool off. */
  reset(): void {
    this.active = false;
    this.points = [];
    byId("measure").setAttribute("aria-pressed", "false");
    byId("measure").classList.remove("on");
    this.render();
  }

  private data(): FeatureCollection {
    const features: Feature<Point | LineString>[] = this.points.map((c) => ({
      type: "Feature",
      properties: {},
      geometry: { type: "Point", coordinates: c },
    }));
    if (this.points.length > 1) {
      features.push({ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: this.points } });
    }
    return { type: "FeatureCollection", features };
  }

  private render(): void {
    const readout = byId<HTMLOutputElement>("measure-readout");
    readout.hidden = !this.active && this.points.length === 0;
    byId("measure-clear").hidden = this.points.length === 0;
    const km = this.km;
    readout.dataset.km = km.toFixed(3);
    readout.textContent = this.points.length < 2
      ? "Measure: click points on the map (Esc to stop)"
      : `Distance: ${km < 10 ? km.toFixed(2) : km.toFixed(1)} km (${this.points.length} points)`;
    (this.map()?.getSource(SOURCE) as GeoJSONSource | undefined)?.setData(this.data());
    this.changed(this);
  }
}
