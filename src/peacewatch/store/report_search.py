"""The search filters of report reads: Admiralty grade, words in title or text, and a zone.

Each builds WHERE clauses on ``reports`` for ``reports.report_filters``; none of them is
built unless asked for, so a plain bbox + time read does no more work than before. Bad
values are validation errors naming the query parameter, as a damaged cursor is.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import shapely
from sqlalchemy import ColumnElement, Connection, and_, func, literal, or_, select

from peacewatch.domain.labels import Classification
from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.store.engine import spatial_for
from peacewatch.store.label_filter import visible
from peacewatch.store.tables import reports, zones

BBox = tuple[float, float, float, float]

_GRADE_RE = re.compile(r"^[A-F][1-6]?$")
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 8


def parse_grades(values: Sequence[str]) -> tuple[str, ...]:
    """``["A,B", "c3"]`` → ``("A", "B", "C3")``: reliability letters and whole grades."""
    out: list[str] = []
    for value in values:
        for item in value.split(","):
            code = "".join(item.split()).upper()
            if not code:
                continue
            if not _GRADE_RE.match(code):
                raise ValidationFailed(
                    f"grade {item.strip()!r} is not an Admiralty code",
                    [FieldProblem("grade", "a reliability letter A-F or a grade such as B2")],
                )
            out.append(code)
    return tuple(dict.fromkeys(out))


def parse_classification(value: str | Classification | None) -> Classification | None:
    """A classification marking or abbreviation (``NATO RESTRICTED``, ``NR``), or None."""
    if value is None or isinstance(value, Classification):
        return value
    if not value.strip():
        return None
    try:
        return Classification.parse(value)
    except ValueError as exc:  # LabelError is a ValueError
        raise ValidationFailed(
            str(exc), [FieldProblem("classification", f"unknown classification {value!r}")]
        ) from None


def search_words(q: str | None) -> tuple[str, ...]:
    """The words of a free-text query (each must appear in the title or the text)."""
    if q is None:
        return ()
    if len(q) > MAX_QUERY_CHARS:
        raise ValidationFailed(
            "q is too long", [FieldProblem("q", f"at most {MAX_QUERY_CHARS} characters")]
        )
    words = tuple(dict.fromkeys(q.split()))
    if len(words) > MAX_QUERY_WORDS:
        raise ValidationFailed(
            "q has too many words", [FieldProblem("q", f"at most {MAX_QUERY_WORDS} words")]
        )
    return words


def grade_clause(grades: Sequence[str]) -> ColumnElement[bool]:
    """The report's grade is one of the whole grades, or has one of the reliability letters."""
    letters = [g for g in grades if len(g) == 1]
    whole = [g for g in grades if len(g) == 2]
    parts: list[ColumnElement[bool]] = []
    if letters:
        parts.append(func.substr(reports.c.grade, 1, 1).in_(letters))
    if whole:
        parts.append(reports.c.grade.in_(whole))
    return or_(*parts)


def text_clause(conn: Connection, words: Sequence[str]) -> ColumnElement[bool]:
    """Every word appears in the title or the text, case-insensitively.

    PostgreSQL's ILIKE folds every letter; SQLite's LIKE folds ASCII letters only (its
    ``lower()`` is no better without ICU), so "Ç" matches only "Ç" there.
    """
    postgres = conn.dialect.name == "postgresql"
    clauses = []
    for word in words:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        if postgres:
            match = or_(
                reports.c.title.ilike(pattern, escape="\\"),
                reports.c.text.ilike(pattern, escape="\\"),
            )
        else:
            match = or_(
                reports.c.title.like(pattern, escape="\\"),
                reports.c.text.like(pattern, escape="\\"),
            )
        clauses.append(match)
    return and_(*clauses)


@dataclass(frozen=True)
class ZoneArea:
    """A zone version resolved for a read: its row id, geometry, bounds and validity."""

    id: int
    geometry: shapely.Geometry
    bbox: BBox
    valid_from: datetime | None
    valid_to: datetime | None
    key: str  # names the prepared geometry SQLite's zone_has() tests against

    def narrow(
        self, bbox: BBox | None, start: datetime | None, end: datetime | None
    ) -> tuple[BBox | None, datetime | None, datetime | None, bool]:
        """The read's bbox and window cut to the zone's bounds and validity, and whether
        anything is left (False: the read is empty)."""
        x0, y0, x1, y1 = self.bbox
        if bbox is not None:
            x0, y0 = max(x0, bbox[0]), max(y0, bbox[1])
            x1, y1 = min(x1, bbox[2]), min(y1, bbox[3])
        if self.valid_from is not None and (start is None or start < self.valid_from):
            start = self.valid_from
        if self.valid_to is not None and (end is None or end > self.valid_to):
            end = self.valid_to
        empty = x0 > x1 or y0 > y1 or (start is not None and end is not None and end <= start)
        return (x0, y0, x1, y1), start, end, not empty


def resolve_zone(conn: Connection, *, viewer: Any, uid: str) -> ZoneArea:
    """The zone ``uid`` if ``viewer`` may see it; else a validation error naming ``zone``
    (the same for an absent zone and one not released to the caller)."""
    row = conn.execute(
        select(
            zones.c.id,
            zones.c.geometry,
            zones.c.min_lon,
            zones.c.min_lat,
            zones.c.max_lon,
            zones.c.max_lat,
            zones.c.valid_from,
            zones.c.valid_to,
        ).where(zones.c.uid == uid, visible(zones, viewer))
    ).first()
    if row is None:
        raise ValidationFailed(
            f"no zone {uid}", [FieldProblem("zone", "no such zone visible to you")]
        )
    geometry = row.geometry
    key = hashlib.sha1(shapely.to_wkb(geometry), usedforsecurity=False).hexdigest()
    return ZoneArea(
        id=int(row.id),
        geometry=geometry,
        bbox=(row.min_lon, row.min_lat, row.max_lon, row.max_lat),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        key=key,
    )


def zone_clause(conn: Connection, area: ZoneArea) -> ColumnElement[bool]:
    """The report's point lies in the zone's geometry (its edge included): PostGIS
    ``ST_Intersects``, SQLite a prepared shapely test (sqlite_spatial.zone_has)."""
    spatial = spatial_for(conn)
    if spatial.NAME == "postgresql":
        return spatial.point_in_zone(area.id)  # type: ignore[no-any-return]
    spatial.remember_zone(area.key, area.geometry)
    return func.pw_zone_has(literal(area.key), reports.c.lon, reports.c.lat) == 1
