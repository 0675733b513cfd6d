"""The raw early-warning signals (analytics/signals.py) where sectors overlap, on both backends:
an incident counts in the one sector holding it (store/sectors.py), whether all sectors are
counted or one is asked for alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from peacewatch.analytics import signals
from peacewatch.domain.labels import Classification, Viewer
from peacewatch.ingest import records
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.store import Store
from tests.helpers import report

T0 = datetime(1999, 6, 12, tzinfo=UTC)
WRITER = Viewer("writer", "GBR", Classification.NATO_SECRET, frozenset({"NATO", "KFOR"}))
SHARED = "NATO RESTRICTED REL TO KFOR, NATO"
# "outer" holds "inner" (bad data); 3 shootings in both, 2 in outer only, 1 in neither.
BOXES = {"outer": (20.0, 42.0, 21.0, 43.0), "inner": (20.4, 42.4, 20.6, 42.6)}
SHOTS = [(20.5, 42.5)] * 3 + [(20.2, 42.2)] * 2 + [(19.5, 42.5)]


def _load(store: Store) -> None:
    for uid, (x0, y0, x1, y1) in BOXES.items():
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        records.add_zone(
            store,
            viewer=WRITER,
            data={"uid": uid, "mission": "KFOR", "name": uid.title(), "kind": "sector",
                  "label": SHARED, "geometry": {"type": "Polygon", "coordinates": [ring]}},
        )  # fmt: skip
    rows = [
        report(kind="shooting", lon=x, lat=y, label=SHARED,
               observed_at=(T0 + timedelta(hours=12, minutes=i)).isoformat())
        for i, (x, y) in enumerate(SHOTS)
    ]  # fmt: skip
    assert Pipeline(store, viewer=WRITER, mission="KFOR").run((r["id"], r) for r in rows).accepted


def _incidents(store: Store, only: str | None = None) -> dict[str, int]:
    with store.read() as conn:
        every = signals.sectors_visible(conn, viewer=WRITER, mission="KFOR")
        found = signals.count(
            conn, viewer=WRITER, start=T0, end=T0 + timedelta(days=1), mission="KFOR",
            sectors=signals.resolve_sector(every, only),
        )  # fmt: skip
    return {s.uid: int(found.counts["incidents"][i].sum()) for i, s in enumerate(found.sectors)}


def test_an_incident_in_overlapping_sectors_counts_in_the_smaller_one(store: Store) -> None:
    _load(store)
    assert _incidents(store) == {"inner": 3, "outer": 2}
    assert _incidents(store, "outer") == {"outer": 2}
    assert _incidents(store, "inner") == {"inner": 3}
