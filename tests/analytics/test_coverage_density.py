"""Patrol presence against incident density (analytics/coverage_density.py) on hand-made data
with known answers, on SQLite and PostgreSQL: patrol-days, patrols and kilometres per cell
(metres, not degrees), the under-covered ranking, the window and what a viewer may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import h3
import pyproj
import pytest

from peacewatch.analytics import coverage_density as engine
from peacewatch.domain.labels import Classification, Viewer
from peacewatch.errors import ValidationFailed
from peacewatch.ingest import records
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.store import Store
from tests.conftest import ADMIN
from tests.helpers import report

GEOD = pyproj.Geod(ellps="WGS84")
OPEN = "NATO UNCLASSIFIED REL TO KFOR, NATO"
SECRET = "NATO SECRET REL TO NATO"
RESTRICTED_FRA = Viewer("fra", "FRA", Classification.NATO_RESTRICTED, frozenset({"NATO", "KFOR"}))
WINDOW = (datetime(1999, 7, 1, tzinfo=UTC), datetime(1999, 7, 31, tzinfo=UTC))
RES = 7


def centre(lon: float, lat: float) -> tuple[float, float]:
    """The centre of the resolution-7 cell holding a point (lon, lat)."""
    clat, clon = h3.cell_to_latlng(h3.latlng_to_cell(lat, lon, RES))
    return clon, clat


X = centre(21.0, 42.5)  # 5 incidents, never patrolled
Y = centre(21.3, 42.5)  # 5 incidents, 3 patrol-days, 4 km (and a secret patrol)
Z = centre(20.7, 42.8)  # 1 incident, never patrolled


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def east_west(at: tuple[float, float], metres: float, t0: datetime) -> list[Any]:
    """A straight track of ``metres`` centred on ``at``, west to east, in one hour."""
    west = GEOD.fwd(at[0], at[1], 270, metres / 2)[:2]
    east = GEOD.fwd(at[0], at[1], 90, metres / 2)[:2]
    return [[*west, _iso(t0)], [*east, _iso(t0 + timedelta(hours=1))]]


def patrol(store: Store, uid: str, line: list[Any], label: str = OPEN) -> None:
    records.add_patrol(
        store,
        viewer=ADMIN,
        data={"uid": uid, "mission": "KFOR", "name": uid, "label": label,
              "start": line[0][2], "end": line[-1][2], "track": line},
    )  # fmt: skip


def load(store: Store) -> None:
    when = _iso(datetime(1999, 7, 10, 12, tzinfo=UTC))
    rows = [report(lon=X[0], lat=X[1], observed_at=when, label=OPEN) for _ in range(5)]
    rows += [report(lon=Y[0], lat=Y[1], observed_at=when, label=OPEN) for _ in range(5)]
    rows.append(report(lon=Z[0], lat=Z[1], observed_at=when, label=OPEN))
    rows.append(report(lon=X[0], lat=X[1], observed_at="1999-06-20T12:00:00Z", label=OPEN))
    summary = Pipeline(store, viewer=ADMIN, mission="KFOR").run((r["id"], r) for r in rows)
    assert summary.accepted == len(rows)
    for day in (2, 5):  # patrols through Y on two days, 1 km each
        patrol(store, f"y{day}", east_west(Y, 1000, datetime(1999, 7, day, 8, tzinfo=UTC)))
    # Through Y and back the same day: 2 km, still one patrol-day.
    there = east_west(Y, 1000, datetime(1999, 7, 9, 8, tzinfo=UTC))
    back = [*there[0][:2], _iso(datetime(1999, 7, 9, 10, tzinfo=UTC))]
    patrol(store, "y9", [*there, back])
    patrol(store, "y-secret", east_west(Y, 1000, datetime(1999, 7, 12, 8, tzinfo=UTC)), SECRET)
    patrol(store, "x-before", east_west(X, 1000, datetime(1999, 6, 20, 8, tzinfo=UTC)))


def run(store: Store, viewer: Viewer = RESTRICTED_FRA, **kw: Any) -> dict[str, Any]:
    params = engine.DensityParams(**{"start": WINDOW[0], "end": WINDOW[1], "resolution": RES, **kw})
    with store.read() as conn:
        return engine.coverage_density(conn, viewer=viewer, params=params)


def cell(point: tuple[float, float]) -> str:
    return str(h3.latlng_to_cell(point[1], point[0], RES))


def by_cell(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f["properties"] for f in body["features"]}


def test_patrol_presence_and_incidents_per_cell(store: Store) -> None:
    load(store)
    found = by_cell(run(store))
    y = found[cell(Y)]
    assert (y["incidents"], y["patrols"], y["patrol_days"]) == (5, 3, 3)
    assert y["km"] == pytest.approx(4.0, abs=0.01)
    assert y["incidents_per_patrol_day"] == pytest.approx(5 / 4)
    x = found[cell(X)]
    assert (x["incidents"], x["patrols"], x["patrol_days"], x["km"]) == (5, 0, 0, 0.0)
    assert x["gap"] == pytest.approx(5 / 11, abs=1e-4)
    assert y["patrol_share"] == 1.0 and y["gap"] == pytest.approx(5 / 11 - 1, abs=1e-4)


def test_the_under_covered_ranking(store: Store) -> None:
    load(store)
    body = run(store)
    ranked = [(u["cell"], u["rank"]) for u in body["under_covered"]]
    assert ranked == [(cell(X), 1), (cell(Y), 2), (cell(Z), 3)]
    assert body["under_covered"][0]["incidents_per_patrol_day"] == 5.0
    assert body["under_covered"][2]["incidents_per_patrol_day"] == 1.0
    assert [u["cell"] for u in run(store, limit=1)["under_covered"]] == [cell(X)]


def test_a_cleared_viewer_counts_the_secret_patrol(store: Store) -> None:
    load(store)
    y = by_cell(run(store, viewer=ADMIN))[cell(Y)]
    assert (y["patrols"], y["patrol_days"]) == (4, 4)
    assert {c["label"] for c in y["counts"]} == {OPEN, SECRET}
    assert {c["label"] for c in by_cell(run(store))[cell(Y)]["counts"]} == {OPEN}


def test_a_long_track_is_measured_in_metres_across_cells(store: Store) -> None:
    line = east_west((21.2, 42.6), 12_000, datetime(1999, 7, 3, 8, tzinfo=UTC))
    patrol(store, "long", line)
    body = run(store)
    km = sum(f["properties"]["km"] for f in body["features"])
    assert km == pytest.approx(12.0, rel=0.005)
    assert len(body["features"]) >= 5  # a 12 km line crosses several 1.4 km-edged cells
    assert all(f["properties"]["patrol_days"] == 1 for f in body["features"])
    # Only the part timed inside the window counts: cut the window at half past eight.
    half = run(store, end=datetime(1999, 7, 3, 8, 30, tzinfo=UTC))
    assert sum(f["properties"]["km"] for f in half["features"]) == pytest.approx(6.0, rel=0.02)


def test_bad_parameters_are_named() -> None:
    with pytest.raises(ValidationFailed) as bad:
        engine.DensityParams(resolution=3, limit=0).check()
    assert [p.field for p in bad.value.problems] == ["resolution", "limit"]
