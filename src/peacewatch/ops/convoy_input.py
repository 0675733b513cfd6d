"""Reading a convoy planner's input: every field checked, every problem named (one 422 names
every field at fault), labels checked as ingest checks them."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

import shapely
from sqlalchemy import Connection

from peacewatch.domain.dtg import parse_time
from peacewatch.domain.errors import DomainError
from peacewatch.domain.geometry import geometry_from_geojson
from peacewatch.domain.labels import Label, Viewer, can_write
from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.store import Store
from peacewatch.store import convoys as convoy_store
from peacewatch.store.label_filter import intern_label, known_release_codes


class Checker:
    """Collects field problems so that one 422 names every field at fault."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def __call__(self, name: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except DomainError as exc:
            self.problems.append(FieldProblem(exc.field or name, exc.message))
        except (TypeError, ValueError, KeyError) as exc:
            self.problems.append(FieldProblem(name, str(exc) or "invalid value"))
        return None

    def fail(self, name: str, message: str) -> None:
        self.problems.append(FieldProblem(name, message))

    def done(self, what: str) -> None:
        if self.problems:
            raise ValidationFailed(f"the {what} is not valid", self.problems)


def text_field(data: dict[str, Any], name: str, check: Checker, *, required: bool = True) -> Any:
    value = data.get(name)
    if value is None or value == "":
        if required:
            check.fail(name, "is required")
        return None
    if not isinstance(value, str) or not value.strip():
        check.fail(name, "must be text")
        return None
    return value.strip()


def required_time(value: Any, name: str) -> datetime:
    if value is None or value == "":
        raise DomainError(f"{name} is required", field=name)
    return parse_time(value, field=name)


def parse_route(value: Any) -> shapely.LineString:
    if isinstance(value, list):
        value = {"type": "LineString", "coordinates": value}
    if not isinstance(value, dict):
        raise DomainError("route must be a GeoJSON LineString", field="route")
    geom = geometry_from_geojson(value, field="route")
    if not isinstance(geom, shapely.LineString):
        raise DomainError(f"route must be a LineString, not a {geom.geom_type}", field="route")
    if geom.length == 0:
        raise DomainError("route must join at least two distinct places", field="route")
    return geom


def parse_cargo(value: Any, name: str = "cargo") -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise DomainError(
            f"{name} must be a non-empty list of {{item, quantity, unit}}", field=name
        )
    out = []
    for i, entry in enumerate(value):
        where = f"{name}[{i}]"
        if not isinstance(entry, dict):
            raise DomainError(f"{where} must be an object {{item, quantity, unit}}", field=where)
        item, unit, quantity = entry.get("item"), entry.get("unit"), entry.get("quantity")
        if not isinstance(item, str) or not item.strip():
            raise DomainError(f"{where}.item must name the goods", field=f"{where}.item")
        if not isinstance(unit, str) or not unit.strip():
            raise DomainError(f"{where}.unit must name a unit (t, kits)", field=f"{where}.unit")
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int | float)
            or not math.isfinite(quantity)
            or quantity <= 0
        ):
            raise DomainError(
                f"{where}.quantity must be a positive number", field=f"{where}.quantity"
            )
        out.append({"item": item.strip(), "quantity": quantity, "unit": unit.strip()})
    return out


def writable_label_id(
    conn: Connection, store: Store, viewer: Viewer, value: Any, default: Label
) -> int:
    """The interned label of a record ``viewer`` writes, checked as ingest checks it."""
    try:
        label = default if value in (None, "") else Label.parse(str(value))
        unknown = sorted(label.releasable_to - known_release_codes(conn))
        if unknown:
            raise DomainError(f"unknown release code(s) {', '.join(unknown)}", field="label")
        if not can_write(viewer, label):
            raise DomainError(
                f"you may not write a record labelled {label.marking}: it is above your "
                "clearance or not releasable to you",
                field="label",
            )
    except DomainError as exc:
        raise ValidationFailed(exc.message, [FieldProblem("label", exc.message)]) from None
    return intern_label(conn, label, store.label_cache)


def visible_unit(conn: Connection, viewer: Viewer, uid: Any, name: str) -> int | None:
    if uid in (None, ""):
        return None
    found = convoy_store.visible_unit_id(conn, viewer=viewer, uid=str(uid))
    if found is None:
        raise ValidationFailed(f"unknown unit {uid!r}", [FieldProblem(name, "unknown unit")])
    return found
