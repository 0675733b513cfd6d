// Operations → Convoys: the humanitarian convoys with their status and route risk; the selected
// convoy's route drawn on the map in 1 km pieces coloured by risk, with its track, deliveries,
// what makes up the risk (each contribution explained) and a warning when the risk rose after
// departure. A convoy under way is polled every few seconds (GET /api/v1/convoys/{uid}/risk)
// while this tab is open: a report near it shows within one poll. Everything is read as
// filtered for the signed-in user; each record shows its own label, the risk its derived one.
import "./convoys.css";
import type { GeoJSONSource } from "maplibre-gl";
import type { Feature, FeatureCollection, LineString } from "geojson";
import { getJson, isoTime } from "../api";
import { el } from "../dom";
import { toDtg } from "../dtg";
import { markingClass } from "../marking";
import { FEED_RECORD, type FeedRecord } from "../live";
import { OpsView, register } from "./registry";

interface Cargo {
  item: string;
  quantity: number;
  unit: string;
}

interface ConvoyProperties {
  id: string;
  name: string;
  agency: string;
  status: string;
  escort: string | null;
  cargo: Cargo[];
  planned_departure: string;
  planned_arrival: string;
  departed_at: string | null;
  arrived_at: string | null;
  synthetic: boolean;
  label: string;
  risk_total: number;
  risk_at: string;
  risk_risen: boolean;
  risk_label: string;
}

interface Delivery {
  id: string;
  place: string;
  adm1: string | null;
  delivered_at: string;
  sector: string;
  cargo: Cargo[];
  beneficiaries: number;
  label: string;
}

interface Contribution {
  source: string;
  id: string;
  kind: string;
  observed_at: string;
  age_h: number;
  distance_m: number;
  km: number;
  weights: { kind: number; grade: number; decay: number };
  why: string;
  score: number;
  label: string;
}

interface SegmentProperties {
  segment: number;
  km_from: number;
  km_to: number;
  risk: number;
  per_km: number;
}

interface Risk extends FeatureCollection<LineString, SegmentProperties> {
  convoy: string;
  status: string;
  at: string;
  total: number;
  params: { distance_m: number; half_life_h: number; lookback_h: number; segment_m: number };
  contributions: Contribution[];
  warning: {
    risen: boolean;
    departed_at: string;
    at_departure: number;
    now: number;
    new: { source: string; id: string; score: number }[];
    message: string;
  } | null;
  label: string;
}

type ConvoyFeature = Feature<LineString, ConvoyProperties>;
type ConvoyDetail = ConvoyFeature & {
  track: { observed_at: string; lon: number; lat: number; label: string }[];
  deliveries: Delivery[];
  alerts: { id: number; observed_at: string; distance_m: number; report: string | null; violation: string | null; label: string }[];
};

const SOURCE = "ops-convoys-route";
const TRACK = "ops-convoys-track";
const LAYERS = ["ops-convoys-route-casing", "ops-convoys-route-line", "ops-convoys-track-line"];
// A convoy under way: its risk is read again as soon as a report or violation near its route
// arrives on the live feed, and every second besides (one cheap request: the feed may be down,
// and a record the feed does not carry may count); the whole list (every route scored) only
// every LIST_EVERY polls.
const POLL_MS = 1000;
/** Degrees of latitude per metre, for the rough "near the route" test before asking the server. */
const DEG_PER_M = 1 / 111_320;
const LIST_EVERY = 15;
const EMPTY: FeatureCollection = { type: "FeatureCollection", features: [] };
const STATUS_TEXT: Record<string, string> = { planned: "planned", under_way: "under way", arrived: "arrived", aborted: "aborted" };

function labelTag(marking: string): HTMLElement {
  return el("span", { class: `${markingClass(marking)} pw-label` }, marking);
}

/** A route's bounds widened by ``metres`` on every side ([west, south, east, north]). */
function widened(route: LineString, metres: number): [number, number, number, number] {
  const lons = route.coordinates.map((c) => c[0]);
  const lats = route.coordinates.map((c) => c[1]);
  const s = Math.min(...lats);
  const n = Math.max(...lats);
  const dLat = metres * DEG_PER_M;
  const dLon = dLat / Math.max(Math.cos((Math.max(Math.abs(s), Math.abs(n)) * Math.PI) / 180), 0.01);
  return [Math.min(...lons) - dLon, s - dLat, Math.max(...lons) + dLon, n + dLat];
}

const cargoText = (cargo: Cargo[]): string => cargo.map((c) => `${c.quantity} ${c.unit} ${c.item}`).join(", ");

class ConvoysView extends OpsView {
  private convoys: ConvoyFeature[] = [];
  private selected: string | null = null;
  private timer: number | null = null;
  private polls = 0;
  private fitted: string | null = null;
  /** Whether the selected convoy's risk is being read now, and whether to read it again after. */
  private loading = false;
  private again = false;
  /** The route's bounds widened by the risk's distance, for records arriving on the feed. */
  private near: [number, number, number, number] | null = null;

  constructor() {
    super("convoys", "Convoys");
    window.addEventListener(FEED_RECORD, (e) => this.onRecord((e as CustomEvent<FeedRecord>).detail));
  }

  /** A record near the route of the convoy under way: its risk is read now, not at the next
   * poll (issue 8: route risk within 1 s of a new event near an active convoy). */
  private onRecord(r: FeedRecord): void {
    if (!this.root || this.root.hidden || !this.root.isConnected || !this.near) return;
    const [w, s, e, n] = this.near;
    if (r.lon < w || r.lon > e || r.lat < s || r.lat > n) return;
    if (this.loading) {
      this.again = true;
      return;
    }
    void this.loadSelected(this.latest.generation, "feed");
  }

  protected sections(): Node[] {
    return [
      el("div", { id: "convoys-message", role: "status" }),
      el("section", { id: "convoys-list", "aria-label": "Convoys" }),
      el("section", { id: "convoys-detail", "aria-label": "Selected convoy" }),
    ];
  }

  /** The map's time (its window's end), so a 1999 convoy under way is scored in 1999. */
  private at(): Date | null {
    const span = this.context().span;
    if (!span) return null;
    const end = Math.min(span.end.getTime() - 1, Date.now());
    return new Date(end);
  }

  protected async load(root: HTMLElement, gen: number, signal: AbortSignal): Promise<void> {
    const query = new URLSearchParams();
    const mission = this.context().mission;
    if (mission) query.set("mission", mission.code);
    const at = this.at();
    if (at) query.set("at", isoTime(at));
    const body = await getJson<FeatureCollection<LineString, ConvoyProperties>>(`/api/v1/convoys?${query}`, signal);
    if (!this.latest.current(gen)) return;
    this.convoys = body.features as ConvoyFeature[];
    root.dataset.query = query.toString();
    this.drawList();
    if (!this.convoys.some((c) => c.properties.id === this.selected)) {
      this.selected = this.convoys.find((c) => c.properties.status === "under_way")?.properties.id ?? this.convoys[0]?.properties.id ?? null;
    }
    this.message(this.convoys.length ? "" : "No convoys you may see.");
    await this.loadSelected(gen);
  }

  private drawList(): void {
    const rows = this.convoys.map((f) => {
      const p = f.properties;
      const row = el(
        "tr",
        { "data-convoy": p.id, class: p.id === this.selected ? "pw-selected" : "", tabindex: "0" },
        el("td", {}, p.name, p.synthetic ? el("small", {}, " (synthetic)") : null),
        el("td", {}, p.agency),
        el("td", { "data-status": p.status }, STATUS_TEXT[p.status] ?? p.status),
        el("td", {}, toDtg(p.departed_at ?? p.planned_departure)),
        el("td", { class: "pw-risk", "data-risk": String(p.risk_total) }, p.risk_total.toFixed(2), p.risk_risen ? el("span", { class: "pw-risen", title: "risk rose after departure" }, " ▲") : null),
        el("td", {}, labelTag(p.label)),
      );
      const pick = (): void => {
        this.selected = p.id;
        this.drawList();
        void this.loadSelected(this.latest.generation);
      };
      row.addEventListener("click", pick);
      row.addEventListener("keydown", (e) => {
        if (e.key === "Enter") pick();
      });
      return row;
    });
    const table = el(
      "table",
      { id: "convoys-table" },
      el("thead", {}, el("tr", {}, ...["Convoy", "Agency", "Status", "Departure", "Route risk", "Label"].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...rows),
    );
    this.root?.querySelector("#convoys-list")?.replaceChildren(el("h3", {}, "Convoys"), table);
  }

  private async loadSelected(gen: number, trigger: "select" | "poll" | "feed" = "select"): Promise<void> {
    const root = this.root;
    const uid = this.selected;
    this.stopPolling();
    this.loading = true;
    this.again = false;
    try {
      await this.readSelected(root, uid, gen, trigger);
    } finally {
      this.loading = false;
    }
    // A record came while this read was under way: read once more, now.
    if (this.again && this.latest.current(gen) && uid === this.selected) void this.loadSelected(gen, "feed");
  }

  private async readSelected(root: HTMLElement | null, uid: string | null, gen: number, trigger: string): Promise<void> {
    if (!root) return;
    if (!uid) {
      this.draw(null, null);
      root.dataset.ready = "true";
      return;
    }
    const convoy = this.convoys.find((c) => c.properties.id === uid);
    const query = new URLSearchParams();
    const at = this.at();
    if (at && convoy?.properties.status === "under_way") query.set("at", isoTime(at));
    const signal = this.latest.signal;
    try {
      const [detail, risk] = await Promise.all([
        getJson<ConvoyDetail>(`/api/v1/convoys/${encodeURIComponent(uid)}`, signal),
        getJson<Risk>(`/api/v1/convoys/${encodeURIComponent(uid)}/risk?${query}`, signal),
      ]);
      if (!this.latest.current(gen) || uid !== this.selected) return;
      if (convoy?.properties.status === "under_way") {
        // Its row follows its newest risk (scored at the same moment as the list's).
        Object.assign(convoy.properties, { risk_total: risk.total, risk_risen: risk.warning?.risen ?? false, risk_label: risk.label });
        this.drawList();
      }
      this.draw(detail, risk);
      // What the page shows, for tests and tools: the convoy, its pieces of route, its risk.
      root.dataset.selected = uid;
      root.dataset.segments = String(risk.features.length);
      root.dataset.total = risk.total.toFixed(4);
      root.dataset.risen = String(risk.warning?.risen ?? false);
      // What made this read: a choice, the poll, or a record on the feed (for tests and tools).
      root.dataset.trigger = trigger;
      root.dataset.ready = "true";
      this.near = detail.properties.status === "under_way" ? widened(detail.geometry, risk.params.distance_m) : null;
      if (detail.properties.status === "under_way") this.startPolling(gen);
    } catch (err) {
      this.failed(root, gen, err, "Convoy");
    }
  }

  private startPolling(gen: number): void {
    this.timer = window.setTimeout(() => {
      this.timer = null;
      if (!this.latest.current(gen) || !this.root || this.root.hidden || !this.root.isConnected) return;
      this.polls += 1;
      if (this.polls % LIST_EVERY === 0) this.refresh();
      else void this.loadSelected(gen, "poll");
    }, POLL_MS);
  }

  private stopPolling(): void {
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = null;
  }

  private draw(detail: ConvoyDetail | null, risk: Risk | null): void {
    const node = this.root?.querySelector<HTMLElement>("#convoys-detail");
    this.labels = [...this.convoys.flatMap((c) => [c.properties.label, c.properties.risk_label])];
    this.drawMap(detail, risk);
    if (!node) return;
    if (!detail || !risk) {
      node.replaceChildren();
      return;
    }
    const p = detail.properties;
    this.labels.push(risk.label, ...detail.deliveries.map((d) => d.label), ...detail.alerts.map((a) => a.label));
    const warning = risk.warning?.risen
      ? el("p", { id: "convoys-warning", class: "pw-warning", role: "alert" }, `⚠ ${risk.warning.message} (since departure ${toDtg(risk.warning.departed_at)})`)
      : null;
    const head = el(
      "div",
      { class: "pw-convoy-head" },
      el("h3", {}, p.name),
      el(
        "p",
        {},
        `${p.agency} · ${STATUS_TEXT[p.status] ?? p.status} · escort ${p.escort ?? "—"} · departs ${toDtg(p.departed_at ?? p.planned_departure)} · arrives ${toDtg(p.arrived_at ?? p.planned_arrival)}`,
      ),
      el("p", {}, `Cargo: ${cargoText(p.cargo)}`),
      el(
        "p",
        { id: "convoys-risk" },
        `Route risk ${risk.total.toFixed(2)} at ${toDtg(risk.at)} — events and violations within ${risk.params.distance_m / 1000} km, half-life ${risk.params.half_life_h} h, ${risk.params.lookback_h / 24} days back `,
        labelTag(risk.label),
      ),
    );
    const contributions = el(
      "table",
      { id: "convoys-contributions" },
      el("thead", {}, el("tr", {}, ...["Score", "What", "Where", "When", "Weights (kind × grade × decay)", "Label"].map((h) => el("th", {}, h)))),
      el(
        "tbody",
        {},
        ...risk.contributions.slice(0, 25).map((c) =>
          el(
            "tr",
            { "data-id": c.id },
            el("td", {}, c.score.toFixed(2)),
            el("td", {}, `${c.source}: ${c.kind}`),
            el("td", {}, `km ${c.km.toFixed(1)}, ${Math.round(c.distance_m)} m off`),
            el("td", {}, `${toDtg(c.observed_at)} (${Math.round(c.age_h)} h)`),
            el("td", { title: c.why }, `${c.weights.kind} × ${c.weights.grade} × ${c.weights.decay} — ${c.why}`),
            el("td", {}, labelTag(c.label)),
          ),
        ),
      ),
    );
    const deliveries = el(
      "table",
      { id: "convoys-deliveries" },
      el("thead", {}, el("tr", {}, ...["Delivered", "Place", "Region", "Sector", "Cargo", "People reached", "Label"].map((h) => el("th", {}, h)))),
      el(
        "tbody",
        {},
        ...detail.deliveries.map((d) =>
          el(
            "tr",
            { "data-id": d.id },
            el("td", {}, toDtg(d.delivered_at)),
            el("td", {}, d.place),
            el("td", {}, d.adm1 ?? "—"),
            el("td", {}, d.sector),
            el("td", {}, cargoText(d.cargo)),
            el("td", {}, d.beneficiaries.toLocaleString("en-GB")),
            el("td", {}, labelTag(d.label)),
          ),
        ),
      ),
    );
    const exportLink = el("a", { href: "/api/v1/convoys/deliveries?format=hxl", download: "deliveries-3w.hxl.csv" }, "Export deliveries (HXL 3W)");
    node.replaceChildren(
      head,
      ...(warning ? [warning] : []),
      el("h4", {}, `What makes up the risk (${risk.contributions.length})`),
      risk.contributions.length ? contributions : el("p", {}, "Nothing recent near the route."),
      el("h4", {}, `Deliveries (${detail.deliveries.length})`),
      detail.deliveries.length ? deliveries : el("p", {}, "No deliveries recorded."),
      el("p", {}, exportLink),
    );
  }

  private drawMap(detail: ConvoyDetail | null, risk: Risk | null): void {
    const map = this.context().map;
    if (!map) return;
    const segments: FeatureCollection = risk ?? EMPTY;
    const track: FeatureCollection = detail && detail.track.length > 1
      ? { type: "FeatureCollection", features: [{ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: detail.track.map((t) => [t.lon, t.lat]) } }] }
      : EMPTY;
    const route = map.getSource(SOURCE) as GeoJSONSource | undefined;
    if (route) {
      route.setData(segments);
      (map.getSource(TRACK) as GeoJSONSource | undefined)?.setData(track);
    } else {
      map.addSource(SOURCE, { type: "geojson", data: segments });
      map.addSource(TRACK, { type: "geojson", data: track });
      map.addLayer({ id: LAYERS[0], type: "line", source: SOURCE, paint: { "line-color": "#1b1f23", "line-width": 9, "line-opacity": 0.6 } });
      map.addLayer({
        id: LAYERS[1],
        type: "line",
        source: SOURCE,
        layout: { "line-cap": "round" },
        paint: {
          "line-width": 5,
          // Risk per km: green (nothing near) through amber to red (a grave, fresh incident).
          "line-color": ["interpolate", ["linear"], ["get", "per_km"], 0, "#2e9e44", 0.2, "#f2c12e", 0.6, "#e8741c", 1, "#c8102e"],
        },
      });
      map.addLayer({ id: LAYERS[2], type: "line", source: TRACK, paint: { "line-color": "#1f5fbf", "line-width": 2, "line-dasharray": [2, 1] } });
    }
    if (detail && risk && risk.features.length && this.fitted !== detail.properties.id) {
      this.fitted = detail.properties.id; // once per selection: polling must not move the map
      const coords = risk.features.flatMap((f) => f.geometry.coordinates);
      const lons = coords.map((c) => c[0]);
      const lats = coords.map((c) => c[1]);
      // The Operations panel lies over the map's left side: keep the route clear of it.
      const panelWidth = Math.min(document.getElementById("ops")?.offsetWidth ?? 0, map.getContainer().clientWidth / 2);
      map.fitBounds([[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]], { padding: { top: 80, bottom: 80, right: 80, left: 40 + panelWidth }, maxZoom: 12, duration: 0 });
    }
  }

  clear(): void {
    this.stopPolling();
    const map = this.context().map;
    if (map) {
      for (const id of [...LAYERS].reverse()) if (map.getLayer(id)) map.removeLayer(id);
      for (const id of [SOURCE, TRACK]) if (map.getSource(id)) map.removeSource(id);
    }
    this.convoys = [];
    this.selected = null;
    this.fitted = null;
    this.near = null;
    super.clear();
  }
}

register(new ConvoysView());
