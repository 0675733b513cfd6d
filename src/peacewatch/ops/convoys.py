"""Humanitarian convoys: plan, track, deliver, and the route risk a coordinator watches.

A convoy is planned with its route (a line), cargo, agency and escort; it goes from planned
to under way (its departure time is kept) to arrived, or is aborted. Its route risk is scored
from what the viewer may see (ops/route_risk.py) and carries the most restrictive label of
what it was scored from. The risk *rose after departure* when it is higher now than it was
at departure and something observed since departure contributes to it.

A store hook (``attach``, ops/convoy_alerts.py) runs inside every write transaction of
reports and positions: a report, or a violation raised by a position, near a convoy under way
writes an alert row in the same transaction, so the alert is there the moment the report is;
readers poll ``GET /api/v1/convoys/{uid}/risk``.
"""

from __future__ import annotations

import uuid as uuidlib
from datetime import UTC, datetime
from functools import partial
from typing import Any

import shapely
from sqlalchemy import Connection

from peacewatch.domain.dtg import parse_time
from peacewatch.domain.errors import DomainError
from peacewatch.domain.geometry import validate_lonlat
from peacewatch.domain.labels import Classification, Label, Viewer, most_restrictive
from peacewatch.domain.times import rfc3339
from peacewatch.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peacewatch.ops import route_risk
from peacewatch.ops.convoy_alerts import attach as attach  # the app and the CLI attach it here
from peacewatch.ops.convoy_input import (
    Checker,
    parse_cargo,
    parse_route,
    required_time,
    text_field,
    visible_unit,
    writable_label_id,
)
from peacewatch.ops.route_risk import RiskParams
from peacewatch.store import Store, audit, reference
from peacewatch.store import convoys as convoy_store

STATUSES = ("planned", "under_way", "arrived", "aborted")
TRANSITIONS = {
    "planned": ("under_way", "aborted"),
    "under_way": ("arrived", "aborted"),
    "arrived": (),
    "aborted": (),
}


def plan_convoy(store: Store, *, viewer: Viewer, data: dict[str, Any]) -> str:
    """Plan a convoy (or record a past one, with its status and times); returns its uid."""
    check = Checker()
    mission = text_field(data, "mission", check)
    name = text_field(data, "name", check)
    agency = text_field(data, "agency", check)
    route = check("route", lambda: parse_route(data.get("route")))
    cargo = check("cargo", lambda: parse_cargo(data.get("cargo")))
    departure = check("planned_departure", lambda: required_time(data.get("planned_departure"),
                                                         "planned_departure"))  # fmt: skip
    arrival = check("planned_arrival", lambda: required_time(data.get("planned_arrival"),
                                                     "planned_arrival"))  # fmt: skip
    if departure and arrival and arrival <= departure:
        check.fail("planned_arrival", "must be after planned_departure")
    status = data.get("status") or "planned"
    if status not in STATUSES:
        check.fail("status", f"must be one of {', '.join(STATUSES)}")
    departed = arrived = None
    if data.get("departed_at"):
        departed = check("departed_at", lambda: required_time(data["departed_at"], "departed_at"))
    if data.get("arrived_at"):
        arrived = check("arrived_at", lambda: required_time(data["arrived_at"], "arrived_at"))
    if (
        status in ("under_way", "arrived")
        and departed is None
        and "departed_at" not in {p.field for p in check.problems}
    ):
        check.fail("departed_at", f"is required for a convoy {status.replace('_', ' ')}")
    if status == "arrived" and arrived is None:
        check.fail("arrived_at", "is required for a convoy that arrived")
    if departed and arrived and arrived <= departed:
        check.fail("arrived_at", "must be after departed_at")
    attributes = data.get("attributes") or {}
    if not isinstance(attributes, dict):
        check.fail("attributes", "must be an object")
    uid = str(data.get("uid") or uuidlib.uuid4())
    check.done("convoy")
    now = datetime.now(UTC)
    with store.write() as conn:
        found = reference.mission_row(conn, viewer=viewer, code=mission)
        if found is None:
            raise ValidationFailed(
                f"mission {mission!r} does not exist", [FieldProblem("mission", "unknown mission")]
            )
        if convoy_store.convoy_exists(conn, uid):
            raise Conflict(f"a convoy {uid!r} exists already", [FieldProblem("uid", "exists")])
        default = reference.default_labels(conn, [found.id])[found.id]
        convoy_store.add_convoy(
            conn, route=route, uid=uid, mission_id=found.id, name=name, agency=agency,
            escort_unit_id=visible_unit(conn, viewer, data.get("escort"), "escort"),
            tracking_unit_id=visible_unit(conn, viewer, data.get("tracking_unit"), "tracking_unit"),
            cargo=cargo, planned_departure=departure, planned_arrival=arrival,
            departed_at=departed, arrived_at=arrived, status=status,
            synthetic=bool(data.get("synthetic", False)), attributes=attributes,
            label_id=writable_label_id(conn, store, viewer, data.get("label"), default),
            created_by=viewer.name, created_at=now,
        )  # fmt: skip
        audit.append(conn, actor=viewer.name, action="convoy.plan", target=uid)
    return uid


def _visible_row(conn: Connection, viewer: Viewer, uid: str) -> Any:
    row = convoy_store.convoy_row(conn, viewer=viewer, uid=uid)
    if row is None:
        raise NotFound(f"no convoy {uid!r}")
    return row


def set_status(
    store: Store, *, viewer: Viewer, uid: str, status: Any, at: Any = None
) -> dict[str, Any]:
    """Move a convoy on (planned → under way → arrived, or aborted); ``at`` defaults to now."""
    if status not in STATUSES:
        raise ValidationFailed(
            "unknown status", [FieldProblem("status", f"must be one of {', '.join(STATUSES)}")]
        )
    try:
        when = parse_time(at, field="at") if at not in (None, "") else datetime.now(UTC)
    except DomainError as exc:
        raise ValidationFailed(exc.message, [FieldProblem("at", exc.message)]) from None
    with store.write() as conn:
        row = _visible_row(conn, viewer, uid)
        if status not in TRANSITIONS[row.status]:
            allowed = ", ".join(TRANSITIONS[row.status]) or "nothing (it is final)"
            raise ValidationFailed(
                f"a convoy {row.status.replace('_', ' ')} cannot become {status}",
                [FieldProblem("status", f"from {row.status} it may become {allowed}")],
            )
        values: dict[str, Any] = {"status": status}
        if status == "under_way":
            values["departed_at"] = when
        elif status == "arrived":
            if row.departed_at and when <= row.departed_at:
                raise ValidationFailed(
                    "arrival before departure", [FieldProblem("at", "must be after departed_at")]
                )
            values["arrived_at"] = when
        else:
            values["attributes"] = {**(row.attributes or {}), "aborted_at": when.isoformat()}
        convoy_store.set_status(conn, convoy_id=row.id, **values)
        audit.append(
            conn, actor=viewer.name, action="convoy.status", target=uid,
            detail={"from": row.status, "to": status, "at": when.isoformat()},
        )  # fmt: skip
    return {"id": uid, "status": status, "at": rfc3339(when)}


def add_points(store: Store, *, viewer: Viewer, uid: str, data: dict[str, Any]) -> int:
    """Record where a convoy was: ``{"points": [[lon, lat, time], …], "label": …}``."""
    points = data.get("points")
    check = Checker()
    parsed: list[tuple[float, float, datetime]] = []
    if not isinstance(points, list) or not points:
        check.fail("points", "must be a non-empty list of [lon, lat, time]")
    else:
        for i, p in enumerate(points):
            if not isinstance(p, list) or len(p) != 3:
                check.fail(f"points[{i}]", "must be [lon, lat, time]")
                continue
            lonlat = check(f"points[{i}]", partial(validate_lonlat, p[0], p[1],
                                                   field_prefix=f"points[{i}]."))  # fmt: skip
            t = check(f"points[{i}].time", partial(required_time, p[2], f"points[{i}].time"))
            if lonlat is not None and t is not None:
                parsed.append((lonlat[0], lonlat[1], t))
    check.done("track")
    now = datetime.now(UTC)
    with store.write() as conn:
        row = _visible_row(conn, viewer, uid)
        label_id = writable_label_id(
            conn, store, viewer, data.get("label"), convoy_store.row_label(row)
        )
        rows = [
            {"convoy_id": row.id, "observed_at": t, "lon": lon, "lat": lat,
             "label_id": label_id, "created_by": viewer.name, "created_at": now}
            for lon, lat, t in parsed
        ]  # fmt: skip
        convoy_store.add_points(conn, rows)
        audit.append(conn, actor=viewer.name, action="convoy.track", target=uid,
                     detail={"points": len(rows)})  # fmt: skip
    return len(parsed)


def record_delivery(store: Store, *, viewer: Viewer, uid: str, data: dict[str, Any]) -> str:
    """Record a delivery: place (and lon/lat, or a gazetteer place), date, sector, cargo
    delivered and the number of people reached; returns the delivery's uid."""
    check = Checker()
    place = text_field(data, "place", check)
    sector = text_field(data, "sector", check)
    adm1 = text_field(data, "adm1", check, required=False)
    when = check("delivered_at", lambda: required_time(data.get("delivered_at"), "delivered_at"))
    cargo = check("cargo", lambda: parse_cargo(data.get("cargo")))
    people = data.get("beneficiaries")
    if isinstance(people, bool) or not isinstance(people, int) or people < 0:
        check.fail("beneficiaries", "must be a whole number of people, 0 or more")
    lonlat = None
    if data.get("lon") is not None or data.get("lat") is not None:
        lonlat = check("lon", lambda: validate_lonlat(data.get("lon"), data.get("lat")))
    check.done("delivery")
    delivery = str(data.get("id") or uuidlib.uuid4())
    now = datetime.now(UTC)
    with store.write() as conn:
        row = _visible_row(conn, viewer, uid)
        if lonlat is None:
            lonlat = reference.find_place(conn, place)
            if lonlat is None:
                raise ValidationFailed(
                    f"no place {place!r} in the gazetteer",
                    [FieldProblem("lon", "give lon and lat, or a place the gazetteer knows")],
                )
        if convoy_store.delivery_exists(conn, delivery):
            raise Conflict(f"a delivery {delivery!r} exists", [FieldProblem("id", "exists")])
        label_id = writable_label_id(
            conn, store, viewer, data.get("label"), convoy_store.row_label(row)
        )
        convoy_store.add_delivery(
            conn, uid=delivery, convoy_id=row.id, place=place, adm1=adm1, lon=lonlat[0],
            lat=lonlat[1], delivered_at=when, sector=sector, cargo=cargo, beneficiaries=people,
            label_id=label_id, created_by=viewer.name, created_at=now,
        )  # fmt: skip
        audit.append(conn, actor=viewer.name, action="convoy.delivery", target=uid,
                     detail={"delivery": delivery})  # fmt: skip
    return delivery


def default_moment(row: Any, now: datetime | None = None) -> datetime:
    """When a convoy's risk is computed by default: now while under way, at arrival (or
    abort) once over, at planned departure before it leaves."""
    if row.status == "arrived" and row.arrived_at:
        return row.arrived_at  # type: ignore[no-any-return]
    if row.status == "aborted":
        aborted = (row.attributes or {}).get("aborted_at")
        return parse_time(aborted, field="aborted_at") if aborted else row.planned_arrival
    if row.status == "under_way":
        return now or datetime.now(UTC)
    return row.planned_departure  # type: ignore[no-any-return]


def _risk(conn: Connection, viewer: Viewer, row: Any, at: datetime, params: RiskParams) -> Any:
    start, end = route_risk.window(at, row.departed_at, params)
    box = route_risk.search_box(row.route, params.distance_m)
    items = convoy_store.risk_candidates(conn, viewer=viewer, bbox=box, start=start, end=end)
    crs = route_risk.local_crs(row.route)
    now = route_risk.score_route(row.route, items, at=at, params=params, crs=crs)
    warning = None
    departed = row.departed_at
    if departed is not None and departed < at:
        before = route_risk.score_route(row.route, items, at=departed, params=params, crs=crs)
        since_h = (at - departed).total_seconds() / 3600.0
        new = [c for c in now.contributions if c["age_h"] < since_h]
        risen = now.total > before.total and bool(new)
        warning = {
            "risen": risen,
            "departed_at": rfc3339(departed),
            "at_departure": before.total,
            "now": now.total,
            "new": [{"source": c["source"], "id": c["id"], "score": c["score"]} for c in new],
            "message": (
                f"route risk rose from {before.total:.2f} at departure to {now.total:.2f}: "
                f"{len(new)} new record(s) near the route"
                if risen
                else "route risk has not risen since departure"
            ),
        }
    markings = {c["label"] for c in now.contributions}
    label = most_restrictive([convoy_store.row_label(row), *(Label.parse(m) for m in markings)])
    return now, warning, label


def route_risk_of(
    store: Store,
    *,
    viewer: Viewer,
    uid: str,
    at: datetime | None = None,
    params: RiskParams | None = None,
) -> dict[str, Any]:
    """A convoy's route risk as ``viewer`` may know it: a FeatureCollection of route segments
    coloured by risk, every contribution explained, the warning, and the derived label."""
    params = params or RiskParams()
    with store.read() as conn:
        row = _visible_row(conn, viewer, uid)
        moment = at or default_moment(row)
        scored, warning, label = _risk(conn, viewer, row, moment, params)
    return {
        "type": "FeatureCollection",
        "convoy": uid,
        "status": row.status,
        "at": rfc3339(moment),
        "params": route_risk.params_dict(params),
        "total": scored.total,
        "features": scored.segments,
        "contributions": scored.contributions,
        "warning": warning,
        "label": label.marking,
    }


def _feature(row: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": row.uid,
        "geometry": shapely.geometry.mapping(row.route),
        "properties": {
            "id": row.uid, "mission": row.mission, "name": row.name, "agency": row.agency,
            "status": row.status, "escort": row.escort, "tracking_unit": row.tracking_unit,
            "cargo": row.cargo, "planned_departure": rfc3339(row.planned_departure),
            "planned_arrival": rfc3339(row.planned_arrival),
            "departed_at": rfc3339(row.departed_at), "arrived_at": rfc3339(row.arrived_at),
            "synthetic": row.synthetic,
            "attributes": row.attributes, "label": row.label,
        },
    }  # fmt: skip


def list_convoys(
    store: Store,
    *,
    viewer: Viewer,
    mission: str | None = None,
    status: tuple[str, ...] = (),
    at: datetime | None = None,
) -> dict[str, Any]:
    """Convoys ``viewer`` may see, each with its route risk summary (``risk_total``,
    ``risk_risen``, ``risk_label``: the derived label, kept apart from the convoy's own)."""
    params = RiskParams()
    features = []
    with store.read() as conn:
        for row in convoy_store.convoy_rows(conn, viewer=viewer, mission=mission, status=status):
            moment = min(at, default_moment(row)) if at else default_moment(row)
            scored, warning, label = _risk(conn, viewer, row, moment, params)
            feature = _feature(row)
            feature["properties"] |= {
                "risk_total": scored.total,
                "risk_at": rfc3339(moment),
                "risk_risen": bool(warning and warning["risen"]),
                "risk_label": label.marking,
            }
            features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def get_convoy(store: Store, *, viewer: Viewer, uid: str) -> dict[str, Any]:
    """One convoy with its track, deliveries and alerts, each as far as ``viewer`` may see."""
    with store.read() as conn:
        row = _visible_row(conn, viewer, uid)
        feature = _feature(row)
        feature["track"] = convoy_store.track(
            conn, viewer=viewer, row=row, until=default_moment(row)
        )
        feature["deliveries"] = convoy_store.deliveries(conn, viewer=viewer, convoy_ids=[row.id])
        feature["alerts"] = convoy_store.alerts(conn, viewer=viewer, convoy_id=row.id)
    return feature


def empty_label(viewer: Viewer) -> Label:
    """The label of an answer that holds nothing: unclassified, releasable to the viewer."""
    return Label(Classification.NATO_UNCLASSIFIED, viewer.codes)
