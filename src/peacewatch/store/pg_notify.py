"""PostgreSQL LISTEN/NOTIFY: the live feed across worker processes and hosts.

Every writer on PostgreSQL sends ``NOTIFY peacewatch_feed`` inside the transaction that adds
reports or positions (violations and fused events are made in those same transactions), so
the notification is delivered only once the rows are committed, and never for a rollback.
Each process that feeds clients (a web worker, a stand-alone TAK gateway) runs one
``Listener``: a psycopg 3 async connection that LISTENs and wakes the local feed exactly as a
local publish does. The feeds then read the new rows from the database by id through each
viewer's label filter, so a notification carries no operational data: its payload is the
sending process's origin token and the topic (and, for corrections, the reports' uuids, which
the feed re-reads through the label filter before sending anything).

A process ignores its own notifications: its in-process bus has already been told.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.conninfo import make_conninfo
from sqlalchemy import Connection, text

if TYPE_CHECKING:
    from peacewatch.store.engine import Store

CHANNEL = "peacewatch_feed"
# What a feed wakes for; violations and fused events are written in these transactions.
TOPICS = ("reports", "reports.corrected", "positions")
# PostgreSQL refuses payloads of 8000 bytes or more; corrections beyond fit send no uuids
# (the feed's clients see those corrected reports in their next read, as after a reconnect).
MAX_PAYLOAD = 7000
BACKOFF_S = (0.2, 0.5, 1.0, 2.0, 5.0, 10.0)

Wake = Callable[[str, list[dict[str, Any]]], None]

_origin: list[str] = []


def origin() -> str:
    """This process's token in the payloads it sends (random, made on first use)."""
    if not _origin:
        _origin.append(secrets.token_hex(6))
    return _origin[0]


def payload(topic: str, rows: list[dict[str, Any]]) -> str:
    """'<origin> <topic>[ <uuid>,<uuid>…]' for a batch of ``rows`` of ``topic``."""
    head = f"{origin()} {topic}"
    if topic != "reports.corrected":
        return head
    ids = ",".join(str(r["uuid"]) for r in rows if r.get("uuid"))
    return f"{head} {ids}" if ids and len(head) + len(ids) < MAX_PAYLOAD else head


def parse(value: str) -> tuple[str, str, list[dict[str, Any]]] | None:
    """(origin, topic, items as the bus carries them) from a payload; None if not ours."""
    parts = value.split(" ")
    if len(parts) not in (2, 3) or parts[1] not in TOPICS:
        return None
    items = [{"id": u} for u in parts[2].split(",") if u] if len(parts) == 3 else []
    return parts[0], parts[1], items


def notify_written(conn: Connection, topic: str, rows: list[dict[str, Any]]) -> None:
    """Store hook: NOTIFY the other processes, in the writer's transaction (sent on commit)."""
    if topic in TOPICS and rows and conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": payload(topic, rows)},
        )


def attach(store: Store) -> None:
    """Make every write to a PostgreSQL ``store`` notify the listeners (idempotent)."""
    if store.backend == "postgresql" and notify_written not in store.hooks:
        store.hooks.append(notify_written)


def conninfo(store: Store) -> str:
    """The libpq connection string of ``store``'s database, as its pool connects (several
    hosts and ``target_session_attrs`` included, so the listener follows a failover)."""
    _args, kwargs = store.engine.dialect.create_connect_args(store.engine.url)
    options = {k: str(v) for k, v in kwargs.items() if isinstance(v, str | int)}
    return str(make_conninfo("", **options))


class Listener:
    """One LISTEN connection that calls ``wake(topic, items)`` for each notification sent by
    another process; it reconnects with back-off, and after a reconnection wakes every topic
    (what was committed meanwhile is read by the feeds from where they are)."""

    def __init__(self, dsn: str, wake: Wake) -> None:
        self.dsn, self.wake = dsn, wake
        self.connected = asyncio.Event()
        self.received = 0
        self.reconnections = 0
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def for_store(cls, store: Store, wake: Wake) -> Listener | None:
        """A listener for ``store``, or None when it is not PostgreSQL (one process only)."""
        return cls(conninfo(store), wake) if store.backend == "postgresql" else None

    def start(self) -> None:
        """Start listening in the background on the running loop."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="pg-listen")

    async def stop(self) -> None:
        """Stop listening and close the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        failures = 0
        first = True
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    self.dsn,
                    autocommit=True,
                    connect_timeout=5,
                    # a host or link that dies silently is noticed within a minute
                    keepalives=1,
                    keepalives_idle=20,
                    keepalives_interval=5,
                    keepalives_count=4,
                    application_name="peacewatch-listen",
                )
            except (psycopg.Error, OSError):
                await asyncio.sleep(BACKOFF_S[min(failures, len(BACKOFF_S) - 1)])
                failures += 1
                continue
            try:
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    failures = 0
                    self.connected.set()
                    if not first:
                        self.reconnections += 1
                        for topic in ("reports", "positions"):
                            self._deliver(topic, [])
                    first = False
                    async for note in conn.notifies():
                        self._on_note(note.payload)
            except (psycopg.Error, OSError):
                pass
            self.connected.clear()
            await asyncio.sleep(BACKOFF_S[min(failures, len(BACKOFF_S) - 1)])
            failures += 1

    def _on_note(self, value: str) -> None:
        parsed = parse(value)
        if parsed is None or parsed[0] == origin():
            return
        self.received += 1
        self._deliver(parsed[1], parsed[2])

    def _deliver(self, topic: str, items: list[dict[str, Any]]) -> None:
        with contextlib.suppress(Exception):  # a failing subscriber must not stop listening
            self.wake(topic, items)
