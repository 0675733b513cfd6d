"""Browser test of Operations → Weapons and Operations → Trafficking: the campaign progress
bars, duplicate-serial flags and an item's chain of custody, then the seizures, the routes
(growing ones highlighted) and the route network on the map — each exactly what the API
returns to the page's user; a partner sees less. Screenshots are saved as artifacts."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import Page, expect
from tests.conftest import LiveServer
from tests.web.test_map_page import (  # noqa: F401 - fixtures used by name
    ARTIFACTS,
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
