"""Browser test of Operations → Coverage: the gap table holds exactly the ranked gaps the API
returns to the page's user, with each term of the score; the gaps are drawn on the map; a
planner turns the top gaps into draft plans; a partner sees fewer counts and no plan button."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import Page, expect
from tests.conftest import LiveServer
from tests.web.test_map_page import (  # noqa: F401 - fixtures used by name
    ARTIFACTS,
    DAY,
    PARTNER,
    READY_TIMEOUT_MS,
    WATCHKEEPER,
    OpenPage,
    browser,
    open_logged_in,
    open_page,
    source_ids,
)

pytestmark = pytest.mark.browser

LAYER = "ops-coverage-gaps-circles"
SOURCE = "ops-coverage-gaps"


def open_coverage(page: Page) -> dict[str, str]:
    page.get_by_role("button", name="Operations").click()
    page.get_by_role("tab", name="Coverage").click()
    expect(page.locator("#ops-coverage")).to_be_visible()
    page.wait_for_function(
        """() => ["true", "error"].includes(
            document.getElementById("ops-coverage").dataset.ready)""",
        timeout=READY_TIMEOUT_MS,
    )
    assert page.get_attribute("#ops-coverage", "data-ready") == "true", page.inner_text(
        "#coverage-message"
    )
    return dict(parse_qsl(page.get_attribute("#ops-coverage", "data-query") or ""))


def api_gaps(page: Page, query: dict[str, str]) -> dict[str, Any]:
    """The gaps as the page's user gets them (the request carries the session cookie)."""
    res = page.request.get("/api/v1/coverage/gaps", params=query)
    assert res.ok, res.text()
    body: dict[str, Any] = res.json()
    return body


def table(page: Page) -> list[list[str]]:
    rows: list[list[str]] = page.evaluate(
        """() => [...document.querySelectorAll("#coverage-table tbody tr")]
                 .map(tr => [...tr.children].slice(0, 10).map(td => td.textContent.trim()))"""
    )
    return rows


def check_table(page: Page, query: dict[str, str]) -> dict[str, Any]:
    """Each row is the API's gap in rank order, with its counts and score terms."""
    body = api_gaps(page, query)
    expected = [
        [
            str(p["rank"]), p["name"], p["kind"], str(p["incidents"]), str(p["patrols"]),
            f"{p['score']:.2f}", f"{p['terms']['incidents']:.2f}",
            f"{p['terms']['patrols']:.2f}", f"{p['terms']['staleness']:.2f}",
        ]
        for p in (f["properties"] for f in body["features"])
    ]  # fmt: skip
    shown = [row[:5] + row[6:] for row in table(page)]  # without the DTG of the last patrol
    assert shown == expected
    lasts = [row[5] for row in table(page)]
    assert [x == "never" for x in lasts] == [
        f["properties"]["last_patrolled"] is None for f in body["features"]
    ]
    assert page.get_attribute("#ops-coverage", "data-count") == str(len(body["features"]))
    return body


def test_coverage_gaps_match_the_api_and_a_planner_drafts_plans(
    open_page: OpenPage,  # noqa: F811 - the fixture imported above
    live_server: LiveServer,
) -> None:
    page, watch = open_page()
    open_logged_in(page, live_server, WATCHKEEPER, DAY)
    query = open_coverage(page)
    assert query["end"] == f"{DAY[:8]}16T00:00:00Z" and query["start"] == "1999-05-17T00:00:00Z"
    body = check_table(page, query)
    assert body["features"], "the scenario has incidents in the month to the day"
    # Drawn on the map: one circle per gap, in the view's own layer.
    assert page.evaluate(f"Boolean(window.peacewatch.map.getLayer({LAYER!r}))")
    assert source_ids(page, SOURCE) == sorted(f["id"] for f in body["features"])
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ops-coverage.png"))

    # A watchkeeper may plan patrols: the top gaps become draft plans for the next day.
    button = page.locator("#coverage-plan")
    expect(button).to_be_visible()
    button.click()
    page.wait_for_function(
        """() => document.getElementById("ops-coverage").dataset.planned !== undefined""",
        timeout=READY_TIMEOUT_MS,
    )
    made = int(page.get_attribute("#ops-coverage", "data-planned") or "0")
    assert made == min(3, len(body["features"]))
    res = page.request.get("/api/v1/patrol-plans", params={"status": "draft"})
    drafts = {f["properties"]["name"] for f in res.json()["features"]}
    top = {f"Coverage gap: {f['properties']['name']}" for f in body["features"][:3]}
    assert top <= drafts
    assert "draft patrol plans created" in page.inner_text("#coverage-plan-message")
    assert not watch.console_errors and not watch.foreign_requests, watch

    # Logging out forgets the view: its table and its layer are gone.
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("form", name="Log in")).to_be_visible()
    assert page.locator("#coverage-table").count() == 0
    assert not page.evaluate(f"Boolean(window.peacewatch.map?.getLayer({LAYER!r}))")


def test_a_partner_counts_less_and_cannot_plan(
    open_page: OpenPage,  # noqa: F811 - the fixture imported above
    live_server: LiveServer,
) -> None:
    nato, _ = open_page()
    open_logged_in(nato, live_server, WATCHKEEPER, DAY)
    open_coverage(nato)
    page, _ = open_page()
    open_logged_in(page, live_server, PARTNER, DAY)
    query = open_coverage(page)
    body = check_table(page, query)
    expect(page.locator("#coverage-plan")).to_be_hidden()
    seen = api_gaps(nato, {**query, "limit": "500"})
    theirs = api_gaps(page, {**query, "limit": "500"})
    assert sum(f["properties"]["incidents"] for f in theirs["features"]) < sum(
        f["properties"]["incidents"] for f in seen["features"]
    )
    assert len(body["features"]) <= len(seen["features"])
