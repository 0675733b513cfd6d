"""Opening a store: the engine, connection set-up per backend, and transactions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from peacewatch.store import pg_notify, postgis_spatial, sqlite_spatial
from peacewatch.store.sqlite_checkpoint import Checkpointer


def normalise_url(url: str) -> str:
    """Map plain ``postgresql://`` to the psycopg 3 driver SQLAlchemy should use."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def spatial_for(conn: Connection) -> ModuleType:
    """The backend module (SQLite or PostGIS SQL) for this connection."""
    return postgis_spatial if conn.dialect.name == "postgresql" else sqlite_spatial


# Key of Connection.info holding the callbacks of Store.after_commit.
_AFTER_COMMIT = "peacewatch.after_commit"


@dataclass
class Store:
    """One database: its engine and the backend module that holds backend-specific SQL."""

    engine: Engine
    spatial: ModuleType
    checkpointer: Checkpointer | None = None
    # ids of interned labels by marking, filled by label_filter.intern_label
    label_cache: dict[str, int] = field(default_factory=dict)
    # Called inside the write transaction of every batch of new reports or positions, with the
    # rows as written (ids included): how engines (compliance) judge each write atomically
    # with it, without the store knowing them. The app and the CLI attach them.
    hooks: list[Callable[[Connection, str, list[dict[str, Any]]], None]] = field(
        default_factory=list
    )

    def written(self, conn: Connection, topic: str, rows: list[dict[str, Any]]) -> None:
        """Tell the hooks that ``rows`` of ``topic`` ('reports', 'positions') were written."""
        for hook in self.hooks:
            hook(conn, topic, rows)

    @property
    def backend(self) -> str:
        """'sqlite' or 'postgresql'."""
        return str(self.spatial.NAME)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction (a consistent snapshot on both backends)."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def after_commit(self, conn: Connection, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the write transaction of ``conn`` has committed (never when
        it rolls back): how a hook tells readers in other transactions that rows are there."""
        conn.info.setdefault(_AFTER_COMMIT, []).append(callback)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction; on SQLite it takes the write lock at BEGIN (BEGIN IMMEDIATE)."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            conn.info.pop(_AFTER_COMMIT, None)  # left by a transaction that rolled back
            with conn.begin():
                yield conn
            callbacks = conn.info.pop(_AFTER_COMMIT, [])
        for callback in callbacks:
            callback()
        if self.checkpointer is not None:
            self.checkpointer.nudge()

    def dispose(self) -> None:
        """Close every pooled connection (and on SQLite fold the WAL into the file)."""
        self.engine.dispose()
        if self.checkpointer is not None:
            self.checkpointer.close()


def _dumps(value: Any) -> str:
    """JSON columns are written with orjson: lists of reports are read and written in bulk."""
    return orjson.dumps(value).decode()


def _sqlite_engine(url: str, synchronous: str, cache_mb: int) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": 30, "check_same_thread": False},
        json_serializer=_dumps,
        json_deserializer=orjson.loads,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so BEGIN is ours (see "begin").
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute(f"PRAGMA cache_size={-1024 * cache_mb}")
        # Checkpoints run in the background (sqlite_checkpoint.py); this is the backstop when
        # the WAL reaches ~400 MB, e.g. while long reads keep the background one from finishing.
        cur.execute("PRAGMA wal_autocheckpoint=100000")
        cur.close()
        sqlite_spatial.register_functions(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def open_store(url: str, *, sqlite_synchronous: str = "FULL", sqlite_cache_mb: int = 256) -> Store:
    """Open the store at ``url`` (sqlite:///… or postgresql://…); no migration is run."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = _sqlite_engine(url, sqlite_synchronous, sqlite_cache_mb)
        database = make_url(url).database
        checkpointer = Checkpointer(database) if database and database != ":memory:" else None
        return Store(engine=engine, spatial=sqlite_spatial, checkpointer=checkpointer)
    if url.startswith("postgresql"):
        engine = create_engine(
            url,
            pool_size=10,
            max_overflow=10,
            pool_pre_ping=True,
            json_serializer=_dumps,
            json_deserializer=orjson.loads,
        )
        store = Store(engine=engine, spatial=postgis_spatial)
        pg_notify.attach(store)  # the live feeds of other processes and hosts learn of writes
        return store
    raise ValueError(f"unsupported database URL scheme in {url.split(':', 1)[0]!r}")
