"""Judging what is written: reports and unit positions against the rules in force at their
observed time, inside the transaction that writes them; breaches become violations."""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import Connection, bindparam, select, update

from peacewatch.compliance.engine import Observations, RuleSet
from peacewatch.compliance.rules import rules_for
from peacewatch.compliance.settle import settle
from peacewatch.domain import categories
from peacewatch.domain.labels import Label, most_restrictive
from peacewatch.store import Store
from peacewatch.store.engine import spatial_for
from peacewatch.store.label_filter import intern_label, label_from_row
from peacewatch.store.tables import labels, units, violations

SYSTEM = "compliance"


def attach(store: Store) -> None:
    """Judge every report and position written to ``store`` from now on (idempotent)."""
    if judge_written not in store.hooks:
        store.hooks.append(judge_written)


def judge_written(conn: Connection, topic: str, rows: list[dict[str, Any]]) -> None:
    """Store hook: judge a batch just written, in its transaction."""
    if topic == "reports":
        judge_reports(conn, rows)
    elif topic == "reports.corrected":
        rejudge_reports(conn, rows)
    elif topic == "positions":
        judge_positions(conn, rows)


def report_observations(rows: Sequence[dict[str, Any]]) -> Observations:
    """Observations from report rows (as written: lon, lat, observed_at, party_id, kind …)."""
    return Observations(
        lon=np.fromiter((r["lon"] for r in rows), np.float64, len(rows)),
        lat=np.fromiter((r["lat"] for r in rows), np.float64, len(rows)),
        t=np.fromiter((r["observed_at"].timestamp() for r in rows), np.float64, len(rows)),
        party=np.fromiter((r["party_id"] or 0 for r in rows), np.int64, len(rows)),
        shows=np.fromiter(
            (categories.of_report(r["kind"], r.get("attributes")) for r in rows),
            np.int64,
            len(rows),
        ),
    )


@dataclass
class Judged:
    """What judging a batch found: breaches as (obligation id, zone id, evidence row id), and
    how many violations were new."""

    breaches: set[tuple[int, int, int]] = field(default_factory=set)
    created: int = 0
    violations: list[dict[str, Any]] = field(default_factory=list)  # as found, new or not


def judge_reports(
    conn: Connection, rows: Sequence[dict[str, Any]], rules: RuleSet | None = None
) -> Judged:
    """Violations for the breaches among report rows."""
    rules = rules if rules is not None else rules_for(conn)
    if not rows or not len(rules):
        return Judged()
    obs = report_observations(rows)
    hit, rule = rules.breaches(obs)
    return _record(conn, rules, rows, obs, hit, rule, evidence="report_id")


def judge_positions(
    conn: Connection, rows: Sequence[dict[str, Any]], rules: RuleSet | None = None
) -> Judged:
    """Violations for the breaches among unit position rows (their unit's party and symbol)."""
    rules = rules if rules is not None else rules_for(conn)
    if not rows or not len(rules):
        return Judged()
    unit_ids = sorted({int(r["unit_id"]) for r in rows})
    info = {
        int(u.id): u
        for u in conn.execute(
            select(units.c.id, units.c.party_id, units.c.sidc, units.c.mission_id).where(
                units.c.id.in_(unit_ids)
            )
        )
    }
    n = len(rows)
    obs = Observations(
        lon=np.fromiter((r["lon"] for r in rows), np.float64, n),
        lat=np.fromiter((r["lat"] for r in rows), np.float64, n),
        t=np.fromiter((r["observed_at"].timestamp() for r in rows), np.float64, n),
        party=np.fromiter((info[int(r["unit_id"])].party_id or 0 for r in rows), np.int64, n),
        shows=np.fromiter((_sidc_bits(info[int(r["unit_id"])].sidc) for r in rows), np.int64, n),
    )
    hit, rule = rules.breaches(obs)
    enriched = [
        {
            **r,
            "party_id": info[int(r["unit_id"])].party_id,
            "mission_id": info[int(r["unit_id"])].mission_id,
        }
        for r in rows
    ]
    return _record(conn, rules, enriched, obs, hit, rule, evidence="position_id")


@lru_cache(maxsize=1024)
def _sidc_bits(code: str) -> int:
    return categories.of_sidc(code)


def _record(
    conn: Connection,
    rules: RuleSet,
    rows: Sequence[dict[str, Any]],
    obs: Observations,
    hit: np.ndarray,
    rule: np.ndarray,
    *,
    evidence: str,
) -> Judged:
    if hit.size == 0:
        return Judged()
    store_labels = _labels(
        conn,
        {int(rows[i]["label_id"]) for i in hit.tolist()}
        | {rules.rules[j].obligation_label for j in rule.tolist()}
        | {rules.rules[j].zone_label for j in rule.tolist()},
    )
    now = datetime.now(UTC)
    label_ids: dict[tuple[int, int, int], int] = {}
    out = []
    for i, j in zip(hit.tolist(), rule.tolist(), strict=True):
        r, k = rows[i], rules.rules[j]
        key = (int(r["label_id"]), k.obligation_label, k.zone_label)
        if key not in label_ids:
            derived = most_restrictive([store_labels[x] for x in key])
            label_ids[key] = intern_label(conn, derived)
        seen = int(obs.shows[i]) & k.prohibited
        out.append(
            {
                "uuid": str(uuidlib.uuid4()),
                "mission_id": r["mission_id"],
                "obligation_id": k.obligation_id,
                "zone_id": k.zone_id,
                "party_id": r["party_id"],
                "report_id": r["id"] if evidence == "report_id" else None,
                "position_id": r["id"] if evidence == "position_id" else None,
                "category": categories.names(seen)[0],
                "observed_at": r["observed_at"],
                "lon": r["lon"],
                "lat": r["lat"],
                "state": "suspected",
                "label_id": label_ids[key],
                "created_by": SYSTEM,
                "created_at": now,
            }
        )
    found = {(v["obligation_id"], v["zone_id"], v[evidence]) for v in out}
    return Judged(found, insert_violations(conn, out), out)


def rejudge_reports(conn: Connection, rows: Sequence[dict[str, Any]]) -> Judged:
    """Judge corrected reports again: new breaches are recorded, suspected violations the
    correction no longer supports are withdrawn, those it still supports (or supports again,
    after a withdrawal) take the corrected place, time and label. Officers' verdicts stay."""
    judged = judge_reports(conn, rows)
    settle(conn, list(rows), "report_id", judged.breaches, reason=CORRECTED)
    if judged.violations:
        v = violations.c
        conn.execute(
            update(violations)
            .where(
                v.obligation_id == bindparam("b_obligation_id"),
                v.zone_id == bindparam("b_zone_id"),
                v.report_id == bindparam("b_report_id"),
                v.state.in_(("suspected", "withdrawn")),
            )
            .values(
                {f: bindparam(f"b_{f}") for f in _REFRESHED}
                | {"state": "suspected", "reason": None, "decided_by": None, "decided_at": None}
            ),
            [
                {f"b_{f}": found[f] for f in (*_REFRESHED, "obligation_id", "zone_id", "report_id")}
                for found in judged.violations
            ],
        )
    return judged


CORRECTED = "no longer a breach: the report was corrected"
_REFRESHED = ("party_id", "category", "observed_at", "lon", "lat", "label_id")


def insert_violations(conn: Connection, rows: list[dict[str, Any]]) -> int:
    """Insert violations, skipping any already recorded for the same evidence; returns how many
    were new."""
    if not rows:
        return 0
    statement = spatial_for(conn).insert_ignoring_constraint(violations)
    result = conn.execute(statement.returning(violations.c.id), rows)
    return len(result.all())


_LABELS: dict[int, Label] = {}


def forget_labels() -> None:
    """Drop cached labels (tests that delete every label call it; the store never does)."""
    _LABELS.clear()


def _labels(conn: Connection, ids: set[int]) -> dict[int, Label]:
    """Labels by id (ids never change meaning, so they are cached)."""
    missing = ids - _LABELS.keys()
    if missing:
        for row in conn.execute(
            select(
                labels.c.id, labels.c.classification, labels.c.releasable_to, labels.c.policy
            ).where(labels.c.id.in_(sorted(missing)))
        ):
            _LABELS[int(row.id)] = label_from_row(row.classification, row.releasable_to, row.policy)
    return {i: _LABELS[i] for i in ids}
