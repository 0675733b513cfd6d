// Analytics in the dashboards: incidents per ISO week by kind, party or sector (a uPlot line
// per key, with each series' trend and change against the week before), and the hotspot list
// (H3 cells busier than their own baseline). Every number is what GET /api/v1/analytics/*
// returned for the user: nothing is computed here.
import uPlot from "uplot";
import "./analytics.css";

import { getJson, isoTime } from "./api";
import { el } from "./dom";
import { markingClass } from "./marking";

export interface TrendSeries {
  key: string | null;
  name?: string | null;
  total: number;
  counts: number[];
  change: { last: number; previous: number; absolute: number; percent: number | null };
  trend: { slope: number; stderr: number | null; direction: "rising" | "falling" | "flat" };
}

export interface TrendsBody {
  by: string;
  period: string;
  periods: string[];
  period_starts: string[];
  series: TrendSeries[];
  label?: string;
}

export interface Hotspot {
  id: string;
  properties: {
    cell: string;
    centre: [number, number];
    count: number;
    baseline: number;
    expected: number;
    ratio: number;
    p: number;
    q: number;
    significant: boolean;
  };
}

export interface HotspotsBody {
  features: Hotspot[];
  start: string;
  end: string;
  significant: number;
  label?: string;
}

const HEIGHT = 150;
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];
const SHOWN = 10; // hotspots listed
const ARROWS: Record<string, string> = { rising: "▲", falling: "▼", flat: "—" };
const daySeconds = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 1000;
const utc = (ts: number): Date => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC");

function keyName(s: TrendSeries): string {
  return s.name ?? s.key ?? "(none you may see)";
}

function changeText(s: TrendSeries): string {
  const c = s.change;
  const sign = c.absolute > 0 ? "+" : "";
  return c.percent === null ? `${sign}${c.absolute}` : `${sign}${c.absolute} (${sign}${c.percent}%)`;
}

/** The weekly trend and hotspot sections of the dashboards panel. */
export class AnalyticsCharts {
  private figure = el("div", { id: "trend-chart", class: "dash-chart", "data-series": "[]", "data-periods": "0" });
  private label = el("span", { class: "dash-label marking marking-unknown", hidden: "" });
  private hotLabel = el("span", { class: "dash-label marking marking-unknown", hidden: "" });
  private table = el("table", { id: "trend-table", class: "analytics-table" });
  private list = el("ol", { id: "hotspot-list", class: "hotspot-list" });
  private empty = el("p", { class: "dash-empty", hidden: "" }, "Nothing in this span that you may see.");
  private by = el(
    "select",
    { id: "trend-by", "aria-label": "Weekly trend by" },
    el("option", { value: "kind" }, "By kind"),
    el("option", { value: "party" }, "By party"),
    el("option", { value: "sector" }, "By sector"),
  );
  private plot: uPlot | null = null;
  private trends: TrendsBody | null = null;
  private hotspots: HotspotsBody | null = null;
  private params: URLSearchParams | null = null;

  /** The sections, built once into the panel; `onMarkings` is called when a change of
   * "by" has redrawn the trends (their label may change with it). */
  element(onMarkings: () => void = () => {}): HTMLElement {
    this.by.addEventListener("change", () => {
      if (!this.params) return;
      this.figure.dataset.ready = "false";
      void this.loadTrends(this.params)
        .then(onMarkings)
        .catch(() => undefined)
        .finally(() => {
          this.figure.dataset.ready = "true";
        });
    });
    return el(
      "div",
      { id: "dash-analytics" },
      el(
        "section",
        { id: "dash-trends", class: "dash-section", "aria-label": "Incidents per week" },
        el("div", { class: "dash-title" }, el("h3", {}, "Incidents per week"), this.by, this.label),
        this.figure,
        this.empty,
        this.table,
      ),
      el(
        "section",
        { id: "dash-hotspots", class: "dash-section", "aria-label": "Hotspots" },
        el("div", { class: "dash-title" }, el("h3", {}, "Hotspots (last 7 days against the 8 weeks before)"), this.hotLabel),
        this.list,
      ),
    );
  }

  /** The labels on view: the trends' and the hotspots'. */
  markings(): string[] {
    return [this.trends?.label ?? "", this.hotspots?.label ?? ""].filter(Boolean);
  }

  /** Fetch and draw the weekly trends over `params` (start, end, mission) and the hotspots of
   * the span's last 7 days. */
  async load(params: URLSearchParams, signal: AbortSignal): Promise<void> {
    this.params = params;
    const spot = new URLSearchParams(params);
    const end = params.get("end");
    spot.delete("start");
    if (end) spot.set("start", isoTime(new Date(Date.parse(end) - 7 * 86_400_000)));
    spot.set("limit", String(SHOWN));
    const [, hotspots] = await Promise.all([
      this.loadTrends(params, signal),
      getJson<HotspotsBody>(`/api/v1/analytics/hotspots?${spot}`, signal),
    ]);
    this.hotspots = hotspots;
    this.list.dataset.query = spot.toString(); // what was asked, for whoever checks the list
    this.setLabel(this.hotLabel, hotspots.label);
    this.drawHotspots(hotspots);
  }

  /** Forget everything shown (logout). */
  clear(): void {
    this.plot?.destroy();
    this.plot = null;
    this.trends = null;
    this.hotspots = null;
    this.params = null;
    this.figure.replaceChildren();
    this.figure.dataset.series = "[]";
    this.figure.dataset.periods = "0";
    this.table.replaceChildren();
    this.list.replaceChildren();
  }

  resize(width: number): void {
    this.plot?.setSize({ width: Math.max(280, width), height: HEIGHT });
  }

  private setLabel(span: HTMLElement, marking: string | undefined): void {
    span.hidden = !marking;
    span.textContent = marking ?? "";
    span.className = `dash-label ${markingClass(marking)}`;
  }

  private async loadTrends(params: URLSearchParams, signal?: AbortSignal): Promise<void> {
    const query = new URLSearchParams(params);
    query.set("by", this.by.value);
    query.set("period", "week");
    const body = await getJson<TrendsBody>(`/api/v1/analytics/trends?${query}`, signal);
    this.trends = body;
    this.setLabel(this.label, body.label);
    this.drawTrends(body);
    this.drawTable(body);
  }

  private drawTrends(body: TrendsBody): void {
    this.plot?.destroy();
    this.plot = null;
    this.figure.replaceChildren();
    this.figure.dataset.series = JSON.stringify(body.series.map((s) => s.key));
    this.figure.dataset.periods = String(body.periods.length);
    const any = body.periods.length > 0 && body.series.some((s) => s.total > 0);
    this.empty.hidden = any;
    if (!any) return;
    const data: uPlot.AlignedData = [body.period_starts.map(daySeconds), ...body.series.map((s) => s.counts)];
    const series: uPlot.Series[] = [
      { label: "Week", value: (_u, v) => (v == null ? "—" : body.periods[body.period_starts.indexOf(isoTime(new Date(v * 1000)).slice(0, 10))] ?? "—") },
      ...body.series.map((s, i) => ({ label: keyName(s), stroke: COLORS[i % COLORS.length], width: 2 })),
    ];
    this.plot = new uPlot(
      {
        width: Math.max(280, this.figure.clientWidth || 680),
        height: HEIGHT,
        tzDate: utc,
        scales: { x: { time: true }, y: { range: (_u, _lo, hi) => [0, Math.max(1, hi)] } },
        axes: [{ space: 60 }, { size: 40, label: "per week" }],
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
        series,
      },
      data,
      this.figure,
    );
  }

  private drawTable(body: TrendsBody): void {
    const head = el("tr", {}, el("th", {}, body.by), el("th", {}, "Total"), el("th", {}, "Last week"), el("th", {}, "Change"), el("th", {}, "Trend"));
    const rows = body.series.map((s) =>
      el(
        "tr",
        { "data-key": s.key ?? "", "data-direction": s.trend.direction, class: `trend-${s.trend.direction}` },
        el("td", {}, keyName(s)),
        el("td", { class: "num" }, String(s.total)),
        el("td", { class: "num" }, String(s.change.last)),
        el("td", { class: "num" }, changeText(s)),
        el("td", {}, `${ARROWS[s.trend.direction]} ${s.trend.slope >= 0 ? "+" : ""}${s.trend.slope}/week`),
      ),
    );
    this.table.replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
  }

  private drawHotspots(body: HotspotsBody): void {
    const items = body.features.map((f) => {
      const p = f.properties;
      const [lon, lat] = p.centre;
      return el(
        "li",
        { "data-cell": p.cell, "data-significant": String(p.significant), class: p.significant ? "hotspot-significant" : "" },
        `${lat.toFixed(3)}N ${lon.toFixed(3)}E: ${p.count} against ${p.expected} expected (×${p.ratio}, q=${p.q.toPrecision(2)})${p.significant ? " — significant" : ""}`,
      );
    });
    if (!items.length) items.push(el("li", { class: "hotspot-none" }, "Nothing in the last 7 days that you may see."));
    this.list.replaceChildren(...items);
  }
}
