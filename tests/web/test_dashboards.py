"""Browser tests of the dashboards panel: its three uPlot charts carry exactly the series the
stats API returns to the page's user, follow the map's window, and a partner sees less."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from playwright.sync_api import Page, expect
from tests.conftest import LiveServer
from tests.web.test_map_page import (  # noqa: F401 - fixtures used by name
    ARTIFACTS,
    DAY,
    NEXT_DAY,
    PARTNER,
    READY_TIMEOUT_MS,
    WATCHKEEPER,
    Watch,
    browser,
    open_logged_in,
    open_page,
    wait_ready,
    watched_page,
)

LEVELS = ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"]


def level(marking: str) -> str:
    """The classification level a marking names."""
    words = marking.upper().split()
    return next(lv for lv in reversed(LEVELS) if lv in words)


def wait_dashboards(page: Page, query_has: str = "") -> dict[str, str]:
    """Wait until the dashboards have drawn (for a query holding `query_has`); the query."""
    page.wait_for_function(
        """part => {
            const d = document.getElementById("dashboards");
            return d.dataset.ready === "error"
                || (d.dataset.ready === "true" && (d.dataset.query ?? "").includes(part));
        }""",
        arg=query_has,
        timeout=READY_TIMEOUT_MS,
    )
    assert page.get_attribute("#dashboards", "data-ready") == "true", page.inner_text(
        "#dash-message"
    )
    return dict(parse_qsl(page.get_attribute("#dashboards", "data-query") or ""))


def api_stats(page: Page, path: str, query: dict[str, str], **extra: str) -> dict[str, Any]:
    """The stats route as the page's user gets it (the request carries the session cookie)."""
    res = page.request.get(f"/api/v1/stats/{path}", params={**query, **extra})
    assert res.ok, res.text()
    body: dict[str, Any] = res.json()
    return body


def drawn(page: Page, chart: str) -> dict[str, Any]:
    """What a chart holds: its keys, its days, its legend's series and whether it drew."""
    result: dict[str, Any] = page.evaluate(
        """name => {
            const section = document.getElementById(`dash-${name}`);
            const figure = section.querySelector(".dash-chart");
            return {
                keys: JSON.parse(figure.dataset.series),
                days: Number(figure.dataset.days),
                legend: [...section.querySelectorAll(".u-legend .u-series .u-label")]
                    .map(n => n.textContent).slice(1),
                canvas: section.querySelector("canvas") !== null,
                label: section.querySelector(".dash-label")?.textContent ?? "",
            };
        }""",
        chart,
    )
    return result


def check_charts(page: Page, query: dict[str, str], by: str = "party") -> dict[str, Any]:
    """Each chart has one series per key the API returned (and nothing else); the bodies."""
    bodies = {
        "incidents": api_stats(page, "incidents", query),
        "violations": api_stats(page, "violations", query, by=by),
        "patrols": api_stats(page, "patrols", query),
    }
    for name, body in bodies.items():
        chart = drawn(page, name)
        keys = ["" if s["key"] is None else s["key"] for s in body["series"]]
        assert chart["keys"] == keys, (name, chart, keys)
        assert chart["days"] == len(body["days"])
        if body["days"]:
            assert chart["canvas"], name
            assert len(chart["legend"]) == len(keys), (name, chart["legend"])
            assert chart["label"] == body.get("label", "")
    return bodies


def open_dashboards(page: Page) -> dict[str, str]:
    page.get_by_role("button", name="Dashboards").click()
    expect(page.locator("#dashboards")).to_be_visible()
    assert page.get_attribute("#dashboards-toggle", "aria-pressed") == "true"
    return wait_dashboards(page)


def test_dashboards_chart_what_the_api_returns(
    watched_page: tuple[Page, Watch],  # noqa: F811 - the fixture imported above
    live_server: LiveServer,
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)
    query = open_dashboards(page)
    # The map's window: the day on the map.
    assert query["start"] == f"{DAY}T00:00:00Z" and query["end"] == f"{NEXT_DAY}T00:00:00Z"
    assert query["mission"] == page.evaluate("window.peacewatch.mission.code")
    day_bodies = check_charts(page, query)
    assert sum(s["total"] for s in day_bodies["incidents"]["series"]) >= 1

    # The map moves to the next day: the dashboards follow it.
    page.click("#next-day")
    wait_ready(page, NEXT_DAY)
    query = wait_dashboards(page, f"start={NEXT_DAY}")
    check_charts(page, query)

    # The whole mission, violations by zone, confirmed only.
    page.select_option("#dash-range", "mission")
    query = wait_dashboards(page, "start=1999-06-12")
    page.select_option("#dash-by", "zone")
    query = wait_dashboards(page, "start=1999-06-12")
    bodies = check_charts(page, query, by="zone")
    assert len(bodies["incidents"]["days"]) > 30
    assert {s["key"] for s in bodies["patrols"]["series"]} == {"patrols", "track_points", "km"}
    assert sum(s["total"] for s in bodies["patrols"]["series"] if s["key"] == "patrols") > 0
    assert bodies["violations"]["series"], "the scenario has violations in its zones"
    page.select_option("#dash-state", "confirmed")
    assert drawn(page, "violations")["keys"] == [s["key"] for s in bodies["violations"]["series"]]
    page.select_option("#dash-state", "all")
    # The banners at the top and the bottom count the charts' labels too.
    highest = max(LEVELS.index(level(b["label"])) for b in bodies.values() if b.get("label"))
    for banner in ("#page-marking", "#page-marking-bottom"):
        assert LEVELS.index(level(page.inner_text(banner))) >= highest

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboards.png"))

    page.get_by_role("button", name="Close dashboards").click()
    expect(page.locator("#dashboards")).to_be_hidden()
    assert watch.console_errors == []
    assert watch.foreign_requests == []


def test_a_partner_sees_only_what_is_released_to_them(
    open_page: Any,  # noqa: F811 - the fixture imported above
    live_server: LiveServer,
) -> None:
    totals = {}
    for user in (WATCHKEEPER, PARTNER):
        page, watch = open_page()
        open_logged_in(page, live_server, user, DAY)
        open_dashboards(page)
        page.select_option("#dash-range", "mission")
        query = wait_dashboards(page, "start=1999-06-12")
        bodies = check_charts(page, query)
        totals[user] = sum(s["total"] for s in bodies["incidents"]["series"])
        assert watch.console_errors == []
    assert 0 < totals[PARTNER] < totals[WATCHKEEPER]
