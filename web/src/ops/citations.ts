// The field reports a seizure or an item handed in cites, as the user may see them (title,
// observed DTG, label). Each is a button: the map flies to the report and opens its popup when
// the map holds it; otherwise (another window, filtered out) its details open in place.
import type { Feature, Point } from "geojson";
import { getJson, problemDetail, type ReportProperties } from "../api";
import { el } from "../dom";
import { toDtg } from "../dtg";
import { reportKindLabel } from "../kinds";
import { markingClass } from "../marking";
import { reportPopup } from "../popup";

export interface CitedReport {
  id: string;
  kind: string;
  title: string;
  observed_at: string;
  label: string;
}

/** Fly the map to a report and open its popup; false when the map does not hold it. */
export type OpenReport = (id: string) => boolean;

/** The report's details under the list, fetched as the user may see it; a second press hides them. */
function showInPlace(r: CitedReport, place: HTMLElement): void {
  if (place.dataset.report === r.id) {
    place.replaceChildren();
    delete place.dataset.report;
    return;
  }
  place.dataset.report = r.id;
  place.replaceChildren(el("p", { class: "hint" }, "Loading…"));
  getJson<Feature<Point, ReportProperties>>(`/api/v1/reports/${encodeURIComponent(r.id)}`)
    .then((f) => {
      if (place.dataset.report === r.id) place.replaceChildren(reportPopup(f.properties));
    })
    .catch((err: unknown) => {
      if (place.dataset.report === r.id) place.replaceChildren(el("p", { class: "form-message error" }, problemDetail(err)));
    });
}

/** The list of `reports` (null when there are none), each opening its report with `open`. */
export function citedReports(reports: CitedReport[] | undefined, open: OpenReport): HTMLElement | null {
  if (!reports?.length) return null;
  const place = el("div", { class: "pw-cited-detail" });
  const items = reports.map((r) => {
    const button = el(
      "button",
      { type: "button", class: "pw-cited-report", "data-report": r.id, title: "Show this report on the map" },
      r.title || reportKindLabel(r.kind),
    );
    button.addEventListener("click", (e) => {
      // Inside a clickable row (an item of the duplicates table): only the report opens.
      e.stopPropagation();
      if (open(r.id)) {
        place.replaceChildren();
        delete place.dataset.report;
      } else {
        showInPlace(r, place);
      }
    });
    return el(
      "li",
      { "data-report": r.id },
      button,
      " ",
      el("span", { class: "dtg", title: r.observed_at }, toDtg(r.observed_at)),
      " ",
      el("span", { class: `${markingClass(r.label)} pw-label` }, r.label),
    );
  });
  return el("div", { class: "pw-cited" }, el("ul", { class: "pw-cited-list" }, ...items), place);
}
