"""/api/v1/stats: activity per day through the API, labelled, label-filtered, validated."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from peacewatch.ingest import records
from peacewatch.store import Store
from tests.api.test_compliance_api import INSIDE, PARTNER, SHARED, _setup
from tests.conftest import ADMIN, bearer, make_user
from tests.helpers import report

NATO_ONLY = "NATO RESTRICTED REL TO KFOR, NATO"
SECRET = "NATO SECRET REL TO NATO"
WINDOW = {"start": "1999-06-12T00:00:00Z", "end": "1999-07-01T00:00:00Z", "mission": "KFOR"}


def _file(client: TestClient, **overrides: Any) -> None:
    answer = client.post("/api/v1/reports", json=report(**overrides))
    assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text


def _get(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    answer = client.get(f"/api/v1/stats/{path}", params={**WINDOW, **params})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _partner(store: Store, anonymous: TestClient) -> TestClient:
    anonymous.headers.update(bearer(store, make_user(store, "partner", **PARTNER)))
    return anonymous


def test_incidents_per_day_are_labelled_and_filtered(
    store: Store, client: TestClient, anonymous: TestClient
) -> None:
    _file(client, observed_at="1999-06-15T10:00:00Z", label=SHARED)
    _file(client, observed_at="1999-06-15T23:59:00Z", label=SHARED, kind="arson")
    _file(client, observed_at="1999-06-17T08:00:00Z", label=SECRET)
    _file(client, observed_at="1999-07-02T08:00:00Z", label=SHARED)  # after the window
    mine = _get(client, "incidents")
    assert mine["of"] == "reports" and mine["days"] == ["1999-06-15", "1999-06-16", "1999-06-17"]
    assert [(s["key"], s["counts"]) for s in mine["series"]] == [
        ("arson", [1, 0, 0]),
        ("shooting", [1, 0, 1]),
    ]
    assert mine["start"] == WINDOW["start"] and mine["end"] == WINDOW["end"]
    # The collection's label is the most restrictive of what it counts, and the banner says so.
    answer = client.get("/api/v1/stats/incidents", params=WINDOW)
    assert answer.headers["X-PeaceWatch-Classification"] == "NATO SECRET"
    assert mine["label"].startswith("NATO SECRET") and "confidentiality" in mine
    assert {i["label"] for i in mine["items"]} == {SHARED, SECRET}
    theirs = _get(_partner(store, anonymous), "incidents")
    assert [(s["key"], s["total"]) for s in theirs["series"]] == [("arson", 1), ("shooting", 1)]
    assert theirs["days"] == ["1999-06-15"] and theirs["label"] == SHARED


def test_violations_per_day_by_party_and_zone(
    store: Store, client: TestClient, anonymous: TestClient
) -> None:
    _setup(store)
    sighting = {"kind": "armed_personnel_sighting", **INSIDE}
    _file(client, **sighting, observed_at="1999-06-16T10:00:00Z", label=SHARED)
    _file(client, **sighting, observed_at="1999-06-18T10:00:00Z", label=NATO_ONLY)
    [first, _] = client.get("/api/v1/violations").json()["features"]
    officer = bearer(store, make_user(store, "officer", roles=("compliance_officer",)))
    decided = anonymous.patch(
        f"/api/v1/violations/{first['id']}",
        json={"state": "confirmed", "reason": "seen by a patrol"},
        headers=officer,
    )
    assert decided.status_code == 200, decided.text
    by_party = _get(client, "violations", by="party")
    assert by_party["by"] == "party" and by_party["days"] == [
        "1999-06-16",
        "1999-06-17",
        "1999-06-18",
    ]
    [fry] = by_party["series"]
    assert fry["key"] == "FRY" and fry["name"] == "FRY/Serbian forces"
    assert fry["counts"] == [1, 0, 1] and fry["total"] == 2
    assert fry["states"] == {
        "suspected": [0, 0, 1],
        "confirmed": [1, 0, 0],
        "dismissed": [0, 0, 0],
    }
    [gsz] = _get(client, "violations", by="zone")["series"]
    assert (gsz["key"], gsz["name"], gsz["total"]) == ("gsz", "Ground Safety Zone", 2)
    theirs = _partner(store, anonymous)
    [zone] = _get(theirs, "violations", by="zone")["series"]
    assert (zone["key"], zone["counts"]) == ("gsz", [1])
    # FRY's record is not released to partners: their violation is counted under no party.
    [party] = _get(theirs, "violations", by="party")["series"]
    assert party["key"] is None and party["total"] == 1


def test_patrol_activity_per_day(store: Store, client: TestClient) -> None:
    track = [[21.0, 42.5, "1999-06-20T08:00:00Z"], [21.0, 42.6, "1999-06-20T09:00:00Z"]]
    records.add_patrols(
        store,
        viewer=ADMIN,
        items=[
            {"uid": "p1", "name": "North", "mission": "KFOR", "start": "1999-06-20T07:30:00Z",
             "track": track, "label": SHARED},
            {"uid": "p2", "name": "Planned", "mission": "KFOR", "start": "1999-06-21T07:30:00Z"},
        ],
    )  # fmt: skip
    body = _get(client, "patrols")
    series = {s["key"]: s for s in body["series"]}
    assert body["days"] == ["1999-06-20", "1999-06-21"]
    assert series["patrols"]["counts"] == [1, 1] and series["track_points"]["counts"] == [2, 0]
    # 0.1 degree of latitude at 42.5 N is 11.1 km on the WGS 84 ellipsoid.
    assert series["km"]["counts"][0] == pytest.approx(11.11, abs=0.01)
    assert body["label"] == "NATO UNCLASSIFIED REL TO KFOR, NATO"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("incidents", {"start": "yesterday"}, "start"),
        ("incidents", {"end": "1999-13-01T00:00:00Z"}, "end"),
        ("incidents", {"start": "1999-06-20T00:00:00Z", "end": "1999-06-19T00:00:00Z"}, "end"),
        ("incidents", {"of": "rumours"}, "of"),
        ("violations", {"by": "colour"}, "by"),
        ("patrols", {"start": "1999-06-20"}, "start"),
    ],
)
def test_bad_input_names_the_field(
    client: TestClient, path: str, params: dict[str, str], field: str
) -> None:
    answer = client.get(f"/api/v1/stats/{path}", params=params)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in answer.json()["errors"]] == [field]


@pytest.mark.parametrize("path", ["incidents", "violations", "patrols"])
def test_anonymous_callers_are_refused(anonymous: TestClient, path: str) -> None:
    answer = anonymous.get(f"/api/v1/stats/{path}")
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["field"] == "authorization"
