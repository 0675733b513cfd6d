"""Shared fixtures: stores on both backends, an in-process API client and a live server.

The PostgreSQL fixtures create and drop their own database (with PostGIS) on the server
named by PEACEWATCH_TEST_PG_ADMIN_URL (default: the local server on 127.0.0.1:5432). When no
server answers they fail loudly: they never skip.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import uvicorn
from sqlalchemy import text

from peacewatch.compliance import judge, rules
from peacewatch.domain.labels import Classification, Viewer
from peacewatch.fusion import aggregate as fusion_labels
from peacewatch.ingest import records
from peacewatch.security.credentials import issue
from peacewatch.security.policy import Role
from peacewatch.security.users import User, add_user
from peacewatch.settings import Settings
from peacewatch.store import Store, open_store
from peacewatch.store.migrate import upgrade
from peacewatch.store.tables import metadata

PG_ADMIN_URL = os.environ.get(
    "PEACEWATCH_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ["sqlite", "postgresql"]

ADMIN = Viewer(
    name="admin",
    nation="GBR",
    clearance=Classification.NATO_SECRET,
    communities=frozenset({"NATO", "KFOR", "PARTNER", "FRA", "USA"}),
)
NATIONS = [
    {"code": "GBR", "name": "United Kingdom", "kind": "nation"},
    {"code": "FRA", "name": "France", "kind": "nation"},
    {"code": "USA", "name": "United States", "kind": "nation"},
    {"code": "UKR", "name": "Ukraine", "kind": "nation"},
    {"code": "NATO", "name": "NATO", "kind": "community"},
    {"code": "KFOR", "name": "KFOR", "kind": "community"},
    {"code": "PARTNER", "name": "Partner nations", "kind": "community"},
]


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run (URL), dropped afterwards."""
    name = f"peacewatch_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = PG_ADMIN_URL
    try:
        conn = psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is needed for the PostGIS tests and does not answer: {exc}")
    with conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + "/" + name
    yield url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh SQLite file for this test run."""
    return f"sqlite:///{tmp_path_factory.mktemp('store') / 'peacewatch.db'}"


def _migrated(url: str) -> Iterator[Store]:
    store = open_store(url, sqlite_synchronous="NORMAL")
    upgrade(store)
    yield store
    store.dispose()


@pytest.fixture(scope="session")
def sqlite_session_store(sqlite_url: str) -> Iterator[Store]:
    """The run's migrated SQLite store (emptied between tests by ``store``)."""
    yield from _migrated(sqlite_url)


@pytest.fixture(scope="session")
def postgresql_session_store(pg_database: str) -> Iterator[Store]:
    """The run's migrated PostgreSQL + PostGIS store (emptied between tests by ``store``)."""
    yield from _migrated(pg_database)


def empty(store: Store) -> None:
    """Delete every row (the schema stays) but the audit trail, which the database keeps
    append-only: it grows over the run, and its chain must stay intact throughout."""
    with store.write() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name != "audit_log":
                conn.execute(table.delete())
        if store.backend == "sqlite":
            conn.execute(text("DELETE FROM reports_rtree"))
    store.label_cache.clear()
    rules.forget(store.engine)
    judge.forget_labels()
    fusion_labels.forget()


def seed(store: Store) -> None:
    """Nations, the KFOR mission and its two parties: what most tests stand on."""
    records.add_nations(store, NATIONS)
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
    for code, name in (("FRY", "FRY/Serbian forces"), ("UCK", "UÇK/KLA")):
        records.add_party(store, viewer=ADMIN, data={"code": code, "name": name, "mission": "KFOR"})


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Store:
    """An emptied, seeded store on each backend in turn."""
    s: Store = request.getfixturevalue(f"{request.param}_session_store")
    empty(s)
    seed(s)
    return s


@pytest.fixture(params=BACKENDS)
def empty_store(request: pytest.FixtureRequest) -> Store:
    """An emptied store (schema only) on each backend in turn."""
    s: Store = request.getfixturevalue(f"{request.param}_session_store")
    empty(s)
    return s


@pytest.fixture
def sqlite_store(sqlite_session_store: Store) -> Store:
    """An emptied, seeded SQLite store (for tests that are about SQLite itself)."""
    empty(sqlite_session_store)
    seed(sqlite_session_store)
    return sqlite_session_store


def make_user(
    store: Store,
    username: str,
    *,
    nation: str = "GBR",
    clearance: str = "NATO SECRET",
    communities: tuple[str, ...] = ("NATO", "KFOR"),
    roles: tuple[str, ...] = ("watchkeeper",),
    password: str | None = None,
) -> User:
    """A user (token-only unless a password is given: argon2 hashing is slow on purpose)."""
    return add_user(
        store,
        actor="tests",
        username=username,
        nation=nation,
        clearance=clearance,
        communities=communities,
        roles=roles,
        password=password,
    )


def bearer(store: Store, user: User) -> dict[str, str]:
    """Authorization header with a fresh token of ``user``."""
    issued = issue(store, user=user, kind="token", ttl=timedelta(hours=1))
    return {"Authorization": f"Bearer {issued.secret}"}


# The default API client's user: a GBR officer cleared NATO SECRET in NATO and KFOR holding
# every role, so that tests about resources need not be about permissions too.
ALL_ROLES = tuple(str(r) for r in Role)


@pytest.fixture
def app(store: Store) -> Any:
    """The app on each backend's store."""
    from peacewatch.api import create_app

    return create_app(Settings(database_url=str(store.engine.url)), store=store)


@pytest.fixture
def client(app: Any, store: Store) -> Iterator[Any]:
    """An in-process API client (httpx through the ASGI app) on each backend, logged in with
    a bearer token as ``operator`` (GBR, NATO SECRET, NATO and KFOR, every role)."""
    from fastapi.testclient import TestClient

    operator = make_user(store, "operator", roles=ALL_ROLES)
    with TestClient(app, raise_server_exceptions=False, headers=bearer(store, operator)) as c:
        yield c


@pytest.fixture
def anonymous(app: Any) -> Iterator[Any]:
    """An in-process API client with no credentials."""
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def served(app: Any) -> Iterator[str]:
    """The test's app served by uvicorn on a free loopback port, in a thread."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Accounts made on the live server for the browser tests: a NATO watchkeeper, a partner
# liaison officer who may see only what is released to PARTNER (fewer reports), a patrol
# leader who files reports and a compliance officer who rules on violations.
LIVE_USERS: list[dict[str, str]] = [
    {
        "username": "gbr.watch",
        "nation": "GBR",
        "clearance": "NATO SECRET",
        "roles": "watchkeeper",
        "communities": "NATO,KFOR",
    },
    {
        "username": "ukr.liaison",
        "nation": "UKR",
        "clearance": "NATO RESTRICTED",
        "roles": "partner_liaison",
        "communities": "PARTNER",
    },
    # Files reports through the API while a watchkeeper's page is open (the live feed tests).
    {
        "username": "usa.patrol",
        "nation": "USA",
        "clearance": "NATO RESTRICTED",
        "roles": "patrol_leader",
        "communities": "NATO,KFOR",
    },
    # Merges events from the map's popups and the merge tray.
    {
        "username": "gbr.analyst",
        "nation": "GBR",
        "clearance": "NATO SECRET",
        "roles": "analyst",
        "communities": "NATO,KFOR",
    },
    # Confirms or dismisses violations from the map's popups.
    {
        "username": "fra.officer",
        "nation": "FRA",
        "clearance": "NATO CONFIDENTIAL",
        "roles": "compliance_officer",
        "communities": "NATO,KFOR",
    },
]


class LiveServer(str):
    """The live server's base URL (a ``str``, usable wherever a URL is), with its accounts:
    ``users`` maps each user name to its password (random, made for this run)."""

    users: dict[str, str]

    def __new__(cls, url: str, users: dict[str, str]) -> LiveServer:
        server = super().__new__(cls, url)
        server.users = users
        return server


def run_cli(args: list[str], env: dict[str, str], stdin: str | None = None) -> None:
    """Run ``python -m peacewatch.cli ARGS``; fail the run with its output when it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "peacewatch.cli", *args],
        env=env,
        input=stdin,
        text=True,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"peacewatch {' '.join(args[:3])} failed: {done.stderr or done.stdout}")


def prepare_server(db: Path) -> tuple[dict[str, str], dict[str, str]]:
    """A SQLite database at ``db`` with the small Kosovo scenario and the accounts of
    ``LIVE_USERS``; returns (the server's environment, each account's password)."""
    static = Path(__file__).parents[1] / "src" / "peacewatch" / "static" / "index.html"
    if not static.is_file():
        pytest.fail("the web front end is not built: run `make web` (make test does)")
    env = {
        **os.environ,
        "PEACEWATCH_DATABASE_URL": f"sqlite:///{db}",
        "PEACEWATCH_PORT": str(_free_port()),
    }
    run_cli(["scenario", "load", "--size", "small"], env)
    passwords: dict[str, str] = {}
    for account in LIVE_USERS:
        password = secrets.token_urlsafe(18)
        run_cli(
            [
                "users",
                "add",
                account["username"],
                "--nation",
                account["nation"],
                "--clearance",
                account["clearance"],
                "--roles",
                account["roles"],
                "--communities",
                account["communities"],
                "--password-stdin",
            ],
            env,
            stdin=password + "\n",
        )
        passwords[account["username"]] = password
    return env, passwords


class ServerProcess:
    """``peacewatch serve`` in a child process, which a test may stop and start again (same
    port, same database)."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.url = f"http://127.0.0.1:{env['PEACEWATCH_PORT']}"
        self.log = open(log_path, "a")  # noqa: SIM115 - closed in close()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it answers /healthz (fail the test if it does not)."""
        proc = subprocess.Popen(
            [sys.executable, "-m", "peacewatch.cli", "serve"],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.proc = proc
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                self.log.flush()
                pytest.fail(f"the server did not start: {Path(self.log.name).read_text()[-2000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None

    def close(self) -> None:
        self.stop()
        self.log.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A real PeaceWatch server (uvicorn, SQLite) with the small Kosovo scenario loaded and
    the accounts of ``LIVE_USERS`` made with ``peacewatch users add``."""
    env, passwords = prepare_server(tmp_path_factory.mktemp("live") / "demo.db")
    server = ServerProcess(env, tmp_path_factory.mktemp("live-log") / "server.log")
    try:
        server.start()
        yield LiveServer(server.url, passwords)
    finally:
        server.close()
