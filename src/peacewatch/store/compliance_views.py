"""Compliance aggregates over violations: summaries per key, the phased deadlines, a heatmap.

Counted in SQL over what the viewer may see, and split by the label of what they count, so
every row carries a label its viewer may see (combining REL GBR with REL NATO would make a
label nobody could).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal_column,
    select,
    type_coerce,
)

from peacewatch.domain.labels import Label, Viewer, most_restrictive
from peacewatch.domain.times import rfc3339
from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.store.label_filter import visible
from peacewatch.store.reports import feature_collection
from peacewatch.store.tables import (
    agreements,
    labels,
    missions,
    obligations,
    parties,
    violations,
    zones,
)
from peacewatch.store.violations import OPEN, SUMMARY_KEYS, _from, _pick, _where


def _summary_key(conn: Connection, by: str) -> ColumnElement[Any]:
    """The SQL expression a summary groups by."""
    if by == "day":
        if conn.dialect.name == "postgresql":
            utc = func.timezone(literal_column("'UTC'"), violations.c.observed_at)
            return func.to_char(utc, literal_column("'YYYY-MM-DD'"))
        return func.substr(type_coerce(violations.c.observed_at, String), 1, 10)
    keys: dict[str, ColumnElement[Any]] = {
        "party": parties.c.code,
        "zone": zones.c.uid,
        "obligation": obligations.c.code,
        "state": violations.c.state,
    }
    if by not in keys:
        raise ValidationFailed(
            f"cannot summarise by {by!r}", [FieldProblem("by", f"one of {', '.join(SUMMARY_KEYS)}")]
        )
    return keys[by]


def summary(
    conn: Connection,
    *,
    viewer: Viewer,
    by: str,
    mission: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, Any]:
    """Counts of visible violations per ``by`` key and state: ``items`` per (key, label),
    ``totals`` per key."""
    key = _summary_key(conn, by).label("k")
    query = (
        select(key, violations.c.state, labels.c.marking, func.count().label("n"))
        .select_from(_from(viewer, conn))
        .where(*_where(viewer, conn, mission=mission, start=start, end=end))
        .group_by(literal_column("k"), violations.c.state, labels.c.marking)
    )
    items: dict[tuple[Any, str], dict[str, Any]] = {}
    totals: dict[Any, dict[str, Any]] = {}
    for k, state, marking, n in conn.execute(query):
        item = items.setdefault((k, marking), {"key": k, "label": marking, "total": 0})
        total = totals.setdefault(k, {"key": k, "total": 0})
        for entry in (item, total):
            entry["total"] += n
            entry.setdefault("states", {})[state] = entry.get("states", {}).get(state, 0) + n
    order = lambda e: (e["key"] is None, str(e["key"]), e.get("label", ""))  # noqa: E731
    return {
        "by": by,
        "items": sorted(items.values(), key=order),
        "totals": sorted(totals.values(), key=order),
    }


def deadlines(conn: Connection, *, viewer: Viewer, mission: str | None = None) -> dict[str, Any]:
    """Obligation versions with a deadline and whether the visible violations since it say
    they were complied with; one item per (version, label of the violations counted)."""
    counts = (
        select(
            violations.c.obligation_id.label("oid"),
            violations.c.label_id.label("lid"),
            func.count().label("n"),
            func.max(violations.c.observed_at).label("last"),
        )
        .join(obligations, obligations.c.id == violations.c.obligation_id)
        .where(
            visible(violations, viewer),
            violations.c.state.in_(OPEN),
            violations.c.observed_at >= obligations.c.valid_from,
        )
        .group_by(violations.c.obligation_id, violations.c.label_id)
        .subquery()
    )
    shown, vlabels = agreements.alias("shown"), labels.alias("vlabels")
    query = (
        select(obligations, labels.c.marking.label("label"), missions.c.code.label("mission"))
        .add_columns(shown.c.code.label("agreement"), vlabels.c.marking.label("vlabel"))
        .add_columns(counts.c.n, counts.c.last)
        .join(labels, labels.c.id == obligations.c.label_id)
        .join(agreements, agreements.c.id == obligations.c.agreement_id)
        .join(missions, missions.c.id == agreements.c.mission_id)
        .outerjoin(shown, and_(shown.c.id == agreements.c.id, visible(shown, viewer)))
        .outerjoin(counts, counts.c.oid == obligations.c.id)
        .outerjoin(vlabels, vlabels.c.id == counts.c.lid)
        .where(obligations.c.deadline.is_not(None), visible(obligations, viewer))
        .order_by(obligations.c.valid_from, obligations.c.code, obligations.c.version)
    )
    if mission is not None:
        query = query.where(missions.c.code == mission)
    rows = conn.execute(query).all()
    breached = {r.id for r in rows if r.n}
    return {"items": [_deadline(r, r.id in breached) for r in rows]}


def _deadline(row: Any, breached: bool) -> dict[str, Any]:
    label = row.label
    if row.vlabel is not None:
        label = most_restrictive([Label.parse(row.label), Label.parse(row.vlabel)]).marking
    return {
        **_pick(row, "mission", "agreement", obligation="code", version="version"),
        **_pick(row, "clause", "title", "deadline", "parties", deadline_at="valid_from"),
        "violations": int(row.n or 0),
        "last_violation": rfc3339(row.last),
        "complied": not breached,
        "complied_since": None if breached else rfc3339(row.valid_from),
        "label": label,
    }


def _floor(conn: Connection, value: ColumnElement[Any]) -> ColumnElement[int]:
    """floor() as an integer on either backend (SQLite may lack its math functions)."""
    if conn.dialect.name == "postgresql":
        return cast(func.floor(value), Integer)
    truncated = cast(value, Integer)
    return truncated - case((value < truncated, 1), else_=0)


def heatmap(
    conn: Connection,
    *,
    viewer: Viewer,
    cell_deg: float = 0.05,
    mission: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, Any]:
    """Visible violations counted per grid cell of ``cell_deg`` degrees (and label)."""
    if not 0.001 <= cell_deg <= 10:
        raise ValidationFailed(
            "cell_deg is out of range", [FieldProblem("cell_deg", "between 0.001 and 10")]
        )
    x = _floor(conn, violations.c.lon / cell_deg).label("cx")
    y = _floor(conn, violations.c.lat / cell_deg).label("cy")
    query = (
        select(x, y, labels.c.id, labels.c.marking, func.count().label("n"))
        .select_from(violations.join(labels, labels.c.id == violations.c.label_id))
        .where(*_where(viewer, conn, mission=mission, start=start, end=end))
        .group_by(literal_column("cx"), literal_column("cy"), labels.c.id, labels.c.marking)
        .order_by(literal_column("cx"), literal_column("cy"), labels.c.id)
    )
    features = [_cell(cell_deg, *row) for row in conn.execute(query)]
    return {**feature_collection(features), "cell_deg": cell_deg}


def _cell(size: float, x: int, y: int, label_id: int, marking: str, n: int) -> dict[str, Any]:
    x0, y0, x1, y1 = (round(v * size, 9) for v in (x, y, x + 1, y + 1))
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {
        "type": "Feature",
        "id": f"{x},{y},{label_id}",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"cell": [x, y], "count": n, "label": marking},
    }
