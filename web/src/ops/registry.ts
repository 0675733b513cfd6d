// Mission modules in the browser: each module (patrol coverage, convoys, weapons collection,
// counter-trafficking, partners) registers a view here; the Operations panel shows them as
// tabs over the map and tells them which mission and time window the map shows.
import type { Map as MapLibreMap } from "maplibre-gl";
import type { Mission, TimeSpan, User } from "../api";

/** What a module's view may know of the page. */
export interface OpsContext {
  mission: Mission | null;
  /** The map's window [start, end), or null before the first load. */
  span: TimeSpan | null;
  user: User | null;
  map: MapLibreMap | null;
}

export interface OpsModule {
  /** Short id, used in element ids (`ops-<id>`) and in the URL (`ops=<id>`). */
  id: string;
  title: string;
  /** Build the view inside `container` (once per login); `ctx` gives the current context. */
  mount(container: HTMLElement, ctx: () => OpsContext): void;
  /** The context changed (window, mission) or the tab was opened: fetch and redraw. */
  refresh(): void;
  /** The labels of what the view shows now (the page's classification banners count them). */
  markings(): string[];
  /** Forget everything (logout). */
  clear(): void;
}

export const modules: OpsModule[] = [];

export function register(module: OpsModule): void {
  if (modules.some((m) => m.id === module.id)) throw new Error(`ops module ${module.id} registered twice`);
  modules.push(module);
}
