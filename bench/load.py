"""Mixed-traffic load test on loopback: report ingest, map queries, live-feed (SSE)
subscribers and TAK (CoT) devices at once, against a real ``peacewatch serve`` with the TAK
gateway on, for a fixed time.

One asyncio process plays every client:

- ``--ingest`` clients POST one report at a time to /api/v1/reports (a unique UUID each, so
  every acknowledged report can be looked for afterwards), paced at ``--ingest-rate`` each;
- ``--map`` clients ask what the map page asks for a view: reports, events and violations in
  a bbox (a ~40 km view) and a time window (a day, 24 h or a week), paced at ``--map-rate``;
- ``--sse`` subscribers hold /api/v1/stream open from before the first report and note when
  each report arrives;
- ``--cot`` devices hold a plain TCP connection to the gateway, send their position (CoT XML)
  at ``--cot-rate`` and read what the gateway rebroadcasts.

Recorded per kind: throughput and p50/p95/p99 latency (ingest and map: the request; SSE: from
the report's POST to its arrival on a subscriber; CoT: from a device's send to another
device's receipt of the rebroadcast), and failures: any non-2xx answer, any exception, any
feed or connection that ended by itself. Then the losses, after a drain of at most
``--drain`` seconds: every acknowledged report must be in the database exactly once and
must have reached every subscriber (all of them may see it); every position sent must be
stored, and must have reached every other device.

The server runs on a fresh SQLite store (``synchronous`` as by default) with the mission,
its nations and the load's users, plus the small Kosovo scenario unless ``--no-scenario``.
Writes docs/benchmark-results/load.json (bench/results.py) and appends a "load" section to
BENCHMARKS.md. tests/reliability/test_load.py runs a bounded version of :func:`run`.

Run: ``.venv/bin/python bench/load.py`` (``--seconds 120 --ingest 8 --sse 20 --cot 20`` for a
longer run; ``make load``).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from results import figure, machine, write_result  # bench/results.py, beside this file

ROOT = Path(__file__).resolve().parents[1]
WEEK = datetime(1999, 7, 1, tzinfo=UTC)  # the load's reports are observed in this week
KOSOVO = (20.3, 42.1, 21.6, 43.1)  # minlon, minlat, maxlon, maxlat
KINDS = ("armed_clash", "roadblock", "demonstration", "armed_personnel_sighting")
MAP_PATHS = ("/api/v1/reports", "/api/v1/events", "/api/v1/violations")
WINDOWS = (timedelta(days=1), timedelta(hours=24), timedelta(days=7))
COT_EVENT = re.compile(rb'uid="(LOAD-\d+)"[^>]*?time="([^"]+)"')
PATROL, WATCH = "load.patrol", "load.watch"


@dataclass
class Sizes:
    """How many clients of each kind, how fast each goes, and for how long."""

    ingest: int = 4
    map: int = 4
    sse: int = 4
    cot: int = 4
    seconds: float = 30.0
    ingest_rate: float = 5.0  # reports/s per client (0: as fast as answered)
    map_rate: float = 2.0  # views/s per client, each view three requests
    cot_rate: float = 2.0  # positions/s per device
    drain: float = 30.0  # seconds to wait for stragglers after the traffic stops
    scenario: bool = True  # load the small Kosovo scenario first


@dataclass
class Kind:
    """What one kind of traffic did."""

    count: int = 0
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def fail(self, what: str) -> None:
        """Count a failure (keep the first few messages)."""
        self.failures.append(what[:300])


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile of ``values`` (NaN when empty)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(db: Path, *, scenario: bool) -> dict[str, str]:
    """A fresh SQLite store at ``db`` (the mission, its nations, the scenario when asked) and
    the load's users; returns a bearer token for each user."""
    from peacewatch.domain.labels import Classification, Viewer
    from peacewatch.ingest import records
    from peacewatch.scenarios.loader import load_kosovo1999
    from peacewatch.security.credentials import issue
    from peacewatch.security.users import add_user
    from peacewatch.store import open_store
    from peacewatch.store.migrate import upgrade

    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = open_store(f"sqlite:///{db}")
    try:
        upgrade(store)
        if scenario:
            load_kosovo1999(store, size="small")
        else:
            admin = Viewer("load", "GBR", Classification.NATO_SECRET, frozenset({"NATO", "KFOR"}))
            records.add_nations(
                store,
                [
                    {"code": "GBR", "name": "United Kingdom", "kind": "nation"},
                    {"code": "NATO", "name": "NATO", "kind": "community"},
                    {"code": "KFOR", "name": "KFOR", "kind": "community"},
                ],
            )
            records.add_mission(
                store,
                viewer=admin,
                data={"code": "KFOR", "name": "Kosovo Force", "start": "1999-06-12T00:00:00Z",
                      "default_label": "NATO UNCLASSIFIED REL TO KFOR, NATO"},
            )  # fmt: skip
        tokens = {}
        for username, roles in ((PATROL, ["patrol_leader"]), (WATCH, ["watchkeeper"])):
            user = add_user(
                store, actor="load", username=username, nation="GBR", clearance="NATO SECRET",
                communities=["NATO", "KFOR"], roles=roles, password=None,
            )  # fmt: skip
            tokens[username] = issue(store, user=user, kind="token", ttl=timedelta(hours=6)).secret
        return tokens
    finally:
        store.dispose()


class Server:
    """``peacewatch serve`` with the TAK gateway on (plain TCP only), in a child process."""

    def __init__(self, db: Path, log: Path) -> None:
        self.port, self.tak_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "PEACEWATCH_DATABASE_URL": f"sqlite:///{db}",
            "PEACEWATCH_PORT": str(self.port),
            "PEACEWATCH_TAK_ENABLED": "true",
            "PEACEWATCH_TAK_TCP_PORT": str(self.tak_port),
            "PEACEWATCH_TAK_UDP_PORT": "0",
            "PEACEWATCH_TAK_TLS_PORT": "0",
            "PEACEWATCH_TAK_PLAIN_USER": PATROL,
            "PEACEWATCH_TAK_CERT_DIR": str(db.parent / "no-certs"),
        }
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "peacewatch.cli", "serve"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.log_path = log

    def wait(self, limit_s: float = 60.0) -> None:
        """Until /healthz answers and the TAK port accepts; raise with the log if not."""
        deadline = time.monotonic() + limit_s
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    with socket.create_connection(("127.0.0.1", self.tak_port), timeout=1):
                        return
            except (httpx.HTTPError, OSError):
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.log.flush()
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the server did not start: {tail}")
            time.sleep(0.2)

    def cpu(self) -> float:
        """CPU seconds the server has used (user + system, all threads)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """Stop the server (SIGTERM, as a service manager does)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


def cot_time(moment: datetime) -> str:
    """A CoT time with milliseconds, as the gateway writes it."""
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"


def sa(uid: str, at: datetime, lat: float, lon: float) -> bytes:
    """A device's position (SA), as ATAK sends it."""
    t, stale = cot_time(at), cot_time(at + timedelta(minutes=2))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><event version="2.0" uid="{uid}" '
        f'type="a-f-G-U-C" how="m-g" time="{t}" start="{t}" stale="{stale}">'
        f'<point lat="{lat:.6f}" lon="{lon:.6f}" hae="300" ce="9.9" le="9999999.0"/>'
        f'<detail><contact callsign="{uid}" endpoint="*:-1:stcp"/>'
        f'<__group name="Cyan" role="Team Member"/></detail></event>'
    ).encode()


class Load:
    """The clients of one run and what they saw."""

    def __init__(self, url: str, tak_port: int, tokens: dict[str, str], sizes: Sizes) -> None:
        self.url, self.tak_port, self.sizes = url, tak_port, sizes
        self.patrol = {"Authorization": f"Bearer {tokens[PATROL]}"}
        self.watch = {"Authorization": f"Bearer {tokens[WATCH]}"}
        self.kinds = {k: Kind() for k in ("ingest", "map", "sse", "cot")}
        self.posted: dict[str, float] = {}  # report uuid -> perf_counter when its POST began
        self.acked: dict[str, float] = {}  # the same, once acknowledged
        self.seen: list[dict[str, float]] = []  # per subscriber: uuid -> arrival
        self.positions = 0  # SSE position events, all subscribers
        self.sent: dict[tuple[str, str], tuple[int, float]] = {}  # (uid, time) -> device, at
        self.got: list[set[tuple[str, str]]] = []  # per device: (uid, time) received
        self.stopping = False
        self.traffic_s = 0.0
        self.drained_s = 0.0

    # -- the clients ---------------------------------------------------------------------

    async def ingest_client(self, client: httpx.AsyncClient, n: int, until: float) -> None:
        """POST one report at a time until ``until``."""
        kind, rng, sent = self.kinds["ingest"], random.Random(n), 0
        start = time.perf_counter()
        while time.perf_counter() < until:
            report_id = str(uuid.uuid4())
            record = {
                "id": report_id, "kind": rng.choice(KINDS), "grade": "B2",
                "lon": rng.uniform(KOSOVO[0], KOSOVO[2]), "lat": rng.uniform(KOSOVO[1], KOSOVO[3]),
                "observed_at": (WEEK + timedelta(seconds=rng.uniform(0, 7 * 86400))).isoformat(),
                "title": f"load {n}-{sent}", "label": "NATO RESTRICTED REL TO KFOR, NATO",
            }  # fmt: skip
            t0 = time.perf_counter()
            self.posted[report_id] = t0
            try:
                r = await client.post(
                    "/api/v1/reports", params={"mission": "KFOR"}, json=record, headers=self.patrol
                )
                elapsed = time.perf_counter() - t0
                body = r.json() if r.headers.get("content-type", "").endswith("json") else {}
                if r.status_code // 100 != 2 or body.get("accepted") != 1:
                    kind.fail(f"POST report: {r.status_code} {r.text[:200]}")
                else:
                    self.acked[report_id] = t0
                    kind.count += 1
                    kind.latencies.append(elapsed)
            except (httpx.HTTPError, ValueError) as exc:
                kind.fail(f"POST report: {type(exc).__name__}: {exc}")
            sent += 1
            if self.sizes.ingest_rate > 0:
                await asyncio.sleep(
                    max(0.0, start + sent / self.sizes.ingest_rate - time.perf_counter())
                )

    async def map_client(self, client: httpx.AsyncClient, n: int, until: float) -> None:
        """Ask for what the map shows in a view (bbox) and a window, until ``until``."""
        kind, rng, views = self.kinds["map"], random.Random(1000 + n), 0
        start = time.perf_counter()
        while time.perf_counter() < until:
            lon, lat = rng.uniform(20.3, 21.2), rng.uniform(42.1, 42.8)
            bbox = f"{lon:.4f},{lat:.4f},{lon + 0.5:.4f},{lat + 0.36:.4f}"  # ~40 km x 40 km
            span = rng.choice(WINDOWS)
            begin = WEEK + timedelta(days=rng.randrange(0, 7))
            params = {
                "bbox": bbox, "start": begin.isoformat().replace("+00:00", "Z"),
                "end": (begin + span).isoformat().replace("+00:00", "Z"),
                "mission": "KFOR", "limit": "1000",
            }  # fmt: skip
            for path in MAP_PATHS:
                t0 = time.perf_counter()
                try:
                    r = await client.get(path, params=params, headers=self.watch)
                    elapsed = time.perf_counter() - t0
                    if r.status_code // 100 != 2 or r.json().get("type") != "FeatureCollection":
                        kind.fail(f"GET {path}: {r.status_code} {r.text[:200]}")
                    else:
                        kind.count += 1
                        kind.latencies.append(elapsed)
                except (httpx.HTTPError, ValueError) as exc:
                    kind.fail(f"GET {path}: {type(exc).__name__}: {exc}")
            views += 1
            if self.sizes.map_rate > 0:
                await asyncio.sleep(
                    max(0.0, start + views / self.sizes.map_rate - time.perf_counter())
                )

    async def subscriber(self, client: httpx.AsyncClient, ready: asyncio.Event) -> None:
        """Hold the live feed open; note each report's arrival."""
        kind, seen = self.kinds["sse"], {}
        self.seen.append(seen)
        event = ""
        try:
            async with client.stream("GET", "/api/v1/stream", headers=self.watch) as r:
                if r.status_code != 200:
                    kind.fail(f"GET /api/v1/stream: {r.status_code}")
                    ready.set()
                    return
                async for line in r.aiter_lines():
                    if line.startswith("event: "):
                        event = line[7:]
                        if event == "resume":
                            ready.set()
                    elif line.startswith("data: ") and event == "report":
                        arrived = time.perf_counter()
                        report_id = str(orjson.loads(line[6:])["id"])
                        seen[report_id] = arrived
                        kind.count += 1
                        if report_id in self.posted:
                            kind.latencies.append(arrived - self.posted[report_id])
                    elif line.startswith("data: ") and event == "position":
                        self.positions += 1
            if not self.stopping:
                kind.fail("the live feed ended by itself")
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            if not self.stopping:
                kind.fail(f"live feed: {type(exc).__name__}: {exc}")
        finally:
            ready.set()

    async def device(
        self, n: int, ready: asyncio.Event, go: asyncio.Event, until: list[float]
    ) -> None:
        """A TAK device: read the greeting and the picture, then send positions at the rate
        asked until the traffic stops, reading every rebroadcast throughout."""
        kind, got = self.kinds["cot"], set()
        self.got.append(got)
        uid = f"LOAD-{n}"
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.tak_port)
        except OSError as exc:
            kind.fail(f"CoT connect: {exc}")
            ready.set()
            return

        async def receive() -> None:
            buffer = b""
            while data := await reader.read(1 << 16):
                arrived = time.perf_counter()
                buffer += data
                *events, buffer = buffer.split(b"</event>")
                for e in events:
                    if b"t-x-takp-v" in e:
                        ready.set()
                    m = COT_EVENT.search(e)
                    if m is None:
                        continue
                    key = (m.group(1).decode(), m.group(2).decode())
                    got.add(key)
                    origin = self.sent.get(key)
                    if origin is not None and origin[0] != n:
                        kind.latencies.append(arrived - origin[1])
            if not self.stopping:
                kind.fail(f"CoT device {n}: the gateway closed the connection")

        receiving = asyncio.create_task(receive())
        try:
            await asyncio.wait_for(ready.wait(), 30)
            await go.wait()
            rng, sent, last = random.Random(2000 + n), 0, ""
            start = time.perf_counter()
            lat, lon = rng.uniform(42.3, 42.9), rng.uniform(20.6, 21.3)
            while time.perf_counter() < until[0]:
                at = datetime.now(UTC)
                stamp = cot_time(at)
                if stamp <= last:  # one position per millisecond and device
                    at = datetime.fromisoformat(last[:-1] + "+00:00") + timedelta(milliseconds=1)
                    stamp = cot_time(at)
                last = stamp
                lat += rng.uniform(-1e-4, 1e-4)
                lon += rng.uniform(-1e-4, 1e-4)
                self.sent[(uid, stamp)] = (n, time.perf_counter())
                writer.write(sa(uid, at, lat, lon))
                await writer.drain()
                kind.count += 1
                sent += 1
                await asyncio.sleep(
                    max(0.0, start + sent / self.sizes.cot_rate - time.perf_counter())
                )
            while not self.stopping:
                await asyncio.sleep(0.1)
        except (OSError, TimeoutError) as exc:
            kind.fail(f"CoT device {n}: {type(exc).__name__}: {exc}")
        finally:
            ready.set()
            receiving.cancel()
            writer.close()

    # -- the run ---------------------------------------------------------------------------

    def complete(self) -> bool:
        """Every acknowledged report at every subscriber, every position at every other
        device."""
        if any(
            len(seen) < len(self.acked) or not self.acked.keys() <= seen.keys()
            for seen in self.seen
        ):
            return False
        for n, got in enumerate(self.got):
            if any(origin != n and key not in got for key, (origin, _) in self.sent.items()):
                return False
        return True

    async def run(self) -> None:
        """Connect the subscribers and devices, run the traffic, drain."""
        s = self.sizes
        limits = httpx.Limits(max_connections=s.ingest + s.map + s.sse + 8)
        timeout = httpx.Timeout(60.0, read=None)
        async with httpx.AsyncClient(base_url=self.url, limits=limits, timeout=timeout) as client:
            ready = [asyncio.Event() for _ in range(s.sse)]
            feeds = [asyncio.create_task(self.subscriber(client, e)) for e in ready]
            greeted = [asyncio.Event() for _ in range(s.cot)]
            go, until = asyncio.Event(), [math.inf]
            devices = [
                asyncio.create_task(self.device(n, e, go, until)) for n, e in enumerate(greeted)
            ]
            try:
                await asyncio.wait_for(asyncio.gather(*(e.wait() for e in ready + greeted)), 60)
            except TimeoutError:
                self.kinds["cot"].fail("subscribers or devices not connected within 60 s")
            await asyncio.sleep(1.0)  # the devices have been sent the picture
            t0 = time.perf_counter()
            until[0] = t0 + s.seconds
            go.set()
            await asyncio.gather(
                *(self.ingest_client(client, n, until[0]) for n in range(s.ingest)),
                *(self.map_client(client, n, until[0]) for n in range(s.map)),
            )
            while time.perf_counter() < until[0]:
                await asyncio.sleep(0.05)
            self.traffic_s = time.perf_counter() - t0
            drain_end = time.perf_counter() + s.drain
            while not self.complete() and time.perf_counter() < drain_end:
                await asyncio.sleep(0.2)
            self.drained_s = time.perf_counter() - t0 - self.traffic_s
            self.stopping = True
            for task in feeds + devices:
                task.cancel()
            await asyncio.gather(*feeds, *devices, return_exceptions=True)


def stored(db: Path, report_ids: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """How many times each report is in the store, and how many positions each load device
    has there."""
    from sqlalchemy import func, select

    from peacewatch.store import open_store
    from peacewatch.store.tables import reports, unit_positions, units

    store = open_store(f"sqlite:///{db}")
    try:
        counts: dict[str, int] = defaultdict(int)
        with store.read() as conn:
            for i in range(0, len(report_ids), 500):
                chunk = report_ids[i : i + 500]
                query = (
                    select(reports.c.uuid, func.count())
                    .where(reports.c.uuid.in_(chunk))
                    .group_by(reports.c.uuid)
                )
                for report_uuid, n in conn.execute(query):
                    counts[str(report_uuid)] = int(n)
            query = (
                select(units.c.uid, func.count())
                .select_from(unit_positions.join(units, units.c.id == unit_positions.c.unit_id))
                .where(units.c.uid.like("LOAD-%"))
                .group_by(units.c.uid)
            )
            positions = {str(uid): int(n) for uid, n in conn.execute(query)}
        return counts, positions
    finally:
        store.dispose()


def run(workdir: Path, sizes: Sizes) -> dict[str, Any]:
    """Prepare a store in ``workdir``, start the server, run the load, check for losses;
    returns the figures (see :func:`summary`)."""
    db = workdir / "load.db"
    load_average = " ".join(f"{x:.1f}" for x in os.getloadavg())
    t0 = time.perf_counter()
    tokens = prepare(db, scenario=sizes.scenario)
    prepared_s = time.perf_counter() - t0
    server = Server(db, workdir / "server.log")
    try:
        server.wait()
        load = Load(server.url, server.tak_port, tokens, sizes)
        cpu0 = server.cpu()
        asyncio.run(load.run())
        cpu = server.cpu() - cpu0
    finally:
        server.stop()
    counts, positions = stored(db, list(load.acked))
    result = summary(load, counts, positions, cpu=cpu, prepared_s=prepared_s)
    result["load_average"] = load_average
    return result


def summary(
    load: Load, counts: dict[str, int], positions: dict[str, int], *, cpu: float, prepared_s: float
) -> dict[str, Any]:
    """Throughput, latency, failures and losses of a finished run."""
    traffic = load.traffic_s
    kinds: dict[str, Any] = {}
    for name, kind in load.kinds.items():
        kinds[name] = {
            "count": kind.count,
            "per_s": kind.count / traffic if traffic else 0.0,
            "p50_ms": 1000 * percentile(kind.latencies, 50),
            "p95_ms": 1000 * percentile(kind.latencies, 95),
            "p99_ms": 1000 * percentile(kind.latencies, 99),
            "max_ms": 1000 * max(kind.latencies, default=math.nan),
            "samples": len(kind.latencies),
            "failures": len(kind.failures),
            "first_failures": kind.failures[:5],
        }
    acked = list(load.acked)
    missing_db = [r for r in acked if counts.get(r, 0) == 0]
    twice_db = [r for r in acked if counts.get(r, 0) > 1]
    missing_sse = sum(1 for seen in load.seen for r in acked if r not in seen)
    sent_per_uid: dict[str, int] = defaultdict(int)
    for uid, _ in load.sent:
        sent_per_uid[uid] += 1
    missing_positions = sum(max(0, n - positions.get(uid, 0)) for uid, n in sent_per_uid.items())
    missing_cot = sum(
        1
        for n, got in enumerate(load.got)
        for key, (origin, _) in load.sent.items()
        if origin != n and key not in got
    )
    return {
        "sizes": asdict(load.sizes),
        "traffic_s": traffic,
        "drain_s": load.drained_s,
        "prepared_s": prepared_s,
        "server_cpu_cores": cpu / (traffic + load.drained_s) if traffic else 0.0,
        "kinds": kinds,
        "sse_positions": load.positions,
        "acknowledged": len(acked),
        "positions_sent": len(load.sent),
        "loss": {
            "reports_missing_in_store": len(missing_db),
            "reports_stored_twice": len(twice_db),
            "reports_missing_at_subscribers": missing_sse,
            "positions_missing_in_store": missing_positions,
            "positions_missing_at_devices": missing_cot,
        },
        "failures": sum(k["failures"] for k in kinds.values()),
        "lost": sum((len(missing_db), len(twice_db), missing_sse, missing_positions, missing_cot)),
    }


def describe(r: dict[str, Any]) -> str:
    """A few lines for a terminal or a test's output."""
    lines = [
        f"load: {r['traffic_s']:.1f} s of traffic, drained in {r['drain_s']:.1f} s, "
        f"server {r['server_cpu_cores']:.2f} cores"
    ]
    for name, k in r["kinds"].items():
        lines.append(
            f"  {name:6} {k['count']:>7,} ({k['per_s']:8.1f}/s)  p50 {k['p50_ms']:7.1f} ms  "
            f"p95 {k['p95_ms']:7.1f} ms  p99 {k['p99_ms']:7.1f} ms  failures {k['failures']}"
        )
    lines.append(
        f"  acknowledged reports {r['acknowledged']:,}, positions sent {r['positions_sent']:,}, "
        f"failures {r['failures']}, lost {r['lost']} {r['loss']}"
    )
    return "\n".join(lines)


COUNTED = {
    "ingest": "reports acknowledged",
    "map": "requests answered",
    "sse": "reports delivered, all subscribers",
    "cot": "positions sent",
}
WHAT = {
    "ingest": "report ingest (POST, one report each)",
    "map": "map queries (bbox + window: reports, events, violations)",
    "sse": "live feed: POST → report at each subscriber",
    "cot": "CoT: device send → rebroadcast at each other device",
}


def record(r: dict[str, Any], output: Path | None) -> None:
    """Write docs/benchmark-results/load.json and append a section to ``output``."""
    s = r["sizes"]
    setup = (
        f"`peacewatch serve` on SQLite with the TAK gateway on (plain TCP, XML), "
        f"{'the small Kosovo scenario' if s['scenario'] else 'no scenario'} loaded; one asyncio "
        f"process on the same 2 cores plays {s['ingest']} ingest clients ({s['ingest_rate']:g} "
        f"reports/s each), {s['map']} map clients ({s['map_rate']:g} views/s each, three "
        f"requests a view), {s['sse']} live-feed subscribers and {s['cot']} TAK devices "
        f"({s['cot_rate']:g} positions/s each) for {r['traffic_s']:.0f} s; server "
        f"{r['server_cpu_cores']:.2f} cores; load average at the start "
        f"{r.get('load_average', '?')} (the machine is shared)."
    )
    figures = []
    for name, k in r["kinds"].items():
        figures.append(
            figure(
                f"{WHAT[name]}: throughput",
                k["per_s"],
                "/s",
                detail=f"{k['count']:,} {COUNTED[name]}",
            )
        )
        figures.append(
            figure(
                f"{WHAT[name]}: p50 / p95 / p99",
                f"{k['p50_ms']:.1f} / {k['p95_ms']:.1f} / {k['p99_ms']:.1f}",
                "ms",
                detail=f"{k['samples']:,} samples",
            )
        )
    figures.append(
        figure("requests and connections failed", r["failures"], "", target="0",
               met=r["failures"] == 0)
    )  # fmt: skip
    figures.append(
        figure(
            "reports or positions lost (store, subscribers, devices)",
            r["lost"],
            "",
            target="0",
            met=r["lost"] == 0,
            detail=f"{r['acknowledged']:,} reports acknowledged, "
            f"{r['positions_sent']:,} positions sent",
        )
    )
    write_result("load", figures, title="Mixed-traffic load", setup=setup)
    if output is None:
        return
    rows = [
        "| traffic | count | per second | p50 ms | p95 ms | p99 ms | failures |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, k in r["kinds"].items():
        rows.append(
            f"| {WHAT[name]} | {k['count']:,} | {k['per_s']:,.1f} | {k['p50_ms']:.1f} | "
            f"{k['p95_ms']:.1f} | {k['p99_ms']:.1f} | {k['failures']} |"
        )
    loss = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in r["loss"].items())
    with output.open("a") as f:
        f.write(f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — load\n\n{machine()}\n\n")
        f.write(setup + "\n\n" + "\n".join(rows) + "\n\n")
        f.write(
            f"Acknowledged reports {r['acknowledged']:,}, positions sent "
            f"{r['positions_sent']:,}; lost: {loss} (drained in {r['drain_s']:.1f} s).\n"
        )


def main() -> None:
    """Run the load and record it."""
    parser = argparse.ArgumentParser(description=__doc__)
    d = Sizes()
    parser.add_argument("--ingest", type=int, default=d.ingest, help="ingest clients")
    parser.add_argument("--map", type=int, default=d.map, help="map-query clients")
    parser.add_argument("--sse", type=int, default=d.sse, help="live-feed subscribers")
    parser.add_argument("--cot", type=int, default=d.cot, help="TAK devices")
    parser.add_argument("--seconds", type=float, default=d.seconds, help="traffic duration")
    parser.add_argument("--ingest-rate", type=float, default=d.ingest_rate)
    parser.add_argument("--map-rate", type=float, default=d.map_rate)
    parser.add_argument("--cot-rate", type=float, default=d.cot_rate)
    parser.add_argument("--drain", type=float, default=d.drain)
    parser.add_argument("--no-scenario", action="store_true", help="skip the small scenario")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args()
    sizes = Sizes(
        ingest=args.ingest, map=args.map, sse=args.sse, cot=args.cot, seconds=args.seconds,
        ingest_rate=args.ingest_rate, map_rate=args.map_rate, cot_rate=args.cot_rate,
        drain=args.drain, scenario=not args.no_scenario,
    )  # fmt: skip
    workdir = ROOT / "var" / "bench" / "load"
    shutil.rmtree(workdir, ignore_errors=True)
    result = run(workdir, sizes)
    print(describe(result), flush=True)
    record(result, Path(args.output))
    if result["failures"] or result["lost"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
