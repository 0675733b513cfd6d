"""Builders for fusion tests: reports at a distance and delay from a base one."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from peacewatch.fusion.cluster import M_PER_DEG
from peacewatch.fusion.engine import attach
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.store import Store
from peacewatch.store.tables import event_reports, events, labels, reports
from tests.conftest import ADMIN
from tests.helpers import T0, report

LON, LAT = 21.166, 42.663
BASE = T0 + timedelta(days=3, hours=12)


def at(east_m: float = 0.0, minutes: float = 0.0, **kw: Any) -> dict[str, Any]:
    """A report ``east_m`` metres east of the base point, ``minutes`` after the base time."""
    lon = LON + east_m / (M_PER_DEG * math.cos(math.radians(LAT)))
    observed = BASE + timedelta(minutes=minutes)
    return report(lon=lon, lat=LAT, observed_at=observed.isoformat(), **kw)


def file(store: Store, *rows: dict[str, Any]) -> None:
    """Ingest ``rows`` in one batch, with fusion attached."""
    attach(store)
    summary = Pipeline(store, viewer=ADMIN, mission="KFOR").run((r["id"], r) for r in rows)
    assert summary.accepted == len(rows), summary.rejected


def grouping(store: Store) -> list[set[str]]:
    """The events as sets of report uuids, sorted by their smallest uuid."""
    with store.read() as conn:
        pairs = conn.execute(
            select(events.c.id, reports.c.uuid)
            .join(event_reports, event_reports.c.event_id == events.c.id)
            .join(reports, reports.c.id == event_reports.c.report_id)
        ).all()
    found: dict[int, set[str]] = {}
    for event_id, uuid in pairs:
        found.setdefault(event_id, set()).add(uuid)
    return sorted(found.values(), key=min)


def stored_events(store: Store) -> list[Any]:
    """Every event row with its label marking, oldest id first."""
    with store.read() as conn:
        return conn.execute(
            select(events, labels.c.marking)
            .join(labels, labels.c.id == events.c.label_id)
            .order_by(events.c.id)
        ).all()
