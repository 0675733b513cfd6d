"""Hotspots (analytics/hotspots.py) on hand-made data with known answers, on SQLite and
PostgreSQL: a cell with 30 reports this week against 2 a week before is significant, a cell
steady at 10 a week is not, nor is one report in a quiet cell; the test itself checked
against plain sums; and what a viewer may not see does not make a hotspot."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import h3
import numpy as np
import pytest
import shapely

from peacewatch.analytics import hotspots as engine
from peacewatch.domain.labels import Classification, Viewer
from peacewatch.errors import ValidationFailed
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.store import Store
from tests.conftest import ADMIN
from tests.helpers import report

OPEN = "NATO UNCLASSIFIED REL TO KFOR, NATO"
SECRET = "NATO SECRET REL TO NATO"
RESTRICTED_FRA = Viewer("fra", "FRA", Classification.NATO_RESTRICTED, frozenset({"NATO", "KFOR"}))
START = datetime(1999, 8, 9, tzinfo=UTC)  # the window: the week from Monday 9 August
END = START + timedelta(weeks=1)
SURGE = (21.166, 42.663)  # 2 a week for 8 weeks, then 30
STEADY = (20.6, 42.3)  # 10 a week throughout
QUIET = (20.9, 42.9)  # one report, in the window


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def load(store: Store, surge_label: str = OPEN) -> None:
    rows: list[dict[str, Any]] = []

    def add(where: tuple[float, float], n: int, week: int, label: str = OPEN) -> None:
        for i in range(n):
            when = START + timedelta(weeks=week, hours=1 + i * 160 / max(n, 1))
            rows.append(report(lon=where[0], lat=where[1], observed_at=_iso(when), label=label))

    for week in range(-8, 0):
        add(SURGE, 2, week)
        add(STEADY, 10, week)
    add(SURGE, 30, 0, surge_label)
    add(STEADY, 10, 0)
    add(QUIET, 1, 0)
    summary = Pipeline(store, viewer=ADMIN, mission="KFOR").run((r["id"], r) for r in rows)
    assert summary.accepted == len(rows) and not summary.rejected


def run(store: Store, viewer: Viewer = RESTRICTED_FRA, **kw: Any) -> dict[str, Any]:
    params = engine.HotspotParams(start=START, end=END, **kw)
    with store.read() as conn:
        return engine.hotspots(conn, viewer=viewer, params=params)


def cell(point: tuple[float, float], resolution: int = engine.DEFAULT_RESOLUTION) -> str:
    return str(h3.latlng_to_cell(point[1], point[0], resolution))


def by_cell(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f["properties"] for f in body["features"]}


def test_a_surge_is_significant_and_a_steady_cell_is_not(store: Store) -> None:
    load(store)
    body = run(store)
    found = by_cell(body)
    surge, steady, quiet = found[cell(SURGE)], found[cell(STEADY)], found[cell(QUIET)]
    assert (surge["count"], surge["baseline"], surge["baseline_per_week"]) == (30, 16, 2.0)
    assert surge["expected"] == pytest.approx((16 + 0.5) / 8, abs=1e-3)
    assert surge["significant"] and surge["q"] < 1e-10
    assert (steady["count"], steady["baseline"]) == (10, 80)
    assert not steady["significant"] and steady["p"] > 0.4
    assert 0.9 < steady["ratio"] < 1.1
    assert quiet["count"] == 1 and not quiet["significant"]
    assert body["features"][0]["id"] == cell(SURGE)  # most significant first
    assert body["significant"] == 1 and body["cells_tested"] == 3 and body["total"] == 3
    assert body["baseline_start"] == "1999-06-14T00:00:00Z"


def test_cells_are_hexagons_in_longitude_latitude_order(store: Store) -> None:
    load(store)
    feature = next(f for f in run(store)["features"] if f["id"] == cell(SURGE))
    ring = feature["geometry"]["coordinates"][0]
    assert feature["geometry"]["type"] == "Polygon" and len(ring) == 7 and ring[0] == ring[-1]
    assert shapely.Polygon(ring).contains(shapely.Point(*SURGE))
    assert all(20 < lon < 22 and 42 < lat < 43 for lon, lat in ring)


def test_resolution_changes_the_grid(store: Store) -> None:
    load(store)
    coarse = run(store, resolution=5)
    assert cell(SURGE, 5) in by_cell(coarse)
    assert h3.get_resolution(coarse["features"][0]["id"]) == 5
    fine = by_cell(run(store, resolution=9))
    assert fine[cell(SURGE, 9)]["count"] == 30


def test_what_a_viewer_may_not_see_makes_no_hotspot(store: Store) -> None:
    load(store, surge_label=SECRET)
    theirs = by_cell(run(store))
    assert cell(SURGE) not in theirs  # its baseline alone: nothing in the window
    mine = run(store, viewer=ADMIN)
    assert by_cell(mine)[cell(SURGE)]["significant"]
    labels = {c["label"] for c in by_cell(mine)[cell(SURGE)]["counts"]}
    assert labels == {OPEN, SECRET}


def test_the_default_window_is_the_week_to_the_latest_report(store: Store) -> None:
    load(store)
    with store.read() as conn:
        body = engine.hotspots(conn, viewer=ADMIN, params=engine.HotspotParams())
    assert body["end"] is not None and body["end"] < "1999-08-16T00:00:00Z"
    assert by_cell(body)[cell(SURGE)]["significant"]


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"resolution": 4}, "resolution"),
        ({"resolution": 10}, "resolution"),
        ({"baseline_weeks": 0}, "baseline_weeks"),
        ({"alpha": 1.5}, "alpha"),
        ({"of": "rumours"}, "of"),
    ],
)
def test_bad_parameters_are_named(kw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as bad:
        engine.HotspotParams(**kw).check()
    assert [p.field for p in bad.value.problems] == [field]


def _plain_tail(k: int, mu: float) -> float:
    return 1.0 - sum(math.exp(-mu) * mu**i / math.factorial(i) for i in range(k))


@pytest.mark.parametrize(
    ("k", "mu"), [(0, 3.0), (1, 0.0625), (5, 5.0), (10, 10.06), (12, 4.0), (3, 10.0), (40, 35.0)]
)
def test_the_poisson_tail_equals_a_plain_sum(k: int, mu: float) -> None:
    assert engine.poisson_sf(k, mu) == pytest.approx(_plain_tail(k, mu), rel=1e-9, abs=1e-15)


def test_the_poisson_tail_far_out_neither_overflows_nor_rounds_to_zero() -> None:
    tiny = engine.poisson_sf(30, 2.0625)
    assert 0 < tiny < 1e-20
    # The next term is at most the pmf itself times a geometric factor.
    pmf = math.exp(-2.0625 + 30 * math.log(2.0625) - math.lgamma(31))
    assert pmf <= tiny < pmf * 1.1
    assert 0 < engine.poisson_sf(2000, 1500.0) < 1e-30
    assert engine.poisson_sf(1000, 1500.0) == pytest.approx(1.0)


def test_benjamini_hochberg_by_hand() -> None:
    q = engine.benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.5]))
    assert q.tolist() == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])
    assert engine.benjamini_hochberg(np.array([])).tolist() == []
