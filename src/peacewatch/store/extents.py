"""Extents of what a viewer may see, split by label (so the extent can carry its label).

The OGC API's collection metadata says where and when a collection's features lie; computed
over every row would tell a viewer about rows they may not see, so each query runs the label
filter and returns one row per label of what it covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, Table, func, select

from peacewatch.domain.labels import Viewer
from peacewatch.store.label_filter import visible
from peacewatch.store.tables import events, labels, violations


@dataclass(frozen=True)
class Extent:
    """A bounding box in CRS84, a time span (None: open or unknown) and the label it covers."""

    label: str
    bbox: tuple[float, float, float, float]
    start: datetime | None
    end: datetime | None


def violation_extents(conn: Connection, *, viewer: Viewer) -> list[Extent]:
    """Where and when the violations ``viewer`` may see lie, one extent per label."""
    t = violations.c.observed_at
    return _extents(conn, viewer, violations, t, t)


def event_extents(conn: Connection, *, viewer: Viewer) -> list[Extent]:
    """Where and when the fused events ``viewer`` may see lie, one extent per label."""
    return _extents(conn, viewer, events, events.c.first_observed_at, events.c.last_observed_at)


def _extents(
    conn: Connection, viewer: Viewer, table: Table, first: Column[Any], last: Column[Any]
) -> list[Extent]:
    query = (
        select(
            labels.c.marking,
            func.min(table.c.lon),
            func.min(table.c.lat),
            func.max(table.c.lon),
            func.max(table.c.lat),
            func.min(first),
            func.max(last),
        )
        .join(labels, labels.c.id == table.c.label_id)
        .where(visible(table, viewer))
        .group_by(labels.c.marking)
    )
    return [
        Extent(str(m), (float(x0), float(y0), float(x1), float(y1)), t0, t1)
        for m, x0, y0, x1, y1, t0, t1 in conn.execute(query)
    ]
