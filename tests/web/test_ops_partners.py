"""Browser test of Operations → Partners: the timeline, goals, exercises and multinational units
show exactly what the API returns to the page's user, a partner sees less, and the Balkan
states' steps are the reference notes' dates."""

from __future__ import annotations

from typing import Any

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
    Watch,
    browser,
    open_logged_in,
    open_page,
    watched_page,
)

pytestmark = pytest.mark.browser


def open_partners(page: Page) -> None:
    page.get_by_role("button", name="Operations").click()
    page.get_by_role("tab", name="Partners").click()
    expect(page.locator("#ops-partners")).to_be_visible()
    wait_partners(page, "")


def wait_partners(page: Page, query_has: str) -> None:
    page.wait_for_function(
        """part => {
            const v = document.getElementById("ops-partners");
            return v.dataset.ready === "error"
                || (v.dataset.ready === "true" && (v.dataset.query ?? "").includes(part));
        }""",
        arg=query_has,
        timeout=READY_TIMEOUT_MS,
    )
    assert page.get_attribute("#ops-partners", "data-ready") == "true", page.inner_text(
        "#partners-message"
    )


def api(page: Page, path: str, **params: str) -> list[dict[str, Any]]:
    res = page.request.get(f"/api/v1/{path}", params=params)
    assert res.ok, res.text()
    items: list[dict[str, Any]] = res.json()["items"]
    return items


def shown(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(
        """() => {
            const v = document.getElementById("ops-partners");
            const rows = (sel, f) => [...v.querySelectorAll(sel)].map(f);
            return {
                nations: rows("[data-nation]", n => ({
                    nation: n.dataset.nation, status: n.dataset.status,
                    steps: [...n.querySelectorAll("[data-status].pw-step")]
                        .map(s => [s.dataset.status, s.dataset.since]),
                })),
                goals: rows("[data-goal]", g => [g.dataset.goal, Number(g.dataset.percent),
                                                g.dataset.behind === "true"]),
                exercises: rows("[data-exercise]", x => [x.dataset.exercise, x.dataset.score]),
                units: rows("[data-unit]", u => [u.dataset.unit, u.dataset.contributors]),
                behind: v.querySelectorAll(".pw-behind").length,
            };
        }"""
    )
    return result


def check_matches_api(page: Page, **params: str) -> dict[str, Any]:
    """What the view shows is what the API returns to the page's user; the API's items."""
    partners = api(page, "partners", **params)
    exercises = api(page, "exercises")
    units = api(page, "multinational-units", **params)
    view = shown(page)
    assert view["nations"] == [
        {
            "nation": p["nation"],
            "status": p["status"] or "",
            "steps": [[s["status"], s["since"][:10]] for s in p["timeline"]],
        }
        for p in partners
    ]
    goals = [g for p in partners for g in p["goals"]]
    assert view["goals"] == [
        [g["id"], g["progress"]["percent"], g["progress"]["behind_schedule"]] for g in goals
    ]
    assert view["behind"] == sum(1 for g in goals if g["progress"]["behind_schedule"])
    assert view["exercises"] == [
        [
            x["id"],
            "" if x["interoperability"]["score"] is None else f"{x['interoperability']['score']:g}",
        ]
        for x in exercises
    ]
    assert view["units"] == [[u["id"], ",".join(u["contributors_at"])] for u in units]
    return {"partners": partners, "exercises": exercises, "units": units}


def test_partners_view_shows_what_the_api_returns(
    watched_page: tuple[Page, Watch],  # noqa: F811 - the fixture imported above
    open_page: OpenPage,  # noqa: F811
    live_server: LiveServer,
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)
    open_partners(page)
    assert "ops=partners" in page.url
    body = check_matches_api(page)
    steps = {
        p["nation"]: [(s["status"], s["since"][:10]) for s in p["timeline"]]
        for p in body["partners"]
    }
    # The reference notes' dates (balkans-facts.md, Membership and partnership).
    assert steps["BIH"] == [("pfp", "2006-12-14"), ("map", "2010-04-22")]
    assert steps["MKD"] == [("member", "2020-03-27")]
    assert steps["ALB"] == steps["HRV"] == [("member", "2009-04-01")]
    assert len(body["exercises"]) == 2 and len(body["units"]) == 6
    assert shown(page)["behind"] >= 1
    expect(page.locator("#partners-goals .pw-behind").first).to_be_visible()
    # The banners count what the view shows (NATO RESTRICTED goals at least).
    levels = ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"]
    banner = page.inner_text("#page-marking").upper().split()
    assert max(levels.index(w) for w in banner if w in levels) >= levels.index("RESTRICTED")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ops-partners.png"))

    # As of the map's time (15 Jun 1999): before any Balkan state's first step.
    page.select_option("#partners-at", "map")
    wait_partners(page, "at=1999-06-15")
    at = f"{DAY}T23:59:59.999Z"
    body = check_matches_api(page, at=at)
    assert {p["status"] for p in body["partners"]} == {None}

    # A partner liaison officer sees only what was released to partners: fewer goals.
    partner_page, partner_watch = open_page()
    open_logged_in(partner_page, live_server, PARTNER, DAY)
    open_partners(partner_page)
    partner_body = check_matches_api(partner_page)
    nato_goals = {g["id"] for p in api(page, "partners") for g in p["goals"]}
    partner_goals = {g["id"] for p in partner_body["partners"] for g in p["goals"]}
    assert partner_goals < nato_goals
    assert len(partner_body["exercises"]) < len(api(page, "exercises"))

    for w in (watch, partner_watch):
        assert w.console_errors == []
        assert w.foreign_requests == []
