"""A report's reliability letter from its registered source, at the report's observed time.

A report is linked to the registered source whose ``code`` equals its ``source`` text,
compared case-insensitively (ASCII letters: SQLite's ``lower``). Its grade's reliability letter
is then the source's reliability in force when the report was observed, and it keeps its own
credibility digit (6, "cannot be judged", when it came without a grade). Two exceptions keep
the report's own grade:

- a report graded by an analyst (a ``grade_changes`` row of the report with no source) is
  pinned: its source's later changes leave it alone;
- a report whose label is less restrictive than its source's: the source's reliability is
  protected by the source's label, and copying it onto the report would show it to readers
  the source is not released to.

A source's reliability over time comes from its ``grade_changes`` rows (``report_id`` NULL):
the registration row (``previous`` NULL) holds from the beginning of time, and each change
holds from its ``created_at`` (the ``from`` of the change) onwards, a later change overriding
an earlier one where they overlap.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)

from peacewatch.domain.labels import Label
from peacewatch.store.label_filter import label_from_row
from peacewatch.store.tables import event_reports, grade_changes, labels, reports, sources
from peacewatch.store.types import UTCDateTime

CHUNK = 10_000  # ids per IN list: well under SQLite's limit of bound parameters


@dataclass
class Timeline:
    """A source's reliability as a step function of time (POSIX seconds)."""

    starts: list[float] = field(default_factory=list)
    letters: list[str] = field(default_factory=list)

    def apply(self, start: float, letter: str) -> None:
        """``letter`` holds from ``start`` on, over whatever held there before."""
        cut = bisect_left(self.starts, start)
        del self.starts[cut:], self.letters[cut:]
        self.starts.append(start)
        self.letters.append(letter)

    def at(self, t: float) -> str:
        """The letter in force at ``t``."""
        return self.letters[max(bisect_right(self.starts, t) - 1, 0)]


def covers(outer: Label, inner: Label) -> bool:
    """True when whoever may see ``outer`` may see ``inner`` (``outer`` is as restrictive)."""
    return (
        outer.policy == inner.policy
        and outer.classification >= inner.classification
        and outer.releasable_to <= inner.releasable_to
    )


def _labels(conn: Connection, ids: Iterable[int] | None = None) -> dict[int, Label]:
    query = select(labels.c.id, labels.c.classification, labels.c.releasable_to, labels.c.policy)
    if ids is not None:
        query = query.where(labels.c.id.in_(sorted(set(ids))))
    return {
        int(r.id): label_from_row(r.classification, r.releasable_to, r.policy)
        for r in conn.execute(query)
    }


def timelines(conn: Connection, source_ids: Sequence[int]) -> dict[int, Timeline]:
    """The reliability timeline of each of these sources, from their history."""
    g = grade_changes.c
    query = (
        select(g.source_id, g.previous, g.grade, g.created_at)
        .where(g.source_id.in_(sorted(set(source_ids))), g.report_id.is_(None))
        .order_by(g.id)
    )
    found: dict[int, Timeline] = {}
    for row in conn.execute(query):
        start = float("-inf") if row.previous is None else row.created_at.timestamp()
        found.setdefault(int(row.source_id), Timeline()).apply(start, row.grade)
    return found


def pinned(conn: Connection, report_ids: Sequence[int]) -> set[int]:
    """Those of these reports whose grade an analyst set."""
    g = grade_changes.c
    found: set[int] = set()
    for i in range(0, len(report_ids), CHUNK):
        chunk = report_ids[i : i + CHUNK]
        query = select(g.report_id).where(g.report_id.in_(chunk), g.source_id.is_(None))
        found.update(int(r) for r in conn.execute(query).scalars())
    return found


def take_source_reliability(conn: Connection, rows: list[dict[str, Any]]) -> int:
    """Give report rows just written (ids included) their registered source's reliability at
    their observed time, in the database and in ``rows``; returns how many changed."""
    named = {r["source"].lower() for r in rows if r.get("source")}
    if not named:
        return 0
    # FOR SHARE: a change of one of these sources' reliability waits for this batch to commit,
    # and this batch for it, so that no report keeps a letter out of force (PostgreSQL).
    found = conn.execute(
        select(sources.c.id, sources.c.code, sources.c.label_id)
        .where(func.lower(sources.c.code).in_(sorted(named)))
        .with_for_update(read=True)
    ).all()
    if not found:
        return 0
    by_code = {str(s.code).lower(): s for s in found}
    steps = timelines(conn, [int(s.id) for s in found])
    linked = [
        (r, by_code[r["source"].lower()])
        for r in rows
        if r.get("source", "") and r["source"].lower() in by_code
    ]
    known = _labels(conn, {r["label_id"] for r, _ in linked} | {int(s.label_id) for s in found})
    changed: dict[str, list[dict[str, Any]]] = {}
    for row, source in linked:
        timeline = steps.get(int(source.id))  # none: a source registered without history
        if timeline is None or not covers(known[row["label_id"]], known[int(source.label_id)]):
            continue
        old = row["grade"]
        new = timeline.at(row["observed_at"].timestamp()) + (old[1] if old else "6")
        if new != old:
            changed.setdefault(new, []).append(row)
    keep = pinned(conn, [r["id"] for group in changed.values() for r in group])
    count = 0
    for grade, group in changed.items():
        ids = [r["id"] for r in group if r["id"] not in keep]
        for i in range(0, len(ids), CHUNK):
            conn.execute(
                update(reports).where(reports.c.id.in_(ids[i : i + CHUNK])).values(grade=grade)
            )
        for r in group:
            if r["id"] not in keep:
                r["grade"] = grade
        count += len(ids)
    return count


def linked_to(code: str) -> ColumnElement[bool]:
    """Condition on ``reports``: it names the source ``code`` (case-insensitively)."""
    return func.lower(reports.c.source) == code.lower()


@dataclass(frozen=True)
class Regraded:
    """What a change of a source's reliability did to its reports."""

    reports: int
    event_ids: list[int]


def regrade(
    conn: Connection, *, source: Any, letter: str, since: datetime, reason: str, actor: str,
    now: datetime,
) -> Regraded:  # fmt: skip
    """Give ``letter`` to the reports of ``source`` (a ``sources`` row) observed from ``since``
    on, except those an analyst graded: one history row each, in bulk SQL."""
    everything = _labels(conn)
    own = everything[int(source.label_id)]
    covering = sorted(i for i, label in everything.items() if covers(label, own))
    g = grade_changes.c
    mark = conn.execute(select(func.coalesce(func.max(g.id), 0))).scalar_one()
    new_grade = literal(letter, String) + func.coalesce(func.substr(reports.c.grade, 2, 1), "6")
    analyst = select(g.id).where(g.report_id == reports.c.id, g.source_id.is_(None))
    condition = (
        linked_to(source.code),
        reports.c.observed_at >= since,
        reports.c.label_id.in_(covering),
        or_(reports.c.grade.is_(None), func.substr(reports.c.grade, 1, 1) != letter),
        ~exists(analyst),
    )
    columns = ("source_id", "report_id", "previous", "grade", "reason", "label_id", "created_by")
    conn.execute(
        grade_changes.insert().from_select(
            [*columns, "created_at"],
            select(
                literal(int(source.id)), reports.c.id, reports.c.grade, new_grade,
                literal(reason, String), reports.c.label_id, literal(actor, String),
                literal(now, UTCDateTime()),
            ).where(*condition),
        )
    )  # fmt: skip
    ours = select(g.report_id).where(
        g.source_id == source.id, g.report_id.is_not(None), g.id > mark
    )
    done = conn.execute(update(reports).where(reports.c.id.in_(ours)).values(grade=new_grade))
    event_ids = conn.execute(
        select(event_reports.c.event_id).distinct().where(event_reports.c.report_id.in_(ours))
    ).scalars()
    return Regraded(int(done.rowcount), sorted(int(e) for e in event_ids))
