"""The gateway: TCP (8087), TLS (8089) and UDP (6969) listeners on one asyncio loop.

Who a connection is: over TLS, the user named by the client certificate's common name (issued
by ``peacewatch tak cert issue USER``); over plain TCP and UDP, which carry no identity, the
one user named by ``PEACEWATCH_TAK_PLAIN_USER`` (the plain listeners are off without it, and
refuse to start on an address other than loopback: anyone who can reach them would act as
that user). A disabled or unknown user is refused.

What a user may do is their roles' permissions: ``tracks:write`` to send positions,
``reports:write`` to send markers and spot reports, ``picture:read`` to be sent anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from peacewatch.domain.labels import Viewer
from peacewatch.errors import ValidationFailed
from peacewatch.ingest.bus import Bus
from peacewatch.security.policy import Permission
from peacewatch.security.users import User, get_user
from peacewatch.settings import Settings
from peacewatch.store import Store
from peacewatch.store.pg_notify import Listener
from peacewatch.tak import cot, feed, meaning, proto
from peacewatch.tak.config import LOOPBACK, Config, server_tls
from peacewatch.tak.connection import Connection, Encoded
from peacewatch.tak.cot import CotEvent
from peacewatch.tak.datagrams import Datagrams
from peacewatch.tak.metrics import Metrics
from peacewatch.tak.sink import Sink

# A backstop for writes made by other processes: on SQLite they cannot wake this one (on
# PostgreSQL they do, through pg_notify.Listener).
POLL_S = 2.0
USER_CACHE_S = 30.0
PICTURE_S = 1.0


class Gateway:
    """Listeners, connections grouped by user, the feed and the sink."""

    def __init__(
        self,
        store: Store,
        config: Config,
        *,
        tls: ssl.SSLContext | None = None,
        bus: Bus | None = None,
    ) -> None:
        self.store, self.config, self.tls, self.bus = store, config, tls, bus
        self.metrics = Metrics()
        self.connections: set[Connection] = set()
        self.groups: dict[Viewer, set[Connection]] = {}
        self.cursors: dict[Viewer, feed.Cursor] = {}
        self.ports: dict[str, int] = {}
        self.plain: User | None = None
        self._users: dict[str, tuple[float, User | None]] = {}
        self._pictures: dict[Viewer, tuple[float, list[Encoded]]] = {}
        self._servers: list[asyncio.AbstractServer] = []
        self._udp: asyncio.DatagramTransport | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tak-feed")
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.sink: Sink | None = None
        self.takp_support = cot.control_event(
            meaning.TAKP_SUPPORT, '<TakControl><TakProtocolSupport version="1"/></TakControl>'
        )
        self._unhook: Any = None
        self._listener: Listener | None = None

    # life cycle -----------------------------------------------------------------------------

    def unsafe_reasons(self) -> list[str]:
        """Why this configuration must not start (empty when it may)."""
        if self.config.plain_user and self.config.host not in LOOPBACK:
            return [
                f"the plain TCP/UDP listeners would act as {self.config.plain_user} for anyone "
                f"who reaches {self.config.host}: bind them to loopback "
                "(PEACEWATCH_TAK_HOST=127.0.0.1) or use TLS with client certificates"
            ]
        return []

    async def start(self) -> None:
        """Open the listeners and start the feed, the sink and the housekeeping."""
        reasons = self.unsafe_reasons()
        if reasons:
            raise ValidationFailed(reasons[0], [])
        loop = self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        if self.config.plain_user:
            self.plain = await loop.run_in_executor(self._reader, self._load_user, "")
        self.sink = Sink(
            self.store,
            mission=self.config.mission,
            metrics=self.metrics,
            bus=self.bus,
            on_written=self.wake_soon,
        )
        self.sink.start()
        if self.bus is not None:
            self._unhook = self.bus.subscribe(lambda _topic, _items: self.wake_soon())
        else:  # a gateway of its own: on PostgreSQL, the web workers' writes wake it
            self._listener = Listener.for_store(self.store, lambda _t, _i: self.wake_soon())
            if self._listener is not None:
                self._listener.start()
        self.store.hooks.append(self._hook)
        host, cfg = self.config.host, self.config
        if cfg.tcp_port is not None and self.plain is not None:
            await self._listen("tcp", cfg.tcp_port, None)
        if cfg.tls_port is not None and self.tls is not None:
            await self._listen("tls", cfg.tls_port, self.tls)
        if cfg.udp_port is not None and self.plain is not None:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: Datagrams(self), local_addr=(host, cfg.udp_port)
            )
            self._udp = transport
            self.ports["udp"] = int(transport.get_extra_info("sockname")[1])
        self.metrics.listening = dict(self.ports)
        self._tasks = [
            loop.create_task(self._feed_loop()),
            loop.create_task(self._housekeeping()),
        ]

    async def _listen(self, name: str, port: int, tls: ssl.SSLContext | None) -> None:
        server = await asyncio.get_running_loop().create_server(
            lambda: Connection(self, name),
            self.config.host,
            port,
            ssl=tls,
            ssl_handshake_timeout=10.0 if tls else None,
            backlog=1024,
        )
        self._servers.append(server)
        self.ports[name] = int(server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Close everything; what devices sent is written before this returns."""
        for task in self._tasks:
            task.cancel()
        for server in self._servers:
            server.close()
        if self._udp is not None:
            self._udp.close()
        for connection in list(self.connections):
            connection.close("shutdown")
        if self._unhook is not None:
            self._unhook()
        if self._listener is not None:
            await self._listener.stop()
        if self._hook in self.store.hooks:
            self.store.hooks.remove(self._hook)
        if self.sink is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.sink.stop)
        self._reader.shutdown(wait=True)

    # who connects ---------------------------------------------------------------------------

    def _load_user(self, name: str) -> User | None:
        name = name or (self.config.plain_user or "")
        cached = self._users.get(name)
        if cached is not None and time.monotonic() - cached[0] < USER_CACHE_S:
            return cached[1]
        with self.store.read() as conn:
            user = get_user(conn, name)
        if user is not None and (user.disabled or Permission.READ not in user.permissions):
            user = None
        self._users[name] = (time.monotonic(), user)
        return user

    async def user_of(self, connection: Connection) -> User | None:
        """The user of a connection: its certificate's CN (TLS) or the plain user."""
        if connection.listener != "tls":
            return self.plain
        assert connection.transport is not None
        cert = connection.transport.get_extra_info("peercert") or {}
        names = [v for rdn in cert.get("subject", ()) for k, v in rdn if k == "commonName"]
        if not names:
            return None
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reader, self._load_user, names[0])

    def admit(self, connection: Connection) -> bool:
        """Count a new connection in, unless the limit is reached."""
        if len(self.connections) >= self.config.max_connections:
            self.metrics.refused["limit"] += 1
            return False
        self.connections.add(connection)
        return True

    def release(self, connection: Connection) -> bool:
        """Forget a connection; True when it was counted."""
        if connection not in self.connections:
            return False
        self.connections.discard(connection)
        if connection.user is not None:
            group = self.groups.get(connection.user.viewer)
            if group is not None:
                group.discard(connection)
                if not group:
                    del self.groups[connection.user.viewer]
                    self.cursors.pop(connection.user.viewer, None)
        return True

    async def register(self, connection: Connection) -> None:
        """Put a ready connection in its user's group and send it the current picture."""
        assert connection.user is not None
        viewer = connection.user.viewer
        loop = asyncio.get_running_loop()
        if viewer not in self.groups:
            self.groups[viewer] = set()
            self.cursors[viewer] = await loop.run_in_executor(self._reader, self._newest)
        group = self.groups.setdefault(viewer, set())
        if connection.closed:  # gone while its user's cursor was read
            if not group:
                del self.groups[viewer]
                self.cursors.pop(viewer, None)
            return
        group.add(connection)
        connection.enqueue(await self._picture(viewer))

    async def _picture(self, viewer: Viewer) -> list[Encoded]:
        """The snapshot for ``viewer``, shared by the connections that arrive within a
        second of each other (a reconnecting platoon reads it once, not once per device)."""
        cached = self._pictures.get(viewer)
        if cached is not None and time.monotonic() - cached[0] < PICTURE_S:
            return cached[1]
        loop = asyncio.get_running_loop()
        items = await loop.run_in_executor(self._reader, self._snapshot, viewer)
        picture = [Encoded(item) for item in items]
        self._pictures[viewer] = (time.monotonic(), picture)
        return picture

    def _newest(self) -> feed.Cursor:
        with self.store.read() as conn:
            return feed.newest(conn)

    def _snapshot(self, viewer: Viewer) -> list[feed.Outgoing]:
        with self.store.read() as conn:
            return feed.snapshot(conn, viewer=viewer, mission=self.config.mission)

    # what comes in --------------------------------------------------------------------------

    def handle(
        self, connection: Connection | None, event: CotEvent, user: User | None = None
    ) -> None:
        """Act on one event from a device (``connection`` is None for UDP)."""
        user = user or (connection.user if connection is not None else None)
        if user is None:
            return
        kind = event.type
        if kind == meaning.PING:
            if connection is not None:
                connection.send_control(CotEvent.now("peacewatch-pong", meaning.PONG, stale_s=20))
            return
        if kind == meaning.TAKP_QUERY:
            if connection is not None:
                self._negotiate(connection, event)
            return
        if kind.startswith("t-x-"):
            return  # other control (a pong, a client's support message)
        assert self.sink is not None
        if meaning.is_position(event):
            if Permission.WRITE_TRACKS not in user.permissions:
                self.metrics.error("forbidden")
                return
            if connection is not None:
                connection.sent_by_me(event.uid)
            self.sink.position(
                user.viewer,
                meaning.position(event, nation=user.nation, mission=self.config.mission),
            )
            return
        kind_of_report = meaning.report_kind(event)
        if kind_of_report is None:
            self.metrics.ignored += 1
            return
        if Permission.WRITE_REPORTS not in user.permissions:
            self.metrics.error("forbidden")
            return
        if connection is not None:
            connection.sent_by_me(event.uid)
        self.sink.report(user.viewer, meaning.report(event, kind_of_report, user=user.username))

    def _negotiate(self, connection: Connection, event: CotEvent) -> None:
        accepted = event.takp_version == 1
        response = CotEvent.now("peacewatch", meaning.TAKP_RESPONSE, stale_s=20)
        response.takp_status = accepted
        connection.send_control(response)  # in the format spoken until now
        if accepted:
            connection.protocol_v1 = True

    # what goes out --------------------------------------------------------------------------

    def wake_soon(self) -> None:
        """Wake the feed (safe from any thread)."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    def _hook(self, conn: Any, topic: str, _rows: list[dict[str, Any]]) -> None:
        # Called inside any writer's transaction (API, imports, engines): wake after commit.
        if topic in ("positions", "reports"):  # violations are made in those transactions
            self.store.after_commit(conn, self.wake_soon)

    def _read(self, viewer: Viewer, cursor: feed.Cursor) -> tuple[Any, feed.Cursor, bool]:
        with self.store.read() as conn:
            return feed.read_after(conn, viewer=viewer, cursor=cursor)

    async def _feed_loop(self) -> None:
        assert self._wake is not None
        loop = asyncio.get_running_loop()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_S)
            self._wake.clear()
            for viewer in list(self.groups):
                cursor = self.cursors.get(viewer)
                if cursor is None:
                    continue
                try:
                    items, after, more = await loop.run_in_executor(
                        self._reader, self._read, viewer, cursor
                    )
                except Exception:
                    self.metrics.error("feed")
                    continue
                if viewer not in self.cursors:
                    continue  # its last connection left meanwhile
                self.cursors[viewer] = after
                if more:
                    self._wake.set()
                if items:
                    encoded = [Encoded(item) for item in items]
                    for connection in list(self.groups.get(viewer, ())):
                        try:
                            connection.enqueue(encoded)
                        except Exception:  # that connection only: the feed goes on
                            self.metrics.error("send")
                            connection.close("error")

    async def _housekeeping(self) -> None:
        ping = cot.to_xml(CotEvent.now("peacewatch-ping", meaning.PING, stale_s=20))
        ping_v1 = proto.to_stream(CotEvent.now("peacewatch-ping", meaning.PING, stale_s=20))
        tick = max(0.5, min(self.config.ping_interval, self.config.idle_timeout) / 4)
        while True:
            await asyncio.sleep(tick)
            now = time.monotonic()
            for connection in list(self.connections):
                silent = now - connection.last_in
                if silent > self.config.idle_timeout:
                    connection.close("idle")
                elif (
                    connection.ready
                    and silent > self.config.ping_interval
                    and now - connection.last_ping > self.config.ping_interval
                ):
                    connection.last_ping = now
                    connection.send_now(ping_v1 if connection.protocol_v1 else ping)

    def status(self) -> dict[str, Any]:
        """The metrics, with what waits to be written."""
        out = self.metrics.to_dict()
        out["backlog"] = self.sink.backlog if self.sink is not None else 0
        out["users_connected"] = len(self.groups)
        return out


async def serve(store: Store, settings: Settings, *, bus: Bus | None = None) -> Gateway:
    """Start a gateway for ``settings`` (TLS when ``peacewatch tak cert init`` made its
    certificates)."""
    gateway = Gateway(
        store, Config.from_settings(settings), tls=server_tls(settings.tak_cert_dir), bus=bus
    )
    await gateway.start()
    return gateway
