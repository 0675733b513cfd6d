"""Convoys' rules on small hand-made data with known answers: route risk (cut-off in metres,
kind and grade weights, decay), the rise-after-departure warning and its alert hook, label
filtering, and the HXL 3W export of deliveries read back with libhxl."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import pytest
import shapely
from sqlalchemy import select

from peacewatch.compliance import judge
from peacewatch.domain.labels import Classification, Label, Viewer
from peacewatch.errors import ValidationFailed
from peacewatch.exports.deliveries import plan_deliveries, write_hxl_3w
from peacewatch.fusion import engine as fusion
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.ops import convoys
from peacewatch.ops.route_risk import RiskParams, score_route
from peacewatch.store import Store, reference
from peacewatch.store.convoys import Candidates
from peacewatch.store.label_filter import intern_label
from peacewatch.store.tables import convoy_alerts, events
from peacewatch.store.writes import insert_row
from tests.conftest import ADMIN
from tests.helpers import report

GEOD = pyproj.Geod(ellps="WGS84")
T = datetime(1999, 7, 10, 12, tzinfo=UTC)
# West to east along 42.60 N, about 8.2 km: a stand-in for the road out of Pristina.
ROUTE = [[21.10, 42.60], [21.20, 42.60]]
SHARED = "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"
NATO_ONLY = "NATO RESTRICTED REL TO KFOR, NATO"
PARTNER = Viewer("liaison", "UKR", Classification.NATO_RESTRICTED, frozenset({"PARTNER"}))


def north_of(lon: float, lat: float, metres: float) -> tuple[float, float]:
    """The point ``metres`` due north of (lon, lat) on the ellipsoid."""
    x, y, _ = GEOD.fwd(lon, lat, 0.0, metres)
    return x, y


def candidates(*items: dict[str, Any]) -> Candidates:
    """Hand-made candidates: each item names source, kind, lon, lat, age_h, grade, state."""
    return Candidates(
        source=[i.get("source", "event") for i in items],
        ids=[i["id"] for i in items],
        kinds=[i["kind"] for i in items],
        lon=np.array([i["lon"] for i in items], dtype=np.float64),
        lat=np.array([i["lat"] for i in items], dtype=np.float64),
        observed=[T - timedelta(hours=i["age_h"]) for i in items],
        grades=[i.get("grade") for i in items],
        states=[i.get("state") for i in items],
        labels=[i.get("label", SHARED) for i in items],
    )


def test_score_weights_kind_grade_and_decay_within_the_cut_off() -> None:
    mid = north_of(21.15, 42.60, 1000)
    outside = north_of(21.15, 42.60, 5200)
    inside = north_of(21.15, 42.60, 4800)
    items = candidates(
        # armed clash, credibility 2, three days old: 1.0 x 0.8 x 0.5
        {"id": "a", "kind": "armed_clash", "lon": mid[0], "lat": mid[1], "age_h": 72,
         "grade": "credibility 2"},
        # roadblock on the road, credibility 6, just now: 0.7 x 0.5 x 1
        {"id": "b", "kind": "roadblock", "lon": 21.11, "lat": 42.60, "age_h": 0,
         "grade": "credibility 6"},
        # 5.2 km off the road: beyond the 5 km cut-off, however grave
        {"id": "c", "kind": "armed_clash", "lon": outside[0], "lat": outside[1], "age_h": 0,
         "grade": "credibility 1"},
        # 4.8 km off: inside, six days old: 0.8 (violation) x B2 (0.9 x 0.8) x 0.25
        {"id": "d", "source": "violation", "kind": "armed_forces", "lon": inside[0],
         "lat": inside[1], "age_h": 144, "grade": "B2", "state": "suspected"},
        # 31 days old: beyond the look-back
        {"id": "e", "kind": "armed_clash", "lon": 21.15, "lat": 42.60, "age_h": 31 * 24,
         "grade": "credibility 1"},
        # after the moment scored: not yet known
        {"id": "f", "kind": "armed_clash", "lon": 21.15, "lat": 42.60, "age_h": -1,
         "grade": "credibility 1"},
        # a confirmed violation counts in full
        {"id": "g", "source": "violation", "kind": "heavy_weapons", "lon": 21.199, "lat": 42.6,
         "age_h": 0, "state": "confirmed"},
    )  # fmt: skip
    scored = score_route(shapely.LineString(ROUTE), items, at=T)
    got = {c["id"]: c for c in scored.contributions}
    assert set(got) == {"a", "b", "d", "g"}
    assert got["a"]["score"] == pytest.approx(0.4, abs=1e-4)
    assert got["b"]["score"] == pytest.approx(0.35, abs=1e-4)
    assert got["d"]["score"] == pytest.approx(0.8 * 0.72 * 0.25, abs=1e-4)
    assert got["g"]["score"] == pytest.approx(1.0, abs=1e-4)
    assert got["a"]["distance_m"] == pytest.approx(1000, rel=0.002)  # metres, not degrees
    assert got["d"]["distance_m"] == pytest.approx(4800, rel=0.002)
    assert got["a"]["weights"] == {"kind": 1.0, "grade": 0.8, "decay": 0.5}
    assert "B2" in got["d"]["why"] and "confirmed" in got["g"]["why"]
    assert scored.total == pytest.approx(0.4 + 0.35 + 0.144 + 1.0, abs=1e-3)
    # Placed along the route: the roadblock near its start, the clash half way, the heavy
    # weapons near its end; the segments sum to the total and follow the route.
    length_km = GEOD.line_length([21.10, 21.20], [42.60, 42.60]) / 1000
    assert len(scored.segments) == math.ceil(length_km)
    assert got["b"]["segment"] == 0 and got["a"]["segment"] == int(length_km / 2)
    assert got["g"]["segment"] == len(scored.segments) - 1
    risks = [s["properties"]["risk"] for s in scored.segments]
    assert sum(risks) == pytest.approx(scored.total, abs=1e-3)
    first = scored.segments[0]["geometry"]["coordinates"]
    assert first[0] == pytest.approx([21.10, 42.60], abs=1e-6)
    assert scored.contributions[0]["id"] == "g"  # the gravest first


def test_a_different_half_life_and_cut_off_change_the_answer() -> None:
    mid = north_of(21.15, 42.60, 3000)
    items = candidates(
        {"id": "a", "kind": "armed_clash", "lon": mid[0], "lat": mid[1], "age_h": 24,
         "grade": "credibility 1"},
    )  # fmt: skip
    line = shapely.LineString(ROUTE)
    assert score_route(line, items, at=T, params=RiskParams(half_life_h=24)).total == 0.5
    assert score_route(line, items, at=T, params=RiskParams(distance_m=2000)).total == 0.0


def _event(store: Store, *, kind: str, lon: float, lat: float, at: datetime, label: str,
           credibility: int) -> str:  # fmt: skip
    uid = str(uuid.uuid4())
    with store.write() as conn:
        mission_id = reference.mission_id(conn, "KFOR")
        insert_row(
            conn, events, uuid=uid, mission_id=mission_id, kind=kind, first_observed_at=at,
            last_observed_at=at, lon=lon, lat=lat, title=kind, attributes={},
            label_id=intern_label(conn, Label.parse(label)), created_by="tests",
            created_at=at, report_count=1, source_count=1, credibility=credibility,
            locked=False,
        )  # fmt: skip
    return uid


def _plan(store: Store, **overrides: Any) -> str:
    data = {
        "uid": "unhcr-1",
        "mission": "KFOR",
        "name": "UNHCR convoy",
        "agency": "UNHCR",
        "route": {"type": "LineString", "coordinates": ROUTE},
        "cargo": [{"item": "wheat flour", "quantity": 20, "unit": "t"}],
        "planned_departure": (T - timedelta(days=1)).isoformat(),
        "planned_arrival": T.isoformat(),
        "label": SHARED,
    }
    return convoys.plan_convoy(store, viewer=ADMIN, data={**data, **overrides})


def test_route_risk_from_the_store_is_label_filtered(store: Store) -> None:
    uid = _plan(store)
    near = north_of(21.15, 42.60, 1000)
    shared = _event(store, kind="armed_clash", lon=near[0], lat=near[1],
                    at=T - timedelta(hours=72), label=SHARED, credibility=2)  # fmt: skip
    secret = _event(store, kind="mine_ied", lon=21.12, lat=42.60, at=T, label=NATO_ONLY,
                    credibility=1)  # fmt: skip
    far = north_of(21.15, 42.60, 5200)
    _event(store, kind="armed_clash", lon=far[0], lat=far[1], at=T, label=SHARED, credibility=1)
    full = convoys.route_risk_of(store, viewer=ADMIN, uid=uid, at=T)
    assert {c["id"] for c in full["contributions"]} == {shared, secret}
    assert full["total"] == pytest.approx(0.4 + 1.0, abs=1e-4)
    assert full["label"] == NATO_ONLY  # derived: the most restrictive of its inputs
    partner = convoys.route_risk_of(store, viewer=PARTNER, uid=uid, at=T)
    assert [c["id"] for c in partner["contributions"]] == [shared]
    assert partner["total"] == pytest.approx(0.4, abs=1e-4)
    assert partner["label"] == SHARED
    assert partner["params"]["half_life_h"] == 72.0
    # The partner cannot see a NATO-only convoy at all.
    hidden = _plan(store, uid="wfp-2", label=NATO_ONLY)
    with pytest.raises(Exception, match="no convoy"):
        convoys.route_risk_of(store, viewer=PARTNER, uid=hidden)


def test_a_report_near_a_convoy_under_way_raises_its_risk_and_an_alert(store: Store) -> None:
    judge.attach(store)  # as the app does: judged, fused, then convoys alerted
    fusion.attach(store)
    convoys.attach(store)
    uid = _plan(store)
    before = north_of(21.13, 42.60, 500)
    _event(store, kind="roadblock", lon=before[0], lat=before[1], at=T - timedelta(hours=30),
           label=SHARED, credibility=3)  # fmt: skip
    departed = T - timedelta(hours=6)
    convoys.set_status(store, viewer=ADMIN, uid=uid, status="under_way", at=departed)
    risk = convoys.route_risk_of(store, viewer=ADMIN, uid=uid, at=T)
    assert risk["warning"]["risen"] is False  # only older news, decaying
    assert risk["warning"]["now"] < risk["warning"]["at_departure"]
    # Shots reported 300 m from the road two hours after departure, and one far away.
    near = north_of(21.16, 42.60, 300)
    rows = [
        report(kind="shooting", lon=near[0], lat=near[1], label=SHARED, grade="B2",
               observed_at=(T - timedelta(hours=4)).isoformat()),
        report(kind="shooting", lon=21.5, lat=42.9, label=SHARED,
               observed_at=(T - timedelta(hours=4)).isoformat()),
    ]  # fmt: skip
    assert Pipeline(store, viewer=ADMIN, mission="KFOR").run((r["id"], r) for r in rows).accepted
    with store.read() as conn:  # raised in the report's own transaction
        alerted = conn.execute(select(convoy_alerts.c.distance_m)).scalars().all()
    assert len(alerted) == 1 and alerted[0] == pytest.approx(300, rel=0.01)
    risk = convoys.route_risk_of(store, viewer=ADMIN, uid=uid, at=T)
    warning = risk["warning"]
    assert warning["risen"] is True
    assert warning["now"] > warning["at_departure"]
    assert [n["source"] for n in warning["new"]] == ["event"]
    assert "rose" in warning["message"]
    detail = convoys.get_convoy(store, viewer=ADMIN, uid=uid)
    assert detail["alerts"][0]["report"] == rows[0]["id"]
    # A partner may see the convoy but not a NATO-only report, nor the alert it raised.
    hidden = report(kind="shooting", lon=near[0], lat=near[1], label=NATO_ONLY,
                    observed_at=(T - timedelta(hours=3)).isoformat())  # fmt: skip
    assert Pipeline(store, viewer=ADMIN, mission="KFOR").run([(hidden["id"], hidden)]).accepted
    seen = convoys.get_convoy(store, viewer=PARTNER, uid=uid)["alerts"]
    assert [a["report"] for a in seen] == [rows[0]["id"]]
    assert len(convoys.get_convoy(store, viewer=ADMIN, uid=uid)["alerts"]) == 2


def test_planning_names_every_bad_field(store: Store) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _plan(
            store,
            route={"type": "Point", "coordinates": [21, 42]},
            cargo=[{"item": "tents", "quantity": -5, "unit": "pcs"}],
            planned_arrival=(T - timedelta(days=2)).isoformat(),
            agency="",
        )
    fields = {p.field for p in caught.value.problems}
    assert fields == {"route", "cargo[0].quantity", "planned_arrival", "agency"}


def test_status_moves_only_forward(store: Store) -> None:
    uid = _plan(store)
    with pytest.raises(ValidationFailed, match="planned cannot become arrived"):
        convoys.set_status(store, viewer=ADMIN, uid=uid, status="arrived", at=T)
    convoys.set_status(store, viewer=ADMIN, uid=uid, status="under_way", at=T)
    convoys.set_status(store, viewer=ADMIN, uid=uid, status="arrived", at=T + timedelta(hours=5))
    with pytest.raises(ValidationFailed):
        convoys.set_status(store, viewer=ADMIN, uid=uid, status="aborted", at=T)
    row = convoys.get_convoy(store, viewer=ADMIN, uid=uid)["properties"]
    assert row["status"] == "arrived" and row["arrived_at"] == "1999-07-10T17:00:00Z"


def test_deliveries_export_as_hxl_3w_read_back_by_libhxl(store: Store, tmp_path: Path) -> None:
    import hxl

    uid = _plan(store)
    items = [{"item": "wheat flour", "quantity": 12.5, "unit": "t"},
             {"item": "family tents", "quantity": 40, "unit": "pcs"}]  # fmt: skip
    convoys.record_delivery(
        store, viewer=ADMIN, uid=uid,
        data={"id": "d1", "place": "=Gllogoc", "lon": 20.89, "lat": 42.62, "adm1": "MNB-C",
              "delivered_at": T.isoformat(), "sector": "Food", "cargo": items,
              "beneficiaries": 1800, "label": SHARED},
    )  # fmt: skip
    convoys.record_delivery(
        store, viewer=ADMIN, uid=uid,
        data={"id": "d2", "place": "Podujevo", "lon": 21.19, "lat": 42.91, "adm1": "MNB-C",
              "delivered_at": T.isoformat(), "sector": "Shelter",
              "cargo": [{"item": "plastic sheeting", "quantity": 300, "unit": "rolls"}],
              "beneficiaries": 650, "label": NATO_ONLY},
    )  # fmt: skip
    path = tmp_path / "deliveries.hxl.csv"
    export = plan_deliveries(store, viewer=PARTNER, mission="KFOR")
    path.write_bytes(b"".join(write_hxl_3w(export)))
    options = hxl.InputOptions(allow_local=True)
    assert hxl.schema().validate(hxl.data(str(path), options))
    source = hxl.data(str(path), options)
    for tag in ("#org+name", "#sector+name", "#adm1+name", "#loc+name", "#date+delivered",
                "#reached+ind", "#item+name", "#output+num"):  # fmt: skip
        assert tag in source.display_tags, tag
    rows = list(source)
    assert len(rows) == 2  # the partner sees one delivery of two items, not the NATO-only one
    assert {r.get("#item+name") for r in rows} == {"wheat flour", "family tents"}
    assert [r.get("#reached+ind") for r in rows] == ["1800", None]  # counted once a delivery
    assert rows[0].get("#loc+name") == "'=Gllogoc"  # no formula reaches a spreadsheet
    assert rows[0].get("#org+name") == "UNHCR" and rows[0].get("#date+delivered") == "1999-07-10"
    assert export.label.marking == SHARED
    full = plan_deliveries(store, viewer=ADMIN, mission="KFOR")
    assert len(full.rows) == 2 and full.label.marking == NATO_ONLY


def test_a_convoy_with_a_tracking_unit_is_tracked_by_its_positions(store: Store) -> None:
    from peacewatch.ingest import records

    records.add_unit(
        store, viewer=ADMIN,
        data={"uid": "truck-1", "mission": "KFOR", "name": "UNHCR lead truck",
              "sidc": "10031000001211000000", "label": SHARED},
    )  # fmt: skip
    records.add_positions(
        store, viewer=ADMIN,
        positions=[{"unit_uid": "truck-1", "observed_at": (T + timedelta(hours=h)).isoformat(),
                    "lon": round(21.10 + h / 100, 2), "lat": 42.60,
                    "label": NATO_ONLY if h == 2 else SHARED} for h in range(-1, 4)],
    )  # fmt: skip
    uid = _plan(store, tracking_unit="truck-1")
    convoys.set_status(store, viewer=ADMIN, uid=uid, status="under_way", at=T)
    convoys.set_status(store, viewer=ADMIN, uid=uid, status="arrived", at=T + timedelta(hours=3))
    track = convoys.get_convoy(store, viewer=ADMIN, uid=uid)["track"]
    assert [p["lon"] for p in track] == [21.10, 21.11, 21.12, 21.13]  # while it travelled
    partner = convoys.get_convoy(store, viewer=PARTNER, uid=uid)
    assert [p["lon"] for p in partner["track"]] == [21.10, 21.11, 21.13]
    with pytest.raises(ValidationFailed, match="unknown unit"):
        _plan(store, uid="other", tracking_unit="no-such-truck")
