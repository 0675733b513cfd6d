"""The live feed over a real HTTP server: new reports arrive, filtered by label; a client
that reconnects with Last-Event-ID gets what it missed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx

from peacewatch.store import Store
from tests.conftest import bearer, make_user
from tests.helpers import report


def _events(lines: Iterator[str], count: int) -> list[tuple[str, str, dict[str, Any]]]:
    """(event id, event type, data) of the next ``count`` events."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    event_id, event = "", ""
    for line in lines:
        if line.startswith("id: "):
            event_id = line[4:]
        elif line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event == "resume":  # where the feed starts
            assert json.loads(line[6:]) == {} and event_id.count("-") == 2
        elif line.startswith("data: "):
            out.append((event_id, event, json.loads(line[6:])))
            if len(out) == count:
                return out
    return out


def test_live_feed_is_filtered_and_resumable(store: Store, served: str) -> None:
    writer = bearer(store, make_user(store, "writer", communities=("NATO", "KFOR", "PARTNER")))
    partner = bearer(
        store,
        make_user(
            store, "liaison", nation="UKR", communities=("PARTNER",), roles=("partner_liaison",)
        ),
    )
    hidden = report(label="NATO SECRET REL TO NATO")
    shown = report(label="NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER")
    with (
        httpx.Client(base_url=served, timeout=15) as http,
        http.stream("GET", "/api/v1/stream", headers=partner) as feed,
    ):
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("text/event-stream")
        lines = feed.iter_lines()
        assert next(lines).startswith("retry:")  # the feed has started: later reports reach it
        posted = http.post("/api/v1/reports", json=[hidden, shown], headers=writer)
        assert posted.json()["accepted"] == 2
        ((first_id, event, feature),) = _events(lines, 1)
    assert event == "report" and feature["id"] == shown["id"]
    assert feature["properties"]["label"] == shown["label"]
    report_row, violation_row, position_row = (int(p) for p in first_id.split("-"))

    # Reconnecting from before both reports: the visible one comes again, the hidden one never.
    backlog = httpx.get(
        f"{served}/api/v1/stream?follow=false",
        timeout=15,
        headers={**partner, "Last-Event-ID": f"{report_row - 2}-{violation_row}-{position_row}"},
    )
    got = _events(iter(backlog.text.splitlines()), 10)
    assert [(e, f["id"]) for _, e, f in got if e == "report"] == [("report", shown["id"])]
    # Both reports tell of the same shooting: fused into one event, which carries the most
    # restrictive label of the two and so is not sent to the partner.
    assert [g for g in got if g[1] == "event"] == []
    # An id of two parts (older servers) still resumes the reports.
    older = httpx.get(
        f"{served}/api/v1/stream?follow=false",
        timeout=15,
        headers={**partner, "Last-Event-ID": f"{report_row - 2}-{violation_row}"},
    )
    assert [f["id"] for _, e, f in _events(iter(older.text.splitlines()), 10) if e == "report"] == [
        shown["id"]
    ]
    bad = httpx.get(f"{served}/api/v1/stream", headers={**partner, "Last-Event-ID": "x"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "Last-Event-ID"


def test_new_violations_are_alerts_on_the_feed(store: Store, served: str) -> None:
    from peacewatch.ingest import records
    from peacewatch.ingest.agreements import add_agreement
    from tests.conftest import ADMIN

    records.add_zone(
        store,
        viewer=ADMIN,
        data={
            "uid": "gsz",
            "mission": "KFOR",
            "name": "Zone",
            "kind": "ground_safety_zone",
            "valid_from": "1999-06-10T00:00:00Z",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[21, 42], [21.2, 42], [21.2, 42.2], [21, 42]]],
            },
        },
    )
    add_agreement(
        store,
        viewer=ADMIN,
        data={
            "code": "MTA",
            "name": "MTA",
            "mission": "KFOR",
            "entry_into_force": "1999-06-10T00:00:00Z",
            "obligations": [
                {
                    "code": "gsz",
                    "clause": "Art. I.3",
                    "title": "No armed forces",
                    "parties": ["FRY"],
                    "zones": ["gsz"],
                    "prohibited": ["armed_forces"],
                    "valid_from": "1999-06-21T00:00:00Z",
                }
            ],
        },
    )
    watch = bearer(store, make_user(store, "watch"))
    sighting = report(
        kind="armed_personnel_sighting",
        party="FRY",
        lon=21.1,
        lat=42.05,
        observed_at="1999-07-01T10:00:00Z",
    )
    with (
        httpx.Client(base_url=served, timeout=15) as http,
        http.stream("GET", "/api/v1/stream", headers=watch) as feed,
    ):
        lines = feed.iter_lines()
        assert next(lines).startswith("retry:")
        assert http.post("/api/v1/reports", json=sighting, headers=watch).status_code == 200
        events = _events(lines, 3)
    assert [e for _, e, _ in events] == ["report", "event", "violation"]
    alert = events[2][2]["properties"]
    assert (alert["obligation"], alert["zone"], alert["state"]) == ("gsz", "gsz", "suspected")


def test_unit_positions_move_units_on_the_feed(store: Store, served: str) -> None:
    from peacewatch.ingest import records
    from tests.conftest import ADMIN

    for uid, label in (("open", "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"),
                       ("closed", "NATO SECRET REL TO NATO")):  # fmt: skip
        records.add_unit(
            store,
            viewer=ADMIN,
            data={"uid": uid, "mission": "KFOR", "name": uid, "label": label,
                  "sidc": "10031000001211000000"},
        )  # fmt: skip
    partner = bearer(
        store,
        make_user(
            store, "liaison", nation="UKR", communities=("PARTNER",), roles=("partner_liaison",)
        ),
    )
    writer = bearer(store, make_user(store, "writer", communities=("NATO", "KFOR", "PARTNER")))
    moves = [
        {"observed_at": "1999-07-01T10:00:00Z", "lon": 21.1, "lat": 42.6,
         "label": "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"},
        {"observed_at": "1999-07-01T11:00:00Z", "lon": 21.2, "lat": 42.7,
         "label": "NATO RESTRICTED REL TO NATO"},
    ]  # fmt: skip
    with (
        httpx.Client(base_url=served, timeout=15) as http,
        http.stream("GET", "/api/v1/stream", headers=partner) as feed,
    ):
        lines = feed.iter_lines()
        assert next(lines).startswith("retry:")
        for uid in ("closed", "open"):
            added = http.post(f"/api/v1/units/{uid}/positions", json=moves, headers=writer)
            assert added.status_code == 201, added.text
        # Woken by the commit (not the 15 s keep-alive): the one position the partner may see.
        [(event_id, event, feature)] = _events(lines, 1)
    assert event == "position" and feature["id"] == "open"
    assert feature["geometry"]["coordinates"] == [21.1, 42.6]
    assert feature["properties"]["observed_at"] == "1999-07-01T10:00:00Z"
    backlog = httpx.get(
        f"{served}/api/v1/stream?follow=false",
        timeout=15,
        headers={**partner, "Last-Event-ID": event_id.rsplit("-", 1)[0] + "-0"},
    )
    got = [(e, f["id"]) for _, e, f in _events(iter(backlog.text.splitlines()), 10)]
    assert got == [("position", "open")], (event_id, backlog.text)
