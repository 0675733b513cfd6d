"""Positions recorded as the patrols of their units' planned runs, on SQLite and PostgreSQL:
what falls in a run makes one patrol per run and label, linked to its plan, with a track in
time order whatever the order of arrival; what falls outside, or a cancelled plan, makes none;
and a batch of positions of units without plans costs the hook one query."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pyproj
import pytest
import shapely
from sqlalchemy import event, select

from peacewatch.ingest import patrol_plans as plan_writer
from peacewatch.ingest import records
from peacewatch.ops import patrol_recording
from peacewatch.store import Store
from peacewatch.store import patrol_plans as plan_store
from peacewatch.store import patrols as patrol_store
from peacewatch.store.reference import add_places
from peacewatch.store.tables import patrol_tracks, patrols, units
from tests.conftest import ADMIN

GEOD = pyproj.Geod(ellps="WGS84")
OPEN = "NATO UNCLASSIFIED REL TO KFOR, NATO"
RESTRICTED = "NATO RESTRICTED REL TO KFOR, NATO"
SIDC = "10031000001211000000"
RUN = (datetime(1999, 6, 20, 8, tzinfo=UTC), datetime(1999, 6, 20, 12, tzinfo=UTC))
PLAN = {
    "mission": "KFOR", "name": "Route Alpha", "unit": "u-1", "label": OPEN,
    "geometry": {"type": "LineString", "coordinates": [[21.0, 42.5], [21.05, 42.5]]},
    "start": "1999-06-20T08:00:00Z", "end": "1999-06-20T12:00:00Z",
}  # fmt: skip


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def position(minutes: float, lon: float, *, unit: str = "u-1", **extra: Any) -> dict[str, Any]:
    """A position of ``unit`` on latitude 42.5, ``minutes`` after the run began."""
    at = RUN[0] + timedelta(minutes=minutes)
    return {"unit_uid": unit, "observed_at": iso(at), "lon": lon, "lat": 42.5, **extra}


@pytest.fixture
def recording(store: Store) -> Iterator[Store]:
    """The store with the recording hook and two units; the hook is taken off afterwards."""
    patrol_recording.attach(store)
    for uid in ("u-1", "u-2"):
        records.add_unit(
            store, viewer=ADMIN, data={"uid": uid, "mission": "KFOR", "name": uid, "sidc": SIDC}
        )
    try:
        yield store
    finally:
        store.hooks.remove(patrol_recording.record_written)


def add(store: Store, *items: dict[str, Any]) -> None:
    records.add_positions(store, viewer=ADMIN, positions=list(items))


def recorded(store: Store) -> list[dict[str, Any]]:
    with store.read() as conn:
        return patrol_store.list_patrols(conn, viewer=ADMIN)


def coords(feature: dict[str, Any]) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in feature["geometry"]["coordinates"]]


def metres(feature: dict[str, Any]) -> float:
    lons, lats = zip(*feature["geometry"]["coordinates"], strict=True)
    return float(GEOD.line_length(lons, lats))


def test_positions_in_a_run_make_its_patrol(recording: Store) -> None:
    [plan_uid] = plan_writer.add_plans(recording, viewer=ADMIN, items=[PLAN])
    add(recording, position(30, 21.00), position(60, 21.01), position(90, 21.02))
    [patrol] = recorded(recording)
    props = patrol["properties"]
    assert patrol["id"] == patrol_recording.run_uid(plan_uid, RUN[0], OPEN)
    assert (props["unit"], props["label"], props["track_label"]) == ("u-1", OPEN, OPEN)
    assert props["start"] == (RUN[0] + timedelta(minutes=30)).isoformat()
    assert props["end"] == (RUN[0] + timedelta(minutes=90)).isoformat()
    expected = GEOD.line_length([21.0, 21.01, 21.02], [42.5] * 3)
    assert metres(patrol) == pytest.approx(expected, abs=0.01) and 1600 < expected < 1700
    with recording.read() as conn:
        [plan] = plan_store.list_plans(conn, viewer=ADMIN, uid=plan_uid)
        track = conn.execute(select(patrol_tracks.c.start_at, patrol_tracks.c.end_at)).one()
    assert plan["properties"]["done"]
    assert [p["id"] for p in plan["properties"]["patrols"]] == [patrol["id"]]
    assert track == (RUN[0] + timedelta(minutes=30), RUN[0] + timedelta(minutes=90))


def test_positions_outside_a_run_or_without_a_plan_make_nothing(recording: Store) -> None:
    plan_writer.add_plans(recording, viewer=ADMIN, items=[PLAN])
    add(
        recording,
        position(-1, 21.0),  # a minute before the run
        position(241, 21.0),  # a minute after it
        position(60, 21.0, unit="u-2"),  # in the run, but u-2 has no plan
        position(24 * 60 + 60, 21.0),  # the same hours the next day: the plan does not repeat
    )
    assert recorded(recording) == []


def test_out_of_order_positions_make_a_track_in_time_order(recording: Store) -> None:
    plan_writer.add_plans(recording, viewer=ADMIN, items=[PLAN])
    add(recording, position(120, 21.03))  # one position: a track of two equal vertices
    [first] = recorded(recording)
    assert coords(first) == [(21.03, 42.5), (21.03, 42.5)]
    assert metres(first) == 0.0
    add(recording, position(90, 21.02), position(30, 21.00))  # older, and out of order
    add(recording, position(180, 21.05), position(150, 21.04))  # newer: appended
    add(recording, position(60, 21.01), position(150, 21.04))  # one between, one sent again
    [patrol] = recorded(recording)
    props = patrol["properties"]
    lons = [c[0] for c in patrol["geometry"]["coordinates"]]
    assert lons == [21.0, 21.01, 21.02, 21.03, 21.04, 21.05]
    assert props["times"] == [
        (RUN[0] + timedelta(minutes=m)).isoformat() for m in range(30, 181, 30)
    ]
    assert (props["start"], props["end"]) == (props["times"][0], props["times"][-1])
    assert metres(patrol) == pytest.approx(GEOD.line_length([21.0, 21.05], [42.5, 42.5]), abs=0.01)
    with recording.read() as conn:
        assert conn.execute(select(patrol_tracks.c.min_lon, patrol_tracks.c.max_lon)).one() == (
            21.0,
            21.05,
        )


def test_two_labels_make_two_patrols(recording: Store) -> None:
    [plan_uid] = plan_writer.add_plans(recording, viewer=ADMIN, items=[PLAN])
    add(recording, position(30, 21.0), position(60, 21.01, label=RESTRICTED))
    add(recording, position(90, 21.02, label=RESTRICTED))
    found = {p["properties"]["label"]: p for p in recorded(recording)}
    assert set(found) == {OPEN, RESTRICTED}
    assert found[RESTRICTED]["id"] == patrol_recording.run_uid(plan_uid, RUN[0], RESTRICTED)
    assert len(found[RESTRICTED]["properties"]["times"]) == 2
    assert coords(found[OPEN]) == [(21.0, 42.5), (21.0, 42.5)]
    with recording.read() as conn:
        [plan] = plan_store.list_plans(conn, viewer=ADMIN, uid=plan_uid)
    assert len(plan["properties"]["patrols"]) == 2


def test_each_run_of_a_repeated_plan_has_its_patrol(recording: Store) -> None:
    repeated = {**PLAN, "repeat": {"days": ["sun", "thu"], "until": "1999-06-28T00:00:00Z"}}
    [plan_uid] = plan_writer.add_plans(recording, viewer=ADMIN, items=[repeated])
    thursday = 4 * 24 * 60  # 1999-06-20 is a Sunday
    add(recording, position(30, 21.0), position(thursday + 30, 21.0), position(60, 21.01))
    add(recording, position(thursday + 60, 21.02), position(2 * 24 * 60 + 30, 21.0))  # Tuesday
    found = {p["id"]: p for p in recorded(recording)}
    sunday_uid = patrol_recording.run_uid(plan_uid, RUN[0], OPEN)
    thursday_uid = patrol_recording.run_uid(plan_uid, RUN[0] + timedelta(days=4), OPEN)
    assert set(found) == {sunday_uid, thursday_uid}
    assert metres(found[thursday_uid]) == pytest.approx(
        GEOD.line_length([21.0, 21.02], [42.5, 42.5]), abs=0.01
    )


def test_a_cancelled_or_draft_plan_records_nothing(recording: Store) -> None:
    [plan_uid] = plan_writer.add_plans(recording, viewer=ADMIN, items=[PLAN])
    plan_writer.add_plans(
        recording, viewer=ADMIN, items=[{**PLAN, "unit": "u-2", "status": "draft"}]
    )
    add(recording, position(30, 21.0), position(30, 21.0, unit="u-2"))
    [before] = recorded(recording)
    assert before["properties"]["unit"] == "u-1"
    plan_writer.update_plan(recording, viewer=ADMIN, uid=plan_uid, data={"status": "cancelled"})
    add(recording, position(60, 21.01), position(90, 21.02))
    assert recorded(recording) == [before]  # what was recorded stays; nothing is added


def test_a_plan_given_to_another_unit_mid_run_keeps_the_units_apart(recording: Store) -> None:
    [plan_uid] = plan_writer.add_plans(recording, viewer=ADMIN, items=[PLAN])
    add(recording, position(30, 21.0), position(60, 21.01))
    plan_writer.update_plan(recording, viewer=ADMIN, uid=plan_uid, data={"unit": "u-2"})
    add(recording, position(90, 21.02, unit="u-2"), position(90, 21.02))
    [patrol] = recorded(recording)
    assert patrol["properties"]["unit"] == "u-1" and len(patrol["properties"]["times"]) == 2


def test_concurrent_writers_lose_no_point(recording: Store) -> None:
    # On PostgreSQL two transactions extend the same track; each must see the other's points.
    plan_writer.add_plans(recording, viewer=ADMIN, items=[PLAN])
    failures: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            for i in range(10):
                add(recording, position(2 * i + offset, 21.0 + (2 * i + offset) / 1000))
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failures == []
    [patrol] = recorded(recording)
    assert len(patrol["properties"]["times"]) == 20
    assert patrol["properties"]["times"] == sorted(patrol["properties"]["times"])


def test_a_batch_without_planned_units_costs_one_query(recording: Store) -> None:
    plan_writer.add_plans(recording, viewer=ADMIN, items=[PLAN])  # of u-1
    unit_id = _unit_id(recording, "u-2")
    rows = [
        {"id": i, "unit_id": unit_id, "observed_at": RUN[0] + timedelta(seconds=i % 14_000),
         "lon": 21.0, "lat": 42.5, "label_id": 1}
        for i in range(20_000)
    ]  # fmt: skip
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    with recording.write() as conn:
        event.listen(recording.engine, "before_cursor_execute", count)
        try:
            began = time.perf_counter()
            patrol_recording.record_written(conn, "positions", rows)
            took = time.perf_counter() - began
        finally:
            event.remove(recording.engine, "before_cursor_execute", count)
    assert len(statements) == 1 and "patrol_plans" in statements[0]
    assert took < 0.5, f"{took:.3f} s for 20,000 positions of a unit without a run"
    with recording.read() as conn:
        assert conn.execute(select(patrols.c.id)).first() is None


def _unit_id(store: Store, uid: str) -> int:
    with store.read() as conn:
        return int(conn.execute(select(units.c.id).where(units.c.uid == uid)).scalar_one())


def test_the_api_shows_the_plan_done_and_coverage_counts_it(client: Any, store: Store) -> None:
    # The app attaches the hook itself: positions posted to it carry out the plan.
    with store.write() as conn:
        add_places(
            conn, [{"geonames_id": 9100, "name": "Alpha", "kind": "town", "lon": 21.02,
                    "lat": 42.505}],
        )  # fmt: skip
    unit = {"uid": "u-api", "mission": "KFOR", "name": "Patrol 1", "sidc": SIDC}
    assert client.post("/api/v1/units", json=unit).status_code == 201
    made = client.post("/api/v1/patrol-plans", json={**PLAN, "unit": "u-api"})
    assert made.status_code == 201, made.text
    plan_uid = made.json()["id"]
    window = {"mission": "KFOR", "start": "1999-06-19T00:00:00Z", "end": "1999-06-21T00:00:00Z"}
    before = client.get("/api/v1/coverage", params={**window, "kind": "town"}).json()
    assert [f["properties"]["patrols"] for f in before["features"]] == [0]
    body = [
        {k: v for k, v in position(m, lon).items() if k != "unit_uid"}
        for m, lon in ((30, 21.0), (90, 21.02), (60, 21.01))
    ]
    posted = client.post("/api/v1/units/u-api/positions", json=body)
    assert posted.status_code == 201, posted.text
    plan = client.get(f"/api/v1/patrol-plans/{plan_uid}").json()["properties"]
    assert plan["done"]
    [done] = plan["patrols"]
    assert done["id"] == patrol_recording.run_uid(plan_uid, RUN[0], OPEN)
    assert (done["start"], done["end"]) == ("1999-06-20T08:30:00Z", "1999-06-20T09:30:00Z")
    after = client.get("/api/v1/coverage", params={**window, "kind": "town"}).json()
    [alpha] = after["features"]
    assert alpha["properties"]["patrols"] == 1
    assert alpha["properties"]["last_patrolled"] is not None
    track = client.get(f"/api/v1/patrols/{done['id']}").json()
    assert shapely.geometry.shape(track["geometry"]).geom_type == "LineString"
    assert [c[0] for c in track["geometry"]["coordinates"]] == [21.0, 21.01, 21.02]
