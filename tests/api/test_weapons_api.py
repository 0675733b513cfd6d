"""Weapons collection (DDR) end to end through the API: points, campaigns, items with their
duplicate flags, the chain of custody, progress — permissions, 422s naming the field, labels."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from peacewatch.store import Store
from tests.conftest import bearer, make_user

SHARED = "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"
NATO_ONLY = "NATO RESTRICTED REL TO KFOR, NATO"
PARTNER = {"nation": "UKR", "clearance": "NATO RESTRICTED", "communities": ("PARTNER",),
           "roles": ("partner_liaison",)}  # fmt: skip


def _setup(client: TestClient) -> None:
    for uid, lon, label in (("tetovo", 20.97, SHARED), ("kumanovo", 21.71, NATO_ONLY)):
        r = client.post(
            "/api/v1/weapons/points",
            json={"uid": uid, "mission": "KFOR", "name": f"{uid} collection point",
                  "place": uid.title(), "label": label,
                  "geometry": {"type": "Point", "coordinates": [lon, 42.0]}},
        )  # fmt: skip
        assert r.status_code == 201, r.text
    r = client.post(
        "/api/v1/weapons/campaigns",
        json={"code": "H1", "mission": "KFOR", "name": "Harvest", "label": SHARED,
              "start": "2001-08-27T00:00:00Z", "end": "2001-09-26T00:00:00Z",
              "targets": [{"category": "weapons", "quantity": 3},
                          {"category": "small_arms", "place": "tetovo", "quantity": 2}]},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["targets"][1]["place"] == "tetovo"


def _items(client: TestClient) -> list[dict[str, Any]]:
    common = {"campaign": "H1", "category": "small_arms", "calibre": "7.62x39mm",
              "received_by": "TF Harvest", "label": SHARED}  # fmt: skip
    r = client.post(
        "/api/v1/weapons/items",
        json=[
            common | {"uid": "i1", "point": "tetovo", "serial": "AK-0001",
                      "collected_at": "2001-08-28T10:00:00Z"},
            common | {"uid": "i2", "point": "kumanovo", "serial": "ak 0001",
                      "collected_at": "2001-08-29T10:00:00Z", "label": NATO_ONLY},
            common | {"uid": "i3", "point": "tetovo", "serial": "M48-77",
                      "collected_at": "2001-08-30T10:00:00Z"},
        ],
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return list(r.json()["items"])


def test_ddr_end_to_end(client: TestClient) -> None:
    _setup(client)
    items = {i["id"]: i for i in _items(client)}
    assert items["i2"]["duplicate"] is True
    assert items["i2"]["duplicate_of"][0]["id"] == "i1"
    assert items["i1"]["custody_state"] == "collected"

    r = client.get("/api/v1/weapons/items", params={"serial": "AK/0001"})
    assert [i["id"] for i in r.json()["items"]] == ["i1", "i2"]
    r = client.get("/api/v1/weapons/items", params={"duplicates": "true"})
    assert [i["id"] for i in r.json()["items"]] == ["i2"]
    assert r.json()["label"] == NATO_ONLY

    step = {"state": "stored", "at": "2001-08-29T08:00:00Z", "by": "TF Harvest QM",
            "place": "Petrovec depot"}  # fmt: skip
    r = client.post("/api/v1/weapons/items/i1/custody", json=step)
    assert r.status_code == 201, r.text
    assert [e["state"] for e in r.json()["custody"]] == ["collected", "stored"]
    r = client.post("/api/v1/weapons/items/i1/custody", json=step | {"state": "collected"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in r.json()["errors"]] == ["state"]
    r = client.post("/api/v1/weapons/items/i1/custody", json=step | {"at": "2001-08-01T00:00Z"})
    assert [e["field"] for e in r.json()["errors"]] == ["at"]
    r = client.post(
        "/api/v1/weapons/items/i1/custody",
        json=step | {"state": "destroyed", "at": "2001-09-30T00:00:00Z"},
    )
    assert r.status_code == 201
    r = client.get("/api/v1/weapons/items/i1/custody")
    assert [(e["seq"], e["state"]) for e in r.json()["items"]] == [
        (1, "collected"), (2, "stored"), (3, "destroyed"),
    ]  # fmt: skip
    audit = client.get("/api/v1/audit", params={"action": "weapons.custody"}).json()["items"]
    assert [(e["target"], e["detail"]["to"]) for e in audit[-2:]] == [
        ("i1", "stored"), ("i1", "destroyed"),
    ]  # fmt: skip

    r = client.get("/api/v1/weapons/progress", params={"campaign": "H1"})
    (h1,) = r.json()["campaigns"]
    assert [(t["category"], t["collected"], t["target"]) for t in h1["targets"]] == [
        ("weapons", 3, 3), ("small_arms", 2, 2),
    ]  # fmt: skip
    assert h1["derived_label"] == NATO_ONLY
    assert r.json()["label"] == NATO_ONLY
    assert r.headers["X-PeaceWatch-Label"] == NATO_ONLY

    assert client.get("/api/v1/weapons/campaigns/H1").json()["name"] == "Harvest"
    assert client.get("/api/v1/weapons/campaigns/NONE").status_code == 404
    assert client.get("/api/v1/weapons/items/nope").status_code == 404
    points = client.get("/api/v1/weapons/points").json()
    assert {f["id"] for f in points["features"]} == {"tetovo", "kumanovo"}


def test_bad_input_is_a_422_naming_the_field(client: TestClient) -> None:
    _setup(client)
    cases = [
        ("/api/v1/weapons/items", {"campaign": "H1", "category": "spears",
                                   "collected_at": "2001-08-28T10:00:00Z", "received_by": "x"},
         "category"),
        ("/api/v1/weapons/items", {"campaign": "H1", "category": "mines", "quantity": 0,
                                   "collected_at": "2001-08-28T10:00:00Z", "received_by": "x"},
         "quantity"),
        ("/api/v1/weapons/campaigns", {"code": "H2", "mission": "KFOR", "name": "x",
                                       "start": "2001-08-27T00:00:00Z", "targets": []},
         "targets"),
        ("/api/v1/weapons/campaigns", {"code": "H2", "mission": "KFOR", "name": "x",
                                       "start": "2001-08-27T00:00:00Z",
                                       "targets": [{"category": "mines", "quantity": 1,
                                                    "place": "atlantis"}]},
         "targets[0].place"),
        ("/api/v1/weapons/points", {"mission": "KFOR", "name": "x", "place": "y",
                                    "geometry": {"type": "Point", "coordinates": [200, 0]}},
         "geometry"),
    ]  # fmt: skip
    for path, body, field in cases:
        r = client.post(path, json=body)
        assert r.status_code == 422, (path, r.text)
        assert field in [e["field"] for e in r.json()["errors"]], (field, r.json())


def test_writes_need_weapons_write(client: TestClient, store: Store) -> None:
    _setup(client)
    analyst = make_user(store, "analyst1", roles=("analyst",))
    r = client.post(
        "/api/v1/weapons/items",
        headers=bearer(store, analyst),
        json={"campaign": "H1", "category": "mines", "quantity": 3, "received_by": "x",
              "collected_at": "2001-08-28T10:00:00Z"},
    )  # fmt: skip
    assert r.status_code == 403
    watch = make_user(store, "watch1", roles=("watchkeeper",))
    r = client.post(
        "/api/v1/weapons/items",
        headers=bearer(store, watch),
        json={"campaign": "H1", "category": "mines", "quantity": 3, "received_by": "x",
              "collected_at": "2001-08-28T10:00:00Z"},
    )  # fmt: skip
    assert r.status_code == 201, r.text


def test_a_partner_sees_only_what_is_released_to_them(client: TestClient, store: Store) -> None:
    _setup(client)
    _items(client)
    partner = make_user(store, "ukr1", **PARTNER)  # type: ignore[arg-type]
    as_partner = bearer(store, partner)
    items = client.get("/api/v1/weapons/items", headers=as_partner).json()["items"]
    assert [(i["id"], i["duplicate"]) for i in items] == [("i1", False), ("i3", False)]
    assert client.get("/api/v1/weapons/items/i2", headers=as_partner).status_code == 404
    points = client.get("/api/v1/weapons/points", headers=as_partner).json()["features"]
    assert [p["id"] for p in points] == ["tetovo"]
    body = client.get("/api/v1/weapons/progress", headers=as_partner).json()
    (h1,) = body["campaigns"]
    assert [t["collected"] for t in h1["targets"]] == [2, 2]
    assert h1["derived_label"] == SHARED and body["label"] == SHARED


def test_cli_ddr_progress(client: TestClient, store: Store) -> None:
    from click.testing import CliRunner

    from peacewatch.cli import main

    _setup(client)
    _items(client)
    make_user(store, "ukr2", **PARTNER)  # type: ignore[arg-type]
    url = store.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    result = runner.invoke(
        main, ["--database", url, "ddr", "progress", "--as", "operator", "--json"]
    )
    assert result.exit_code == 0, result.output
    (h1,) = json.loads(result.output)["campaigns"]
    assert [t["collected"] for t in h1["targets"]] == [3, 2]
    text = runner.invoke(main, ["--database", url, "ddr", "progress", "--as", "ukr2"])
    assert text.exit_code == 0, text.output
    assert "weapons: 2 of 3 (66.7%)" in text.output
    assert "small_arms at tetovo: 2 of 2 (100.0%, met)" in text.output
    nobody = runner.invoke(main, ["--database", url, "ddr", "progress", "--as", "nobody"])
    assert nobody.exit_code == 2 and "no active user" in nobody.output
