"""Browser tests of the map page: Playwright (sync API) driving Debian's Chromium headless.

The page is served by a real PeaceWatch server (the `live_server` fixture from
tests/conftest.py, with the small Kosovo scenario loaded and two accounts made with
`peacewatch users add`) from the static build of web/ (`cd web && npm ci && npm run build`).
Every test logs in through the page's form, as a user would, in a fresh browser context.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    expect,
    sync_playwright,
)
from tests.conftest import LiveServer

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
WATCHKEEPER = "gbr.watch"  # GBR, NATO SECRET, NATO + KFOR
PARTNER = "ukr.liaison"  # UKR, NATO RESTRICTED, PARTNER only
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
    # The one failed call: the next day's reports, answered 401.
    assert len(watch.console_errors) == 1, watch.console_errors
    assert watch.console_errors[0].startswith(f"{FAILED_401} [{live_server}/api/v1/reports?")

    log_in(page, WATCHKEEPER, live_server.users[WATCHKEEPER])
    wait_ready(page, NEXT_DAY)
    assert page.evaluate("window.peacewatch.user.username") == WATCHKEEPER
    assert panel_count(page, "reports") == api_report_count(page, NEXT_DAY, "1999-06-17")
    assert len(watch.console_errors) == 1, watch.console_errors
    assert watch.foreign_requests == []
