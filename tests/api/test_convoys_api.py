"""Convoys end to end through the API: plan, depart, track, deliver, route risk with its
warning, the HXL 3W export, clear 422s, permissions, and label filtering (a partner sees less);
and the CLI's ``convoys risk`` and ``convoys export``."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from fastapi.testclient import TestClient

from peacewatch.cli import main
from peacewatch.store import Store
from tests.conftest import bearer, make_user
from tests.helpers import report

SHARED = "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"
NATO_ONLY = "NATO RESTRICTED REL TO KFOR, NATO"
ROUTE = [[21.10, 42.60], [21.20, 42.60]]
PARTNER = {
    "nation": "UKR",
    "clearance": "NATO RESTRICTED",
    "communities": ("PARTNER",),
    "roles": ("partner_liaison",),
}


def _plan(client: TestClient, **overrides: Any) -> dict[str, Any]:
    body = {
        "uid": "wfp-1",
        "mission": "KFOR",
        "name": "WFP food convoy",
        "agency": "WFP",
        "route": {"type": "LineString", "coordinates": ROUTE},
        "cargo": [{"item": "wheat flour", "quantity": 20, "unit": "t"}],
        "planned_departure": "1999-07-10T06:00:00Z",
        "planned_arrival": "1999-07-10T12:00:00Z",
        "label": SHARED,
        **overrides,
    }
    answer = client.post("/api/v1/convoys", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _file(client: TestClient, label: str, lat: float, observed: str) -> str:
    record = report(kind="armed_clash", lon=21.15, lat=lat, label=label, grade="A1",
                    observed_at=observed)  # fmt: skip
    answer = client.post("/api/v1/reports", json=record)
    assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text
    return str(record["id"])


def test_a_convoy_end_to_end(store: Store, client: TestClient) -> None:
    planned = _plan(client)
    assert planned["properties"]["status"] == "planned"
    assert planned["properties"]["cargo"][0]["item"] == "wheat flour"
    went = client.post("/api/v1/convoys/wfp-1/status",
                       json={"status": "under_way", "at": "1999-07-10T06:00:00Z"})  # fmt: skip
    assert went.status_code == 200 and went.json()["properties"]["status"] == "under_way"
    points = {"points": [[21.10, 42.60, "1999-07-10T06:00:00Z"], [21.14, 42.60, "101000Z JUL 99"]]}
    assert client.post("/api/v1/convoys/wfp-1/points", json=points).json() == {"added": 2}
    # A clash 1 km off the road an hour after departure: an alert, and the risk rises.
    clash = _file(client, SHARED, 42.609, "1999-07-10T07:00:00Z")
    _file(client, NATO_ONLY, 42.601, "1999-07-10T07:30:00Z")
    risk = client.get("/api/v1/convoys/wfp-1/risk", params={"at": "1999-07-10T08:00:00Z"})
    assert risk.status_code == 200, risk.text
    body = risk.json()
    assert body["warning"]["risen"] is True and body["total"] > 0
    assert {c["source"] for c in body["contributions"]} == {"event"}
    assert len(body["contributions"]) == 2
    assert body["label"] == NATO_ONLY and risk.headers["X-PeaceWatch-Classification"]
    segments = body["features"]
    assert len(segments) == 9 and sum(s["properties"]["risk"] for s in segments) > 0
    assert segments[0]["geometry"]["type"] == "LineString"
    detail = client.get("/api/v1/convoys/wfp-1").json()
    assert [p["lon"] for p in detail["track"]] == [21.10, 21.14]
    assert {a["report"] for a in detail["alerts"]} >= {clash}
    delivered = client.post(
        "/api/v1/convoys/wfp-1/deliveries",
        json={"place": "Glogovac", "lon": 20.894, "lat": 42.628, "adm1": "Pristina",
              "delivered_at": "1999-07-10T11:00:00Z", "sector": "Food",
              "cargo": [{"item": "wheat flour", "quantity": 20, "unit": "t"}],
              "beneficiaries": 4000},
    )  # fmt: skip
    assert delivered.status_code == 201, delivered.text
    arrived = client.post("/api/v1/convoys/wfp-1/status",
                          json={"status": "arrived", "at": "1999-07-10T11:30:00Z"})  # fmt: skip
    assert arrived.json()["properties"]["arrived_at"] == "1999-07-10T11:30:00Z"
    listed = client.get("/api/v1/convoys").json()
    (convoy,) = listed["features"]
    assert convoy["properties"]["risk_risen"] is True
    assert convoy["properties"]["risk_at"] == "1999-07-10T11:30:00Z"  # as of its arrival
    assert listed["label"] == NATO_ONLY
    deliveries = client.get("/api/v1/convoys/deliveries").json()["items"]
    assert [d["place"] for d in deliveries] == ["Glogovac"]
    hxl = client.get("/api/v1/convoys/deliveries", params={"format": "hxl"})
    assert hxl.status_code == 200 and hxl.headers["X-PeaceWatch-Label"]
    rows = list(csv.reader(io.StringIO(hxl.text)))
    assert rows[1][:3] == ["#org+name", "#sector+name", "#adm1+name"]
    assert rows[2][0] == "WFP" and rows[2][10] == "4000"


def test_a_partner_sees_less(store: Store, client: TestClient, anonymous: TestClient) -> None:
    _plan(client)
    _plan(client, uid="secret-1", label=NATO_ONLY)
    client.post("/api/v1/convoys/wfp-1/status",
                json={"status": "under_way", "at": "1999-07-10T06:00:00Z"})  # fmt: skip
    shared = _file(client, SHARED, 42.609, "1999-07-10T07:00:00Z")
    _file(client, NATO_ONLY, 42.601, "1999-07-10T07:30:00Z")
    partner = bearer(store, make_user(store, "liaison", **PARTNER))  # type: ignore[arg-type]
    listed = anonymous.get("/api/v1/convoys", headers=partner).json()
    assert [f["id"] for f in listed["features"]] == ["wfp-1"]
    assert anonymous.get("/api/v1/convoys/secret-1", headers=partner).status_code == 404
    assert anonymous.get("/api/v1/convoys/secret-1/risk", headers=partner).status_code == 404
    risk = anonymous.get("/api/v1/convoys/wfp-1/risk", headers=partner,
                         params={"at": "1999-07-10T08:00:00Z"}).json()  # fmt: skip
    full = client.get("/api/v1/convoys/wfp-1/risk", params={"at": "1999-07-10T08:00:00Z"}).json()
    assert len(risk["contributions"]) == 1 and len(full["contributions"]) == 2
    assert risk["total"] < full["total"] and risk["label"] == SHARED
    alerts = anonymous.get("/api/v1/convoys/wfp-1", headers=partner).json()["alerts"]
    assert [a["report"] for a in alerts] == [shared]
    # Partners read; they do not plan convoys.
    refused = anonymous.post("/api/v1/convoys", headers=partner, json={"mission": "KFOR"})
    assert refused.status_code == 403


def test_bad_input_is_a_422_naming_each_field(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/convoys",
        json={"mission": "KFOR", "name": "x", "agency": "WFP", "route": [[21.1, 42.6]],
              "cargo": [{"item": "flour", "quantity": "lots", "unit": "t"}],
              "planned_departure": "yesterday", "planned_arrival": "1999-07-10T12:00:00Z"},
    )  # fmt: skip
    assert answer.status_code == 422, answer.text
    fields = {e["field"] for e in answer.json()["errors"]}
    assert {"route", "cargo[0].quantity", "planned_departure"} <= fields, fields
    _plan(client)
    bad = client.post("/api/v1/convoys/wfp-1/status", json={"status": "arrived"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"
    bad = client.post("/api/v1/convoys/wfp-1/deliveries", json={"place": "Nowhere"})
    assert bad.status_code == 422
    assert {"sector", "delivered_at", "cargo", "beneficiaries"} <= {
        e["field"] for e in bad.json()["errors"]
    }
    bad = client.get("/api/v1/convoys", params={"status": "lost"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"
    assert client.get("/api/v1/convoys/none/risk").status_code == 404


def test_the_cli_prints_risk_and_exports_deliveries(
    store: Store, client: TestClient, tmp_path: Path
) -> None:
    _plan(client)
    client.post("/api/v1/convoys/wfp-1/status",
                json={"status": "under_way", "at": "1999-07-10T06:00:00Z"})  # fmt: skip
    _file(client, SHARED, 42.609, "1999-07-10T07:00:00Z")
    client.post(
        "/api/v1/convoys/wfp-1/deliveries",
        json={"place": "Glogovac", "lon": 20.894, "lat": 42.628, "sector": "Food",
              "delivered_at": "1999-07-10T11:00:00Z", "beneficiaries": 10,
              "cargo": [{"item": "wheat flour", "quantity": 1, "unit": "t"}]},
    )  # fmt: skip
    make_user(store, "coordinator", roles=("humanitarian_coordinator",))
    database = ["--database", str(store.engine.url.render_as_string(hide_password=False))]
    runner = CliRunner()
    got = runner.invoke(main, [*database, "convoys", "risk", "wfp-1", "--as", "coordinator",
                               "--at", "1999-07-10T08:00:00Z"])  # fmt: skip
    assert got.exit_code == 0, got.output
    assert "WARNING: route risk rose" in got.output and "armed_clash" in got.output
    out = tmp_path / "3w.hxl.csv"
    got = runner.invoke(main, [*database, "convoys", "export", "--as", "coordinator", "-o",
                               str(out)])  # fmt: skip
    assert got.exit_code == 0, got.output
    assert "exported 1 deliveries" in got.output and "#org+name" in out.read_text()
    got = runner.invoke(main, [*database, "convoys", "risk", "nope", "--as", "coordinator"])
    assert got.exit_code == 2 and "no convoy" in got.output
