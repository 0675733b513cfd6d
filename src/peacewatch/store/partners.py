"""Partners, exercises and multinational units: their rows, read through the label filter.

Every read takes the viewer and keeps only the rows they may see, child rows (milestones,
evidence, objectives, contributions) each by their own label. Rows come back as dicts with the
stored label's marking under ``label``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, select, update

from peacewatch.domain.labels import Viewer
from peacewatch.store.label_filter import visible
from peacewatch.store.tables import (
    exercise_objectives,
    exercises,
    goal_evidence,
    goal_milestones,
    labels,
    multinational_units,
    partner_goals,
    partner_statuses,
    unit_contributions,
)
from peacewatch.store.writes import insert_row


def add_status(conn: Connection, **values: Any) -> int:
    """Insert one dated status change of a nation; returns its id."""
    return insert_row(conn, partner_statuses, **values)


def add_goal(conn: Connection, **values: Any) -> int:
    """Insert a goal; returns its id."""
    return insert_row(conn, partner_goals, **values)


def add_milestones(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert a goal's milestones (goal_id, number, title, planned_at, achieved_at, label …)."""
    if rows:
        conn.execute(goal_milestones.insert(), list(rows))


def set_achieved(
    conn: Connection, *, goal_id: int, number: int, achieved_at: datetime | None
) -> int:
    """Record when a milestone was achieved (None: not achieved); returns rows changed."""
    return int(
        conn.execute(
            update(goal_milestones)
            .where(goal_milestones.c.goal_id == goal_id, goal_milestones.c.number == number)
            .values(achieved_at=achieved_at)
        ).rowcount
    )


def add_evidence(conn: Connection, **values: Any) -> int:
    """Insert a piece of evidence for a goal; returns its id."""
    return insert_row(conn, goal_evidence, **values)


def add_exercise(conn: Connection, **values: Any) -> int:
    """Insert an exercise; returns its id."""
    return insert_row(conn, exercises, **values)


def add_objectives(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert an exercise's objectives (exercise_id, number, title, outcome, notes, label …)."""
    if rows:
        conn.execute(exercise_objectives.insert(), list(rows))


def assess(conn: Connection, *, exercise_id: int, number: int, **values: Any) -> int:
    """Record an objective's outcome (outcome, notes, assessed_by, assessed_at)."""
    return int(
        conn.execute(
            update(exercise_objectives)
            .where(
                exercise_objectives.c.exercise_id == exercise_id,
                exercise_objectives.c.number == number,
            )
            .values(**values)
        ).rowcount
    )


def add_unit(conn: Connection, **values: Any) -> int:
    """Insert a multinational unit; returns its id."""
    return insert_row(conn, multinational_units, **values)


def add_contributions(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert nations' contributions to a unit (unit_id, nation, from_at, to_at, label …)."""
    if rows:
        conn.execute(unit_contributions.insert(), list(rows))


def _rows(conn: Connection, table: Table, viewer: Viewer, *where: Any) -> list[dict[str, Any]]:
    query = (
        select(table, labels.c.marking.label("label"))
        .join(labels, labels.c.id == table.c.label_id)
        .where(visible(table, viewer), *where)
        .order_by(table.c.id)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


def statuses(
    conn: Connection, *, viewer: Viewer, nation: str | None = None
) -> list[dict[str, Any]]:
    """Status changes ``viewer`` may see (of one nation, or all)."""
    where = [partner_statuses.c.nation == nation] if nation is not None else []
    return _rows(conn, partner_statuses, viewer, *where)


def goals(
    conn: Connection, *, viewer: Viewer, nation: str | None = None, uid: str | None = None
) -> list[dict[str, Any]]:
    """Goals ``viewer`` may see, each with its visible ``milestones`` and ``evidence``."""
    where = []
    if nation is not None:
        where.append(partner_goals.c.nation == nation)
    if uid is not None:
        where.append(partner_goals.c.uid == uid)
    found = _rows(conn, partner_goals, viewer, *where)
    ids = [g["id"] for g in found]
    milestones = _children(conn, goal_milestones, "goal_id", ids, viewer)
    evidence = _children(conn, goal_evidence, "goal_id", ids, viewer)
    for g in found:
        g["milestones"] = sorted(milestones.get(g["id"], []), key=lambda m: m["number"])
        g["evidence"] = sorted(evidence.get(g["id"], []), key=lambda e: (e["dated_at"], e["id"]))
    return found


def exercise_rows(
    conn: Connection, *, viewer: Viewer, uid: str | None = None
) -> list[dict[str, Any]]:
    """Exercises ``viewer`` may see, oldest first, each with its visible ``objectives``."""
    where = [exercises.c.uid == uid] if uid is not None else []
    found = sorted(_rows(conn, exercises, viewer, *where), key=lambda e: (e["start_at"], e["uid"]))
    objectives = _children(
        conn, exercise_objectives, "exercise_id", [e["id"] for e in found], viewer
    )
    for e in found:
        e["objectives"] = sorted(objectives.get(e["id"], []), key=lambda o: o["number"])
    return found


def unit_rows(conn: Connection, *, viewer: Viewer, uid: str | None = None) -> list[dict[str, Any]]:
    """Multinational units ``viewer`` may see, each with its visible ``contributions``."""
    where = [multinational_units.c.uid == uid] if uid is not None else []
    found = sorted(_rows(conn, multinational_units, viewer, *where), key=lambda u: u["uid"])
    contributions = _children(conn, unit_contributions, "unit_id", [u["id"] for u in found], viewer)
    for u in found:
        u["contributions"] = sorted(
            contributions.get(u["id"], []), key=lambda c: (c["from_at"], c["nation"])
        )
    return found


def _children(
    conn: Connection, table: Table, parent: str, ids: list[int], viewer: Viewer
) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    if not ids:
        return out
    for row in _rows(conn, table, viewer, table.c[parent].in_(ids)):
        out.setdefault(row[parent], []).append(row)
    return out


def ids_by_uid(conn: Connection, table: Table, uid: str) -> int | None:
    """The id of the row of ``table`` with ``uid`` (unfiltered: for writes, which check it)."""
    found = conn.execute(select(table.c.id).where(table.c.uid == uid)).scalar()
    return None if found is None else int(found)
