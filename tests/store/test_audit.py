"""The audit chain: append-only in the database, and any edit, removal or re-ordering found."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import DBAPIError

from peacewatch.cli import main
from peacewatch.store import Store, audit
from peacewatch.store.tables import audit_log


def _append(store: Store, n: int) -> list[int]:
    ids = []
    with store.write() as conn:
        for i in range(n):
            audit.append(
                conn,
                actor="tester",
                action="test.event",
                target=f"t{i}",
                detail={"i": i, "text": "ünïcode ✓"},
            )
        ids = list(conn.execute(select(audit_log.c.id).order_by(audit_log.c.id.desc()).limit(n)))
    return sorted(r[0] for r in ids)


@contextmanager
def _unguarded(store: Store) -> Iterator[Connection]:
    """A transaction with the append-only guard lifted (what an attacker with the database
    in hand could do); the guard is back when it ends."""
    with store.write() as conn:
        store.spatial.drop_audit_guard(conn)
        yield conn
        store.spatial.install_audit_guard(conn)


def _verify(store: Store) -> audit.Verification:
    with store.read() as conn:
        return audit.verify(conn)


def test_chain_verifies_and_lists(store: Store) -> None:
    ids = _append(store, 5)
    result = _verify(store)
    assert result.ok, result.problems
    with store.read() as conn:
        got = list(audit.entries(conn, after=ids[0] - 1, action="test."))
    assert [e["target"] for e in got] == [f"t{i}" for i in range(5)]
    assert got[1]["prev_hash"] == got[0]["hash"] and got[0]["detail"]["text"] == "ünïcode ✓"
    assert result.head == got[-1]["hash"]


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"]
)
def test_the_database_refuses_edits(store: Store, statement: str) -> None:
    _append(store, 2)
    with pytest.raises(DBAPIError, match="append-only"), store.write() as conn:
        conn.execute(text(statement))
    assert _verify(store).ok


def _row(conn: Connection, entry_id: int) -> dict[str, Any]:
    return dict(conn.execute(select(audit_log).where(audit_log.c.id == entry_id)).one()._mapping)


def test_edit_removal_and_reordering_are_detected(store: Store) -> None:
    ids = _append(store, 4)
    url = str(store.engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    # edited
    with _unguarded(store) as conn:
        original = _row(conn, ids[1])
        conn.execute(audit_log.update().where(audit_log.c.id == ids[1]).values(actor="mallory"))
    broken = _verify(store)
    assert not broken.ok and f"entry {ids[1]}: its content was changed" in broken.problems[0]
    cli = runner.invoke(main, ["--database", url, "audit", "verify"])
    assert cli.exit_code == 1 and "BROKEN" in cli.output
    with _unguarded(store) as conn:
        conn.execute(audit_log.update().where(audit_log.c.id == ids[1]).values(**original))
    assert _verify(store).ok
    # removed
    with _unguarded(store) as conn:
        removed = _row(conn, ids[2])
        conn.execute(audit_log.delete().where(audit_log.c.id == ids[2]))
    problems = _verify(store).problems
    assert any(f"entry {ids[3]}" in p and "removed" in p for p in problems), problems
    with _unguarded(store) as conn:
        conn.execute(audit_log.insert().values(**removed))
    assert _verify(store).ok
    # re-ordered: two entries swap places (content and hashes move, ids stay)
    with _unguarded(store) as conn:
        a, b = _row(conn, ids[0]), _row(conn, ids[1])
        swap_a = {k: v for k, v in b.items() if k not in ("id", "hash")}
        swap_b = {k: v for k, v in a.items() if k not in ("id", "hash")}
        conn.execute(audit_log.update().where(audit_log.c.id == ids[0]).values(**swap_a))
        conn.execute(audit_log.update().where(audit_log.c.id == ids[1]).values(**swap_b))
    assert not _verify(store).ok
    with _unguarded(store) as conn:
        conn.execute(audit_log.update().where(audit_log.c.id == ids[0]).values(**a))
        conn.execute(audit_log.update().where(audit_log.c.id == ids[1]).values(**b))
    ok = runner.invoke(main, ["--database", url, "audit", "verify"])
    assert ok.exit_code == 0 and ok.output.startswith("ok:"), ok.output
