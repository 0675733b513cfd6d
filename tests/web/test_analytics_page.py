"""Browser test of the analytics sections of the dashboards: the weekly trend chart holds one
line per key the trends API returns to the page's user (by kind, then by sector), its table
each series' change and direction, and the hotspot list the cells the API ranks, in order."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from playwright.sync_api import Page
from tests.conftest import LiveServer
from tests.web.test_dashboards import open_dashboards
from tests.web.test_map_page import (  # noqa: F401 - fixtures used by name
    ARTIFACTS,
    DAY,
    NEXT_DAY,
    READY_TIMEOUT_MS,
    WATCHKEEPER,
    Watch,
    browser,
    open_logged_in,
    open_page,
    watched_page,
)


def api(page: Page, path: str, query: dict[str, str]) -> dict[str, Any]:
    """The analytics route as the page's user gets it (the request carries the cookie)."""
    res = page.request.get(f"/api/v1/analytics/{path}", params=query)
    assert res.ok, res.text()
    body: dict[str, Any] = res.json()
    return body


def shown(page: Page) -> dict[str, Any]:
    """What the trend and hotspot sections hold."""
    result: dict[str, Any] = page.evaluate(
        """() => {
            const figure = document.getElementById("trend-chart");
            const list = document.getElementById("hotspot-list");
            return {
                keys: JSON.parse(figure.dataset.series),
                periods: Number(figure.dataset.periods),
                canvas: figure.querySelector("canvas") !== null,
                rows: [...document.querySelectorAll("#trend-table tbody tr")]
                    .map(r => [r.dataset.key, r.dataset.direction]),
                cells: [...list.querySelectorAll("li[data-cell]")].map(li => li.dataset.cell),
                significant: [...list.querySelectorAll("li[data-cell]")]
                    .map(li => li.dataset.significant === "true"),
                hotspotQuery: list.dataset.query ?? "",
            };
        }"""
    )
    return result


def check_trends(page: Page, query: dict[str, str], by: str) -> dict[str, Any]:
    body = api(page, "trends", {**query, "by": by, "period": "week"})
    drawn = shown(page)
    keys = ["" if s["key"] is None else s["key"] for s in body["series"]]
    assert drawn["keys"] == [s["key"] for s in body["series"]]
    assert drawn["periods"] == len(body["periods"])
    assert drawn["rows"] == [
        [k, s["trend"]["direction"]] for k, s in zip(keys, body["series"], strict=True)
    ]
    if any(s["total"] for s in body["series"]):
        assert drawn["canvas"]
    return body


def test_the_analytics_sections_show_what_the_api_returns(
    watched_page: tuple[Page, Watch],  # noqa: F811 - the fixture imported above
    live_server: LiveServer,
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)
    query = open_dashboards(page)
    assert query["end"] == f"{NEXT_DAY}T00:00:00Z"
    by_kind = check_trends(page, query, "kind")
    assert by_kind["periods"] == ["1999-W24"] and by_kind["series"]
    # The hotspots of the 7 days to the window's end, as the API ranks them.
    drawn = shown(page)
    asked = dict(parse_qsl(drawn["hotspotQuery"]))
    assert asked["end"] == query["end"] and asked["start"] == "1999-06-09T00:00:00Z"
    spots = api(page, "hotspots", asked)
    assert drawn["cells"] == [f["id"] for f in spots["features"]]
    assert drawn["cells"], "the scenario has reports in the week before"
    assert drawn["significant"] == [f["properties"]["significant"] for f in spots["features"]]

    # By sector: the chart and table are redrawn from the API's answer.
    page.select_option("#trend-by", "sector")
    page.wait_for_function(
        "() => document.getElementById('trend-chart').dataset.ready === 'true'",
        timeout=READY_TIMEOUT_MS,
    )
    by_sector = check_trends(page, query, "sector")
    assert len(by_sector["series"]) >= 2, "the day's reports fall in several of KFOR's sectors"
    assert sum(s["total"] for s in by_sector["series"]) == sum(
        s["total"] for s in by_kind["series"]
    )

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "analytics.png"))
    assert watch.console_errors == []
    assert watch.foreign_requests == []
