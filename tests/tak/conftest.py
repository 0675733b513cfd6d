"""A running TAK gateway for the tests: its own event loop on a thread, free loopback ports,
TLS certificates made for the run, and users of two nations."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from peacewatch.compliance.judge import attach as attach_compliance
from peacewatch.fusion.engine import attach as attach_fusion
from peacewatch.ingest.bus import Bus
from peacewatch.security.users import User
from peacewatch.store import Store
from peacewatch.tak import certs
from peacewatch.tak.config import Config, server_tls
from peacewatch.tak.server import Gateway
from tests.conftest import make_user


@dataclass
class Running:
    """A gateway running on a thread's loop, with the users it knows."""

    gateway: Gateway
    loop: asyncio.AbstractEventLoop
    store: Store
    cert_dir: Path
    users: dict[str, User]

    @property
    def ports(self) -> dict[str, int]:
        """Listener → port."""
        return self.gateway.ports

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` on the gateway's loop and return its result."""
        future: Future[Any] = Future()

        def run() -> None:
            try:
                future.set_result(fn())
            except Exception as exc:
                future.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return future.result(timeout=10)

    def status(self) -> dict[str, Any]:
        """The gateway's metrics, read on its loop."""
        return dict(self.call(self.gateway.status))

    def wait_for(self, check: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until ``check()`` holds; fail the test when it does not in time."""
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                pytest.fail(f"timed out; gateway status: {self.status()}")
            time.sleep(0.02)


@pytest.fixture(scope="session")
def cert_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run's CA and server certificate (made once: RSA keys take a moment)."""
    folder = tmp_path_factory.mktemp("tak-certs")
    certs.init(folder, ["127.0.0.1"])
    return folder


@pytest.fixture(scope="session")
def client_certs(cert_dir: Path) -> dict[str, certs.Issued]:
    """Client certificates for the users of ``tak_users``."""
    return {
        name: certs.issue(cert_dir, name, host="127.0.0.1", port=8089)
        for name in ("gbr.patrol", "fra.patrol", "ukr.liaison")
    }


def tak_users(store: Store) -> dict[str, User]:
    """Patrol leaders of two nations (both in NATO and KFOR) and a partner liaison officer."""
    return {
        "gbr.patrol": make_user(
            store, "gbr.patrol", nation="GBR", clearance="NATO SECRET", roles=("patrol_leader",)
        ),
        "fra.patrol": make_user(
            store, "fra.patrol", nation="FRA", clearance="NATO SECRET", roles=("patrol_leader",)
        ),
        "ukr.liaison": make_user(
            store,
            "ukr.liaison",
            nation="UKR",
            clearance="NATO RESTRICTED",
            communities=("PARTNER",),
            roles=("partner_liaison",),
        ),
    }


@contextmanager
def gateway_running(store: Store, cert_dir: Path, **config: Any) -> Iterator[Running]:
    """Start a gateway on a thread (plain user gbr.patrol); stop it afterwards."""
    users = tak_users(store)
    attach_compliance(store)
    attach_fusion(store)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    settings: dict[str, Any] = {
        "tcp_port": 0,
        "udp_port": 0,
        "tls_port": 0,
        "plain_user": "gbr.patrol",
        **config,
    }
    gateway = Gateway(store, Config(**settings), tls=server_tls(cert_dir), bus=Bus())
    asyncio.run_coroutine_threadsafe(gateway.start(), loop).result(timeout=20)
    try:
        yield Running(gateway, loop, store, cert_dir, users)
    finally:
        asyncio.run_coroutine_threadsafe(gateway.stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


@pytest.fixture
def running(sqlite_store: Store, cert_dir: Path) -> Iterator[Running]:
    """A gateway on SQLite (most tests are about the gateway, not the store)."""
    with gateway_running(sqlite_store, cert_dir) as running:
        yield running


@pytest.fixture
def running_any(store: Store, cert_dir: Path) -> Iterator[Running]:
    """A gateway on each backend in turn."""
    with gateway_running(store, cert_dir) as running:
        yield running
