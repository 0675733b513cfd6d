"""Browser test of Operations → Convoys: the list and the selected convoy show what the API
returns to the page's user, its route is drawn on the map in pieces coloured by risk, a report
filed near a convoy under way raises the warning within a poll, and a partner who may not see
that report gets no warning. Runs on a server of its own (it files a report)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import Page, expect
from tests.conftest import LiveServer, ServerProcess, prepare_server
from tests.web.test_map_page import (  # noqa: F401 - fixtures used by name
    ARTIFACTS,
    PARTNER,
    READY_TIMEOUT_MS,
    WATCHKEEPER,
    OpenPage,
    browser,
    open_logged_in,
    open_page,
)

pytestmark = pytest.mark.browser

DAY = "1999-08-02"  # the Pejë - Deçan convoy is under way
CONVOY = "unhcr-99-0802-decan"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """This module's own server: the scenario as every browser test has it, then changed."""
    env, passwords = prepare_server(tmp_path_factory.mktemp("convoys") / "demo.db")
    server = ServerProcess(env, tmp_path_factory.mktemp("convoys-log") / "server.log")
    try:
        server.start()
        yield LiveServer(server.url, passwords)
    finally:
        server.close()


def open_convoys(page: Page) -> dict[str, str]:
    page.get_by_role("button", name="Operations").click()
    page.get_by_role("tab", name="Convoys").click()
    expect(page.locator("#ops-convoys")).to_be_visible()
    return wait_convoys(page)


def wait_convoys(page: Page, risen: str | None = None) -> dict[str, str]:
    """Wait until the view has drawn (with the warning as ``risen`` says); its list query."""
    page.wait_for_function(
        """risen => {
            const v = document.getElementById("ops-convoys");
            return v.dataset.ready === "error" || (v.dataset.ready === "true"
                && (risen === null || v.dataset.risen === risen));
        }""",
        arg=risen,
        timeout=READY_TIMEOUT_MS,
    )
    assert page.get_attribute("#ops-convoys", "data-ready") == "true", page.inner_text(
        "#convoys-message"
    )
    return dict(parse_qsl(page.get_attribute("#ops-convoys", "data-query") or ""))


def api(page: Page, path: str, **params: str) -> dict[str, Any]:
    res = page.request.get(f"/api/v1/{path}", params=params)
    assert res.ok, res.text()
    body: dict[str, Any] = res.json()
    return body


def check_matches_api(page: Page, query: dict[str, str]) -> dict[str, Any]:
    """The table holds the API's convoys with their status and risk; the selected one's
    risk and route pieces are the API's; the map has the view's layers. The risk body."""
    listed = api(page, "convoys", **query)
    rows = page.evaluate(
        """() => [...document.querySelectorAll("#convoys-table tbody tr")].map(r => [
            r.dataset.convoy, r.querySelector("[data-status]").dataset.status,
            r.querySelector(".pw-risk").textContent.trim()])"""
    )
    expected = [
        [
            f["id"],
            f["properties"]["status"],
            f"{f['properties']['risk_total']:.2f}"
            + (" ▲" if f["properties"]["risk_risen"] else ""),
        ]
        for f in listed["features"]
    ]
    assert rows == expected
    selected = page.get_attribute("#ops-convoys", "data-selected")
    assert selected == CONVOY
    risk = api(page, f"convoys/{CONVOY}/risk", at=query["at"])
    assert page.get_attribute("#ops-convoys", "data-segments") == str(len(risk["features"]))
    assert page.get_attribute("#ops-convoys", "data-total") == f"{risk['total']:.4f}"
    assert page.locator("#convoys-contributions tbody tr").count() == min(
        25, len(risk["contributions"])
    )
    layers = page.evaluate(
        """() => ["ops-convoys-route-line", "ops-convoys-route-casing"].map(
            id => window.peacewatch.map.getLayer(id) !== undefined)"""
    )
    assert layers == [True, True]
    return risk


def test_convoys_show_what_the_api_returns_and_warn_when_risk_rises(
    open_page: OpenPage,  # noqa: F811 - the fixture imported above
    live_server: LiveServer,
) -> None:
    page, watch = open_page()
    open_logged_in(page, live_server, WATCHKEEPER, DAY)
    query = open_convoys(page)
    assert query["mission"] == "KFOR" and query["at"].startswith(f"{DAY}T23:59:59")
    before = check_matches_api(page, query)
    assert before["warning"]["risen"] is False
    expect(page.locator("#convoys-warning")).to_have_count(0)

    # Shots on the road between Pejë and Deçan two hours after the convoy left.
    csrf = {c["name"]: c["value"] for c in page.context.cookies()}["pw_csrf"]
    record = {
        "id": str(uuid.uuid4()), "kind": "armed_clash", "observed_at": f"{DAY}T09:30:00Z",
        "lon": 20.2885, "lat": 42.60, "grade": "B2", "title": "Shots at the convoy's road",
        "label": "NATO RESTRICTED REL TO KFOR, NATO",
    }  # fmt: skip
    filed = time.monotonic()
    sent = page.request.post("/api/v1/reports", data=record, headers={"X-CSRF-Token": csrf})
    assert sent.ok, sent.text()
    wait_convoys(page, risen="true")
    expect(page.locator("#convoys-warning")).to_be_visible()
    assert time.monotonic() - filed < 5  # at once, or polled every second (slow machine: margin)
    # The report reached the page on the live feed, near the route: the view read the risk
    # because of it, not only at its next poll.
    page.wait_for_function(
        "() => document.getElementById('ops-convoys').dataset.trigger === 'feed'",
        timeout=READY_TIMEOUT_MS,
    )
    after = check_matches_api(page, query)
    assert after["warning"]["risen"] is True and after["total"] > before["total"]
    assert record["id"] not in {c["id"] for c in after["contributions"]}  # fused: an event
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ops-convoys.png"))
    assert watch.console_errors == []
    assert watch.foreign_requests == []

    # A partner sees the convoy but not the NATO-only report: no warning for them.
    partner, partner_watch = open_page()
    open_logged_in(partner, live_server, PARTNER, DAY)
    query = open_convoys(partner)
    risk = check_matches_api(partner, query)
    assert risk["warning"]["risen"] is False and risk["total"] < after["total"]
    expect(partner.locator("#convoys-warning")).to_have_count(0)
    assert partner_watch.console_errors == []
