// Side panel: counts of what is on the map, doubling as the legend.
import type { Places, Reports, Zones } from "./api";
import { byId, el } from "./dom";
import { OTHER_REPORT_COLOR, REPORT_KINDS, ZONE_KINDS } from "./kinds";

function countBy(kinds: Iterable<string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const k of kinds) out.set(k, (out.get(k) ?? 0) + 1);
  return out;
}

export function setCount(id: string, n: number): void {
  const node = byId(id);
  node.textContent = n.toLocaleString("en-GB");
  node.dataset.count = String(n);
}

function zoneSwatch(kind: string, color: string): HTMLElement {
  return el("span", { class: `swatch swatch-zone swatch-${kind}`, style: `--c: ${color}` });
}

export function renderZones(zones: Zones): void {
  setCount("count-zones", zones.features.length);
  const byKind = countBy(zones.features.map((f) => f.properties.kind));
  const known = new Set(ZONE_KINDS.map((k) => k.kind));
  const items = ZONE_KINDS.map((k) =>
    el(
      "li",
      { "data-kind": k.kind, "data-count": String(byKind.get(k.kind) ?? 0) },
      zoneSwatch(k.kind, k.color),
      el("span", { class: "name" }, k.label),
      el("span", { class: "n" }, String(byKind.get(k.kind) ?? 0)),
    ),
  );
  for (const [kind, n] of byKind) {
    if (known.has(kind)) continue;
    items.push(
      el("li", { "data-kind": kind, "data-count": String(n) }, zoneSwatch("other", "#7a7a7a"),
        el("span", { class: "name" }, kind.replaceAll("_", " ")), el("span", { class: "n" }, String(n))),
    );
  }
  byId("zone-legend").replaceChildren(...items);
}

export function renderPlaces(places: Places): void {
  setCount("count-places", places.features.length);
}

export function renderReports(reports: Reports | null): Map<string, number> {
  const features = reports?.features ?? [];
  setCount("count-reports", features.length);
  const byKind = countBy(features.map((f) => f.properties.kind));
  const known = new Set(REPORT_KINDS.map((k) => k.kind));
  const rows = REPORT_KINDS.map((k) => ({ kind: k.kind, label: k.label, color: k.color }));
  for (const kind of byKind.keys()) {
    if (!known.has(kind)) rows.push({ kind, label: kind.replaceAll("_", " "), color: OTHER_REPORT_COLOR });
  }
  byId("report-legend").replaceChildren(
    ...rows.map((r) => {
      const n = byKind.get(r.kind) ?? 0;
      return el(
        "li",
        { "data-kind": r.kind, "data-count": String(n), class: n ? "" : "none" },
        el("span", { class: "swatch swatch-report", style: `--c: ${r.color}` }),
        el("span", { class: "name" }, r.label),
        el("span", { class: "n" }, String(n)),
      );
    }),
  );
  return byKind;
}

/** The empty panel of a page that shows nothing (before login, after logout). */
export function clearPanel(): void {
  for (const id of ["count-zones", "count-places", "count-reports", "count-violations", "count-units"]) {
    const node = byId(id);
    node.textContent = "—";
    node.dataset.count = "";
  }
  byId("report-legend").replaceChildren();
  byId("zone-legend").replaceChildren();
}
