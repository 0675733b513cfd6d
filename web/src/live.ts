// The live feed: GET /api/v1/stream as Server-Sent Events (same origin, so the session cookie
// goes with it). EventSource reconnects by itself after a dropped connection, sending the
// last event id it saw (Last-Event-ID), and the server resumes from there. It gives up only
// when the server refuses (401 after the session ended, or an error status): then the owner
// decides whether to log in again or to reopen from the last id (`?after=`).
import type { Feature, Point } from "geojson";
import type { EventProperties, ReportProperties, ViolationProperties } from "./api";

/** A unit's new position, as the feed sends it (its id is the unit's). */
export interface PositionProperties {
  id: string;
  unit: string;
  name: string;
  sidc: string;
  party: string | null;
  mission: string | null;
  observed_at: string;
  label: string;
}

export type FeedState = "connecting" | "open" | "closed";

/** The window event the map page sends when a report or violation arrives on the feed (after
 * the label filter: only what the user may see), so that other views can react at once. */
export const FEED_RECORD = "peacewatch:feed-record";
export interface FeedRecord {
  kind: "report" | "violation";
  lon: number;
  lat: number;
}

export interface FeedHandlers {
  report(feature: Feature<Point, ReportProperties>): void;
  violation(feature: Feature<Point, ViolationProperties>): void;
  correction(feature: Feature<Point, ReportProperties>): void;
  /** A fused event holding a new report (new, or grown by it). */
  event(feature: Feature<Point, EventProperties>): void;
  position(feature: Feature<Point, PositionProperties>): void;
  state(state: FeedState): void;
  /** The server refused the stream (EventSource will not retry by itself). */
  refused(): void;
}

export class LiveFeed {
  private source: EventSource | null = null;
  private lastId = "";
  private closed = false;

  constructor(private readonly handlers: FeedHandlers) {}

  /** Connect; resolves once the stream is open (or failed), so nothing written after is missed. */
  open(): Promise<void> {
    this.closed = false;
    const url = this.lastId ? `/api/v1/stream?${new URLSearchParams({ after: this.lastId })}` : "/api/v1/stream";
    const source = new EventSource(url);
    this.source = source;
    this.handlers.state("connecting");
    const listen = <T>(event: string, handle: (f: T) => void): void => {
      source.addEventListener(event, (e: MessageEvent<string>) => {
        if (e.lastEventId) this.lastId = e.lastEventId;
        let data: T;
        try {
          data = JSON.parse(e.data) as T;
        } catch {
          return; // Not ours to crash on: the next event is independent.
        }
        handle(data);
      });
    };
    // The feed's starting point: only its id matters (a later reopen resumes from it).
    listen("resume", () => undefined);
    listen("report", this.handlers.report);
    listen("violation", this.handlers.violation);
    listen("correction", this.handlers.correction);
    listen("event", this.handlers.event);
    listen("position", this.handlers.position);
    return new Promise((resolve) => {
      source.addEventListener("open", () => {
        this.handlers.state("open");
        resolve();
      });
      source.addEventListener("error", () => {
        if (this.closed || source !== this.source) return resolve();
        if (source.readyState === EventSource.CLOSED) {
          this.handlers.state("closed");
          this.handlers.refused();
        } else {
          this.handlers.state("connecting"); // EventSource is retrying on its own.
        }
        resolve();
      });
    });
  }

  close(): void {
    this.closed = true;
    this.source?.close();
    this.source = null;
    this.handlers.state("closed");
  }
}
