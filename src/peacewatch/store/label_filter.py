"""The one label filter every read goes through, and label interning.

A label (classification + releasability) is stored once in ``labels``; operational rows point
to it with ``label_id``. A viewer may see a row when its label's classification is at most the
viewer's clearance and its releasability names the viewer's nation or one of their
communities. The filter is a SQL sub-select over the small ``labels`` table, so the database
applies it inside every query and no unfiltered row ever reaches Python.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Select,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.sqltypes import NullType
from sqlalchemy.sql.visitors import InternalTraversal

from peacewatch.domain.labels import Classification, Label, Viewer
from peacewatch.store.engine import spatial_for
from peacewatch.store.tables import label_release_codes, labels, nations


def visible_label_ids(viewer: Viewer) -> Select[tuple[int]]:
    """Ids of the labels ``viewer`` may see (the SQL form of ``domain.labels.can_see``)."""
    return _label_ids(int(viewer.clearance), tuple(sorted(viewer.codes)))


def _label_ids(clearance: int, codes: tuple[str, ...]) -> Select[tuple[int]]:
    releasable = select(label_release_codes.c.label_id).where(
        label_release_codes.c.code.in_(list(codes))
    )
    return select(labels.c.id).where(
        labels.c.classification <= clearance, labels.c.id.in_(releasable)
    )


class _LabelVisible(ColumnElement[bool]):
    """``label_id`` is one of the viewer's visible labels, compiled per backend (below)."""

    # Part of SQLAlchemy's statement cache key, so queries using it are compiled once.
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own declaration is not a ClassVar
        ("column", InternalTraversal.dp_clauseelement),
        ("labels_query", InternalTraversal.dp_clauseelement),
    ]
    inherit_cache = True
    # Boolean would make SQLite's compiler append "= 1" (it has no native booleans).
    type = NullType()  # type: ignore[assignment]

    def __init__(self, column: ColumnElement[int], labels_query: Select[tuple[int]]) -> None:
        self.column = column
        self.labels_query = labels_query


@compiles(_LabelVisible)
def _in_list(element: _LabelVisible, compiler: Any, **kw: Any) -> str:
    # SQLite evaluates the sub-select once into a list ("LIST SUBQUERY" in its plan).
    return str(compiler.process(element.column.in_(element.labels_query), **kw))


@compiles(_LabelVisible, "postgresql")
def _any_array(element: _LabelVisible, compiler: Any, **kw: Any) -> str:
    # PostgreSQL plans IN (sub-select) as a semi-join run for every candidate row (9 ms of a
    # 40 ms query on 10^7 reports); = ANY(ARRAY(…)) is an InitPlan evaluated once.
    column = compiler.process(element.column, **kw)
    return f"{column} = ANY(ARRAY({compiler.process(element.labels_query, **kw)}))"


def visible(
    table: FromClause, viewer: Viewer, *, at_most: Classification | None = None
) -> ColumnElement[bool]:
    """WHERE clause keeping only the rows of ``table`` that ``viewer`` may see (and, with
    ``at_most``, no more than that classification: the same filter with a lower clearance)."""
    clearance = int(viewer.clearance)
    if at_most is not None:
        clearance = min(clearance, int(at_most))
    return _visible(table, clearance, tuple(sorted(viewer.codes)))


@lru_cache(maxsize=4096)
def _visible(table: FromClause, clearance: int, codes: tuple[str, ...]) -> ColumnElement[bool]:
    # Built once per table and (clearance, release codes): SQL elements are immutable, and
    # building this one anew cost ~0.05 ms of a 0.5 ms query.
    return _LabelVisible(table.c.label_id, _label_ids(clearance, codes))


def label_from_row(classification: int, releasable_to: str, policy: str) -> Label:
    """Rebuild a domain label from its stored columns."""
    codes = frozenset(c for c in releasable_to.split(",") if c)
    return Label(Classification(classification), codes, policy)


# Key of Connection.info: (a transaction, {marking: id} of the labels it inserted).
_INSERTED_LABELS = "peacewatch.inserted_labels"


def intern_label(conn: Connection, label: Label, cache: dict[str, int] | None = None) -> int:
    """The id of ``label`` in ``labels``, inserting it (and its release codes) when new."""
    marking = label.marking
    if cache is not None and marking in cache:
        return cache[marking]
    # Labels this transaction inserted are not committed yet: never cached (shared by threads
    # and kept across transactions, a cached id would be stale after a rollback, and other
    # transactions cannot see the row before the commit).
    txn = conn.get_transaction()
    held = conn.info.get(_INSERTED_LABELS)
    mine: dict[str, int] = held[1] if held is not None and held[0] is txn else {}
    if marking in mine:
        return mine[marking]
    found = conn.execute(select(labels.c.id).where(labels.c.marking == marking)).scalar()
    if found is not None:
        if cache is not None:
            cache[marking] = found
        return int(found)
    # A concurrent writer may intern the same label first; ON CONFLICT DO NOTHING then keeps
    # theirs, and RETURNING gives no row (rowcount is -1 on PostgreSQL: it cannot tell).
    new_id = conn.execute(
        spatial_for(conn)
        .insert_ignoring_duplicates(labels, "marking")
        .values(
            policy=label.policy,
            classification=int(label.classification),
            releasable_to=label.releasable_key,
            marking=marking,
        )
        .returning(labels.c.id)
    ).scalar()
    if new_id is None:
        return int(
            conn.execute(select(labels.c.id).where(labels.c.marking == marking)).scalar_one()
        )
    label_id = int(new_id)
    if txn is not None:  # the transaction itself, not its id: ids are reused
        conn.info[_INSERTED_LABELS] = (txn, {**mine, marking: label_id})
    if label.releasable_to:
        conn.execute(
            label_release_codes.insert(),
            [{"label_id": label_id, "code": code} for code in sorted(label.releasable_to)],
        )
    return label_id


def known_release_codes(conn: Connection) -> frozenset[str]:
    """Nation trigraphs and communities registered in this store."""
    return frozenset(conn.execute(select(nations.c.code)).scalars())
