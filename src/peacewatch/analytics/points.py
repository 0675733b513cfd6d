"""The visible incidents (reports, or fused events by their first observation) of a window as
arrays — position, time and label — for the analytics that place them on a grid or in a
sector; and the markings helpers they share.

Read through the label filter, like every read; the analytics then split what they count by
the label of what is counted, so each answer takes the most restrictive label of its counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Integer,
    String,
    cast,
    func,
    select,
    type_coerce,
)

from peacewatch.domain.labels import Label, Viewer, most_restrictive
from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.store.label_filter import visible
from peacewatch.store.stats import in_window, markings_of, of_mission
from peacewatch.store.tables import events, reports

SOURCES = ("reports", "events")
Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Points:
    """Incidents as parallel arrays; ``code`` indexes ``markings`` (the label of each)."""

    lon: Array
    lat: Array
    seconds: Array  # since 1970, UTC
    code: Array
    markings: list[str]

    def __len__(self) -> int:
        return len(self.lon)


def source(of: str) -> tuple[Any, Any]:
    """The table counted and its time column, for ``of`` (reports or events)."""
    if of not in SOURCES:
        raise ValidationFailed(
            f"cannot count {of!r}", [FieldProblem("of", f"one of {', '.join(SOURCES)}")]
        )
    if of == "reports":
        return reports, reports.c.observed_at
    return events, events.c.first_observed_at


def incident_points(
    conn: Connection,
    *,
    viewer: Viewer,
    start: datetime | None = None,
    end: datetime | None = None,
    mission: str | None = None,
    of: str = "reports",
) -> Points:
    """Every incident ``viewer`` may see observed in [start, end), as arrays."""
    table, observed = source(of)
    query = select(table.c.lon, table.c.lat, epoch_seconds(conn, observed), table.c.label_id).where(
        visible(table, viewer),
        *in_window(observed, start, end),
        *of_mission(table.c.mission_id, mission),
    )
    rows = conn.execute(query).all()
    if not rows:
        empty = np.zeros(0)
        return Points(empty, empty, empty, np.zeros(0, dtype=np.int64), [])
    lon, lat, when, label_ids = zip(*rows, strict=True)
    ids, code = np.unique(np.array(label_ids, dtype=np.int64), return_inverse=True)
    marks = markings_of(conn, ids.tolist())
    return Points(
        np.array(lon, dtype=float),
        np.array(lat, dtype=float),
        np.array(when, dtype=float),
        code.astype(np.int64),
        [marks[i] for i in ids.tolist()],
    )


def epoch_seconds(conn: Connection, column: Any) -> ColumnElement[Any]:
    """A stored UTC time as seconds since 1970, computed by the database (converting 10^5
    datetimes in Python cost more than the query)."""
    if conn.dialect.name == "postgresql":
        return func.extract("epoch", column)
    # SQLite stores UTC times as fixed-width text "YYYY-MM-DD HH:MM:SS.ffffff" (store/types.py).
    text = type_coerce(column, String)
    whole = cast(func.strftime("%s", func.substr(text, 1, 19)), Integer)  # exact, unlike julianday
    return whole + func.coalesce(cast(func.substr(text, 20, 7), Float), 0.0)


def latest_seconds(
    conn: Connection, *, viewer: Viewer, mission: str | None = None, of: str = "reports"
) -> float | None:
    """When the latest visible incident was observed (seconds since 1970), if any."""
    table, observed = source(of)
    query = select(func.max(observed)).where(
        visible(table, viewer), *of_mission(table.c.mission_id, mission)
    )
    latest = conn.execute(query).scalar()
    return None if latest is None else float(latest.timestamp())


def stricter(a: str, b: str) -> str:
    """The more restrictive of two markings (a count derived from both takes it)."""
    return a if a == b else most_restrictive([Label.parse(a), Label.parse(b)]).marking
