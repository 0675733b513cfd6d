"""Violations and agreements: label-filtered reads (lists, items, summaries, deadlines, a
heatmap) and a compliance officer's decision.

Every read applies ``visible()`` to the violations themselves and, separately, to each record
joined to them (obligation, agreement, zone, party, evidence): what the viewer may not see of
a visible violation is left out, never shown. Aggregates are counted in SQL and split by the
label of what they count, so every row carries a label its viewer may see.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Select,
    and_,
    func,
    or_,
    select,
    update,
)

from peacewatch.domain.labels import Viewer
from peacewatch.domain.times import rfc3339
from peacewatch.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peacewatch.store import Store, audit
from peacewatch.store.cursor import decode_cursor, encode_cursor
from peacewatch.store.label_filter import visible
from peacewatch.store.reports import feature_collection, get_report
from peacewatch.store.tables import (
    agreements,
    labels,
    missions,
    obligations,
    parties,
    reports,
    unit_positions,
    units,
    violations,
    zones,
)

BBox = tuple[float, float, float, float]
DECISIONS = ("confirmed", "dismissed")
OPEN = ("suspected", "confirmed")  # what still counts against an obligation
SUMMARY_KEYS = ("party", "zone", "obligation", "day", "state")


def _pick(row: Any, *names: str, **renamed: str) -> dict[str, Any]:
    """Columns of ``row`` as JSON members (times in RFC 3339); ``renamed`` maps key=column."""
    pairs = [(n, n) for n in names] + list(renamed.items())
    values = {key: getattr(row, column) for key, column in pairs}
    return {k: rfc3339(v) if isinstance(v, datetime) else v for k, v in values.items()}


PROPERTIES = (
    "mission", "agreement", "obligation", "obligation_version", "clause", "title", "zone",
    "zone_name", "party", "category", "observed_at", "state", "reason", "decided_by",
    "decided_at", "acknowledged_by", "acknowledged_at", "acknowledged_note", "label",
)  # fmt: skip
OBLIGATION = (
    "code", "version", "clause", "title", "parties", "zones", "prohibited", "valid_from",
    "valid_to", "deadline", "source", "label",
)  # fmt: skip


def _from(viewer: Viewer, conn: Connection) -> FromClause:
    """violations with the parts of their obligation, agreement, zone and party ``viewer`` sees."""

    def seen(table: FromClause, column: ColumnElement[int]) -> ColumnElement[bool]:
        return and_(table.c.id == column, visible(table, viewer))

    return (
        violations.join(labels, labels.c.id == violations.c.label_id)
        .join(missions, missions.c.id == violations.c.mission_id)
        .outerjoin(obligations, seen(obligations, violations.c.obligation_id))
        .outerjoin(agreements, seen(agreements, obligations.c.agreement_id))
        .outerjoin(zones, seen(zones, violations.c.zone_id))
        .outerjoin(parties, seen(parties, violations.c.party_id))
    )


def _columns() -> tuple[Any, ...]:
    return (
        violations,
        labels.c.marking.label("label"),
        missions.c.code.label("mission"),
        agreements.c.code.label("agreement"),
        obligations.c.code.label("obligation"),
        obligations.c.version.label("obligation_version"),
        obligations.c.clause.label("clause"),
        obligations.c.title.label("title"),
        zones.c.uid.label("zone"),
        zones.c.name.label("zone_name"),
        parties.c.code.label("party"),
    )


def _where(
    viewer: Viewer,
    conn: Connection,
    *,
    mission: str | None = None,
    party: Sequence[str] = (),
    obligation: Sequence[str] = (),
    zone: Sequence[str] = (),
    state: Sequence[str] = (),
    start: datetime | None = None,
    end: datetime | None = None,
    bbox: BBox | None = None,
) -> list[ColumnElement[bool]]:
    """The label filter and the filters asked for (matching only records the viewer sees)."""
    out: list[ColumnElement[bool]] = [visible(violations, viewer)]
    if mission is not None:
        out.append(violations.c.mission_id.in_(_ids(missions, missions.c.code == mission)))
    if party:
        ids = _ids(parties, parties.c.code.in_(list(party)), visible(parties, viewer))
        out.append(violations.c.party_id.in_(ids))
    if obligation:
        code = obligations.c.code.in_(list(obligation))
        ids = _ids(obligations, code, visible(obligations, viewer))
        out.append(violations.c.obligation_id.in_(ids))
    if zone:
        ids = _ids(zones, zones.c.uid.in_(list(zone)), visible(zones, viewer))
        out.append(violations.c.zone_id.in_(ids))
    if state:
        out.append(violations.c.state.in_(list(state)))
    if start is not None:
        out.append(violations.c.observed_at >= start)
    if end is not None:
        out.append(violations.c.observed_at < end)
    if bbox is not None:
        out += [violations.c.lon >= bbox[0], violations.c.lat >= bbox[1]]
        out += [violations.c.lon <= bbox[2], violations.c.lat <= bbox[3]]
    return out


def _ids(table: FromClause, *where: ColumnElement[bool]) -> Select[Any]:
    """Ids of ``table``'s rows matching ``where``, never correlated with the outer query."""
    return select(table.c.id).where(*where).correlate(None)


def _feature(row: Any) -> dict[str, Any]:
    """A violation row as a GeoJSON Point Feature."""
    return {
        "type": "Feature",
        "id": row.uuid,
        "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]},
        "properties": {"id": row.uuid, **_pick(row, *PROPERTIES)},
    }


def list_violations(
    conn: Connection,
    *,
    viewer: Viewer,
    limit: int = 1000,
    cursor: str | None = None,
    **filters: Any,
) -> dict[str, Any]:
    """Violations ``viewer`` may see as a FeatureCollection page in (observed_at, id) order."""
    query = select(*_columns()).select_from(_from(viewer, conn))
    query = query.where(*_where(viewer, conn, **filters))
    if cursor is not None:
        after_t, after_id = decode_cursor(cursor)
        query = query.where(
            or_(
                violations.c.observed_at > after_t,
                and_(violations.c.observed_at == after_t, violations.c.id > after_id),
            )
        )
    query = query.order_by(violations.c.observed_at, violations.c.id).limit(limit + 1)
    rows = conn.execute(query).all()
    more, rows = len(rows) > limit, rows[:limit]
    last = rows[-1] if rows else None
    next_cursor = encode_cursor(last.observed_at, last.id) if more and last else None
    return {**feature_collection([_feature(r) for r in rows]), "next_cursor": next_cursor}


def get_violation(conn: Connection, *, viewer: Viewer, uuid: str) -> dict[str, Any] | None:
    """One violation with the evidence ``viewer`` may see, or None when it is not visible."""
    query = select(*_columns()).select_from(_from(viewer, conn))
    row = conn.execute(query.where(violations.c.uuid == uuid, visible(violations, viewer))).first()
    if row is None:
        return None
    feature = _feature(row)
    feature["evidence"] = {
        "report": _report(conn, viewer, row.report_id),
        "position": _position(conn, viewer, row.position_id),
        "obligation": _obligation(conn, viewer, row.obligation_id),
        "zone": _zone(conn, viewer, row.zone_id),
    }
    return feature


def _report(conn: Connection, viewer: Viewer, report_id: int | None) -> dict[str, Any] | None:
    if report_id is None:
        return None
    uuid = conn.execute(
        select(reports.c.uuid).where(reports.c.id == report_id, visible(reports, viewer))
    ).scalar()
    return None if uuid is None else get_report(conn, viewer=viewer, uuid=uuid)


def _position(conn: Connection, viewer: Viewer, position_id: int | None) -> dict[str, Any] | None:
    if position_id is None:
        return None
    p = unit_positions
    row = conn.execute(
        select(units.c.uid, p.c.observed_at, p.c.lon, p.c.lat, labels.c.marking)
        .select_from(
            p.join(labels, labels.c.id == p.c.label_id).outerjoin(
                units, and_(units.c.id == p.c.unit_id, visible(units, viewer))
            )
        )
        .where(p.c.id == position_id, visible(p, viewer))
    ).first()
    return (
        None
        if row is None
        else _pick(row, "observed_at", "lon", "lat", unit="uid", label="marking")
    )


def obligation_dict(row: Any) -> dict[str, Any]:
    """A stored obligation version (with its label marking) as JSON."""
    return _pick(row, *OBLIGATION)


def _obligation(conn: Connection, viewer: Viewer, obligation_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(obligations, labels.c.marking.label("label"))
        .join(labels, labels.c.id == obligations.c.label_id)
        .where(obligations.c.id == obligation_id, visible(obligations, viewer))
    ).first()
    return None if row is None else obligation_dict(row)


def _zone(conn: Connection, viewer: Viewer, zone_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(zones.c.uid, zones.c.name, zones.c.kind, zones.c.valid_from, zones.c.valid_to)
        .add_columns(labels.c.marking.label("label"))
        .join(labels, labels.c.id == zones.c.label_id)
        .where(zones.c.id == zone_id, visible(zones, viewer))
    ).first()
    return (
        None
        if row is None
        else _pick(row, "uid", "name", "kind", "valid_from", "valid_to", "label")
    )


def decide(store: Store, *, viewer: Viewer, uuid: str, state: Any, reason: Any) -> None:
    """Confirm or dismiss a visible violation with a reason, audited in the same transaction."""
    problems = []
    if state not in DECISIONS:
        problems.append(FieldProblem("state", f"must be one of {', '.join(DECISIONS)}"))
    if not isinstance(reason, str) or not reason.strip():
        problems.append(FieldProblem("reason", "is required: say why"))
    if problems:
        raise ValidationFailed("the decision is not valid", problems)
    with store.write() as conn:
        current = conn.execute(
            select(violations.c.id, violations.c.state).where(
                violations.c.uuid == uuid, visible(violations, viewer)
            )
        ).first()
        if current is None:
            raise NotFound(f"no violation {uuid}")
        if current.state == "withdrawn":
            raise Conflict(
                "a withdrawn violation cannot be decided",
                [FieldProblem("state", "the violation was withdrawn by a re-check")],
            )
        detail = {"state": state, "reason": reason.strip()}
        decided = {"decided_by": viewer.name, "decided_at": datetime.now(UTC)}
        conn.execute(
            update(violations).where(violations.c.id == current.id).values(detail | decided)
        )
        audit.append(conn, actor=viewer.name, action="violation.decide", target=uuid, detail=detail)


NOTE_MAX = 500


def acknowledge(store: Store, *, viewer: Viewer, uuid: str, note: Any = None) -> bool:
    """Acknowledge the alert of a visible violation for the operations centre, audited in the
    same transaction. The first acknowledgement stands; a second one changes nothing and
    answers False (the caller then shows who acknowledged it first)."""
    if note is not None and not isinstance(note, str):
        raise ValidationFailed("the note is not valid", [FieldProblem("note", "must be text")])
    text = (note or "").strip() or None
    if text is not None and len(text) > NOTE_MAX:
        raise ValidationFailed(
            "the note is too long", [FieldProblem("note", f"at most {NOTE_MAX} characters")]
        )
    with store.write() as conn:
        current = conn.execute(
            select(violations.c.id, violations.c.acknowledged_by).where(
                violations.c.uuid == uuid, visible(violations, viewer)
            )
        ).first()
        if current is None:
            raise NotFound(f"no violation {uuid}")
        if current.acknowledged_by is not None:
            return False
        done = {
            "acknowledged_by": viewer.name,
            "acknowledged_at": datetime.now(UTC),
            "acknowledged_note": text,
        }
        conn.execute(update(violations).where(violations.c.id == current.id).values(done))
        audit.append(
            conn, actor=viewer.name, action="violation.acknowledge", target=uuid,
            detail={"note": text},
        )  # fmt: skip
        return True


def list_agreements(
    conn: Connection, *, viewer: Viewer, mission: str | None = None, code: str | None = None
) -> list[dict[str, Any]]:
    """Agreements ``viewer`` may see, each with every version of the obligations they see."""
    query = (
        select(agreements, labels.c.marking.label("label"), missions.c.code.label("mission"))
        .join(labels, labels.c.id == agreements.c.label_id)
        .join(missions, missions.c.id == agreements.c.mission_id)
        .where(visible(agreements, viewer))
        .order_by(missions.c.code, agreements.c.code)
    )
    if mission is not None:
        query = query.where(missions.c.code == mission)
    if code is not None:
        query = query.where(agreements.c.code == code)
    rows = conn.execute(query).all()
    held: dict[int, list[dict[str, Any]]] = {int(r.id): [] for r in rows}
    for ob in conn.execute(
        select(obligations, labels.c.marking.label("label"))
        .join(labels, labels.c.id == obligations.c.label_id)
        .where(obligations.c.agreement_id.in_(list(held)), visible(obligations, viewer))
        .order_by(obligations.c.code, obligations.c.version)
    ):
        held[int(ob.agreement_id)].append(obligation_dict(ob))
    return [_agreement(r, held[int(r.id)]) for r in rows]


def _agreement(row: Any, obligation_list: list[dict[str, Any]]) -> dict[str, Any]:
    names = ("code", "mission", "name", "signed_at", "entry_into_force", "source", "attributes")
    return {**_pick(row, *names, "label"), "obligations": obligation_list}


def violations_after(
    conn: Connection, *, viewer: Viewer, after: int, limit: int = 500
) -> list[tuple[int, dict[str, Any]]]:
    """Violations recorded after row ``after`` that ``viewer`` may see, oldest first, as (row id,
    Feature): the live feed's alerts, through the same filters as the list."""
    query = (
        select(*_columns())
        .select_from(_from(viewer, conn))
        .where(visible(violations, viewer), violations.c.id > after)
        .order_by(violations.c.id)
        .limit(limit)
    )
    return [(int(row.id), _feature(row)) for row in conn.execute(query)]


def last_violation_row(conn: Connection) -> int:
    """The newest violation's row id (0 when none): where a new live feed starts."""
    return int(conn.execute(select(func.coalesce(func.max(violations.c.id), 0))).scalar_one())
