// The time window the page shows, kept in the URL so a view can be shared: the day (`day`),
// how much time up to its end (`window`), the slider's position, i.e. the window's end (`t`),
// a custom window (`window=custom&from=…&to=…`) and live mode (`live`).
import { dayWindow, isoTime, type TimeSpan } from "./api";
import { dayLabel, toDtg } from "./dtg";

export const WINDOW_KINDS = ["day", "6h", "24h", "7d", "custom"] as const;
export type WindowKind = (typeof WINDOW_KINDS)[number];

const HOURS: Record<Exclude<WindowKind, "custom">, number> = { day: 24, "6h": 6, "24h": 24, "7d": 168 };
const HOUR_MS = 3_600_000;

/** What the user chose: a day, how much time up to its end (or up to now when live). */
export interface TimeChoice {
  /** The chosen UTC day (YYYY-MM-DD); kept while live, for when live is turned off. */
  day: string;
  window: WindowKind;
  /** Follow now: the window ends at the present and slides with it. */
  live: boolean;
  /** The slider's position: the window ends here (ISO instant) instead of at the day's end. */
  t: string | null;
  /** A custom window [from, to) (ISO instants), when `window` is "custom". */
  from: string | null;
  to: string | null;
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isDay(text: string | null | undefined): text is string {
  return !!text && DAY_RE.test(text) && !Number.isNaN(Date.parse(text));
}

/** An ISO 8601 instant with its zone (what `t`, `from` and `to` hold). */
export function isInstant(text: string | null | undefined): text is string {
  return !!text && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)
    && !Number.isNaN(Date.parse(text));
}

export const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

/** The day an exclusive end instant closes (midnight ends the day before). */
const dayEndedBy = (end: Date): string => isoDay(new Date(end.getTime() - 1));

/**
 * The window's [start, end). Live: it ends now ("day" is today so far). Custom: [from, to).
 * Otherwise it ends at the slider's position `t`, or at the end of the chosen day ("day" is
 * that day, "24h" the 24 hours up to its end); a window that ends at `t` is the 24 h before it.
 */
export function spanOf(choice: TimeChoice, now: Date = new Date()): TimeSpan {
  if (choice.live) {
    if (choice.window === "day" || choice.window === "custom") return { start: dayWindow(isoDay(now)).start, end: now };
    return { start: new Date(now.getTime() - HOURS[choice.window] * HOUR_MS), end: now };
  }
  if (choice.window === "custom" && choice.from && choice.to) {
    return { start: new Date(choice.from), end: new Date(choice.to) };
  }
  const day = dayWindow(choice.day);
  const hours = HOURS[choice.window === "custom" ? "day" : choice.window];
  if (choice.t) {
    const end = new Date(choice.t);
    return { start: new Date(end.getTime() - hours * HOUR_MS), end };
  }
  if (choice.window === "day" || choice.window === "custom") return day;
  return { start: new Date(day.end.getTime() - hours * HOUR_MS), end: day.end };
}

/** The day the window is about: today when live, else the day its end closes. */
export function dayOf(choice: TimeChoice, now: Date = new Date()): string {
  if (choice.live) return isoDay(now);
  if (choice.window === "custom" && choice.to) return dayEndedBy(new Date(choice.to));
  if (choice.t) return dayEndedBy(new Date(choice.t));
  return choice.day;
}

/** The choice in the URL; null members where the URL says nothing (or nonsense). */
export function choiceFromUrl(): Omit<TimeChoice, "day"> & { day: string | null } {
  const q = new URLSearchParams(window.location.search);
  const day = q.get("day");
  const w = q.get("window");
  let window_: WindowKind = (WINDOW_KINDS as readonly string[]).includes(w ?? "") ? (w as WindowKind) : "day";
  const t = q.get("t");
  let from = q.get("from");
  let to = q.get("to");
  if (!isInstant(from) || !isInstant(to) || Date.parse(from) >= Date.parse(to)) {
    from = to = null;
    if (window_ === "custom") window_ = "day";
  }
  return {
    day: isDay(day) ? day : null,
    window: window_,
    live: q.get("live") === "1" || q.get("live") === "true",
    t: isInstant(t) ? isoTime(new Date(t)) : null,
    from: from && isoTime(new Date(from)),
    to: to && isoTime(new Date(to)),
  };
}

/** Put the choice in the URL (defaults left out: "?day=1999-06-15" stays as it was). */
export function writeChoiceToUrl(choice: TimeChoice, push: boolean): void {
  const url = new URL(window.location.href);
  const q = url.searchParams;
  q.set("day", choice.day);
  if (choice.window === "day") q.delete("window");
  else q.set("window", choice.window);
  const custom = choice.window === "custom" && choice.from && choice.to;
  if (custom) {
    q.set("from", choice.from as string);
    q.set("to", choice.to as string);
  } else {
    q.delete("from");
    q.delete("to");
  }
  if (choice.t && !custom) q.set("t", choice.t);
  else q.delete("t");
  if (choice.live) q.set("live", "1");
  else q.delete("live");
  if (url.href === window.location.href) return;
  if (push) window.history.pushState(null, "", url);
  else window.history.replaceState(null, "", url);
}

/** How the window reads in the header and the status line. */
export function describe(choice: TimeChoice, span: TimeSpan): string {
  if (choice.live) {
    const what = { day: "today", "6h": "the last 6 h", "24h": "the last 24 h", "7d": "the last 7 days", custom: "today" }[
      choice.window
    ];
    return `Live: ${what} (from ${toDtg(span.start.toISOString())})`;
  }
  if (choice.window === "day" && !choice.t) return dayLabel(choice.day);
  return `${toDtg(span.start.toISOString())} – ${toDtg(span.end.toISOString())}`;
}

/** True when `iso` falls in the window (a live window takes what arrives after its start). */
export function inSpan(iso: string, span: TimeSpan, live: boolean): boolean {
  const t = Date.parse(iso);
  return t >= span.start.getTime() && (live || t < span.end.getTime());
}
