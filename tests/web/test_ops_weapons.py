"""Browser test of Operations → Weapons and Operations → Trafficking: the campaign progress
bars, duplicate-serial flags and an item's chain of custody, then the seizures, the routes
(growing ones highlighted) and the route network on the map — each exactly what the API
returns to the page's user; a partner sees less. A seizure shows the field reports it cites,
each opening on the map or in place, and a report's popup lists what cites it. Screenshots are
saved as artifacts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.conftest import LiveServer
from tests.web.test_map_page import (  # noqa: F401 - fixtures used by name
    ARTIFACTS,
    PARTNER,
    READY_TIMEOUT_MS,
    WATCHKEEPER,
    OpenPage,
    Watch,
    browser,
    click_on_map,
    open_logged_in,
    open_page,
    watched_page,
)

pytestmark = pytest.mark.browser

DAY = "2000-06-11"  # the scenario's last day: two smuggling routes surged in its last month


def api(page: Page, path: str, query: dict[str, str] | None = None) -> dict[str, Any]:
    """A route as the page's user gets it (the request carries the session cookie)."""
    res = page.request.get(f"/api/v1/{path}", params=query or {})
    assert res.ok, res.text()
    body: dict[str, Any] = res.json()
    return body


def open_tab(page: Page, name: str, view: str) -> dict[str, str]:
    """Open Operations → ``name`` and wait until ``#ops-<view>`` has drawn; its query."""
    operations = page.get_by_role("button", name="Operations", exact=True)
    if operations.get_attribute("aria-pressed") != "true":
        operations.click()
    page.get_by_role("tab", name=name).click()
    expect(page.locator(f"#ops-{view}")).to_be_visible()
    return wait_view(page, view)


def wait_view(page: Page, view: str) -> dict[str, str]:
    page.wait_for_function(
        """id => ["true", "error"].includes(document.getElementById(id).dataset.ready)""",
        arg=f"ops-{view}",
        timeout=READY_TIMEOUT_MS,
    )
    assert page.get_attribute(f"#ops-{view}", "data-ready") == "true", page.inner_text(
        f"#ops-{view}"
    )
    return dict(parse_qsl(page.get_attribute(f"#ops-{view}", "data-query") or ""))


def check_weapons(page: Page, query: dict[str, str]) -> dict[str, Any]:
    """Bars, duplicate flags and the custody chain are what the API returns."""
    progress = api(page, "weapons/progress", query)
    shown = page.evaluate(
        """() => [...document.querySelectorAll("#weapons-progress [data-campaign]")].map(c => [
            c.dataset.campaign,
            [...c.querySelectorAll(".pw-target")].map(t => [
                t.dataset.category, t.dataset.place, Number(t.dataset.collected),
                Number(t.dataset.target)]),
        ])"""
    )
    assert shown == [
        [c["code"], [[t["category"], t["place"] or "", t["collected"], t["target"]]
                     for t in c["targets"]]]
        for c in progress["campaigns"]
    ]  # fmt: skip
    dupes = api(page, "weapons/items", {"duplicates": "true", "limit": "200"})["items"]
    rows = page.locator("#weapons-duplicates-table tbody tr")
    assert rows.count() == len(dupes)
    assert [rows.nth(i).get_attribute("data-item") for i in range(rows.count())] == [
        d["id"] for d in dupes
    ]
    return {"progress": progress, "duplicates": dupes}


def check_custody(page: Page, uid: str) -> None:
    page.wait_for_function(
        """uid => document.getElementById("ops-weapons").dataset.item === uid""",
        arg=uid,
        timeout=READY_TIMEOUT_MS,
    )
    item = api(page, f"weapons/items/{uid}")
    steps = page.locator("#weapons-custody-chain li")
    assert [steps.nth(i).get_attribute("data-state") for i in range(steps.count())] == [
        c["state"] for c in item["custody"]
    ]
    assert item["custody"][0]["state"] == "collected"


def check_trafficking(page: Page, query: dict[str, str]) -> dict[str, Any]:
    """Routes (growing highlighted), hotspots, seizures and the map are what the API returns."""
    network = api(page, "trafficking/routes", query)
    view = page.locator("#ops-trafficking")
    assert view.get_attribute("data-growing") == json.dumps(
        network["growing"], ensure_ascii=False, separators=(",", ":")
    )
    rows = page.locator("#trafficking-routes tbody tr")
    assert [rows.nth(i).get_attribute("data-route") for i in range(rows.count())] == [
        r["id"] for r in network["routes"]
    ]
    grew = page.locator("#trafficking-routes tbody tr.pw-grew")
    assert [grew.nth(i).get_attribute("data-route") for i in range(grew.count())] == network[
        "growing"
    ]
    hot = page.locator("#trafficking-hotspot-list li")
    assert [hot.nth(i).get_attribute("data-crossing") for i in range(hot.count())] == [
        h["id"] for h in network["hotspots"][:8]
    ]
    recent = dict(parse_qsl(view.get_attribute("data-seizures-query") or ""))
    seizures = api(page, "seizures", recent)["features"]
    shown = page.locator("#trafficking-seizures-table tbody tr")
    assert shown.count() == len(seizures)
    assert shown.first.get_attribute("data-seizure") == seizures[-1]["id"]  # newest first
    placed = {n["id"] for n in network["nodes"] if n["coordinates"]}
    drawable = [e for e in network["edges"] if e["source"] in placed and e["target"] in placed]
    assert view.get_attribute("data-edges") == str(len(drawable))
    on_map = page.evaluate(
        """() => ["ops-trafficking-edges-line", "ops-trafficking-edges-chain",
                  "ops-trafficking-nodes-circle"].map(
            id => window.peacewatch.map.getLayer(id) !== undefined)"""
    )
    assert on_map == [True, True, True]
    return network


def test_weapons_and_trafficking_views_show_what_the_api_returns(
    watched_page: tuple[Page, Watch],  # noqa: F811 - the fixture imported above
    open_page: OpenPage,  # noqa: F811
    live_server: LiveServer,
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)
    query = open_tab(page, "Weapons", "weapons")
    assert query == {"mission": "KFOR"} and "ops=weapons" in page.url
    body = check_weapons(page, query)
    harvest = next(c for c in body["progress"]["campaigns"] if c["code"] == "ESSENTIAL-HARVEST")
    assert harvest["targets"][0]["collected"] == 3875 and harvest["targets"][0]["target"] == 3300
    expect(page.locator('[data-campaign="ESSENTIAL-HARVEST"] .pw-target.pw-met')).to_have_count(1)
    assert len(body["duplicates"]) >= 2
    check_custody(page, body["duplicates"][0]["id"])
    page.locator("#weapons-duplicates-table tbody tr").nth(1).click()
    check_custody(page, body["duplicates"][1]["id"])
    layer = "window.peacewatch.map.getLayer('ops-weapons-points-circle') !== undefined"
    assert page.evaluate(f"() => {layer}") is True
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ops-weapons.png"))

    query = open_tab(page, "Trafficking", "trafficking")
    assert query["at"].startswith("2000-06-12T00:00:00") and query["mission"] == "KFOR"
    network = check_trafficking(page, query)
    assert "Bajram Curri → Qafa e Prushit → Gjakova" in network["growing"]
    expect(page.locator("#trafficking-routes tr.pw-grew").first).to_be_visible()
    # The banners count the view's labels too.
    levels = ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"]
    banner = page.inner_text("#page-marking").upper().split()
    assert max(levels.index(w) for w in banner if w in levels) >= levels.index("CONFIDENTIAL")
    page.screenshot(path=str(ARTIFACTS / "ops-trafficking.png"))
    assert watch.console_errors == []
    assert watch.foreign_requests == []

    # A partner sees only what is released to partners: fewer seizures, the same checks hold.
    partner, partner_watch = open_page()
    open_logged_in(partner, live_server, PARTNER, DAY)
    check_weapons(partner, open_tab(partner, "Weapons", "weapons"))
    theirs = check_trafficking(partner, open_tab(partner, "Trafficking", "trafficking"))
    total = sum(r["seizures"] for r in network["routes"])
    assert 0 < sum(r["seizures"] for r in theirs["routes"]) < total
    assert partner_watch.console_errors == []


ANALYST = "gbr.analyst"  # GBR, NATO SECRET, NATO + KFOR: an analyst may write seizures
MAP_DAY = "1999-06-15"
EARLIER_DAY = "1999-06-12"  # a report of a day the map is not showing
RELEASABLE = "NATO RESTRICTED REL TO KFOR, NATO"


def dtg(iso: str) -> str:
    """The page's DTG (web/src/dtg.ts) of an RFC 3339 time."""
    t = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC)
    return t.strftime("%d%H%MZ%b%y").upper()


def uncited_reports(page: Page, day: str) -> list[dict[str, Any]]:
    """The mission's reports of ``day`` that nothing cites, as the page's user gets them,
    titled ones first."""
    start = datetime.fromisoformat(f"{day}T00:00:00+00:00")
    query = {"mission": "KFOR", "limit": "200", "start": f"{day}T00:00:00Z"}
    query["end"] = (start + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    found: list[dict[str, Any]] = [
        r for r in api(page, "reports", query)["features"]
        if not api(page, f"reports/{r['id']}/cited-by")["items"]
    ]  # fmt: skip
    assert found, f"no report on {day} that nothing cites"
    return sorted(found, key=lambda f: not f["properties"]["title"])


def record(launched: Browser, server: LiveServer, user: str, path: str, body: Any) -> Any:
    """POST ``body`` to ``path`` as ``user``, logged in through the API in a context of its own
    (the page's session has no part in it); the created records."""
    other = launched.new_context(base_url=server)
    try:
        login = other.request.post(
            "/api/v1/auth/login", data={"username": user, "password": server.users[user]}
        )
        assert login.ok, login.text()
        res = other.request.post(
            path, headers={"X-CSRF-Token": login.json()["csrf_token"]}, data=body
        )
        assert res.status == 201, res.text()
        return res.json()
    finally:
        other.close()


def test_seizures_and_items_show_the_reports_they_cite_and_their_popups_list_them(
    watched_page: tuple[Page, Watch],  # noqa: F811 - the fixture imported above
    live_server: LiveServer,
    browser: Browser,  # noqa: F811
) -> None:
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, MAP_DAY)
    on_map, uncited = uncited_reports(page, MAP_DAY)[:2]
    off_map = uncited_reports(page, EARLIER_DAY)[0]
    cites = [on_map["id"], off_map["id"]]
    lon, lat = on_map["geometry"]["coordinates"]
    seizure = record(
        browser, live_server, ANALYST, "/api/v1/seizures",
        {"mission": "KFOR", "seized_at": f"{MAP_DAY}T10:00:00Z", "category": "arms",
         "quantity": 3, "unit": "items", "place": "Citation test checkpoint",
         "crossing": "Citation test crossing", "lon": lon, "lat": lat, "label": RELEASABLE,
         "reports": cites},
    )["features"][0]  # fmt: skip
    assert [r["id"] for r in seizure["properties"]["reports"]] == cites
    # An item handed in with the serial of one seen before (so that the view lists it) citing
    # the report on the map, in a campaign whose figures no other test counts.
    seen = next(
        i for i in api(page, "weapons/items", {"duplicates": "true", "limit": "200"})["items"]
        if i["campaign"] == "KFOR-DEMIL-1999"
    )  # fmt: skip
    item = record(
        browser, live_server, WATCHKEEPER, "/api/v1/weapons/items",
        {"campaign": seen["campaign"], "category": seen["category"], "serial": seen["serial"],
         "collected_at": "1999-09-10T10:00:00Z", "received_by": "Citation test",
         "label": RELEASABLE, "reports": cites[:1]},
    )["items"][0]  # fmt: skip
    assert item["duplicate"] is True and [r["id"] for r in item["reports"]] == cites[:1]

    # The item's details say which report it was filed from; it opens on the map, and the
    # report's popup lists the item (and the seizure) citing it.
    open_tab(page, "Weapons", "weapons")
    page.locator(f'#weapons-duplicates-table tr[data-item="{item["id"]}"]').click()
    check_custody(page, item["id"])
    filed = page.locator("#weapons-item-reports .pw-cited-list li")
    expect(filed).to_have_count(1)
    assert filed.get_attribute("data-report") == on_map["id"]
    expect(filed).to_contain_text(dtg(on_map["properties"]["observed_at"]))
    expect(filed).to_contain_text(on_map["properties"]["label"])
    filed.locator("button").click()
    popup = page.locator(f'.maplibregl-popup .popup-report[data-id="{on_map["id"]}"]')
    expect(popup).to_be_visible()
    citing = popup.locator(".cited-by li")
    expect(citing).to_have_count(2)
    assert [citing.nth(i).get_attribute("data-id") for i in range(2)] == [
        seizure["id"],
        item["id"],
    ]  # oldest first
    expect(citing.nth(1)).to_contain_text("Handed in: small arms (KFOR-DEMIL-1999)")

    # The seizure's row lists both reports as the watchkeeper may see them, in citing order.
    open_tab(page, "Trafficking", "trafficking")
    row = page.locator(f'#trafficking-seizures-table tr[data-seizure="{seizure["id"]}"]')
    cited = row.locator(".pw-cited-list li")
    expect(cited).to_have_count(2)
    assert [cited.nth(i).get_attribute("data-report") for i in range(2)] == cites
    for i, r in enumerate((on_map, off_map)):
        p = r["properties"]
        expect(cited.nth(i)).to_contain_text(dtg(p["observed_at"]))
        expect(cited.nth(i)).to_contain_text(p["label"])
        if p["title"]:
            expect(cited.nth(i).locator("button")).to_have_text(p["title"])

    # A report of another day is not on the map: its details open in place, and they list
    # the seizure citing it.
    page.locator(".maplibregl-popup-close-button").click()
    expect(page.locator(".maplibregl-popup")).to_have_count(0)
    cited.nth(1).locator("button").click()
    here = row.locator(f'.pw-cited-detail .popup-report[data-id="{off_map["id"]}"]')
    expect(here).to_be_visible()
    expect(here.locator(f'.cited-by li[data-id="{seizure["id"]}"]')).to_contain_text("Seizure")
    expect(page.locator(".maplibregl-popup")).to_have_count(0)

    # A report on the map: the map flies to it, clear of the panel, and opens its popup, whose
    # "Cited by" lists the seizure with its label; the details shown in place are put away.
    cited.nth(0).locator("button").click()
    popup = page.locator(f'.maplibregl-popup .popup-report[data-id="{on_map["id"]}"]')
    expect(popup).to_be_visible()
    expect(row.locator(".pw-cited-detail .popup-report")).to_have_count(0)
    entry = popup.locator(f'.cited-by li[data-id="{seizure["id"]}"]')
    expect(entry).to_contain_text("Seizure: 3 items arms at Citation test checkpoint")
    expect(entry).to_contain_text(RELEASABLE)
    expect(entry).to_contain_text(dtg(seizure["properties"]["seized_at"]))
    page.wait_for_function("() => !window.peacewatch.map.isMoving()", timeout=READY_TIMEOUT_MS)
    x, y = page.evaluate(
        """([lon, lat]) => {
            const map = window.peacewatch.map;
            const p = map.project([lon, lat]);
            const r = map.getCanvas().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }""",
        on_map["geometry"]["coordinates"],
    )
    panel = page.locator("#ops").bounding_box()
    canvas = page.locator(".maplibregl-canvas").bounding_box()
    assert panel is not None and canvas is not None
    assert panel["x"] + panel["width"] < x < canvas["x"] + canvas["width"]
    assert canvas["y"] < y < canvas["y"] + canvas["height"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ops-trafficking-citations.png"))

    # A report nothing cites, clicked on the map: its popup asked and shows no "Cited by".
    page.get_by_role("button", name="Close operations").click()
    expect(page.locator("#ops")).to_be_hidden()
    lon, lat = uncited["geometry"]["coordinates"]
    page.evaluate(
        """([lon, lat]) => new Promise(done => {
            const map = window.peacewatch.map;
            map.once("idle", done);
            map.jumpTo({ center: [lon, lat], zoom: 14 });
        })""",
        [lon, lat],
    )
    click_on_map(page, lon, lat)
    box = page.locator(f'.maplibregl-popup .popup-report[data-id="{uncited["id"]}"] .cited-by')
    expect(box).to_have_attribute("data-loaded", "true")
    expect(box).to_be_hidden()
    assert watch.console_errors == []
    assert watch.foreign_requests == []
