"""Partners, exercises and multinational units end to end through the API, on both backends:
writes, progress, outcomes, 422s naming the field, permissions and the label filter."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from peacewatch.ingest import records
from peacewatch.store import Store
from tests.conftest import bearer, make_user

PUBLIC = "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"
NATO_ONLY = "NATO RESTRICTED REL TO NATO"


def _nations(store: Store) -> None:
    records.add_nations(
        store,
        [
            {"code": "MKD", "name": "North Macedonia", "kind": "nation"},
            {"code": "ALB", "name": "Albania", "kind": "nation"},
        ],
    )


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_a_partner_s_road_goals_and_evidence(client: TestClient, store: Store) -> None:
    _nations(store)
    for status, since in (("pfp", "1995-11-15T00:00:00Z"), ("member", "2020-03-27T00:00:00Z")):
        body = _ok(
            client.post(
                "/api/v1/partners/mkd/status",
                json={"status": status, "since": since, "source": "test", "label": PUBLIC},
            ),
            201,
        )
    assert body["status"] == "member" and [s["status"] for s in body["timeline"]] == [
        "pfp",
        "member",
    ]
    dup = client.post(
        "/api/v1/partners/MKD/status",
        json={"status": "member", "since": "2020-03-27T00:00:00Z", "source": "again"},
    )
    assert dup.status_code == 409
    goal = _ok(
        client.post(
            "/api/v1/partners/MKD/goals",
            json={
                "uid": "lang",
                "title": "Language training",
                "label": PUBLIC,
                "milestones": [
                    {"title": "course", "planned": "2001-01-01T00:00:00Z"},
                    {"title": "exam", "planned": "2002-01-01T00:00:00Z"},
                ],
            },
        ),
        201,
    )
    assert goal["progress"]["percent"] == 0.0 and goal["progress"]["behind_schedule"]
    goal = _ok(
        client.patch(
            "/api/v1/partners/MKD/goals/lang/milestones/1",
            json={"achieved": "2000-12-01T00:00:00Z"},
        )
    )
    assert goal["progress"]["percent"] == 50.0 and goal["progress"]["overdue"] == [2]
    goal = _ok(
        client.post(
            "/api/v1/partners/MKD/goals/lang/evidence",
            json={
                "title": "Course report",
                "url": "https://example.org/r",
                "dated": "2000-12-02T00:00:00Z",
            },
        ),
        201,
    )
    assert goal["evidence"][0]["recorded_by"] == "operator"
    assert goal["evidence"][0]["label"] == PUBLIC  # the goal's label by default
    at = _ok(client.get("/api/v1/partners/MKD/goals/lang?at=2001-06-01T00:00:00Z"))
    assert at["progress"]["behind_schedule"] is False and at["progress"]["percent"] == 50.0
    listed = _ok(client.get("/api/v1/partners?at=2000-01-01T00:00:00Z"))
    assert [p["nation"] for p in listed["items"]] == ["MKD"]
    assert listed["items"][0]["status"] == "pfp" and listed["label"]
    assert client.get("/api/v1/partners/ALB").status_code == 404
    assert client.get("/api/v1/partners/MKD/goals/nope").status_code == 404


def test_exercises_and_multinational_units(client: TestClient, store: Store) -> None:
    _nations(store)
    ex = _ok(
        client.post(
            "/api/v1/exercises",
            json={
                "uid": "x1",
                "name": "Exercise X",
                "place": "Pristina",
                "lon": 21.166,
                "lat": 42.663,
                "start": "2000-04-10T00:00:00Z",
                "end": "2000-04-12T00:00:00Z",
                "participants": ["GBR", "MKD"],
                "objectives": [{"title": "radio"}, {"title": "medevac", "outcome": "not_met"}],
                "synthetic": True,
            },
        ),
        201,
    )
    assert ex["interoperability"]["score"] == 0.0 and ex["interoperability"]["not_assessed"] == 1
    ex = _ok(
        client.patch(
            "/api/v1/exercises/x1/objectives/1", json={"outcome": "met", "notes": "one net"}
        )
    )
    assert ex["interoperability"]["score"] == 50.0
    assert ex["objectives"][0] | {"assessed_at": None} == {
        "number": 1, "title": "radio", "outcome": "met", "notes": "one net",
        "assessed_by": "operator", "assessed_at": None, "label": ex["label"],
    }  # fmt: skip
    assert [e["id"] for e in _ok(client.get("/api/v1/exercises?nation=mkd"))["items"]] == ["x1"]
    assert _ok(client.get("/api/v1/exercises?nation=ALB"))["items"] == []
    unit = _ok(
        client.post(
            "/api/v1/multinational-units",
            json={
                "uid": "mnb",
                "name": "MNB East",
                "kind": "brigade",
                "formed": "1999-06-12T00:00:00Z",
                "contributions": [
                    {"nation": "USA", "role": "lead nation", "from": "1999-06-12T00:00:00Z"}
                ],
            },
        ),
        201,
    )
    assert unit["contributors_at"] == ["USA"]
    unit = _ok(
        client.post(
            "/api/v1/multinational-units/mnb/contributions",
            json={"nation": "ALB", "from": "2000-01-01T00:00:00Z", "to": "2001-01-01T00:00:00Z"},
        ),
        201,
    )
    got = _ok(client.get("/api/v1/multinational-units/mnb?at=2000-06-01T00:00:00Z"))
    assert got["contributors_at"] == ["ALB", "USA"]
    assert _ok(client.get("/api/v1/multinational-units"))["items"][0]["id"] == "mnb"
    # A contributor with no status and no goal is not a partner record of its own.
    assert client.get("/api/v1/partners/ALB").status_code == 404
    _ok(
        client.post(
            "/api/v1/partners/ALB/status",
            json={"status": "member", "since": "2009-04-01T00:00:00Z", "source": "s"},
        ),
        201,
    )
    partner = _ok(client.get("/api/v1/partners/ALB?at=2000-01-01T00:00:00Z"))
    assert partner["multinational_units"][0]["id"] == "mnb" and partner["status"] is None


def test_invalid_input_is_422_naming_the_field(client: TestClient, store: Store) -> None:
    _nations(store)
    t0, t1 = "2000-01-01T00:00:00Z", "2000-01-02T00:00:00Z"
    status = "/api/v1/partners/MKD/status"
    goals = "/api/v1/partners/MKD/goals"
    ex = {"name": "n", "place": "p", "start": t0, "end": t0, "participants": ["GBR"]}
    cases: list[tuple[str, dict[str, Any], str]] = [
        (status, {"status": "friend", "since": t0, "source": "s"}, "status"),
        (status, {"status": "pfp", "source": "s"}, "since"),
        (status, {"status": "pfp", "since": t0}, "source"),
        ("/api/v1/partners/ZZZ/status", {"status": "pfp", "since": t0, "source": "s"}, "nation"),
        (goals, {"title": "t", "progress": 101}, "progress"),
        (goals, {"title": "t", "label": "NATO SECRET REL TO XYZ"}, "label"),
        ("/api/v1/exercises", ex | {"start": t1}, "end"),
        ("/api/v1/exercises", ex | {"objectives": [{"title": "o", "outcome": "great"}]},
         "objectives[0].outcome"),
        ("/api/v1/exercises", ex | {"participants": ["QQQ"]}, "participants[0]"),
        ("/api/v1/multinational-units", {"name": "n", "kind": "brigade",
         "contributions": [{"nation": "GBR"}]}, "contributions[0].from"),
    ]  # fmt: skip
    for path, body, field in cases:
        response = client.post(path, json=body)
        assert response.status_code == 422, (path, body, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], (field, response.text)


def test_only_partners_writers_write_and_a_partner_sees_only_what_is_released(
    client: TestClient, store: Store, anonymous: TestClient
) -> None:
    _nations(store)
    for label, status in ((PUBLIC, "pfp"), (NATO_ONLY, "map")):
        _ok(
            client.post(
                "/api/v1/partners/ALB/status",
                json={"status": status, "since": f"200{len(status)}-01-01T00:00:00Z",
                      "source": "s", "label": label},
            ),
            201,
        )  # fmt: skip
    _ok(
        client.post(
            "/api/v1/partners/MKD/goals", json={"uid": "g", "title": "t", "label": NATO_ONLY}
        ),
        201,
    )
    liaison = make_user(
        store, "ukr.liaison", nation="UKR", clearance="NATO RESTRICTED",
        communities=("PARTNER",), roles=("partner_liaison",),
    )  # fmt: skip
    headers = bearer(store, liaison)
    refused = anonymous.post("/api/v1/exercises", headers=headers, json={"name": "n", "place": "p"})
    assert refused.status_code == 403
    seen = _ok(anonymous.get("/api/v1/partners", headers=headers))
    assert [p["nation"] for p in seen["items"]] == ["ALB"]
    assert [s["status"] for s in seen["items"][0]["timeline"]] == ["pfp"]
    assert seen["items"][0]["label"] == PUBLIC
    assert anonymous.get("/api/v1/partners/MKD", headers=headers).status_code == 404
    assert anonymous.get("/api/v1/partners/MKD/goals/g", headers=headers).status_code == 404
    nato = _ok(client.get("/api/v1/partners/ALB"))
    assert nato["status"] == "map" and nato["label"] == NATO_ONLY
