"""Re-judging history in bulk after an agreement or a zone changed (``compliance recheck``).

Every report and unit position observed in the window is judged again under the rules as they
stand now. Breaches not yet recorded become suspected violations; suspected violations that
are no longer breaches are withdrawn (with the reason); a compliance officer's confirmed or
dismissed verdicts are never changed, only counted when the rules no longer support them.
What changed is written to ``compliance_runs`` and to the audit trail.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from peacewatch.compliance.judge import judge_positions, judge_reports
from peacewatch.compliance.rules import load_rules
from peacewatch.compliance.settle import settle
from peacewatch.store import Store, audit
from peacewatch.store.tables import compliance_runs, reports, unit_positions

CHUNK = 50_000


@dataclass
class RecheckResult:
    """What a re-check found."""

    observations: int = 0
    rules: int = 0
    created: int = 0
    withdrawn: int = 0
    unsupported_verdicts: int = 0
    engine_s: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def checks_per_s(self) -> float:
        """Observation-against-rule checks per second of engine time."""
        return self.observations * self.rules / self.engine_s if self.engine_s else 0.0


def recheck(
    store: Store, *, since: datetime | None, until: datetime | None = None, actor: str
) -> RecheckResult:
    """Judge every observation in [since, until) again; returns what changed."""
    result = RecheckResult()
    started = datetime.now(UTC)
    with store.read() as conn:
        rules = load_rules(conn)
    result.rules = len(rules)
    for table, judge, key in (
        (reports, judge_reports, "report_id"),
        (unit_positions, judge_positions, "position_id"),
    ):
        after = 0
        while True:
            with store.write() as conn:
                rows = _chunk(conn, table, since, until, after)
                if not rows:
                    break
                after = rows[-1]["id"]
                t = time.perf_counter()
                judged = judge(conn, rows, rules)
                result.engine_s += time.perf_counter() - t
                result.created += judged.created
                result.observations += len(rows)
                withdrawn, unsupported = settle(conn, rows, key, judged.breaches)
                result.withdrawn += withdrawn
                result.unsupported_verdicts += unsupported
    with store.write() as conn:
        detail = {
            "rules": result.rules,
            "unsupported_verdicts": result.unsupported_verdicts,
            "until": until.isoformat() if until else None,
        }
        conn.execute(
            compliance_runs.insert().values(
                started_at=started,
                finished_at=datetime.now(UTC),
                since=since,
                actor=actor,
                observations=result.observations,
                created=result.created,
                withdrawn=result.withdrawn,
                detail=detail,
            )
        )
        audit.append(
            conn,
            actor=actor,
            action="compliance.recheck",
            detail={
                **detail,
                "observations": result.observations,
                "created": result.created,
                "withdrawn": result.withdrawn,
            },
        )
    result.detail = detail
    return result


def _chunk(
    conn: Connection, table: Any, since: datetime | None, until: datetime | None, after: int
) -> list[dict[str, Any]]:
    query = select(table).where(table.c.id > after).order_by(table.c.id).limit(CHUNK)
    if since is not None:
        query = query.where(table.c.observed_at >= since)
    if until is not None:
        query = query.where(table.c.observed_at < until)
    return [dict(r._mapping) for r in conn.execute(query)]
