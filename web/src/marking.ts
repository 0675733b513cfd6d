// Confidentiality label markings (STANAG 4774 style): "NATO RESTRICTED REL TO KFOR, NATO".

const LEVELS = ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"] as const;
export type Level = (typeof LEVELS)[number];

/** The classification level named in a marking, or null when none is recognised. */
export function levelOf(marking: string | null | undefined): Level | null {
  const up = (marking ?? "").toUpperCase();
  // Highest first: "UNCLASSIFIED" must not be read as containing "CLASSIFIED"-like words.
  for (const level of [...LEVELS].reverse()) {
    if (new RegExp(`\\b${level}\\b`).test(up)) return level;
  }
  return null;
}

export function levelRank(level: Level | null): number {
  return level === null ? -1 : LEVELS.indexOf(level);
}

/** CSS class for a marking's banner colour. */
export function markingClass(marking: string | null | undefined): string {
  const level = levelOf(marking);
  return level ? `marking marking-${level.toLowerCase()}` : "marking marking-unknown";
}

/** The most restrictive marking of a list (first one wins among equals). */
export function highestMarking(markings: Iterable<string | null | undefined>): string | null {
  let best: string | null = null;
  let bestRank = -2;
  for (const m of markings) {
    if (!m) continue;
    const r = levelRank(levelOf(m));
    if (r > bestRank) {
      best = m;
      bestRank = r;
    }
  }
  return best;
}
