"""Browser tests of how a new map is first drawn: once, whole, with the window's data (issue 6:
first meaningful paint), and never left blank when the window cannot load."""

from __future__ import annotations

from playwright.sync_api import Page, Route
from tests.conftest import LiveServer
from tests.web.test_map_page import (  # noqa: F401 - fixtures used by name
    DAY,
    READY_TIMEOUT_MS,
    WATCHKEEPER,
    Watch,
    browser,
    log_in,
    open_logged_in,
    open_page,
    watched_page,
)

# Runs before the page's scripts: counts the WebGL draw calls and notes, at the first one, what
# the map had loaded by then.
DRAW_PROBE = """
(() => {
  window.__draws = 0;
  const sources = [
    "zones", "places", "reports", "events", "units", "violations", "tracks", "patrols",
  ];
  for (const proto of [WebGLRenderingContext.prototype, WebGL2RenderingContext.prototype]) {
    for (const name of ["drawElements", "drawArrays"]) {
      const draw = proto[name];
      proto[name] = function (...args) {
        if (window.__draws++ === 0) {
          const map = window.peacewatch && window.peacewatch.map;
          window.__firstDraw = {
            loaded: sources.filter(s => map && map.getSource(s) && map.isSourceLoaded(s)),
            reports: window.peacewatch ? window.peacewatch.counts.reports : -1,
          };
        }
        return draw.apply(this, args);
      };
    }
  }
})();
"""
SOURCES = ["events", "patrols", "places", "reports", "tracks", "units", "violations", "zones"]


def test_the_map_is_first_drawn_whole_with_the_windows_data(
    watched_page: tuple[Page, Watch],  # noqa: F811 - the fixture imported above
    live_server: LiveServer,
) -> None:
    page, watch = watched_page
    page.add_init_script(DRAW_PROBE)
    open_logged_in(page, live_server, WATCHKEEPER, DAY)

    first = page.evaluate("window.__firstDraw")
    assert first is not None, "the map drew nothing"
    # Nothing was drawn before every operational source had the window's data: no partial frames.
    assert sorted(first["loaded"]) == SOURCES, first
    reports = page.evaluate("window.peacewatch.counts.reports")
    assert reports >= 1
    assert first["reports"] == reports, first
    assert watch.console_errors == []

    # Later windows draw as they load, as before: the hold is for a new map only.
    before = page.evaluate("window.__draws")
    page.click("#next-day")
    page.wait_for_function("n => window.__draws > n", arg=before, timeout=READY_TIMEOUT_MS)


def test_a_window_that_cannot_load_still_leaves_the_basemap_drawn(
    watched_page: tuple[Page, Watch],  # noqa: F811 - the fixture imported above
    live_server: LiveServer,
) -> None:
    page, _ = watched_page
    page.add_init_script(DRAW_PROBE)

    def refuse(route: Route) -> None:
        route.fulfill(status=503, content_type="application/json", body='{"detail": "down"}')

    page.route("**/api/v1/reports?*", refuse)
    page.goto(f"/?day={DAY}")
    log_in(page, WATCHKEEPER, live_server.users[WATCHKEEPER])
    page.wait_for_function('document.body.dataset.ready === "error"', timeout=READY_TIMEOUT_MS)
    # The failure releases the hold: the map draws what it has (basemap, zones, towns) at once,
    # well before the hold's own time limit.
    page.wait_for_function("window.__draws > 0", timeout=5_000)
    assert page.evaluate("window.__firstDraw.reports") == 0


def test_the_first_frame_builds_one_shader_program_per_layer_type(
    watched_page: tuple[Page, Watch],  # noqa: F811 - the fixture imported above
    live_server: LiveServer,
) -> None:
    """Each program variant the first frame needs costs 100-300 ms with software WebGL: zones
    with constant paint, circles written alike, events as plain icons (web/src/programs.ts)."""
    page, watch = watched_page
    open_logged_in(page, live_server, WATCHKEEPER, DAY)
    assert page.evaluate("window.peacewatch.counts.reports") >= 1
    # MapLibre's cache of built programs: "type/binding of each paint property/projection/".
    built = page.evaluate("Object.keys(window.peacewatch.map.painter.programCache.programs)")
    by_type: dict[str, list[str]] = {}
    for key in built:
        by_type.setdefault(key.split("/")[0], []).append(key)
    # What the picture needs was drawn: fills, hatching, lines, labels, circles, symbols.
    assert {"fill", "fillPattern", "lineSDF", "symbolSDF", "circle", "symbolIcon"} <= set(
        by_type
    ), built
    assert {t: keys for t, keys in by_type.items() if len(keys) > 1} == {}
    # No antialiasing passes of fills, and solid lines drawn as one long dash: no programs of
    # their own.
    assert not any(t.startswith("fillOutline") or t == "line" for t in by_type), built
    assert watch.console_errors == []
