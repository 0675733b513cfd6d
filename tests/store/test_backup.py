"""Backups and restores on both backends: every table comes back row for row, a backup taken
while a writer inserts is consistent, and restores refuse what they must."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from peacewatch.cli import main
from peacewatch.errors import Conflict, ValidationFailed
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.scenarios.loader import load_kosovo1999
from peacewatch.store import Store, open_store
from peacewatch.store.backup import (
    BackupFailed,
    backup,
    manifest_path,
    read_manifest,
    restore,
    table_counts,
)
from peacewatch.store.migrate import current_revision, head_revision, upgrade
from peacewatch.store.tables import metadata
from tests.conftest import ADMIN, PG_ADMIN_URL, make_user


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[Callable[[Store], str]]:
    """Makes the URL of an empty database (no schema) on the backend of a given store."""
    made: list[str] = []

    def make(like: Store) -> str:
        if like.backend == "sqlite":
            return f"sqlite:///{tmp_path / f'restored-{len(made)}.db'}"
        name = f"peacewatch_restore_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name

    yield make
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _plain(value: Any) -> Any:
    """A column value in a form that compares by content (geometries by their bytes)."""
    if hasattr(value, "desc") and hasattr(value, "srid"):  # geoalchemy2 WKB/WKT elements
        return (str(value.desc), value.srid)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ordered: the store's tables by primary key, the rest (the
    R*Tree, the migration marker) by every column."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    names = set(table_counts(str(store.engine.url.render_as_string(hide_password=False))))
    with store.read() as conn:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(select(table).order_by(*order)).all()
            out[table.name] = [tuple(_plain(v) for v in row) for row in rows]
        for name in sorted(names - set(out) - {"spatial_ref_sys"}):
            width = len(conn.execute(text(f'SELECT * FROM "{name}" LIMIT 0')).keys())
            order = ", ".join(str(i + 1) for i in range(width))
            rows = conn.execute(text(f'SELECT * FROM "{name}" ORDER BY {order}')).all()
            out[name] = [tuple(_plain(v) for v in row) for row in rows]
    return out


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def test_restore_gives_back_every_table_row_for_row(
    empty_store: Store, fresh_database: Callable[[Store], str], tmp_path: Path
) -> None:
    fresh_url = fresh_database(empty_store)
    load_kosovo1999(empty_store, size=300, seed=11)
    make_user(empty_store, "backup.admin", roles=("administrator",))
    before = _dump(empty_store)
    assert len(before["reports"]) == 300 and before["audit_log"] and before["unit_positions"]

    dest = tmp_path / "kfor.backup"
    manifest = backup(_url(empty_store), dest)
    assert dest.is_file() and manifest_path(dest).is_file()
    assert read_manifest(dest) == manifest
    assert manifest.revision == head_revision() and manifest.backend == empty_store.backend
    assert manifest.tables["reports"] == 300 and len(manifest.sha256) == 64
    assert not list(tmp_path.glob(".*tmp*"))  # written atomically: no leftovers

    restore(dest, fresh_url)
    restored = open_store(fresh_url)
    try:
        after = _dump(restored)
        assert current_revision(restored) == head_revision()
        with restored.read() as conn:
            assert restored.spatial.check_integrity(conn) == []
    finally:
        restored.dispose()
    assert set(after) == set(before)
    for name, rows in before.items():
        assert after[name] == rows, f"table {name} differs after the restore"

    # Restoring again over the data is refused, unless forced.
    with pytest.raises(Conflict, match="not empty"):
        restore(dest, fresh_url)
    restore(dest, fresh_url, force=True)
    assert table_counts(fresh_url)["reports"] == 300


def test_backup_while_a_writer_inserts_is_consistent(
    store: Store, fresh_database: Callable[[Store], str], tmp_path: Path
) -> None:
    fresh_url = fresh_database(store)
    with store.read() as conn:  # the audit trail outlives the tests' emptying: count from here
        audit_before = conn.execute(text("SELECT coalesce(max(id), 0) FROM audit_log")).scalar()
    pipeline = Pipeline(store, viewer=ADMIN, mission="KFOR", batch_size=25, keep_ids=True)
    stop = threading.Event()
    written: list[int] = []
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            while not stop.is_set():
                summary = pipeline.run([(f"r{i}", _record()) for i in range(25)])
                written.append(summary.accepted)
        except BaseException as exc:  # reported by the test thread
            failures.append(exc)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        while len(written) < 4:  # the writer is under way
            assert not failures, failures
            thread.join(timeout=0.05)
        at_start = len(written)
        manifest = backup(_url(store), tmp_path / "busy.backup")
        while len(written) < at_start + 4:  # and goes on after the backup
            assert not failures, failures
            thread.join(timeout=0.05)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not failures, failures
    assert 0 < manifest.tables["reports"] < sum(written)

    restore(tmp_path / "busy.backup", fresh_url)
    restored = open_store(fresh_url)
    try:
        upgrade(restored)
        assert current_revision(restored) == head_revision()
        with restored.read() as conn:
            assert restored.spatial.check_integrity(conn) == []
            reports = conn.execute(text("SELECT count(*) FROM reports")).scalar_one()
            batches = conn.execute(
                text("SELECT count(*) FROM audit_log WHERE action = 'reports.ingest' AND id > :i"),
                {"i": audit_before},
            ).scalar_one()
        if restored.backend == "sqlite":
            raw = restored.engine.raw_connection()
            try:
                assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
            finally:
                raw.close()
    finally:
        restored.dispose()
    # The snapshot holds whole batches only: one audit entry for every 25 reports.
    assert reports == manifest.tables["reports"] == 25 * batches


def _record() -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "kind": "armed_clash",
        "observed_at": "1999-07-01T09:30:00Z",
        "lon": 20.9,
        "lat": 42.6,
        "grade": "B2",
        "title": "Shots heard",
        "label": "NATO RESTRICTED REL TO KFOR, NATO",
    }


def test_restore_refuses_a_damaged_file_an_unknown_revision_and_the_other_backend(
    store: Store, tmp_path: Path
) -> None:
    dest = tmp_path / "s.backup"
    backup(_url(store), dest)
    target = f"sqlite:///{tmp_path / 'target.db'}"

    manifest = json.loads(manifest_path(dest).read_text())
    manifest_path(dest).write_text(json.dumps({**manifest, "revision": "0999"}))
    with pytest.raises(ValidationFailed, match="revision 0999 is unknown") as info:
        restore(dest, target)
    assert info.value.problems[0].field == "revision"

    manifest_path(dest).write_text(json.dumps(manifest))
    with dest.open("r+b") as fh:  # one flipped byte
        fh.seek(200)
        byte = fh.read(1)
        fh.seek(200)
        fh.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(BackupFailed, match="does not match its manifest"):
        restore(dest, target)

    if store.backend == "postgresql":
        manifest_path(dest).write_text(json.dumps({**manifest, "sha256": _sha(dest)}))
        with pytest.raises(ValidationFailed, match="is a postgresql backup"):
            restore(dest, target)


def _sha(path: Path) -> str:
    from peacewatch.store.backup import sha256_of

    return sha256_of(path)


def test_cli_backs_up_and_restores_sqlite(sqlite_store: Store, tmp_path: Path) -> None:
    runner = CliRunner()
    source, target = _url(sqlite_store), f"sqlite:///{tmp_path / 'cli.db'}"
    dest = tmp_path / "cli.backup"
    done = runner.invoke(main, ["--database", source, "backup", str(dest), "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["tables"]["missions"] == 1

    done = runner.invoke(main, ["--database", target, "restore", str(dest)])
    assert done.exit_code == 0, done.output
    assert "schema at revision" in done.output
    done = runner.invoke(main, ["--database", target, "restore", str(dest)])
    assert done.exit_code == 2
    assert "not empty" in done.output and "--force" in done.output
    done = runner.invoke(main, ["--database", target, "restore", str(dest), "--force"])
    assert done.exit_code == 0, done.output

    done = runner.invoke(main, ["--database", target, "restore", str(tmp_path / "none")])
    assert done.exit_code == 2 and "no backup at" in done.output
