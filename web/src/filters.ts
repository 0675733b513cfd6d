// Filters of the operating picture: report kind, party, zone, source grade, label and a free-text
// search, kept in the URL (so a view can be shared) and applied by the server: the page sends
// them with every read, exactly as GET /api/v1/reports documents them; nothing is hidden here.
import { byId } from "./dom";
import { REPORT_KINDS, reportKindLabel } from "./kinds";

export interface Filters {
  /** Report kinds (none: every kind). */
  kinds: string[];
  /** A party code, or "". */
  party: string;
  /** A zone uid, or "": reports inside that zone while it was in force. */
  zone: string;
  /** Source reliability letters, e.g. "A,B" (at least B), or "". */
  grade: string;
  /** At most this classification, or "". */
  cls: string;
  /** Words that must each appear in a report's title or text. */
  q: string;
}

export const NO_FILTERS: Filters = { kinds: [], party: "", zone: "", grade: "", cls: "", q: "" };

const URL_KEYS = { kinds: "kind", party: "party", zone: "zone", grade: "grade", cls: "cls", q: "q" } as const;

export function filtersFromUrl(search = window.location.search): Filters {
  const p = new URLSearchParams(search);
  const kinds = p
    .getAll("kind")
    .flatMap((k) => k.split(","))
    .map((k) => k.trim())
    .filter(Boolean);
  return {
    kinds: [...new Set(kinds)].sort(),
    party: p.get("party")?.trim() ?? "",
    zone: p.get("zone")?.trim() ?? "",
    grade: p.get("grade")?.trim().toUpperCase() ?? "",
    cls: p.get("cls")?.trim() ?? "",
    q: p.get("q")?.trim() ?? "",
  };
}

/** Put the filters in the address (replacing the entry: filtering is not navigation). */
export function writeFiltersToUrl(f: Filters): void {
  const url = new URL(window.location.href);
  const q = url.searchParams;
  q.delete("kind");
  if (f.kinds.length) q.set("kind", f.kinds.join(","));
  for (const key of ["party", "zone", "grade", "cls", "q"] as const) {
    const value = f[key];
    if (value) q.set(URL_KEYS[key], value);
    else q.delete(URL_KEYS[key]);
  }
  if (url.href !== window.location.href) window.history.replaceState(null, "", url);
}

export function anyFilter(f: Filters): boolean {
  return Boolean(f.kinds.length || f.party || f.zone || f.grade || f.cls || f.q);
}

/** The report list's query parameters for these filters. */
export function reportParams(f: Filters): [string, string][] {
  const out: [string, string][] = f.kinds.map((k) => ["kind", k]);
  if (f.party) out.push(["party", f.party]);
  if (f.zone) out.push(["zone", f.zone]);
  if (f.grade) out.push(["grade", f.grade]);
  if (f.cls) out.push(["classification", f.cls]);
  if (f.q) out.push(["q", f.q]);
  return out;
}

/** The violation list's query parameters (it knows party and zone). */
export function violationParams(f: Filters): [string, string][] {
  const out: [string, string][] = [];
  if (f.party) out.push(["party", f.party]);
  if (f.zone) out.push(["zone", f.zone]);
  return out;
}

/** One line saying what is filtered, for the status line. */
export function describeFilters(f: Filters): string {
  const parts: string[] = [];
  if (f.kinds.length) parts.push(f.kinds.map(reportKindLabel).join(" or "));
  if (f.party) parts.push(`party ${f.party}`);
  if (f.zone) parts.push(`in zone ${f.zone}`);
  if (f.grade) parts.push(`source ${f.grade.split(",").at(-1)} or better`);
  if (f.cls) parts.push(`at most ${f.cls}`);
  if (f.q) parts.push(`“${f.q}”`);
  return parts.join(", ");
}

const GRADES: [string, string][] = [
  ["", "Any source"],
  ["A", "A only (completely reliable)"],
  ["A,B", "B or better"],
  ["A,B,C", "C or better"],
  ["A,B,C,D", "D or better"],
];
const CLASSIFICATIONS = ["NATO UNCLASSIFIED", "NATO RESTRICTED", "NATO CONFIDENTIAL", "NATO SECRET"];
const SEARCH_DELAY_MS = 400;

function option(value: string, text: string): HTMLOptionElement {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = text;
  return o;
}

/** The filter form in the side panel. */
export class FilterPanel {
  private changed: ((f: Filters) => void) | null = null;
  private timer: number | null = null;

  /** Wire the form once; `changed` gets the new filters whenever the operator changes one. */
  wire(changed: (f: Filters) => void): void {
    this.changed = changed;
    const kind = byId<HTMLSelectElement>("filter-kind");
    kind.replaceChildren(option("", "Every kind"), ...REPORT_KINDS.map((k) => option(k.kind, k.label)));
    byId<HTMLSelectElement>("filter-grade").replaceChildren(...GRADES.map(([v, t]) => option(v, t)));
    byId<HTMLSelectElement>("filter-cls").replaceChildren(
      option("", "Any label"),
      ...CLASSIFICATIONS.map((c) => option(c, `At most ${c}`)),
    );
    for (const id of ["filter-kind", "filter-party", "filter-zone", "filter-grade", "filter-cls"]) {
      byId(id).addEventListener("change", () => this.emit());
    }
    const q = byId<HTMLInputElement>("filter-q");
    q.addEventListener("input", () => {
      if (this.timer !== null) window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => this.emit(), SEARCH_DELAY_MS);
    });
    q.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.emit();
      }
    });
    byId("filter-clear").addEventListener("click", () => {
      this.show(NO_FILTERS);
      this.emit();
    });
  }

  /** The parties and zones the user may choose from (those the API returned). */
  setChoices(parties: string[], zones: { uid: string; name: string }[]): void {
    const party = byId<HTMLSelectElement>("filter-party");
    const keepParty = party.value;
    party.replaceChildren(option("", "Every party"), ...parties.map((p) => option(p, p)));
    party.value = parties.includes(keepParty) ? keepParty : "";
    const zone = byId<HTMLSelectElement>("filter-zone");
    const keepZone = zone.value;
    zone.replaceChildren(option("", "Every zone"), ...zones.map((z) => option(z.uid, z.name)));
    zone.value = zones.some((z) => z.uid === keepZone) ? keepZone : "";
  }

  /** Reflect `f` in the form (choices it names that the form lacks are added, so nothing is lost). */
  show(f: Filters): void {
    const set = (id: string, value: string, text = value): void => {
      const select = byId<HTMLSelectElement>(id);
      if (value && ![...select.options].some((o) => o.value === value)) select.append(option(value, text));
      select.value = value;
    };
    set("filter-kind", f.kinds[0] ?? "", reportKindLabel(f.kinds[0] ?? ""));
    set("filter-party", f.party);
    set("filter-zone", f.zone);
    set("filter-grade", f.grade);
    set("filter-cls", f.cls);
    byId<HTMLInputElement>("filter-q").value = f.q;
    byId("filter-clear").hidden = !anyFilter(f);
  }

  read(): Filters {
    const kind = byId<HTMLSelectElement>("filter-kind").value;
    return {
      kinds: kind ? [kind] : [],
      party: byId<HTMLSelectElement>("filter-party").value,
      zone: byId<HTMLSelectElement>("filter-zone").value,
      grade: byId<HTMLSelectElement>("filter-grade").value,
      cls: byId<HTMLSelectElement>("filter-cls").value,
      q: byId<HTMLInputElement>("filter-q").value.trim(),
    };
  }

  private emit(): void {
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = null;
    const f = this.read();
    byId("filter-clear").hidden = !anyFilter(f);
    this.changed?.(f);
  }
}

/** Layer switches in the panel, kept in the URL as `hide=events,tracks`. */
export function hiddenFromUrl(search = window.location.search): Set<string> {
  const raw = new URLSearchParams(search).get("hide") ?? "";
  return new Set(
    raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

export function writeHiddenToUrl(hidden: Set<string>): void {
  const url = new URL(window.location.href);
  if (hidden.size) url.searchParams.set("hide", [...hidden].sort().join(","));
  else url.searchParams.delete("hide");
  if (url.href !== window.location.href) window.history.replaceState(null, "", url);
}
