// Military date-time groups (DTG), always in UTC ("Z", zulu): DDHHMMZMONYY.

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** Format an ISO 8601 time as a DTG, e.g. "1999-06-15T12:30:00Z" -> "151230ZJUN99". */
export function toDtg(iso: string | null | undefined): string {
  if (!iso) return "—";
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return (
    pad2(t.getUTCDate()) +
    pad2(t.getUTCHours()) +
    pad2(t.getUTCMinutes()) +
    "Z" +
    MONTHS[t.getUTCMonth()] +
    pad2(t.getUTCFullYear() % 100)
  );
}

/** A calendar day (YYYY-MM-DD, UTC) as shown in the UI, e.g. "15 JUN 99". */
export function dayLabel(day: string): string {
  const t = new Date(`${day}T00:00:00Z`);
  return `${pad2(t.getUTCDate())} ${MONTHS[t.getUTCMonth()]} ${pad2(t.getUTCFullYear() % 100)}`;
}
