"""Writing partners' records: dated status changes, goals with milestones and evidence.

Each function validates its input (naming every field at fault), checks the writer may write
the label (a child record defaults to its parent's label), writes in one transaction and
audits it. The API, the CLI and the scenario loader all come through here; exercises and
multinational units are written by ``exercise_records.py``.
"""

from __future__ import annotations

import uuid as uuidlib
from typing import Any

from sqlalchemy import Connection, select

from peacewatch.domain.labels import Label, Viewer
from peacewatch.errors import Conflict, FieldProblem
from peacewatch.ops.partners import STATUSES
from peacewatch.ops.record_checks import (
    DEFAULT_LABEL,
    Check,
    checked_label,
    common_columns,
    registered_nation,
    stamp,
    unique_uid,
    visible_row,
)
from peacewatch.store import Store, audit
from peacewatch.store import partners as partner_store
from peacewatch.store.tables import goal_milestones, partner_goals, partner_statuses


def add_status(store: Store, *, viewer: Viewer, nation: str, data: dict[str, Any]) -> None:
    """Record one dated step of a nation's status (pfp, map, invited, member) with its source."""
    check = Check()
    status = data.get("status")
    if status not in STATUSES:
        check.problems.append(FieldProblem("status", f"must be one of {', '.join(STATUSES)}"))
    since = check.time(data, "since")
    source = check.text(data, "source")
    check.fail("status change")
    with store.write() as conn:
        code = registered_nation(conn, nation, "nation")
        label_id, _ = checked_label(conn, store, viewer, data.get("label"), DEFAULT_LABEL, "label")
        if conn.execute(
            select(1)
            .select_from(partner_statuses)
            .where(
                partner_statuses.c.nation == code,
                partner_statuses.c.status == status,
                partner_statuses.c.since == since,
            )
        ).first():
            raise Conflict(
                f"{code} is already recorded as {status} since that day",
                [FieldProblem("since", "this change is recorded already")],
            )
        partner_store.add_status(
            conn, nation=code, status=status, since=since, source=source,
            note=data.get("note"), synthetic=bool(data.get("synthetic", False)),
            label_id=label_id, **stamp(viewer),
        )  # fmt: skip
        audit.append(conn, actor=viewer.name, action="partner.status", target=f"{code}/{status}")


def _milestone_rows(
    check: Check, items: Any, *, prefix: str = "milestones"
) -> list[dict[str, Any]]:
    if items is None:
        return []
    if not isinstance(items, list):
        check.problems.append(FieldProblem(prefix, "must be a list"))
        return []
    out = []
    for i, item in enumerate(items):
        p = f"{prefix}[{i}]."
        if not isinstance(item, dict):
            check.problems.append(FieldProblem(p.rstrip("."), "must be an object"))
            continue
        out.append(
            {
                "number": i + 1,
                "title": check.text(item, "title", prefix=p),
                "planned_at": check.time(item, "planned", prefix=p),
                "achieved_at": check.time(item, "achieved", required=False, prefix=p),
                "label": item.get("label"),
            }
        )
    return out


def add_goal(store: Store, *, viewer: Viewer, nation: str, data: dict[str, Any]) -> str:
    """Create a goal (or reform) of a nation with its milestones; returns its uid."""
    check = Check()
    title = check.text(data, "title")
    progress = data.get("progress")
    if progress is not None and (
        not isinstance(progress, int) or isinstance(progress, bool) or not 0 <= progress <= 100
    ):
        check.problems.append(FieldProblem("progress", "must be a whole number from 0 to 100"))
    due = check.time(data, "due", required=False)
    milestones = _milestone_rows(check, data.get("milestones"))
    check.fail("goal")
    uid = str(data.get("uid") or uuidlib.uuid4())
    with store.write() as conn:
        code = registered_nation(conn, nation, "nation")
        unique_uid(conn, partner_goals, uid, "goal")
        label_id, label = checked_label(
            conn, store, viewer, data.get("label"), DEFAULT_LABEL, "label"
        )
        goal_id = partner_store.add_goal(
            conn, uid=uid, nation=code, title=title, area=data.get("area"),
            description=data.get("description"), progress=progress, due_at=due,
            label_id=label_id, **common_columns(data), **stamp(viewer),
        )  # fmt: skip
        rows = []
        for i, m in enumerate(milestones):
            m_id, _ = checked_label(
                conn, store, viewer, m.pop("label"), label, f"milestones[{i}].label"
            )
            rows.append({**m, "goal_id": goal_id, "label_id": m_id, **stamp(viewer)})
        partner_store.add_milestones(conn, rows)
        audit.append(conn, actor=viewer.name, action="partner.goal.create", target=uid)
    return uid


def _goal(conn: Connection, viewer: Viewer, nation: str, uid: str) -> tuple[int, Label]:
    return visible_row(
        conn, partner_goals, viewer, f"goal {uid} of {nation}",
        partner_goals.c.uid == uid, partner_goals.c.nation == nation.upper(),
    )  # fmt: skip


def record_milestone(
    store: Store, *, viewer: Viewer, nation: str, uid: str, number: int, data: dict[str, Any]
) -> None:
    """Record when a goal's milestone was achieved (``achieved``: a time, or null to undo)."""
    check = Check()
    if "achieved" not in data:
        check.problems.append(FieldProblem("achieved", "is required (a time, or null)"))
    achieved = check.time(data, "achieved", required=False)
    check.fail("milestone")
    with store.write() as conn:
        goal_id, _ = _goal(conn, viewer, nation, uid)
        visible_row(
            conn, goal_milestones, viewer, f"milestone {number} of goal {uid}",
            goal_milestones.c.goal_id == goal_id, goal_milestones.c.number == number,
        )  # fmt: skip
        partner_store.set_achieved(conn, goal_id=goal_id, number=number, achieved_at=achieved)
        audit.append(
            conn, actor=viewer.name, action="partner.milestone", target=f"{uid}/{number}",
            detail={"achieved": achieved.isoformat() if achieved else None},
        )  # fmt: skip


def add_evidence(
    store: Store, *, viewer: Viewer, nation: str, uid: str, data: dict[str, Any]
) -> None:
    """Attach dated evidence (a link or a document's reference) to a goal; who and when are
    recorded."""
    check = Check()
    title = check.text(data, "title")
    dated = check.time(data, "dated")
    url, document = data.get("url"), data.get("document")
    if not url and not document:
        check.problems.append(FieldProblem("url", "give a url or a document reference"))
    if url and not (isinstance(url, str) and url.startswith(("https://", "http://"))):
        check.problems.append(FieldProblem("url", "must be an http(s) address"))
    check.fail("evidence")
    with store.write() as conn:
        goal_id, label = _goal(conn, viewer, nation, uid)
        label_id, _ = checked_label(conn, store, viewer, data.get("label"), label, "label")
        partner_store.add_evidence(
            conn, goal_id=goal_id, title=title, url=url or None, document=document or None,
            dated_at=dated, label_id=label_id, **stamp(viewer),
        )  # fmt: skip
        audit.append(conn, actor=viewer.name, action="partner.evidence", target=uid)
