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

/**
 * The latest of a view's loads: starting one aborts the one before it, and a load that was
 * overtaken (a newer window, a logout) is told so and draws nothing.
 */
export class LatestLoad {
  private count = 0;
  private controller: AbortController | null = null;

  /** Start a load (aborting the previous one): its number and the signal its fetches take. */
  start(): { gen: number; signal: AbortSignal } {
    this.controller?.abort();
    this.controller = new AbortController();
    return { gen: ++this.count, signal: this.controller.signal };
  }

  /** The number of the latest load. */
  get generation(): number {
    return this.count;
  }

  /** The latest load's signal, for a follow-up fetch that belongs to it. */
  get signal(): AbortSignal | undefined {
    return this.controller?.signal;
  }

  /** Load `gen` is still the latest. */
  current(gen: number): boolean {
    return gen === this.count;
  }

  /** Whether load `gen`'s failure is worth showing: not when it was overtaken or aborted. */
  shows(gen: number, err: unknown): boolean {
    return this.current(gen) && !(err instanceof DOMException && err.name === "AbortError");
  }

  /** Forget every load under way (logout). */
  cancel(): void {
    this.count++;
    this.controller?.abort();
    this.controller = null;
  }
}
