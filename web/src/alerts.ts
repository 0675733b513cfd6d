// Alerts for violations that arrive on the live feed, in the side panel, newest first, each
// with an "Acknowledge" button. The cue is visual only (a badge and a brief highlight): a
// joint operations centre has enough noise.
//
// Acknowledging is the server's record (POST /api/v1/violations/{id}/acknowledge, audited): the
// first watchkeeper to acknowledge an alert does so for the whole operations centre, and the
// list shows who did and when. Only users who may (alerts:ack) get the button; the server
// checks anyway. An alert that arrives already acknowledged is shown as such.
import type { Feature, Point } from "geojson";
import { problemDetail, sendJson, type ViolationProperties } from "./api";
import { byId, el } from "./dom";
import { toDtg } from "./dtg";
import { markingClass } from "./marking";

export interface Alert {
  violation: Feature<Point, ViolationProperties>;
  receivedAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  /** The last failed attempt to acknowledge, shown next to the button. */
  error: string | null;
}

/** Keep the panel bounded on a busy day; the oldest acknowledged alerts go first. */
const MAX_ALERTS = 200;

export class AlertList {
  private alerts: Alert[] = [];

  constructor(
    private readonly show: (alert: Alert) => void,
    private readonly changed: (list: AlertList) => void,
    /** Whether the logged-in user may acknowledge (the button is offered only then). */
    private readonly mayAcknowledge: () => boolean = () => true,
    /** Told of each violation as the server returns it after an acknowledgement. */
    private readonly updated: (violation: Feature<Point, ViolationProperties>) => void = () => undefined,
  ) {}

  get all(): readonly Alert[] {
    return this.alerts;
  }

  get unacknowledged(): number {
    return this.alerts.filter((a) => !a.acknowledgedAt).length;
  }

  add(violation: Feature<Point, ViolationProperties>): void {
    if (this.alerts.some((a) => a.violation.properties.id === violation.properties.id)) return;
    const p = violation.properties;
    this.alerts.unshift({
      violation,
      receivedAt: new Date(),
      acknowledgedAt: p.acknowledged_at ? new Date(p.acknowledged_at) : null,
      acknowledgedBy: p.acknowledged_by ?? null,
      error: null,
    });
    while (this.alerts.length > MAX_ALERTS) {
      let i = this.alerts.length - 1;
      for (let k = i; k >= 0; k--) {
        if (this.alerts[k].acknowledgedAt) {
          i = k;
          break;
        }
      }
      this.alerts.splice(i, 1);
    }
    this.render(violation.properties.id);
  }

  /** Acknowledge on the server; the list shows whoever's acknowledgement stands. */
  async acknowledge(id: string): Promise<void> {
    const alert = this.alerts.find((a) => a.violation.properties.id === id);
    if (!alert || alert.acknowledgedAt) return;
    try {
      const f = await sendJson<Feature<Point, ViolationProperties>>(
        "POST",
        `/api/v1/violations/${encodeURIComponent(id)}/acknowledge`,
        {},
      );
      alert.violation = f;
      alert.acknowledgedBy = f.properties.acknowledged_by ?? null;
      alert.acknowledgedAt = f.properties.acknowledged_at ? new Date(f.properties.acknowledged_at) : new Date();
      alert.error = null;
      this.updated(f);
    } catch (err) {
      alert.error = `Not acknowledged: ${problemDetail(err)}`;
    }
    this.render();
  }

  clear(): void {
    this.alerts = [];
    this.render();
  }

  private render(fresh?: string): void {
    const pending = this.unacknowledged;
    const badge = byId("alert-count");
    badge.textContent = String(pending);
    badge.dataset.count = String(pending);
    badge.hidden = pending === 0;
    byId("alerts-empty").hidden = this.alerts.length > 0;
    byId("alerts").replaceChildren(...this.alerts.map((a) => this.item(a, a.violation.properties.id === fresh)));
    this.changed(this);
  }

  private item(alert: Alert, fresh: boolean): HTMLElement {
    const p = alert.violation.properties;
    const acked = alert.acknowledgedAt;
    const title = `${p.party ?? "?"}: ${p.title || p.obligation}`;
    return el(
      "li",
      {
        class: `alert${acked ? " acknowledged" : ""}${fresh ? " fresh" : ""}`,
        "data-id": p.id,
        "data-state": acked ? "acknowledged" : "new",
      },
      el("div", { class: markingClass(p.label) }, p.label || "NO MARKING"),
      el("button", { type: "button", class: "alert-show", title: "Show on the map" }, title),
      el(
        "div",
        { class: "alert-meta" },
        el("span", {}, p.zone_name || p.zone || ""),
        " · ",
        el("span", { class: "dtg", title: p.observed_at }, toDtg(p.observed_at)),
      ),
      acked
        ? el(
            "div",
            { class: "alert-ack" },
            `Acknowledged${alert.acknowledgedBy ? ` by ${alert.acknowledgedBy}` : ""} ${toDtg(acked.toISOString())}`,
          )
        : this.mayAcknowledge()
          ? el("button", { type: "button", class: "alert-acknowledge", "aria-label": `Acknowledge: ${title}` }, "Acknowledge")
          : el("div", { class: "alert-ack" }, "Awaiting a watchkeeper's acknowledgement"),
      alert.error ? el("div", { class: "alert-error", role: "alert" }, alert.error) : "",
    );
  }

  /** Wire the list's buttons once (delegated: items are re-rendered). */
  wire(): void {
    byId("alerts").addEventListener("click", (e) => {
      const target = e.target as HTMLElement;
      const id = target.closest<HTMLElement>("li.alert")?.dataset.id;
      if (!id) return;
      if (target.closest(".alert-acknowledge")) void this.acknowledge(id);
      else if (target.closest(".alert-show")) {
        const alert = this.alerts.find((a) => a.violation.properties.id === id);
        if (alert) this.show(alert);
      }
    });
  }
}
