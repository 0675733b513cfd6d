"""The tension index on hand-made data with a known answer, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from peacewatch.analytics import tension
from peacewatch.domain.labels import Classification, Viewer
from peacewatch.ingest import records
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.store import Store
from tests.helpers import report

T0 = datetime(1999, 6, 12, tzinfo=UTC)
WRITER = Viewer("writer", "GBR", Classification.NATO_SECRET, frozenset({"NATO", "KFOR"}))
RESTRICTED = Viewer("r", "GBR", Classification.NATO_RESTRICTED, frozenset({"NATO", "KFOR"}))
SHARED = "NATO RESTRICTED REL TO KFOR, NATO"
SECRET = "NATO SECRET REL TO NATO"
DAYS = 43
SURGE_FROM = 40  # shootings jump from 2 to 12 a day on days 40, 41 and 42
# Day 40: 16 in the last three days against 6 expected, z = 10 / sqrt(7) = 3.78: incidents
# score 3.78 / 6 x 30 = 18.9, watch. Day 41: 26 against 6, z = 7.6: saturated, 30, warning.
WATCH_DAY = T0.date() + timedelta(days=SURGE_FROM)
WARNING_DAY = T0.date() + timedelta(days=SURGE_FROM + 1)
BOXES = {"sector-a": (20.0, 20.5), "sector-b": (21.0, 21.5)}


def _zone(store: Store, uid: str, x0: float, x1: float) -> None:
    ring = [[x0, 42.0], [x1, 42.0], [x1, 43.0], [x0, 43.0], [x0, 42.0]]
    records.add_zone(
        store,
        viewer=WRITER,
        data={"uid": uid, "mission": "KFOR", "name": uid.title(), "kind": "sector",
              "label": SHARED, "geometry": {"type": "Polygon", "coordinates": [ring]}},
    )  # fmt: skip


def _shootings(uid: str, day: int, n: int, label: str = SHARED) -> list[dict[str, Any]]:
    x0, x1 = BOXES[uid]
    at = T0 + timedelta(days=day, hours=12)
    return [
        report(kind="shooting", observed_at=(at + timedelta(minutes=i)).isoformat(),
               lon=(x0 + x1) / 2 + i / 1000, lat=42.5, label=label)
        for i in range(n)
    ]  # fmt: skip


def load_surge(store: Store) -> None:
    """Two sectors with two shootings a day; in sector A, ten more (SECRET) on each of the
    last three days."""
    for uid, (x0, x1) in BOXES.items():
        _zone(store, uid, x0, x1)
    rows = []
    for day in range(DAYS):
        for uid in BOXES:
            rows += _shootings(uid, day, 2)
        if day >= SURGE_FROM:
            rows += _shootings("sector-a", day, 10, SECRET)
    summary = Pipeline(store, viewer=WRITER, mission="KFOR").run((r["id"], r) for r in rows)
    assert summary.accepted == len(rows)


def _compute(store: Store, viewer: Viewer = WRITER) -> tension.Tension:
    with store.read() as conn:
        return tension.compute(
            conn, viewer=viewer, start=T0, end=T0 + timedelta(days=DAYS), mission="KFOR"
        )


def _at(t: tension.Tension, uid: str, day: date) -> tuple[int, int]:
    return [s.uid for s in t.sectors].index(uid), t.days.index(day)


def test_a_rise_of_incidents_crosses_on_the_expected_day(store: Store) -> None:
    load_surge(store)
    t = _compute(store)
    s, d = _at(t, "sector-a", WATCH_DAY)
    assert t.level(s, d - 1) == "normal"
    assert t.index[s, d] == pytest.approx(100 * 0.30 * (10 / np.sqrt(7)) / 6, abs=0.01)
    assert t.level(s, d) == "watch"
    assert t.level(s, d + 1) == "warning"
    warnings = tension.alerts(t, level="warning")
    assert [(a["sector"], a["day"]) for a in warnings] == [("sector-a", WARNING_DAY.isoformat())]
    assert warnings[0]["signals"] == ["incidents"]
    assert warnings[0]["contributions"]["incidents"] == 30.0
    watches = tension.alerts(t)
    assert [(a["day"], a["level"]) for a in watches] == [(WATCH_DAY.isoformat(), "watch")]
    assert SECRET in warnings[0]["labels"]


def test_contributions_add_up_to_the_index(store: Store) -> None:
    load_surge(store)
    t = _compute(store)
    total = sum(t.contributions[n] for n in tension.SIGNALS)
    known = ~np.isnan(t.index)
    assert known.sum() > 2 * 20
    assert np.allclose(np.asarray(total)[known], t.index[known])
    body = tension.body(t, start=T0, end=None)
    sector = next(x for x in body["sectors"] if x["sector"] == "sector-a")
    d = body["days"].index(WARNING_DAY.isoformat())
    parts = sum(sector["contributions"][n][d] for n in body["signals"])
    assert parts == pytest.approx(sector["index"][d], abs=0.05)
    assert sector["recent"]["incidents"][d] == 26 and sector["expected"]["incidents"][d] == 6


def test_a_quiet_sector_stays_low_and_no_baseline_means_no_index(store: Store) -> None:
    load_surge(store)
    t = _compute(store)
    s, _ = _at(t, "sector-b", WARNING_DAY)
    known = t.index[s][~np.isnan(t.index[s])]
    assert known.size >= DAYS - tension.MIN_BASELINE_DAYS - 1
    assert known.max() == 0.0
    # the first days of the store have nothing to compare with
    early = (T0.date() + timedelta(days=tension.MIN_BASELINE_DAYS - 1)) - t.days[0]
    assert t.level(s, early.days) is None
    assert t.level(s, early.days + 1) == "normal"


def test_a_viewer_without_clearance_gets_an_index_without_the_secret_reports(
    store: Store,
) -> None:
    load_surge(store)
    t = _compute(store, RESTRICTED)
    s, d = _at(t, "sector-a", WARNING_DAY)
    assert t.index[s, d] == 0.0
    assert t.recent["incidents"][s, d] == 6
    assert tension.alerts(t) == []
    assert SECRET not in {m for c in t.labels for m in c}
    assert SECRET in {m for c in _compute(store).labels for m in c}


def test_patrols_thinning_out_count_as_a_decline(store: Store) -> None:
    _zone(store, "sector-a", *BOXES["sector-a"])
    for day in range(30):
        if day >= 23:  # a patrol every day, then none in the last week
            break
        at = T0 + timedelta(days=day, hours=8)
        records.add_patrol(
            store,
            viewer=WRITER,
            data={"uid": f"p{day}", "mission": "KFOR", "name": f"Patrol {day}", "label": SHARED,
                  "start": at.isoformat(), "end": (at + timedelta(hours=2)).isoformat(),
                  "track": [[20.1, 42.5, at.isoformat()],
                            [20.2, 42.6, (at + timedelta(hours=1)).isoformat()]]},
        )  # fmt: skip
    rows = _shootings("sector-a", 0, 1) + _shootings("sector-a", 29, 1)
    assert Pipeline(store, viewer=WRITER, mission="KFOR").run((r["id"], r) for r in rows).accepted
    with store.read() as conn:
        t = tension.compute(conn, viewer=WRITER, start=T0, end=T0 + timedelta(days=30))
    last = len(t.days) - 1
    assert t.recent["patrol_decline"][0, last] == 0
    assert t.expected["patrol_decline"][0, last] == 7
    assert t.contributions["patrol_decline"][0, last] == pytest.approx(100 * 0.15)
    assert t.contributions["patrol_decline"][0, 20] == 0.0


def test_an_unknown_sector_is_a_problem_naming_the_field(store: Store) -> None:
    load_surge(store)
    from peacewatch.errors import ValidationFailed

    with store.read() as conn, pytest.raises(ValidationFailed) as caught:
        tension.compute(conn, viewer=WRITER, sector="nowhere")
    assert [p.field for p in caught.value.problems] == ["sector"]


def test_a_window_of_years_is_cut_to_the_longest_and_never_refused(store: Store) -> None:
    """Reports years apart (the dashboards' "whole mission" up to today) and a window whose
    ends fall inside their days: the index covers the latest days it may, without a 422."""
    load_surge(store)
    late = T0 + timedelta(days=3000, hours=7)
    Pipeline(store, viewer=WRITER, mission="KFOR").run(
        (r["id"], r) for r in _shootings("sector-a", 3000, 1)
    )
    with store.read() as conn:
        t = tension.compute(
            conn, viewer=WRITER, start=T0 + timedelta(hours=5), end=late + timedelta(hours=9),
            mission="KFOR",
        )  # fmt: skip
    assert t.days[-1] == late.date()
    assert len(t.days) < 800
