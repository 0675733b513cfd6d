"""What an event says, derived from its reports: span, point, kind, counts, credibility, label."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, select

from peacewatch.domain.labels import Label, most_restrictive
from peacewatch.fusion.families import credibility, event_kind
from peacewatch.ingest.kinds import REPORT_KINDS
from peacewatch.store.label_filter import intern_label, label_from_row
from peacewatch.store.tables import event_reports, labels, reports


class Member(NamedTuple):
    """One report of an event (``key``: the event's id, or a negative number for a new one)."""

    key: int
    observed_at: datetime
    lon: float
    lat: float
    kind: str
    source: str | None
    grade: str | None
    label_id: int
    mission_id: int


MEMBER_COLUMNS = (
    reports.c.observed_at,
    reports.c.lon,
    reports.c.lat,
    reports.c.kind,
    reports.c.source,
    reports.c.grade,
    reports.c.label_id,
    reports.c.mission_id,
)

# Labels by id and derived labels by the set of ids they come from, per database: ids never
# change meaning while rows exist (tests that delete every label call ``forget``).
_LABELS: dict[str, dict[int, Label]] = {}
_DERIVED: dict[str, dict[frozenset[int], int]] = {}


def forget() -> None:
    """Drop the cached labels."""
    _LABELS.clear()
    _DERIVED.clear()


def members_of(conn: Connection, event_ids: Sequence[int]) -> list[Member]:
    """The stored reports of these events."""
    return [m for _, m in member_rows(conn, event_ids)]


def member_rows(conn: Connection, event_ids: Sequence[int]) -> list[tuple[int, Member]]:
    """(report id, member) for the stored reports of these events."""
    if not event_ids:
        return []
    query = (
        select(event_reports.c.report_id, event_reports.c.event_id, *MEMBER_COLUMNS)
        .join(reports, reports.c.id == event_reports.c.report_id)
        .where(event_reports.c.event_id.in_(sorted(set(event_ids))))
    )
    return [(int(row[0]), Member._make(row[1:])) for row in conn.execute(query)]


def aggregate(conn: Connection, members: Iterable[Member]) -> dict[int, dict[str, Any]]:
    """Event columns for every key among ``members``."""
    groups: dict[int, list[Member]] = {}
    for m in members:
        groups.setdefault(m.key, []).append(m)
    return {key: _event(conn, group) for key, group in groups.items()}


def _event(conn: Connection, group: list[Member]) -> dict[str, Any]:
    n = len(group)
    kind = event_kind({m.kind for m in group})
    named = {m.source for m in group if m.source}
    return {
        "mission_id": group[0].mission_id,
        "kind": kind,
        "title": REPORT_KINDS[kind].title if kind in REPORT_KINDS else kind,
        "first_observed_at": min(m.observed_at for m in group),
        "last_observed_at": max(m.observed_at for m in group),
        "lon": sum(m.lon for m in group) / n,
        "lat": sum(m.lat for m in group) / n,
        "report_count": n,
        "source_count": len(named),
        "credibility": credibility((m.source, m.grade) for m in group),
        "label_id": derived_label(conn, frozenset(m.label_id for m in group)),
    }


def derived_label(conn: Connection, ids: frozenset[int]) -> int:
    """Id of the most restrictive of these labels (interned when new)."""
    db = str(conn.engine.url)
    derived = _DERIVED.setdefault(db, {})
    if ids in derived:
        return derived[ids]
    if len(ids) == 1:
        (only,) = ids
        return only
    known = _LABELS.setdefault(db, {})
    missing = ids - known.keys()
    if missing:
        query = select(labels.c.id, labels.c.classification, labels.c.releasable_to)
        for row in conn.execute(query.add_columns(labels.c.policy).where(labels.c.id.in_(missing))):
            known[int(row.id)] = label_from_row(row.classification, row.releasable_to, row.policy)
    # Not cached when new: if this transaction rolls back the id would be stale.
    label = most_restrictive(known[i] for i in ids)
    found = conn.execute(select(labels.c.id).where(labels.c.marking == label.marking)).scalar()
    if found is None:
        return intern_label(conn, label)
    derived[ids] = int(found)
    return int(found)
