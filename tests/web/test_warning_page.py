"""Browser test of the tension section of the dashboards: its chart holds one line per sector
the warning API returns to the page's user, with the thresholds; the table shows each
sector's latest contributions and the list the alerts, exactly as the API gives them."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page
from tests.conftest import LiveServer
from tests.web.test_dashboards import open_dashboards, wait_dashboards
from tests.web.test_map_page import (  # noqa: F401 - fixtures used by name
    ARTIFACTS,
    DAY,
    PARTNER,
    WATCHKEEPER,
    Watch,
    browser,
    open_logged_in,
    open_page,
    watched_page,
)


def api(page: Page, path: str, query: dict[str, str]) -> dict[str, Any]:
    """The warning route as the page's user gets it (the request carries the session cookie)."""
    res = page.request.get(f"/api/v1/warning/{path}", params=query)
    assert res.ok, res.text()
    body: dict[str, Any] = res.json()
    return body


def shown(page: Page) -> dict[str, Any]:
    """What the tension section holds."""
    result: dict[str, Any] = page.evaluate(
        """() => {
            const figure = document.getElementById("tension-chart");
            const rows = [...document.querySelectorAll("#tension-contributions tbody tr")];
            return {
                sectors: JSON.parse(figure.dataset.sectors),
                days: Number(figure.dataset.days),
                thresholds: figure.dataset.thresholds
                    ? JSON.parse(figure.dataset.thresholds) : null,
                canvas: figure.querySelector("canvas") !== null,
                legend: [...document.querySelectorAll("#dash-tension .u-legend .u-series .u-label")]
                    .map(n => n.textContent).slice(1),
                rows: rows.map(r => ({
                    sector: r.dataset.sector,
                    level: r.dataset.level,
                    terms: Object.fromEntries([...r.querySelectorAll("td[data-signal]")]
                        .map(td => [td.dataset.signal, td.textContent])),
                })),
                alerts: [...document.querySelectorAll("#tension-alerts li[data-day]")]
                    .map(li => [li.dataset.day, li.dataset.sector, li.dataset.level]),
            };
        }"""
    )
    return result


def check(page: Page, query: dict[str, str]) -> dict[str, Any]:
    """The section matches the API: sectors, days, thresholds, latest terms and alerts."""
    body = api(page, "index", query)
    alerts = api(page, "alerts", query)
    drawn = shown(page)
    assert drawn["sectors"] == [s["sector"] for s in body["sectors"]]
    assert drawn["days"] == len(body["days"])
    assert [r["sector"] for r in drawn["rows"]] == drawn["sectors"]
    for row, sector in zip(drawn["rows"], body["sectors"], strict=True):
        known = [i for i, v in enumerate(sector["index"]) if v is not None]
        if not known:
            assert row["level"] == ""
            continue
        d = known[-1]
        assert row["level"] == sector["level"][d]
        for name in body["signals"]:
            assert row["terms"][name] == f"{sector['contributions'][name][d]:.1f}", (row, name)
    assert drawn["alerts"] == [[a["day"], a["sector"], a["level"]] for a in alerts["alerts"][:12]]
    if any(v is not None for s in body["sectors"] for v in s["index"]):
        assert drawn["canvas"]
        assert drawn["thresholds"] == body["thresholds"]
        names = [s["name"] for s in body["sectors"]]
        assert drawn["legend"][: len(names)] == names
        assert drawn["legend"][len(names) :][0].startswith("Watch")
    return body


def test_tension_section_shows_what_the_api_returns(
    watched_page: tuple[Page, Watch],  # noqa: F811 - the fixture imported above
    live_server: LiveServer,
    open_page: Any,  # noqa: F811
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)
    open_dashboards(page)
    page.select_option("#dash-range", "mission")
    query = wait_dashboards(page, "1999-06-1")
    body = check(page, query)
    # the whole mission: every sector of the scenario, with an index after its first weeks
    assert len(body["sectors"]) == 5
    assert any(v is not None for v in body["sectors"][0]["index"])
    page.locator("#dash-tension").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "warning.png"))
    assert watch.console_errors == [] and watch.foreign_requests == []

    # a partner officer sees the index built from what is released to them, and no more
    other, other_watch = open_page()
    open_logged_in(other, live_server, PARTNER, DAY)
    open_dashboards(other)
    other.select_option("#dash-range", "mission")
    partner = check(other, wait_dashboards(other, "1999-06-1"))
    seen = {m for s in partner["sectors"] for m in s["labels"]}
    assert all("PARTNER" in m or "UNCLASSIFIED" in m for m in seen), seen
    assert other_watch.console_errors == []
