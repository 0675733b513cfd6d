"""An analyst's merge, split and detach. Each is recorded (who, when, why, what), audited,
locks the events it leaves and pins their reports, so no re-run of the engine undoes it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update

from peacewatch.domain.labels import Viewer
from peacewatch.errors import FieldProblem, NotFound, ValidationFailed
from peacewatch.fusion.aggregate import aggregate, derived_label, member_rows
from peacewatch.fusion.engine import write_events
from peacewatch.store import Store, audit
from peacewatch.store.events import event_ids
from peacewatch.store.label_filter import visible
from peacewatch.store.tables import event_reports, events, fusion_decisions, fusion_pins, reports


def _reason(reason: Any) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationFailed("say why", [FieldProblem("reason", "is required: say why")])
    return reason.strip()


def _uuids(value: Any, name: str, least: int = 1) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed(f"{name} must be a list", [FieldProblem(name, "a list of ids")])
    out = sorted({v.lower() for v in value})
    if len(out) < least:
        raise ValidationFailed(f"{name} is too short", [FieldProblem(name, f"at least {least}")])
    return out


def _visible_events(conn: Connection, viewer: Viewer, uuids: list[str]) -> list[Any]:
    found = event_ids(conn, viewer=viewer, uuids=uuids)
    missing = [u for u in uuids if u not in found]
    if missing:
        raise NotFound(f"no event {missing[0]}")
    return sorted(found.values(), key=lambda r: int(r.id))


def merge(store: Store, *, viewer: Viewer, event_uuids: Any, reason: Any) -> str:
    """Merge events into the oldest of them; returns its uuid."""
    why, uuids = _reason(reason), _uuids(event_uuids, "events", least=2)
    with store.write() as conn:
        rows = _visible_events(conn, viewer, uuids)
        if len({r.mission_id for r in rows}) > 1:
            raise ValidationFailed(
                "events of different missions", [FieldProblem("events", "one mission only")]
            )
        target, others = int(rows[0].id), [int(r.id) for r in rows[1:]]
        moved = _uuids_of(conn, [rid for rid, _ in member_rows(conn, others)])
        decision = _record(conn, viewer, "merge", rows, moved, why)
        conn.execute(
            update(event_reports)
            .where(event_reports.c.event_id.in_(others))
            .values(event_id=target)
        )
        conn.execute(delete(events).where(events.c.id.in_(others)))
        _settle(conn, [target], decision)
        return str(rows[0].uuid)


def split(store: Store, *, viewer: Viewer, event_uuid: str, report_uuids: Any, reason: Any) -> str:
    """Move the chosen reports of an event to a new event; returns the new event's uuid."""
    why, chosen = _reason(reason), _uuids(report_uuids, "reports")
    with store.write() as conn:
        (row,) = _visible_events(conn, viewer, [event_uuid.lower()])
        moving = set(_reports_of(conn, viewer, int(row.id), chosen).values())
        members = member_rows(conn, [int(row.id)])
        if len(moving) == len(members):
            raise ValidationFailed(
                "a split must leave a report behind",
                [FieldProblem("reports", "leave at least one report in the event")],
            )
        regrouped = [m._replace(key=-1) if rid in moving else m for rid, m in members]
        new_id = write_events(conn, aggregate(conn, regrouped), [int(row.id)])[-1]
        conn.execute(
            update(event_reports)
            .where(event_reports.c.event_id == row.id, event_reports.c.report_id.in_(moving))
            .values(event_id=new_id)
        )
        new_uuid = str(conn.execute(select(events.c.uuid).where(events.c.id == new_id)).scalar())
        decision = _record(conn, viewer, "split", [row], chosen, why, made=new_uuid)
        _settle(conn, [int(row.id), new_id], decision)
        return new_uuid


def detach(store: Store, *, viewer: Viewer, event_uuid: str, report_uuid: str, reason: Any) -> None:
    """Take a report out of an event and out of fusion (the engine will not place it again)."""
    why = _reason(reason)
    with store.write() as conn:
        (row,) = _visible_events(conn, viewer, [event_uuid.lower()])
        report_id = _reports_of(conn, viewer, int(row.id), [report_uuid.lower()])[
            report_uuid.lower()
        ]
        conn.execute(
            delete(event_reports).where(
                event_reports.c.event_id == row.id, event_reports.c.report_id == report_id
            )
        )
        decision = _record(conn, viewer, "detach", [row], [report_uuid.lower()], why)
        _pin(conn, {report_id: None}, decision)
        _settle(conn, [int(row.id)], decision)


def _reports_of(
    conn: Connection, viewer: Viewer, event_id: int, uuids: list[str]
) -> dict[str, int]:
    """Ids of the visible reports of the event among ``uuids``; 404 names one that is not."""
    query = (
        select(reports.c.uuid, reports.c.id)
        .join(event_reports, event_reports.c.report_id == reports.c.id)
        .where(event_reports.c.event_id == event_id, reports.c.uuid.in_(uuids))
        .where(visible(reports, viewer))
    )
    found = {str(u): int(i) for u, i in conn.execute(query)}
    missing = [u for u in uuids if u not in found]
    if missing:
        raise NotFound(f"no report {missing[0]} in this event")
    return found


def _uuids_of(conn: Connection, report_ids: Sequence[int]) -> list[str]:
    query = select(reports.c.uuid).where(reports.c.id.in_(list(report_ids)))
    return sorted(str(u) for u in conn.execute(query).scalars())


def _settle(conn: Connection, event_ids: list[int], decision: int) -> None:
    """Recompute these events from their reports (dropping empty ones), lock them and pin their
    reports to them."""
    members = member_rows(conn, event_ids)
    held = {m.key for _, m in members}
    empty = [e for e in event_ids if e not in held]
    if empty:
        conn.execute(delete(events).where(events.c.id.in_(empty)))
    kept = [e for e in event_ids if e in held]
    write_events(conn, aggregate(conn, [m for _, m in members]), kept)
    if kept:
        conn.execute(update(events).where(events.c.id.in_(kept)).values(locked=True))
    _pin(conn, {rid: m.key for rid, m in members}, decision)


def _pin(conn: Connection, placed: dict[int, int | None], decision: int) -> None:
    """Pin reports to events (None: out of fusion) by ``decision``."""
    if not placed:
        return
    conn.execute(delete(fusion_pins).where(fusion_pins.c.report_id.in_(list(placed))))
    rows = [{"report_id": r, "event_id": e, "decision_id": decision} for r, e in placed.items()]
    conn.execute(fusion_pins.insert(), rows)


def _record(
    conn: Connection,
    viewer: Viewer,
    action: str,
    rows: Sequence[Any],
    report_uuids: list[str],
    reason: str,
    made: str | None = None,
) -> int:
    """Write the decision and its audit entry; returns the decision's id."""
    involved = [str(r.uuid) for r in rows] + ([made] if made else [])
    label_id = derived_label(conn, frozenset(int(r.label_id) for r in rows))
    now = datetime.now(UTC)
    decision = conn.execute(
        fusion_decisions.insert()
        .values(
            action=action,
            events=involved,
            reports=report_uuids,
            reason=reason,
            label_id=label_id,
            created_by=viewer.name,
            created_at=now,
        )
        .returning(fusion_decisions.c.id)
    ).scalar_one()
    detail = {"events": involved, "reports": report_uuids, "reason": reason}
    audit.append(
        conn, actor=viewer.name, action=f"events.{action}", target=involved[0], detail=detail
    )
    return int(decision)
