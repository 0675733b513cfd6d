// Operations → Coverage: the ranked patrol coverage gaps of the 30 days up to the map's window
// end (GET /api/v1/coverage/gaps) — towns, zones and sectors with many incidents, few patrols
// and a stale last patrol — with every term of the score, drawn on the map as circles sized by
// score; a planner (patrols:plan) turns the top gaps into draft patrol plans for the next day
// (POST /api/v1/coverage/gaps/plans). Counts are what the signed-in user may see.
import "./coverage.css";
import type { GeoJSONSource } from "maplibre-gl";
import type { FeatureCollection, Point } from "geojson";
import { getJson, isoTime, problemDetail, sendJson } from "../api";
import { el } from "../dom";
import { toDtg } from "../dtg";
import { markingClass } from "../marking";
import { circlePaint } from "../programs";
import { OpsView, register } from "./registry";

interface Count {
  label: string;
  incidents: number;
  patrols: number;
}

export interface GapProperties {
  id: string;
  rank: number;
  kind: string;
  name: string;
  label: string | null;
  incidents: number;
  patrols: number;
  last_patrolled: string | null;
  days_since_patrol: number | null;
  score: number;
  terms: { incidents: number; patrols: number; staleness: number };
  counts: Count[];
}

interface Gaps extends FeatureCollection<Point, GapProperties> {
  start: string;
  end: string;
  radius_m: number;
  total: number;
  label?: string;
}

const DAYS = 30;
const TOP = 3;
const SOURCE = "ops-coverage-gaps";
const LAYER = "ops-coverage-gaps-circles";
const EMPTY: FeatureCollection = { type: "FeatureCollection", features: [] };

/** A marking in short: "NR REL TO KFOR, NATO". */
function short(marking: string): string {
  return marking.replace(/^NATO (UNCLASSIFIED|RESTRICTED|CONFIDENTIAL|SECRET)/, (_, level: string) => `N${level[0]}`);
}

class CoverageView extends OpsView {
  private query = "";

  constructor() {
    super("coverage", "Coverage");
  }

  protected sections(): Node[] {
    const plan = el("button", { type: "button", id: "coverage-plan", hidden: "" }, `Draft plans for the top ${TOP} gaps`);
    plan.addEventListener("click", () => void this.plan());
    return [
      el("p", { id: "coverage-window", class: "pw-coverage-window" }),
      el("div", { class: "pw-coverage-actions" }, plan, el("span", { id: "coverage-plan-message", role: "status" })),
      el("div", { id: "coverage-message", role: "status" }),
      el("table", { id: "coverage-table", "aria-label": "Coverage gaps" }),
    ];
  }

  private node(id: string): HTMLElement | null {
    return this.root?.querySelector<HTMLElement>(`#${id}`) ?? null;
  }

  /** Say `text` in one of the view's other lines (the window, the planning result). */
  private say(id: string, text: string): void {
    const node = this.node(id);
    if (node) node.textContent = text;
  }

  /** The 30 days up to the map's window end (the window itself when it is longer). */
  private params(): URLSearchParams | null {
    const { span, mission } = this.context();
    if (!span) return null;
    const start = new Date(Math.min(span.start.getTime(), span.end.getTime() - DAYS * 86_400_000));
    const query = new URLSearchParams({ start: isoTime(start), end: isoTime(span.end), limit: "20" });
    if (mission) query.set("mission", mission.code);
    return query;
  }

  /** Nothing to load before the map has a window. */
  protected canLoad(): boolean {
    return this.params() !== null;
  }

  protected async load(root: HTMLElement, gen: number, signal: AbortSignal): Promise<void> {
    const query = this.params();
    if (!query) return;
    const user = this.context().user;
    const plan = this.node("coverage-plan");
    if (plan) plan.hidden = !(user?.permissions.includes("patrols:plan") ?? false);
    const body = await getJson<Gaps>(`/api/v1/coverage/gaps?${query}`, signal);
    if (!this.latest.current(gen)) return;
    this.query = query.toString();
    root.dataset.query = this.query;
    root.dataset.count = String(body.features.length);
    this.labels = body.label ? [body.label] : [];
    this.say("coverage-window", `${toDtg(body.start)} – ${toDtg(body.end)}: towns within ${body.radius_m / 1000} km, zones and sectors inside; ${body.total} places with incidents.`);
    this.drawTable(body);
    this.drawMap(body);
    this.message(body.features.length ? "" : "No incidents you may see in this window.");
    root.dataset.ready = "true";
  }

  private drawTable(body: Gaps): void {
    const table = this.node("coverage-table");
    if (!table) return;
    const head = el(
      "tr",
      {},
      ...["#", "place", "kind", "incidents", "patrols", "last patrolled", "score", "incidents term", "patrols term", "staleness term", "labels"].map((h) =>
        el("th", { scope: "col" }, h),
      ),
    );
    const rows = body.features.map((f) => {
      const p = f.properties;
      const labels = el(
        "td",
        { class: "pw-coverage-labels" },
        ...p.counts.map((c) => el("span", { class: markingClass(c.label), title: `${c.label}: ${c.incidents} incidents, ${c.patrols} patrols` }, short(c.label))),
      );
      return el(
        "tr",
        { "data-id": p.id },
        el("td", {}, String(p.rank)),
        el("td", {}, p.name),
        el("td", {}, p.kind),
        el("td", { class: "pw-num" }, String(p.incidents)),
        el("td", { class: "pw-num" }, String(p.patrols)),
        el("td", {}, p.last_patrolled ? toDtg(p.last_patrolled) : "never"),
        el("td", { class: "pw-num pw-score" }, p.score.toFixed(2)),
        el("td", { class: "pw-num" }, p.terms.incidents.toFixed(2)),
        el("td", { class: "pw-num" }, p.terms.patrols.toFixed(2)),
        el("td", { class: "pw-num" }, p.terms.staleness.toFixed(2)),
        labels,
      );
    });
    table.replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
  }

  private drawMap(body: Gaps | null): void {
    const map = this.context().map;
    if (!map) return;
    const data: FeatureCollection = body ?? EMPTY;
    const source = map.getSource(SOURCE) as GeoJSONSource | undefined;
    if (source) {
      source.setData(data);
      return;
    }
    map.addSource(SOURCE, { type: "geojson", data });
    map.addLayer({
      id: LAYER,
      type: "circle",
      source: SOURCE,
      paint: circlePaint({
        // Bigger and redder the higher the gap score.
        "circle-radius": ["interpolate", ["linear"], ["get", "score"], 0, 6, 50, 22],
        "circle-color": ["interpolate", ["linear"], ["get", "score"], 0, "#f2c12e", 20, "#e8741c", 50, "#c8102e"],
        "circle-opacity": 0.55,
        "circle-stroke-color": "#1b1f23",
        "circle-stroke-width": 1.5,
      }),
    });
  }

  private async plan(): Promise<void> {
    if (!this.query) return;
    this.say("coverage-plan-message", "Drafting…");
    try {
      const made = await sendJson<{ ids: string[] }>("POST", `/api/v1/coverage/gaps/plans?${this.query}`, { top: TOP });
      this.say("coverage-plan-message", `${made.ids.length} draft patrol plans created for tomorrow.`);
      if (this.root) this.root.dataset.planned = String(made.ids.length);
    } catch (err) {
      this.say("coverage-plan-message", problemDetail(err));
    }
  }

  clear(): void {
    const map = this.context().map;
    if (map) {
      if (map.getLayer(LAYER)) map.removeLayer(LAYER);
      if (map.getSource(SOURCE)) map.removeSource(SOURCE);
    }
    this.query = "";
    super.clear();
  }
}

register(new CoverageView());
