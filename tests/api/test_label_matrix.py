"""No leak anywhere: random users and randomly labelled records, every read route as each.

The matrix below must name every GET route of the app (a new route fails the test until it
is added), and every record it returns — in lists, items, parties, tracks and the live feed —
must carry a label its viewer may see; every item the viewer may see must be reachable, and
every other answers 404.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from peacewatch.api.app import api_routes
from peacewatch.compliance import judge
from peacewatch.domain.labels import Classification, Label, Viewer, can_see
from peacewatch.fusion import engine as fusion
from peacewatch.fusion.grading import add_source
from peacewatch.ingest import records
from peacewatch.ingest.agreements import add_agreement
from peacewatch.ingest.patrol_plans import add_plans
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.store import Store
from peacewatch.store.tables import events, violations
from peacewatch.store.tables import labels as label_table
from tests.api import convoys_data, ddr_data, partners_data
from tests.conftest import bearer, empty, make_user, seed
from tests.helpers import report

NATIONS = ["GBR", "FRA", "USA", "UKR"]
COMMUNITIES = ["NATO", "KFOR", "PARTNER"]
WRITER = Viewer("writer", "GBR", Classification.NATO_SECRET, frozenset({*COMMUNITIES, *NATIONS}))

labels = st.builds(
    lambda c, rel: Label(Classification(c), frozenset(rel)).marking,
    st.integers(0, 3),
    st.sets(st.sampled_from(NATIONS + COMMUNITIES), min_size=1, max_size=3),
)
users = st.fixed_dictionaries(
    {
        "nation": st.sampled_from(NATIONS),
        "clearance": st.sampled_from([c.marking for c in Classification]),
        "communities": st.sets(st.sampled_from(COMMUNITIES), max_size=2).map(tuple),
        "roles": st.sampled_from([("partner_liaison",), ("watchkeeper",), ("analyst",)]),
    }
)

# Every GET route that returns operational records, and the path to call it by; the routes
# without records (health, gazetteer, the caller's own account, admin-only views) are listed
# apart so that a new route has to be put in one list or the other.
MATRIX = {
    "/api/v1/missions": "/api/v1/missions",
    "/api/v1/missions/{code}": "/api/v1/missions/KFOR",
    "/api/v1/missions/{code}/parties": "/api/v1/missions/KFOR/parties",
    "/api/v1/zones": "/api/v1/zones",
    "/api/v1/zones/{uid}": None,  # each zone
    "/api/v1/units": "/api/v1/units",
    "/api/v1/units/{uid}": None,  # each unit
    "/api/v1/units/{uid}/positions": None,  # each unit's track
    "/api/v1/tracks": "/api/v1/tracks",
    "/api/v1/stats/incidents": "/api/v1/stats/incidents",
    "/api/v1/stats/violations": "/api/v1/stats/violations",
    "/api/v1/stats/patrols": "/api/v1/stats/patrols",
    "/api/v1/sitrep": "/api/v1/sitrep?start=1999-06-12T00:00:00Z&end=1999-07-01T00:00:00Z",
    "/api/v1/analytics/trends": "/api/v1/analytics/trends?by=sector",
    "/api/v1/analytics/hotspots": "/api/v1/analytics/hotspots?start=1999-06-14T00:00:00Z",
    "/api/v1/analytics/coverage": "/api/v1/analytics/coverage?start=1999-06-01T00:00:00Z"
    "&end=1999-07-01T00:00:00Z",
    "/api/v1/warning/index": "/api/v1/warning/index?start=1999-06-12T00:00:00Z",
    "/api/v1/warning/alerts": "/api/v1/warning/alerts?start=1999-06-12T00:00:00Z",
    "/api/v1/patrols": "/api/v1/patrols",
    "/api/v1/patrols/{uid}": None,  # each patrol
    "/api/v1/patrol-plans": "/api/v1/patrol-plans",
    "/api/v1/patrol-plans/{uid}": None,  # each plan
    "/api/v1/coverage": "/api/v1/coverage?start=1999-06-12T00:00:00Z&end=1999-07-01T00:00:00Z",
    "/api/v1/coverage/gaps": "/api/v1/coverage/gaps?start=1999-06-12T00:00:00Z&limit=500",
    "/api/v1/reports": "/api/v1/reports?limit=10000",
    "/api/v1/reports/{report_id}": None,  # each report
    "/api/v1/stream": "/api/v1/stream?after=0&follow=false",
    "/api/v1/exports/reports": "/api/v1/exports/reports?format=geojson",
    "/api/v1/violations": "/api/v1/violations?limit=10000",
    "/api/v1/violations/{violation_id}": None,  # each violation
    "/api/v1/compliance/summary": "/api/v1/compliance/summary?by=zone",
    "/api/v1/compliance/deadlines": "/api/v1/compliance/deadlines",
    "/api/v1/compliance/heatmap": "/api/v1/compliance/heatmap",
    "/api/v1/agreements": "/api/v1/agreements",
    "/api/v1/agreements/{code}": None,  # each agreement
    "/api/v1/partners": "/api/v1/partners",
    "/api/v1/partners/{nation}": None,  # each partner nation
    "/api/v1/partners/{nation}/goals/{uid}": None,  # each goal
    "/api/v1/exercises": "/api/v1/exercises",
    "/api/v1/exercises/{uid}": None,  # each exercise
    "/api/v1/multinational-units": "/api/v1/multinational-units",
    "/api/v1/multinational-units/{uid}": None,  # each multinational unit
    "/api/v1/events": "/api/v1/events?limit=10000",
    "/api/v1/events/{event_id}": None,  # each event
    "/api/v1/sources": "/api/v1/sources",
    "/api/v1/sources/{code}": None,  # each source
    "/api/v1/sources/{code}/history": None,  # each source
    "/api/v1/reports/{report_id}/grades": None,  # each report
    "/api/v1/reports/{report_id}/versions": None,  # each report
    "/ogc/collections/{collectionId}/items": "/ogc/collections/reports/items?limit=10000",
    "/ogc/collections/{collectionId}/items/{featureId}": None,  # each report, unit, zone, …
}
MATRIX.update(ddr_data.MATRIX)
MATRIX.update(convoys_data.MATRIX)
NO_RECORDS = {
    "/healthz",
    "/api/v1/places",
    "/api/v1/history",  # the public record of NATO's Balkan operations
    "/api/v1/history/{id}",
    "/api/v1/nations",
    "/api/v1/auth/me",
    "/api/v1/auth/tokens",
    "/api/v1/auth/permissions",
    "/api/v1/users",
    "/api/v1/users/{username}",
    "/api/v1/audit",
    "/api/v1/audit/export",
    "/api/v1/audit/verify",
    "/api/v1/tak/status",  # counts only, no records
    "/ogc",
    "/ogc/",
    "/ogc/conformance",
    "/ogc/collections",
    "/ogc/collections/{collectionId}",
}


def test_the_matrix_names_every_read_route(app: Any) -> None:
    gets = {r.path for r in api_routes(app) if "GET" in r.methods}
    assert gets == set(MATRIX) | NO_RECORDS, gets ^ (set(MATRIX) | NO_RECORDS)


def _labels_in(body: Any, top: bool = True) -> list[str]:
    """Labels of the records in a response (not the collection's own derived label)."""
    found: list[str] = []
    if isinstance(body, dict):
        collection = top and ("features" in body or "items" in body)
        for key, value in body.items():
            if key == "label" and collection:
                continue
            if key == "label" and isinstance(value, str):
                found.append(value)
            else:
                found += _labels_in(value, False)
    elif isinstance(body, list):
        for value in body:
            found += _labels_in(value, False)
    return found


def _sse(text: str) -> list[dict[str, Any]]:
    """The data of every message of a feed, each with its event type as ``_event``."""
    import json

    messages = re.findall(r"^event: (.*)\ndata: (.*)$", text, flags=re.M)
    return [{**json.loads(data), "_event": kind} for kind, data in messages]


def _load(store: Store, draw: Any) -> dict[str, list[tuple[str, str]]]:
    """Records of every kind with drawn labels; returns (id, label) per kind."""
    made: dict[str, list[tuple[str, str]]] = {
        "report": [], "unit": [], "zone": [], "patrol": [], "agreement": [], "violation": [],
        "event": [], "source": [], "plan": [],
    }  # fmt: skip
    judge.attach(store)  # violations are judged as reports are written (as the app does)
    fusion.attach(store)  # and reports fused into events
    rows = [report(label=draw(labels), lon=21.0 + i / 100) for i in range(draw(st.integers(3, 12)))]
    summary = Pipeline(store, viewer=WRITER, mission="KFOR").run((r["id"], r) for r in rows)
    assert summary.accepted == len(rows)
    made["report"] = [(r["id"], r["label"]) for r in rows]
    for i in range(draw(st.integers(1, 3))):
        label = draw(labels)
        uid = records.add_unit(
            store,
            viewer=WRITER,
            data={
                "uid": f"u{i}",
                "mission": "KFOR",
                "name": f"Unit {i}",
                "label": label,
                "sidc": "10031000001211000000",
            },
        )
        records.add_positions(
            store,
            viewer=WRITER,
            positions=[
                {
                    "unit_uid": uid,
                    "observed_at": f"1999-06-1{d}T08:00:00Z",
                    "lon": 21.1,
                    "lat": 42.6,
                    "label": draw(labels),
                }
                for d in range(3)
            ],
        )
        made["unit"].append((uid, label))
    for i in range(draw(st.integers(1, 2))):
        label = draw(labels)
        uid = records.add_zone(
            store,
            viewer=WRITER,
            data={
                "uid": f"z{i}",
                "mission": "KFOR",
                "name": f"Zone {i}",
                "kind": "sector",
                "valid_from": "1999-06-12T00:00:00Z",
                "label": label,
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[21, 42], [21.2, 42], [21.2, 42.2], [21, 42]]],
                },
            },
        )
        made["zone"].append((uid, label))
        uid = records.add_patrol(
            store,
            viewer=WRITER,
            data={
                "uid": f"p{i}",
                "mission": "KFOR",
                "name": f"Patrol {i}",
                "label": label,
                "start": "1999-06-13T08:00:00Z",
                "end": "1999-06-13T12:00:00Z",
                "track": [
                    [21.0, 42.5, "1999-06-13T08:00:00Z"],
                    [21.1, 42.6, "1999-06-13T10:00:00Z"],
                ],
            },
        )
        made["patrol"].append((uid, label))
        plan = {"uid": f"plan{i}", "mission": "KFOR", "name": f"Plan {i}", "unit": "u0",
                "label": draw(labels), "start": "1999-06-13T08:00:00Z",
                "end": "1999-06-13T12:00:00Z", "geometry": {"type": "LineString",
                "coordinates": [[21.0, 42.5], [21.1, 42.6]]}}  # fmt: skip
        made["plan"] += [(u, plan["label"]) for u in add_plans(store, viewer=WRITER, items=[plan])]
    made.update(convoys_data.load(store, draw, labels, WRITER))  # before: violations alert
    _violate(store, draw, made)
    made.update(partners_data.load(store, draw, labels, WRITER))
    made.update(ddr_data.load(store, draw, labels, WRITER))
    label = draw(labels)
    source = {"code": "op-1", "name": "OP", "kind": "observation_post", "reliability": "B"}
    made["source"].append((add_source(store, viewer=WRITER, data=source | {"label": label}), label))
    with store.read() as conn:
        made["event"] = [
            (str(u), str(m))
            for u, m in conn.execute(
                select(events.c.uuid, label_table.c.marking).join(
                    label_table, label_table.c.id == events.c.label_id
                )
            )
        ]
    assert made["event"]
    records.add_party(
        store,
        viewer=WRITER,
        data={"code": "SEC", "name": "Secret party", "mission": "KFOR", "label": draw(labels)},
    )
    return made


def _violate(store: Store, draw: Any, made: dict[str, list[tuple[str, str]]]) -> None:
    """An agreement binding FRY in the first zone, and FRY sightings in it: violations."""
    label = draw(labels)
    obligation = {
        "code": "withdraw",
        "clause": "Art. II",
        "title": "Withdraw from zone 0",
        "parties": ["FRY"],
        "zones": ["z0"],
        "prohibited": ["armed_forces"],
        "valid_from": "1999-06-12T00:00:00Z",
        "deadline": "EIF",
        "label": draw(labels),
    }
    data = {"code": "MTA", "name": "MTA", "mission": "KFOR", "label": label}
    data |= {"entry_into_force": "1999-06-12T00:00:00Z", "obligations": [obligation]}
    made["agreement"].append((add_agreement(store, viewer=WRITER, data=data), label))
    rows = [
        report(label=draw(labels), kind="armed_personnel_sighting", lon=21.15, lat=42.03 + i / 1000)
        for i in range(draw(st.integers(1, 4)))
    ]
    assert Pipeline(store, viewer=WRITER, mission="KFOR").run((r["id"], r) for r in rows).accepted
    made["report"] += [(r["id"], r["label"]) for r in rows]
    with store.read() as conn:
        found = conn.execute(
            select(violations.c.uuid, label_table.c.marking).join(
                label_table, label_table.c.id == violations.c.label_id
            )
        ).all()
    assert len(found) == len(rows)
    made["violation"] = [(str(u), str(m)) for u, m in found]


ITEM_ROUTES = {
    "report": ["/api/v1/reports/{}", "/ogc/collections/reports/items/{}"],
    "unit": ["/api/v1/units/{}", "/ogc/collections/units/items/{}"],
    "zone": ["/api/v1/zones/{}", "/ogc/collections/zones/items/{}"],
    "patrol": ["/api/v1/patrols/{}"],
    "plan": ["/api/v1/patrol-plans/{}"],
    "agreement": ["/api/v1/agreements/{}"],
    "violation": ["/api/v1/violations/{}", "/ogc/collections/violations/items/{}"],
    "event": ["/api/v1/events/{}"],
    "source": ["/api/v1/sources/{}", "/api/v1/sources/{}/history"],
}
ITEM_ROUTES["report"].append("/api/v1/reports/{}/grades")
ITEM_ROUTES["report"].append("/api/v1/reports/{}/versions")
ITEM_ROUTES["report"] += ddr_data.REPORT_ROUTES
ITEM_ROUTES["event"].append("/ogc/collections/events/items/{}")
ITEM_ROUTES.update(partners_data.ITEM_ROUTES)
ITEM_ROUTES.update(ddr_data.ITEM_ROUTES)
ITEM_ROUTES.update(convoys_data.ITEM_ROUTES)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_route_returns_a_record_its_viewer_may_not_see(
    store: Store, anonymous: TestClient, data: Any
) -> None:
    empty(store)
    seed(store)
    made = _load(store, data.draw)
    people = data.draw(st.lists(users, min_size=1, max_size=3))
    for n, person in enumerate(people):
        user = make_user(store, f"user{n}", **person)
        headers = bearer(store, user)
        viewer = user.viewer
        for route, path in MATRIX.items():
            if path is None:
                continue
            response = anonymous.get(path, headers=headers)
            assert response.status_code in (200, 404), (route, response.text)
            if response.status_code == 404:  # the mission itself is not visible to them
                continue
            body = _sse(response.text) if route.endswith("/stream") else response.json()
            for marking in _labels_in(body):
                assert can_see(viewer, Label.parse(marking)), (route, person, marking)
            if route in ("/api/v1/reports", "/api/v1/exports/reports"):
                ids = {f["id"] for f in body["features"]}
                expected = {i for i, m in made["report"] if can_see(viewer, Label.parse(m))}
                assert ids == expected  # nothing missing either
            if route == "/api/v1/violations":
                ids = {f["id"] for f in body["features"]}
                expected = {i for i, m in made["violation"] if can_see(viewer, Label.parse(m))}
                assert ids == expected  # nothing missing either
            if route == "/api/v1/events":
                ids = {f["id"] for f in body["features"]}
                expected = {i for i, m in made["event"] if can_see(viewer, Label.parse(m))}
                assert ids == expected  # nothing missing either
            if route.endswith("/stream"):
                expected = {i for i, m in made["report"] if can_see(viewer, Label.parse(m))}
                assert {f["id"] for f in body if f["_event"] == "report"} == expected
                sent = {f["_event"] for f in body}
                assert sent <= {"resume", "report", "event", "violation", "position"}, sent
        for kind, items in made.items():
            for uid, marking in items:
                for template in ITEM_ROUTES[kind]:
                    got = anonymous.get(template.format(uid), headers=headers)
                    visible = can_see(viewer, Label.parse(marking))
                    assert got.status_code == (200 if visible else 404), (kind, person, marking)
                    if visible:
                        for m in _labels_in(got.json()):
                            assert can_see(viewer, Label.parse(m))
                if kind == "unit":
                    track = anonymous.get(f"/api/v1/units/{uid}/positions", headers=headers)
                    for m in _labels_in(track.json()):
                        assert can_see(viewer, Label.parse(m))
