"""Opening a store: the engine, connection set-up per backend, and transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from peacewatch.store import postgis_spatial, sqlite_spatial


def normalise_url(url: str) -> str:
    """Map plain ``postgresql://`` to the psycopg 3 driver SQLAlchemy should use."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def spatial_for(conn: Connection) -> ModuleType:
    """The backend module (SQLite or PostGIS SQL) for this connection."""
    return postgis_spatial if conn.dialect.name == "postgresql" else sqlite_spatial


@dataclass
class Store:
    """One database: its engine and the backend module that holds backend-specific SQL."""

    engine: Engine
    spatial: ModuleType
    _label_ids: dict[str, int] = field(default_factory=dict)

    @property
    def backend(self) -> str:
        """'sqlite' or 'postgresql'."""
        return str(self.spatial.NAME)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction (a consistent snapshot on both backends)."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction; on SQLite it takes the write lock at BEGIN (BEGIN IMMEDIATE)."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _sqlite_engine(url: str, synchronous: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so BEGIN is ours (see "begin").
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA cache_size=-65536")
        # Checkpoint every ~40 MB of WAL rather than 4 MB: ingest commits stay cheap.
        cur.execute("PRAGMA wal_autocheckpoint=10000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def open_store(url: str, *, sqlite_synchronous: str = "FULL") -> Store:
    """Open the store at ``url`` (sqlite:///… or postgresql://…); no migration is run."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return Store(engine=_sqlite_engine(url, sqlite_synchronous), spatial=sqlite_spatial)
    if url.startswith("postgresql"):
        engine = create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)
        return Store(engine=engine, spatial=postgis_spatial)
    raise ValueError(f"unsupported database URL scheme in {url.split(':', 1)[0]!r}")
