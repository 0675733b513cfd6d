"""A patrol carried out with a TAK device: the positions it sends over TCP as raw CoT, some out
of order, are recorded as its unit's planned run, and the plan shows it done."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pyproj

from peacewatch.ingest import patrol_plans as plan_writer
from peacewatch.ingest import records
from peacewatch.ops import patrol_recording
from peacewatch.store import patrol_plans as plan_store
from peacewatch.store import patrols as patrol_store
from tests.conftest import ADMIN
from tests.tak.clients import raw
from tests.tak.conftest import Running

DEVICE = "ANDROID-patrol-recording-1"
OPEN = "NATO UNCLASSIFIED REL TO KFOR, NATO"


def iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sa(at: datetime, lon: float, lat: float = 42.5) -> bytes:
    """The device's own position at ``at`` (machine-generated, as ATAK sends it)."""
    return (
        f'<event version="2.0" uid="{DEVICE}" type="a-f-G-U-C" how="m-g" time="{iso(at)}" '
        f'start="{iso(at)}" stale="{iso(at + timedelta(minutes=5))}">'
        f'<point lat="{lat}" lon="{lon}" hae="0" ce="10" le="10"/>'
        f'<detail><contact callsign="PATROL 1"/></detail></event>'
    ).encode()


def test_cot_positions_carry_out_a_planned_patrol(running_any: Running) -> None:
    store = running_any.store
    patrol_recording.attach(store)
    try:
        _carry_out(running_any)
    finally:
        store.hooks.remove(patrol_recording.record_written)


def _carry_out(running: Running) -> None:
    store = running.store
    now = datetime.now(UTC).replace(microsecond=0)
    records.add_unit(
        store,
        viewer=ADMIN,
        data={"uid": DEVICE, "mission": "KFOR", "name": "PATROL 1", "sidc": "10031000001211000000"},
    )
    run = (now - timedelta(hours=1), now + timedelta(hours=1))
    plan = {
        "mission": "KFOR", "name": "Route Pristina", "unit": DEVICE,
        "geometry": {"type": "LineString", "coordinates": [[21.0, 42.5], [21.05, 42.5]]},
        "start": run[0].isoformat(), "end": run[1].isoformat(),
    }  # fmt: skip
    [plan_uid] = plan_writer.add_plans(store, viewer=ADMIN, items=[plan])
    sent = [(20, 21.02), (10, 21.0), (30, 21.04), (15, 21.01), (25, 21.03)]  # out of order
    before_run = now - timedelta(hours=2)

    async def device() -> None:
        _reader, writer = await raw(running.ports["tcp"])
        writer.write(sa(before_run, 20.9))  # before the run: a position, not the patrol's
        for minutes, lon in sent:
            writer.write(sa(run[0] + timedelta(minutes=minutes), lon))
            await writer.drain()
        writer.close()

    asyncio.run(device())

    def done() -> bool:
        with store.read() as conn:
            [plan] = plan_store.list_plans(conn, viewer=ADMIN, uid=plan_uid)
            patrols = patrol_store.list_patrols(conn, viewer=ADMIN)
        return bool(plan["properties"]["done"]) and len(patrols[0]["properties"]["times"]) == 5

    running.wait_for(lambda: running.status()["positions"] >= 6)
    running.wait_for(done)
    with store.read() as conn:
        [plan] = plan_store.list_plans(conn, viewer=ADMIN, uid=plan_uid)
        [patrol] = patrol_store.list_patrols(conn, viewer=ADMIN)
    [linked] = plan["properties"]["patrols"]
    assert linked["id"] == patrol["id"] == patrol_recording.run_uid(plan_uid, run[0], OPEN)
    props = patrol["properties"]
    assert (props["unit"], props["label"]) == (DEVICE, OPEN)
    assert props["times"] == [(run[0] + timedelta(minutes=m)).isoformat() for m in range(10, 31, 5)]
    lons = [c[0] for c in patrol["geometry"]["coordinates"]]
    assert lons == [21.0, 21.01, 21.02, 21.03, 21.04]
    length = pyproj.Geod(ellps="WGS84").line_length(lons, [42.5] * 5)
    assert 3200 < length < 3400  # 0.04 degrees of longitude at 42.5 N
