"""The live feed over a real HTTP server: new reports arrive, filtered by label; a client
that reconnects with Last-Event-ID gets what it missed."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from peacewatch.store import Store
from tests.conftest import bearer, make_user
from tests.helpers import report


@pytest.fixture
def served(app: Any) -> Iterator[str]:
    """The test's app served by uvicorn on a free loopback port, in a thread."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _events(lines: Iterator[str], count: int) -> list[tuple[int, dict[str, Any]]]:
    out: list[tuple[int, dict[str, Any]]] = []
    event_id = None
    for line in lines:
        if line.startswith("id: "):
            event_id = int(line[4:])
        elif line.startswith("data: "):
            assert event_id is not None
            out.append((event_id, json.loads(line[6:])))
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
        ((first_id, feature),) = _events(lines, 1)
    assert feature["id"] == shown["id"]
    assert feature["properties"]["label"] == shown["label"]

    # Reconnecting from before both reports: the visible one comes again, the hidden one never.
    backlog = httpx.get(
        f"{served}/api/v1/stream?follow=false",
        timeout=15,
        headers={**partner, "Last-Event-ID": str(first_id - 2)},
    )
    got = _events(iter(backlog.text.splitlines()), 10)
    assert [f["id"] for _, f in got] == [shown["id"]]
    bad = httpx.get(f"{served}/api/v1/stream", headers={**partner, "Last-Event-ID": "x"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "Last-Event-ID"
