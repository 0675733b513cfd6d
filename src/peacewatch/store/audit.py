"""The audit trail's storage: append-only entries, each chained to the one before by SHA-256.

It lives in the store, not in security/, so that every layer that writes (ingest, records,
security) can add its entry inside its own transaction: a write and its audit entry commit
together or not at all.

An entry's hash covers its id, time, actor, action, target, outcome, detail and the hash of
the entry before it, so editing, deleting or re-ordering any entry breaks the chain from that
point on, and ``verify`` (``peacewatch audit verify``) names the first broken entry. The
database refuses UPDATE and DELETE on the table (triggers installed by the migration), and
the application has no path that edits it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from peacewatch.store.engine import spatial_for
from peacewatch.store.tables import audit_log

GENESIS = "0" * 64


def _canonical(detail: dict[str, Any] | None) -> str:
    return json.dumps(
        detail or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def entry_hash(
    *,
    id: int,
    at: datetime,
    actor: str,
    action: str,
    target: str,
    outcome: str,
    detail: str,
    prev_hash: str,
) -> str:
    """SHA-256 over an entry's fields and its predecessor's hash."""
    payload = json.dumps(
        [id, at.astimezone(UTC).isoformat(), actor, action, target, outcome, detail, prev_hash],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def append(
    conn: Connection,
    *,
    actor: str,
    action: str,
    target: str = "",
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
) -> str:
    """Add an entry inside the caller's transaction (so a write and its entry commit together);
    returns its hash."""
    # One chain across every writer: SQLite's write transaction is already exclusive;
    # PostgreSQL takes a transaction-level advisory lock.
    spatial_for(conn).serialize_audit(conn)
    last = conn.execute(
        select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
    ).first()
    entry_id, prev = (last[0] + 1, last[1]) if last is not None else (1, GENESIS)
    at = datetime.now(UTC)
    text = _canonical(detail)
    digest = entry_hash(
        id=entry_id,
        at=at,
        actor=actor,
        action=action,
        target=target,
        outcome=outcome,
        detail=text,
        prev_hash=prev,
    )
    conn.execute(
        audit_log.insert().values(
            id=entry_id,
            at=at,
            actor=actor[:64],
            action=action,
            target=target,
            outcome=outcome,
            detail=text,
            prev_hash=prev,
            hash=digest,
        )
    )
    return digest


@dataclass
class Verification:
    """What ``verify`` found: entries checked, the head hash, and the first problems."""

    entries: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the whole chain is intact."""
        return not self.problems


def verify(conn: Connection, *, max_problems: int = 20) -> Verification:
    """Walk the chain in id order and recompute every hash."""
    result = Verification()
    expected_prev = GENESIS
    expected_id = 1
    rows = conn.execution_options(yield_per=5000).execute(
        select(audit_log).order_by(audit_log.c.id)
    )
    for row in rows:
        m = row._mapping
        if m["id"] != expected_id:
            result.problems.append(
                f"entry {m['id']}: expected entry {expected_id} here (an entry was removed "
                "or renumbered)"
            )
        if m["prev_hash"] != expected_prev:
            result.problems.append(
                f"entry {m['id']}: does not follow the entry before it (removed or re-ordered)"
            )
        digest = entry_hash(
            id=m["id"],
            at=m["at"],
            actor=m["actor"],
            action=m["action"],
            target=m["target"],
            outcome=m["outcome"],
            detail=m["detail"],
            prev_hash=m["prev_hash"],
        )
        if digest != m["hash"]:
            result.problems.append(f"entry {m['id']}: its content was changed after it was written")
        expected_prev = m["hash"]
        expected_id = m["id"] + 1
        result.entries += 1
        if len(result.problems) >= max_problems:
            break
    result.head = expected_prev
    return result


def entries(
    conn: Connection,
    *,
    after: int = 0,
    limit: int = 1000,
    actor: str | None = None,
    action: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Entries after id ``after``, oldest first, optionally for one actor or action prefix."""
    query = select(audit_log).where(audit_log.c.id > after).order_by(audit_log.c.id).limit(limit)
    if actor:
        query = query.where(audit_log.c.actor == actor)
    if action:
        query = query.where(audit_log.c.action.startswith(action, autoescape=True))
    for row in conn.execute(query):
        m = row._mapping
        yield {
            "id": m["id"],
            "at": m["at"].isoformat(),
            "actor": m["actor"],
            "action": m["action"],
            "target": m["target"],
            "outcome": m["outcome"],
            "detail": json.loads(m["detail"]),
            "prev_hash": m["prev_hash"],
            "hash": m["hash"],
        }
