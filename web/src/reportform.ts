// The reporting form: a new report filed from the map page (POST /api/v1/reports with the
// session's CSRF token). The location comes from a click on the map or a typed MGRS grid;
// problems, the page's own and the server's problem+json `errors`, are shown next to the
// field they name.
import { type Map as MapLibreMap, Marker } from "maplibre-gl";
import { ApiError, isoTime, sendJson } from "./api";
import { byId, el } from "./dom";
import { fromMgrs, type LonLat, lonLatText, toMgrs } from "./geo";
import { FILEABLE_KINDS } from "./kinds";

/** Field name in the form -> the ids of its input and error line. */
const FIELDS = ["kind", "title", "text", "observed", "mgrs", "party", "grade", "label"] as const;
type Field = (typeof FIELDS)[number];

/** Where the server's field names land in the form. */
function formField(serverField: string | undefined): Field | null {
  const f = (serverField ?? "").replace(/^properties\./, "");
  if (f === "observed_at") return "observed";
  if (f === "lon" || f === "lat" || f.startsWith("geometry") || f === "location") return "mgrs";
  return (FIELDS as readonly string[]).includes(f) ? (f as Field) : null;
}

const GRADES = ["A", "B", "C", "D", "E", "F"].flatMap((r) => ["1", "2", "3", "4", "5", "6"].map((c) => r + c));

/** A datetime-local value (read as UTC) for an instant, to the minute. */
export function localValue(d: Date): string {
  return d.toISOString().slice(0, 16);
}

/** The instant of a datetime-local value read as UTC, or null. */
export function fromLocalValue(value: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const d = new Date(`${value.length === 16 ? `${value}:00` : value}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

export interface ReportFormContext {
  map(): MapLibreMap | null;
  /** The observed time and label the form starts with. */
  defaults(): { observed: Date; label: string; mission: string | null };
  /** Party codes of the mission. */
  parties(): Promise<string[]>;
  /** The report was accepted: show it. */
  filed(id: string): Promise<void>;
}

export class ReportForm {
  private location: LonLat | null = null;
  private marker: Marker | null = null;
  private busy = false;

  constructor(private readonly ctx: ReportFormContext) {}

  get isOpen(): boolean {
    return !byId("report-form").hidden;
  }

  private input<T extends HTMLElement = HTMLInputElement>(f: Field): T {
    return byId<T>(`rf-${f}`);
  }

  wire(): void {
    byId<HTMLSelectElement>("rf-kind").replaceChildren(
      ...FILEABLE_KINDS.map((k) => el("option", { value: k.kind }, k.label)),
    );
    byId<HTMLSelectElement>("rf-grade").replaceChildren(
      el("option", { value: "" }, "— (ungraded)"),
      ...GRADES.map((g) => el("option", { value: g }, g)),
    );
    byId("new-report").addEventListener("click", () => (this.isOpen ? this.close() : this.open()));
    byId("rf-cancel").addEventListener("click", () => this.close());
    const mgrs = this.input("mgrs");
    mgrs.addEventListener("change", () => this.typedGrid());
    byId<HTMLFormElement>("report-form").addEventListener("submit", (e) => {
      e.preventDefault();
      void this.submit();
    });
  }

  open(): void {
    const d = this.ctx.defaults();
    const form = byId<HTMLFormElement>("report-form");
    form.reset();
    this.clearErrors();
    this.setLocation(null);
    this.input("observed").value = localValue(d.observed);
    this.input("label").value = d.label;
    form.hidden = false;
    byId("new-report").setAttribute("aria-pressed", "true");
    this.input("title").focus();
    void this.ctx
      .parties()
      .then((codes) => {
        const select = this.input<HTMLSelectElement>("party");
        const chosen = select.value;
        select.replaceChildren(el("option", { value: "" }, "—"), ...codes.map((c) => el("option", { value: c }, c)));
        select.value = codes.includes(chosen) ? chosen : "";
      })
      .catch(() => undefined); // the party stays "—"; the server names a wrong one anyway
  }

  close(): void {
    byId("report-form").hidden = true;
    byId("new-report").setAttribute("aria-pressed", "false");
    this.setLocation(null);
  }

  /** A click on the map while the form is open: the report's place. */
  pick(lonLat: LonLat): void {
    this.setLocation(lonLat, true);
    this.showError("mgrs", "");
  }

  private typedGrid(): void {
    const text = this.input("mgrs").value;
    if (!text.trim()) {
      this.setLocation(null);
      return;
    }
    const at = fromMgrs(text);
    if (at instanceof Error) {
      // Said in the hint line, whose space is kept: the form does not move under the pointer
      // on its way to the submit button. Submitting puts the problem next to the field.
      this.setLocation(null);
      byId("rf-lonlat").textContent = "not a grid yet";
    } else {
      this.setLocation(at);
      this.showError("mgrs", "");
    }
  }

  private setLocation(lonLat: LonLat | null, writeGrid = false): void {
    this.location = lonLat;
    byId("rf-lonlat").textContent = lonLat ? lonLatText(lonLat) : "";
    if (writeGrid && lonLat) this.input("mgrs").value = toMgrs(lonLat) ?? "";
    const map = this.ctx.map();
    if (!lonLat || !map) {
      this.marker?.remove();
      this.marker = null;
      return;
    }
    this.marker ??= new Marker({ color: "#1f4e9c" });
    this.marker.setLngLat(lonLat).addTo(map);
  }

  private clearErrors(): void {
    for (const f of FIELDS) this.showError(f, "");
    byId("rf-message").textContent = "";
  }

  private showError(f: Field, message: string): void {
    const node = byId(`rf-${f}-error`);
    node.textContent = message;
    const input = this.input(f);
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  /** The page's own checks: what the server cannot judge or would take silently. */
  private check(): boolean {
    let ok = true;
    if (!this.input("title").value.trim()) {
      this.showError("title", "a title is required");
      ok = false;
    }
    if (!fromLocalValue(this.input("observed").value)) {
      this.showError("observed", "give the date and time (UTC) it was observed");
      ok = false;
    }
    const grid = this.input("mgrs").value;
    if (grid.trim()) {
      const at = fromMgrs(grid);
      if (at instanceof Error) {
        this.showError("mgrs", at.message);
        ok = false;
      } else this.setLocation(at);
    } else if (!this.location) {
      this.showError("mgrs", "click the map or type an MGRS grid");
      ok = false;
    }
    if (!this.input("label").value.trim()) {
      this.showError("label", "a label is required");
      ok = false;
    }
    return ok;
  }

  private async submit(): Promise<void> {
    if (this.busy) return;
    this.clearErrors();
    if (!this.check() || !this.location) {
      byId<HTMLFormElement>("report-form").querySelector<HTMLElement>("[aria-invalid='true']")?.focus();
      return;
    }
    const observed = fromLocalValue(this.input("observed").value) as Date;
    const id = crypto.randomUUID();
    const value = (f: Field): string | null => this.input<HTMLInputElement>(f).value.trim() || null;
    const record = {
      type: "Feature",
      id,
      geometry: { type: "Point", coordinates: this.location },
      properties: {
        kind: value("kind"),
        title: value("title"),
        text: value("text"),
        observed_at: isoTime(observed),
        party: value("party"),
        grade: value("grade"),
        label: value("label"),
      },
    };
    const mission = this.ctx.defaults().mission;
    const path = mission ? `/api/v1/reports?${new URLSearchParams({ mission })}` : "/api/v1/reports";
    const submit = byId<HTMLButtonElement>("rf-submit");
    this.busy = true;
    submit.disabled = true;
    try {
      await sendJson("POST", path, record);
      this.close();
      await this.ctx.filed(id);
    } catch (err) {
      const problems = err instanceof ApiError ? (err.problem?.errors ?? []) : [];
      const general: string[] = [];
      for (const p of problems) {
        const f = formField(p.field);
        if (f) this.showError(f, p.message ?? "invalid");
        else general.push([p.field, p.message].filter(Boolean).join(": "));
      }
      if (!problems.length || general.length) {
        const detail = err instanceof ApiError ? err.problem?.detail || err.message : String(err);
        byId("rf-message").textContent = general.length ? general.join("; ") : detail;
        byId("rf-message").className = "form-message error";
      }
    } finally {
      this.busy = false;
      submit.disabled = false;
    }
  }
}
