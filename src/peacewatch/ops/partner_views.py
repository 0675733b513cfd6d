"""What the API, the CLI and the UI show of partners: each nation's accession timeline and
status at an instant, goals with their progress, exercises with their outcomes, multinational
units with their contributors — built from the rows the viewer may see, each derived result
labelled with the most restrictive label of its inputs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from peacewatch.domain.labels import Label, Viewer
from peacewatch.ops.partners import (
    STATUS_NAMES,
    Contribution,
    Milestone,
    StatusChange,
    accession_timeline,
    contributors_at,
    derived_label,
    goal_progress,
    interoperability,
    status_at,
)
from peacewatch.store import partners as partner_store
from peacewatch.store.tables import nations


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t is not None else None


def _change(row: dict[str, Any]) -> StatusChange:
    return StatusChange(
        row["nation"], row["status"], row["since"], row["source"], Label.parse(row["label"]),
        row["synthetic"], row["note"],
    )  # fmt: skip


def goal_view(row: dict[str, Any], viewer: Viewer, at: datetime) -> dict[str, Any]:
    """A goal with its milestones, evidence and progress at ``at`` (the progress is derived
    from the goal and its visible milestones, and labelled as the most restrictive of them)."""
    milestones = [
        Milestone(
            m["number"], m["title"], m["planned_at"], m["achieved_at"], Label.parse(m["label"])
        )
        for m in row["milestones"]
    ]
    progress = goal_progress(milestones, at, recorded=row["progress"], due_at=row["due_at"])
    label = derived_label([Label.parse(row["label"]), *(m.label for m in milestones)], viewer)
    overdue = set(progress.overdue)
    return {
        "id": row["uid"],
        "nation": row["nation"],
        "title": row["title"],
        "area": row["area"],
        "description": row["description"],
        "due": _iso(row["due_at"]),
        "recorded_progress": row["progress"],
        "source": row["source"],
        "synthetic": row["synthetic"],
        "progress": progress.to_dict(),
        "at": at.isoformat(),
        "milestones": [
            {
                "number": m["number"],
                "title": m["title"],
                "planned": _iso(m["planned_at"]),
                "achieved": _iso(m["achieved_at"]),
                "overdue": m["number"] in overdue,
                "label": m["label"],
            }
            for m in row["milestones"]
        ],
        "evidence": [
            {
                "title": e["title"],
                "url": e["url"],
                "document": e["document"],
                "dated": _iso(e["dated_at"]),
                "recorded_by": e["created_by"],
                "recorded_at": _iso(e["created_at"]),
                "label": e["label"],
            }
            for e in row["evidence"]
        ],
        "label": label.marking,
    }


def exercise_view(row: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    """An exercise with its objectives' outcomes and interoperability score."""
    objectives = row["objectives"]
    labels = [Label.parse(row["label"]), *(Label.parse(o["label"]) for o in objectives)]
    return {
        "id": row["uid"],
        "name": row["name"],
        "place": row["place"],
        "lon": row["lon"],
        "lat": row["lat"],
        "start": _iso(row["start_at"]),
        "end": _iso(row["end_at"]),
        "participants": row["participants"],
        "source": row["source"],
        "synthetic": row["synthetic"],
        "objectives": [
            {
                "number": o["number"],
                "title": o["title"],
                "outcome": o["outcome"],
                "notes": o["notes"],
                "assessed_by": o["assessed_by"],
                "assessed_at": _iso(o["assessed_at"]),
                "label": o["label"],
            }
            for o in objectives
        ],
        "interoperability": interoperability(o["outcome"] for o in objectives),
        "label": derived_label(labels, viewer).marking,
    }


def unit_view(row: dict[str, Any], viewer: Viewer, at: datetime) -> dict[str, Any]:
    """A multinational unit with its contributions over time and its contributors at ``at``."""
    contributions = [
        Contribution(c["nation"], c["role"], c["from_at"], c["to_at"], Label.parse(c["label"]))
        for c in row["contributions"]
    ]
    labels = [Label.parse(row["label"]), *(c.label for c in contributions)]
    return {
        "id": row["uid"],
        "name": row["name"],
        "kind": row["kind"],
        "hq": row["hq"],
        "formed": _iso(row["formed_at"]),
        "source": row["source"],
        "synthetic": row["synthetic"],
        "contributions": [
            {
                "nation": c["nation"],
                "role": c["role"],
                "from": _iso(c["from_at"]),
                "to": _iso(c["to_at"]),
                "source": c["source"],
                "synthetic": c["synthetic"],
                "label": c["label"],
            }
            for c in row["contributions"]
        ],
        "contributors_at": contributors_at(contributions, at),
        "at": at.isoformat(),
        "label": derived_label(labels, viewer).marking,
    }


def _names(conn: Connection) -> dict[str, str]:
    return {str(c): str(n) for c, n in conn.execute(select(nations.c.code, nations.c.name))}


def partner_views(
    conn: Connection, *, viewer: Viewer, at: datetime | None = None, nation: str | None = None
) -> list[dict[str, Any]]:
    """Every nation with a status change or goal ``viewer`` may see: its accession timeline,
    status at ``at`` (default now), goals with progress, exercises and units it took part in."""
    at = at or datetime.now(UTC)
    code = nation.upper() if nation else None
    changes: dict[str, list[dict[str, Any]]] = {}
    for row in partner_store.statuses(conn, viewer=viewer, nation=code):
        changes.setdefault(row["nation"], []).append(row)
    goals: dict[str, list[dict[str, Any]]] = {}
    for row in partner_store.goals(conn, viewer=viewer, nation=code):
        goals.setdefault(row["nation"], []).append(row)
    exercises = partner_store.exercise_rows(conn, viewer=viewer)
    units = partner_store.unit_rows(conn, viewer=viewer)
    names = _names(conn)
    out = []
    for each in sorted(set(changes) | set(goals)):
        steps = [_change(r) for r in changes.get(each, [])]
        current = status_at(steps, at)
        goal_items = [goal_view(g, viewer, at) for g in goals.get(each, [])]
        took_part = [
            {"id": e["uid"], "name": e["name"], "start": _iso(e["start_at"]), "label": e["label"]}
            for e in exercises
            if each in e["participants"]
        ]
        contributed = [
            {"id": u["uid"], "name": u["name"], "label": c["label"], "role": c["role"],
             "from": _iso(c["from_at"]), "to": _iso(c["to_at"])}
            for u in units for c in u["contributions"] if c["nation"] == each
        ]  # fmt: skip
        inputs = [s.label for s in steps] + [Label.parse(g["label"]) for g in goal_items]
        out.append(
            {
                "id": each,
                "nation": each,
                "name": names.get(each, each),
                "at": at.isoformat(),
                "status": current.status if current else None,
                "status_name": STATUS_NAMES[current.status] if current else None,
                "status_since": _iso(current.since) if current else None,
                "timeline": accession_timeline(steps),
                "goals": goal_items,
                "goals_behind_schedule": sum(
                    1 for g in goal_items if g["progress"]["behind_schedule"]
                ),
                "exercises": took_part,
                "multinational_units": contributed,
                "label": derived_label(inputs, viewer).marking,
            }
        )
    return out


def goal_views(
    conn: Connection, *, viewer: Viewer, nation: str, uid: str, at: datetime | None = None
) -> dict[str, Any] | None:
    """One goal of ``nation`` with its progress at ``at``, or None when not visible."""
    rows = partner_store.goals(conn, viewer=viewer, nation=nation.upper(), uid=uid)
    return goal_view(rows[0], viewer, at or datetime.now(UTC)) if rows else None


def exercise_views(
    conn: Connection, *, viewer: Viewer, uid: str | None = None, nation: str | None = None
) -> list[dict[str, Any]]:
    """Exercises ``viewer`` may see (one by uid, or those a nation took part in)."""
    rows = partner_store.exercise_rows(conn, viewer=viewer, uid=uid)
    if nation:
        rows = [r for r in rows if nation.upper() in r["participants"]]
    return [exercise_view(r, viewer) for r in rows]


def unit_views(
    conn: Connection, *, viewer: Viewer, uid: str | None = None, at: datetime | None = None
) -> list[dict[str, Any]]:
    """Multinational units ``viewer`` may see, with their contributors at ``at``."""
    when = at or datetime.now(UTC)
    return [
        unit_view(r, viewer, when) for r in partner_store.unit_rows(conn, viewer=viewer, uid=uid)
    ]
