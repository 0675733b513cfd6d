"""Browser tests of the map page: Playwright (sync API) driving Debian's Chromium headless.

The page is served by a real PeaceWatch server (the `live_server` fixture from
tests/conftest.py, with the small Kosovo scenario loaded) from the static build of
web/ (`cd web && npm ci && npm run build`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, sync_playwright

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # MapLibre needs WebGL; with the GPU off, Chromium renders it in software
    # through ANGLE on SwiftShader, which it only allows when told to.
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
DAY = "1999-06-15"
NEXT_DAY = "1999-06-16"
READY_TIMEOUT_MS = 90_000
ZONE_LAYERS = ["zones-fill", "zones-tint", "zones-hatch", "zones-outline", "zones-boundary"]
REPORT_LAYER = "reports-circle"


@dataclass
class Watch:
    """What a page did that a test must see: console errors and off-machine requests."""

    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def on_console(self, msg: ConsoleMessage) -> None:
        if msg.type == "error":
            self.console_errors.append(msg.text)

    def on_page_error(self, err: Exception) -> None:
        self.console_errors.append(f"uncaught: {err}")

    def on_request(self, request: Request) -> None:
        if not is_loopback(request.url):
            self.foreign_requests.append(request.url)


def is_loopback(url: str) -> bool:
    """True for URLs that stay on this machine (data:, blob: and about: have no host)."""
    host = urlsplit(url).hostname
    if host is None:
        return True
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
        )
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def watched_page(browser: Browser, live_server: str) -> Iterator[tuple[Page, Watch]]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=live_server)
    page = context.new_page()
    watch = Watch()
    page.on("console", watch.on_console)
    page.on("pageerror", watch.on_page_error)
    page.on("request", watch.on_request)
    yield page, watch
    context.close()


def wait_ready(page: Page, day: str) -> None:
    """Wait until the page has drawn `day` (or given up), then insist that it succeeded."""
    page.wait_for_function(
        """day => document.body.dataset.ready === "error"
                 || (window.peacewatch?.day === day && document.body.dataset.ready === "true")""",
        arg=day,
        timeout=READY_TIMEOUT_MS,
    )
    state = page.evaluate("document.body.dataset.ready")
    assert state == "true", f"page failed: {page.inner_text('#status')}"
    assert page.evaluate("window.peacewatch.ready") is True


def api_report_count(page: Page, day: str, next_day: str) -> int:
    """Count the mission's reports of the day as the API returns them, following next_cursor."""
    mission: str = page.evaluate("window.peacewatch.mission.code")
    params = {
        "start": f"{day}T00:00:00Z",
        "end": f"{next_day}T00:00:00Z",
        "limit": "1000",
        "mission": mission,
    }
    total = 0
    for _ in range(20):
        res = page.request.get("/api/v1/reports", params=params)
        assert res.ok, res.text()
        body: dict[str, Any] = res.json()
        assert body["numberReturned"] == len(body["features"])
        total += len(body["features"])
        if not body.get("next_cursor"):
            return total
        params["cursor"] = body["next_cursor"]
    pytest.fail("more than 20 pages of reports for one day")


def rendered(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(
        """([zoneLayers, reportLayer]) => {
            const map = window.peacewatch.map;
            const zones = map.queryRenderedFeatures({ layers: zoneLayers });
            return {
                zoneKinds: [...new Set(zones.map(f => f.properties.kind))].sort(),
                reports: map.queryRenderedFeatures({ layers: [reportLayer] }).length,
            };
        }""",
        [ZONE_LAYERS, REPORT_LAYER],
    )
    return result


def panel_count(page: Page, name: str) -> int:
    return int(page.get_attribute(f"#count-{name}", "data-count") or "-1")


def test_map_page_renders_the_day(watched_page: tuple[Page, Watch]) -> None:
    page, watch = watched_page
    page.goto(f"/?day={DAY}")
    wait_ready(page, DAY)

    mission = page.request.get("/api/v1/missions").json()["items"][0]
    assert page.inner_text("#title") == f"PeaceWatch — {mission['name']}"
    assert page.input_value("#day") == DAY

    drawn = rendered(page)
    for kind in ("sector", "ground_safety_zone", "air_safety_zone"):
        assert kind in drawn["zoneKinds"], drawn
    assert drawn["reports"] >= 1, drawn

    expected = api_report_count(page, DAY, NEXT_DAY)
    assert expected >= 1
    assert panel_count(page, "reports") == expected
    assert page.evaluate("window.peacewatch.counts.reports") == expected
    by_kind = page.eval_on_selector_all(
        "#report-legend li", "items => items.map(li => Number(li.dataset.count))"
    )
    assert sum(by_kind) == expected
    assert panel_count(page, "zones") >= 3
    assert panel_count(page, "places") >= 1

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map.png"))

    assert watch.console_errors == []
    assert watch.foreign_requests == []


def test_next_day_button_updates_url_and_counts(watched_page: tuple[Page, Watch]) -> None:
    page, watch = watched_page
    page.goto(f"/?day={DAY}")
    wait_ready(page, DAY)
    assert panel_count(page, "reports") == api_report_count(page, DAY, NEXT_DAY)

    page.click("#next-day")
    wait_ready(page, NEXT_DAY)

    assert page.url.endswith(f"?day={NEXT_DAY}")
    assert page.input_value("#day") == NEXT_DAY
    expected = api_report_count(page, NEXT_DAY, "1999-06-17")
    assert panel_count(page, "reports") == expected
    assert page.evaluate("window.peacewatch.counts.reports") == expected

    assert watch.console_errors == []
    assert watch.foreign_requests == []
