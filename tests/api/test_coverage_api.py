"""Patrol plans and coverage end to end through the API: plans created, matched, changed and
deleted; coverage and gaps as each viewer may see them; drafts made from the top gaps."""

from __future__ import annotations

from typing import Any

from peacewatch.store import Store
from tests.conftest import bearer, make_user
from tests.ops.test_coverage import GBR_SECRET, OPEN, build

WINDOW = {"mission": "KFOR", "start": "1999-06-15T00:00:00Z", "end": "1999-07-01T00:00:00Z"}
PLAN = {
    "mission": "KFOR",
    "name": "Route Alpha",
    "geometry": {"type": "LineString", "coordinates": [[21.0, 42.5], [21.05, 42.5]]},
    "start": "1999-06-20T08:00:00Z",
    "end": "1999-06-20T12:00:00Z",
    "label": OPEN,
}


def test_plans_round_trip(client: Any) -> None:
    made = client.post("/api/v1/patrol-plans", json=PLAN)
    assert made.status_code == 201, made.text
    uid = made.json()["id"]
    got = client.get(f"/api/v1/patrol-plans/{uid}").json()
    assert got["properties"]["kind"] == "route" and got["properties"]["status"] == "planned"
    changed = client.patch(f"/api/v1/patrol-plans/{uid}", json={"status": "cancelled"})
    assert changed.status_code == 200 and changed.json()["properties"]["status"] == "cancelled"
    listed = client.get("/api/v1/patrol-plans", params={"status": "cancelled"}).json()
    assert [f["id"] for f in listed["features"]] == [uid]
    assert client.delete(f"/api/v1/patrol-plans/{uid}").status_code == 204
    assert client.get(f"/api/v1/patrol-plans/{uid}").status_code == 404


def test_invalid_plans_get_a_422_naming_the_field(client: Any) -> None:
    bad = client.post("/api/v1/patrol-plans", json={**PLAN, "end": "1999-06-20T07:00:00Z"})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["end"]
    bad = client.post("/api/v1/patrol-plans", json={**PLAN, "unit": "nobody"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "unit"
    made = client.post("/api/v1/patrol-plans", json=PLAN).json()["id"]
    bad = client.patch(f"/api/v1/patrol-plans/{made}", json={"label": GBR_SECRET})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "label"
    bad = client.get("/api/v1/coverage", params={**WINDOW, "radius_m": 0})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "radius_m"


def test_only_planners_plan(app: Any, store: Store, client: Any) -> None:
    from fastapi.testclient import TestClient

    analyst = make_user(store, "analyst1", roles=("analyst",))
    with TestClient(app, raise_server_exceptions=False, headers=bearer(store, analyst)) as c:
        assert c.post("/api/v1/patrol-plans", json=PLAN).status_code == 403
        assert c.post("/api/v1/coverage/gaps/plans", params=WINDOW, json={}).status_code == 403
        assert c.get("/api/v1/coverage/gaps", params=WINDOW).status_code == 200


def test_coverage_and_gaps_through_the_api(app: Any, store: Store, client: Any) -> None:
    from fastapi.testclient import TestClient

    build(store)
    gaps = client.get("/api/v1/coverage/gaps", params={**WINDOW, "kind": "town"})
    assert gaps.status_code == 200, gaps.text
    body = gaps.json()
    assert [f["properties"]["name"] for f in body["features"]] == ["Bravo", "Charlie", "Alpha"]
    # The collection is labelled with the most restrictive of everything it counted.
    assert body["label"].startswith("NATO SECRET")
    assert gaps.headers["X-PeaceWatch-Classification"] == "NATO SECRET"
    everything = client.get("/api/v1/coverage", params=WINDOW).json()
    assert {f["properties"]["kind"] for f in everything["features"]} == {"town", "sector"}
    fra = make_user(store, "fra.nr", nation="FRA", clearance="NATO RESTRICTED")
    with TestClient(app, raise_server_exceptions=False, headers=bearer(store, fra)) as c:
        theirs = c.get("/api/v1/coverage/gaps", params={**WINDOW, "kind": "town"}).json()
    assert [f["properties"]["name"] for f in theirs["features"]] == ["Charlie", "Bravo", "Alpha"]
    assert {f["properties"]["name"]: f["properties"]["incidents"] for f in theirs["features"]}[
        "Bravo"
    ] == 3


def test_draft_plans_from_the_top_gaps(client: Any, store: Store) -> None:
    build(store)
    made = client.post(
        "/api/v1/coverage/gaps/plans",
        params={**WINDOW, "kind": "town"},
        json={"top": 2, "label": GBR_SECRET, "hours": 6},
    )
    assert made.status_code == 201, made.text
    plans = made.json()["features"]
    assert [p["properties"]["name"] for p in plans] == [
        "Coverage gap: Bravo", "Coverage gap: Charlie",
    ]  # fmt: skip
    assert all(p["properties"]["status"] == "draft" for p in plans)
    assert plans[0]["properties"]["end"] == "1999-07-02T14:00:00Z"
    drafts = client.get("/api/v1/patrol-plans", params={"status": "draft"}).json()
    assert len(drafts["features"]) == 2
    bad = client.post("/api/v1/coverage/gaps/plans", params=WINDOW, json={"top": 0})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "top"
