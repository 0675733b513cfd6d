"""Backups and restores of the store: one file plus a manifest, on either backend.

SQLite: the online backup API copies the database page by page inside one read snapshot of the
source (in WAL mode a reader never blocks the serving writer, and holding the snapshot keeps
the copy from restarting whenever that writer commits); the copy is checked with
``PRAGMA integrity_check`` and renamed into place only when sound. PostgreSQL: ``pg_dump -Fc``
inside an exported snapshot, so that the manifest's row counts describe exactly what was
dumped; ``pg_restore`` in one transaction. Either way the manifest (``DEST.manifest.json``)
holds the schema revision, the rows of every table and the file's sha256, and a restore
checks all three.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import URL
from sqlalchemy.engine import make_url

from peacewatch.errors import Conflict, FieldProblem, PeaceWatchError, ValidationFailed
from peacewatch.store.engine import normalise_url, open_store
from peacewatch.store.migrate import _config, current_revision, upgrade
from peacewatch.store.tables import metadata

# Pages copied per step of the SQLite backup; with a short sleep between steps other threads
# of a serving process (and the disk) get their turn while a large store is copied.
STEP_PAGES = 2048
STEP_SLEEP_S = 0.001
MANIFEST_SUFFIX = ".manifest.json"
FORMAT = 1


class BackupFailed(PeaceWatchError):
    """A backup or restore could not be made or checked."""

    status = 500
    code = "backup_failed"
    title = "Backup failed"


@dataclass
class Manifest:
    """What a backup file holds: backend, schema revision, rows per table and checksum."""

    backend: str
    revision: str | None
    created_at: str
    tables: dict[str, int]
    sha256: str = ""
    size: int = 0
    format: int = FORMAT
    tool: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        """The manifest file's text."""
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Parse a manifest file's text."""
        data = json.loads(text)
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def manifest_path(backup: Path) -> Path:
    """Where the manifest of ``backup`` lives (next to it)."""
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def read_manifest(backup: Path) -> Manifest:
    """The manifest of ``backup``; a BackupFailed error when absent or unreadable."""
    path = manifest_path(backup)
    try:
        return Manifest.from_json(path.read_text())
    except FileNotFoundError:
        raise BackupFailed(
            f"{backup} has no manifest", [FieldProblem("manifest", f"{path} is missing")]
        ) from None
    except (ValueError, TypeError, KeyError) as exc:
        raise BackupFailed(
            f"the manifest of {backup} is unreadable", [FieldProblem("manifest", str(exc))]
        ) from None


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def backup(url: str, dest: Path, *, progress: Callable[[str], None] | None = None) -> Manifest:
    """Back up the store at ``url`` into ``dest`` (and ``dest.manifest.json``), atomically."""
    parsed = make_url(normalise_url(url))
    dest = dest.resolve()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    try:
        if parsed.get_backend_name() == "sqlite":
            manifest = _sqlite_backup(_sqlite_path(parsed), tmp)
        else:
            manifest = _pg_backup(parsed, tmp)
        manifest.sha256, manifest.size = sha256_of(tmp), tmp.stat().st_size
        _fsync(tmp)
        os.replace(tmp, dest)
        _write_atomically(manifest_path(dest), manifest.to_json())
        _fsync_dir(dest.parent)
    finally:
        tmp.unlink(missing_ok=True)
    if progress is not None:
        rows = sum(manifest.tables.values())
        progress(f"{dest}: {manifest.backend} at {manifest.revision}, {rows} rows")
    return manifest


def restore(
    src: Path, url: str, *, force: bool = False, progress: Callable[[str], None] | None = None
) -> Manifest:
    """Restore the backup ``src`` into the store at ``url``, then migrate it to the newest
    schema. Refuses a non-empty store unless ``force``, a backup whose checksum or revision
    does not fit, and a backup of the other backend."""
    say = progress or (lambda _msg: None)
    src = src.resolve()
    if not src.is_file():
        raise ValidationFailed(f"no backup at {src}", [FieldProblem("src", "no such file")])
    manifest = read_manifest(src)
    if sha256_of(src) != manifest.sha256:
        raise BackupFailed(
            f"{src} does not match its manifest: the file is damaged or was changed",
            [FieldProblem("sha256", "checksum differs from the manifest's")],
        )
    _check_revision(manifest.revision)
    parsed = make_url(normalise_url(url))
    backend = "sqlite" if parsed.get_backend_name() == "sqlite" else "postgresql"
    if manifest.backend != backend:
        raise ValidationFailed(
            f"{src} is a {manifest.backend} backup; the store at the URL is {backend}",
            [FieldProblem("src", f"a {manifest.backend} backup")],
        )
    store = open_store(url)
    try:
        occupied = _occupied_tables(store)
    finally:
        store.dispose()
    if occupied and not force:
        raise Conflict(
            f"the store is not empty ({', '.join(occupied[:5])} hold rows): "
            "restore into an empty database, or pass --force to replace it",
            [FieldProblem("database", "not empty")],
        )
    if backend == "sqlite":
        _sqlite_restore(src, _sqlite_path(parsed))
    else:
        _pg_restore(src, parsed)
    counts = table_counts(url)
    differ = sorted(
        t for t, n in manifest.tables.items() if counts.get(t) != n and t != "spatial_ref_sys"
    )
    if differ:
        raise BackupFailed(
            f"the restored store's rows differ from the manifest in {', '.join(differ[:5])}",
            [
                FieldProblem("tables", f"{t}: {counts.get(t)} != {manifest.tables[t]}")
                for t in differ
            ],
        )
    say(f"restored {sum(manifest.tables.values())} rows at revision {manifest.revision}")
    store = open_store(url)
    try:
        upgrade(store)
        say(f"schema at revision {current_revision(store)}")
    finally:
        store.dispose()
    return manifest


def table_counts(url: str) -> dict[str, int]:
    """Rows of every table of the store at ``url`` (SQLite: every table in the file)."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        conn = sqlite3.connect(_sqlite_path(parsed))
        try:
            return _sqlite_counts(conn)
        finally:
            conn.close()
    with psycopg.connect(**_pg_params(parsed)) as pg:
        return _pg_counts(pg)


def _check_revision(revision: str | None) -> None:
    scripts = ScriptDirectory.from_config(_config())
    head = scripts.get_current_head()
    problem = [FieldProblem("revision", f"backup at {revision}, this version's newest is {head}")]
    if revision is None:
        raise ValidationFailed("the backup holds no schema revision", problem)
    try:
        known = scripts.get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise ValidationFailed(
            f"the backup's schema revision {revision} is unknown to this version of PeaceWatch "
            f"(newest: {head}): restore it with the version that made it",
            problem,
        )


def _occupied_tables(store: Any) -> list[str]:
    """Our tables that hold rows in ``store`` (the schema alone does not count)."""
    from sqlalchemy import exists, inspect, select

    present = set(inspect(store.engine).get_table_names())
    occupied = []
    with store.read() as conn:
        for table in metadata.sorted_tables:
            if table.name in present and conn.execute(select(exists().select_from(table))).scalar():
                occupied.append(table.name)
    return occupied


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise ValidationFailed(
            "an in-memory SQLite store has nothing to back up or restore into",
            [FieldProblem("database", "a file is needed")],
        )
    return Path(url.database)


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return {n: int(conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names}


def _sqlite_revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return str(row[0]) if row else None


def _integrity(conn: sqlite3.Connection) -> list[str]:
    rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
    rows += [f"foreign key: {r}" for r in conn.execute("PRAGMA foreign_key_check").fetchall()]
    return [] if rows == ["ok"] else rows


def _sqlite_backup(src_path: Path, tmp: Path) -> Manifest:
    if not src_path.is_file():
        raise ValidationFailed(
            f"no SQLite store at {src_path}", [FieldProblem("database", "no such file")]
        )
    src = sqlite3.connect(src_path, timeout=30, isolation_level=None)
    dst = sqlite3.connect(tmp, isolation_level=None)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        # One read snapshot for the whole copy: the manifest's counts and every page come from
        # the same moment, and commits of the serving writer do not restart the copy.
        src.execute("BEGIN")
        revision = _sqlite_revision(src)
        counts = _sqlite_counts(src)
        src.backup(dst, pages=STEP_PAGES, sleep=STEP_SLEEP_S)
        src.execute("COMMIT")
        # One self-contained file (no -wal beside it); open_store turns WAL on again.
        dst.execute("PRAGMA journal_mode=DELETE")
        problems = _integrity(dst)
        if problems:
            raise BackupFailed(
                "the copy failed its integrity check",
                [FieldProblem("integrity_check", p) for p in problems[:20]],
            )
        if _sqlite_counts(dst) != counts:
            raise BackupFailed("the copy's row counts differ from the snapshot's")
    finally:
        dst.close()
        src.close()
    return Manifest(
        backend="sqlite",
        revision=revision,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        tables=counts,
        tool={"sqlite": sqlite3.sqlite_version},
    )


def _sqlite_restore(src: Path, target: Path) -> None:
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    try:
        problems = _integrity(source)
        if problems:
            raise BackupFailed(
                f"{src} failed its integrity check",
                [FieldProblem("integrity_check", p) for p in problems[:20]],
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        # The backup API writes the whole target in one transaction under its write lock: a
        # crash midway leaves the old store, never a mixture.
        dest = sqlite3.connect(target, timeout=30, isolation_level=None)
        try:
            dest.execute("PRAGMA busy_timeout=30000")
            source.backup(dest)
            dest.execute("PRAGMA journal_mode=WAL")
            problems = _integrity(dest)
        finally:
            dest.close()
    finally:
        source.close()
    if problems:
        raise BackupFailed(
            "the restored store failed its integrity check",
            [FieldProblem("integrity_check", p) for p in problems[:20]],
        )


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_params(url: URL) -> dict[str, Any]:
    params: dict[str, Any] = {"dbname": url.database, "connect_timeout": 10, "autocommit": True}
    for key, value in (("host", url.host), ("port", url.port), ("user", url.username)):
        if value is not None:
            params[key] = value
    if url.password is not None:
        params["password"] = str(url.password)
    params.update({k: v for k, v in url.query.items() if isinstance(v, str)})
    return params


def _pg_env(url: URL) -> dict[str, str]:
    """libpq environment for pg_dump/pg_restore (the password stays out of their argv)."""
    env = dict(os.environ)
    names = {
        "host": "PGHOST",
        "port": "PGPORT",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "dbname": "PGDATABASE",
        "sslmode": "PGSSLMODE",
        "connect_timeout": "PGCONNECT_TIMEOUT",
    }
    for key, value in _pg_params(url).items():
        if key in names and value is not None:
            env[names[key]] = str(value)
    return env


def _pg_tool(name: str, server_major: int) -> str:
    """Path of pg_dump or pg_restore, checked to be at least the server's major version (an
    older client refuses a newer server's dump)."""
    found = shutil.which(name)
    if found is None:
        raise BackupFailed(
            f"{name} is not installed (Debian: apt-get install postgresql-client)",
            [FieldProblem("tool", f"{name} not on PATH")],
        )
    out = subprocess.run([found, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    major = int(match.group(1)) if match else 0
    if major < server_major:
        raise BackupFailed(
            f"{name} {major} is older than the server ({server_major}): install "
            f"postgresql-client-{server_major}",
            [FieldProblem("tool", out.strip())],
        )
    return found


def _pg_counts(pg: psycopg.Connection[Any]) -> dict[str, int]:
    names = [
        str(r[0])
        for r in pg.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        ).fetchall()
    ]
    counts = {}
    for name in names:
        row = pg.execute(f'SELECT count(*) FROM public."{name}"').fetchone()
        counts[name] = int(row[0]) if row else 0
    return counts


def _pg_backup(url: URL, tmp: Path) -> Manifest:
    with psycopg.connect(**_pg_params(url)) as pg:
        server_major = pg.info.server_version // 10000
        pg_dump = _pg_tool("pg_dump", server_major)
        # Export this transaction's snapshot to pg_dump: the counts below and the dump are of
        # the same instant, however many writers commit meanwhile.
        pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        row = pg.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        snapshot = str(row[0])
        revision_row = pg.execute(
            "SELECT version_num FROM alembic_version"
            if _pg_has_table(pg, "alembic_version")
            else "SELECT NULL"
        ).fetchone()
        revision = str(revision_row[0]) if revision_row and revision_row[0] else None
        counts = _pg_counts(pg)
        done = subprocess.run(
            [pg_dump, "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
             "-f", str(tmp)],
            env=_pg_env(url), capture_output=True, text=True, check=False,
        )  # fmt: skip
        pg.execute("COMMIT")
    if done.returncode != 0:
        raise BackupFailed("pg_dump failed", [FieldProblem("pg_dump", done.stderr.strip()[-500:])])
    listed = subprocess.run(
        [_pg_tool("pg_restore", server_major), "--list", str(tmp)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if listed.returncode != 0:
        raise BackupFailed(
            "the dump cannot be read back", [FieldProblem("pg_restore", listed.stderr[-500:])]
        )
    return Manifest(
        backend="postgresql",
        revision=revision,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        tables=counts,
        tool={"pg_dump": _first_line(pg_dump), "server": str(server_major)},
    )


def _pg_has_table(pg: psycopg.Connection[Any], name: str) -> bool:
    row = pg.execute("SELECT to_regclass(%s) IS NOT NULL", (f"public.{name}",)).fetchone()
    return bool(row and row[0])


def _first_line(tool: str) -> str:
    out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip().splitlines()[0] if out.stdout.strip() else tool


def _pg_restore(src: Path, url: URL) -> None:
    with psycopg.connect(**_pg_params(url)) as pg:
        server_major = pg.info.server_version // 10000
    pg_restore = _pg_tool("pg_restore", server_major)
    # --clean: a store that is empty may still hold the schema (a server migrated it), and
    # --force means replacing one; objects that are absent are skipped (--if-exists).
    args = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
            "--clean", "--if-exists"]  # fmt: skip
    env = _pg_env(url)
    done = subprocess.run(
        [*args, "--dbname", env["PGDATABASE"], str(src)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise BackupFailed(
            "pg_restore failed (nothing was changed: it runs in one transaction)",
            [FieldProblem("pg_restore", done.stderr.strip()[-800:])],
        )


# --- files ----------------------------------------------------------------------------------


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{time.monotonic_ns()}")
    try:
        with tmp.open("w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
