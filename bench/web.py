"""Browser benchmark of the map page: first meaningful paint, frame times, live latency.

A real server (``peacewatch serve``) on a fresh SQLite store with the medium Kosovo scenario
(10^5 reports), driven by Playwright in Debian's Chromium, headless, WebGL in software
(SwiftShader: slower than any GPU, so these are upper bounds). Measured:

- First meaningful paint: from navigation (a reload with the session, after logging in
  through the page's form) until ``document.body.dataset.ready === "true"``, which the page
  sets once the map data is drawn; read in the page (``performance.now()`` is relative to
  the navigation), median of 9 loads (single loads spread by ±300 ms on 2 cores), each from
  a page at rest: half a second after the last one was ready, so that the previous page's
  work after its paint (the 1:50m basemap cut in its worker, a frame in flight) is not
  counted in the next load. On the same clock, where the time goes: the end of the last API
  response, and the first WebGL draw call (the page holds a new map's drawing
  until the window's data is loaded, so this is the first frame of the whole picture; the
  rest, to ready, is that frame being rendered in software).
- Frames: ``requestAnimationFrame`` timestamps in the page while ``window.peacewatch.map``
  is panned every frame, and while the day and the window are changed with the page's own
  controls (``#next-day``, ``#prev-day``, ``#window``); p50 / p95 frame time and frames
  over 50 ms ("dropped"). Panning is measured again with only the basemap's layers shown,
  and with only the background (an empty map: the renderer's floor on this machine).
- Live latency: another user, logged in through the API in another browser context, POSTs a
  report; the time from before the POST until the first frame in which the watchkeeper's page
  counts it (``window.peacewatch.counts.reports``), median of 10, on the same clock.

Targets of issue 6: first meaningful paint at most 2 s with the medium scenario, and a new
report on another user's screen within 1 s. Appended to BENCHMARKS.md by ``make bench``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
# As tests/web/test_map_page.py launches it: MapLibre needs WebGL, which headless Chromium
# without a GPU renders through ANGLE on SwiftShader only when told to.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
DAY = "1999-07-01"
READY_MS = 120_000
LOADS = 9
# Between a load's ready and the next reload (see the module's docstring).
SETTLE_MS = 500
LIVE_REPORTS = 10
PAN_FRAMES = 180
DROPPED_MS = 50.0
WATCHKEEPER = {
    "username": "bench.watch",
    "nation": "GBR",
    "clearance": "NATO SECRET",
    "roles": "watchkeeper",
    "communities": "NATO,KFOR",
}
PATROL = {
    "username": "bench.patrol",
    "nation": "USA",
    "clearance": "NATO RESTRICTED",
    "roles": "patrol_leader",
    "communities": "NATO,KFOR",
}

# Runs before the page's own scripts on every load: notes when the page first says it is
# ready, in the navigation's own clock. It observes the Document itself: at this point there
# is no <html> element yet.
READY_PROBE = """
new MutationObserver((_, observer) => {
  if (document.body && document.body.dataset.ready === "true" && window.__readyAt === undefined) {
    window.__readyAt = performance.now();
    observer.disconnect();
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-ready"] });
// The first WebGL draw call of the page: when the map starts drawing its first frame.
for (const proto of [WebGLRenderingContext.prototype, WebGL2RenderingContext.prototype]) {
  for (const name of ["drawElements", "drawArrays"]) {
    const draw = proto[name];
    proto[name] = function (...args) {
      window.__drawnAt ??= performance.now();
      return draw.apply(this, args);
    };
  }
}
"""
# The end of the last API response before the page said it was ready.
DATA_AT = """() => Math.max(0, ...performance.getEntriesByType("resource")
  .filter(e => e.name.includes("/api/v1/") && e.responseEnd <= window.__readyAt)
  .map(e => e.responseEnd))"""
# Shows only the layers whose ids are given (null: restores what was shown); returns the ids
# of the basemap's layers: the background first, those below the first operational layer
# ("zones-*") and the country names.
SHOW_ONLY = """keep => {
  const map = window.peacewatch.map;
  const layers = map.getStyle().layers;
  const shown = id => map.getLayoutProperty(id, "visibility") ?? "visible";
  window.__shown ??= Object.fromEntries(layers.map(l => [l.id, shown(l.id)]));
  for (const l of layers) {
    const v = keep === null ? window.__shown[l.id] : keep.includes(l.id) ? "visible" : "none";
    map.setLayoutProperty(l.id, "visibility", v);
  }
  if (keep === null) window.__shown = undefined;
  const firstOp = layers.findIndex(l => l.id.startsWith("zones"));
  return layers.filter((l, i) => i < firstOp || l.id.startsWith("country-")).map(l => l.id);
}"""

# Records requestAnimationFrame timestamps until stopped; optionally pans the map each frame.
FRAMES_START = """pan => {
  const rec = { stamps: [], running: true, step: 0 };
  window.__frames = rec;
  const map = window.peacewatch.map;
  const tick = t => {
    if (!rec.running) return;
    rec.stamps.push(t);
    if (pan) {
      // back and forth across the sector, 12 px a frame
      const dir = Math.floor(rec.step / 60) % 2 === 0 ? 1 : -1;
      map.panBy([12 * dir, 4 * dir], { animate: false });
      rec.step += 1;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""
FRAMES_STOP = """() => { window.__frames.running = false; return window.__frames.stamps; }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(args: list[str], env: dict[str, str], stdin: str | None = None) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "peacewatch.cli", *args],
        env=env,
        input=stdin,
        text=True,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"peacewatch {' '.join(args[:3])} failed: {done.stderr or done.stdout}")


def prepare(size: str) -> tuple[dict[str, str], dict[str, str]]:
    """A fresh SQLite store with the scenario and two accounts; the server's environment and
    the passwords."""
    db = ROOT / "var" / "bench" / f"web-{size}.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = {
        **os.environ,
        "PEACEWATCH_DATABASE_URL": f"sqlite:///{db}",
        "PEACEWATCH_PORT": str(_free_port()),
    }
    t = time.perf_counter()
    _cli(["scenario", "load", "--size", size], env)
    print(f"   scenario {size} loaded in {time.perf_counter() - t:.0f} s", flush=True)
    passwords = {}
    for account in (WATCHKEEPER, PATROL):
        password = secrets.token_urlsafe(18)
        _cli(
            ["users", "add", account["username"], "--nation", account["nation"],
             "--clearance", account["clearance"], "--roles", account["roles"],
             "--communities", account["communities"], "--password-stdin"],
            env,
            stdin=password + "\n",
        )  # fmt: skip
        passwords[account["username"]] = password
    return env, passwords


def serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``peacewatch serve`` and wait until it answers."""
    url = f"http://127.0.0.1:{env['PEACEWATCH_PORT']}"
    out = log.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "peacewatch.cli", "serve"], env=env, stdout=out, stderr=out
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.terminate()
            raise SystemExit(f"the server did not start: {log.read_text()[-2000:]}")
        time.sleep(0.2)


def wait_ready(page: Page) -> None:
    """Until the page has drawn its window (or failed, which stops the run)."""
    page.wait_for_function(
        """() => document.body.dataset.ready === "error"
                 || (document.body.dataset.ready === "true" && window.peacewatch?.ready)""",
        timeout=READY_MS,
    )
    if page.evaluate("document.body.dataset.ready") != "true":
        raise SystemExit(f"the page failed: {page.inner_text('#status')}")


def log_in(page: Page, username: str, password: str) -> None:
    """The page's login form, as a user fills it in."""
    form = page.get_by_role("form", name="Log in")
    form.get_by_label("User name").fill(username)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Log in", exact=True).click()


def first_paint(page: Page) -> tuple[list[float], list[float], list[float]]:
    """ms from navigation to ready, for LOADS reloads with the session; and to the first
    draw call and to the last API response, for the same loads."""
    ready, drawn, data = [], [], []
    for _ in range(LOADS):
        page.wait_for_timeout(SETTLE_MS)
        page.reload()
        wait_ready(page)
        page.wait_for_function("window.__readyAt !== undefined", timeout=READY_MS)
        ready.append(float(page.evaluate("window.__readyAt")))
        drawn.append(float(page.evaluate("window.__drawnAt ?? NaN")))
        data.append(float(page.evaluate(DATA_AT)))
    return ready, drawn, data


def frame_stats(stamps: list[float]) -> dict[str, float]:
    """p50 / p95 frame time (ms) and frames over DROPPED_MS from rAF timestamps."""
    deltas = sorted(b - a for a, b in pairwise(stamps))
    if not deltas:
        return {"frames": 0, "p50": float("nan"), "p95": float("nan"), "dropped": 0}
    return {
        "frames": len(deltas),
        "p50": statistics.median(deltas),
        "p95": deltas[max(0, int(len(deltas) * 0.95) - 1)],
        "dropped": sum(1 for d in deltas if d > DROPPED_MS),
    }


def panning(page: Page) -> dict[str, float]:
    """Frame times while the map is panned every frame."""
    page.evaluate(FRAMES_START, True)
    page.wait_for_function(
        "n => window.__frames.stamps.length >= n", arg=PAN_FRAMES, timeout=READY_MS
    )
    return frame_stats(page.evaluate(FRAMES_STOP))


def panning_floor(page: Page) -> tuple[dict[str, float], dict[str, float]]:
    """Panning with the basemap's layers only, and with the background only (the floor)."""
    basemap = page.evaluate(SHOW_ONLY, None)
    try:
        page.evaluate(SHOW_ONLY, basemap)
        base = panning(page)
        page.evaluate(SHOW_ONLY, basemap[:1])
        floor = panning(page)
    finally:
        page.evaluate(SHOW_ONLY, None)
    return base, floor


def changing_time(page: Page) -> tuple[dict[str, float], list[str]]:
    """Frame times while the day and the window change through the page's controls; which
    controls were there to use."""
    steps: list[tuple[str, str | None]] = [
        ("#next-day", None),
        ("#next-day", None),
        ("#prev-day", None),
        ("#window", "24h"),
        ("#window", "7d"),
        ("#window", "6h"),
        ("#window", "day"),
    ]
    used: list[str] = []
    page.evaluate(FRAMES_START, False)
    for selector, value in steps:
        control = page.locator(selector)
        if control.count() == 0 or not control.is_enabled():
            continue
        if value is None:
            control.click()
        else:
            options = control.locator("option").evaluate_all("os => os.map(o => o.value)")
            if value not in options:
                continue
            control.select_option(value)
        used.append(selector if value is None else f"{selector}={value}")
        page.wait_for_timeout(50)  # let the change start before waiting for ready
        wait_ready(page)
    return frame_stats(page.evaluate(FRAMES_STOP)), sorted(set(used))


def live_latency(browser: Browser, page: Page, url: str, password: str) -> list[float]:
    """ms from before another user's POST until the first frame counting the new report."""
    page.wait_for_function("window.peacewatch.feed === 'open'", timeout=READY_MS)
    other = browser.new_context(base_url=url)
    api = other.request
    res = api.post(
        "/api/v1/auth/login", data={"username": PATROL["username"], "password": password}
    )
    if not res.ok:
        raise SystemExit(f"login of {PATROL['username']} failed: {res.text()}")
    csrf = res.json()["csrf_token"]
    out = []
    try:
        for i in range(LIVE_REPORTS):
            before = int(page.evaluate("window.peacewatch.counts.reports"))
            # The page notes (wall clock, as Python's) the first frame that counts one more.
            page.evaluate(
                """n => {
                  window.__seenAt = undefined;
                  const look = () => {
                    if (window.peacewatch.counts.reports > n) window.__seenAt = Date.now();
                    else requestAnimationFrame(look);
                  };
                  requestAnimationFrame(look);
                }""",
                before,
            )
            feature = {
                "type": "Feature",
                "id": str(uuid.uuid4()),
                "geometry": {"type": "Point", "coordinates": [21.16 + i * 0.01, 42.66]},
                "properties": {
                    "kind": "aid_delivery",
                    "observed_at": f"{DAY}T{9 + i:02d}:00:00Z",
                    "title": f"Bench delivery {i}",
                    "label": "NATO RESTRICTED REL TO KFOR, NATO",
                    "grade": "B2",
                    "source": "bench",
                    "attributes": {"agency": "WFP", "tonnes": 1},
                },
            }
            sent = time.time() * 1000
            answer = api.post("/api/v1/reports", data=feature, headers={"X-CSRF-Token": csrf})
            if not answer.ok or answer.json().get("accepted") != 1:
                raise SystemExit(f"POST failed: {answer.text()}")
            page.wait_for_function("window.__seenAt !== undefined", timeout=30_000)
            out.append(float(page.evaluate("window.__seenAt")) - sent)
            page.wait_for_timeout(200)
    finally:
        other.close()
    return out


def run(size: str) -> dict[str, Any]:
    """Every measurement on one fresh server."""
    print(f"== web on {size}", flush=True)
    env, passwords = prepare(size)
    log = ROOT / "var" / "bench" / f"web-{size}-server.log"
    proc, url = serve(env, log)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=url)
            context.add_init_script(READY_PROBE)
            page = context.new_page()
            page.goto(f"/?day={DAY}")
            log_in(page, WATCHKEEPER["username"], passwords[WATCHKEEPER["username"]])
            wait_ready(page)
            reports = int(page.evaluate("window.peacewatch.counts.reports"))
            paints, drawn, data = first_paint(page)
            print(
                f"   first meaningful paint {statistics.median(paints):.0f} ms "
                f"(data {statistics.median(data):.0f}, first draw {statistics.median(drawn):.0f})",
                flush=True,
            )
            pan = panning(page)
            print(f"   panning p50 {pan['p50']:.1f} ms p95 {pan['p95']:.1f} ms", flush=True)
            pan_base, pan_floor = panning_floor(page)
            print(
                f"   panning basemap only p50 {pan_base['p50']:.1f} ms, "
                f"background only p50 {pan_floor['p50']:.1f} ms",
                flush=True,
            )
            time_frames, controls = changing_time(page)
            print(f"   day/window p50 {time_frames['p50']:.1f} ms", flush=True)
            page.goto(f"/?day={DAY}")
            wait_ready(page)
            live = live_latency(browser, page, url, passwords[PATROL["username"]])
            print(f"   live report {statistics.median(live):.0f} ms", flush=True)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {
        "reports": reports,
        "paints": paints,
        "drawn": drawn,
        "data": data,
        "pan": pan,
        "pan_base": pan_base,
        "pan_floor": pan_floor,
        "time": time_frames,
        "controls": controls,
        "live": live,
    }


def _verdict(value: float, target: float) -> str:
    return "met" if value <= target else "missed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="medium", help="scenario size (small, medium, large)")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    r = run(args.size)
    from run import machine  # bench/run.py, beside this file: one description of the machine

    paint = statistics.median(r["paints"])
    live = statistics.median(r["live"])
    pan, tf = r["pan"], r["time"]
    base, floor = r["pan_base"], r["pan_floor"]
    with Path(args.output).open("a") as f:
        f.write(f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — web\n\n{machine()}\n\n")
        f.write(
            f"The map page on the {args.size} scenario, `peacewatch serve` on SQLite, headless "
            f"Chromium with WebGL in software (SwiftShader), 1400 x 900, day {DAY} "
            f"({r['reports']} reports drawn). Controls used: {', '.join(r['controls'])}.\n\n"
            "| measure | p50 | p95 / max | other | target |\n"
            "|---|---:|---:|---|---|\n"
            f"| first meaningful paint (reload to `data-ready`), {LOADS} loads | {paint:.0f} ms "
            f"| {max(r['paints']):.0f} ms | all: {', '.join(f'{p:.0f}' for p in r['paints'])} "
            f"| ≤ 2 s: {_verdict(paint, 2000)} |\n"
            f"| … of which: last API response | {statistics.median(r['data']):.0f} ms "
            f"| {max(r['data']):.0f} ms | | |\n"
            f"| … of which: first frame drawn (first WebGL draw call: data and tiles loaded) | "
            f"{statistics.median(r['drawn']):.0f} ms | {max(r['drawn']):.0f} ms | | |\n"
            f"| frame time, panning every frame | {pan['p50']:.1f} ms | {pan['p95']:.1f} ms "
            f"| {pan['frames']} frames, {pan['dropped']} over {DROPPED_MS:.0f} ms | |\n"
            f"| frame time, panning, basemap layers only | {base['p50']:.1f} ms "
            f"| {base['p95']:.1f} ms | {base['frames']} frames | |\n"
            f"| frame time, panning, background only (floor) | {floor['p50']:.1f} ms "
            f"| {floor['p95']:.1f} ms | {floor['frames']} frames | |\n"
            f"| frame time, changing day and window | {tf['p50']:.1f} ms | {tf['p95']:.1f} ms "
            f"| {tf['frames']} frames, {tf['dropped']} over {DROPPED_MS:.0f} ms | |\n"
            f"| live report on another user's screen, {LIVE_REPORTS} reports | {live:.0f} ms "
            f"| {max(r['live']):.0f} ms | POST to first frame counting it "
            f"| ≤ 1 s: {_verdict(live, 1000)} |\n"
        )
    from results import figure, write_result  # bench/results.py, beside this file

    write_result(
        "web",
        [
            figure(f"first meaningful paint, median of {LOADS} loads", paint, "ms",
                   target="≤ 2,000 ms", met=paint <= 2000,
                   detail=f"max {max(r['paints']):.0f} ms; last API response at "
                   f"{statistics.median(r['data']):.0f} ms, first frame drawn from "
                   f"{statistics.median(r['drawn']):.0f} ms"),
            figure("frame time panning, p50 / p95", f"{pan['p50']:.1f} / {pan['p95']:.1f}", "ms",
                   detail=f"{pan['frames']} frames, {pan['dropped']} over {DROPPED_MS:.0f} ms; "
                   f"basemap only p50 {base['p50']:.1f}, background only p50 "
                   f"{floor['p50']:.1f} ms"),
            figure("frame time changing day and window, p50 / p95",
                   f"{tf['p50']:.1f} / {tf['p95']:.1f}", "ms",
                   detail=f"{tf['frames']} frames, {tf['dropped']} over {DROPPED_MS:.0f} ms"),
            figure(f"live report on another user's screen, median of {LIVE_REPORTS}", live,
                   "ms", target="≤ 1,000 ms", met=live <= 1000,
                   detail=f"max {max(r['live']):.0f} ms, POST to the first frame counting it"),
        ],
        title="Map page",
        setup=f"The map page on the {args.size} scenario, `peacewatch serve` on SQLite, "
        "headless Chromium with WebGL in software (SwiftShader), 1400 x 900, day "
        f"{DAY} ({r['reports']} reports drawn).",
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
