// A report's "Cited by" in its popup: the seizures and items handed in that were filed citing
// the report and that the user may see (GET /api/v1/reports/{id}/cited-by), asked for when the
// popup opens. Nothing is shown when none cites it, nor when the report is not visible (404).
import { ApiError, getJson, problemDetail } from "./api";
import { el } from "./dom";
import { toDtg } from "./dtg";
import { markingClass } from "./marking";

interface Citing {
  id: string;
  kind: "seizure" | "weapons_item";
  at: string;
  category: string;
  description: string | null;
  quantity: number;
  unit: string | null;
  place: string | null;
  campaign: string | null;
  label: string;
}

function what(c: Citing): string {
  const category = c.category.replaceAll("_", " ");
  if (c.kind === "seizure") return `Seizure: ${c.quantity.toLocaleString("en-GB")} ${c.unit ?? ""} ${category}${c.place ? ` at ${c.place}` : ""}`;
  const many = c.quantity > 1 ? `${c.quantity.toLocaleString("en-GB")} ` : "";
  return `Handed in: ${many}${category}${c.campaign ? ` (${c.campaign})` : ""}`;
}

function row(c: Citing): HTMLElement {
  return el(
    "li",
    { "data-id": c.id, "data-kind": c.kind },
    el("span", { class: markingClass(c.label) }, c.label),
    ` ${what(c)} · `,
    el("span", { class: "dtg", title: c.at }, toDtg(c.at)),
    c.description ? el("div", { class: "text" }, c.description) : null,
  );
}

/** The box listing what cites report `id`, filled (and shown) once the answer is in. */
export function citedBy(id: string): HTMLElement {
  const box = el("div", { class: "cited-by", "data-loaded": "false", hidden: "" });
  getJson<{ items: Citing[] }>(`/api/v1/reports/${encodeURIComponent(id)}/cited-by`)
    .then(({ items }) => {
      box.dataset.count = String(items.length);
      if (items.length) {
        box.replaceChildren(el("h4", {}, "Cited by"), el("ul", { class: "cited-by-list" }, ...items.map(row)));
        box.hidden = false;
      }
    })
    .catch((err: unknown) => {
      // A report the user may no longer see (or never could): as if nothing cited it.
      if (err instanceof ApiError && err.status === 404) return;
      box.replaceChildren(el("p", { class: "form-message error" }, `Cited by: ${problemDetail(err)}`));
      box.hidden = false;
    })
    .finally(() => {
      box.dataset.loaded = "true";
    });
  return box;
}
