// Mission modules in the browser: each module (patrol coverage, convoys, weapons collection,
// counter-trafficking, partners) registers a view here; the Operations panel shows them as
// tabs over the map and tells them which mission and time window the map shows.
import type { Map as MapLibreMap } from "maplibre-gl";
import { ApiError, type Mission, type TimeSpan, type User } from "../api";

/** What a module's view may know of the page. */
export interface OpsContext {
  mission: Mission | null;
  /** The map's window [start, end), or null before the first load. */
  span: TimeSpan | null;
  user: User | null;
  map: MapLibreMap | null;
  /** Fly the map to a report and open its popup; false when the map does not hold it. */
  openReport: (id: string) => boolean;
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

const NO_CONTEXT = (): OpsContext => ({ mission: null, span: null, user: null, map: null, openReport: () => false });

/**
 * What every module's view shares: the container and context it was mounted with, the labels it
 * shows, its status line (`#<id>-message`) and the bookkeeping around each load — "Loading…"
 * while it runs, `data-ready` false until drawn, a failure shown unless the load was overtaken.
 */
export abstract class OpsView implements OpsModule {
  protected root: HTMLElement | null = null;
  protected context: () => OpsContext = NO_CONTEXT;
  protected labels: string[] = [];
  protected readonly latest = new LatestLoad();

  constructor(
    readonly id: string,
    readonly title: string,
  ) {}

  /** The view's sections, empty until the first load draws them. */
  protected abstract sections(): Node[];

  /** Fetch and draw; set `root.dataset.ready = "true"` once drawn. Throwing marks the view failed. */
  protected abstract load(root: HTMLElement, gen: number, signal: AbortSignal): Promise<void>;

  /** Whether there is anything to load yet (a view may wait for the map's window). */
  protected canLoad(): boolean {
    return true;
  }

  mount(container: HTMLElement, ctx: () => OpsContext): void {
    this.root = container;
    this.context = ctx;
    container.dataset.ready = "false";
    container.replaceChildren(...this.sections());
  }

  refresh(): void {
    void this.run();
  }

  private async run(): Promise<void> {
    const root = this.root;
    if (!root || !this.canLoad()) return;
    const { gen, signal } = this.latest.start();
    root.dataset.ready = "false";
    this.message("Loading…");
    try {
      await this.load(root, gen, signal);
    } catch (err) {
      this.failed(root, gen, err);
    }
  }

  /** Say `text` in the view's status line. */
  protected message(text: string): void {
    const node = this.root?.querySelector<HTMLElement>(`#${this.id}-message`);
    if (node) node.textContent = text;
  }

  /** Load `gen` failed: say why (prefixed by `what`) unless it was overtaken or aborted. */
  protected failed(root: HTMLElement, gen: number, err: unknown, what = this.title): void {
    if (!this.latest.shows(gen, err)) return;
    this.message(err instanceof ApiError ? err.message : `${what}: ${String(err)}`);
    root.dataset.ready = "error";
  }

  markings(): string[] {
    return this.labels;
  }

  clear(): void {
    this.latest.cancel();
    this.labels = [];
    this.root?.replaceChildren();
    this.root = null;
  }
}
