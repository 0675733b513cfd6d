// The time window the page shows, kept in the URL (day, window, live) so a view can be shared.
import { dayWindow, type TimeSpan } from "./api";
import { dayLabel, toDtg } from "./dtg";

export const WINDOW_KINDS = ["day", "6h", "24h", "7d"] as const;
export type WindowKind = (typeof WINDOW_KINDS)[number];

const HOURS: Record<Exclude<WindowKind, "day">, number> = { "6h": 6, "24h": 24, "7d": 168 };

/** What the user chose: a day, how much time up to its end (or up to now when live). */
export interface TimeChoice {
  /** The chosen UTC day (YYYY-MM-DD); kept while live, for when live is turned off. */
  day: string;
  window: WindowKind;
  /** Follow now: the window ends at the present and slides with it. */
  live: boolean;
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isDay(text: string | null | undefined): text is string {
  return !!text && DAY_RE.test(text) && !Number.isNaN(Date.parse(text));
}

export const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * The window's [start, end). Not live: it ends at the end of the chosen day ("day" is that
 * day, "24h" the 24 hours up to its end). Live: it ends now ("day" is today so far).
 */
export function spanOf(choice: TimeChoice, now: Date = new Date()): TimeSpan {
  if (!choice.live) {
    const day = dayWindow(choice.day);
    if (choice.window === "day") return day;
    return { start: new Date(day.end.getTime() - HOURS[choice.window] * 3_600_000), end: day.end };
  }
  if (choice.window === "day") return { start: dayWindow(isoDay(now)).start, end: now };
  return { start: new Date(now.getTime() - HOURS[choice.window] * 3_600_000), end: now };
}

/** The day the window is about: the chosen day, or today when live. */
export function dayOf(choice: TimeChoice, now: Date = new Date()): string {
  return choice.live ? isoDay(now) : choice.day;
}

/** The choice in the URL; null members where the URL says nothing (or nonsense). */
export function choiceFromUrl(): { day: string | null; window: WindowKind; live: boolean } {
  const q = new URLSearchParams(window.location.search);
  const day = q.get("day");
  const w = q.get("window");
  return {
    day: isDay(day) ? day : null,
    window: (WINDOW_KINDS as readonly string[]).includes(w ?? "") ? (w as WindowKind) : "day",
    live: q.get("live") === "1" || q.get("live") === "true",
  };
}

/** Put the choice in the URL (defaults left out: "?day=1999-06-15" stays as it was). */
export function writeChoiceToUrl(choice: TimeChoice, push: boolean): void {
  const url = new URL(window.location.href);
  url.searchParams.set("day", choice.day);
  if (choice.window === "day") url.searchParams.delete("window");
  else url.searchParams.set("window", choice.window);
  if (choice.live) url.searchParams.set("live", "1");
  else url.searchParams.delete("live");
  if (url.href === window.location.href) return;
  if (push) window.history.pushState(null, "", url);
  else window.history.replaceState(null, "", url);
}

/** How the window reads in the header and the status line. */
export function describe(choice: TimeChoice, span: TimeSpan): string {
  if (choice.live) {
    const what = { day: "today", "6h": "the last 6 h", "24h": "the last 24 h", "7d": "the last 7 days" }[choice.window];
    return `Live: ${what} (from ${toDtg(span.start.toISOString())})`;
  }
  if (choice.window === "day") return dayLabel(choice.day);
  return `${toDtg(span.start.toISOString())} – ${toDtg(span.end.toISOString())}`;
}

/** True when `iso` falls in the window (a live window takes what arrives after its start). */
export function inSpan(iso: string, span: TimeSpan, live: boolean): boolean {
  const t = Date.parse(iso);
  return t >= span.start.getTime() && (live || t < span.end.getTime());
}
