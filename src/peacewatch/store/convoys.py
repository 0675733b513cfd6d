"""Humanitarian convoys: inserts, and label-filtered reads of convoys, their tracks, deliveries
and alerts, and of the events and violations that make up a route's risk.

Every read applies ``visible()`` to the convoy and, separately, to each record joined to it
(escort unit, track points, deliveries, alerts, evidence): what the viewer may not see of a
visible convoy is left out, never shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Connection, and_, select, update

from peacewatch.domain.labels import Label, Viewer
from peacewatch.domain.times import rfc3339
from peacewatch.store.label_filter import label_from_row, visible
from peacewatch.store.tables import (
    convoy_alerts,
    convoy_deliveries,
    convoy_points,
    convoys,
    events,
    labels,
    missions,
    reports,
    unit_positions,
    units,
    violations,
)
from peacewatch.store.writes import insert_row

BBox = tuple[float, float, float, float]
OPEN_VIOLATIONS = ("suspected", "confirmed")


def add_convoy(conn: Connection, *, route: shapely.LineString, **values: Any) -> int:
    """Insert a convoy (its route's bounds are kept for bbox reads) and return its id."""
    min_lon, min_lat, max_lon, max_lat = shapely.bounds(route).tolist()
    return insert_row(
        conn, convoys, route=route, min_lon=min_lon, min_lat=min_lat, max_lon=max_lon,
        max_lat=max_lat, **values,
    )  # fmt: skip


def add_points(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert a convoy's own track points (convoy_id, observed_at, lon, lat, label …)."""
    if rows:
        conn.execute(convoy_points.insert(), list(rows))
    return len(rows)


def add_delivery(conn: Connection, **values: Any) -> int:
    """Insert one delivery and return its id."""
    return insert_row(conn, convoy_deliveries, **values)


def add_alerts(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert alerts raised by records near convoys under way."""
    if rows:
        conn.execute(convoy_alerts.insert(), list(rows))
    return len(rows)


def set_status(conn: Connection, *, convoy_id: int, **values: Any) -> None:
    """Change a convoy's status (and its departure or arrival time)."""
    conn.execute(update(convoys).where(convoys.c.id == convoy_id).values(**values))


def convoy_exists(conn: Connection, uid: str) -> bool:
    """Whether a convoy with ``uid`` exists (whoever may see it: uids are unique)."""
    return conn.execute(select(convoys.c.id).where(convoys.c.uid == uid)).first() is not None


def delivery_exists(conn: Connection, uid: str) -> bool:
    """Whether a delivery with ``uid`` exists."""
    query = select(convoy_deliveries.c.id).where(convoy_deliveries.c.uid == uid)
    return conn.execute(query).first() is not None


def visible_unit_id(conn: Connection, *, viewer: Viewer, uid: str) -> int | None:
    """The id of the unit ``uid`` if ``viewer`` may see it."""
    query = select(units.c.id).where(units.c.uid == uid, visible(units, viewer))
    found = conn.execute(query).scalar()
    return int(found) if found is not None else None


def convoy_row(conn: Connection, *, viewer: Viewer, uid: str) -> Any | None:
    """One convoy row ``viewer`` may see, with its label, mission and escort's uid."""
    rows = _convoy_rows(conn, viewer=viewer, uid=uid)
    return rows[0] if rows else None


def convoy_rows(
    conn: Connection,
    *,
    viewer: Viewer,
    mission: str | None = None,
    status: Sequence[str] = (),
    limit: int = 1000,
) -> list[Any]:
    """Convoys ``viewer`` may see, by planned departure."""
    return _convoy_rows(conn, viewer=viewer, mission=mission, status=status, limit=limit)


def _convoy_rows(
    conn: Connection,
    *,
    viewer: Viewer,
    uid: str | None = None,
    mission: str | None = None,
    status: Sequence[str] = (),
    limit: int = 1000,
) -> list[Any]:
    escort = units.alias("escort")
    tracker = units.alias("tracker")
    query = (
        select(
            convoys,
            labels.c.marking.label("label"),
            labels.c.classification.label("label_classification"),
            labels.c.releasable_to.label("label_releasable_to"),
            labels.c.policy.label("label_policy"),
            missions.c.code.label("mission"),
            escort.c.uid.label("escort"),
            tracker.c.uid.label("tracking_unit"),
        )
        .join(labels, labels.c.id == convoys.c.label_id)
        .join(missions, missions.c.id == convoys.c.mission_id)
        .outerjoin(escort, and_(escort.c.id == convoys.c.escort_unit_id, visible(escort, viewer)))
        .outerjoin(
            tracker, and_(tracker.c.id == convoys.c.tracking_unit_id, visible(tracker, viewer))
        )
        .where(visible(convoys, viewer))
    )
    if uid is not None:
        query = query.where(convoys.c.uid == uid)
    if mission is not None:
        query = query.where(missions.c.code == mission)
    if status:
        query = query.where(convoys.c.status.in_(list(status)))
    query = query.order_by(convoys.c.planned_departure, convoys.c.id).limit(limit)
    return list(conn.execute(query).all())


def row_label(row: Any) -> Label:
    """The domain label of a convoy row read by ``convoy_rows``."""
    return label_from_row(row.label_classification, row.label_releasable_to, row.label_policy)


def track(conn: Connection, *, viewer: Viewer, row: Any, until: datetime) -> list[dict[str, Any]]:
    """Where the convoy was, oldest first: its tracking unit's positions while it travelled
    (when it has such a unit and ``viewer`` may see it), else its own points."""
    start = row.departed_at or row.planned_departure
    end = min(until, row.arrived_at) if row.arrived_at else until
    if row.tracking_unit is not None:
        query = (
            select(unit_positions.c.observed_at, unit_positions.c.lon, unit_positions.c.lat,
                   labels.c.marking.label("label"))
            .join(labels, labels.c.id == unit_positions.c.label_id)
            .where(
                unit_positions.c.unit_id == row.tracking_unit_id,
                visible(unit_positions, viewer),
                unit_positions.c.observed_at >= start,
                unit_positions.c.observed_at <= end,
            )
        )  # fmt: skip
        order = unit_positions.c.observed_at
    else:
        query = (
            select(convoy_points.c.observed_at, convoy_points.c.lon, convoy_points.c.lat,
                   labels.c.marking.label("label"))
            .join(labels, labels.c.id == convoy_points.c.label_id)
            .where(convoy_points.c.convoy_id == row.id, visible(convoy_points, viewer))
        )  # fmt: skip
        order = convoy_points.c.observed_at
    return [
        {"observed_at": rfc3339(r.observed_at), "lon": r.lon, "lat": r.lat, "label": r.label}
        for r in conn.execute(query.order_by(order).limit(10_000))
    ]


def deliveries(
    conn: Connection,
    *,
    viewer: Viewer,
    convoy_ids: Sequence[int] | None = None,
    mission: str | None = None,
) -> list[dict[str, Any]]:
    """Deliveries ``viewer`` may see (of convoys they may see), oldest first."""
    query = (
        select(
            convoy_deliveries,
            labels.c.marking.label("label"),
            convoys.c.uid.label("convoy"),
            convoys.c.agency.label("agency"),
            missions.c.code.label("mission"),
        )
        .join(labels, labels.c.id == convoy_deliveries.c.label_id)
        .join(convoys, convoys.c.id == convoy_deliveries.c.convoy_id)
        .join(missions, missions.c.id == convoys.c.mission_id)
        .where(visible(convoy_deliveries, viewer), visible(convoys, viewer))
    )
    if convoy_ids is not None:
        query = query.where(convoy_deliveries.c.convoy_id.in_(list(convoy_ids)))
    if mission is not None:
        query = query.where(missions.c.code == mission)
    query = query.order_by(convoy_deliveries.c.delivered_at, convoy_deliveries.c.id)
    return [
        {
            "id": r.uid,
            "convoy": r.convoy,
            "agency": r.agency,
            "mission": r.mission,
            "place": r.place,
            "adm1": r.adm1,
            "lon": r.lon,
            "lat": r.lat,
            "delivered_at": rfc3339(r.delivered_at),
            "sector": r.sector,
            "cargo": r.cargo,
            "beneficiaries": r.beneficiaries,
            "label": r.label,
        }
        for r in conn.execute(query)
    ]


def alerts(conn: Connection, *, viewer: Viewer, convoy_id: int) -> list[dict[str, Any]]:
    """The alerts of a convoy ``viewer`` may see, newest first, each naming what raised it
    (a report or violation uuid, shown only when the viewer may see that record too)."""
    query = (
        select(
            convoy_alerts.c.id, convoy_alerts.c.observed_at, convoy_alerts.c.distance_m,
            convoy_alerts.c.created_at, labels.c.marking.label("label"),
            reports.c.uuid.label("report"), violations.c.uuid.label("violation"),
        )
        .join(labels, labels.c.id == convoy_alerts.c.label_id)
        .outerjoin(
            reports,
            and_(reports.c.id == convoy_alerts.c.report_id, visible(reports, viewer)),
        )
        .outerjoin(
            violations,
            and_(violations.c.id == convoy_alerts.c.violation_id, visible(violations, viewer)),
        )
        .where(convoy_alerts.c.convoy_id == convoy_id, visible(convoy_alerts, viewer))
        .order_by(convoy_alerts.c.id.desc())
        .limit(200)
    )  # fmt: skip
    return [
        {
            "id": r.id,
            "observed_at": rfc3339(r.observed_at),
            "raised_at": rfc3339(r.created_at),
            "distance_m": round(float(r.distance_m), 1),
            "report": r.report,
            "violation": r.violation,
            "label": r.label,
        }
        for r in conn.execute(query)
    ]


@dataclass
class Candidates:
    """Events and violations that may weigh on a route, as columns."""

    source: list[str]  # 'event' or 'violation'
    ids: list[str]
    kinds: list[str]
    lon: np.ndarray[Any, np.dtype[np.float64]]
    lat: np.ndarray[Any, np.dtype[np.float64]]
    observed: list[datetime]
    grades: list[str | None]  # 'B2', or for an event 'credibility 3'; None when unknown
    states: list[str | None]
    labels: list[str]

    @property
    def size(self) -> int:
        """How many candidates."""
        return len(self.ids)


def risk_candidates(
    conn: Connection, *, viewer: Viewer, bbox: BBox, start: datetime, end: datetime
) -> Candidates:
    """Visible events last observed and open violations observed in [start, end] inside
    ``bbox``: the candidates a route's risk is scored from (distances are exact later)."""
    ev = conn.execute(
        select(
            events.c.uuid, events.c.kind, events.c.lon, events.c.lat,
            events.c.last_observed_at.label("seen_at"), events.c.credibility,
            labels.c.marking.label("label"),
        )
        .join(labels, labels.c.id == events.c.label_id)
        .where(
            visible(events, viewer),
            events.c.last_observed_at >= start, events.c.first_observed_at <= end,
            events.c.lon >= bbox[0], events.c.lat >= bbox[1],
            events.c.lon <= bbox[2], events.c.lat <= bbox[3],
        )
    ).all()  # fmt: skip
    vi = conn.execute(
        select(
            violations.c.uuid, violations.c.category, violations.c.lon, violations.c.lat,
            violations.c.observed_at.label("seen_at"), violations.c.state,
            reports.c.grade, labels.c.marking.label("label"),
        )
        .join(labels, labels.c.id == violations.c.label_id)
        .outerjoin(
            reports, and_(reports.c.id == violations.c.report_id, visible(reports, viewer))
        )
        .where(
            visible(violations, viewer), violations.c.state.in_(OPEN_VIOLATIONS),
            violations.c.observed_at >= start, violations.c.observed_at <= end,
            violations.c.lon >= bbox[0], violations.c.lat >= bbox[1],
            violations.c.lon <= bbox[2], violations.c.lat <= bbox[3],
        )
    ).all()  # fmt: skip
    return Candidates(
        source=["event"] * len(ev) + ["violation"] * len(vi),
        ids=[r.uuid for r in ev] + [r.uuid for r in vi],
        kinds=[r.kind for r in ev] + [r.category for r in vi],
        lon=np.array([r.lon for r in ev] + [r.lon for r in vi], dtype=np.float64),
        lat=np.array([r.lat for r in ev] + [r.lat for r in vi], dtype=np.float64),
        observed=[r.seen_at for r in ev] + [r.seen_at for r in vi],
        grades=[f"credibility {r.credibility}" for r in ev] + [r.grade for r in vi],
        states=[None] * len(ev) + [r.state for r in vi],
        labels=[r.label for r in ev] + [r.label for r in vi],
    )


def active_convoys(conn: Connection) -> list[Any]:
    """Every convoy under way (id, route, label), whoever may see it: the alert hook's
    input. What it writes carries the label of what it was derived from."""
    query = select(convoys.c.id, convoys.c.route, convoys.c.label_id, convoys.c.departed_at).where(
        convoys.c.status == "under_way"
    )
    return list(conn.execute(query).all())


def violations_of_positions(conn: Connection, position_ids: Sequence[int]) -> list[Any]:
    """Violations raised by unit positions (id, lon, lat, observed_at, label_id)."""
    if not position_ids:
        return []
    query = select(
        violations.c.id, violations.c.lon, violations.c.lat, violations.c.observed_at,
        violations.c.label_id, violations.c.mission_id,
    ).where(violations.c.position_id.in_(list(position_ids)))  # fmt: skip
    return list(conn.execute(query).all())


def labels_by_id(conn: Connection, ids: Sequence[int]) -> dict[int, Label]:
    """Domain labels of interned label ids."""
    rows = conn.execute(
        select(labels.c.id, labels.c.classification, labels.c.releasable_to, labels.c.policy)
        .where(labels.c.id.in_(sorted(set(ids))))
    ).all()  # fmt: skip
    return {int(r.id): label_from_row(r.classification, r.releasable_to, r.policy) for r in rows}
