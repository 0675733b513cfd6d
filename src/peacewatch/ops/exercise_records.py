"""Writing exercises (participants, objectives and their interoperability outcomes) and
multinational units (contributing nations over time), as ``partner_records.py`` writes
partners: validated, label-checked, in one transaction, audited."""

from __future__ import annotations

import uuid as uuidlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from peacewatch.domain.geometry import validate_lonlat
from peacewatch.domain.labels import Label, Viewer
from peacewatch.errors import FieldProblem
from peacewatch.ops.partners import OUTCOMES
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
from peacewatch.store.tables import exercise_objectives, exercises, multinational_units


def _outcome(check: Check, value: Any, field: str) -> str | None:
    if value is None or value == "":
        return None
    if value not in OUTCOMES:
        check.problems.append(FieldProblem(field, f"must be one of {', '.join(OUTCOMES)}"))
        return None
    return str(value)


def add_exercise(store: Store, *, viewer: Viewer, data: dict[str, Any]) -> str:
    """Create an exercise with its participants and objectives; returns its uid."""
    check = Check()
    name = check.text(data, "name")
    place = check.text(data, "place")
    start = check.time(data, "start")
    end = check.time(data, "end")
    if start and end and end < start:
        check.problems.append(FieldProblem("end", "must not be before start"))
    lon, lat = data.get("lon"), data.get("lat")
    if (lon is None) != (lat is None):
        check.problems.append(FieldProblem("lat" if lat is None else "lon", "give both or none"))
    elif lon is not None:
        check("lon", lambda: validate_lonlat(lon, lat))
    participants = data.get("participants")
    if not isinstance(participants, list) or not participants:
        check.problems.append(FieldProblem("participants", "is required (nation codes)"))
        participants = []
    objectives = data.get("objectives") or []
    if not isinstance(objectives, list):
        check.problems.append(FieldProblem("objectives", "must be a list"))
        objectives = []
    rows = []
    for i, item in enumerate(objectives):
        p = f"objectives[{i}]."
        item = item if isinstance(item, dict) else {"title": item}
        rows.append(
            {
                "number": i + 1,
                "title": check.text(item, "title", prefix=p),
                "outcome": _outcome(check, item.get("outcome"), p + "outcome"),
                "notes": item.get("notes"),
                "label": item.get("label"),
            }
        )
    check.fail("exercise")
    uid = str(data.get("uid") or uuidlib.uuid4())
    now = datetime.now(UTC)
    with store.write() as conn:
        codes = sorted(
            {registered_nation(conn, c, f"participants[{i}]") for i, c in enumerate(participants)}
        )
        unique_uid(conn, exercises, uid, "exercise")
        label_id, label = checked_label(
            conn, store, viewer, data.get("label"), DEFAULT_LABEL, "label"
        )
        exercise_id = partner_store.add_exercise(
            conn, uid=uid, name=name, place=place, lon=lon, lat=lat, start_at=start, end_at=end,
            participants=codes, label_id=label_id, **common_columns(data), **stamp(viewer),
        )  # fmt: skip
        out = []
        for i, row in enumerate(rows):
            o_id, _ = checked_label(
                conn, store, viewer, row.pop("label"), label, f"objectives[{i}].label"
            )
            assessed = row["outcome"] is not None
            out.append(
                {**row, "exercise_id": exercise_id, "label_id": o_id, **stamp(viewer),
                 "assessed_by": viewer.name if assessed else None,
                 "assessed_at": now if assessed else None}
            )  # fmt: skip
        partner_store.add_objectives(conn, out)
        audit.append(conn, actor=viewer.name, action="exercise.create", target=uid)
    return uid


def assess_objective(
    store: Store, *, viewer: Viewer, uid: str, number: int, data: dict[str, Any]
) -> None:
    """Record an objective's interoperability outcome (met, partly, not_met) with notes."""
    check = Check()
    if data.get("outcome") in (None, ""):
        check.problems.append(FieldProblem("outcome", f"is required: {', '.join(OUTCOMES)}"))
    outcome = _outcome(check, data.get("outcome"), "outcome")
    check.fail("assessment")
    with store.write() as conn:
        exercise_id, _ = visible_row(
            conn, exercises, viewer, f"exercise {uid}", exercises.c.uid == uid
        )
        visible_row(
            conn, exercise_objectives, viewer, f"objective {number} of exercise {uid}",
            exercise_objectives.c.exercise_id == exercise_id,
            exercise_objectives.c.number == number,
        )  # fmt: skip
        partner_store.assess(
            conn, exercise_id=exercise_id, number=number, outcome=outcome,
            notes=data.get("notes"), assessed_by=viewer.name, assessed_at=datetime.now(UTC),
        )  # fmt: skip
        audit.append(
            conn, actor=viewer.name, action="exercise.assess", target=f"{uid}/{number}",
            detail={"outcome": outcome},
        )  # fmt: skip


def _contribution_rows(check: Check, items: Any, prefix: str) -> list[dict[str, Any]]:
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
        start = check.time(item, "from", prefix=p)
        end = check.time(item, "to", required=False, prefix=p)
        if start and end and end <= start:
            check.problems.append(FieldProblem(p + "to", "must be after from"))
        out.append(
            {"nation": item.get("nation"), "role": item.get("role"), "from_at": start,
             "to_at": end, "source": item.get("source"),
             "synthetic": bool(item.get("synthetic", False)), "label": item.get("label")}
        )  # fmt: skip
    return out


def _write_contributions(
    conn: Connection, store: Store, viewer: Viewer, unit_id: int, parent: Label,
    rows: list[dict[str, Any]], prefix: str,
) -> None:  # fmt: skip
    out = []
    for i, row in enumerate(rows):
        p = f"{prefix}[{i}]." if prefix else ""
        nation = registered_nation(conn, row["nation"], p + "nation")
        label_id, _ = checked_label(conn, store, viewer, row.pop("label"), parent, p + "label")
        out.append({**row, "nation": nation, "unit_id": unit_id, "label_id": label_id,
                    **stamp(viewer)})  # fmt: skip
    partner_store.add_contributions(conn, out)


def add_multinational_unit(store: Store, *, viewer: Viewer, data: dict[str, Any]) -> str:
    """Create a multinational unit with its contributing nations over time; returns its uid."""
    check = Check()
    name = check.text(data, "name")
    kind = check.text(data, "kind")
    formed = check.time(data, "formed", required=False)
    rows = _contribution_rows(check, data.get("contributions"), "contributions")
    check.fail("multinational unit")
    uid = str(data.get("uid") or uuidlib.uuid4())
    with store.write() as conn:
        unique_uid(conn, multinational_units, uid, "multinational unit")
        label_id, label = checked_label(
            conn, store, viewer, data.get("label"), DEFAULT_LABEL, "label"
        )
        unit_id = partner_store.add_unit(
            conn, uid=uid, name=name, kind=kind, hq=data.get("hq"), formed_at=formed,
            label_id=label_id, **common_columns(data), **stamp(viewer),
        )  # fmt: skip
        _write_contributions(conn, store, viewer, unit_id, label, rows, "contributions")
        audit.append(conn, actor=viewer.name, action="multinational_unit.create", target=uid)
    return uid


def add_contribution(store: Store, *, viewer: Viewer, uid: str, data: dict[str, Any]) -> None:
    """Add a nation's contribution (nation, role, from, to, source) to a multinational unit."""
    check = Check()
    if not data.get("nation"):
        check.problems.append(FieldProblem("nation", "is required"))
    rows = _contribution_rows(check, [data], "contribution")
    check.problems = [
        FieldProblem(p.field.removeprefix("contribution[0]."), p.message) for p in check.problems
    ]
    check.fail("contribution")
    with store.write() as conn:
        unit_id, label = visible_row(
            conn, multinational_units, viewer, f"multinational unit {uid}",
            multinational_units.c.uid == uid,
        )  # fmt: skip
        _write_contributions(conn, store, viewer, unit_id, label, rows, "")
        audit.append(conn, actor=viewer.name, action="multinational_unit.contribution", target=uid)
