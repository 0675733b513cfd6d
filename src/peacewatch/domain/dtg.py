"""Military date-time groups: DDHHMM, a time-zone letter, month and year (091200ZJUN99)."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, timezone

from peacewatch.domain.errors import DTGError, quoted

__all__ = ["MONTHS", "ZONE_OFFSETS", "format_dtg", "parse_dtg"]

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# Nautical time-zone letters: A-M east of Greenwich (J, local time, is skipped), N-Y west.
ZONE_OFFSETS: dict[str, int] = {
    "Z": 0,
    **{letter: hours for hours, letter in enumerate("ABCDEFGHIKLM", start=1)},
    **{letter: -hours for hours, letter in enumerate("NOPQRSTUVWXY", start=1)},
}

_DTG_RE = re.compile(
    r"^(?P<day>\d{2})\s*(?P<hour>\d{2})(?P<minute>\d{2})\s*(?P<zone>[A-Z])\s*"
    r"(?P<month>[A-Z]{3})\s*(?P<year>\d{4}|\d{2})$",
    re.ASCII,  # ASCII digits only: \d would also take other scripts' digits
)
_EXAMPLE = "e.g. 091200ZJUN99"


def _zone_offset(zone: object, *, field: str) -> timezone:
    letter = zone.strip().upper() if isinstance(zone, str) else None
    if letter not in ZONE_OFFSETS:
        hint = " (J is local time and has no fixed offset)" if letter == "J" else ""
        raise DTGError(f"time-zone letter {quoted(zone)} is not one of A-I, K-Z{hint}", field=field)
    return timezone(timedelta(hours=ZONE_OFFSETS[letter]))


def parse_dtg(text: str, *, pivot_year: int = 1970) -> datetime:
    """Read a DTG such as '091200ZJUN99' or '09 1200Z JUN 1999' into an aware UTC datetime."""
    if isinstance(pivot_year, bool) or not isinstance(pivot_year, int):
        raise DTGError("pivot_year must be a year such as 1970", field="pivot_year")
    if not isinstance(text, str):
        raise DTGError(f"DTG must be text, got {type(text).__name__}", field="dtg")
    clean = text.strip().upper()
    match = _DTG_RE.match(clean)
    if match is None:
        raise DTGError(
            f"DTG {quoted(text.strip())} is not in the form DDHHMM<zone>MONYY, {_EXAMPLE}",
            field="dtg",
        )
    day, hour, minute = (int(match[name]) for name in ("day", "hour", "minute"))
    zone = _zone_offset(match["zone"], field="dtg")
    if match["month"] not in MONTHS:
        raise DTGError(
            f"month {quoted(match['month'])} is not one of {', '.join(MONTHS)}", field="dtg"
        )
    month = MONTHS.index(match["month"]) + 1
    year = int(match["year"])
    if len(match["year"]) == 2:
        # Two-digit years fall in the hundred years starting at pivot_year (1970-2069).
        year += pivot_year - pivot_year % 100
        if year < pivot_year:
            year += 100
    if not 1 <= year <= 9999:
        raise DTGError(f"year {year} is outside 1..9999", field="dtg")
    if hour > 23:
        raise DTGError(f"hour {hour:02d} is outside 00..23", field="dtg")
    if minute > 59:
        raise DTGError(f"minute {minute:02d} is outside 00..59", field="dtg")
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise DTGError(
            f"day {day:02d} does not exist in {MONTHS[month - 1]} {year} "
            f"(expected 01..{days_in_month})",
            field="dtg",
        )
    try:
        return datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC)
    except OverflowError:
        raise DTGError(
            f"DTG {quoted(text.strip())} is outside the supported dates", field="dtg"
        ) from None


def format_dtg(dt: datetime, *, zone: str = "Z", four_digit_year: bool = False) -> str:
    """Write an aware datetime as a DTG in the given zone, e.g. '091200ZJUN99' (seconds dropped)."""
    if not isinstance(dt, datetime):
        raise DTGError(f"expected a datetime, got {type(dt).__name__}", field="dtg")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise DTGError(
            "datetime has no time zone; a DTG needs an aware datetime (e.g. in UTC)", field="dtg"
        )
    offset = _zone_offset(zone, field="zone")
    try:
        local = dt.astimezone(offset)
    except OverflowError:
        raise DTGError("datetime is outside the supported dates", field="dtg") from None
    year = f"{local.year:04d}" if four_digit_year else f"{local.year % 100:02d}"
    return (
        f"{local.day:02d}{local.hour:02d}{local.minute:02d}{zone.strip().upper()}"
        f"{MONTHS[local.month - 1]}{year}"
    )


def parse_time(value: object, *, field: str) -> datetime:
    """An instant from a timezone-aware datetime, ISO 8601 text with a zone, or a DTG; in UTC.

    The one reader of times given by users, so every input path accepts the same forms and
    gives the same errors, naming ``field``.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise DTGError(
                f"{field} must carry a time zone, e.g. 1999-06-15T12:00:00Z", field=field
            )
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise DTGError(f"{field} is outside the supported dates", field=field) from None
    if not isinstance(value, str) or not value.strip():
        raise DTGError(
            f"{field} must be an ISO 8601 time or a DTG such as 151200ZJUN99", field=field
        )
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            return parse_dtg(text)
        except DTGError:
            raise DTGError(
                f"{field} {quoted(text)} is neither an ISO 8601 time nor a DTG such as "
                "151200ZJUN99",
                field=field,
            ) from None
    if parsed.tzinfo is None:
        raise DTGError(f"{field} {quoted(text)} has no time zone; add Z or an offset", field=field)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 is before year 1 in UTC
        raise DTGError(
            f"{field} {quoted(text)} is outside the supported dates", field=field
        ) from None
