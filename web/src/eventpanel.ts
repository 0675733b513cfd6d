// Fused events in the popup and the analyst's merge tray, and a report's history (versions and
// grade changes) loaded when asked for. Every list comes from the API as the user may see it.
import type { Feature, Point } from "geojson";
import { type EventProperties, fetchEvent, getJson, problemDetail, sendJson } from "./api";
import { byId, el } from "./dom";
import { toDtg } from "./dtg";
import { reportKindLabel } from "./kinds";
import { markingClass } from "./marking";

export type EventFeature = Feature<Point, EventProperties>;

function banner(label: string): HTMLElement {
  return el("div", { class: `banner ${markingClass(label)}` }, label || "NO MARKING");
}

function kv(entries: [string, string | HTMLElement][]): HTMLElement {
  return el("ul", { class: "kv" }, ...entries.map(([k, v]) => el("li", {}, el("span", { class: "k" }, k), " ", v)));
}

const dtg = (iso: string | null | undefined): HTMLElement =>
  el("span", { class: "dtg", title: iso ?? "" }, toDtg(iso ?? null));

/** The reports of an event, loaded when the popup opens its list. */
function eventReports(id: string): HTMLElement {
  const list = el("ol", { class: "event-reports" });
  const box = el("details", { class: "event-reports-box" }, el("summary", {}, "Reports of this event"), list);
  let loaded = false;
  box.addEventListener("toggle", () => {
    if (!box.open || loaded) return;
    loaded = true;
    list.replaceChildren(el("li", { class: "hint" }, "Loading…"));
    fetchEvent(id)
      .then((detail) => {
        list.replaceChildren(
          ...detail.reports.map((r) =>
            el(
              "li",
              { "data-id": r.id },
              el("span", { class: markingClass(r.label) }, r.label),
              " ",
              el("strong", {}, r.title || reportKindLabel(r.kind)),
              " · ",
              dtg(r.observed_at),
              ` · ${r.grade ?? "—"}${r.source ? ` · ${r.source}` : ""}`,
            ),
          ),
        );
        if (!detail.reports.length) list.replaceChildren(el("li", { class: "hint" }, "None released to you."));
      })
      .catch((err: unknown) => {
        loaded = false;
        list.replaceChildren(el("li", { class: "form-message error" }, problemDetail(err)));
      });
  });
  return box;
}

export function eventPopup(p: EventProperties, tray: MergeTray | null): HTMLElement {
  const span =
    p.first_observed_at === p.last_observed_at
      ? dtg(p.first_observed_at)
      : el("span", {}, dtg(p.first_observed_at), " – ", dtg(p.last_observed_at));
  const box = el(
    "div",
    { class: "popup popup-event", "data-id": p.id },
    banner(p.label),
    el("h3", {}, `Event: ${p.title || reportKindLabel(p.kind)}`),
    kv([
      ["Kind", reportKindLabel(p.kind)],
      ["Observed", span],
      ["Reports", String(p.report_count)],
      ["Sources", String(p.source_count)],
      ["Credibility", p.credibility === null || p.credibility === undefined ? "—" : String(p.credibility)],
      ["Label", p.label || "—"],
      ["ID", el("code", {}, p.id)],
    ]),
    eventReports(p.id),
  );
  if (tray) {
    const button = el("button", { type: "button", class: "text event-select" }, "");
    const show = (): void => {
      const on = tray.has(p.id);
      button.textContent = on ? "Selected for merging ✓" : "Select for merging";
      button.setAttribute("aria-pressed", String(on));
    };
    show();
    button.addEventListener("click", () => {
      tray.toggle(p);
      show();
    });
    box.append(el("div", { class: "buttons" }, button));
  }
  box.append(banner(p.label));
  return box;
}

/** The analyst's selection of events to merge into one, in the side panel. */
export class MergeTray {
  private selected = new Map<string, EventProperties>();

  constructor(
    /** The merge went through: `kept` is the event that remains, `gone` the ids merged into it. */
    private readonly merged: (kept: EventFeature, gone: string[]) => void,
  ) {}

  has(id: string): boolean {
    return this.selected.has(id);
  }

  get ids(): string[] {
    return [...this.selected.keys()];
  }

  toggle(p: EventProperties): void {
    if (this.selected.has(p.id)) this.selected.delete(p.id);
    else this.selected.set(p.id, p);
    this.message("");
    this.render();
  }

  clear(): void {
    this.selected.clear();
    this.message("");
    byId<HTMLInputElement>("merge-reason").value = "";
    this.render();
  }

  wire(): void {
    byId("merge-clear").addEventListener("click", () => this.clear());
    byId<HTMLFormElement>("merge-form").addEventListener("submit", (e) => {
      e.preventDefault();
      void this.submit();
    });
  }

  private message(text: string, kind: "error" | "info" = "info"): void {
    const node = byId("merge-message");
    node.textContent = text;
    node.className = `form-message ${kind}`;
  }

  private render(): void {
    const n = this.selected.size;
    byId("merge-panel").hidden = n === 0;
    byId("merge-count").textContent = String(n);
    byId("merge-list").replaceChildren(
      ...[...this.selected.values()].map((p) =>
        el(
          "li",
          { "data-id": p.id },
          el("strong", {}, p.title || reportKindLabel(p.kind)),
          ` · ${p.report_count} report${p.report_count === 1 ? "" : "s"} · `,
          dtg(p.first_observed_at),
        ),
      ),
    );
    byId<HTMLButtonElement>("merge-submit").disabled = n < 2;
  }

  private async submit(): Promise<void> {
    const events = this.ids;
    const reason = byId<HTMLInputElement>("merge-reason").value.trim();
    if (events.length < 2) return this.message("Select at least two events.", "error");
    if (!reason) return this.message("Give a reason for the merge.", "error");
    const button = byId<HTMLButtonElement>("merge-submit");
    button.disabled = true;
    try {
      const kept = await sendJson<EventFeature>("POST", "/api/v1/events/merge", { events, reason });
      const gone = events.filter((id) => id !== kept.properties.id);
      this.clear();
      this.message(`Merged into one event of ${kept.properties.report_count} reports.`);
      this.merged(kept, gone);
    } catch (err) {
      this.message(problemDetail(err), "error");
      button.disabled = false;
    }
  }
}

interface Version {
  version: number;
  label: string;
  created_by: string;
  created_at: string;
  reason: string | null;
}

interface GradeChange {
  previous: string | null;
  grade: string;
  reason: string | null;
  changed_by: string;
  changed_at: string;
  label: string;
}

/** A report's history — its versions (corrections) and grade changes — loaded when opened. */
export function reportHistory(id: string): HTMLElement {
  const list = el("ol", { class: "report-history" });
  const box = el("details", { class: "report-history-box" }, el("summary", {}, "History"), list);
  let loaded = false;
  box.addEventListener("toggle", () => {
    if (!box.open || loaded) return;
    loaded = true;
    list.replaceChildren(el("li", { class: "hint" }, "Loading…"));
    const path = `/api/v1/reports/${encodeURIComponent(id)}`;
    Promise.all([
      getJson<{ items: Version[] }>(`${path}/versions`),
      getJson<{ items: GradeChange[] }>(`${path}/grades`),
    ])
      .then(([versions, grades]) => {
        const rows: [string, HTMLElement][] = [
          ...versions.items.map((v): [string, HTMLElement] => [
            v.created_at,
            el(
              "li",
              { class: "history-version" },
              el("span", { class: markingClass(v.label) }, v.label),
              ` Version ${v.version} by ${v.created_by} `,
              dtg(v.created_at),
              v.reason ? ` — ${v.reason}` : "",
            ),
          ]),
          ...grades.items.map((g): [string, HTMLElement] => [
            g.changed_at,
            el(
              "li",
              { class: "history-grade" },
              el("span", { class: markingClass(g.label) }, g.label),
              ` Grade ${g.previous ?? "—"} → ${g.grade} by ${g.changed_by} `,
              dtg(g.changed_at),
              g.reason ? ` — ${g.reason}` : "",
            ),
          ]),
        ];
        rows.sort((a, b) => a[0].localeCompare(b[0]));
        list.replaceChildren(...rows.map(([, node]) => node));
      })
      .catch((err: unknown) => {
        loaded = false;
        list.replaceChildren(el("li", { class: "form-message error" }, problemDetail(err)));
      });
  });
  return box;
}
