"""Seizures and items handed in citing their field reports, through the app: written with
``reports``, shown with the cited reports the caller may see (the response's label counting
them), the reverse at /api/v1/reports/{uid}/cited-by, and a 422 naming ``reports[i]`` and the
uid with nothing written."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from peacewatch.store import Store
from tests.conftest import bearer, make_user
from tests.helpers import report

SHARED = "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"
NATO_ONLY = "NATO RESTRICTED REL TO KFOR, NATO"
PARTNER = {"nation": "UKR", "clearance": "NATO RESTRICTED", "communities": ("PARTNER",),
           "roles": ("partner_liaison",)}  # fmt: skip
SPOT = "6f0c2f1e-8d3b-4a57-9a0e-3b1c9e0d0001"
SALUTE = "6f0c2f1e-8d3b-4a57-9a0e-3b1c9e0d0002"


def _reports(client: TestClient) -> None:
    rows = [
        report(id=SPOT, kind="seizure", title="SPOT: van stopped at Hani i Elezit",
               label=SHARED, observed_at="2000-05-25T05:40:00Z"),
        report(id=SALUTE, kind="seizure", title="SALUTE: 6 persons, driver armed",
               label=NATO_ONLY, observed_at="2000-05-25T05:55:00Z"),
    ]  # fmt: skip
    r = client.post("/api/v1/reports", json=rows)
    assert r.status_code == 200 and r.json()["accepted"] == 2, r.text


def _seizure(**extra: Any) -> dict[str, Any]:
    return {
        "uid": "b1", "seized_at": "2000-05-25T06:00:00Z", "category": "people", "quantity": 6,
        "unit": "persons", "place": "Hani i Elezit", "lon": 21.29, "lat": 42.15,
        "crossing": "Hani i Elezit", "label": SHARED, "reports": [SPOT, SALUTE], **extra,
    }  # fmt: skip


def _ddr(client: TestClient) -> None:
    r = client.post(
        "/api/v1/weapons/campaigns",
        json={"code": "H1", "mission": "KFOR", "name": "Harvest", "label": SHARED,
              "start": "2000-05-01T00:00:00Z", "targets": [{"category": "weapons", "quantity": 3}]},
    )  # fmt: skip
    assert r.status_code == 201, r.text


def test_seizures_and_items_cite_reports_end_to_end(client: TestClient, store: Store) -> None:
    _reports(client)
    r = client.post("/api/v1/seizures", json=_seizure())
    assert r.status_code == 201, r.text
    cited = r.json()["features"][0]["properties"]["reports"]
    assert [(c["id"], c["title"], c["observed_at"]) for c in cited] == [
        (SPOT, "SPOT: van stopped at Hani i Elezit", "2000-05-25T05:40:00Z"),
        (SALUTE, "SALUTE: 6 persons, driver armed", "2000-05-25T05:55:00Z"),
    ]  # fmt: skip
    one = client.get("/api/v1/seizures/b1")
    assert [c["id"] for c in one.json()["properties"]["reports"]] == [SPOT, SALUTE]
    # the seizure is SHARED but shows a NATO_ONLY report's title: the response is NATO_ONLY
    assert one.headers["X-PeaceWatch-Label"] == NATO_ONLY
    listed = client.get("/api/v1/seizures").json()
    assert listed["label"] == NATO_ONLY
    assert [c["id"] for c in listed["features"][0]["properties"]["reports"]] == [SPOT, SALUTE]

    _ddr(client)
    item = {"uid": "i1", "campaign": "H1", "category": "small_arms", "serial": "AK-1",
            "collected_at": "2000-05-26T10:00:00Z", "received_by": "TF", "label": SHARED,
            "reports": [SALUTE]}  # fmt: skip
    r = client.post("/api/v1/weapons/items", json=item)
    assert r.status_code == 201, r.text
    assert [c["id"] for c in r.json()["items"][0]["reports"]] == [SALUTE]
    got = client.get("/api/v1/weapons/items/i1")
    assert [c["id"] for c in got.json()["reports"]] == [SALUTE]
    assert got.headers["X-PeaceWatch-Label"] == NATO_ONLY

    back = client.get(f"/api/v1/reports/{SALUTE.upper()}/cited-by")
    assert back.status_code == 200, back.text
    assert back.json()["report"] == SALUTE
    assert [(c["kind"], c["id"]) for c in back.json()["items"]] == [
        ("seizure", "b1"), ("weapons_item", "i1"),
    ]  # fmt: skip
    assert back.json()["label"] == SHARED

    # a partner sees the seizure and the item, and of the reports only the one released to them
    headers = bearer(store, make_user(store, "ukr1", **PARTNER))  # type: ignore[arg-type]
    seen = client.get("/api/v1/seizures/b1", headers=headers)
    assert [c["id"] for c in seen.json()["properties"]["reports"]] == [SPOT]
    assert SALUTE not in seen.text and "driver armed" not in seen.text
    assert seen.headers["X-PeaceWatch-Label"] == SHARED
    items = client.get("/api/v1/weapons/items", headers=headers).json()["items"]
    assert [(i["id"], i["reports"]) for i in items] == [("i1", [])]
    assert client.get(f"/api/v1/reports/{SALUTE}/cited-by", headers=headers).status_code == 404
    mine = client.get(f"/api/v1/reports/{SPOT}/cited-by", headers=headers).json()
    assert [c["id"] for c in mine["items"]] == ["b1"]


def test_a_report_the_writer_may_not_see_is_a_422_naming_it_and_nothing_is_written(
    client: TestClient, store: Store
) -> None:
    _reports(client)
    _ddr(client)
    unknown = "6f0c2f1e-8d3b-4a57-9a0e-3b1c9e0dffff"
    r = client.post("/api/v1/seizures", json=_seizure(reports=[SPOT, unknown]))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"] == [
        {"field": "reports[1]", "message": f"no report {unknown!r} that you may see"}
    ]
    assert f"reports[1]: no report {unknown!r} that you may see" in r.json()["detail"]
    assert client.get("/api/v1/seizures/b1").status_code == 404
    # a writer who may write seizures but not see the NATO_ONLY report gets the same answer
    writer = make_user(
        store, "ukr2", nation="UKR", clearance="NATO RESTRICTED", communities=("PARTNER",),
        roles=("watchkeeper",),
    )  # fmt: skip
    r = client.post(
        "/api/v1/weapons/items",
        headers=bearer(store, writer),
        json={"uid": "i9", "campaign": "H1", "category": "mines", "quantity": 2,
              "collected_at": "2000-05-26T10:00:00Z", "received_by": "TF",
              "reports": [SPOT, SALUTE]},
    )  # fmt: skip
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0] == {
        "field": "reports[1]",
        "message": f"no report {SALUTE!r} that you may see",
    }
    assert client.get("/api/v1/weapons/items/i9").status_code == 404
    assert client.get(f"/api/v1/reports/{SPOT}/cited-by").json()["items"] == []
