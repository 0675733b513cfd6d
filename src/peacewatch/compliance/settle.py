"""Settling what an observation's violations say after it is judged again (a bulk re-check,
or a corrected report): suspected violations the rules no longer support are withdrawn; a
compliance officer's confirmed or dismissed verdicts are never changed, only counted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, select, update

from peacewatch.store.tables import violations

UNSUPPORTED = "no longer a breach under the rules in force"


def settle(
    conn: Connection,
    rows: list[dict[str, Any]],
    key: str,
    expected: set[tuple[int, int, int]],
    *,
    reason: str = UNSUPPORTED,
) -> tuple[int, int]:
    """Withdraw suspected violations of these observations that are not in ``expected``
    ((obligation, zone, observation) breaches); returns (withdrawn, unsupported verdicts)."""
    ids = [r["id"] for r in rows]
    stored = conn.execute(
        select(
            violations.c.id,
            violations.c.obligation_id,
            violations.c.zone_id,
            violations.c.state,
            violations.c[key],
        ).where(violations.c[key].in_(ids))
    ).all()
    if not stored:
        return 0, 0
    withdraw, unsupported = [], 0
    for v in stored:
        if (v.obligation_id, v.zone_id, v[4]) in expected:
            continue
        if v.state == "suspected":
            withdraw.append(v.id)
        elif v.state in ("confirmed", "dismissed"):
            unsupported += 1
    if withdraw:
        conn.execute(
            update(violations)
            .where(and_(violations.c.id.in_(withdraw), violations.c.state == "suspected"))
            .values(
                state="withdrawn",
                reason=reason,
                decided_by="compliance",
                decided_at=datetime.now(UTC),
            )
        )
    return len(withdraw), unsupported
