"""Violations through the API: created by writes, listed, decided, summarised, label-filtered."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from peacewatch.domain.labels import Label
from peacewatch.ingest import records
from peacewatch.ingest.agreements import add_agreement
from peacewatch.store import Store
from peacewatch.store.label_filter import intern_label
from peacewatch.store.tables import violations
from tests.conftest import ADMIN, bearer, make_user
from tests.helpers import report

SHARED = "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"
NATO_ONLY = "NATO RESTRICTED REL TO KFOR, NATO"
SQUARE = [[21.0, 42.0], [21.2, 42.0], [21.2, 42.2], [21.0, 42.2], [21.0, 42.0]]
INSIDE = {"lon": 21.1, "lat": 42.1}
PARTNER = {
    "nation": "UKR",
    "clearance": "NATO RESTRICTED",
    "communities": ("PARTNER",),
    "roles": ("partner_liaison",),
}


def _setup(store: Store) -> None:
    """A ground safety zone and an agreement binding FRY in it (both releasable to PARTNER)."""
    records.add_zone(
        store,
        viewer=ADMIN,
        data={
            "uid": "gsz",
            "mission": "KFOR",
            "name": "Ground Safety Zone",
            "kind": "ground_safety_zone",
            "valid_from": "1999-06-12T00:00:00Z",
            "label": SHARED,
            "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
        },
    )
    common = {"parties": ["FRY"], "zones": ["gsz"], "label": SHARED}
    add_agreement(
        store,
        viewer=ADMIN,
        data={
            "code": "MTA",
            "name": "Military Technical Agreement",
            "mission": "KFOR",
            "entry_into_force": "1999-06-12T00:00:00Z",
            "label": SHARED,
            "obligations": [
                {
                    **common,
                    "code": "no-forces",
                    "clause": "Art. II.2",
                    "title": "No armed forces in the GSZ",
                    "prohibited": ["armed_forces"],
                    "valid_from": "1999-06-14T00:00:00Z",
                },
                {
                    **common,
                    "code": "no-heavy",
                    "clause": "App. B 2.a",
                    "title": "Heavy weapons withdrawn",
                    "prohibited": ["heavy_weapons"],
                    "valid_from": "1999-06-18T00:00:00Z",
                    "deadline": "EIF+6",
                },
                {
                    **common,
                    "code": "no-aircraft",
                    "clause": "App. B 2.b",
                    "title": "No aircraft",
                    "prohibited": ["aircraft"],
                    "valid_from": "1999-06-15T00:00:00Z",
                    "deadline": "EIF+3",
                },
            ],
        },
    )


def _file(client: TestClient, **overrides: Any) -> str:
    base = {"kind": "armed_personnel_sighting", "observed_at": "1999-06-16T10:00:00Z"}
    record = report(**{**base, "label": SHARED, **INSIDE, **overrides})
    answer = client.post("/api/v1/reports", json=record)
    assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text
    return str(record["id"])


def _features(client: TestClient, query: str = "", **kw: Any) -> list[dict[str, Any]]:
    answer = client.get(f"/api/v1/violations{query}", **kw)
    assert answer.status_code == 200, answer.text
    features: list[dict[str, Any]] = answer.json()["features"]
    return features


def test_a_sighting_in_the_zone_is_a_suspected_violation(store: Store, client: TestClient) -> None:
    _setup(store)
    report_id = _file(client)
    [feature] = _features(client)
    props = feature["properties"]
    assert props["obligation"] == "no-forces" and props["obligation_version"] == 1
    assert props["zone"] == "gsz" and props["zone_name"] == "Ground Safety Zone"
    assert props["category"] == "armed_forces" and props["party"] == "FRY"
    assert props["state"] == "suspected" and props["agreement"] == "MTA"
    assert props["observed_at"] == "1999-06-16T10:00:00Z" and props["clause"] == "Art. II.2"
    assert feature["geometry"] == {"type": "Point", "coordinates": [21.1, 42.1]}
    item = client.get(f"/api/v1/violations/{feature['id']}")
    assert item.status_code == 200, item.text
    evidence = item.json()["evidence"]
    assert evidence["report"]["id"] == report_id and evidence["position"] is None
    assert evidence["obligation"]["code"] == "no-forces" and evidence["obligation"]["version"] == 1
    assert evidence["zone"]["uid"] == "gsz" and evidence["zone"]["kind"] == "ground_safety_zone"
    assert client.get("/api/v1/violations?state=dismissed").json()["features"] == []
    assert len(_features(client, "?party=FRY&zone=gsz&obligation=no-forces")) == 1
    assert (
        _features(client, "?party=UCK") == [] and _features(client, "?bbox=20,41,20.5,41.5") == []
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"lon": 21.5, "lat": 42.5},  # outside the zone
        {"observed_at": "1999-06-13T10:00:00Z"},  # before the obligation's valid_from
        {"party": "UCK"},  # a party the obligation does not bind
        {"kind": "arson"},  # shows no presence of forces
    ],
)
def test_what_breaches_nothing_creates_no_violation(
    store: Store, client: TestClient, overrides: dict[str, Any]
) -> None:
    _setup(store)
    _file(client, **overrides)
    assert _features(client) == []


def test_only_a_compliance_officer_decides_with_a_reason(
    store: Store, client: TestClient, anonymous: TestClient
) -> None:
    _setup(store)
    _file(client)
    [feature] = _features(client)
    path = f"/api/v1/violations/{feature['id']}"
    watch = bearer(store, make_user(store, "watch"))
    refused = anonymous.patch(path, json={"state": "confirmed", "reason": "x"}, headers=watch)
    assert refused.status_code == 403
    officer = bearer(store, make_user(store, "officer", roles=("compliance_officer",)))
    missing = anonymous.patch(path, json={"state": "confirmed"}, headers=officer)
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["reason"]
    wrong = anonymous.patch(path, json={"state": "withdrawn", "reason": "x"}, headers=officer)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "state"
    body = {"state": "confirmed", "reason": "patrol saw them too"}
    done = anonymous.patch(path, json=body, headers=officer)
    assert done.status_code == 200, done.text
    props = done.json()["properties"]
    assert props["state"] == "confirmed" and props["decided_by"] == "officer"
    assert props["reason"] == "patrol saw them too" and props["decided_at"].endswith("Z")
    assert anonymous.patch(path[:-4] + "0000", json=body, headers=officer).status_code == 404
    log = client.get("/api/v1/audit?action=violation.decide").json()["items"]
    assert log[-1]["target"] == feature["id"] and log[-1]["actor"] == "officer"
    assert log[-1]["detail"] == {"state": "confirmed", "reason": "patrol saw them too"}
    with store.write() as conn:
        conn.execute(update(violations).values(state="withdrawn"))
    assert anonymous.patch(path, json=body, headers=officer).status_code == 409


def test_a_watchkeeper_acknowledges_an_alert_once_for_everyone(
    store: Store, client: TestClient, anonymous: TestClient
) -> None:
    _setup(store)
    _file(client)
    [feature] = _features(client)
    assert feature["properties"]["acknowledged_by"] is None
    path = f"/api/v1/violations/{feature['id']}/acknowledge"
    officer = bearer(store, make_user(store, "officer", roles=("compliance_officer",)))
    assert anonymous.post(path, headers=officer).status_code == 403
    assert anonymous.post(path).status_code == 401
    first = bearer(store, make_user(store, "first"))
    long_note = anonymous.post(path, json={"note": "x" * 501}, headers=first)
    assert long_note.status_code == 422 and long_note.json()["errors"][0]["field"] == "note"
    not_text = anonymous.post(path, json={"note": 5}, headers=first)
    assert not_text.status_code == 422 and not_text.json()["errors"][0]["field"] == "note"
    done = anonymous.post(path, json={"note": " patrol tasked "}, headers=first)
    assert done.status_code == 200, done.text
    props = done.json()["properties"]
    assert props["acknowledged_by"] == "first" and props["acknowledged_at"].endswith("Z")
    assert props["acknowledged_note"] == "patrol tasked"
    assert props["state"] == feature["properties"]["state"]  # not a ruling
    # A second watchkeeper's acknowledgement changes nothing: the first stands.
    second = bearer(store, make_user(store, "second"))
    again = anonymous.post(path, headers=second)
    assert again.status_code == 200 and again.json()["properties"]["acknowledged_by"] == "first"
    assert _features(client)[0]["properties"]["acknowledged_by"] == "first"
    log = client.get("/api/v1/audit?action=violation.acknowledge").json()["items"]
    assert [(e["actor"], e["target"]) for e in log] == [("first", feature["id"])]
    assert log[0]["detail"] == {"note": "patrol tasked"}
    missing = anonymous.post(path.replace(feature["id"][-4:] + "/", "0000/"), headers=first)
    assert missing.status_code == 404


def test_summaries_count_only_what_the_viewer_sees(
    store: Store, client: TestClient, anonymous: TestClient
) -> None:
    _setup(store)
    _file(client)
    _file(client, label=NATO_ONLY, observed_at="1999-06-17T10:00:00Z")
    partner = bearer(store, make_user(store, "partner", **PARTNER))
    mine = client.get("/api/v1/compliance/summary?by=party").json()
    assert mine["totals"] == [{"key": "FRY", "total": 2, "states": {"suspected": 2}}]
    assert sum(i["total"] for i in mine["items"]) == 2
    assert {i["label"] for i in mine["items"]} == {SHARED, NATO_ONLY}
    theirs = anonymous.get("/api/v1/compliance/summary?by=party", headers=partner).json()
    assert sum(t["total"] for t in theirs["totals"]) == 1  # (FRY itself is not theirs to see)
    days = client.get("/api/v1/compliance/summary?by=day").json()["totals"]
    assert [(d["key"], d["total"]) for d in days] == [("1999-06-16", 1), ("1999-06-17", 1)]
    their_days = anonymous.get("/api/v1/compliance/summary?by=day", headers=partner).json()
    assert [(d["key"], d["total"]) for d in their_days["totals"]] == [("1999-06-16", 1)]
    bad = client.get("/api/v1/compliance/summary?by=colour")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "by"


def test_deadlines_say_whether_complied(store: Store, client: TestClient) -> None:
    _setup(store)
    _file(client, kind="heavy_weapons_sighting", observed_at="1999-06-20T10:00:00Z")
    _file(client, kind="heavy_weapons_sighting", observed_at="1999-06-17T10:00:00Z")
    items = {i["obligation"]: i for i in client.get("/api/v1/compliance/deadlines").json()["items"]}
    assert set(items) == {"no-heavy", "no-aircraft"}  # no-forces has no deadline
    heavy = items["no-heavy"]
    assert heavy["complied"] is False and heavy["violations"] == 1
    assert heavy["deadline"] == "EIF+6" and heavy["deadline_at"] == "1999-06-18T00:00:00Z"
    assert heavy["last_violation"] == "1999-06-20T10:00:00Z" and heavy["parties"] == ["FRY"]
    air = items["no-aircraft"]
    assert air["complied"] is True and air["complied_since"] == "1999-06-15T00:00:00Z"
    assert air["violations"] == 0 and air["last_violation"] is None


def test_heatmap_counts_add_up_to_the_list(store: Store, client: TestClient) -> None:
    _setup(store)
    for lon, lat in ((21.01, 42.01), (21.02, 42.02), (21.19, 42.19)):
        _file(client, lon=lon, lat=lat)
    _file(client, lon=21.03, lat=42.04, label=NATO_ONLY)
    cells = client.get("/api/v1/compliance/heatmap?cell_deg=0.05").json()["features"]
    assert sum(c["properties"]["count"] for c in cells) == len(_features(client)) == 4
    assert all(c["geometry"]["type"] == "Polygon" for c in cells)
    first = [c for c in cells if c["properties"]["cell"] == [420, 840]]
    assert sorted(c["properties"]["count"] for c in first) == [1, 2]  # split by label
    assert client.get("/api/v1/compliance/heatmap?cell_deg=0").status_code == 422
    seen, cursor = [], ""
    while cursor is not None:
        page = client.get(f"/api/v1/violations?limit=3{cursor}").json()
        seen += [f["properties"]["observed_at"] + f["id"] for f in page["features"]]
        cursor = page["next_cursor"] and f"&cursor={page['next_cursor']}"
    assert len(seen) == len(set(seen)) == 4 and seen == sorted(seen, key=lambda k: k[:20])


def test_a_violation_without_its_hidden_evidence(
    store: Store, client: TestClient, anonymous: TestClient
) -> None:
    _setup(store)
    _file(client, label=NATO_ONLY)
    [feature] = _features(client)
    partner = bearer(store, make_user(store, "partner", **PARTNER))
    path = f"/api/v1/violations/{feature['id']}"
    assert anonymous.get(path, headers=partner).status_code == 404
    # Released to partners on its own (as a sanitised record would be); its report is not.
    with store.write() as conn:
        shared = intern_label(conn, Label.parse(SHARED))
        conn.execute(update(violations).values(label_id=shared))
    seen = anonymous.get(path, headers=partner)
    assert seen.status_code == 200, seen.text
    assert seen.json()["evidence"]["report"] is None
    assert seen.json()["evidence"]["zone"]["uid"] == "gsz"
    assert len(_features(anonymous, headers=partner)) == 1


def test_agreements_with_their_obligations(
    store: Store, client: TestClient, anonymous: TestClient
) -> None:
    _setup(store)
    [mta] = client.get("/api/v1/agreements").json()["items"]
    assert mta["code"] == "MTA" and mta["entry_into_force"] == "1999-06-12T00:00:00Z"
    assert [o["code"] for o in mta["obligations"]] == ["no-aircraft", "no-forces", "no-heavy"]
    assert client.get("/api/v1/agreements/MTA").json()["name"] == "Military Technical Agreement"
    assert client.get("/api/v1/agreements/NONE").status_code == 404
    nobody = bearer(store, make_user(store, "fra", nation="FRA", communities=()))
    assert anonymous.get("/api/v1/agreements/MTA", headers=nobody).status_code == 404
