"""Several PeaceWatch processes on one PostgreSQL: the live feed crosses them.

Real processes on loopback: two ``peacewatch serve`` on two ports (two hosts, as far as the
feed can tell), a ``peacewatch serve --workers 2`` and a stand-alone ``peacewatch tak serve``.
A report accepted by one reaches the SSE subscribers and TAK clients of the others through
PostgreSQL LISTEN/NOTIFY within 2 s, and only those who may see it.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from click.testing import CliRunner

from peacewatch.cli import main
from peacewatch.store import open_store, pg_notify
from peacewatch.store.migrate import upgrade
from tests.conftest import PG_ADMIN_URL, _free_port, bearer, make_user, seed
from tests.helpers import report
from tests.tak.clients import Client

ARRIVAL_S = 2.0
SHOWN = "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"
HIDDEN = "NATO SECRET REL TO NATO"


class Proc:
    """A PeaceWatch command in a child process, ready once ``ready()`` holds."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args, self.env, self.log_path = args, env, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, ready: Any, within: float = 120.0) -> None:
        """Start and wait for ``ready()`` (fail the test with the log when it does not come)."""
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "peacewatch.cli", *self.args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + within
        while not ready():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{self.args[0]} did not start: {self.log()[-3000:]}")
            time.sleep(0.3)

    def log(self) -> str:
        """What the process wrote."""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int | None:
        """SIGTERM and wait; returns the exit code."""
        if self.proc is None:
            return None
        self.proc.terminate()
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            pytest.fail(f"{self.args[0]} did not stop on SIGTERM: {self.log()[-2000:]}")
        finally:
            self.proc = None


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _listeners(dsn: str) -> list[int]:
    """Backend pids of the LISTEN connections of PeaceWatch processes on this database."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'peacewatch-listen' "
            "AND datname = current_database() ORDER BY pid"
        ).fetchall()
    return [int(r[0]) for r in rows]


def _wait_listeners(dsn: str, count: int, within: float = 30.0) -> list[int]:
    deadline = time.monotonic() + within
    while len(found := _listeners(dsn)) < count:
        if time.monotonic() > deadline:
            pytest.fail(f"{count} listeners expected on the database, found {len(found)}")
        time.sleep(0.2)
    return found


@dataclass
class Cluster:
    """The database, its users' tokens and the running processes."""

    dsn: str
    env: dict[str, str]
    tokens: dict[str, dict[str, str]]
    host_a: str
    host_b: str
    tak_port: int
    logs: Path


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A fresh PostGIS database with users; two `serve` hosts and a `tak serve` on it."""
    name = f"peacewatch_multinode_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is needed for the multi-node tests and does not answer: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    dsn = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    store = open_store(dsn)
    upgrade(store)
    seed(store)
    writer = make_user(store, "gbr.writer", communities=("NATO", "KFOR", "PARTNER"))
    liaison = make_user(
        store, "ukr.liaison", nation="UKR", communities=("PARTNER",), roles=("partner_liaison",)
    )
    tokens = {"writer": bearer(store, writer), "liaison": bearer(store, liaison)}
    store.dispose()

    logs = tmp_path_factory.mktemp("multinode")
    env = {**os.environ, "PEACEWATCH_DATABASE_URL": dsn}
    env.pop("PEACEWATCH_WORKERS", None)
    port_a, port_b, tak_port = _free_port(), _free_port(), _free_port()
    host_a, host_b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    procs = [
        (Proc(["serve"], {**env, "PEACEWATCH_PORT": str(port_a)}, logs / "a.log"), host_a),
        (Proc(["serve"], {**env, "PEACEWATCH_PORT": str(port_b)}, logs / "b.log"), host_b),
    ]
    tak_env = {
        **env,
        "PEACEWATCH_TAK_PLAIN_USER": "ukr.liaison",  # a partner: sees only what is released
        "PEACEWATCH_TAK_TCP_PORT": str(tak_port),
        "PEACEWATCH_TAK_UDP_PORT": "0",
        "PEACEWATCH_TAK_TLS_PORT": "0",
        "PEACEWATCH_TAK_CERT_DIR": str(logs / "tak-certs"),
    }
    tak = Proc(["tak", "serve"], tak_env, logs / "tak.log")
    try:
        for proc, url in procs:
            proc.start(lambda url=url: _answers(url))
        tak.start(lambda: '"tcp"' in tak.log())
        _wait_listeners(dsn, 3)  # one per process
        yield Cluster(dsn, env, tokens, host_a, host_b, tak_port, logs)
    finally:
        for proc, _ in procs:
            proc.stop()
        tak.stop()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Feed:
    """An SSE subscriber on a thread: the (event, data) it receives, with arrival times."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.events: queue.Queue[tuple[float, str, dict[str, Any]]] = queue.Queue()
        self.started = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(url, headers), daemon=True)
        self._thread.start()
        if not self.started.wait(30):
            pytest.fail(f"the live feed of {url} did not start")

    def _run(self, url: str, headers: dict[str, str]) -> None:
        event = ""
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(60, read=None)) as http,
                http.stream("GET", f"{url}/api/v1/stream", headers=headers) as response,
            ):
                if response.status_code != 200:
                    return  # started stays unset: the test fails waiting for it
                for line in response.iter_lines():
                    if self._stop.is_set():
                        return
                    if line.startswith("event: "):
                        event = line[7:]
                    elif line.startswith("data: ") and event == "resume":
                        self.started.set()  # the feed's starting point is fixed from here
                    elif line.startswith("data: "):
                        self.events.put((time.monotonic(), event, json.loads(line[6:])))
        except httpx.HTTPError:
            # A server stopped at the end of a test closes its feeds; what was received stays
            # in ``events``, and a feed that breaks early shows as missing reports.
            return

    def reports(self, seconds: float) -> dict[str, float]:
        """Report id -> arrival time of the reports received within ``seconds``."""
        got: dict[str, float] = {}
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                at, event, data = self.events.get(timeout=left)
            except queue.Empty:
                break
            if event == "report":
                got[data["id"]] = at
        return got

    def close(self) -> None:
        """Stop reading (the connection closes with the next event or keepalive)."""
        self._stop.set()


def _post(url: str, headers: dict[str, str], records: list[dict[str, Any]]) -> float:
    """POST reports through a fresh connection; returns when the server acknowledged them."""
    response = httpx.post(f"{url}/api/v1/reports", json=records, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == len(records)
    return time.monotonic()


def test_report_on_one_host_reaches_the_feed_of_another_filtered(cluster: Cluster) -> None:
    partner = Feed(cluster.host_a, cluster.tokens["liaison"])
    nato = Feed(cluster.host_a, cluster.tokens["writer"])
    try:
        hidden, shown = report(label=HIDDEN), report(label=SHOWN)
        posted = _post(cluster.host_b, cluster.tokens["writer"], [hidden, shown])

        seen_by_nato = nato.reports(ARRIVAL_S + 1)
        assert set(seen_by_nato) == {hidden["id"], shown["id"]}
        assert max(seen_by_nato.values()) - posted <= ARRIVAL_S

        seen_by_partner = partner.reports(1.0)
        assert list(seen_by_partner) == [shown["id"]]  # never the NATO SECRET one
        assert seen_by_partner[shown["id"]] - posted <= ARRIVAL_S
    finally:
        partner.close()
        nato.close()


def test_the_feed_survives_a_lost_listen_connection(cluster: Cluster) -> None:
    """The database drops every LISTEN connection (a restart, a failover): each process
    reconnects by itself, and reports accepted afterwards still cross."""
    nato = Feed(cluster.host_a, cluster.tokens["writer"])
    try:
        before = _listeners(cluster.dsn)
        with psycopg.connect(cluster.dsn, autocommit=True) as conn:
            for pid in before:
                conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        after = _wait_listeners(cluster.dsn, len(before))
        assert not set(after) & set(before)  # new connections, not the terminated ones
        one = report(label=SHOWN)
        posted = _post(cluster.host_b, cluster.tokens["writer"], [one])
        got = nato.reports(ARRIVAL_S + 1)
        assert one["id"] in got and got[one["id"]] - posted <= ARRIVAL_S
    finally:
        nato.close()


def test_standalone_tak_gateway_rebroadcasts_reports_from_the_web(cluster: Cluster) -> None:
    hidden, shown = report(label=HIDDEN), report(label=SHOWN)

    async def run() -> tuple[float, float, set[str]]:
        client = await Client.open(f"tcp://127.0.0.1:{cluster.tak_port}")
        try:
            await asyncio.sleep(1.0)  # the gateway has the device in its user's group
            posted = await asyncio.to_thread(
                _post, cluster.host_a, cluster.tokens["writer"], [hidden, shown]
            )
            await client.wait_for(shown["id"], timeout=ARRIVAL_S + 3)
            arrived = time.monotonic()
            await client.none_of({hidden["id"]}, seconds=1.0)
            return posted, arrived, {str(e.get("uid")) for e in client.seen}
        finally:
            client.close()

    posted, arrived, uids = asyncio.run(run())
    assert arrived - posted <= ARRIVAL_S
    assert shown["id"] in uids and hidden["id"] not in uids


def test_serve_with_two_workers(cluster: Cluster) -> None:
    """`serve --workers 2`: two worker processes behind one port, each with its listener;
    reports posted on fresh connections (landing on either worker) reach one subscriber,
    as do reports accepted by another host; SIGTERM stops everything cleanly."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**cluster.env, "PEACEWATCH_PORT": str(port)}
    before = len(_listeners(cluster.dsn))
    server = Proc(["serve", "--workers", "2"], env, cluster.logs / "workers.log")
    server.start(lambda: _answers(url))
    try:
        _wait_listeners(cluster.dsn, before + 2)
        assert server.proc is not None
        children = subprocess.run(
            # -ww: without a terminal, ps cuts each line at 80 columns
            ["ps", "-ww", "--ppid", str(server.proc.pid), "-o", "args="],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        workers = [line for line in children.splitlines() if "--multiprocessing-fork" in line]
        assert len(workers) == 2, children
        feed = Feed(url, cluster.tokens["writer"])
        try:
            records = [report(label=SHOWN) for _ in range(8)]
            last = 0.0
            for record in records[:6]:
                last = _post(url, cluster.tokens["writer"], [record])
            last = _post(cluster.host_b, cluster.tokens["writer"], records[6:])
            got = feed.reports(ARRIVAL_S + 2)
            assert set(got) == {r["id"] for r in records}
            assert max(got.values()) - last <= ARRIVAL_S
        finally:
            feed.close()
    finally:
        code = server.stop()
    assert code == 0
    assert "Stopping parent process" in server.log()
    assert len(_listeners(cluster.dsn)) == before  # the workers closed their connections


def test_several_workers_are_refused_on_sqlite(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(
        main, ["--database", f"sqlite:///{tmp_path / 'x.db'}", "serve", "--workers", "2"]
    )
    assert done.exit_code == 2
    assert "--workers 2 needs PostgreSQL" in done.output
    assert not (tmp_path / "x.db").exists()  # refused before anything was opened
    zero = runner.invoke(main, ["serve", "--workers", "0"])
    assert zero.exit_code == 2 and "workers" in zero.output


def test_notify_payload_round_trip() -> None:
    """What a notification carries: the sender, the topic, and for corrections the uuids
    (the feed re-reads them through the label filter); never more than PostgreSQL takes."""
    rows = [{"uuid": str(uuid.uuid4())} for _ in range(3)]
    parsed = pg_notify.parse(pg_notify.payload("reports.corrected", rows))
    assert parsed == (pg_notify.origin(), "reports.corrected", [{"id": r["uuid"]} for r in rows])
    assert pg_notify.parse(pg_notify.payload("reports", rows)) == (
        pg_notify.origin(),
        "reports",
        [],
    )
    many = [{"uuid": str(uuid.uuid4())} for _ in range(1000)]
    assert len(pg_notify.payload("reports.corrected", many).encode()) < 8000
    assert pg_notify.parse("someone else's message") is None


def test_writers_interning_one_new_label_at_once(postgresql_session_store: Any) -> None:
    """Threads of several workers write reports with the same new label at the same moment:
    each is stored, the label once with its release codes once, and no id of a label that a
    rolled-back transaction inserted is ever cached."""
    from sqlalchemy import func, select

    from peacewatch.domain.labels import Label
    from peacewatch.store.label_filter import intern_label
    from peacewatch.store.tables import label_release_codes, labels
    from tests.conftest import empty

    store = postgresql_session_store
    empty(store)
    seed(store)
    label = Label.parse("NATO RESTRICTED REL TO FRA, GBR, USA")
    barrier = threading.Barrier(6)
    got: list[int] = []
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with store.write() as conn:
                barrier.wait(timeout=10)
                first = intern_label(conn, label, store.label_cache)
                again = intern_label(conn, label, store.label_cache)  # same transaction
                assert first == again
                time.sleep(0.05)  # hold the transaction open while the others insert
            got.append(first)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == [] and len(set(got)) == 1 and len(got) == 6
    with store.read() as conn:
        rows = conn.execute(select(func.count()).where(labels.c.marking == label.marking))
        assert rows.scalar_one() == 1
        codes = conn.execute(
            select(func.count()).where(label_release_codes.c.label_id == got[0])
        ).scalar_one()
    assert codes == 3

    # A transaction that inserts a label and then rolls back leaves nothing in the cache.
    other = Label.parse("NATO CONFIDENTIAL REL TO FRA, UKR")
    with pytest.raises(RuntimeError), store.write() as conn:
        intern_label(conn, other, store.label_cache)
        intern_label(conn, other, store.label_cache)
        raise RuntimeError("roll back")
    assert other.marking not in store.label_cache
    with store.write() as conn:
        fresh = intern_label(conn, other, store.label_cache)
        assert conn.execute(select(labels.c.id).where(labels.c.id == fresh)).scalar() == fresh


def test_listener_connects_as_the_pool_does() -> None:
    """A URL naming the primary and the standby: the LISTEN connection gets both hosts and
    asks for the writable one, so it follows a failover as the pool does."""
    store = open_store(
        "postgresql://pw:secret@/peacewatch?host=db1:5432&host=db2:5433"
        "&target_session_attrs=read-write"
    )
    try:
        info = dict(part.split("=", 1) for part in pg_notify.conninfo(store).split())
    finally:
        store.dispose()
    assert info["host"] == "db1,db2" and info["port"] == "5432,5433"
    assert info["target_session_attrs"] == "read-write" and info["dbname"] == "peacewatch"
    assert pg_notify.notify_written in store.hooks  # every write on PostgreSQL notifies
