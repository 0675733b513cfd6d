"""GET /api/v1/tracks: each unit's positions in a window as one line, label-filtered."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from peacewatch.ingest import records
from peacewatch.store import Store
from tests.conftest import ADMIN, bearer, make_user

OPEN = "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"
NATO = "NATO RESTRICTED REL TO KFOR, NATO"
SECRET = "NATO SECRET REL TO KFOR, NATO"
PARTNER = {"nation": "UKR", "clearance": "NATO RESTRICTED", "communities": ("PARTNER",)}


def _unit(store: Store, uid: str, positions: list[tuple[str, float, float, str]]) -> None:
    records.add_unit(
        store,
        viewer=ADMIN,
        data={"uid": uid, "mission": "KFOR", "name": uid.upper(), "label": OPEN,
              "sidc": "10031000001211000000", "party": "FRY"},
    )  # fmt: skip
    records.add_positions(
        store,
        viewer=ADMIN,
        positions=[
            {"unit_uid": uid, "observed_at": t, "lon": lon, "lat": lat, "label": label}
            for t, lon, lat, label in positions
        ],
    )


def _setup(store: Store) -> None:
    _unit(
        store,
        "bn1",
        [
            ("1999-06-15T06:00:00Z", 21.10, 42.60, OPEN),
            ("1999-06-15T08:00:00Z", 21.12, 42.62, NATO),
            ("1999-06-15T10:00:00Z", 21.14, 42.64, OPEN),
            ("1999-06-15T12:00:00Z", 21.30, 42.80, SECRET),
            ("1999-06-16T12:00:00Z", 21.50, 42.90, OPEN),
        ],
    )
    _unit(store, "bn2", [("1999-06-15T09:00:00Z", 20.70, 42.20, OPEN)])


def _tracks(client: TestClient, query: str, headers: dict[str, str] | None = None) -> Any:
    response = client.get(f"/api/v1/tracks?{query}", headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_track_is_the_window_s_positions_in_time_order(store: Store, client: TestClient) -> None:
    _setup(store)
    body = _tracks(client, "start=1999-06-15T00:00:00Z&end=1999-06-16T00:00:00Z&mission=KFOR")
    tracks = {f["id"]: f for f in body["features"]}
    assert set(tracks) == {"bn1", "bn1~2", "bn1~3", "bn1~4", "bn2"}, tracks
    assert body["truncated"] is False
    # One line per run of positions under one label, each carrying that label.
    runs = [tracks[i] for i in ("bn1", "bn1~2", "bn1~3", "bn1~4")]
    assert [f["properties"]["label"] for f in runs] == [OPEN, NATO, OPEN, SECRET]
    assert [f["geometry"]["coordinates"] for f in runs] == [
        [21.10, 42.60], [21.12, 42.62], [21.14, 42.64], [21.30, 42.80]
    ]  # fmt: skip
    props = runs[0]["properties"]
    assert props["points"] == 1 and props["party"] == "FRY" and props["name"] == "BN1"
    assert props["unit"] == "bn1" and runs[3]["properties"]["unit"] == "bn1"
    assert (props["start"], props["end"]) == ("1999-06-15T06:00:00Z", "1999-06-15T06:00:00Z")
    assert tracks["bn2"]["geometry"] == {"type": "Point", "coordinates": [20.70, 42.20]}
    assert body["label"] == SECRET


def test_a_track_under_one_label_is_one_line(store: Store, client: TestClient) -> None:
    _unit(store, "bn3", [(f"1999-06-15T0{h}:00:00Z", 21.0 + h / 100, 42.5, NATO) for h in range(4)])
    body = _tracks(client, "start=1999-06-15T00:00:00Z&end=1999-06-15T03:00:00Z")
    [track] = body["features"]
    assert track["id"] == "bn3" and track["properties"]["label"] == NATO
    assert track["geometry"] == {
        "type": "LineString", "coordinates": [[21.0, 42.5], [21.01, 42.5], [21.02, 42.5]]
    }  # fmt: skip
    assert (track["properties"]["start"], track["properties"]["end"]) == (
        "1999-06-15T00:00:00Z", "1999-06-15T02:00:00Z"
    )  # fmt: skip


def test_a_viewer_s_track_holds_only_the_positions_it_may_see(
    store: Store, client: TestClient, anonymous: TestClient
) -> None:
    _setup(store)
    partner = bearer(store, make_user(store, "liaison", **PARTNER))
    body = _tracks(anonymous, "start=1999-06-15T00:00:00Z&end=1999-06-16T00:00:00Z", partner)
    bn1 = [f for f in body["features"] if f["properties"]["unit"] == "bn1"]
    assert [f["geometry"]["coordinates"] for f in bn1] == [[[21.10, 42.60], [21.14, 42.64]]]
    assert {f["properties"]["label"] for f in bn1} == {OPEN} and body["label"] == OPEN
    assert anonymous.get("/api/v1/tracks").status_code == 401


def test_bbox_limit_and_bad_input(store: Store, client: TestClient) -> None:
    _setup(store)
    body = _tracks(client, "bbox=20.6,42.1,20.8,42.3")
    assert {f["properties"]["unit"] for f in body["features"]} == {"bn2"}
    cut = _tracks(client, "limit=3")
    assert cut["truncated"] is True
    assert sum(f["properties"]["points"] for f in cut["features"]) == 3
    bad = client.get("/api/v1/tracks?start=yesterday")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "start"
    assert client.get("/api/v1/tracks?limit=0").status_code == 422
