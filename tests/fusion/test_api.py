"""Events, sources and grades through the API: reads filtered by label, analysts' actions
(a partner may not), grade history; on both backends."""

from __future__ import annotations

from typing import Any

from peacewatch.store import Store
from tests.conftest import bearer, make_user
from tests.fusion.helpers import at, file

SECRET = "NATO SECRET REL TO NATO"
OPEN = "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"


def _load(store: Store) -> list[dict[str, Any]]:
    rows = [
        at(kind="shooting", label=OPEN, source="op-1", grade="B2"),
        at(200, 2, kind="shooting", label=OPEN, source="patrol-9", grade="C3"),
        at(300, 3, kind="shooting", label=SECRET, source="humint-4", grade="B2"),  # secret event
        at(9_000, 0, kind="shooting", label=OPEN),  # open event
        at(9_100, 1, kind="shooting", label=OPEN),
    ]
    file(store, *rows)
    return rows


def _partner(store: Store) -> dict[str, str]:
    user = make_user(
        store, "ukr", nation="UKR", clearance="NATO RESTRICTED", communities=("PARTNER",),
        roles=("partner_liaison",),
    )  # fmt: skip
    return bearer(store, user)


def test_events_are_label_filtered(client: Any, store: Store) -> None:
    _load(store)
    every = client.get("/api/v1/events").json()
    assert [f["properties"]["report_count"] for f in every["features"]] == [3, 2]
    assert every["features"][0]["properties"]["label"] == SECRET
    assert every["features"][0]["properties"]["credibility"] == 1  # three independent sources
    partner = _partner(store)
    seen = client.get("/api/v1/events", headers=partner).json()
    assert [f["properties"]["report_count"] for f in seen["features"]] == [2]
    hidden = every["features"][0]["id"]
    assert client.get(f"/api/v1/events/{hidden}", headers=partner).status_code == 404
    item = client.get(f"/api/v1/events/{seen['features'][0]['id']}", headers=partner).json()
    assert len(item["reports"]) == 2


def test_event_list_filters_and_pages(client: Any, store: Store) -> None:
    _load(store)
    assert client.get("/api/v1/events?kind=roadblock").json()["features"] == []
    far = "/api/v1/events?bbox=20.0,41.0,20.1,41.1"
    assert client.get(far).json()["features"] == []
    page = client.get("/api/v1/events?limit=1").json()
    assert len(page["features"]) == 1 and page["next_cursor"]
    rest = client.get(f"/api/v1/events?limit=1&cursor={page['next_cursor']}").json()
    assert len(rest["features"]) == 1 and rest["features"][0]["id"] != page["features"][0]["id"]


def test_only_analysts_merge_split_and_detach(client: Any, store: Store) -> None:
    rows = _load(store)
    ids = [f["id"] for f in client.get("/api/v1/events").json()["features"]]
    body = {"events": ids, "reason": "one firefight"}
    watch = bearer(store, make_user(store, "watch", roles=("watchkeeper",)))
    assert client.post("/api/v1/events/merge", json=body, headers=watch).status_code == 403
    assert (
        client.post("/api/v1/events/merge", json=body, headers=_partner(store)).status_code == 403
    )
    analyst = bearer(store, make_user(store, "analyst", roles=("analyst",)))
    merged = client.post("/api/v1/events/merge", json=body, headers=analyst)
    assert merged.status_code == 200 and merged.json()["properties"]["report_count"] == 5
    assert merged.json()["properties"]["locked"] is True
    event = merged.json()["id"]
    split = {"reports": [rows[3]["id"], rows[4]["id"]], "reason": "two firefights after all"}
    made = client.post(f"/api/v1/events/{event}/split", json=split, headers=analyst)
    assert made.status_code == 200 and made.json()["properties"]["report_count"] == 2
    detach = {"report": rows[1]["id"], "reason": "a training shoot"}
    left = client.post(f"/api/v1/events/{event}/detach", json=detach, headers=analyst).json()
    assert left["properties"]["report_count"] == 2
    missing = client.post(f"/api/v1/events/{event}/detach", json=detach, headers=analyst)
    assert missing.status_code == 404


def test_sources_and_grade_history(client: Any, store: Store) -> None:
    rows = _load(store)
    analyst = bearer(store, make_user(store, "analyst", roles=("analyst",)))
    source = {"code": "op-1", "name": "OP Bravo", "kind": "observation_post", "reliability": "B"}
    assert client.post("/api/v1/sources", json=source, headers=analyst).status_code == 422
    made = client.post("/api/v1/sources", json=source | {"label": OPEN}, headers=analyst)
    assert made.status_code == 200 and made.json()["reliability"] == "B"
    assert client.post("/api/v1/sources", json=source | {"label": OPEN}).status_code == 409
    secret = source | {"code": "humint-4", "kind": "humint", "label": SECRET}
    assert client.post("/api/v1/sources", json=secret, headers=analyst).status_code == 200
    change = {"reliability": "D", "reason": "two reports proved false"}
    partner = _partner(store)
    assert client.patch("/api/v1/sources/op-1", json=change, headers=partner).status_code == 403
    assert (
        client.patch("/api/v1/sources/op-1", json=change, headers=analyst).json()["reliability"]
        == "D"
    )
    history = client.get("/api/v1/sources/op-1/history", headers=partner).json()["items"]
    assert [(h["previous"], h["grade"]) for h in history] == [(None, "B"), ("B", "D")]
    assert history[1]["changed_by"] == "analyst" and history[1]["reason"] == change["reason"]
    assert [s["code"] for s in client.get("/api/v1/sources", headers=partner).json()["items"]] == [
        "op-1"
    ]
    assert client.get("/api/v1/sources/humint-4/history", headers=partner).status_code == 404
    report = rows[0]["id"]
    regrade = {"grade": "E5", "reason": "the OP was not manned that day"}
    got = client.patch(f"/api/v1/reports/{report}/grade", json=regrade, headers=analyst)
    assert got.status_code == 200 and got.json()["items"][-1]["previous"] == "B2"
    assert client.get(f"/api/v1/reports/{report}/grades").json()["items"][-1]["grade"] == "E5"
    bad = client.patch(f"/api/v1/reports/{report}/grade", json={"grade": "Z9", "reason": "x"})
    assert bad.status_code == 422
