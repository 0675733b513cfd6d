"""Crash harness shared by tests/reliability/test_crash.py and bench/soak.py: a store to crash,
a server to kill with SIGKILL and start again, clients that post reports and keep what the
server acknowledged, and the checks run on the store afterwards.

Starting ``peacewatch serve`` from scratch spends seconds importing the package, which would
make hundreds of crash cycles take an hour on a busy machine. So a *zygote* process imports
the package once and forks a fresh server for each cycle: the child runs the same code as
``peacewatch serve`` (``cli._serve``: open the store, migrate, build the app, uvicorn), owns
its own database connections, and is what the harness kills. ``Server(mode="exec")`` runs the
real command instead, for the final restart of a test and for the soak.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

import httpx
import psycopg
from sqlalchemy import text

from peacewatch.domain.labels import Classification, Viewer
from peacewatch.ingest import records
from peacewatch.security.credentials import issue
from peacewatch.security.users import add_user
from peacewatch.store import open_store
from peacewatch.store.migrate import upgrade

PG_ADMIN_URL = os.environ.get(
    "PEACEWATCH_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
ADMIN = Viewer("crash.admin", "GBR", Classification.NATO_SECRET, frozenset({"NATO", "KFOR"}))
LABEL = "NATO RESTRICTED REL TO KFOR, NATO"
ZYGOTE = Path(__file__).with_name("zygote.py")


class HarnessError(RuntimeError):
    """The harness could not set up, start or check what it was asked to."""


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Target:
    """A migrated, seeded store with a patrol leader's token, ready to be served."""

    backend: str
    url: str
    token: str
    pg_name: str | None = None

    def env(self, port: int) -> dict[str, str]:
        """The server's environment."""
        return {
            **os.environ,
            "PEACEWATCH_DATABASE_URL": self.url,
            "PEACEWATCH_PORT": str(port),
            "PEACEWATCH_SQLITE_SYNCHRONOUS": "FULL",  # the default, stated: what we test
        }

    def drop(self) -> None:
        """Drop the PostgreSQL database (a SQLite file goes with its folder)."""
        if self.pg_name is not None:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')


def prepare(backend: str, workdir: Path) -> Target:
    """A fresh store on ``backend`` with nations, the KFOR mission and a patrol leader."""
    pg_name = None
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'crash.db'}"
    else:
        pg_name = f"peacewatch_crash_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        try:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'CREATE DATABASE "{pg_name}"')
        except psycopg.OperationalError as exc:
            raise HarnessError(f"PostgreSQL does not answer at {PG_ADMIN_URL}: {exc}") from exc
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + pg_name
    store = open_store(url)
    try:
        upgrade(store)
        records.add_nations(
            store,
            [
                {"code": "GBR", "name": "United Kingdom", "kind": "nation"},
                {"code": "USA", "name": "United States", "kind": "nation"},
                {"code": "NATO", "name": "NATO", "kind": "community"},
                {"code": "KFOR", "name": "KFOR", "kind": "community"},
            ],
        )
        records.add_mission(
            store,
            viewer=ADMIN,
            data={
                "code": "KFOR",
                "name": "Kosovo Force",
                "start": "1999-06-12T00:00:00Z",
                "default_label": "NATO UNCLASSIFIED REL TO KFOR, NATO",
                "aoi": {
                    "type": "Polygon",
                    "coordinates": [
                        [[20.0, 41.8], [21.9, 41.8], [21.9, 43.3], [20.0, 43.3], [20.0, 41.8]]
                    ],
                },
            },
        )
        user = add_user(
            store, actor="crash", username="usa.patrol", nation="USA",
            clearance="NATO RESTRICTED", communities=("NATO", "KFOR"),
            roles=("patrol_leader",), password=None,
        )  # fmt: skip
        token = issue(store, user=user, kind="token", ttl=timedelta(days=2)).secret
    finally:
        store.dispose()
    return Target(backend=backend, url=url, token=token, pg_name=pg_name)


class Server:
    """A PeaceWatch server on ``target`` that can be killed (SIGKILL) and started again on
    the same port. ``mode="fork"`` forks it from a zygote that imported the package once;
    ``mode="exec"`` runs ``python -m peacewatch.cli serve``."""

    def __init__(self, target: Target, log_path: Path, *, mode: str = "fork") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = target.env(self.port)
        self.mode = mode
        self.log = log_path.open("a")
        self.pid: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._zygote: subprocess.Popen[str] | None = None
        self.starts: list[float] = []  # seconds from start to healthy, per start

    def _zygote_proc(self) -> subprocess.Popen[str]:
        if self._zygote is None or self._zygote.poll() is not None:
            self._zygote = subprocess.Popen(
                [sys.executable, str(ZYGOTE)],
                env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=self.log, text=True, bufsize=1,
            )  # fmt: skip
            if self._ask("ping") != "pong":
                raise HarnessError("the zygote did not start")
        return self._zygote

    def _ask(self, line: str) -> str:
        zygote = self._zygote
        assert zygote is not None and zygote.stdin is not None and zygote.stdout is not None
        zygote.stdin.write(line + "\n")
        zygote.stdin.flush()
        return zygote.stdout.readline().strip()

    def start(self, timeout: float = 120) -> float:
        """Start the server and wait until /healthz answers; returns the seconds it took."""
        t0 = time.monotonic()
        if self.mode == "fork":
            self._zygote_proc()
            self.pid = int(self._ask("start"))
        else:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "peacewatch.cli", "serve"],
                env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            self.pid = self._proc.pid
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if not self.alive() or time.monotonic() - t0 > timeout:
                self.log.flush()
                tail = Path(self.log.name).read_text()[-2000:]
                raise HarnessError(f"the server did not start: {tail}")
            time.sleep(0.02)
        took = time.monotonic() - t0
        self.starts.append(took)
        return took

    def alive(self) -> bool:
        """Whether the server process still runs."""
        if self.pid is None:
            return False
        if self._proc is not None:
            return self._proc.poll() is None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        with open(f"/proc/{self.pid}/stat") as fh:  # a zombie waits for the zygote to reap it
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"

    def kill(self) -> None:
        """SIGKILL the server and wait until it is gone."""
        if self.pid is None:
            return
        os.kill(self.pid, signal.SIGKILL)
        if self._proc is not None:
            self._proc.wait(timeout=30)
            self._proc = None
        else:
            self._ask(f"reap {self.pid}")
        self.pid = None

    def stop(self) -> None:
        """Stop the server gracefully (SIGTERM)."""
        if self.pid is None:
            return
        os.kill(self.pid, signal.SIGTERM)
        if self._proc is not None:
            self._proc.wait(timeout=30)
            self._proc = None
        else:
            self._ask(f"reap {self.pid}")
        self.pid = None

    def rss_kb(self) -> int:
        """The server's resident memory (VmRSS from /proc), in kB."""
        with open(f"/proc/{self.pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise HarnessError("no VmRSS")

    def close(self) -> None:
        """Stop the server and the zygote."""
        try:
            self.stop()
        finally:
            if self._zygote is not None and self._zygote.poll() is None:
                assert self._zygote.stdin is not None
                self._zygote.stdin.close()
                self._zygote.wait(timeout=30)
            self.log.close()


def new_record(client: int, n: int, rng: random.Random) -> dict[str, Any]:
    """A valid SPOT-like report with a fresh client UUID; its title names client and number."""
    return {
        "id": str(uuid.uuid4()),
        "kind": "armed_clash",
        "observed_at": "1999-07-01T09:30:00Z",
        "lon": round(20.3 + rng.random() * 1.4, 5),
        "lat": round(42.0 + rng.random() * 1.1, 5),
        "grade": "B2",
        "title": f"crash client {client} report {n}",
        "label": LABEL,
    }


@dataclass
class Ledger:
    """What the clients sent and what the server acknowledged."""

    sent: set[str] = field(default_factory=set)
    acknowledged: set[str] = field(default_factory=set)
    ack_counts: dict[str, int] = field(default_factory=dict)  # ids acknowledged as new
    # Batches resent after a failed attempt, and how many of their reports the server said
    # were duplicates: stored by the killed server without its answer reaching the client.
    retried_batches: int = 0
    committed_unacknowledged: int = 0
    failed_posts: int = 0
    posts: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Clients:
    """Threads posting batches of 1-5 reports, each resent (same ids) until acknowledged."""

    def __init__(
        self, url: str, token: str, *, clients: int = 4, seed: int = 1999, pause: float = 0.0
    ) -> None:
        self.url, self.token, self.pause = url, token, pause
        self.ledger = Ledger()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(i, seed + i), daemon=True, name=f"client-{i}")
            for i in range(clients)
        ]

    def __enter__(self) -> Clients:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Ask the clients to finish their batch (acknowledged or given up) and stop."""
        self._stop.set()
        for t in self._threads:
            t.join(timeout=120)

    def _run(self, client: int, seed: int) -> None:
        rng = random.Random(seed)
        headers = {"Authorization": f"Bearer {self.token}"}
        n = 0
        with httpx.Client(base_url=self.url, headers=headers, timeout=30) as http:
            while not self._stop.is_set():
                batch = [new_record(client, n + i, rng) for i in range(rng.randint(1, 5))]
                n += len(batch)
                with self.ledger.lock:
                    self.ledger.sent.update(r["id"] for r in batch)
                self._post_until_acknowledged(http, batch)
                if self.pause:
                    self._stop.wait(self.pause)

    def _post_until_acknowledged(self, http: httpx.Client, batch: list[dict[str, Any]]) -> None:
        ledger, attempts = self.ledger, 0
        # After stop(), one more try at most: the last batch may die with the server.
        while attempts == 0 or not self._stop.is_set() or attempts < 2:
            attempts += 1
            t0 = time.monotonic()
            try:
                res = http.post("/api/v1/reports", json=batch)
            except httpx.HTTPError:
                with ledger.lock:
                    ledger.failed_posts += 1
                time.sleep(0.02)
                continue
            with ledger.lock:
                ledger.posts += 1
            if res.status_code != 200:
                with ledger.lock:
                    ledger.failed_posts += 1
                    if res.status_code < 500:  # a client error is a bug in the test or server
                        ledger.errors.append(f"{res.status_code}: {res.text[:300]}")
                time.sleep(0.02)
                continue
            body = res.json()
            with ledger.lock:
                ledger.latencies.append(time.monotonic() - t0)
                if body["accepted"] + body["duplicates"] != len(batch) or body["rejected"]:
                    ledger.errors.append(f"unexpected summary {body}")
                ledger.acknowledged.update(r["id"] for r in batch)
                for rid in body["accepted_ids"]:
                    ledger.ack_counts[rid] = ledger.ack_counts.get(rid, 0) + 1
                if attempts > 1:
                    ledger.retried_batches += 1
                    ledger.committed_unacknowledged += int(body["duplicates"])
            return


def crash_cycles(
    server: Server,
    cycles: int,
    rng: random.Random,
    *,
    min_delay: float = 0.05,
    max_delay: float = 0.4,
    budget_s: float | None = None,
) -> Iterator[int]:
    """Kill the (running) server after a random delay and start it again, ``cycles`` times
    (or until ``budget_s`` runs out); yields the number of each finished cycle."""
    t0 = time.monotonic()
    for cycle in range(1, cycles + 1):
        time.sleep(rng.uniform(min_delay, max_delay))
        server.kill()
        server.start()
        yield cycle
        if budget_s is not None and time.monotonic() - t0 > budget_s:
            return


@dataclass
class Findings:
    """What the store holds after the crashes, and what is wrong with it."""

    stored: int
    lost: list[str]
    duplicated: list[str]
    phantom: list[str]
    integrity: list[str]


def check_store(target: Target, ledger: Ledger) -> Findings:
    """Every acknowledged report stored exactly once, nothing stored that was never sent,
    and the backend's own integrity checks clean."""
    store = open_store(target.url)
    problems: list[str] = []
    try:
        with store.read() as conn:
            rows = conn.execute(text("SELECT uuid, count(*) FROM reports GROUP BY uuid")).all()
            problems += store.spatial.check_integrity(conn)
            problems += _backend_checks(conn, target.backend)
            from peacewatch.store import audit

            chain = audit.verify(conn)
            if not chain.ok:
                problems.append(f"audit chain: {chain}")
    finally:
        store.dispose()
    counts = {str(u): int(n) for u, n in rows}
    return Findings(
        stored=len(counts),
        lost=sorted(ledger.acknowledged - set(counts)),
        duplicated=sorted(u for u, n in counts.items() if n != 1)
        + sorted(u for u, n in ledger.ack_counts.items() if n != 1),
        phantom=sorted(set(counts) - ledger.sent),
        integrity=problems,
    )


def _backend_checks(conn: Any, backend: str) -> list[str]:
    problems: list[str] = []
    if backend == "sqlite":
        fks = conn.execute(text("PRAGMA foreign_key_check")).all()
        problems += [f"foreign key: {tuple(r)}" for r in fks]
        reports = conn.execute(text("SELECT count(*) FROM reports")).scalar_one()
        indexed = conn.execute(text("SELECT count(*) FROM reports_rtree")).scalar_one()
        if reports != indexed:
            problems.append(f"{reports} reports but {indexed} R*Tree entries")
        return problems
    # amcheck: every btree index of ours, with heapallindexed (every row has its entry).
    conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
    indexes = conn.execute(
        text(
            "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE am.amname = 'btree' AND n.nspname = 'public' AND c.relpersistence != 't'"
        )
    ).scalars()
    checked = 0
    for index in indexes:
        try:
            conn.execute(text("SELECT bt_index_check(CAST(:i AS regclass), true)"), {"i": index})
            checked += 1
        except Exception as exc:  # amcheck raises on corruption: that is a finding
            problems.append(f"amcheck {index}: {exc}")
    if checked == 0:
        problems.append("amcheck checked no index")
    fks = conn.execute(
        text(
            "SELECT count(*) FROM event_reports er LEFT JOIN reports r ON r.id = er.report_id "
            "WHERE r.id IS NULL"
        )
    ).scalar_one()
    if fks:
        problems.append(f"{fks} event_reports without their report")
    return problems


def log_stream(path: Path) -> IO[str]:
    """An append-mode log file."""
    return path.open("a")
