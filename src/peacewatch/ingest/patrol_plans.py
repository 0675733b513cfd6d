"""Writing patrol plans: a route or an area, a schedule, a unit, a label — validated, checked
against the writer's clearance, audited. The API, the CLI and the scenario come through here."""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import shapely
from sqlalchemy import Connection, select

from peacewatch.domain.dtg import parse_time
from peacewatch.domain.errors import DomainError
from peacewatch.domain.geometry import geometry_from_geojson
from peacewatch.domain.labels import Label, Viewer, can_write
from peacewatch.domain.schedule import MAX_RUNS, days_text, parse_days, runs
from peacewatch.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peacewatch.ingest.validate import authorised_label
from peacewatch.store import Store, audit, reference
from peacewatch.store import patrol_plans as plan_store
from peacewatch.store.label_filter import (
    intern_label,
    known_release_codes,
    label_from_row,
    visible,
)
from peacewatch.store.tables import labels, patrol_plans, units

FIELDS = frozenset(
    {"uid", "mission", "name", "kind", "geometry", "unit", "start", "end", "repeat", "status",
     "label", "attributes", "synthetic"}
)  # fmt: skip
# What a PATCH may change: the label and the mission stay (a new label is a new plan).
MUTABLE = frozenset({"name", "geometry", "unit", "start", "end", "repeat", "status", "attributes"})
_KIND_OF = {"LineString": "route", "Polygon": "area"}


class _Problems(list[FieldProblem]):
    def add(self, field: str, message: str) -> None:
        self.append(FieldProblem(field, message))

    def guard(self, name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            self.add(exc.field or name, exc.message)
        except (TypeError, ValueError) as exc:
            self.add(name, str(exc) or "invalid value")
        return None


def _time(value: Any, field: str) -> datetime:
    if value is None or value == "":
        raise DomainError("is required", field=field)
    return parse_time(value, field=field)


def _geometry(value: Any) -> tuple[shapely.Geometry, str]:
    if not isinstance(value, dict):
        raise DomainError(
            "must be a GeoJSON LineString (route) or Polygon (area)", field="geometry"
        )
    geometry = geometry_from_geojson(value, field="geometry")
    kind = _KIND_OF.get(geometry.geom_type)
    if kind is None:
        raise DomainError(
            f"a {geometry.geom_type} cannot be patrolled: use a LineString (route) or a "
            "Polygon (area)",
            field="geometry",
        )
    return geometry, kind


def _parsed(data: Any, prefix: str, *, partial: bool = False) -> tuple[dict[str, Any], _Problems]:
    """Column values from a plan's JSON (only the members given when ``partial``)."""
    problems = _Problems()
    if not isinstance(data, dict):
        problems.add(prefix.rstrip(".") or "body", "must be an object")
        return {}, problems
    allowed = MUTABLE if partial else FIELDS
    for key in sorted(set(data) - allowed):
        problems.add(prefix + key, "cannot be changed" if key in FIELDS else "unknown member")
    out: dict[str, Any] = {}
    for key in ("name",) if partial else ("name", "mission"):
        if not partial and (not isinstance(data.get(key), str) or not data[key].strip()):
            problems.add(prefix + key, "is required")
    if "name" in data:
        if not isinstance(data["name"], str) or not data["name"].strip():
            problems.add(prefix + "name", "must be a non-empty text")
        else:
            out["name"] = data["name"].strip()
    if "geometry" in data or not partial:
        found = problems.guard(prefix + "geometry", _geometry, data.get("geometry"))
        if found is not None:
            out["geometry"], out["kind"] = found
            if data.get("kind") not in (None, out["kind"]):
                problems.add(prefix + "kind", f"is {out['kind']} for a {found[0].geom_type}")
    for key in ("start", "end"):
        if key in data or not partial:
            value = problems.guard(prefix + key, _time, data.get(key), prefix + key)
            if value is not None:
                out[f"{key}_at"] = value
    if "repeat" in data and data["repeat"] is not None:
        repeat = data["repeat"]
        if not isinstance(repeat, dict):
            problems.add(prefix + "repeat", "must be {'days': [...], 'until': time} or null")
        else:
            days = problems.guard(
                prefix + "repeat.days", parse_days, repeat.get("days"), field=prefix + "repeat.days"
            )
            until = problems.guard(
                prefix + "repeat.until", _time, repeat.get("until"), prefix + "repeat.until"
            )
            if days is not None and until is not None:
                out["repeat_days"], out["repeat_until"] = days_text(days), until
    elif "repeat" in data:
        out["repeat_days"], out["repeat_until"] = None, None
    if "status" in data or not partial:
        status = data.get("status") or "planned"
        if status not in plan_store.PLAN_STATUSES:
            problems.add(prefix + "status", f"must be one of {', '.join(plan_store.PLAN_STATUSES)}")
        out["status"] = status
    if "attributes" in data:
        if not isinstance(data["attributes"], dict):
            problems.add(prefix + "attributes", "must be an object")
        out["attributes"] = data["attributes"] or {}
    return out, problems


def _check_times(values: dict[str, Any], prefix: str, problems: _Problems) -> None:
    start, end = values.get("start_at"), values.get("end_at")
    if start is not None and end is not None and end <= start:
        problems.add(prefix + "end", "must be after start")
    until = values.get("repeat_until")
    if start is not None and end is not None and until is not None:
        if until <= start:
            problems.add(prefix + "repeat.until", "must be after start")
        elif len(runs(start, end, (1, 2, 3, 4, 5, 6, 7), until)) >= MAX_RUNS:
            problems.add(prefix + "repeat.until", f"gives more than {MAX_RUNS} runs")


def _unit_id(conn: Connection, viewer: Viewer, mission_id: int, uid: Any, field: str) -> int:
    """A unit of the mission that ``viewer`` may see (others are as unknown as absent ones)."""
    found = None
    if isinstance(uid, str):
        found = conn.execute(
            select(units.c.id).where(
                units.c.uid == uid,
                units.c.mission_id == mission_id,
                visible(units, viewer),
            )
        ).scalar()
    if found is None:
        raise ValidationFailed("unknown unit", [FieldProblem(field, f"no unit {uid!r}")])
    return int(found)


def add_plans(store: Store, *, viewer: Viewer, items: Sequence[Any]) -> list[str]:
    """Create plans in one transaction (all are validated first); returns their uids."""
    problems = _Problems()
    parsed: list[tuple[dict[str, Any], dict[str, Any], str]] = []
    for i, data in enumerate(items):
        prefix = f"plans[{i}]." if len(items) > 1 else ""
        values, found = _parsed(data, prefix)
        _check_times(values, prefix, found)
        problems += found
        parsed.append((data if isinstance(data, dict) else {}, values, prefix))
    if problems:
        raise ValidationFailed("the patrol plan is not valid", list(problems))
    now = datetime.now(UTC)
    made: list[str] = []
    with store.write() as conn:
        codes = known_release_codes(conn)
        for data, values, prefix in parsed:
            found_mission = reference.mission_id(conn, data["mission"])
            if found_mission is None:
                raise ValidationFailed(
                    "unknown mission", [FieldProblem(prefix + "mission", "unknown mission")]
                )
            default = reference.default_labels(conn, [found_mission])[found_mission]
            try:
                label = authorised_label(
                    data.get("label"), viewer=viewer, release_codes=codes, default=default
                )
            except DomainError as exc:
                raise ValidationFailed(
                    exc.message, [FieldProblem(prefix + "label", exc.message)]
                ) from None
            uid = str(data.get("uid") or uuidlib.uuid4())
            if conn.execute(select(patrol_plans.c.id).where(patrol_plans.c.uid == uid)).first():
                raise Conflict(
                    f"a patrol plan {uid!r} exists already",
                    [FieldProblem(prefix + "uid", "exists")],
                )
            unit_id = None
            if data.get("unit"):
                unit_id = _unit_id(conn, viewer, found_mission, data["unit"], prefix + "unit")
            plan_store.add_plan(
                conn, uid=uid, mission_id=found_mission, unit_id=unit_id,
                synthetic=bool(data.get("synthetic", False)),
                attributes=values.pop("attributes", {}),
                label_id=intern_label(conn, label, store.label_cache),
                created_by=viewer.name, created_at=now, **values,
            )  # fmt: skip
            made.append(uid)
        audit.append(
            conn,
            actor=viewer.name,
            action="patrol_plans.add",
            detail={"plans": made[:100], "count": len(made)},
        )
    return made


def _writable_row(conn: Connection, viewer: Viewer, uid: str) -> Any:
    row = plan_store.plan_row(conn, viewer=viewer, uid=uid)
    if row is None:
        raise NotFound(f"no patrol plan {uid}")
    stored = conn.execute(select(labels).where(labels.c.id == row.label_id)).one()
    label: Label = label_from_row(stored.classification, stored.releasable_to, stored.policy)
    if not can_write(viewer, label):
        raise ValidationFailed(
            "you may not change a plan under this label",
            [FieldProblem("label", f"{label.marking} is above what you may write")],
        )
    return row


def update_plan(store: Store, *, viewer: Viewer, uid: str, data: Any) -> None:
    """Change a plan's name, route or area, unit, schedule, status or attributes."""
    values, problems = _parsed(data, "", partial=True)
    if not problems and not values and not (isinstance(data, dict) and "unit" in data):
        problems.add("body", "nothing to change")
    if problems:
        raise ValidationFailed("the change is not valid", list(problems))
    with store.write() as conn:
        row = _writable_row(conn, viewer, uid)
        merged = {
            "start_at": row.start_at, "end_at": row.end_at, "repeat_until": row.repeat_until,
        } | values  # fmt: skip
        _check_times(merged, "", problems)
        if problems:
            raise ValidationFailed("the change is not valid", list(problems))
        if "unit" in data:
            values["unit_id"] = (
                _unit_id(conn, viewer, row.mission_id, data["unit"], "unit")
                if data["unit"]
                else None
            )
        plan_store.update_plan(conn, row.id, values)
        audit.append(
            conn,
            actor=viewer.name,
            action="patrol_plans.update",
            target=uid,
            detail={"changed": sorted(data)},
        )


def delete_plan(store: Store, *, viewer: Viewer, uid: str) -> None:
    """Remove a plan (audited); recorded patrols stay."""
    with store.write() as conn:
        row = _writable_row(conn, viewer, uid)
        plan_store.delete_plan(conn, row.id)
        audit.append(conn, actor=viewer.name, action="patrol_plans.delete", target=uid, detail={})
