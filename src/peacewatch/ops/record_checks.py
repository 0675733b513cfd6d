"""Checks shared by the partners module's writes: field problems collected and named, labels
the writer may write, registered nations, rows the writer may see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, select

from peacewatch.domain.dtg import parse_time
from peacewatch.domain.errors import DomainError
from peacewatch.domain.labels import Classification, Label, Viewer, can_see, can_write
from peacewatch.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peacewatch.store import Store
from peacewatch.store import partners as partner_store
from peacewatch.store.label_filter import intern_label, known_release_codes, label_from_row
from peacewatch.store.tables import labels, nations

T = TypeVar("T")
DEFAULT_LABEL = Label(Classification.NATO_UNCLASSIFIED, frozenset({"NATO"}))


class Check:
    """Collects field problems so that one response names every field at fault."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def __call__(self, name: str, fn: Callable[[], T]) -> T | None:
        try:
            return fn()
        except DomainError as exc:
            self.problems.append(FieldProblem(exc.field or name, exc.message))
        except (TypeError, ValueError, KeyError) as exc:
            self.problems.append(FieldProblem(name, str(exc) or "invalid value"))
        return None

    def text(self, data: dict[str, Any], name: str, *, prefix: str = "") -> str:
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            self.problems.append(FieldProblem(prefix + name, "is required (text)"))
            return ""
        return value.strip()

    def time(
        self, data: dict[str, Any], name: str, *, required: bool = True, prefix: str = ""
    ) -> datetime | None:
        value = data.get(name)
        if value is None or value == "":
            if required:
                self.problems.append(FieldProblem(prefix + name, "is required"))
            return None
        return self(prefix + name, lambda: parse_time(value, field=prefix + name))

    def fail(self, what: str) -> None:
        if self.problems:
            raise ValidationFailed(f"the {what} is not valid", self.problems)


def checked_label(
    conn: Connection, store: Store, viewer: Viewer, value: Any, default: Label, field: str
) -> tuple[int, Label]:
    """The interned id of the record's label, checked: known codes, writable by ``viewer``."""
    try:
        if value is None or value == "":
            label = default
        elif isinstance(value, Label):
            label = value
        elif isinstance(value, str):
            label = Label.parse(value)
        else:
            raise DomainError("label must be a marking such as 'NATO RESTRICTED REL TO KFOR'")
        unknown = sorted(label.releasable_to - known_release_codes(conn))
        if unknown:
            raise DomainError(f"unknown release code(s) {', '.join(unknown)}")
        if not can_write(viewer, label):
            raise DomainError(
                f"you may not write a record labelled {label.marking}: it is above your "
                "clearance or not releasable to you"
            )
    except DomainError as exc:
        raise ValidationFailed(exc.message, [FieldProblem(field, exc.message)]) from None
    return intern_label(conn, label, store.label_cache), label


def registered_nation(conn: Connection, code: Any, field: str) -> str:
    text = str(code or "").strip().upper()
    found = conn.execute(
        select(nations.c.code).where(nations.c.code == text, nations.c.kind == "nation")
    ).scalar()
    if found is None:
        raise ValidationFailed(
            f"nation {code!r} is not registered",
            [FieldProblem(field, f"unknown nation {code!r}: register it first")],
        )
    return str(found)


def visible_row(
    conn: Connection, table: Any, viewer: Viewer, what: str, *where: Any
) -> tuple[int, Label]:
    """(id, label) of a row the viewer may see; 404 alike for absent and not releasable."""
    row = conn.execute(
        select(table.c.id, labels.c.classification, labels.c.releasable_to, labels.c.policy)
        .join(labels, labels.c.id == table.c.label_id)
        .where(*where)
    ).first()
    label = label_from_row(row.classification, row.releasable_to, row.policy) if row else None
    if row is None or label is None or not can_see(viewer, label):
        raise NotFound(f"no {what}")
    return int(row.id), label


def common_columns(data: dict[str, Any]) -> dict[str, Any]:
    return {"source": data.get("source") or None, "synthetic": bool(data.get("synthetic", False))}


def stamp(viewer: Viewer) -> dict[str, Any]:
    return {"created_by": viewer.name, "created_at": datetime.now(UTC)}


def unique_uid(conn: Connection, table: Any, uid: str, what: str) -> None:
    if partner_store.ids_by_uid(conn, table, uid) is not None:
        raise Conflict(f"a {what} {uid!r} exists already", [FieldProblem("uid", "already exists")])
