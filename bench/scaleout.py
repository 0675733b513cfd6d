"""Scale-out benchmark: report ingest over HTTP on PostgreSQL + PostGIS with 1 worker against
2 workers (``peacewatch serve --workers N``), where the time goes, and idle worker memory.

A fresh PostGIS database (the KFOR mission, its nations and parties, one writer) is served by
``peacewatch serve --workers N``; this process is the clients: ``--clients`` concurrent HTTP
connections (httpx, keep-alive) POST a fixed number of reports to ``/api/v1/reports``, as
single reports and small batches in turn (``--batches``), as field devices and forms send
them; each one is validated, labelled, judged for compliance, fused into an event and written
durably (``synchronous_commit`` stays on) with its audit entry and a NOTIFY for the other
workers' live feeds. Reports/s is what the server acknowledged over the wall time.

Where the time goes: the CPU time of each process over the run, from /proc (the workers, the
PostgreSQL backends serving them, and this client process) against the 2 cores' capacity;
and a sampling profile (py-spy, on-CPU samples) of one worker under the same load, grouped
by what the code does. Idle memory: each worker's resident set (VmRSS) after start and a few
seconds of rest, before any request.

Run: ``.venv/bin/python bench/scaleout.py`` (``--reports``, ``--clients``, ``--batches``,
``--workers``, ``--no-profile``). Appends a section to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peacewatch.domain.labels import Classification, Viewer
from peacewatch.ingest import records
from peacewatch.security.credentials import issue
from peacewatch.security.users import add_user
from peacewatch.store import open_store
from peacewatch.store.migrate import upgrade
from results import PG_ADMIN, figure, machine, write_result

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "peacewatch_bench_scaleout"
ADMIN = Viewer("bench", "GBR", Classification.NATO_SECRET, frozenset({"NATO", "KFOR"}))
LABELS = [
    "NATO UNCLASSIFIED REL TO KFOR, NATO",
    "NATO RESTRICTED REL TO KFOR, NATO",
    "NATO CONFIDENTIAL REL TO NATO",
    "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER",
]
KINDS = ["shooting", "arson", "roadblock", "demonstration", "explosion", "intimidation"]
T0 = datetime(1999, 6, 12, tzinfo=UTC)
TICKS = os.sysconf("SC_CLK_TCK")
RATIO_TARGET = 1.4
RSS_TARGET_MB = 150.0


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare() -> tuple[str, dict[str, str]]:
    """A fresh database with the mission and a writer; (its URL, the writer's header)."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + DB_NAME
    store = open_store(url)
    upgrade(store)
    records.add_nations(
        store,
        [
            {"code": "GBR", "name": "United Kingdom", "kind": "nation"},
            {"code": "UKR", "name": "Ukraine", "kind": "nation"},
            {"code": "NATO", "name": "NATO", "kind": "community"},
            {"code": "KFOR", "name": "KFOR", "kind": "community"},
            {"code": "PARTNER", "name": "Partner nations", "kind": "community"},
        ],
    )
    records.add_mission(
        store,
        viewer=ADMIN,
        data={
            "code": "KFOR", "name": "Kosovo Force", "start": "1999-06-12T00:00:00Z",
            "default_label": "NATO UNCLASSIFIED REL TO KFOR, NATO",
            "aoi": {"type": "Polygon", "coordinates": [
                [[20.0, 41.8], [21.9, 41.8], [21.9, 43.3], [20.0, 43.3], [20.0, 41.8]]]},
        },
    )  # fmt: skip
    for code, name in (("FRY", "FRY/Serbian forces"), ("UCK", "UCK/KLA")):
        records.add_party(store, viewer=ADMIN, data={"code": code, "name": name, "mission": "KFOR"})
    user = add_user(
        store, actor="bench", username="gbr.patrol", nation="GBR", clearance="NATO SECRET",
        communities=("NATO", "KFOR", "PARTNER"), roles=("patrol_leader",),
    )  # fmt: skip
    token = issue(store, user=user, kind="token", ttl=timedelta(hours=6))
    store.dispose()
    return url, {"Authorization": f"Bearer {token.secret}", "Content-Type": "application/json"}


def bodies(total: int, sizes: list[int], rng: random.Random) -> list[tuple[int, bytes]]:
    """Request bodies holding ``total`` new reports, in batches of ``sizes`` in turn."""
    out: list[tuple[int, bytes]] = []
    left, i = total, 0
    while left > 0:
        n = min(sizes[i % len(sizes)], left)
        batch = [
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "kind": rng.choice(KINDS),
                "observed_at": (T0 + timedelta(seconds=rng.randint(0, 365 * 86400))).isoformat(),
                "lon": round(20.3 + rng.random() * 1.3, 6),
                "lat": round(42.0 + rng.random() * 1.1, 6),
                "label": rng.choice(LABELS),
                "party": rng.choice(["FRY", "UCK", None]),
                "grade": rng.choice(["A1", "B2", "C3"]),
                "title": "Patrol report",
                "text": "Observed by a foot patrol near the village.",
            }
            for _ in range(n)
        ]
        out.append((n, orjson.dumps(batch)))
        left -= n
        i += 1
    return out


class Server:
    """``peacewatch serve --workers N`` on a free port."""

    def __init__(self, url: str, workers: int, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PEACEWATCH_DATABASE_URL": url, "PEACEWATCH_PORT": str(self.port)}
        self.log = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "peacewatch.cli", "serve", "--workers", str(workers)],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.workers = workers
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start; see {log}")
            time.sleep(0.3)
        while len(self.worker_pids()) < workers:  # every worker up, not only the first
            if time.monotonic() > deadline:
                raise SystemExit(f"{workers} workers did not start; see {log}")
            time.sleep(0.3)

    def worker_pids(self) -> list[int]:
        """The processes that serve requests (the supervisor's children when N > 1)."""
        if self.workers == 1:
            return [self.proc.pid]
        out = subprocess.run(
            ["ps", "--ppid", str(self.proc.pid), "-o", "pid=,args="],
            capture_output=True, text=True, check=False,
        ).stdout  # fmt: skip
        return [int(line.split()[0]) for line in out.splitlines() if "spawn_main" in line]

    def stop(self) -> None:
        """SIGTERM and wait."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def rss_mb(pid: int) -> float:
    """Resident set of ``pid`` in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of ``pid`` so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def backends(dsn: str) -> list[int]:
    """PostgreSQL backend pids connected to the bench database."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
    return [int(r[0]) for r in rows]


class Waits:
    """Samples what the bench database's backends are doing (pg_stat_activity) every 50 ms
    while a run lasts: on the CPU, waiting for a lock, for the WAL to be flushed, or idle
    in a transaction while the worker computes."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.counts: collections.Counter[str] = collections.Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Waits:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self._stop.wait(0.05):
                rows = conn.execute(
                    "SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND application_name <> 'peacewatch-listen' AND state <> 'idle'"
                ).fetchall()
                for state, kind, event, query in rows:
                    if state != "active":
                        self.counts["idle in transaction (the worker computes)"] += 1
                    elif kind is None:
                        self.counts["on the CPU (executing SQL)"] += 1
                    elif "advisory" in (event or "") or "pg_advisory" in (query or ""):
                        self.counts[f"{kind}: {event} (the audit chain's lock)"] += 1
                    else:
                        self.counts[f"{kind}: {event}"] += 1


async def load(
    base: str, headers: dict[str, str], work: list[tuple[int, bytes]], clients: int
) -> tuple[int, int, float, list[float]]:
    """POST every body with ``clients`` connections; (reports, requests, seconds, latencies)."""
    queue = collections.deque(work)
    accepted, requests, latencies = 0, 0, []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal accepted, requests
        while queue:
            _n, body = queue.popleft()
            t = time.perf_counter()
            response = await http.post("/api/v1/reports", content=body, headers=headers)
            latencies.append(time.perf_counter() - t)
            if response.status_code != 200:
                raise SystemExit(f"POST failed: {response.status_code} {response.text[:300]}")
            accepted += int(response.json()["accepted"])
            requests += 1

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as http:
        t0 = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        return accepted, requests, time.perf_counter() - t0, latencies


def run_one(workers: int, args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    """On a fresh database (fusion's and compliance's work per report grows with what is
    stored, so each run starts from the same state): start N workers, measure idle RSS,
    then the timed ingest and its CPU by process."""
    url, headers = prepare()
    rng = random.Random(1999 + workers)
    sizes = [int(s) for s in args.batches.split(",")]
    warm = bodies(args.clients * 4, sizes, rng)
    timed = bodies(args.reports, sizes, rng)
    server = Server(url, workers, logs / f"serve-{workers}.log")
    try:
        time.sleep(args.rest)
        pids = server.worker_pids()
        idle = [rss_mb(p) for p in pids]
        asyncio.run(load(server.base, headers, warm, args.clients))  # pools and caches warm
        db = backends(url)
        before = {p: cpu_s(p) for p in [*pids, *db]}
        me0 = os.times()
        with Waits(url) as waits:
            accepted, requests, seconds, lat = asyncio.run(
                load(server.base, headers, timed, args.clients)
            )
        me1 = os.times()
        db_after = backends(url)
        worker_cpu = sum(cpu_s(p) - before.get(p, 0.0) for p in pids)
        db_cpu = sum(cpu_s(p) - before.get(p, 0.0) for p in set(db) | set(db_after))
        client_cpu = (me1.user - me0.user) + (me1.system - me0.system)
        lat.sort()
        return {
            "workers": workers,
            "reports": accepted,
            "requests": requests,
            "seconds": seconds,
            "rate": accepted / seconds,
            "p50_ms": lat[len(lat) // 2] * 1000,
            "p95_ms": lat[int(len(lat) * 0.95)] * 1000,
            "idle_rss_mb": idle,
            "busy_rss_mb": [rss_mb(p) for p in pids],
            "cpu": {"workers": worker_cpu, "postgres": db_cpu, "client": client_cpu},
            "capacity": seconds * (os.cpu_count() or 1),
            "waits": dict(waits.counts.most_common(8)),
        }
    finally:
        server.stop()


def stage(path: str) -> str:
    """What a frame's code does, from its file."""
    rules = [
        ("psycopg", "PostgreSQL driver (psycopg: sending, waiting, decoding)"),
        ("sqlalchemy", "SQLAlchemy (statements, pool, rows)"),
        ("peacewatch/compliance", "compliance judging"),
        ("peacewatch/fusion", "fusion"),
        ("peacewatch/store/audit", "audit chain"),
        ("peacewatch/store", "store (SQL building, label filter)"),
        ("peacewatch/ingest", "validation, labelling, pipeline"),
        ("peacewatch/security", "authentication"),
        ("peacewatch/api", "API routers"),
        ("shapely", "geometry (shapely, pyproj)"),
        ("pyproj", "geometry (shapely, pyproj)"),
        ("pydantic", "HTTP and framework (uvicorn, starlette, fastapi, pydantic)"),
        ("fastapi", "HTTP and framework (uvicorn, starlette, fastapi, pydantic)"),
        ("starlette", "HTTP and framework (uvicorn, starlette, fastapi, pydantic)"),
        ("uvicorn", "HTTP and framework (uvicorn, starlette, fastapi, pydantic)"),
        ("httptools", "HTTP and framework (uvicorn, starlette, fastapi, pydantic)"),
        ("anyio", "threads and event loop (anyio, asyncio, concurrent.futures)"),
        ("asyncio", "threads and event loop (anyio, asyncio, concurrent.futures)"),
        ("concurrent", "threads and event loop (anyio, asyncio, concurrent.futures)"),
        ("threading", "threads and event loop (anyio, asyncio, concurrent.futures)"),
    ]
    for needle, name in rules:
        if needle in path:
            return name
    return "other"


def profile(args: argparse.Namespace, logs: Path) -> Any:
    """On-CPU samples of one worker under the ingest load, on a fresh database, by stage (the
    innermost frame that belongs to a known library or PeaceWatch package counts it)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        return None
    url, headers = prepare()
    rng = random.Random(7)
    sizes = [int(s) for s in args.batches.split(",")]
    server = Server(url, 1, logs / "serve-profile.log")
    raw = logs / "profile.txt"
    try:
        asyncio.run(load(server.base, headers, bodies(args.clients * 4, sizes, rng), args.clients))
        spy_proc = subprocess.Popen(
            [spy, "record", "--pid", str(server.proc.pid), "--rate", "200", "--format", "raw",
             "--output", str(raw), "--nonblocking", "--duration", "600"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(1.0)
        asyncio.run(load(server.base, headers, bodies(args.reports // 2, sizes, rng), args.clients))
        spy_proc.send_signal(2)  # SIGINT: py-spy writes what it sampled and exits
        spy_proc.wait(timeout=60)
    finally:
        server.stop()
    if not raw.is_file():
        return None
    by_stage: collections.Counter[str] = collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        name = "other"
        for frame in reversed(frames):  # innermost first
            found = stage(frame)
            if found != "other":
                name = found
                break
        by_stage[name] += int(count)
    return by_stage


def write_section(output: Path, runs: list[dict[str, Any]], prof: Any, args: Any) -> None:
    """Append the results to BENCHMARKS.md (and write var/bench/results/scaleout.json)."""
    one, two = runs[0], runs[-1]
    ratio = two["rate"] / one["rate"]
    idle = max(rss for run in runs for rss in run["idle_rss_mb"])
    lines = [
        f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — scale-out\n",
        machine(),
        "",
        f"`peacewatch serve --workers N` on PostgreSQL + PostGIS (a fresh database for each "
        f"run, "
        f"`synchronous_commit` on; compliance, fusion, audit and NOTIFY in every write). "
        f"{args.clients} concurrent keep-alive HTTP clients (httpx, this process, on the same "
        f"2 cores as the server and the database) POST {args.reports:,} new reports to "
        f"`/api/v1/reports` in bodies of {args.batches.replace(',', ', ')} reports in turn, "
        f"after a warm-up.",
        "",
        "| measure | 1 worker | 2 workers | target |",
        "|---|---:|---:|---|",
        f"| reports/s acknowledged | {one['rate']:,.0f} | {two['rate']:,.0f} | "
        f"2 workers ≥ {RATIO_TARGET}× 1 worker: **{ratio:.2f}×**, "
        f"{'met' if ratio >= RATIO_TARGET else 'missed'} |",
        f"| requests, p50 / p95 latency | {one['requests']}, {one['p50_ms']:.0f} / "
        f"{one['p95_ms']:.0f} ms | {two['requests']}, {two['p50_ms']:.0f} / "
        f"{two['p95_ms']:.0f} ms | |",
        f"| idle RSS per worker | {' / '.join(f'{r:.0f}' for r in one['idle_rss_mb'])} MB | "
        f"{' / '.join(f'{r:.0f}' for r in two['idle_rss_mb'])} MB | ≤ {RSS_TARGET_MB:.0f} MB: "
        f"{'met' if idle <= RSS_TARGET_MB else 'missed'} |",
        f"| RSS per worker after the run | "
        f"{' / '.join(f'{r:.0f}' for r in one['busy_rss_mb'])} MB | "
        f"{' / '.join(f'{r:.0f}' for r in two['busy_rss_mb'])} MB | |",
    ]
    for key, name in (
        ("workers", "CPU: PeaceWatch workers"),
        ("postgres", "CPU: PostgreSQL backends"),
        ("client", "CPU: the clients (this process)"),
    ):
        cells = [
            f"{r['cpu'][key]:.1f} s ({100 * r['cpu'][key] / r['capacity']:.0f}% of 2 cores), "
            f"{1000 * r['cpu'][key] / r['reports']:.2f} ms/report"
            for r in (one, two)
        ]
        lines.append(f"| {name} | {cells[0]} | {cells[1]} | |")
    busy = [sum(r["cpu"].values()) / r["capacity"] for r in (one, two)]
    lines.append(f"| CPU of the 2 cores used by the three | {busy[0]:.0%} | {busy[1]:.0%} | |")
    for run in runs:
        total = sum(run["waits"].values()) or 1
        lines += [
            "",
            f"What the PostgreSQL backends serving {run['workers']} worker(s) were doing "
            f"(pg_stat_activity every 50 ms during the run; {total:,} samples of busy "
            f"backends):",
            "",
            "| state | share |",
            "|---|---:|",
            *[f"| {name} | {100 * n / total:.0f}% |" for name, n in run["waits"].items()],
        ]
    if prof:
        total = sum(prof.values())
        lines += [
            "",
            f"Where a worker's CPU goes (py-spy, on-CPU samples of 1 worker under the same load, "
            f"{total:,} samples; each sample counted to the innermost frame of a known "
            f"package):",
            "",
            "| stage | share of the worker's CPU |",
            "|---|---:|",
            *[f"| {name} | {100 * n / total:.1f}% |" for name, n in prof.most_common()],
        ]
    lines.append(
        f"\nLoad average at the start: {args.load}. "
        "Nothing but the database is shared by the workers: each has its own pool, caches and "
        "LISTEN connection; the load balancer is the kernel's accept queue of the shared socket."
    )
    with output.open("a") as f:
        f.write("\n".join(lines) + "\n")
    write_result(
        "scaleout",
        [
            figure("ingest, 1 worker", round(one["rate"]), "reports/s"),
            figure("ingest, 2 workers", round(two["rate"]), "reports/s"),
            figure(
                "2 workers / 1 worker",
                round(ratio, 2),
                "×",
                target=f"≥ {RATIO_TARGET}×",
                met=ratio >= RATIO_TARGET,
            ),
            figure(
                "idle RSS per worker",
                round(idle),
                "MB",
                target=f"≤ {RSS_TARGET_MB:.0f} MB",
                met=idle <= RSS_TARGET_MB,
            ),
        ],
        title="Scale-out on PostgreSQL",
        setup=lines[3],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=6000, help="reports in the timed run")
    parser.add_argument("--clients", type=int, default=16, help="concurrent HTTP connections")
    parser.add_argument("--batches", default="1,10", help="reports per POST, in turn")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare")
    parser.add_argument("--rest", type=float, default=5.0, help="seconds idle before RSS")
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy profile")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args()
    args.load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    logs = Path(tempfile.mkdtemp(prefix="pw-scaleout-"))
    runs = [run_one(int(n), args, logs) for n in args.workers.split(",")]
    for run in runs:
        print(orjson.dumps(run).decode())
    prof = None if args.no_profile else profile(args, logs)
    if prof:
        print(dict(prof.most_common()))
    write_section(Path(args.output), runs, prof, args)
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
