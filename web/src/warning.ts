// Early warning in the dashboards: the tension index per sector and UTC day as lines with the
// watch and warning thresholds, the latest contribution of each signal per sector, and the
// days a sector crossed a level. Every number is what GET /api/v1/warning/* returned for the
// user (an index built only from what they may see): nothing is computed here.
import uPlot from "uplot";
import "./warning.css";

import { getJson, isoTime } from "./api";
import { el } from "./dom";
import { markingClass } from "./marking";

export interface TensionSector {
  sector: string;
  name: string;
  labels: string[];
  index: (number | null)[];
  level: (string | null)[];
  contributions: Record<string, (number | null)[]>;
}

export interface TensionBody {
  days: string[];
  signals: string[];
  thresholds: { watch: number; warning: number };
  sectors: TensionSector[];
  label?: string;
}

export interface TensionAlert {
  sector: string;
  name: string;
  day: string;
  level: string;
  index: number;
  signals: string[];
}

interface AlertsBody {
  alerts: TensionAlert[];
  label?: string;
}

const HEIGHT = 160;
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"];
const SIGNAL_NAMES: Record<string, string> = {
  incidents: "Incidents",
  intimidation: "Intimidation",
  violations: "Violations",
  seizures: "Seizures",
  patrol_decline: "Patrol decline",
};
const ALERTS_SHOWN = 12;
const daySeconds = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 1000;
const utc = (ts: number): Date => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC");
const fmt = (v: number | null | undefined): string => (v == null ? "—" : v.toFixed(1));

/** The last day with an index, or -1. */
function latest(s: TensionSector): number {
  for (let i = s.index.length - 1; i >= 0; i--) if (s.index[i] !== null) return i;
  return -1;
}

/** The tension section of the dashboards panel. */
export class TensionChart {
  private figure = el("div", { id: "tension-chart", class: "dash-chart", "data-sectors": "[]", "data-days": "0" });
  private label = el("span", { class: "dash-label marking marking-unknown", hidden: "" });
  private table = el("table", { id: "tension-contributions", class: "tension-table" });
  private list = el("ul", { id: "tension-alerts", class: "tension-alerts" });
  private empty = el("p", { class: "dash-empty", hidden: "" }, "No sector index in this span that you may see.");
  private plot: uPlot | null = null;
  private body: TensionBody | null = null;
  private alertsLabel: string | null = null;

  /** The section, built once into the panel. */
  element(): HTMLElement {
    return el(
      "section",
      { id: "dash-tension", class: "dash-section", "aria-label": "Tension index per sector" },
      el("div", { class: "dash-title" }, el("h3", {}, "Tension index per sector"), this.label),
      this.figure,
      this.empty,
      el("h4", {}, "Latest contributions"),
      this.table,
      el("h4", {}, "Alerts (a sector rising to watch or warning)"),
      this.list,
    );
  }

  /** The labels on view: the index's and the alerts'. */
  markings(): string[] {
    return [this.body?.label ?? "", this.alertsLabel ?? ""].filter(Boolean);
  }

  /** Fetch and draw the index and alerts for `params` (start, end, mission). */
  async load(params: URLSearchParams, signal: AbortSignal): Promise<void> {
    const [body, alerts] = await Promise.all([
      getJson<TensionBody>(`/api/v1/warning/index?${params}`, signal),
      getJson<AlertsBody>(`/api/v1/warning/alerts?${params}`, signal),
    ]);
    this.body = body;
    this.alertsLabel = alerts.label ?? null;
    this.label.hidden = !body.label;
    this.label.textContent = body.label ?? "";
    this.label.className = `dash-label ${markingClass(body.label)}`;
    this.draw(body);
    this.drawTable(body);
    this.drawAlerts(alerts.alerts);
  }

  /** Forget everything shown (logout). */
  clear(): void {
    this.plot?.destroy();
    this.plot = null;
    this.body = null;
    this.alertsLabel = null;
    this.figure.replaceChildren();
    this.figure.dataset.sectors = "[]";
    this.figure.dataset.days = "0";
    this.table.replaceChildren();
    this.list.replaceChildren();
  }

  resize(width: number): void {
    this.plot?.setSize({ width: Math.max(280, width), height: HEIGHT });
  }

  private draw(body: TensionBody): void {
    this.plot?.destroy();
    this.plot = null;
    this.figure.replaceChildren();
    this.figure.dataset.sectors = JSON.stringify(body.sectors.map((s) => s.sector));
    this.figure.dataset.days = String(body.days.length);
    this.figure.dataset.thresholds = JSON.stringify(body.thresholds);
    const any = body.days.length > 0 && body.sectors.some((s) => s.index.some((v) => v !== null));
    this.empty.hidden = any;
    if (!any) return;
    const xs = body.days.map(daySeconds);
    const flat = (v: number): number[] => xs.map(() => v);
    const data: uPlot.AlignedData = [
      xs,
      ...body.sectors.map((s) => s.index),
      flat(body.thresholds.watch),
      flat(body.thresholds.warning),
    ];
    const series: uPlot.Series[] = [
      { label: "Day", value: (_u, v) => (v == null ? "—" : isoTime(new Date(v * 1000)).slice(0, 10)) },
      ...body.sectors.map((s, i) => ({ label: s.name, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: false })),
      { label: `Watch (${body.thresholds.watch})`, stroke: "#c9a227", width: 1, dash: [6, 4], points: { show: false } },
      { label: `Warning (${body.thresholds.warning})`, stroke: "#b00020", width: 1.5, dash: [6, 4], points: { show: false } },
    ];
    const top = Math.max(body.thresholds.warning * 1.5, ...body.sectors.flatMap((s) => s.index.map((v) => v ?? 0)));
    this.plot = new uPlot(
      {
        width: Math.max(280, this.figure.clientWidth || 680),
        height: HEIGHT,
        tzDate: utc,
        scales: { x: { time: true }, y: { range: () => [0, Math.min(100, Math.ceil(top / 10) * 10)] } },
        axes: [{ space: 60 }, { size: 40, label: "index" }],
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
        series,
      },
      data,
      this.figure,
    );
  }

  private drawTable(body: TensionBody): void {
    const head = el(
      "tr",
      {},
      el("th", {}, "Sector"),
      el("th", {}, "Day"),
      el("th", {}, "Index"),
      el("th", {}, "Level"),
      ...body.signals.map((n) => el("th", {}, SIGNAL_NAMES[n] ?? n)),
    );
    const rows = body.sectors.map((s) => {
      const d = latest(s);
      const level = d >= 0 ? (s.level[d] ?? "") : "";
      return el(
        "tr",
        { "data-sector": s.sector, "data-level": level, class: `tension-${level || "none"}` },
        el("td", {}, s.name),
        el("td", {}, d >= 0 ? body.days[d] : "—"),
        el("td", { class: "num" }, fmt(d >= 0 ? s.index[d] : null)),
        el("td", {}, level || "—"),
        ...body.signals.map((n) => el("td", { class: "num", "data-signal": n }, fmt(d >= 0 ? s.contributions[n][d] : null))),
      );
    });
    this.table.replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
  }

  private drawAlerts(alerts: TensionAlert[]): void {
    const items = alerts.slice(0, ALERTS_SHOWN).map((a) =>
      el(
        "li",
        { "data-sector": a.sector, "data-day": a.day, "data-level": a.level, class: `tension-${a.level}` },
        `${a.day} ${a.name}: ${a.level} (${fmt(a.index)}) — ${a.signals.map((n) => SIGNAL_NAMES[n] ?? n).join(", ")}`,
      ),
    );
    if (!items.length) items.push(el("li", { class: "tension-none" }, "No sector crossed a level in this span."));
    this.list.replaceChildren(...items);
  }
}
