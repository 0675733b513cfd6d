"""Browser test of Operations → Partners: the timeline, goals, exercises and multinational units
show exactly what the API returns to the page's user, a partner sees less, and the Balkan
states' steps are the reference notes' dates."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

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


# The exercise the write test records.
RECORDED_EXERCISE = "Staff exercise, border liaison"


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
    # The scenario's two exercises (the write test below may have added its own: the server
    # is shared by the whole run, in any order).
    scenario = [x for x in body["exercises"] if x["name"] != RECORDED_EXERCISE]
    assert len(scenario) == 2 and len(body["units"]) == 6
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


ANALYST = "gbr.analyst"  # GBR, NATO SECRET, NATO + KFOR: an analyst holds partners:write
GOAL = "alb-border-police"


def submit(page: Page, form: str, path: str, method: str) -> int:
    """Press the form's Record button; the status of the API's answer to it."""
    with page.expect_response(
        lambda r: urlsplit(r.url).path == path and r.request.method == method
    ) as answer:
        page.locator(f"#{form} button[type=submit]").click()
    return answer.value.status


def test_a_partners_writer_records_progress_and_a_status_change(
    watched_page: tuple[Page, Watch],  # noqa: F811 - the fixture imported above
    open_page: OpenPage,  # noqa: F811
    live_server: LiveServer,
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, ANALYST, DAY)
    open_partners(page)
    goal = next(g for p in api(page, "partners") for g in p["goals"] if g["id"] == GOAL)
    open_steps = [m["number"] for m in goal["milestones"] if not m["achieved"]]
    assert open_steps == [2] and goal["progress"]["percent"] == 50

    # A goal's progress: its last milestone achieved, with the evidence of it.
    progress = page.locator("#partners-progress-form")
    progress.get_by_label("Goal").select_option(f"ALB/{GOAL}")
    progress.get_by_label("Milestone achieved").select_option("2")
    progress.get_by_label("Date").fill("2000-08-15")
    progress.get_by_label("Evidence").fill("Border police law as adopted")
    progress.get_by_label("Link or document").fill("https://example.org/alb/border-police-law")
    path = f"/api/v1/partners/ALB/goals/{GOAL}"
    with page.expect_response(lambda r: urlsplit(r.url).path == f"{path}/evidence") as evidence:
        assert submit(page, "partners-progress-form", f"{path}/milestones/2", "PATCH") == 200
    assert evidence.value.status == 201
    row = page.locator(f'#partners-goals tr[data-goal="{GOAL}"]')
    expect(row).to_have_attribute("data-percent", "100", timeout=READY_TIMEOUT_MS)
    wait_partners(page, "")
    expect(row.locator(".pw-evidence a")).to_have_text("Border police law as adopted")
    expect(row.locator(".pw-milestones li").nth(1)).to_contain_text("achieved 15 AUG 00")
    expect(page.locator("#partners-progress-form-message")).to_contain_text("milestone 2 achieved")
    after = next(g for p in api(page, "partners") for g in p["goals"] if g["id"] == GOAL)
    assert after["progress"]["percent"] == 100 and after["evidence"][0]["recorded_by"] == ANALYST
    check_matches_api(page)

    # A status change: the page's own check first (nothing sent), then the server's problem
    # next to the field it names, then one that goes in and shows on the nation's track.
    status = page.locator("#partners-status-form")
    status.get_by_label("Nation").fill("MNE")
    status.get_by_label("Status").select_option("invited")
    status.get_by_label("Since").fill("2015-12-02")
    status.locator("button[type=submit]").click()
    expect(page.locator("#ps-source-error")).to_have_text("a source is required")
    expect(status.get_by_label("Source")).to_have_attribute("aria-invalid", "true")

    status.get_by_label("Nation").fill("XXX")
    status.get_by_label("Source").fill("North Atlantic Council, foreign ministers, 2 Dec 2015")
    assert submit(page, "partners-status-form", "/api/v1/partners/XXX/status", "POST") == 422
    expect(page.locator("#ps-nation-error")).to_contain_text("unknown nation")
    expect(page.locator("#ps-source-error")).to_be_empty()

    status.get_by_label("Nation").fill("MNE")
    assert submit(page, "partners-status-form", "/api/v1/partners/MNE/status", "POST") == 201
    step = page.locator('[data-nation="MNE"] .pw-step[data-status="invited"]')
    expect(step).to_have_attribute("data-since", "2015-12-02", timeout=READY_TIMEOUT_MS)
    wait_partners(page, "")
    expect(page.locator("#ps-nation-error")).to_be_empty()
    body = check_matches_api(page)
    mne = next(p for p in body["partners"] if p["nation"] == "MNE")
    assert [(s["status"], s["since"][:10]) for s in mne["timeline"]] == [
        ("pfp", "2006-12-14"),
        ("invited", "2015-12-02"),
        ("member", "2017-06-05"),
    ]

    # The same change again: the server's conflict is said next to the date.
    status.get_by_label("Nation").fill("MNE")
    status.get_by_label("Status").select_option("invited")
    status.get_by_label("Since").fill("2015-12-02")
    status.get_by_label("Source").fill("the same statement")
    assert submit(page, "partners-status-form", "/api/v1/partners/MNE/status", "POST") == 409
    expect(page.locator("#ps-since-error")).to_have_text("this change is recorded already")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#partners-writes").screenshot(path=str(ARTIFACTS / "ops-partners-forms.png"))

    # An exercise with two objectives, one nation not registered at first.
    exercise = page.locator("#partners-exercise-form")
    exercise.get_by_label("Name").fill(RECORDED_EXERCISE)
    exercise.get_by_label("Place").fill("Kukës")
    exercise.get_by_label("First day").fill("2000-09-04")
    exercise.get_by_label("Last day").fill("2000-09-08")
    exercise.get_by_label("Participants").fill("ALB, ZZZ")
    exercise.locator("#px-objective-0").fill("Joint staff procedures")
    exercise.locator("#px-outcome-0").select_option("met")
    exercise.get_by_role("button", name="Another objective").click()
    exercise.locator("#px-objective-1").fill("Common radio net")
    exercise.locator("#px-outcome-1").select_option("partly")
    assert submit(page, "partners-exercise-form", "/api/v1/exercises", "POST") == 422
    expect(page.locator("#px-participants-error")).to_contain_text("unknown nation 'ZZZ'")
    exercise.get_by_label("Participants").fill("ALB, GBR")
    assert submit(page, "partners-exercise-form", "/api/v1/exercises", "POST") == 201
    added = page.locator("#partners-exercises tr", has_text=RECORDED_EXERCISE)
    expect(added).to_have_count(1, timeout=READY_TIMEOUT_MS)
    wait_partners(page, "")
    expect(added.locator("[data-outcome]")).to_have_count(2)
    body = check_matches_api(page)
    made = next(x for x in body["exercises"] if x["name"] == RECORDED_EXERCISE)
    assert made["participants"] == ["ALB", "GBR"] and made["place"] == "Kukës"
    assert [(o["title"], o["outcome"]) for o in made["objectives"]] == [
        ("Joint staff procedures", "met"),
        ("Common radio net", "partly"),
    ]

    # Chromium logs the refused writes; nothing else may be there.
    refused = [e for e in watch.console_errors if "status of 422" in e or "status of 409" in e]
    assert len(refused) == 3 and len(watch.console_errors) == 3, watch.console_errors
    assert watch.foreign_requests == []

    # A watchkeeper (no partners:write) sees the new records and no form at all.
    other, other_watch = open_page()
    open_logged_in(other, live_server, WATCHKEEPER, DAY)
    open_partners(other)
    check_matches_api(other)
    expect(other.locator('[data-nation="MNE"] .pw-step[data-status="invited"]')).to_have_count(1)
    expect(other.locator(f'tr[data-goal="{GOAL}"]')).to_have_attribute("data-percent", "100")
    expect(other.locator("#ops-partners form")).to_have_count(0)
    expect(other.locator("#partners-writes")).to_have_count(0)
    assert other_watch.console_errors == [] and other_watch.foreign_requests == []
