"""The REST API in process (httpx via Starlette's TestClient), on both backends."""

from __future__ import annotations

from typing import Any

from peacewatch.ingest.pipeline import Pipeline
from tests.conftest import ADMIN
from tests.helpers import feature_collection, random_reports, report

PROBLEM = "application/problem+json"
ZONE = {
    "type": "Feature",
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[20.8, 42.8], [21.0, 42.8], [21.0, 43.0], [20.8, 43.0], [20.8, 42.8]]],
    },
    "properties": {
        "mission": "KFOR",
        "name": "Test sector",
        "kind": "sector",
        "valid_from": "1999-06-12T00:00:00Z",
        "rules": {"prohibited": ["heavy_weapons"]},
        "label": "NATO UNCLASSIFIED REL TO KFOR, NATO",
    },
}


def _problem(response: Any, status: int, field: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert field in {e["field"] for e in body.get("errors", [])}, body
    return body


def test_healthz_and_openapi(client: Any) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["schema_current"] is True
    spec = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/reports",
        "/api/v1/zones",
        "/api/v1/units",
        "/api/v1/patrols",
        "/api/v1/missions",
    ):
        assert path in spec["paths"]


def test_missions(client: Any) -> None:
    items = client.get("/api/v1/missions").json()["items"]
    assert [m["code"] for m in items] == ["KFOR"]
    assert items[0]["bbox"] == [20.0, 41.8, 21.9, 43.3]
    assert client.get("/api/v1/missions/NOPE").status_code == 404
    created = client.post(
        "/api/v1/missions",
        json={
            "code": "SFOR",
            "name": "Stabilisation Force",
            "start": "1996-12-21T00:00:00Z",
            "default_label": "NATO UNCLASSIFIED REL TO NATO",
        },
    )
    assert created.status_code == 201 and created.json()["code"] == "SFOR"
    again = client.post(
        "/api/v1/missions",
        json={
            "code": "SFOR",
            "name": "x",
            "start": "1996-12-21T00:00:00Z",
            "default_label": "NATO UNCLASSIFIED",
        },
    )
    _problem(again, 409, "code")


def test_post_and_list_reports(client: Any) -> None:
    records = random_reports(40)
    national = [r for r in records if r["label"] == "NATO RESTRICTED REL TO FRA"]
    visible = [r for r in records if r not in national]
    assert national and visible
    response = client.post("/api/v1/reports", json=feature_collection(records))
    assert response.status_code == 200, response.text
    # the watchkeeper (GBR) may not write a record releasable to France only
    summary = response.json()
    assert summary["accepted"] == len(visible)
    assert {p["field"] for r in summary["rejections"] for p in r["problems"]} == {"label"}
    # ... but France's reports exist, written by someone cleared for them
    Pipeline(client.app.state.store, viewer=ADMIN, mission="KFOR").run(
        (r["id"], r) for r in national
    )
    again = client.post("/api/v1/reports", json=feature_collection(visible[:5]))
    assert again.json()["duplicates"] == 5 and again.json()["accepted"] == 0
    page = client.get("/api/v1/reports", params={"limit": 10})
    body = page.json()
    assert body["type"] == "FeatureCollection" and body["numberReturned"] == 10
    seen = [f["id"] for f in body["features"]]
    while body["next_cursor"]:
        body = client.get(
            "/api/v1/reports", params={"limit": 10, "cursor": body["next_cursor"]}
        ).json()
        seen += [f["id"] for f in body["features"]]
    # the watchkeeper (GBR, NATO SECRET, NATO+KFOR) cannot see "REL TO FRA" reports
    assert sorted(seen) == sorted(r["id"] for r in visible)
    hidden = national[0]
    assert client.get(f"/api/v1/reports/{hidden['id']}").status_code == 404
    shown = visible[0]
    one = client.get(f"/api/v1/reports/{shown['id']}").json()
    assert one["properties"]["label"] == shown["label"]


def test_report_filters(client: Any) -> None:
    client.post(
        "/api/v1/reports",
        json=[
            report(
                kind="arson", observed_at="1999-07-01T10:00:00Z", lon=20.9, lat=42.9, party="UCK"
            ),
            report(kind="shooting", observed_at="1999-07-01T11:00:00Z", lon=21.5, lat=42.3),
            report(kind="arson", observed_at="1999-07-03T10:00:00Z", lon=20.9, lat=42.9),
        ],
    )

    def ids(**params: Any) -> int:
        return int(client.get("/api/v1/reports", params=params).json()["numberReturned"])

    assert ids(kind="arson") == 2
    assert ids(type="arson") == 2
    assert ids(bbox="20.8,42.8,21.0,43.0") == 2
    assert ids(start="1999-07-01T00:00:00Z", end="1999-07-02T00:00:00Z") == 2
    assert ids(party="UCK") == 1
    assert ids(bbox="20.8,42.8,21.0,43.0", start="1999-07-02T00:00:00Z") == 1


def test_report_search_filters(client: Any) -> None:
    client.post("/api/v1/zones", json={**ZONE, "properties": {**ZONE["properties"], "uid": "ts"}})
    posted = [
        report(lon=20.9, lat=42.9, grade="A1", title="Burning house", text="roadblock after"),
        report(lon=20.9, lat=42.95, grade="B2", title="Shots", label="NATO SECRET REL TO NATO"),
        report(lon=21.5, lat=42.3, grade="B3", title="Crowd at the bridge"),
        report(lon=20.85, lat=42.85, grade=None, title="Crowd", text="a BURNING car"),
    ]
    assert client.post("/api/v1/reports", json=posted).json()["accepted"] == 4

    def ids(**params: Any) -> list[str]:
        body = client.get("/api/v1/reports", params=params).json()
        return sorted(f["id"] for f in body["features"])

    def want(*i: int) -> list[str]:
        return sorted(posted[n]["id"] for n in i)

    assert ids(grade="A,B") == want(0, 1, 2)
    assert ids(grade=["b2", "B3"]) == want(1, 2)
    assert ids(classification="NATO RESTRICTED") == want(0, 2, 3)
    assert ids(zone="ts") == want(0, 1, 3)
    assert ids(q="burning") == want(0, 3)
    assert ids(q="crowd bridge") == want(2)
    assert ids(zone="ts", q="crowd", classification="NR") == want(3)
    # paging across filtered pages returns every match once
    seen: list[str] = []
    params: dict[str, Any] = {"zone": "ts", "limit": 1}
    while True:
        body = client.get("/api/v1/reports", params=params).json()
        seen += [f["id"] for f in body["features"]]
        if not body["next_cursor"]:
            break
        params["cursor"] = body["next_cursor"]
    assert sorted(seen) == want(0, 1, 3) and len(seen) == 3
    _problem(client.get("/api/v1/reports", params={"grade": "Z9"}), 422, "grade")
    _problem(client.get("/api/v1/reports", params={"classification": "TOP"}), 422, "classification")
    _problem(client.get("/api/v1/reports", params={"zone": "nope"}), 422, "zone")
    _problem(client.get("/api/v1/reports", params={"q": "x" * 500}), 422, "q")


def test_bad_query_parameters_are_problems(client: Any) -> None:
    _problem(client.get("/api/v1/reports", params={"bbox": "1,2,3"}), 422, "bbox")
    _problem(client.get("/api/v1/reports", params={"bbox": "20,95,21,96"}), 422, "bbox")
    _problem(client.get("/api/v1/reports", params={"start": "monday"}), 422, "start")
    _problem(client.get("/api/v1/reports", params={"limit": "many"}), 422, "limit")
    _problem(client.get("/api/v1/reports", params={"cursor": "%%%"}), 422, "cursor")


def test_rejected_report_names_record_and_field_and_stores_nothing(client: Any) -> None:
    response = client.post("/api/v1/reports", json=report(lat=91))
    body = _problem(response, 422, "lat")
    assert "91" in body["detail"] and body["errors"][0]["record"] == "record 0"
    assert client.get("/api/v1/reports").json()["numberReturned"] == 0
    _problem(
        client.post(
            "/api/v1/reports", content=b"{not json", headers={"content-type": "application/json"}
        ),
        422,
        "body",
    )


def test_csv_body(client: Any) -> None:
    csv_text = (
        "id,kind,observed_at,lon,lat\n"
        "6f1c0a52-3f7e-4a4e-9a39-3f3f1d0f0001,demonstration,1999-08-01T09:00:00Z,21.16,42.66\n"
    )
    response = client.post(
        "/api/v1/reports", content=csv_text, headers={"content-type": "text/csv"}
    )
    assert response.json()["accepted"] == 1


def test_zones(client: Any) -> None:
    created = client.post("/api/v1/zones", json=ZONE)
    assert created.status_code == 201, created.text
    uid = created.json()["id"]
    listed = client.get("/api/v1/zones", params={"mission": "KFOR", "kind": "sector"}).json()
    assert [f["id"] for f in listed["features"]] == [uid]
    assert listed["features"][0]["properties"]["rules"] == {"prohibited": ["heavy_weapons"]}
    assert (
        client.get("/api/v1/zones", params={"at": "1999-06-01T00:00:00Z"}).json()["numberReturned"]
        == 0
    )
    assert client.get("/api/v1/zones", params={"bbox": "10,10,11,11"}).json()["numberReturned"] == 0


def test_bad_zones_name_the_field(client: Any) -> None:
    open_ring = {
        **ZONE,
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[20.8, 42.8], [21.0, 42.8], [21.0, 43.0], [20.8, 43.0]]],
        },
    }
    body = _problem(client.post("/api/v1/zones", json=open_ring), 422, "geometry")
    assert "closed" in body["errors"][0]["message"]
    wrong_kind = {**ZONE, "properties": {**ZONE["properties"], "kind": "picnic_area"}}
    _problem(client.post("/api/v1/zones", json=wrong_kind), 422, "kind")
    bad_label = {**ZONE, "properties": {**ZONE["properties"], "label": "COSMIC PURPLE"}}
    _problem(client.post("/api/v1/zones", json=bad_label), 422, "label")
    assert client.get("/api/v1/zones").json()["numberReturned"] == 0


def test_units_positions_and_patrols(client: Any) -> None:
    unit = {
        "uid": "mnb-c-hq",
        "mission": "KFOR",
        "name": "HQ MNB(C)",
        "sidc": "10031002181100000000",
        "nation": "GBR",
        "label": "NATO UNCLASSIFIED REL TO KFOR, NATO",
    }
    assert client.post("/api/v1/units", json=unit).status_code == 201
    _problem(client.post("/api/v1/units", json={**unit, "uid": "x", "sidc": "12345"}), 422, "sidc")
    positions = [
        {"observed_at": "1999-06-13T08:00:00Z", "lon": 21.10, "lat": 42.60},
        {"observed_at": "1999-06-14T08:00:00Z", "lon": 21.16, "lat": 42.66},
    ]
    assert client.post("/api/v1/units/mnb-c-hq/positions", json=positions).json()["accepted"] == 2
    _problem(
        client.post(
            "/api/v1/units/mnb-c-hq/positions",
            json=[{"observed_at": "1999-06-14T08:00:00Z", "lon": 21, "lat": 91}],
        ),
        422,
        "positions[0].lat",
    )
    latest = client.get("/api/v1/units").json()["features"][0]
    assert latest["geometry"]["coordinates"] == [21.16, 42.66]
    earlier = client.get("/api/v1/units", params={"at": "1999-06-13T12:00:00Z"}).json()["features"][
        0
    ]
    assert earlier["geometry"]["coordinates"] == [21.10, 42.60]
    assert client.get("/api/v1/units/mnb-c-hq").json()["properties"]["sidc"] == unit["sidc"]

    def units(**params: Any) -> int:
        return int(client.get("/api/v1/units", params=params).json()["numberReturned"])

    assert units(bbox="21.1,42.6,21.2,42.7") == 1
    assert units(bbox="20.0,41.0,20.5,41.5") == 0
    assert units(party="FRY") == 0
    assert client.get("/api/v1/units/nobody").status_code == 404
    track = client.get("/api/v1/units/mnb-c-hq/positions").json()
    assert track["numberReturned"] == 2
    patrol = {
        "uid": "p1",
        "mission": "KFOR",
        "name": "Pristina–Podujevo",
        "unit": "mnb-c-hq",
        "start": "1999-06-20T06:00:00Z",
        "end": "1999-06-20T10:00:00Z",
        "track": [[21.16, 42.66, "1999-06-20T06:00:00Z"], [21.19, 42.91, "1999-06-20T08:00:00Z"]],
    }
    assert client.post("/api/v1/patrols", json=patrol).status_code == 201
    listed = client.get(
        "/api/v1/patrols", params={"start": "1999-06-20T00:00:00Z", "end": "1999-06-21T00:00:00Z"}
    ).json()
    assert listed["features"][0]["geometry"]["type"] == "LineString"
    assert listed["features"][0]["properties"]["unit"] == "mnb-c-hq"
    assert client.get("/api/v1/patrols/p1").json()["properties"]["name"] == patrol["name"]
    assert client.get("/api/v1/patrols/p2").status_code == 404
    assert (
        client.get("/api/v1/patrols", params={"start": "1999-07-01T00:00:00Z"}).json()[
            "numberReturned"
        ]
        == 0
    )


def test_unknown_route_is_a_problem(client: Any) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)


def test_too_large_body_is_refused_before_ingest(client: Any, monkeypatch: Any) -> None:
    import peacewatch.api.routers.reports as reports_router

    monkeypatch.setattr(reports_router, "MAX_BODY", 100)
    response = client.post("/api/v1/reports", json=[report(), report()])
    assert response.status_code == 413
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"][0]["field"] == "body"
    assert client.get("/api/v1/reports").json()["numberReturned"] == 0
