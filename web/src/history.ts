// History: the record of NATO's Balkan operations (GET /api/v1/history) as a timeline —
// operations and offices as bars over 1991–2025, milestones as ticks, the corrections to
// popular accounts listed below. Click an item for its dates, figures, handovers and sources.
// Sources are shown as text: nothing is fetched but the record from this server.
import "./sidepanel.css";
import "./history.css";

import { getJson, problemDetail } from "./api";
import { byId, el } from "./dom";

interface HistorySource {
  title: string;
  url: string | null;
}

interface Link {
  id: string;
  timing: "same_day" | "next_day";
}

export interface HistoryItem {
  id: string;
  kind: "operation" | "office" | "milestone" | "correction";
  name: string;
  led_by?: string;
  area?: string;
  also_known_as?: string | null;
  start?: string;
  end?: string | null;
  start_precision?: Precision;
  end_precision?: Precision;
  date?: string;
  precision?: Precision;
  category?: string;
  basis?: string | null;
  figures?: string[];
  notes?: string[];
  nations?: string[];
  related?: string[];
  predecessor?: Link | null;
  successor?: Link | null;
  claim?: string;
  correction?: string;
  verify: boolean;
  verify_note: string | null;
  sources: HistorySource[];
}

type Precision = "day" | "month" | "year";

interface HistoryBody {
  items: HistoryItem[];
  count: number;
}

const FIRST_YEAR = 1991;
const LAST_YEAR = 2025;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const T0 = Date.UTC(FIRST_YEAR, 0, 1);
const T1 = Date.UTC(LAST_YEAR + 1, 0, 1);

/** A day as the record knows it: "24 Mar 1999", "Apr 2002" or "2006". */
export function historyDate(iso: string | null | undefined, precision: Precision = "day"): string {
  if (!iso) return "ongoing";
  const [y, m, d] = iso.split("-").map(Number);
  if (precision === "year") return String(y);
  if (precision === "month") return `${MONTHS[m - 1]} ${y}`;
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

/** Where a day falls on the timeline, in percent of its width (clamped to it). */
function position(iso: string): number {
  const t = Date.parse(`${iso}T00:00:00Z`);
  return Math.min(100, Math.max(0, ((t - T0) / (T1 - T0)) * 100));
}

function when(item: HistoryItem): string {
  if (item.start !== undefined) {
    const from = historyDate(item.start, item.start_precision);
    const to = item.end ? historyDate(item.end, item.end_precision) : "ongoing";
    return `${from} – ${to}`;
  }
  return historyDate(item.date, item.precision);
}

const TIMING = { same_day: "the same day", next_day: "the next day" };

/** The History panel: toggled from the map's toolbar; reads the record once. */
export class HistoryPanel {
  private items = new Map<string, HistoryItem>();
  private loading: Promise<void> | null = null;

  private get panel(): HTMLElement {
    return byId("history");
  }

  get isOpen(): boolean {
    return !this.panel.hidden;
  }

  /** Wire the toolbar's History button; once, at start-up. */
  wire(): void {
    this.panel.dataset.ready = "false";
    byId("history-toggle").addEventListener("click", () => this.toggle());
  }

  toggle(open = !this.isOpen): void {
    this.panel.hidden = !open;
    byId("history-toggle").setAttribute("aria-pressed", String(open));
    if (open && !this.loading) {
      this.loading = this.load().catch((err: unknown) => {
        this.loading = null;
        this.panel.dataset.ready = "error";
        this.panel.replaceChildren(this.head(), el("p", { class: "hist-message", role: "alert" }, `History: ${problemDetail(err)}`));
      });
    }
  }

  /** Forget the panel (logout): close it; the record is read again on the next open. */
  clear(): void {
    this.toggle(false);
    this.loading = null;
    this.items.clear();
    this.panel.replaceChildren();
    this.panel.dataset.ready = "false";
  }

  private head(): HTMLElement {
    const close = el("button", { type: "button", class: "hist-close side-panel-close", "aria-label": "Close history" }, "×");
    close.addEventListener("click", () => this.toggle(false));
    return el(
      "header",
      { class: "hist-head side-panel-head" },
      el("h2", {}, "NATO in the Balkans, 1992 on"),
      el("span", { class: "hist-hint" }, "Public record; every fact with its source. Click an item."),
      close,
    );
  }

  private async load(): Promise<void> {
    this.panel.dataset.ready = "false";
    const body = await getJson<HistoryBody>("/api/v1/history");
    this.items = new Map(body.items.map((i) => [i.id, i]));
    const spans = body.items.filter((i) => i.kind === "operation" || i.kind === "office");
    const milestones = body.items.filter((i) => i.kind === "milestone");
    const corrections = body.items.filter((i) => i.kind === "correction");
    const detail = el("section", { id: "history-detail", class: "hist-detail", "aria-live": "polite" },
      el("p", { class: "hist-hint" }, "Choose an operation, an office or a milestone."));
    this.panel.replaceChildren(
      this.head(),
      el("div", { class: "hist-timeline", role: "list", "aria-label": "Timeline 1991–2025" },
        this.axis(), ...spans.map((s) => this.bar(s)), this.ticks(milestones)),
      this.legend(),
      detail,
      el("section", { id: "history-corrections", class: "hist-corrections", "aria-labelledby": "hist-corr-title" },
        el("h3", { id: "hist-corr-title" }, "Where popular accounts get it wrong"),
        el("ul", {}, ...corrections.map((c) => this.correction(c)))),
    );
    this.panel.dataset.count = String(body.count);
    this.panel.dataset.ready = "true";
  }

  private legend(): HTMLElement {
    const key = (cls: string, text: string): HTMLElement =>
      el("li", {}, el("span", { class: `hist-key ${cls}`, "aria-hidden": "true" }), text);
    return el("ul", { class: "hist-legend", "aria-label": "Legend" },
      key("hist-operation", "NATO operation"),
      key("hist-operation hist-eu", "EU operation"),
      key("hist-office", "NATO office"),
      key("hist-operation hist-open", "still running"),
      key("hist-tick-key hist-accession", "accession"),
      key("hist-tick-key hist-restructuring", "KFOR restructuring"),
      key("hist-tick-key hist-other", "other milestone"));
  }

  private axis(): HTMLElement {
    const years: HTMLElement[] = [];
    for (let y = FIRST_YEAR + 1; y <= LAST_YEAR; y += 1) {
      if (y % 5 !== 0 && y !== 1992) continue;
      const tick = el("span", { class: "hist-year" }, String(y));
      tick.style.left = `${position(`${y}-01-01`)}%`;
      years.push(tick);
    }
    return el("div", { class: "hist-row hist-axis", "aria-hidden": "true" }, el("span", { class: "hist-name" }), el("div", { class: "hist-track" }, ...years));
  }

  private bar(item: HistoryItem): HTMLElement {
    const start = position(item.start ?? "");
    const end = item.end ? position(item.end) : 100;
    const bar = el("button", {
      type: "button",
      class: `hist-bar hist-${item.kind}${item.end ? "" : " hist-open"}${item.led_by === "EU" ? " hist-eu" : ""}`,
      "data-id": item.id,
      "data-start": item.start ?? "",
      "data-end": item.end ?? "",
      title: `${item.name}: ${when(item)}`,
      "aria-label": `${item.name}, ${when(item)}`,
    });
    bar.style.left = `${start}%`;
    // A few weeks are under a pixel at this scale: keep every bar clickable.
    bar.style.width = `max(4px, ${Math.max(0, end - start)}%)`;
    bar.addEventListener("click", () => this.show(item.id));
    const name = el("button", { type: "button", class: "hist-name", "data-for": item.id }, item.name);
    name.addEventListener("click", () => this.show(item.id));
    return el("div", { class: "hist-row", role: "listitem" }, name, el("div", { class: "hist-track" }, bar));
  }

  private ticks(milestones: HistoryItem[]): HTMLElement {
    const track = el("div", { class: "hist-track hist-ticks" });
    for (const m of milestones) {
      const tick = el("button", {
        type: "button",
        class: `hist-tick hist-${m.category?.replace(/\s+/g, "-") ?? "milestone"}`,
        "data-id": m.id,
        "data-date": m.date ?? "",
        title: `${historyDate(m.date, m.precision)}: ${m.name}`,
        "aria-label": `${m.name}, ${historyDate(m.date, m.precision)}`,
      });
      tick.style.left = `${position(m.date ?? "")}%`;
      tick.addEventListener("click", () => this.show(m.id));
      track.append(tick);
    }
    return el("div", { class: "hist-row", role: "listitem" }, el("span", { class: "hist-name hist-ticks-name" }, "Milestones"), track);
  }

  private correction(item: HistoryItem): HTMLElement {
    const li = el("li", { "data-id": item.id },
      el("p", { class: "hist-claim" }, `Not so: ${item.claim ?? item.name}`),
      el("p", {}, item.correction ?? ""),
      this.sources(item));
    return li;
  }

  private sources(item: HistoryItem): HTMLElement {
    return el("ul", { class: "hist-sources", "aria-label": "Sources" },
      ...item.sources.map((s) => el("li", {}, s.title, s.url ? el("span", { class: "hist-url" }, ` ${s.url}`) : null)));
  }

  /** Show one item's details (dates, basis, figures, handovers, verify mark, sources). */
  show(id: string): void {
    const item = this.items.get(id);
    if (!item) return;
    for (const node of this.panel.querySelectorAll<HTMLElement>("[data-id].selected, .hist-name.selected")) node.classList.remove("selected");
    for (const node of this.panel.querySelectorAll<HTMLElement>(`.hist-timeline [data-id="${CSS.escape(id)}"], [data-for="${CSS.escape(id)}"]`)) node.classList.add("selected");
    const facts: [string, string | null | undefined][] = [
      ["When", when(item)],
      ["Also known as", item.also_known_as],
      ["Led by", item.led_by],
      ["Area", item.area],
      ["Basis", item.basis],
      ["Kind", item.category ?? item.kind],
      ["Nations", item.nations?.join(", ")],
      ["Came after", item.predecessor ? `${this.items.get(item.predecessor.id)?.name ?? item.predecessor.id} (handed over ${TIMING[item.predecessor.timing]})` : null],
      ["Handed over to", item.successor ? `${this.items.get(item.successor.id)?.name ?? item.successor.id} (${TIMING[item.successor.timing]})` : null],
    ];
    const dl = el("dl", {});
    for (const [k, v] of facts) if (v) dl.append(el("dt", {}, k), el("dd", {}, v));
    const points = [...(item.figures ?? []), ...(item.notes ?? [])];
    const detail = byId("history-detail");
    detail.dataset.id = id;
    const parts: HTMLElement[] = [el("h3", {}, item.name), dl];
    if (item.claim) parts.push(el("p", { class: "hist-claim" }, `Not so: ${item.claim}`), el("p", {}, item.correction ?? ""));
    if (points.length) parts.push(el("ul", { class: "hist-figures" }, ...points.map((p) => el("li", {}, p))));
    if (item.verify) parts.push(el("p", { class: "hist-verify" }, `To verify: ${item.verify_note ?? "not confirmed against a primary source"}`));
    parts.push(el("h4", {}, "Sources"), this.sources(item));
    detail.replaceChildren(...parts);
  }
}

export const historyPanel = new HistoryPanel();
