// Operations → Trafficking: the seizures of the 60 days before the map's time, the smuggling
// routes they make (counts in the last 30 days against the 30 before; the routes that grew
// highlighted), the hotspot crossings, and the route network drawn on the map — legs of the
// routes that grew in red, chain steps dashed. All built by the server from the seizures the
// signed-in user may see.
import "./trafficking.css";
import type { GeoJSONSource } from "maplibre-gl";
import type { Feature, FeatureCollection, LineString, Point } from "geojson";
import { getJson, isoTime } from "../api";
import { el } from "../dom";
import { toDtg } from "../dtg";
import { markingClass } from "../marking";
import { circlePaint } from "../programs";
import { type CitedReport, citedReports } from "./citations";
import { OpsView, register } from "./registry";

interface Counted {
  seizures: number;
  recent: number;
  previous: number;
  change: number;
  grew: boolean;
  derived_label: string | null;
}

interface NetNode extends Counted {
  id: string;
  roles: string[];
  coordinates: [number, number] | null;
}

interface NetEdge extends Counted {
  id: string;
  source: string;
  target: string;
  kinds: string[];
}

interface Route extends Counted {
  id: string;
  path: string[];
}

interface Network {
  at: string;
  recent: [string, string];
  previous: [string, string];
  nodes: NetNode[];
  edges: NetEdge[];
  routes: Route[];
  growing: string[];
  hotspots: (Counted & { id: string })[];
  label?: string;
}

interface SeizureProperties {
  id: string;
  seized_at: string;
  category: string;
  description: string;
  quantity: number;
  unit: string;
  place: string;
  origin: string | null;
  crossing: string | null;
  destination: string | null;
  chain: string | null;
  label: string;
  /** The field reports it was filed from that the user may see. */
  reports?: CitedReport[];
}

const EDGES = "ops-trafficking-edges";
const NODES = "ops-trafficking-nodes";
const LAYERS = ["ops-trafficking-edges-line", "ops-trafficking-edges-chain", "ops-trafficking-nodes-circle"];
const DAY_MS = 86_400_000;

function labelTag(marking: string | null | undefined): HTMLElement | null {
  return marking ? el("span", { class: `${markingClass(marking)} pw-label` }, marking) : null;
}

class TraffickingView extends OpsView {
  constructor() {
    super("trafficking", "Trafficking");
  }

  protected sections(): Node[] {
    return [
      el("div", { id: "trafficking-message", role: "status" }),
      el("section", { id: "trafficking-network", "aria-label": "Routes" }),
      el("section", { id: "trafficking-hotspots", "aria-label": "Hotspot crossings" }),
      el("section", { id: "trafficking-seizures", "aria-label": "Seizures" }),
    ];
  }

  /** The map's time (its window's end): growth is counted back from there. */
  private at(): Date {
    const span = this.context().span;
    return new Date(Math.min(span ? span.end.getTime() : Date.now(), Date.now()));
  }

  protected async load(root: HTMLElement, gen: number, signal: AbortSignal): Promise<void> {
    const at = this.at();
    const query = new URLSearchParams({ at: isoTime(at) });
    const mission = this.context().mission;
    if (mission) query.set("mission", mission.code);
    const seizureQuery = new URLSearchParams({ start: isoTime(new Date(at.getTime() - 60 * DAY_MS)), end: isoTime(at), limit: "500" });
    if (mission) seizureQuery.set("mission", mission.code);
    const [network, seizures] = await Promise.all([
      getJson<Network>(`/api/v1/trafficking/routes?${query}`, signal),
      getJson<FeatureCollection<Point, SeizureProperties>>(`/api/v1/seizures?${seizureQuery}`, signal),
    ]);
    if (!this.latest.current(gen)) return;
    this.labels = [...(network.label ? [network.label] : []), ...seizures.features.flatMap((f) => [f.properties.label, ...(f.properties.reports ?? []).map((r) => r.label)])];
    this.drawRoutes(network);
    this.drawSeizures(seizures.features);
    const drawn = this.drawMap(network);
    root.dataset.query = query.toString();
    root.dataset.seizuresQuery = seizureQuery.toString();
    root.dataset.growing = JSON.stringify(network.growing);
    root.dataset.routes = String(network.routes.length);
    root.dataset.seizures = String(seizures.features.length);
    root.dataset.edges = String(drawn);
    this.message(network.routes.length ? "" : "No seizures you may see.");
    root.dataset.ready = "true";
  }

  private drawRoutes(network: Network): void {
    const node = this.root?.querySelector("#trafficking-network");
    if (!node) return;
    const rows = network.routes.map((r) =>
      el(
        "tr",
        { "data-route": r.id, class: r.grew ? "pw-grew" : "" },
        el("td", {}, r.grew ? "▲ " : "", r.id),
        el("td", { class: "pw-num" }, String(r.recent)),
        el("td", { class: "pw-num" }, String(r.previous)),
        el("td", { class: "pw-num" }, String(r.seizures)),
        el("td", {}, labelTag(r.derived_label)),
      ),
    );
    node.replaceChildren(
      el("h3", {}, `Routes (${network.routes.length}; ${network.growing.length} grew)`),
      el(
        "p",
        { class: "pw-legend" },
        `Seizures in the 30 days to ${toDtg(network.recent[1])} against the 30 before. `,
        el("span", { class: "pw-grew-swatch" }),
        " legs of routes that grew; dashed: a smuggling chain followed inland.",
      ),
      el(
        "table",
        { id: "trafficking-routes" },
        el("thead", {}, el("tr", {}, ...["Route (origin → crossing → destination)", "Last 30 d", "30 d before", "All", "Label"].map((h) => el("th", {}, h)))),
        el("tbody", {}, ...rows),
      ),
    );
    const hotspots = this.root?.querySelector("#trafficking-hotspots");
    hotspots?.replaceChildren(
      el("h3", {}, "Hotspot crossings"),
      el(
        "ol",
        { id: "trafficking-hotspot-list" },
        ...network.hotspots.slice(0, 8).map((h) =>
          el("li", { "data-crossing": h.id }, `${h.id}: ${h.seizures} seizures (${h.recent} in the last 30 days, ${h.previous} before) `, labelTag(h.derived_label)),
        ),
      ),
    );
  }

  private drawSeizures(features: Feature<Point, SeizureProperties>[]): void {
    const node = this.root?.querySelector("#trafficking-seizures");
    if (!node) return;
    const open = (id: string): boolean => this.context().openReport(id);
    const rows = [...features].reverse().map((f) => {
      const p = f.properties;
      return el(
        "tr",
        { "data-seizure": p.id },
        el("td", {}, toDtg(p.seized_at)),
        el("td", {}, p.category),
        el("td", { class: "pw-num" }, `${p.quantity.toLocaleString("en-GB")} ${p.unit}`),
        el("td", {}, p.place),
        el("td", {}, [p.origin, p.crossing, p.destination].filter(Boolean).join(" → "), p.chain ? el("small", {}, ` (${p.chain})`) : null),
        el("td", { class: "pw-reports" }, citedReports(p.reports, open)),
        el("td", {}, labelTag(p.label)),
      );
    });
    node.replaceChildren(
      el("h3", {}, `Seizures in the 60 days to the map's time (${features.length})`),
      el(
        "table",
        { id: "trafficking-seizures-table" },
        el("thead", {}, el("tr", {}, ...["Seized", "Goods", "Quantity", "Where", "Route", "Filed from", "Label"].map((h) => el("th", {}, h)))),
        el("tbody", {}, ...rows),
      ),
    );
  }

  /** The network on the map; returns how many edges could be drawn (both ends placed). */
  private drawMap(network: Network): number {
    const map = this.context().map;
    const at = new Map(network.nodes.map((n) => [n.id, n.coordinates]));
    const growing = new Set<string>();
    for (const r of network.routes.filter((x) => x.grew)) {
      for (let i = 1; i < r.path.length; i++) growing.add(`${r.path[i - 1]} → ${r.path[i]}`);
    }
    const edges: Feature<LineString>[] = [];
    for (const e of network.edges) {
      const a = at.get(e.source);
      const b = at.get(e.target);
      if (!a || !b) continue;
      edges.push({
        type: "Feature",
        properties: { id: e.id, seizures: e.seizures, growing: growing.has(e.id), chain: e.kinds.includes("chain") && !e.kinds.includes("route") },
        geometry: { type: "LineString", coordinates: [a, b] },
      });
    }
    const nodes: Feature<Point>[] = network.nodes
      .filter((n) => n.coordinates)
      .map((n) => ({ type: "Feature", properties: { id: n.id, seizures: n.seizures, crossing: n.roles.includes("crossing") }, geometry: { type: "Point", coordinates: n.coordinates as [number, number] } }));
    if (!map) return edges.length;
    const edgeData: FeatureCollection = { type: "FeatureCollection", features: edges };
    const nodeData: FeatureCollection = { type: "FeatureCollection", features: nodes };
    const source = map.getSource(EDGES) as GeoJSONSource | undefined;
    if (source) {
      source.setData(edgeData);
      (map.getSource(NODES) as GeoJSONSource | undefined)?.setData(nodeData);
      return edges.length;
    }
    map.addSource(EDGES, { type: "geojson", data: edgeData });
    map.addSource(NODES, { type: "geojson", data: nodeData });
    const width = ["interpolate", ["linear"], ["get", "seizures"], 1, 1.5, 50, 8] as unknown as number;
    const color = ["case", ["get", "growing"], "#c8102e", "#2b4a6f"] as unknown as string;
    map.addLayer({ id: LAYERS[0], type: "line", source: EDGES, filter: ["!", ["get", "chain"]], layout: { "line-cap": "round" }, paint: { "line-color": color, "line-width": width, "line-opacity": 0.85 } });
    map.addLayer({ id: LAYERS[1], type: "line", source: EDGES, filter: ["get", "chain"], paint: { "line-color": color, "line-width": 2, "line-dasharray": [2, 2] } });
    map.addLayer({
      id: LAYERS[2],
      type: "circle",
      source: NODES,
      paint: circlePaint({
        "circle-radius": ["case", ["get", "crossing"], 7, 4],
        "circle-color": ["case", ["get", "crossing"], "#f2c12e", "#ffffff"],
        "circle-stroke-color": "#2b4a6f",
        "circle-stroke-width": 2,
      }),
    });
    return edges.length;
  }

  clear(): void {
    const map = this.context().map;
    if (map) {
      for (const id of [...LAYERS].reverse()) if (map.getLayer(id)) map.removeLayer(id);
      for (const id of [EDGES, NODES]) if (map.getSource(id)) map.removeSource(id);
    }
    super.clear();
  }
}

register(new TraffickingView());
