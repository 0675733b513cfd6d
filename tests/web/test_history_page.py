"""Browser test of the History view: the record of NATO's Balkan operations drawn as a
timeline of bars (operations and offices) and ticks (milestones) exactly as the API returns
it, an item's details and sources on click, and the corrections listed."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.conftest import LiveServer
from tests.web.test_map_page import (  # noqa: F401 - fixtures used by name
    ARTIFACTS,
    DAY,
    READY_TIMEOUT_MS,
    WATCHKEEPER,
    Watch,
    browser,
    open_logged_in,
    open_page,
    watched_page,
)

pytestmark = pytest.mark.browser


def open_history(page: Page) -> None:
    page.get_by_role("button", name="History", exact=True).click()
    expect(page.locator("#history")).to_be_visible()
    page.wait_for_function(
        """() => ["true", "error"].includes(document.getElementById("history").dataset.ready)""",
        timeout=READY_TIMEOUT_MS,
    )
    assert page.get_attribute("#history", "data-ready") == "true", page.inner_text("#history")


def test_history_timeline_shows_the_record_and_its_sources(
    watched_page: tuple[Page, Watch],  # noqa: F811 - the fixture imported above
    live_server: LiveServer,
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)
    open_history(page)

    res = page.request.get("/api/v1/history")
    assert res.ok, res.text()
    items: list[dict[str, Any]] = res.json()["items"]
    spans = {i["id"]: (i["start"], i["end"] or "") for i in items
             if i["kind"] in ("operation", "office")}  # fmt: skip
    milestones = {i["id"]: i["date"] for i in items if i["kind"] == "milestone"}
    corrections = {i["id"] for i in items if i["kind"] == "correction"}

    drawn = page.evaluate(
        """() => {
            const v = document.getElementById("history");
            const box = b => { const r = b.getBoundingClientRect(); return [r.left, r.width]; };
            return {
                bars: [...v.querySelectorAll(".hist-bar")].map(b =>
                    [b.dataset.id, b.dataset.start, b.dataset.end, ...box(b)]),
                ticks: [...v.querySelectorAll(".hist-tick")]
                    .map(t => [t.dataset.id, t.dataset.date]),
                corrections: [...v.querySelectorAll("#history-corrections li[data-id]")]
                    .map(c => c.dataset.id),
            };
        }"""
    )
    assert {b[0]: (b[1], b[2]) for b in drawn["bars"]} == spans
    assert dict(drawn["ticks"]) == milestones
    assert set(drawn["corrections"]) == corrections and len(corrections) >= 3
    # Bars are placed by date: Maritime Monitor (1992) left of Allied Force (1999), left of
    # KFOR's start; every bar is visible (wider than nothing).
    left = {b[0]: b[3] for b in drawn["bars"]}
    assert left["maritime-monitor"] < left["allied-force"] < left["kfor"] < left["eufor-althea"]
    assert all(b[4] >= 3 for b in drawn["bars"]), drawn["bars"]

    page.locator('.hist-bar[data-id="allied-force"]').click()
    detail = page.locator("#history-detail")
    expect(detail).to_have_attribute("data-id", "allied-force")
    expect(detail).to_contain_text("24 Mar 1999 – 10 Jun 1999")
    expect(detail).to_contain_text("NATO press: Operation Allied Force, 10 June 1999")
    expect(detail).to_contain_text("https://www.nato.int/kosovo/press/u990610a.htm")
    # Sources are text, never links the page would follow.
    assert detail.locator("a").count() == 0

    # A milestone by its tick; a handover named in a span's details.
    page.locator('.hist-tick[data-id="north-macedonia-accession"]').click()
    expect(detail).to_contain_text("27 Mar 2020")
    page.locator('.hist-bar[data-id="sfor"]').click()
    expect(detail).to_contain_text("EUFOR Althea (the same day)")
    expect(detail).to_contain_text("To verify")

    corrections_box = page.locator("#history-corrections")
    expect(corrections_box).to_contain_text("Multinational Specialized Unit")
    expect(corrections_box).to_contain_text("South-Eastern Europe Defence Ministerial")
    expect(corrections_box).to_contain_text("1992")

    ARTIFACTS.mkdir(exist_ok=True)
    page.locator('.hist-bar[data-id="allied-force"]').click()
    page.screenshot(path=str(ARTIFACTS / "history.png"))

    page.get_by_role("button", name="Close history").click()
    expect(page.locator("#history")).to_be_hidden()
    assert watch.console_errors == []
    assert watch.foreign_requests == []
