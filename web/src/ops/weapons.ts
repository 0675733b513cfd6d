// Operations → Weapons: the weapons collection (DDR) campaigns with a bar per target (collected
// against target, from the items the signed-in user may see) beside the published figures,
// the items whose serial was seen before (duplicate flags, linked to the earlier record), and
// the chain of custody of a chosen item. The collection points are drawn on the map.
import "./weapons.css";
import type { GeoJSONSource } from "maplibre-gl";
import type { FeatureCollection, Point } from "geojson";
import { getJson } from "../api";
import { FONT } from "../basemap";
import { el } from "../dom";
import { toDtg } from "../dtg";
import { markingClass } from "../marking";
import { circlePaint } from "../programs";
import { type CitedReport, citedReports } from "./citations";
import { OpsView, register } from "./registry";

interface Target {
  category: string;
  place: string | null;
  target: number;
  collected: number;
  remaining: number;
  percent: number;
  met: boolean;
}

interface Campaign {
  code: string;
  name: string;
  start: string;
  end: string | null;
  label: string;
  derived_label: string;
  reported: Record<string, number | string>;
  source: string | null;
  synthetic: boolean;
  items_counted: number;
  targets: Target[];
  collected: Record<string, number>;
}

interface Progress {
  campaigns: Campaign[];
  label?: string;
}

interface Earlier {
  id: string;
  campaign: string | null;
  collected_at: string;
}

interface Item {
  id: string;
  campaign: string | null;
  point: string | null;
  place: string | null;
  category: string;
  calibre: string | null;
  serial: string | null;
  serial_normalised: string | null;
  quantity: number;
  collected_at: string;
  custody_state: string;
  label: string;
  duplicate: boolean;
  duplicate_of: Earlier[];
  /** The field reports it was filed from that the user may see. */
  reports?: CitedReport[];
}

interface Custody {
  seq: number;
  state: string;
  at: string;
  by: string;
  place: string;
  note: string | null;
  label: string;
}

type ItemDetail = Item & { custody: Custody[] };

interface PointProperties {
  id: string;
  name: string;
  place: string;
  label: string;
}

const SOURCE = "ops-weapons-points";
const LAYERS = ["ops-weapons-points-circle", "ops-weapons-points-label"];
const CATEGORY: Record<string, string> = {
  weapons: "weapons",
  small_arms: "small arms",
  heavy_weapons: "heavy weapons",
  mines: "mines",
  explosives: "explosives",
  ammunition: "ammunition",
};

function labelTag(marking: string): HTMLElement {
  return el("span", { class: `${markingClass(marking)} pw-label` }, marking);
}

const number = (n: number): string => n.toLocaleString("en-GB");

class WeaponsView extends OpsView {
  private itemLabels: string[] = [];
  private selected: string | null = null;
  /** Collection point uid → its place name, for the targets set per place. */
  private places = new Map<string, string>();

  constructor() {
    super("weapons", "Weapons");
  }

  protected sections(): Node[] {
    return [
      el("div", { id: "weapons-message", role: "status" }),
      el("section", { id: "weapons-progress", "aria-label": "Progress against target" }),
      el("section", { id: "weapons-duplicates", "aria-label": "Duplicate serials" }),
      el("section", { id: "weapons-custody", "aria-label": "Chain of custody" }),
    ];
  }

  protected async load(root: HTMLElement, gen: number, signal: AbortSignal): Promise<void> {
    const query = new URLSearchParams();
    const mission = this.context().mission;
    if (mission) query.set("mission", mission.code);
    const [progress, duplicates, points] = await Promise.all([
      getJson<Progress>(`/api/v1/weapons/progress?${query}`, signal),
      getJson<{ items: Item[]; label?: string }>("/api/v1/weapons/items?duplicates=true&limit=200", signal),
      getJson<FeatureCollection<Point, PointProperties>>(`/api/v1/weapons/points?${query}`, signal),
    ]);
    if (!this.latest.current(gen)) return;
    root.dataset.query = query.toString();
    this.labels = [
      ...progress.campaigns.flatMap((c) => [c.label, c.derived_label]),
      ...duplicates.items.map((i) => i.label),
      ...points.features.map((f) => f.properties.label),
    ];
    this.places = new Map(points.features.map((f) => [f.properties.id, f.properties.place]));
    this.drawProgress(progress.campaigns);
    this.drawDuplicates(duplicates.items);
    this.drawMap(points);
    this.message(progress.campaigns.length ? "" : "No weapons collection campaign you may see.");
    if (this.selected === null || !duplicates.items.some((i) => i.id === this.selected)) {
      this.selected = duplicates.items[0]?.id ?? null;
    }
    await this.loadItem(gen);
  }

  private drawProgress(campaigns: Campaign[]): void {
    const node = this.root?.querySelector("#weapons-progress");
    if (!node) return;
    const blocks = campaigns.map((c) => {
      const bars = c.targets.map((t) => {
        const width = Math.min(100, t.percent);
        return el(
          "div",
          {
            class: `pw-target${t.met ? " pw-met" : ""}`,
            "data-category": t.category,
            "data-place": t.place ?? "",
            "data-collected": String(t.collected),
            "data-target": String(t.target),
          },
          el("span", { class: "pw-target-name" }, `${CATEGORY[t.category] ?? t.category}${t.place ? ` at ${this.places.get(t.place) ?? t.place}` : ""}`),
          el(
            "span",
            { class: "pw-bar", role: "meter", "aria-valuemin": "0", "aria-valuemax": String(t.target), "aria-valuenow": String(t.collected) },
            el("span", { class: "pw-bar-fill", style: `width: ${width}%` }),
          ),
          el("span", { class: "pw-target-text" }, `${number(t.collected)} of ${number(t.target)} (${t.percent}%)`),
        );
      });
      const published = Object.entries(c.reported)
        .filter(([, v]) => typeof v === "number")
        .map(([k, v]) => `${k.replaceAll("_", " ")} ${number(v as number)}`);
      return el(
        "article",
        { class: "pw-campaign", "data-campaign": c.code },
        el("h4", {}, c.name, c.synthetic ? el("small", {}, " (synthetic)") : null, " ", labelTag(c.derived_label)),
        el("p", { class: "pw-when" }, `${toDtg(c.start)} – ${c.end ? toDtg(c.end) : "open"} · ${number(c.items_counted)} records counted`),
        ...bars,
        published.length ? el("p", { class: "pw-published" }, `Published: ${published.join(", ")}`) : null,
        c.source ? el("p", { class: "pw-source" }, `Source: ${c.source}`) : null,
      );
    });
    node.replaceChildren(el("h3", {}, "Progress against target"), ...blocks);
  }

  private drawDuplicates(items: Item[]): void {
    const node = this.root?.querySelector("#weapons-duplicates");
    if (!node) return;
    const rows = items.map((i) => {
      const row = el(
        "tr",
        { "data-item": i.id, class: i.id === this.selected ? "pw-selected" : "", tabindex: "0" },
        el("td", {}, i.serial ?? "—", el("small", {}, ` ${i.serial_normalised ?? ""}`)),
        el("td", {}, CATEGORY[i.category] ?? i.category),
        el("td", {}, i.campaign ?? "—", el("br", {}), toDtg(i.collected_at)),
        el("td", { class: "pw-earlier" }, ...i.duplicate_of.flatMap((d) => [el("span", { "data-earlier": d.id }, `${d.campaign ?? "—"} ${toDtg(d.collected_at)}`), el("br", {})])),
        el("td", {}, labelTag(i.label)),
      );
      const pick = (): void => {
        this.selected = i.id;
        for (const r of node.querySelectorAll("tr[data-item]")) r.classList.toggle("pw-selected", r.getAttribute("data-item") === i.id);
        void this.loadItem(this.latest.generation);
      };
      row.addEventListener("click", pick);
      row.addEventListener("keydown", (e) => {
        if (e.key === "Enter") pick();
      });
      return row;
    });
    const table = el(
      "table",
      { id: "weapons-duplicates-table" },
      el("thead", {}, el("tr", {}, ...["Serial (normalised)", "Category", "Handed in", "Seen before", "Label"].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...rows),
    );
    node.replaceChildren(
      el("h3", {}, `Serials seen before (${items.length})`),
      items.length ? table : el("p", {}, "No serial seen twice among the items you may see."),
    );
  }

  private async loadItem(gen: number): Promise<void> {
    const root = this.root;
    if (!root) return;
    const node = root.querySelector("#weapons-custody");
    const uid = this.selected;
    if (!uid) {
      node?.replaceChildren();
      this.itemLabels = [];
      root.dataset.item = "";
      root.dataset.ready = "true";
      return;
    }
    try {
      const item = await getJson<ItemDetail>(`/api/v1/weapons/items/${encodeURIComponent(uid)}`, this.latest.signal);
      if (!this.latest.current(gen) || uid !== this.selected) return;
      this.itemLabels = [item.label, ...item.custody.map((c) => c.label), ...(item.reports ?? []).map((r) => r.label)];
      const cited = citedReports(item.reports, (id) => this.context().openReport(id));
      const steps = item.custody.map((c) =>
        el(
          "li",
          { "data-state": c.state, "data-seq": String(c.seq) },
          el("strong", {}, c.state),
          ` ${toDtg(c.at)} · ${c.by} · ${c.place}`,
          c.note ? el("small", {}, ` — ${c.note}`) : null,
          " ",
          labelTag(c.label),
        ),
      );
      node?.replaceChildren(
        el("h3", {}, `Chain of custody: ${item.serial ?? item.id}`),
        el("p", {}, `${CATEGORY[item.category] ?? item.category}${item.calibre ? `, ${item.calibre}` : ""} · ${item.quantity > 1 ? `${number(item.quantity)} · ` : ""}now ${item.custody_state} `, labelTag(item.label)),
        el("ol", { id: "weapons-custody-chain" }, ...steps),
        ...(cited ? [el("div", { id: "weapons-item-reports" }, el("h4", {}, "Filed from"), cited)] : []),
      );
      root.dataset.item = uid;
      root.dataset.ready = "true";
    } catch (err) {
      this.failed(root, gen, err, "Item");
    }
  }

  private drawMap(points: FeatureCollection): void {
    const map = this.context().map;
    if (!map) return;
    const source = map.getSource(SOURCE) as GeoJSONSource | undefined;
    if (source) {
      source.setData(points);
      return;
    }
    map.addSource(SOURCE, { type: "geojson", data: points });
    map.addLayer({
      id: LAYERS[0],
      type: "circle",
      source: SOURCE,
      paint: circlePaint({ "circle-radius": 6, "circle-color": "#6a3d9a", "circle-stroke-color": "#fff", "circle-stroke-width": 2 }),
    });
    map.addLayer({
      id: LAYERS[1],
      type: "symbol",
      source: SOURCE,
      layout: { "text-field": ["get", "place"], "text-font": [FONT], "text-size": 11, "text-offset": [0, 1.2], "text-anchor": "top" },
      paint: { "text-color": "#3c1f5e", "text-halo-color": "#fff", "text-halo-width": 1.5 },
    });
  }

  markings(): string[] {
    return [...this.labels, ...this.itemLabels];
  }

  clear(): void {
    const map = this.context().map;
    if (map) {
      for (const id of [...LAYERS].reverse()) if (map.getLayer(id)) map.removeLayer(id);
      if (map.getSource(SOURCE)) map.removeSource(SOURCE);
    }
    this.itemLabels = [];
    this.selected = null;
    this.places = new Map();
    super.clear();
  }
}

register(new WeaponsView());
