"""Slow clients, idle timeouts and pings, connection limits, and the metrics route."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from peacewatch.store import Store
from peacewatch.tak.config import Config
from peacewatch.tak.connection import Connection, Encoded
from peacewatch.tak.cot import CotEvent
from peacewatch.tak.feed import Outgoing
from peacewatch.tak.server import Gateway
from tests.tak.clients import Client, raw, sa
from tests.tak.conftest import Running, gateway_running
from tests.tak.test_protocol_v1 import read_message


class _StalledTransport:
    """A socket whose buffer stays full: nothing written gets through."""

    def __init__(self) -> None:
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def abort(self) -> None:
        pass


def _event(uid: str, *, sa: bool) -> Encoded:
    return Encoded(Outgoing(CotEvent.now(uid, "a-f-G" if sa else "b-a-g"), sa))


def test_a_slow_client_drops_its_oldest_sa_and_keeps_alerts(sqlite_store: Store) -> None:
    gateway = Gateway(sqlite_store, Config(queue_size=10))
    connection = Connection(gateway, "tcp")
    connection.transport = _StalledTransport()  # type: ignore[assignment]
    connection.ready = True
    connection.pause_writing()  # the socket's buffer is full
    connection.enqueue([_event("alert-1", sa=False)])
    positions = [_event(f"sa-{i}", sa=True) for i in range(30)]
    connection.enqueue(positions)
    connection.enqueue([_event("alert-2", sa=False)])
    # What was dropped was never encoded: encoding waits until the event is sent.
    assert all(p._xml is None and p._proto is None for p in positions[:22])
    queued = [encoded.xml() for _, encoded in connection.queue]
    assert len(queued) == 10  # bounded
    assert gateway.metrics.dropped == 22
    assert b'uid="alert-1"' in queued[0] and b'uid="alert-2"' in queued[-1]
    assert b'uid="sa-29"' in queued[-2] and not any(b'uid="sa-0"' in q for q in queued)
    connection.resume_writing()  # drained: everything waiting goes out, in order
    assert not connection.queue
    sent = b"".join(connection.transport.written)  # type: ignore[attr-defined]
    assert sent.index(b'uid="alert-1"') < sent.index(b'uid="sa-29"') < sent.index(b"alert-2")


def test_a_stalled_client_does_not_hold_up_others(running: Running) -> None:
    url = f"tcp://127.0.0.1:{running.ports['tcp']}"

    async def scenario() -> None:
        _, stalled = await raw(running.ports["tcp"])  # connects and never reads
        sender, watcher = await Client.open(url), await Client.open(url)
        await asyncio.sleep(0.2)
        padding = b"x" * 4000
        for i in range(3000):  # ~12 MB to the stalled one: more than socket buffers hold
            await sender.send(sa(f"ANDROID-many-{i % 50}", "MANY " + padding.decode()))
        await sender.send(sa("ANDROID-last", "LAST"))
        await watcher.wait_for("ANDROID-last", timeout=30)
        stalled.close()
        sender.close()
        watcher.close()

    asyncio.run(scenario())
    assert running.status()["dropped"] > 0  # the stalled client's queue, and only that one


def test_silent_clients_are_pinged_then_dropped(sqlite_store: Store, cert_dir: Path) -> None:
    with gateway_running(sqlite_store, cert_dir, idle_timeout=1.5, ping_interval=0.3) as running:

        async def scenario() -> None:
            reader, _ = await raw(running.ports["tcp"])
            kinds: list[bytes] = []
            try:
                while True:
                    kinds.append((await asyncio.wait_for(read_message(reader), 5))[1])
            except (asyncio.IncompleteReadError, ConnectionResetError):
                pass  # closed by the gateway
            assert any(b'type="t-x-c-t"' in k for k in kinds)

        asyncio.run(scenario())
        running.wait_for(lambda: running.status()["closed"].get("idle") == 1)


def test_connections_over_the_limit_are_refused(sqlite_store: Store, cert_dir: Path) -> None:
    with gateway_running(sqlite_store, cert_dir, max_connections=3) as running:

        async def scenario() -> list[Any]:
            return [await raw(running.ports["tcp"]) for _ in range(5)]

        opened = asyncio.run(scenario())
        running.wait_for(lambda: running.status()["refused"].get("limit") == 2)
        assert running.status()["connections"]["open"] == 3
        del opened


def test_status_route_reports_the_gateway(running: Running) -> None:
    from fastapi.testclient import TestClient

    from peacewatch.api import create_app
    from peacewatch.settings import Settings
    from tests.conftest import bearer

    app = create_app(Settings(database_url=str(running.store.engine.url)), store=running.store)
    with TestClient(app, headers=bearer(running.store, running.users["fra.patrol"])) as client:
        assert client.get("/api/v1/tak/status").json() == {"running": False}
        app.state.tak = running.gateway
        body = client.get("/api/v1/tak/status").json()
    assert body["running"] is True
    assert set(body["listening"]) == {"tcp", "udp", "tls"}
    for key in ("connections", "messages_in", "messages_out", "dropped", "errors"):
        assert key in body
    with TestClient(app) as anonymous:
        assert anonymous.get("/api/v1/tak/status").status_code == 401


def test_gateway_starts_and_stops_with_the_api(sqlite_store: Store) -> None:
    from fastapi.testclient import TestClient

    from peacewatch.api import create_app
    from peacewatch.settings import Settings
    from tests.conftest import _free_port, bearer
    from tests.tak.conftest import tak_users

    users = tak_users(sqlite_store)
    port = _free_port()
    settings = Settings(
        database_url=str(sqlite_store.engine.url), tak_enabled=True, tak_tcp_port=port,
        tak_udp_port=0, tak_tls_port=0, tak_plain_user="gbr.patrol",
    )  # fmt: skip
    app = create_app(settings, store=sqlite_store)
    with TestClient(app, headers=bearer(sqlite_store, users["gbr.patrol"])) as client:
        body = client.get("/api/v1/tak/status").json()
        assert body["running"] is True and body["listening"] == {"tcp": port}

        async def connect() -> bytes:
            reader, writer = await raw(port)
            greeting = (await read_message(reader))[1]
            writer.close()
            return greeting

        assert b"t-x-takp-v" in asyncio.run(connect())
    assert app.state.tak._hook not in sqlite_store.hooks  # stopped with the app
