"""Browser tests of the map page: Playwright (sync API) driving Debian's Chromium headless.

The page is served by a real PeaceWatch server (the `live_server` fixture from
tests/conftest.py, with the small Kosovo scenario loaded and two accounts made with
`peacewatch users add`) from the static build of web/ (`cd web && npm ci && npm run build`).
Every test logs in through the page's form, as a user would, in a fresh browser context.
"""

from __future__ import annotations

import ipaddress
import itertools
import math
import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import (
    APIRequestContext,
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    expect,
    sync_playwright,
)
from shapely.geometry import shape
from tests.conftest import LiveServer

from peacewatch.domain.grid import from_mgrs, to_mgrs

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
REPORT_LAYER = "reports-circle"
UNIT_LAYER = "units-symbol"
VIOLATION_LAYER = "violations-ring"
# What the page reads for each time window.
WINDOW_READS = {
    "/api/v1/reports",
    "/api/v1/violations",
    "/api/v1/units",
    "/api/v1/events",
    "/api/v1/tracks",
    "/api/v1/patrols",
}
WATCHKEEPER = "gbr.watch"  # GBR, NATO SECRET, NATO + KFOR
PARTNER = "ukr.liaison"  # UKR, NATO RESTRICTED, PARTNER only
PATROL = "usa.patrol"  # USA, NATO RESTRICTED, NATO + KFOR: files reports
ME = "/api/v1/auth/me"
# What Chromium logs for any fetch that answers 401, whether or not the page handles it.
FAILED_401 = "Failed to load resource: the server responded with a status of 401 (Unauthorized)"


@dataclass
class Watch:
    """What a page did that a test must see: console errors and off-machine requests."""

    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    api_requests: list[str] = field(default_factory=list)

    def on_console(self, msg: ConsoleMessage) -> None:
        if msg.type != "error":
            return
        url = msg.location.get("url") or ""
        # The one expected failure: "who am I?" answers 401 before login (and after logout).
        # The page does not log it; Chromium does, for every fetch that answers 401.
        if msg.text == FAILED_401 and urlsplit(url).path == ME:
            return
        self.console_errors.append(f"{msg.text} [{url}]" if url else msg.text)

    def on_page_error(self, err: Exception) -> None:
        self.console_errors.append(f"uncaught: {err}")

    def on_request(self, request: Request) -> None:
        if not is_loopback(request.url):
            self.foreign_requests.append(request.url)
        path = urlsplit(request.url).path
        if path.startswith("/api/"):
            self.api_requests.append(path)


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


OpenPage = Callable[[], tuple[Page, Watch]]


@pytest.fixture
def open_page(browser: Browser, live_server: str) -> Iterator[OpenPage]:
    """Opens a page in a fresh browser context (no cookies: nobody logged in), watched."""
    contexts: list[BrowserContext] = []

    def open_() -> tuple[Page, Watch]:
        context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=live_server)
        contexts.append(context)
        page = context.new_page()
        watch = Watch()
        page.on("console", watch.on_console)
        page.on("pageerror", watch.on_page_error)
        page.on("request", watch.on_request)
        return page, watch

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def watched_page(open_page: OpenPage) -> tuple[Page, Watch]:
    return open_page()


def log_in(page: Page, username: str, password: str) -> None:
    """Fill in and send the login form, as a user would."""
    form = page.get_by_role("form", name="Log in")
    expect(form).to_be_visible()
    form.get_by_label("User name").fill(username)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Log in", exact=True).click()


def open_logged_in(page: Page, server: LiveServer, username: str, day: str) -> None:
    """Open the page on `day`, log in as `username` and wait until the map has drawn it."""
    page.goto(f"/?day={day}")
    log_in(page, username, server.users[username])
    wait_ready(page, day)


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
    """Count the mission's reports of the day as the API returns them to the page's user
    (the request carries the context's session cookie), following next_cursor."""
    mission: str | None = page.evaluate("window.peacewatch.mission?.code ?? null")
    params: dict[str, str | float | bool] = {
        "start": f"{day}T00:00:00Z",
        "end": f"{next_day}T00:00:00Z",
        "limit": "1000",
    }
    if mission is not None:
        params["mission"] = mission
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
        """reportLayer => {
            const map = window.peacewatch.map;
            // The zones' fills, hatching and lines (one layer per zone kind), not their labels.
            const zoneLayers = map.getStyle().layers
                .filter(l => l.source === "zones" && l.type !== "symbol").map(l => l.id);
            const zones = map.queryRenderedFeatures({ layers: zoneLayers });
            return {
                zoneKinds: [...new Set(zones.map(f => f.properties.kind))].sort(),
                reports: map.queryRenderedFeatures({ layers: [reportLayer] }).length,
            };
        }""",
        REPORT_LAYER,
    )
    return result


def panel_count(page: Page, name: str) -> int:
    return int(page.get_attribute(f"#count-{name}", "data-count") or "-1")


def test_map_page_renders_the_day(
    watched_page: tuple[Page, Watch], live_server: LiveServer
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)

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


def test_next_day_button_updates_url_and_counts(
    watched_page: tuple[Page, Watch], live_server: LiveServer
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)
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


def test_fresh_browser_gets_the_login_form_and_a_wrong_password_is_refused(
    watched_page: tuple[Page, Watch],
) -> None:
    page, watch = watched_page
    page.goto(f"/?day={DAY}")
    form = page.get_by_role("form", name="Log in")
    expect(form).to_be_visible()
    expect(form.get_by_label("User name")).to_be_focused()
    expect(form.get_by_label("User name")).to_have_value("")
    expect(form.get_by_label("Password")).to_have_value("")
    expect(page.locator("#layout")).to_be_hidden()
    expect(page.locator("#session")).to_be_hidden()
    assert page.evaluate("window.peacewatch.user") is None

    with page.expect_response(lambda r: urlsplit(r.url).path == "/api/v1/auth/login") as answer:
        log_in(page, WATCHKEEPER, f"wrong-{secrets.token_urlsafe(12)}")
    assert answer.value.status == 401
    detail = answer.value.json()["detail"]
    assert detail

    # The server's words, next to the form (inside it, and announced: role=alert).
    error = form.get_by_role("alert")
    expect(error).to_have_text(detail)
    assert form.get_attribute("aria-describedby") == error.get_attribute("id")
    expect(form.get_by_label("Password")).to_have_value("")

    # The map does not load: nothing but the login itself was asked of the API.
    expect(page.locator("#layout")).to_be_hidden()
    assert page.evaluate("document.body.dataset.ready") == "false"
    assert page.evaluate("window.peacewatch.map") is None
    assert page.evaluate("window.peacewatch.user") is None
    assert page.evaluate("window.peacewatch.counts.reports") == 0
    assert watch.api_requests == [ME, "/api/v1/auth/login"]

    login_url = answer.value.url
    assert watch.console_errors == [f"{FAILED_401} [{login_url}]"]
    assert watch.foreign_requests == []


def test_header_shows_the_user_and_log_out_returns_to_the_form(
    watched_page: tuple[Page, Watch], live_server: LiveServer
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)

    user = page.locator("#user")
    expect(user).to_be_visible()
    expect(user).to_contain_text(WATCHKEEPER)
    expect(user).to_contain_text("GBR")
    expect(user).to_contain_text("NATO SECRET")
    me = page.evaluate("window.peacewatch.user")
    assert (me["username"], me["nation"], me["clearance"]) == (WATCHKEEPER, "GBR", "NATO SECRET")

    banner = page.locator("#page-marking")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Highest marking on view: NATO ")
    assert "marking-unknown" not in (banner.get_attribute("class") or "")

    # Logging out is a state change: it must carry the CSRF token of the pw_csrf cookie.
    csrf = {c["name"]: c["value"] for c in page.context.cookies()}["pw_csrf"]
    with page.expect_request(lambda r: urlsplit(r.url).path == "/api/v1/auth/logout") as sent:
        page.get_by_role("button", name="Log out").click()
    assert sent.value.method == "POST"
    assert sent.value.header_value("x-csrf-token") == csrf
    answer = sent.value.response()
    assert answer is not None
    assert answer.status == 200

    expect(page.get_by_role("form", name="Log in")).to_be_visible()
    expect(page.locator("#layout")).to_be_hidden()
    expect(user).to_be_hidden()
    expect(page.get_by_role("button", name="Log out")).to_be_hidden()
    assert page.evaluate("document.body.dataset.ready") == "false"
    assert page.evaluate("window.peacewatch.user") is None
    assert page.evaluate("window.peacewatch.map") is None
    assert "pw_session" not in {c["name"] for c in page.context.cookies()}
    assert page.evaluate(f"fetch('{ME}').then(r => r.status)") == 401

    assert watch.console_errors == []
    assert watch.foreign_requests == []


def test_partner_sees_fewer_reports_than_a_nato_watchkeeper(
    open_page: OpenPage, live_server: LiveServer
) -> None:
    """The label filter at work in the browser: same page, same day, two users."""
    counts: dict[str, int] = {}
    for username, nation, clearance in (
        (WATCHKEEPER, "GBR", "NATO SECRET"),
        (PARTNER, "UKR", "NATO RESTRICTED"),
    ):
        page, watch = open_page()
        # NEXT_DAY: a day with reports released to PARTNER in the small scenario.
        open_logged_in(page, live_server, username, NEXT_DAY)
        user = page.locator("#user")
        for text in (username, nation, clearance):
            expect(user).to_contain_text(text)
        counts[username] = page.evaluate("window.peacewatch.counts.reports")
        assert counts[username] == api_report_count(page, NEXT_DAY, "1999-06-17")
        assert panel_count(page, "reports") == counts[username]
        if username == PARTNER:
            expect(page.locator("#page-marking")).to_contain_text("PARTNER")
        assert watch.console_errors == []
        assert watch.foreign_requests == []

    assert 0 < counts[PARTNER] < counts[WATCHKEEPER], counts


def test_an_ended_session_returns_to_the_form_and_a_new_login_resumes(
    watched_page: tuple[Page, Watch], live_server: LiveServer
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)

    # End the session behind the page's back; the browser keeps its (now dead) cookie, as
    # when a session expires.
    cookies = page.context.cookies()
    csrf = {c["name"]: c["value"] for c in cookies}["pw_csrf"]
    assert page.request.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).ok
    page.context.add_cookies(cookies)  # type: ignore[arg-type]

    page.click("#next-day")
    form = page.get_by_role("form", name="Log in")
    expect(form).to_be_visible()
    expect(form.get_by_role("alert")).to_have_text("Your session has ended: log in again.")
    expect(page.locator("#layout")).to_be_hidden()
    assert page.evaluate("window.peacewatch.user") is None
    assert page.evaluate("document.body.dataset.ready") == "false"

    # The only failed calls: reads of the next day's window (reports, events, violations,
    # units, tracks, asked for together), each answered 401. Whichever answers first ends the
    # session and aborts the others, so how many fail depends on the order of the answers.
    def only_window_401s() -> None:
        failed = list(watch.console_errors)
        assert failed, failed
        for error in failed:
            assert error.startswith(f"{FAILED_401} [{live_server}/api/v1/"), failed
            assert urlsplit(error.rsplit(" [", 1)[1].rstrip("]")).path in WINDOW_READS, failed

    only_window_401s()

    log_in(page, WATCHKEEPER, live_server.users[WATCHKEEPER])
    wait_ready(page, NEXT_DAY)
    assert page.evaluate("window.peacewatch.user.username") == WATCHKEEPER
    assert panel_count(page, "reports") == api_report_count(page, NEXT_DAY, "1999-06-17")
    only_window_401s()
    assert len(watch.console_errors) <= len(WINDOW_READS), watch.console_errors
    assert watch.foreign_requests == []


# ---- the common operating picture: units, violations, time windows, live feed ----------


def wait_loaded(page: Page, condition: str, arg: Any = None) -> None:
    """Wait until the page has drawn a window for which the JS `condition` (a function of
    `pw` = window.peacewatch and `arg`) holds, or given up; then insist that it succeeded."""
    page.wait_for_function(
        f"""arg => {{
            const pw = window.peacewatch;
            if (document.body.dataset.ready === "error") return true;
            return document.body.dataset.ready === "true" && ({condition});
        }}""",
        arg=arg,
        timeout=READY_TIMEOUT_MS,
    )
    state = page.evaluate("document.body.dataset.ready")
    assert state == "true", f"page failed: {page.inner_text('#status')}"


def api_features(page: Page, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
    """Every feature of a paged list endpoint, as the page's user sees it."""
    query: dict[str, str | float | bool] = {"limit": "1000", **params}
    mission: str | None = page.evaluate("window.peacewatch.mission?.code ?? null")
    if mission is not None:
        query["mission"] = mission
    features: list[dict[str, Any]] = []
    for _ in range(20):
        res = page.request.get(path, params=query)
        assert res.ok, res.text()
        body: dict[str, Any] = res.json()
        features += body["features"]
        if not body.get("next_cursor"):
            return features
        query["cursor"] = body["next_cursor"]
    pytest.fail(f"more than 20 pages of {path}")


def source_ids(page: Page, source: str) -> list[str]:
    """The ids of every feature the map's GeoJSON `source` holds (on screen or not)."""
    ids: list[str] = page.evaluate(
        """async source => {
            const data = await window.peacewatch.map.getSource(source).getData();
            return data.features.map(f => String(f.properties.id)).sort();
        }""",
        source,
    )
    return ids


def rendered_ids(page: Page, layer: str) -> list[str]:
    ids: list[str] = page.evaluate(
        """layer => [...new Set(window.peacewatch.map.queryRenderedFeatures({ layers: [layer] })
                        .map(f => String(f.properties.id)))].sort()""",
        layer,
    )
    return ids


def click_on_map(page: Page, lon: float, lat: float) -> None:
    """Click the map where (lon, lat) is drawn."""
    x, y = page.evaluate(
        """([lon, lat]) => {
            const map = window.peacewatch.map;
            const p = map.project([lon, lat]);
            const r = map.getCanvas().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }""",
        [lon, lat],
    )
    page.mouse.click(x, y)


def test_units_are_drawn_as_app6_symbols(
    watched_page: tuple[Page, Watch], live_server: LiveServer
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)

    # Units at their positions at the end of the window (the end of the day).
    res = page.request.get(
        "/api/v1/units", params={"at": f"{NEXT_DAY}T00:00:00Z", "mission": "KFOR"}
    )
    assert res.ok, res.text()
    units = res.json()["features"]
    assert units, "the small scenario has units"
    assert page.evaluate("window.peacewatch.counts.units") == len(units)
    assert panel_count(page, "units") == len(units)
    assert source_ids(page, "units") == sorted(u["id"] for u in units)

    # Each SIDC is an image in the map's style, drawn by milsymbol, and the layer uses it.
    icons = page.evaluate(
        """async () => {
            const map = window.peacewatch.map;
            const fs = (await map.getSource("units").getData()).features;
            return fs.map(f => [
                f.properties.sidc, f.properties.icon, map.hasImage(f.properties.icon)]);
        }"""
    )
    assert {sidc for sidc, _, _ in icons} == {u["properties"]["sidc"] for u in units}
    for sidc, icon, present in icons:
        assert icon == f"app6-{sidc}" and present, (sidc, icon, present)
    assert page.evaluate(
        "window.peacewatch.map.getLayoutProperty('units-symbol', 'icon-image')"
    ) == ["get", "icon"]
    drawn = rendered_ids(page, UNIT_LAYER)
    assert drawn, "no unit symbol on screen"

    # A click on a unit names it, with its SIDC and the time of its position.
    unit = next(u for u in units if u["id"] == drawn[0])
    lon, lat = unit["geometry"]["coordinates"]
    page.evaluate(
        "([lon, lat]) => window.peacewatch.map.jumpTo({ center: [lon, lat], zoom: 11 })", [lon, lat]
    )
    wait_loaded(page, "true")
    click_on_map(page, lon, lat)
    popup = page.locator(".maplibregl-popup .popup-unit").first
    expect(popup).to_be_visible()
    expect(popup).to_contain_text(unit["properties"]["sidc"])
    expect(page.locator(".maplibregl-popup")).to_contain_text(unit["properties"]["name"])

    assert watch.console_errors == []
    assert watch.foreign_requests == []


def test_violations_of_the_day_are_highlighted(
    watched_page: tuple[Page, Watch], live_server: LiveServer
) -> None:
    page, watch = watched_page
    page.goto("/")
    log_in(page, WATCHKEEPER, live_server.users[WATCHKEEPER])
    wait_loaded(page, "pw.day !== null")

    # A day with violations, as the API tells this user.
    every = api_features(page, "/api/v1/violations", {})
    assert every, "the small scenario has violations"
    day = every[0]["properties"]["observed_at"][:10]
    page.goto(f"/?day={day}")
    wait_ready(page, day)

    end = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    expected = api_features(
        page, "/api/v1/violations", {"start": f"{day}T00:00:00Z", "end": f"{end}T00:00:00Z"}
    )
    assert expected
    assert page.evaluate("window.peacewatch.counts.violations") == len(expected)
    assert panel_count(page, "violations") == len(expected)
    assert source_ids(page, "violations") == sorted(v["id"] for v in expected)
    drawn = rendered_ids(page, VIOLATION_LAYER)
    assert drawn, "no violation ring on screen"
    # On top of everything else.
    assert page.evaluate("window.peacewatch.map.getStyle().layers.at(-1).id") == VIOLATION_LAYER

    violation = next(v for v in expected if v["id"] == drawn[0])
    click_on_map(page, *violation["geometry"]["coordinates"])
    popup = page.locator(".maplibregl-popup .popup-violation").first
    expect(popup).to_be_visible()
    props = violation["properties"]
    for text in (props["obligation"], props["state"], props["label"]):
        expect(popup).to_contain_text(text)

    assert watch.console_errors == []
    assert watch.foreign_requests == []


def test_window_choice_changes_counts_and_is_in_the_url(
    watched_page: tuple[Page, Watch], live_server: LiveServer
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)
    day_count = page.evaluate("window.peacewatch.counts.reports")
    assert day_count == api_report_count(page, DAY, NEXT_DAY)

    # The 7 days up to the end of the chosen day.
    page.select_option("#window", "7d")
    wait_loaded(page, "pw.window === '7d'")
    assert "window=7d" in page.url and f"day={DAY}" in page.url
    week = api_features(
        page, "/api/v1/reports", {"start": "1999-06-09T00:00:00Z", "end": f"{NEXT_DAY}T00:00:00Z"}
    )
    assert page.evaluate("window.peacewatch.counts.reports") == len(week) > day_count
    assert panel_count(page, "reports") == len(week)
    assert page.evaluate("window.peacewatch.span") == {
        "start": "1999-06-09T00:00:00.000Z",
        "end": f"{NEXT_DAY}T00:00:00.000Z",
    }

    # The last 6 hours of the day: fewer.
    page.select_option("#window", "6h")
    wait_loaded(page, "pw.window === '6h'")
    six = api_features(
        page, "/api/v1/reports", {"start": f"{DAY}T18:00:00Z", "end": f"{NEXT_DAY}T00:00:00Z"}
    )
    assert page.evaluate("window.peacewatch.counts.reports") == len(six) < day_count

    # The URL is the view: opened elsewhere, it shows the same window.
    shared = page.url
    page.goto(shared)
    wait_loaded(page, "pw.window === '6h'")
    assert page.input_value("#window") == "6h"
    assert page.evaluate("window.peacewatch.counts.reports") == len(six)

    page.go_back()
    wait_loaded(page, "pw.window === '7d'")
    assert page.evaluate("window.peacewatch.counts.reports") == len(week)

    assert watch.console_errors == []
    assert watch.foreign_requests == []


def reporter(playwright_request: APIRequestContext, server: LiveServer) -> Callable[[Any], Any]:
    """Log `PATROL` in through the API (its own session, not the page's) and return a
    function that POSTs reports as that user."""
    res = playwright_request.post(
        "/api/v1/auth/login", data={"username": PATROL, "password": server.users[PATROL]}
    )
    assert res.ok, res.text()
    csrf = res.json()["csrf_token"]

    def post(feature: dict[str, Any]) -> Any:
        answer = playwright_request.post(
            "/api/v1/reports", data=feature, headers={"X-CSRF-Token": csrf}
        )
        assert answer.ok, answer.text()
        body = answer.json()
        assert body["accepted"] == 1, body
        return body

    return post


def report(kind: str, lon: float, lat: float, at: str, title: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": str(uuid.uuid4()),
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "kind": kind,
            "observed_at": at,
            "title": title,
            "label": "NATO RESTRICTED REL TO KFOR, NATO",
            "grade": "B2",
            "source": "browser test",
            **extra,
        },
    }


def test_live_feed_brings_new_reports_and_violation_alerts(
    watched_page: tuple[Page, Watch], live_server: LiveServer, browser: Browser
) -> None:
    page, watch = watched_page
    day = "1999-07-01"  # after the GSZ rules of 21 Jun 1999
    open_logged_in(page, live_server, WATCHKEEPER, day)
    page.wait_for_function("window.peacewatch.feed === 'open'", timeout=READY_TIMEOUT_MS)
    before = page.evaluate("window.peacewatch.counts")
    expect(page.locator("#alerts li")).to_have_count(0)

    zone = page.request.get("/api/v1/zones/mta-gsz-sector-b")
    assert zone.ok, zone.text()
    inside = shape(zone.json()["geometry"]).representative_point()

    # Another user, in another browser context: the page's session has no part in it.
    other = browser.new_context(base_url=live_server)
    api = other.request
    try:
        post = reporter(api, live_server)
        aid = report(
            "aid_delivery",
            21.16,
            42.66,
            f"{day}T09:00:00Z",
            "Flour to Pristina",
            attributes={"agency": "WFP", "tonnes": 12},
        )
        post(aid)
        sighting = report(
            "armed_personnel_sighting",
            inside.x,
            inside.y,
            f"{day}T10:00:00Z",
            "FRY soldiers in GSZ sector B",
            party="FRY",
        )
        post(sighting)
    finally:
        other.close()

    # Both reports appear without reloading, and the sighting raises an alert.
    page.wait_for_function(
        "n => window.peacewatch.counts.reports === n",
        arg=before["reports"] + 2,
        timeout=READY_TIMEOUT_MS,
    )
    page.wait_for_function(
        "n => window.peacewatch.counts.violations === n",
        arg=before["violations"] + 1,
        timeout=READY_TIMEOUT_MS,
    )
    ids = source_ids(page, "reports")
    assert aid["id"] in ids and sighting["id"] in ids
    assert panel_count(page, "reports") == before["reports"] + 2
    alert = page.locator("#alerts li.alert")
    expect(alert).to_have_count(1)
    expect(alert).to_have_attribute("data-state", "new")
    expect(alert).to_contain_text("FRY")
    expect(alert).to_contain_text("Ground Safety Zone, Sector B")
    expect(page.locator("#alert-count")).to_have_text("1")
    new_violation = page.evaluate(
        """async () => (await window.peacewatch.map.getSource("violations").getData()).features
                 .map(f => f.properties).find(p => p.zone === "mta-gsz-sector-b"
                      && p.observed_at.startsWith("1999-07-01T10:00"))"""
    )
    assert new_violation and new_violation["party"] == "FRY"

    alert.get_by_role("button", name="Acknowledge").click()
    expect(alert).to_have_attribute("data-state", "acknowledged")
    expect(alert).to_contain_text(f"Acknowledged by {WATCHKEEPER}")
    expect(page.locator("#alert-count")).to_be_hidden()
    assert page.evaluate("window.peacewatch.alerts") == {"total": 1, "unacknowledged": 0}
    # Acknowledged on the server, for the whole operations centre (and audited there).
    stored = page.request.get(f"/api/v1/violations/{new_violation['id']}").json()["properties"]
    assert stored["acknowledged_by"] == WATCHKEEPER and stored["acknowledged_at"].endswith("Z")
    assert new_violation["acknowledged_by"] is None

    assert watch.console_errors == []
    assert watch.foreign_requests == []


def test_live_mode_follows_now(
    watched_page: tuple[Page, Watch], live_server: LiveServer, browser: Browser
) -> None:
    page, watch = watched_page
    page.goto(f"/?day={DAY}&window=24h&live=1")
    log_in(page, WATCHKEEPER, live_server.users[WATCHKEEPER])
    today = datetime.now(UTC).date().isoformat()
    wait_loaded(page, "pw.live && pw.day === arg", today)
    page.wait_for_function("window.peacewatch.feed === 'open'", timeout=READY_TIMEOUT_MS)
    expect(page.locator("#live")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#day")).to_be_disabled()
    assert page.evaluate("window.peacewatch.counts.reports") == 0  # nothing filed today yet

    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    # Another user, in another browser context: the page's session has no part in it.
    other = browser.new_context(base_url=live_server)
    api = other.request
    try:
        filed = report("roadblock", 21.0, 42.6, now, "Roadblock near Komoran")
        reporter(api, live_server)(filed)
    finally:
        other.close()
    page.wait_for_function("window.peacewatch.counts.reports === 1", timeout=READY_TIMEOUT_MS)
    assert source_ids(page, "reports") == [filed["id"]]

    # Off again: back to the chosen day, as the URL kept it.
    page.click("#live")
    wait_loaded(page, "!pw.live && pw.day === arg", DAY)
    assert "live" not in page.url and f"day={DAY}" in page.url
    assert page.evaluate("window.peacewatch.counts.reports") == len(
        api_features(
            page, "/api/v1/reports", {"start": f"{DAY}T00:00:00Z", "end": f"{NEXT_DAY}T00:00:00Z"}
        )
    )

    assert watch.console_errors == []
    assert watch.foreign_requests == []


# ---- the operator's tools: time slider and play, custom window, reporting form, cursor
# readout and measuring, verdicts on violations, the banner at the top and the bottom ------

OFFICER = "fra.officer"  # FRA, NATO CONFIDENTIAL, NATO + KFOR: rules on violations
PRISTINA = (21.16, 42.66)


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def count_between(page: Page, start: datetime, end: datetime) -> int:
    return len(api_features(page, "/api/v1/reports", {"start": iso(start), "end": iso(end)}))


def move_slider_to(page: Page, end: datetime) -> None:
    """Put the slider at `end` and let go of it, as a drag does (input, then change)."""
    page.evaluate(
        """end => {
            const slider = document.getElementById("time-slider");
            const min = Date.parse(window.peacewatch.slider.min);
            slider.value = String(Math.round((Date.parse(end) - min) / 3600000));
            slider.dispatchEvent(new Event("input", { bubbles: true }));
            slider.dispatchEvent(new Event("change", { bubbles: true }));
        }""",
        iso(end),
    )


def test_time_slider_moves_the_window_end_and_play_advances(
    watched_page: tuple[Page, Watch], live_server: LiveServer
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)
    day_count = panel_count(page, "reports")
    mission = page.request.get("/api/v1/missions").json()["items"][0]
    # The slider runs from the mission's start (on the hour).
    assert page.evaluate("window.peacewatch.slider.min")[:13] == mission["start"][:13]

    # A slider position whose 24 hours hold another number of reports than the day.
    day_end = datetime.fromisoformat(f"{NEXT_DAY}T00:00:00+00:00")
    for hours in (12, 6, 18, 30, 36, 48):
        end = day_end - timedelta(hours=hours) if hours < 24 else day_end + timedelta(hours=hours)
        expected = count_between(page, end - timedelta(hours=24), end)
        if expected != day_count:
            break
    else:
        pytest.fail("no slider position with another count than the day's")

    move_slider_to(page, end)
    wait_loaded(page, "pw.t === arg", iso(end))
    assert parse_qs(urlsplit(page.url).query)["t"] == [iso(end)]
    assert page.evaluate("window.peacewatch.span") == {
        "start": (end - timedelta(hours=24)).isoformat().replace("+00:00", ".000Z"),
        "end": end.isoformat().replace("+00:00", ".000Z"),
    }
    assert panel_count(page, "reports") == expected != day_count

    # The URL is the view: opened again, it shows the same window.
    page.goto(page.url)
    wait_loaded(page, "pw.t === arg", iso(end))
    assert panel_count(page, "reports") == expected

    # Play, 6 h per step: the window's end moves forward until paused.
    page.select_option("#play-speed", "6")
    page.get_by_role("button", name="▶ Play").click()
    later = iso(end + timedelta(hours=12))
    page.wait_for_function("t => window.peacewatch.t >= t", arg=later, timeout=60_000)
    page.locator("#play").click()  # pause
    page.wait_for_function("!window.peacewatch.playing")
    wait_loaded(page, "!pw.playing")
    t = page.evaluate("window.peacewatch.t")
    assert t >= later
    (hours_moved, rest) = divmod(
        (datetime.fromisoformat(t.replace("Z", "+00:00")) - end).total_seconds(), 3600
    )
    assert rest == 0 and hours_moved % 6 == 0, t
    stopped = datetime.fromisoformat(t.replace("Z", "+00:00"))
    assert panel_count(page, "reports") == count_between(
        page, stopped - timedelta(hours=24), stopped
    )

    # Back to a whole day: the slider's position leaves the URL.
    page.click("#next-day")
    wait_loaded(page, "pw.t === null")
    assert "t=" not in page.url

    assert watch.console_errors == []
    assert watch.foreign_requests == []


def test_custom_window_is_in_the_url(
    watched_page: tuple[Page, Watch], live_server: LiveServer
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)
    page.select_option("#window", "custom")
    wait_loaded(page, "pw.window === 'custom'")
    expect(page.get_by_label("Custom window start (UTC)")).to_be_visible()
    page.get_by_label("Custom window start (UTC)").fill("1999-06-14T06:00")
    page.get_by_label("Custom window end (UTC)").fill("1999-06-15T18:30")
    page.get_by_role("button", name="Apply").click()
    wait_loaded(page, "pw.span.end === '1999-06-15T18:30:00.000Z'")
    query = parse_qs(urlsplit(page.url).query)
    assert query["window"] == ["custom"]
    assert (query["from"], query["to"]) == (["1999-06-14T06:00:00Z"], ["1999-06-15T18:30:00Z"])
    assert page.evaluate("window.peacewatch.span.start") == "1999-06-14T06:00:00.000Z"
    expected = count_between(
        page,
        datetime(1999, 6, 14, 6, tzinfo=UTC),
        datetime(1999, 6, 15, 18, 30, tzinfo=UTC),
    )
    assert panel_count(page, "reports") == expected

    page.goto(page.url)
    wait_loaded(page, "pw.window === 'custom'")
    assert page.evaluate("window.peacewatch.span") == {
        "start": "1999-06-14T06:00:00.000Z",
        "end": "1999-06-15T18:30:00.000Z",
    }
    assert panel_count(page, "reports") == expected

    assert watch.console_errors == []
    assert watch.foreign_requests == []


def test_a_report_filed_with_an_mgrs_grid_appears_without_reload(
    watched_page: tuple[Page, Watch], live_server: LiveServer
) -> None:
    page, watch = watched_page
    day = "1999-08-03"
    open_logged_in(page, live_server, WATCHKEEPER, day)
    page.wait_for_function("window.peacewatch.feed === 'open'", timeout=90_000)
    before = panel_count(page, "reports")
    loads = len(watch.api_requests)
    mission = page.request.get("/api/v1/missions").json()["items"][0]

    page.get_by_role("button", name="New report").click()
    form = page.get_by_role("form", name="New report")
    expect(form).to_be_visible()
    # Defaults: the mission's label, observed just before the window's end.
    expect(form.get_by_label("Label")).to_have_value(mission["default_label"])
    expect(form.get_by_label("Observed (UTC)")).to_have_value(f"{day}T23:59")

    title = f"Roadblock near Pristina {secrets.token_hex(3)}"
    grid = to_mgrs(*PRISTINA)
    form.get_by_label("Kind").select_option("roadblock")
    form.get_by_label("Title").fill(title)
    form.get_by_label("Text").fill("Logs across the road, two men.")
    form.get_by_label("Location (MGRS)").fill(grid)
    form.get_by_label("Location (MGRS)").press("Tab")
    expect(form).to_contain_text("42.66")
    form.get_by_label("Admiralty grade").select_option("B2")
    csrf = {c["name"]: c["value"] for c in page.context.cookies()}["pw_csrf"]
    with page.expect_request(
        lambda r: urlsplit(r.url).path == "/api/v1/reports" and r.method == "POST"
    ) as sent:
        form.get_by_role("button", name="File report").click()
    request: Request = sent.value
    assert request.header_value("x-csrf-token") == csrf
    record: dict[str, Any] = request.post_data_json or {}
    assert record["properties"]["title"] == title

    page.wait_for_function(
        "n => window.peacewatch.counts.reports === n", arg=before + 1, timeout=30_000
    )
    expect(form).to_be_hidden()
    assert record["id"] in source_ids(page, "reports")
    assert panel_count(page, "reports") == before + 1
    # No reload: the window was not read again.
    reads = [p for p in watch.api_requests[loads:] if p == "/api/v1/violations"]
    assert reads == []

    stored = page.request.get(f"/api/v1/reports/{record['id']}")
    assert stored.ok, stored.text()
    feature = stored.json()
    lon, lat = feature["geometry"]["coordinates"]
    assert (lon, lat) == pytest.approx(from_mgrs(grid), abs=1e-5)
    assert (lon, lat) == pytest.approx(PRISTINA, abs=1e-4)
    props = feature["properties"]
    assert (props["kind"], props["grade"], props["observed_at"]) == (
        "roadblock",
        "B2",
        f"{day}T23:59:00Z",
    )
    # The live feed brings it too: still drawn once.
    page.wait_for_timeout(1_000)
    assert panel_count(page, "reports") == before + 1

    assert watch.console_errors == []
    assert watch.foreign_requests == []


def test_report_form_shows_problems_next_to_their_field(
    watched_page: tuple[Page, Watch], live_server: LiveServer
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)
    before = panel_count(page, "reports")
    posts: list[str] = []
    page.on(
        "request",
        lambda r: posts.append(r.url) if r.method == "POST" and "/reports" in r.url else None,
    )
    page.get_by_role("button", name="New report").click()
    form = page.get_by_role("form", name="New report")

    # No title and a grid that is not one: said next to each, nothing sent.
    form.get_by_label("Location (MGRS)").fill("34T ZZ 12")
    form.get_by_role("button", name="File report").click()
    expect(page.locator("#rf-title-error")).to_have_text("a title is required")
    expect(page.locator("#rf-mgrs-error")).to_contain_text("is not an MGRS grid")
    expect(form.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Location (MGRS)")).to_have_attribute("aria-invalid", "true")
    assert posts == []

    # The server's problems land next to the field they name (here the label).
    form.get_by_label("Title").fill("Sighting")
    form.get_by_label("Location (MGRS)").fill(to_mgrs(*PRISTINA))
    form.get_by_label("Label").fill("NATO COSMIC PURPLE")
    with page.expect_response(
        lambda r: urlsplit(r.url).path == "/api/v1/reports" and r.request.method == "POST"
    ) as answer:
        form.get_by_role("button", name="File report").click()
    assert answer.value.status == 422
    problem = answer.value.json()
    message = next(e["message"] for e in problem["errors"] if e["field"] == "label")
    expect(page.locator("#rf-label-error")).to_have_text(message)
    expect(page.locator("#rf-title-error")).to_be_empty()
    expect(page.locator("#rf-mgrs-error")).to_be_empty()
    expect(form).to_be_visible()
    assert panel_count(page, "reports") == before

    # Chromium logs the 422 answer; nothing else may be there.
    assert [e for e in watch.console_errors if "status of 422" not in e] == []
    assert len(watch.console_errors) == 1
    assert watch.foreign_requests == []


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lon1, lat1), (lon2, lat2) = (map(math.radians, p) for p in (a, b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_cursor_readout_and_measuring(
    watched_page: tuple[Page, Watch], live_server: LiveServer
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)
    page.evaluate("c => window.peacewatch.map.jumpTo({ center: c, zoom: 9 })", list(PRISTINA))
    wait_loaded(page, "true")

    def screen(lon: float, lat: float) -> tuple[float, float]:
        x, y = page.evaluate(
            """([lon, lat]) => {
                const map = window.peacewatch.map;
                const p = map.project([lon, lat]);
                const r = map.getCanvas().getBoundingClientRect();
                return [r.left + p.x, r.top + p.y];
            }""",
            [lon, lat],
        )
        return x, y

    page.mouse.move(*screen(*PRISTINA))
    readout = page.locator("#cursor-readout")
    expect(readout).to_contain_text("MGRS 34T EN")
    lon = float(readout.get_attribute("data-lon") or "nan")
    lat = float(readout.get_attribute("data-lat") or "nan")
    assert (lon, lat) == pytest.approx(PRISTINA, abs=0.01)
    expect(readout).to_contain_text(f"{lat:.5f}° N {lon:.5f}° E")
    grid = to_mgrs(lon, lat).replace(" ", "")
    assert readout.inner_text().split("MGRS ")[1].replace(" ", "") == grid

    # Three points: the path's length, haversine.
    points = [PRISTINA, (21.30, 42.60), (21.25, 42.50)]
    page.get_by_role("button", name="Measure").click()
    for p in points:
        click_on_map(page, *p)
    page.wait_for_function("window.peacewatch.measure.points === 3")
    clicked: list[tuple[float, float]] = page.evaluate(
        """async () => (await window.peacewatch.map.getSource("measure").getData()).features
                .filter(f => f.geometry.type === "Point").map(f => f.geometry.coordinates)"""
    )
    expected = sum(haversine_km(a, b) for a, b in itertools.pairwise(clicked))
    km = page.evaluate("window.peacewatch.measure.km")
    assert km == pytest.approx(expected, rel=1e-9)
    assert km == pytest.approx(
        sum(haversine_km(a, b) for a, b in itertools.pairwise(points)), rel=0.02
    )
    expect(page.locator("#measure-readout")).to_contain_text(f"Distance: {expected:.1f} km")
    # Measuring clicks do not open popups.
    expect(page.locator(".maplibregl-popup")).to_have_count(0)
    page.keyboard.press("Escape")
    page.wait_for_function("!window.peacewatch.measure.active")

    assert watch.console_errors == []
    assert watch.foreign_requests == []


def test_compliance_officer_confirms_a_violation_from_its_popup(
    watched_page: tuple[Page, Watch], live_server: LiveServer
) -> None:
    page, watch = watched_page
    page.goto("/")
    log_in(page, OFFICER, live_server.users[OFFICER])
    wait_loaded(page, "pw.day !== null")
    assert "violations:rule" in page.evaluate("window.peacewatch.user.permissions")
    suspected = api_features(page, "/api/v1/violations", {"state": "suspected"})
    assert suspected, "the small scenario has suspected violations this officer may see"
    # The last one: other tests look at the first day with violations.
    violation = suspected[-1]
    day = violation["properties"]["observed_at"][:10]
    page.goto(f"/?day={day}")
    wait_ready(page, day)
    lon, lat = violation["geometry"]["coordinates"]
    page.evaluate(
        "([lon, lat]) => window.peacewatch.map.jumpTo({ center: [lon, lat], zoom: 12 })",
        [lon, lat],
    )
    wait_loaded(page, "true")
    assert violation["id"] in rendered_ids(page, VIOLATION_LAYER)
    click_on_map(page, lon, lat)
    popup = page.locator(f".maplibregl-popup .popup-violation[data-id='{violation['id']}']")
    expect(popup).to_be_visible()
    expect(popup).to_contain_text(violation["properties"]["label"])

    # A verdict needs a reason.
    popup.get_by_role("button", name="Confirm").click()
    expect(popup.locator(".rule-message")).to_have_text("Give a reason for the verdict.")
    reason = "Two independent patrols saw the same vehicles"
    popup.get_by_label("Reason for the verdict").fill(reason)
    with page.expect_request(
        lambda r: (
            urlsplit(r.url).path == f"/api/v1/violations/{violation['id']}" and r.method == "PATCH"
        )
    ) as sent:
        popup.get_by_role("button", name="Confirm").click()
    assert sent.value.post_data_json == {"state": "confirmed", "reason": reason}
    expect(popup).to_have_attribute("data-state", "confirmed")
    expect(popup).to_contain_text(f"Confirmed: {reason}")
    expect(popup.locator(".state")).to_have_text("confirmed")
    expect(popup).to_contain_text(violation["properties"]["label"])

    now = page.request.get(f"/api/v1/violations/{violation['id']}")
    assert now.ok, now.text()
    assert now.json()["properties"]["state"] == "confirmed"
    page.wait_for_function(
        """async id => (await window.peacewatch.map.getSource("violations").getData())
                .features.find(f => f.properties.id === id)?.properties.state === "confirmed" """,
        arg=violation["id"],
    )

    assert watch.console_errors == []
    assert watch.foreign_requests == []


def test_others_get_no_verdict_buttons_and_the_banners_match(
    watched_page: tuple[Page, Watch], live_server: LiveServer
) -> None:
    page, watch = watched_page
    page.goto("/")
    log_in(page, WATCHKEEPER, live_server.users[WATCHKEEPER])
    wait_loaded(page, "pw.day !== null")
    violation = api_features(page, "/api/v1/violations", {})[0]
    day = violation["properties"]["observed_at"][:10]
    page.goto(f"/?day={day}")
    wait_ready(page, day)
    top = page.locator("#page-marking")
    bottom = page.locator("#page-marking-bottom")
    expect(top).to_contain_text("Highest marking on view: NATO ")
    expect(bottom).to_have_text(top.text_content() or "")
    assert bottom.get_attribute("class") == top.get_attribute("class")
    # Top and bottom of the page, both on screen.
    top_box, bottom_box = top.bounding_box(), bottom.bounding_box()
    assert top_box and bottom_box
    assert top_box["y"] == 0
    assert bottom_box["y"] + bottom_box["height"] == pytest.approx(900, abs=1)

    lon, lat = violation["geometry"]["coordinates"]
    click_on_map(page, lon, lat)
    popup = page.locator(".maplibregl-popup .popup-violation").first
    expect(popup).to_be_visible()
    expect(popup.get_by_role("button", name="Confirm")).to_have_count(0)
    expect(popup.get_by_role("button", name="Dismiss")).to_have_count(0)

    assert watch.console_errors == []
    assert watch.foreign_requests == []
