"""Query parameters of OGC API – Features (Part 1, Core): bbox, datetime, limit, cursor, f.

OGC clients expect 400 for a bad parameter (FastAPI's own validation answers 422), so these
are read from the query string here and every problem names its parameter.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from starlette.datastructures import QueryParams

from peacewatch.api.deps import parse_bbox
from peacewatch.errors import FieldProblem, PeaceWatchError, ValidationFailed

BBox = tuple[float, float, float, float]
LIMIT_DEFAULT = 100
LIMIT_MAX = 10_000
FORMATS = frozenset({"json", "geojson", "application/json", "application/geo+json"})
ITEMS_PARAMS = frozenset({"bbox", "datetime", "limit", "cursor", "f"})
# RFC 3339 date-time (section 5.6): a full date, a time and a zone; fromisoformat is laxer.
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_TICK = timedelta(microseconds=1)  # stored times have microseconds: [a, b] is [a, b + 1 µs)


class BadParameter(PeaceWatchError):
    """A query parameter of an OGC API request is malformed, out of range or unknown."""

    status = 400
    code = "invalid_parameter"
    title = "Invalid parameter"


def bad(name: str, message: str) -> BadParameter:
    """A 400 problem naming the parameter ``name``."""
    return BadParameter(f"{name}: {message}", [FieldProblem(name, message)])


def check_known(params: QueryParams, allowed: frozenset[str]) -> None:
    """Refuse parameters this resource does not know, and formats other than JSON."""
    unknown = sorted(set(params.keys()) - allowed)
    if unknown:
        raise BadParameter(
            f"unknown query parameter {', '.join(unknown)}",
            [
                FieldProblem(n, f"unknown parameter; use {', '.join(sorted(allowed))}")
                for n in unknown
            ],
        )
    f = params.get("f")
    if f is not None and f.lower() not in FORMATS:
        raise bad("f", "only json (GeoJSON for features) is offered")


@dataclass(frozen=True)
class Interval:
    """A datetime filter: both ends inclusive, ``None`` open; an instant has start == end."""

    start: datetime | None
    end: datetime | None

    @property
    def instant(self) -> bool:
        """Whether this is a single instant rather than an interval."""
        return self.start is not None and self.start == self.end

    def half_open(self) -> tuple[datetime | None, datetime | None]:
        """(inclusive start, exclusive end) as the store's list functions take them."""
        return self.start, None if self.end is None else self.end + _TICK


def _instant(text: str) -> datetime:
    # An unencoded '+' of an offset arrives as a space (form encoding): take it back.
    text = re.sub(r" (\d{2}:\d{2})$", r"+\1", text)
    if not _RFC3339.match(text):
        raise bad("datetime", f"{text!r} is not an RFC 3339 date-time such as 1999-06-15T12:00:00Z")
    head, dot, rest = text.upper().partition(".")
    if dot:  # at most microseconds: Python keeps no more
        digits = re.match(r"\d+", rest)
        assert digits is not None
        text = f"{head}.{digits.group()[:6]}{rest[len(digits.group()) :]}"
    try:
        return datetime.fromisoformat(text.upper()).astimezone(UTC)
    except ValueError:
        raise bad("datetime", f"{text!r} is not a valid date-time") from None


def parse_datetime(value: str | None) -> Interval | None:
    """An instant ``t`` or an interval ``a/b`` (``..`` or empty for an open end); None if absent."""
    if value is None:
        return None
    value = value.strip()
    if "/" not in value:
        if value in ("", ".."):
            raise bad("datetime", "an instant or an interval a/b is needed")
        t = _instant(value)
        return Interval(t, t)
    if value.count("/") != 1:
        raise bad("datetime", "an interval has exactly one '/'")
    a, b = value.split("/")
    start = None if a in ("", "..") else _instant(a)
    end = None if b in ("", "..") else _instant(b)
    if start is not None and end is not None and end < start:
        raise bad("datetime", "the interval ends before it starts")
    return Interval(start, end)


def parse_limit(value: str | None) -> int:
    """The page size: 1..10000, 100 when absent."""
    if value is None:
        return LIMIT_DEFAULT
    try:
        limit = int(value)
    except ValueError:
        raise bad("limit", f"must be an integer from 1 to {LIMIT_MAX}") from None
    if not 1 <= limit <= LIMIT_MAX:
        raise bad("limit", f"must be from 1 to {LIMIT_MAX}")
    return limit


def parse_ogc_bbox(value: str | None) -> BBox | None:
    """``minlon,minlat,maxlon,maxlat`` in CRS84; the 6-number (3D) form is refused."""
    if value is None:
        return None
    if len(value.split(",")) == 6:
        raise bad("bbox", "only the 2D form minlon,minlat,maxlon,maxlat is supported")
    try:
        return parse_bbox(value) if value else None
    except ValidationFailed as exc:
        raise bad("bbox", exc.problems[0].message if exc.problems else exc.detail) from None


def encode_after(feature_id: str) -> str:
    """An opaque cursor for lists ordered by feature id (zones, units)."""
    raw = json.dumps(["after", feature_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_after(cursor: str) -> str:
    """The feature id a cursor of ``encode_after`` points after."""
    try:
        tag, feature_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if tag != "after" or not isinstance(feature_id, str):
            raise ValueError
    except (ValueError, TypeError, UnicodeDecodeError, RecursionError):
        raise bad("cursor", "not a cursor this server issued for this collection") from None
    return feature_id
