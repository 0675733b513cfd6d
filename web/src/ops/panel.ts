// The Operations panel: the mission modules' views as tabs over the map (toggled from the
// map's toolbar), each fetching only while it is the open tab.
import "./modules";
import "../sidepanel.css";
import "./ops.css";
import { byId, el } from "../dom";
import { modules, type OpsContext } from "./registry";

export class OpsPanel {
  private context: () => OpsContext = () => ({ mission: null, span: null, user: null, map: null, openReport: () => false });
  private onMarkings: () => void = () => {};
  private current: string | null = null;
  private mounted = false;

  private get panel(): HTMLElement {
    return byId("ops");
  }

  get isOpen(): boolean {
    return !this.panel.hidden;
  }

  /** Wire the toolbar button once; `context` reads the page's state when a view needs it. */
  wire(context: () => OpsContext, onMarkings: () => void): void {
    this.context = context;
    this.onMarkings = onMarkings;
    const button = byId("ops-toggle");
    button.hidden = modules.length === 0;
    button.addEventListener("click", () => this.toggle());
  }

  private mount(): void {
    if (this.mounted) return;
    this.mounted = true;
    const tabs = el("div", { class: "ops-tabs", role: "tablist", "aria-label": "Mission modules" });
    const close = el("button", { type: "button", class: "ops-close side-panel-close", "aria-label": "Close operations" }, "×");
    const bodies: HTMLElement[] = [];
    for (const m of modules) {
      const tab = el(
        "button",
        { type: "button", role: "tab", id: `ops-tab-${m.id}`, "aria-controls": `ops-${m.id}`, "aria-selected": "false" },
        m.title,
      );
      tab.addEventListener("click", () => this.show(m.id));
      tabs.append(tab);
      const body = el("section", { id: `ops-${m.id}`, class: "ops-view", role: "tabpanel", "aria-label": m.title, hidden: "" });
      bodies.push(body);
    }
    close.addEventListener("click", () => this.toggle(false));
    this.panel.replaceChildren(el("header", { class: "ops-head side-panel-head" }, el("h2", {}, "Operations"), tabs, close), ...bodies);
    for (const m of modules) m.mount(byId(`ops-${m.id}`), this.context);
  }

  toggle(open = !this.isOpen): void {
    if (open) this.mount();
    this.panel.hidden = !open;
    byId("ops-toggle").setAttribute("aria-pressed", String(open));
    if (open) this.show(this.current ?? new URLSearchParams(window.location.search).get("ops") ?? modules[0]?.id ?? "");
    this.onMarkings();
  }

  /** Open one module's tab (and refresh it). */
  show(id: string): void {
    const module = modules.find((m) => m.id === id) ?? modules[0];
    if (!module) return;
    this.current = module.id;
    for (const m of modules) {
      byId(`ops-${m.id}`).hidden = m.id !== module.id;
      byId(`ops-tab-${m.id}`).setAttribute("aria-selected", String(m.id === module.id));
    }
    const url = new URL(window.location.href);
    url.searchParams.set("ops", module.id);
    window.history.replaceState(null, "", url);
    module.refresh();
    this.onMarkings();
  }

  /** The map's window or mission changed: the open view follows. */
  follow(): void {
    if (!this.isOpen || !this.current) return;
    modules.find((m) => m.id === this.current)?.refresh();
  }

  markings(): string[] {
    if (!this.isOpen || !this.current) return [];
    return modules.find((m) => m.id === this.current)?.markings() ?? [];
  }

  clear(): void {
    for (const m of modules) if (this.mounted) m.clear();
    this.panel.hidden = true;
    byId("ops-toggle").setAttribute("aria-pressed", "false");
    this.panel.replaceChildren();
    this.mounted = false;
    this.current = null;
  }
}

export const opsPanel = new OpsPanel();
