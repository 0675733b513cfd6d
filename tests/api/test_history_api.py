"""GET /api/v1/history and /api/v1/history/{id}: the record of NATO's Balkan operations
through the API — filters, one item with its sources, and clear errors for bad input."""

from __future__ import annotations

from typing import Any

from peacewatch.scenarios.balkans import record
from peacewatch.store import Store
from tests.conftest import bearer, make_user

PROBLEM = "application/problem+json"


def ids(body: dict[str, Any]) -> list[str]:
    return [item["id"] for item in body["items"]]


def test_the_whole_record_oldest_first_each_with_sources(client: Any) -> None:
    res = client.get("/api/v1/history")
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["count"] == len(record.items()) == len(body["items"])
    assert ids(body)[0] == "maritime-monitor"
    for item in body["items"]:
        assert item["sources"] and all(s["title"] for s in item["sources"]), item["id"]
    handovers = {(h["predecessor"], h["successor"]) for h in body["handovers"]}
    assert ("sfor", "eufor-althea") in handovers


def test_filter_by_kind_years_and_words(client: Any) -> None:
    ops = client.get("/api/v1/history", params={"kind": "operation"}).json()
    assert ops["count"] >= 14 and {i["kind"] for i in ops["items"]} == {"operation"}
    both = client.get("/api/v1/history", params=[("kind", "office"), ("kind", "correction")])
    assert {i["kind"] for i in both.json()["items"]} == {"office", "correction"}

    in_1999 = ids(client.get("/api/v1/history", params={"from": 1999, "to": 1999}).json())
    assert {"allied-force", "kfor", "mta-signed", "kfor-policing"} <= set(in_1999)
    assert "ifor" not in in_1999 and "essential-harvest" not in in_1999
    # A span still running (KFOR) overlaps every year after its start.
    assert "kfor" in ids(client.get("/api/v1/history", params={"from": 2023}).json())

    accessions = client.get(
        "/api/v1/history", params={"q": "join NATO", "kind": "milestone"}
    ).json()
    assert ids(accessions) == [
        "albania-croatia-accession", "montenegro-accession", "north-macedonia-accession",
    ]  # fmt: skip


def test_one_item_with_its_sources_and_handovers(client: Any) -> None:
    res = client.get("/api/v1/history/allied-force")
    assert res.status_code == 200
    item = res.json()
    assert (item["start"], item["end"]) == ("1999-03-24", "1999-06-10")
    assert item["sources"] == [
        {"title": "NATO press: Operation Allied Force, 10 June 1999",
         "url": "https://www.nato.int/kosovo/press/u990610a.htm"}
    ]  # fmt: skip
    sfor = client.get("/api/v1/history/sfor").json()
    assert sfor["predecessor"] == {"id": "ifor", "timing": "next_day"}
    assert sfor["successor"] == {"id": "eufor-althea", "timing": "same_day"}
    assert sfor["verify"] is True and "32,000" in sfor["verify_note"]
    fix = client.get("/api/v1/history/kfor-policing").json()
    assert fix["kind"] == "correction" and "Multinational Specialized Unit" in fix["correction"]
    restructure = client.get("/api/v1/history/kfor-battle-groups").json()
    assert (restructure["date_shown"], restructure["precision"]) == ("2010", "year")


def test_unknown_id_is_a_404_problem(client: Any) -> None:
    res = client.get("/api/v1/history/operation-nowhere")
    assert res.status_code == 404
    assert res.headers["content-type"].startswith(PROBLEM)
    body = res.json()
    assert body["code"] == "not_found" and "operation-nowhere" in body["detail"]
    assert body["errors"] == [{"field": "id", "message": "unknown id"}]


def test_bad_query_parameters_are_422_naming_the_field(client: Any) -> None:
    cases = [
        ({"from": "nineteen"}, "from"),
        ({"to": 3000}, "to"),
        ({"kind": "battle"}, "kind.0"),
        ({"from": 2005, "to": 1999}, "to"),
        ({"q": "x" * 201}, "q"),
    ]
    for params, field in cases:
        res = client.get("/api/v1/history", params=params)
        assert res.status_code == 422, (params, res.text)
        assert res.headers["content-type"].startswith(PROBLEM)
        assert [e["field"] for e in res.json()["errors"]] == [field], params


def test_every_reader_sees_the_same_record_and_strangers_none(
    app: Any, store: Store, anonymous: Any
) -> None:
    from fastapi.testclient import TestClient

    partner = make_user(
        store, "history.partner", nation="UKR", clearance="NATO UNCLASSIFIED",
        communities=("PARTNER",), roles=("partner_liaison",),
    )  # fmt: skip
    with TestClient(app, headers=bearer(store, partner)) as c:
        body = c.get("/api/v1/history").json()
    assert body["count"] == len(record.items())
    assert anonymous.get("/api/v1/history").status_code == 401
