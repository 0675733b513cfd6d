"""Browser tests of the operating picture's tools: filters and layer switches kept in the URL,
fused events and tracks drawn from the API, an analyst's merge from the panel, unit positions
arriving on the live feed, and live mode across a server restart."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Browser, Page, expect
from tests.conftest import LiveServer, ServerProcess, prepare_server, run_cli
from tests.web.test_map_page import (  # noqa: F401 - fixtures used by name
    ARTIFACTS,
    DAY,
    NEXT_DAY,
    READY_TIMEOUT_MS,
    WATCHKEEPER,
    Watch,
    browser,
    click_on_map,
    log_in,
    open_logged_in,
    open_page,
    panel_count,
    source_ids,
    wait_ready,
    watched_page,
)

ANALYST = "gbr.analyst"
MOVE = {"lon": 21.3, "lat": 42.4, "label": "NATO RESTRICTED REL TO KFOR, NATO"}
WINDOW = {"start": f"{DAY}T00:00:00Z", "end": f"{NEXT_DAY}T00:00:00Z", "mission": "KFOR"}


def api_features(page: Page, path: str, **params: str) -> list[dict[str, Any]]:
    """Every feature of a list route for the page's user, following next_cursor."""
    query: dict[str, str | float | bool] = {**WINDOW, "limit": "1000", **params}
    out: list[dict[str, Any]] = []
    for _ in range(50):
        res = page.request.get(path, params=query)
        assert res.ok, res.text()
        body: dict[str, Any] = res.json()
        out += body["features"]
        if not body.get("next_cursor"):
            return out
        query["cursor"] = body["next_cursor"]
    raise AssertionError(f"too many pages of {path}")


def wait_count(page: Page, what: str, n: int) -> None:
    page.wait_for_function(
        "([what, n]) => document.body.dataset.ready === 'true'"
        " && window.peacewatch.counts[what] === n",
        arg=[what, n],
        timeout=READY_TIMEOUT_MS,
    )


def url_params(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_filters_are_applied_by_the_server_and_kept_in_the_url(
    watched_page: tuple[Page, Watch],  # noqa: F811 - the fixture imported above
    live_server: LiveServer,
    open_page: Any,  # noqa: F811
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)
    everything = api_features(page, "/api/v1/reports")
    assert panel_count(page, "reports") == len(everything) > 0

    # Kind: the commonest kind of the day, counted by the API with the same filter.
    by_kind: dict[str, int] = page.evaluate("window.peacewatch.reportsByKind")
    kind = max(by_kind, key=lambda k: by_kind[k])
    page.get_by_label("Kind", exact=True).first.select_option(kind)
    expected = len(api_features(page, "/api/v1/reports", kind=kind))
    assert 0 < expected < len(everything)
    wait_count(page, "reports", expected)
    assert url_params(page)["kind"] == [kind]
    assert set(source_ids(page, "reports")) == {
        f["id"] for f in api_features(page, "/api/v1/reports", kind=kind)
    }

    # Free text on top: a word of one report's title.
    word = next(
        w for f in everything if f["properties"]["kind"] == kind
        for w in f["properties"]["title"].split() if len(w) > 4
    )  # fmt: skip
    page.get_by_role("searchbox", name="Search reports").fill(word)
    expected_q = len(api_features(page, "/api/v1/reports", kind=kind, q=word))
    assert expected_q >= 1
    page.wait_for_function("() => new URL(location.href).searchParams.has('q')")
    wait_count(page, "reports", expected_q)
    assert url_params(page)["q"] == [word]
    expect(page.locator("#status")).to_contain_text("Filtered:")

    # The address is the view: another browser context opened on it shows the same.
    other, other_watch = open_page()
    other.goto(page.url)
    form = other.get_by_role("form", name="Log in")
    form.get_by_label("User name").fill(WATCHKEEPER)
    form.get_by_label("Password").fill(live_server.users[WATCHKEEPER])
    form.get_by_role("button", name="Log in", exact=True).click()
    wait_ready(other, DAY)
    assert panel_count(other, "reports") == expected_q
    expect(other.locator("#filter-kind")).to_have_value(kind)
    expect(other.get_by_role("searchbox", name="Search reports")).to_have_value(word)

    # Grade and label filters, then clearing them all.
    page.get_by_role("button", name="Clear filters").click()
    wait_count(page, "reports", len(everything))
    assert "kind" not in url_params(page) and "q" not in url_params(page)
    page.get_by_label("Source grade").select_option("A,B")
    wait_count(page, "reports", len(api_features(page, "/api/v1/reports", grade="A,B")))
    page.get_by_label("Label", exact=True).first.select_option("NATO UNCLASSIFIED")
    both = api_features(page, "/api/v1/reports", grade="A,B", classification="NATO UNCLASSIFIED")
    wait_count(page, "reports", len(both))
    assert url_params(page)["cls"] == ["NATO UNCLASSIFIED"]
    for f in both:
        assert f["properties"]["label"].startswith("NATO UNCLASSIFIED")
        assert f["properties"]["grade"][0] in "AB"

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "filters.png"))
    assert watch.console_errors == [] and other_watch.console_errors == []
    assert watch.foreign_requests == [] and other_watch.foreign_requests == []


def test_layers_switch_and_events_and_tracks_come_from_the_api(
    watched_page: tuple[Page, Watch],  # noqa: F811 - the fixture imported above
    live_server: LiveServer,
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)
    events = api_features(page, "/api/v1/events")
    tracks = page.request.get("/api/v1/tracks", params=WINDOW).json()["features"]
    patrols = page.request.get("/api/v1/patrols", params=WINDOW).json()["features"]
    assert events and (tracks or patrols)
    counts = page.evaluate("window.peacewatch.counts")
    assert counts["events"] == len(events) == panel_count(page, "events")
    assert counts["tracks"] == len(tracks) + len(patrols) == panel_count(page, "tracks")
    assert set(source_ids(page, "events")) == {f["id"] for f in events}

    visibility = """layer => window.peacewatch.map.getLayoutProperty(layer, "visibility")
                              ?? "visible" """
    assert page.evaluate(visibility, "events-diamond") == "visible"
    page.get_by_role("checkbox", name="Events (fused)").uncheck()
    assert page.evaluate(visibility, "events-diamond") == "none"
    page.get_by_role("checkbox", name="Unit and patrol tracks").uncheck()
    assert page.evaluate(visibility, "tracks-line") == "none"
    assert url_params(page)["hide"] == ["events,tracks"]
    # Switched off is still loaded: the counts stay, and a reload keeps the switches.
    page.reload()
    wait_ready(page, DAY)
    assert page.evaluate(visibility, "events-diamond") == "none"
    assert page.evaluate(visibility, "tracks-line") == "none"
    assert page.evaluate(visibility, "reports-circle") == "visible"
    expect(page.get_by_role("checkbox", name="Events (fused)")).not_to_be_checked()
    page.get_by_role("checkbox", name="Events (fused)").check()
    assert page.evaluate(visibility, "events-diamond") == "visible"
    assert url_params(page)["hide"] == ["tracks"]
    assert watch.console_errors == []
    assert watch.foreign_requests == []


def test_an_analyst_merges_two_events_from_the_panel(
    watched_page: tuple[Page, Watch],  # noqa: F811 - the fixture imported above
    live_server: LiveServer,
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, ANALYST, DAY)
    events = api_features(page, "/api/v1/events")
    # Two events apart enough to click each on its own.
    first = events[0]
    second = next(
        e for e in events[1:]
        if abs(e["geometry"]["coordinates"][0] - first["geometry"]["coordinates"][0]) > 0.05
    )  # fmt: skip
    before = page.evaluate("window.peacewatch.counts.events")
    page.get_by_role("checkbox", name="Reports").uncheck()  # nothing over the diamonds
    for event in (first, second):
        lon, lat = event["geometry"]["coordinates"]
        page.evaluate(
            """([lon, lat]) => new Promise(done => {
                const map = window.peacewatch.map;
                map.once("idle", done);
                map.jumpTo({ center: [lon, lat], zoom: 13 });
            })""",
            [lon, lat],
        )
        click_on_map(page, lon, lat)
        box = page.locator(f".maplibregl-popup .popup-event[data-id='{event['id']}']")
        expect(box).to_be_visible()
        expect(box).to_contain_text(event["properties"]["label"])
        box.locator("summary", has_text="Reports of this event").click()
        expect(box.locator(".event-reports li")).to_have_count(event["properties"]["report_count"])
        box.get_by_role("button", name="Select for merging").click()
        expect(box.get_by_role("button", name="Selected for merging ✓")).to_be_visible()

    tray = page.locator("#merge-panel")
    expect(tray).to_be_visible()
    expect(tray.locator("#merge-list li")).to_have_count(2)
    tray.get_by_role("button", name="Merge into one event").click()
    expect(tray.locator("#merge-message")).to_have_text("Give a reason for the merge.")
    tray.get_by_label("Reason").fill("same incident, two patrols")
    tray.get_by_role("button", name="Merge into one event").click()
    total = first["properties"]["report_count"] + second["properties"]["report_count"]
    wait_count(page, "events", before - 1)
    ids = set(source_ids(page, "events"))
    kept = first["id"] if first["id"] in ids else second["id"]
    assert {first["id"], second["id"]} & ids == {kept}
    stored = page.request.get(f"/api/v1/events/{kept}").json()
    assert stored["properties"]["report_count"] == total
    expect(tray).to_be_hidden()
    expect(page.locator("#status")).to_contain_text("Events merged")
    assert watch.console_errors == []
    assert watch.foreign_requests == []


def test_unit_positions_on_the_live_feed_move_units_and_grow_tracks(
    watched_page: tuple[Page, Watch],  # noqa: F811 - the fixture imported above
    live_server: LiveServer,
    browser: Browser,  # noqa: F811
) -> None:
    page, watch = watched_page
    day = "1999-07-01"
    open_logged_in(page, live_server, WATCHKEEPER, day)
    page.wait_for_function("window.peacewatch.feed === 'open'", timeout=READY_TIMEOUT_MS)
    unit = page.evaluate(
        """async () => (await window.peacewatch.map.getSource("units").getData()).features
                 .find(f => f.geometry)"""
    )
    uid = unit["properties"]["id"]
    tracks_before = page.evaluate("window.peacewatch.counts.tracks")
    other = browser.new_context(base_url=live_server)
    try:
        api = other.request
        login = api.post(
            "/api/v1/auth/login",
            data={"username": WATCHKEEPER, "password": live_server.users[WATCHKEEPER]},
        )
        assert login.ok, login.text()
        csrf = login.json()["csrf_token"]
        moved = api.post(
            f"/api/v1/units/{uid}/positions",
            data=[MOVE | {"observed_at": f"{day}T23:30:00Z"}],
            headers={"X-CSRF-Token": csrf},
        )
        assert moved.status == 201, moved.text()
    finally:
        other.close()
    # Without reloading: the symbol moves to the new position and its track takes it.
    page.wait_for_function(
        """uid => window.peacewatch.map.getSource("units").getData().then(d => {
               const f = d.features.find(u => u.properties.id === uid);
               return f && f.geometry.coordinates[0] === 21.3 && f.geometry.coordinates[1] === 42.4;
           })""",
        arg=uid,
        timeout=10_000,
    )
    grown = page.evaluate(
        """async uid => (await window.peacewatch.map.getSource("tracks").getData()).features
                 .filter(f => f.properties.unit === uid)
                 .some(f => JSON.stringify(f.geometry.coordinates).includes("[21.3,42.4]"))""",
        uid,
    )
    assert grown
    assert page.evaluate("window.peacewatch.counts.tracks") >= tracks_before
    assert watch.console_errors == []
    assert watch.foreign_requests == []


def test_live_mode_survives_a_server_restart_without_losing_reports(
    browser: Browser,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    # A server of its own, to stop and start again on the same port and database.
    env, passwords = prepare_server(tmp_path / "restart.db")
    server = ServerProcess(env, tmp_path / "server.log")
    server.start()
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=server.url)
    try:
        page = context.new_page()
        watch = Watch()
        page.on("pageerror", watch.on_page_error)
        page.on("request", watch.on_request)
        page.goto("/?live=1")
        log_in(page, WATCHKEEPER, passwords[WATCHKEEPER])
        page.wait_for_function(
            "() => document.body.dataset.ready === 'true' && window.peacewatch.feed === 'open'",
            timeout=READY_TIMEOUT_MS,
        )
        page.evaluate("window.sameDocument = true")
        before = page.evaluate("window.peacewatch.counts.reports")

        server.stop()
        page.wait_for_function("window.peacewatch.feed !== 'open'", timeout=30_000)
        # Filed while the server is down (straight into the database): the page must get it
        # when its feed resumes from the last event id it saw.
        now = datetime.now(UTC).replace(microsecond=0)
        missed = live_report(now - timedelta(minutes=2), "Filed while the server was down")
        path = tmp_path / "missed.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [missed]}))
        run_cli(["ingest", str(path), "--as", "usa.patrol"], env)
        server.start()
        page.wait_for_function("window.peacewatch.feed === 'open'", timeout=30_000)
        # And one filed after the restart, through the API.
        other = browser.new_context(base_url=server.url)
        try:
            login = other.request.post(
                "/api/v1/auth/login",
                data={"username": "usa.patrol", "password": passwords["usa.patrol"]},
            )
            assert login.ok, login.text()
            after = live_report(now - timedelta(minutes=1), "Filed after the restart")
            sent = other.request.post(
                "/api/v1/reports", data=after, headers={"X-CSRF-Token": login.json()["csrf_token"]}
            )
            assert sent.ok, sent.text()
        finally:
            other.close()
        page.wait_for_function(
            "n => window.peacewatch.counts.reports === n", arg=before + 2, timeout=30_000
        )
        ids = source_ids(page, "reports")
        assert ids.count(missed["id"]) == 1 and ids.count(after["id"]) == 1
        assert page.evaluate("window.sameDocument") is True  # no reload
        assert page.evaluate("window.peacewatch.user.username") == WATCHKEEPER
        assert watch.foreign_requests == []
        assert [e for e in watch.console_errors if e.startswith("uncaught")] == []
    finally:
        context.close()
        server.close()


def live_report(at: datetime, title: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": str(uuid.uuid4()),
        "geometry": {"type": "Point", "coordinates": [21.16, 42.66]},
        "properties": {
            "kind": "roadblock",
            "observed_at": at.isoformat().replace("+00:00", "Z"),
            "title": title,
            "mission": "KFOR",
            "label": "NATO RESTRICTED REL TO KFOR, NATO",
            "grade": "B2",
        },
    }
