"""Re-clustering history in bulk (``peacewatch fusion rerun``).

Every report observed since the given time is placed again: the engine's own placements are
dropped (events left empty go, unless an analyst locked them) and the reports are clustered
in time order against the events that remain. Reports an analyst pinned, to an event or out
of fusion, are not touched, and locked events are never dissolved: a re-run never undoes a
decision. One transaction: readers see the old events until it commits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, delete, false, select

from peacewatch.fusion.aggregate import MEMBER_COLUMNS, Member
from peacewatch.fusion.engine import Batch, place, seeds_of, window_start
from peacewatch.fusion.families import FUSED_KINDS
from peacewatch.store import Store, audit
from peacewatch.store.tables import event_reports, events, fusion_pins, reports


@dataclass
class RerunResult:
    """What a re-run did."""

    reports: int = 0
    events: int = 0
    created: int = 0
    seconds: float = 0.0


def rerun(store: Store, *, since: datetime | None, actor: str) -> RerunResult:
    """Re-cluster every report observed at or after ``since`` (all history when None)."""
    started = time.perf_counter()
    result = RerunResult()
    with store.write() as conn:
        _release(conn, since)
        members = _unplaced(conn, since)
        result.reports = len(members)
        e = events.c
        query = select(
            e.id, e.mission_id, e.kind, e.lon, e.lat, e.first_observed_at, e.last_observed_at,
            e.report_count,
        )  # fmt: skip
        if since is not None:
            query = query.where(e.last_observed_at >= window_start(since))
        seeds, seed_ids = seeds_of(list(conn.execute(query)))
        if members:
            result.created = place(conn, Batch.of(members), seeds, seed_ids)
        result.events = len(seed_ids) + result.created
        result.seconds = time.perf_counter() - started
        detail: dict[str, Any] = {"since": since.isoformat() if since else None}
        detail |= {"reports": result.reports, "created": result.created}
        audit.append(conn, actor=actor, action="fusion.rerun", detail=detail)
    return result


def _window(since: datetime | None) -> Select[tuple[int]]:
    query = select(reports.c.id)
    return query if since is None else query.where(reports.c.observed_at >= since)


def _release(conn: Connection, since: datetime | None) -> None:
    """Drop the engine's placements of the window's unpinned reports, and emptied events."""
    pinned = select(fusion_pins.c.report_id)
    conn.execute(
        delete(event_reports).where(
            event_reports.c.report_id.in_(_window(since)),
            event_reports.c.report_id.not_in(pinned),
        )
    )
    conn.execute(
        delete(events).where(
            events.c.locked == false(), events.c.id.not_in(select(event_reports.c.event_id))
        )
    )


def _unplaced(conn: Connection, since: datetime | None) -> list[Member]:
    """The window's fusable reports that are in no event and not pinned, as members."""
    query = (
        select(reports.c.id, *MEMBER_COLUMNS)
        .where(reports.c.kind.in_(FUSED_KINDS))
        .where(reports.c.id.not_in(select(fusion_pins.c.report_id)))
        .where(reports.c.id.not_in(select(event_reports.c.report_id)))
    )
    if since is not None:
        query = query.where(reports.c.observed_at >= since)
    return [Member._make(row) for row in conn.execute(query)]
