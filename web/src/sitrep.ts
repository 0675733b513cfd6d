// SITREP: pick a window (by default the last 24 hours of the map's window) and download the
// situation report as PDF or HTML from GET /api/v1/sitrep. The server builds it from what the
// user may see and marks it with the highest classification it holds; nothing is added here.
import "./sitrep.css";

import { ApiError, isoTime, problemDetail, type Mission, type Problem, type TimeSpan } from "./api";
import { byId, el } from "./dom";

const DAY_MS = 86_400_000;

/** What the panel needs of the page: the mission and the map's window. */
export type SitrepContext = () => { mission: Mission | null; span: TimeSpan | null };

/** A datetime-local value (UTC, to the minute) of a Date, and back. */
function localValue(d: Date): string {
  return d.toISOString().slice(0, 16);
}

function fromLocal(value: string): Date | null {
  if (!value) return null;
  const t = Date.parse(`${value}:00Z`);
  return Number.isNaN(t) ? null : new Date(t);
}

function filenameOf(res: Response, fallback: string): string {
  const found = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") ?? "");
  return found ? found[1] : fallback;
}

/** The SITREP panel: toggled from the map's toolbar. */
export class SitrepPanel {
  private context: SitrepContext = () => ({ mission: null, span: null });
  private busy = false;

  private get panel(): HTMLElement {
    return byId("sitrep");
  }

  get isOpen(): boolean {
    return !this.panel.hidden;
  }

  /** Build the panel inside #sitrep and wire its toggle; once, at start-up. */
  wire(context: SitrepContext): void {
    this.context = context;
    const close = el("button", { type: "button", class: "sitrep-close", "aria-label": "Close SITREP" }, "×");
    close.addEventListener("click", () => this.toggle(false));
    const form = el(
      "form",
      { id: "sitrep-form", "aria-label": "SITREP options", novalidate: "" },
      el("label", { for: "sitrep-from" }, "From (UTC)"),
      el("input", { id: "sitrep-from", type: "datetime-local", step: "60", required: "" }),
      el("label", { for: "sitrep-to" }, "To (UTC)"),
      el("input", { id: "sitrep-to", type: "datetime-local", step: "60", required: "" }),
      el("label", { for: "sitrep-format" }, "Format"),
      el(
        "select",
        { id: "sitrep-format" },
        el("option", { value: "pdf" }, "PDF"),
        el("option", { value: "html" }, "HTML"),
      ),
      el("button", { id: "sitrep-download", type: "submit" }, "Download SITREP"),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.download();
    });
    this.panel.replaceChildren(
      el("div", { class: "sitrep-head" }, el("h2", {}, "SITREP"), close),
      el(
        "p",
        { class: "sitrep-hint" },
        "The situation report of a window, built from what you may see: counts against the previous period, significant events, violations, deadlines, patrols, convoys, weapons collected, a map and charts. Its banner is the highest classification it holds.",
      ),
      form,
      el("output", { id: "sitrep-status", role: "status", "aria-live": "polite" }),
    );
    byId("sitrep-toggle").addEventListener("click", () => this.toggle());
  }

  toggle(open = !this.isOpen): void {
    this.panel.hidden = !open;
    byId("sitrep-toggle").setAttribute("aria-pressed", String(open));
    if (open) this.defaults();
  }

  /** Close the panel (logout). */
  clear(): void {
    this.toggle(false);
    this.status("");
  }

  /** The last 24 hours of the map's window (or of now). */
  private defaults(): void {
    const end = this.context().span?.end ?? new Date();
    byId<HTMLInputElement>("sitrep-to").value = localValue(end);
    byId<HTMLInputElement>("sitrep-from").value = localValue(new Date(end.getTime() - DAY_MS));
    this.status("");
  }

  private status(text: string, error = false): void {
    const out = byId("sitrep-status");
    out.textContent = text;
    out.classList.toggle("error", error);
  }

  private async download(): Promise<void> {
    if (this.busy) return;
    const start = fromLocal(byId<HTMLInputElement>("sitrep-from").value);
    const end = fromLocal(byId<HTMLInputElement>("sitrep-to").value);
    if (!start || !end) {
      this.status("Give both the start and the end of the window.", true);
      return;
    }
    const format = byId<HTMLSelectElement>("sitrep-format").value;
    const params = new URLSearchParams({ start: isoTime(start), end: isoTime(end), format });
    const mission = this.context().mission?.code;
    if (mission) params.set("mission", mission);
    const path = `/api/v1/sitrep?${params.toString()}`;
    this.busy = true;
    byId<HTMLButtonElement>("sitrep-download").disabled = true;
    this.status("Preparing the SITREP…");
    try {
      const res = await fetch(path);
      if (!res.ok) {
        let body: Problem | null = null;
        try {
          body = (await res.json()) as Problem;
        } catch {
          body = null;
        }
        throw new ApiError(`/api/v1/sitrep: HTTP ${res.status}`, res.status, body);
      }
      const blob = await res.blob();
      const name = filenameOf(res, `sitrep.${format}`);
      const url = URL.createObjectURL(blob);
      const link = el("a", { href: url, download: name, hidden: "" });
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
      const banner = res.headers.get("X-PeaceWatch-Classification") ?? "";
      this.status(`Downloaded ${name}${banner ? ` (${banner})` : ""}.`);
    } catch (err) {
      this.status(problemDetail(err), true);
    } finally {
      this.busy = false;
      byId<HTMLButtonElement>("sitrep-download").disabled = false;
    }
  }
}

/** The page's one SITREP panel. */
export const sitrepPanel = new SitrepPanel();
