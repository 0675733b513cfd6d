"""Writes of the weapons collection (DDR) module: collection points, campaigns, items handed
in and their custody events — validated, labelled (the writer must be able to write the label)
and audited in the same transaction. The rules they apply are in ``ops/weapons.py``."""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import shapely
from sqlalchemy import Connection, select

from peacewatch.domain.dtg import parse_time
from peacewatch.domain.errors import DomainError
from peacewatch.domain.geometry import geometry_from_geojson
from peacewatch.domain.labels import Label, Viewer
from peacewatch.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peacewatch.ingest.validate import authorised_label
from peacewatch.ops.report_citations import check_citations, link
from peacewatch.ops.weapons import (
    BULK,
    CATEGORIES,
    check_targets,
    check_transition,
    normalise_serial,
)
from peacewatch.store import Store, audit, reference
from peacewatch.store import weapons as weapons_store
from peacewatch.store.label_filter import intern_label, known_release_codes, visible
from peacewatch.store.tables import weapons_campaigns, weapons_items, weapons_points


def _problem(field: str, message: str, what: str) -> ValidationFailed:
    return ValidationFailed(
        f"the {what} is not valid: {field} {message}", [FieldProblem(field, message)]
    )


def _text(data: Mapping[str, Any], name: str, what: str, *, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _problem(name, "is required", what)
        return None
    if not isinstance(value, str):
        raise _problem(name, "must be text", what)
    return value.strip()


def _when(
    data: Mapping[str, Any], name: str, what: str, *, required: bool = True
) -> datetime | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise _problem(name, "is required", what)
        return None
    try:
        return parse_time(value, field=name)
    except DomainError as exc:
        raise _problem(exc.field or name, exc.message, what) from None


def _domain(what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except DomainError as exc:
        raise ValidationFailed(
            f"the {what} is not valid: {exc.message}",
            [FieldProblem(exc.field or "value", exc.message)],
        ) from None


def mission_of(conn: Connection, code: object) -> tuple[int, Label]:
    """A mission's id and default label, or a 422 naming `mission`."""
    found = reference.mission_id(conn, code) if isinstance(code, str) else None
    if found is None:
        raise ValidationFailed(
            f"mission {code!r} does not exist", [FieldProblem("mission", "unknown mission")]
        )
    return found, reference.default_labels(conn, [found])[found]


def label_id_for(
    conn: Connection, store: Store, viewer: Viewer, value: object, default: Label
) -> int:
    """The interned id of the label a writer asked for (or ``default``), checked."""
    try:
        label = authorised_label(
            value, viewer=viewer, release_codes=known_release_codes(conn), default=default
        )
    except DomainError as exc:
        raise ValidationFailed(exc.message, [FieldProblem("label", exc.message)]) from None
    return intern_label(conn, label, store.label_cache)


def _unique(conn: Connection, table: Any, column: str, value: str, what: str) -> None:
    if conn.execute(select(table.c.id).where(table.c[column] == value)).first() is not None:
        raise Conflict(
            f"a {what} with {column} {value!r} exists already",
            [FieldProblem(column, "already exists")],
        )


def add_point(store: Store, *, viewer: Viewer, data: Mapping[str, Any]) -> str:
    """Create a collection point (name, place, geometry as GeoJSON); returns its uid."""
    what = "collection point"
    name = _text(data, "name", what)
    place = _text(data, "place", what)
    geometry = _domain(what, geometry_from_geojson, data.get("geometry"), field="geometry")
    uid = _text(data, "uid", what, required=False) or str(uuidlib.uuid4())
    with store.write() as conn:
        mission_id, default = mission_of(conn, data.get("mission"))
        _unique(conn, weapons_points, "uid", uid, what)
        label_id = label_id_for(conn, store, viewer, data.get("label"), default)
        at = (
            shapely.Point(geometry)
            if geometry.geom_type == "Point"
            else geometry.point_on_surface()
        )
        weapons_store.add_point(
            conn, uid=uid, mission_id=mission_id, name=str(name), place=str(place),
            geometry=geometry, lon=at.x, lat=at.y, source=data.get("source"),
            synthetic=bool(data.get("synthetic", False)), label_id=label_id,
            created_by=viewer.name, created_at=datetime.now(UTC),
        )  # fmt: skip
        audit.append(conn, actor=viewer.name, action="weapons.point.create", target=uid)
    return uid


def add_campaign(store: Store, *, viewer: Viewer, data: Mapping[str, Any]) -> str:
    """Create a campaign (code, name, start, end, targets, reported, source); returns its code."""
    what = "campaign"
    code = _text(data, "code", what)
    name = _text(data, "name", what)
    start = _when(data, "start", what)
    end = _when(data, "end", what, required=False)
    if start is not None and end is not None and end <= start:
        raise _problem("end", "must be after start", what)
    targets = _domain(what, check_targets, data.get("targets"))
    reported = data.get("reported") or {}
    if not isinstance(reported, dict):
        raise _problem("reported", "must be an object", what)
    with store.write() as conn:
        mission_id, default = mission_of(conn, data.get("mission"))
        _unique(conn, weapons_campaigns, "code", str(code), what)
        places = {t["place"] for t in targets if t["place"]}
        known = set(
            conn.execute(
                select(weapons_points.c.uid).where(
                    weapons_points.c.uid.in_(places), visible(weapons_points, viewer)
                )
            ).scalars()
        )
        for i, target in enumerate(targets):
            if target["place"] and target["place"] not in known:
                raise _problem(f"targets[{i}].place", "is not a collection point you see", what)
        label_id = label_id_for(conn, store, viewer, data.get("label"), default)
        weapons_store.add_campaign(
            conn, code=str(code), mission_id=mission_id, name=str(name), start_at=start,
            end_at=end, targets=targets, reported=reported, source=data.get("source"),
            synthetic=bool(data.get("synthetic", False)), label_id=label_id,
            created_by=viewer.name, created_at=datetime.now(UTC),
        )  # fmt: skip
        audit.append(conn, actor=viewer.name, action="weapons.campaign.create", target=str(code))
    return str(code)


def _quantity(data: Mapping[str, Any], category: str, what: str) -> int:
    quantity = data.get("quantity", 1)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise _problem("quantity", "must be a positive whole number", what)
    if quantity != 1 and category not in BULK:
        raise _problem(
            "quantity", "a weapon is one item with its own serial; quantity is for "
            "mines, explosives and ammunition", what,
        )  # fmt: skip
    return quantity


def item_rows(
    conn: Connection, store: Store, *, viewer: Viewer, items: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Validated rows for ``weapons_items`` and their first custody event (collected), inside
    the caller's write transaction; fields are named with the item's index when many."""
    out = []
    campaigns: dict[str, tuple[int, int]] = {}
    points: dict[str, tuple[int, str, float, float]] = {}
    now = datetime.now(UTC)
    listed = list(items)
    for i, data in enumerate(listed):
        what = "item" if len(listed) == 1 else f"item {i}"
        category = data.get("category")
        if category not in CATEGORIES:
            raise _problem("category", f"must be one of {', '.join(CATEGORIES)}", what)
        code = _text(data, "campaign", what)
        if code not in campaigns:
            found = conn.execute(
                select(weapons_campaigns.c.id, weapons_campaigns.c.label_id).where(
                    weapons_campaigns.c.code == code, visible(weapons_campaigns, viewer)
                )
            ).first()
            if found is None:
                raise _problem("campaign", "is not a campaign you see", what)
            campaigns[str(code)] = (int(found.id), int(found.label_id))
        campaign_id, campaign_label = campaigns[str(code)]
        point_uid = _text(data, "point", what, required=False)
        point = None
        if point_uid is not None:
            if point_uid not in points:
                row = conn.execute(
                    select(weapons_points.c.id, weapons_points.c.place, weapons_points.c.lon)
                    .add_columns(weapons_points.c.lat)
                    .where(weapons_points.c.uid == point_uid, visible(weapons_points, viewer))
                ).first()
                if row is None:
                    raise _problem("point", "is not a collection point you see", what)
                points[point_uid] = (int(row.id), str(row.place), float(row.lon), float(row.lat))
            point = points[point_uid]
        serial = _domain(what, normalise_serial, data.get("serial"))
        if category not in BULK and data.get("serial") is None and not data.get("no_serial"):
            raise _problem("serial", "is required for a weapon (or say no_serial: true)", what)
        collected_at = _when(data, "collected_at", what)
        received_by = _text(data, "received_by", what)
        uid = _text(data, "uid", what, required=False) or str(uuidlib.uuid4())
        calibre = _text(data, "calibre", what, required=False)
        if calibre is not None and len(calibre) > 32:
            raise _problem("calibre", "is longer than 32 characters", what)
        raw_serial = _text(data, "serial", what, required=False)
        label = data.get("label")
        label_id = (
            label_id_for(conn, store, viewer, label, Label.parse("NATO UNCLASSIFIED"))
            if label
            else campaign_label
        )
        who = {"label_id": label_id, "created_by": viewer.name, "created_at": now}
        item = {
            "uid": uid, "campaign_id": campaign_id, "point_id": point[0] if point else None,
            "category": category, "description": str(data.get("description") or ""),
            "calibre": calibre, "serial": raw_serial, "serial_norm": serial,
            "quantity": _quantity(data, str(category), what), "collected_at": collected_at,
            "custody_state": "collected", "synthetic": bool(data.get("synthetic", False)), **who,
        }  # fmt: skip
        custody = {
            "seq": 1, "state": "collected", "at": collected_at, "actor": received_by,
            "place": point[1] if point else str(data.get("place") or "unknown"),
            "lon": point[2] if point else None, "lat": point[3] if point else None,
            "note": None, **who,
        }  # fmt: skip
        out.append({"item": item, "custody": custody})
    return out


def add_items(store: Store, *, viewer: Viewer, items: Iterable[Mapping[str, Any]]) -> list[str]:
    """Record items handed in (each with its 'collected' custody event), each linked to the
    field reports its ``reports`` cites (uids of reports the writer may see); audited; their
    uids."""
    listed = list(items)
    with store.write() as conn:
        rows = item_rows(conn, store, viewer=viewer, items=listed)
        whats = ["item" if len(listed) == 1 else f"item {i}" for i in range(len(listed))]
        cited = check_citations(conn, viewer=viewer, records=list(zip(whats, listed, strict=True)))
        uids = [r["item"]["uid"] for r in rows]
        if len(set(uids)) != len(uids):
            raise Conflict("two items share a uid", [FieldProblem("uid", "must be unique")])
        taken = conn.execute(
            select(weapons_items.c.uid).where(weapons_items.c.uid.in_(uids))
        ).first()
        if taken is not None:
            raise Conflict(
                f"an item with uid {taken.uid!r} exists already",
                [FieldProblem("uid", "already exists")],
            )
        weapons_store.add_items(conn, rows=rows)
        links = link(conn, table=weapons_items, uids=uids, cited=cited)
        audit.append(
            conn, actor=viewer.name, action="weapons.item.create",
            target=uids[0] if len(uids) == 1 else f"{len(uids)} items",
            detail={"items": uids[:1000], "reports_cited": links},
        )  # fmt: skip
    return uids


def add_custody(store: Store, *, viewer: Viewer, uid: str, data: Mapping[str, Any]) -> int:
    """Append a custody event (state, at, by, place, optional point or lon/lat, note) to a
    visible item, checked against its chain; audited. Returns the event's sequence number."""
    what = "custody event"
    at = _when(data, "at", what)
    actor = _text(data, "by", what)
    note = _text(data, "note", what, required=False)
    assert at is not None and actor is not None
    with store.write() as conn:
        item = weapons_store.item_for_update(conn, viewer=viewer, uid=uid)
        if item is None:
            raise NotFound(f"no item {uid}")
        place, lon, lat = _custody_place(conn, viewer, data, what)
        state = _domain(
            what, check_transition, current=item["state"], state=data.get("state"),
            category=item["category"], last_at=item["last_at"], at=at,
        )  # fmt: skip
        label_id = (
            label_id_for(conn, store, viewer, data["label"], Label.parse("NATO UNCLASSIFIED"))
            if data.get("label")
            else item["label_id"]
        )
        seq = int(item["seq"]) + 1
        weapons_store.add_custody(
            conn, item_id=item["id"], seq=seq, state=state, at=at, actor=actor, place=place,
            lon=lon, lat=lat, note=note, label_id=label_id, created_by=viewer.name,
            created_at=datetime.now(UTC),
        )  # fmt: skip
        audit.append(
            conn, actor=viewer.name, action="weapons.custody", target=uid,
            detail={"seq": seq, "from": item["state"], "to": state, "at": at.isoformat(),
                    "by": actor, "place": place},
        )  # fmt: skip
    return seq


def _custody_place(
    conn: Connection, viewer: Viewer, data: Mapping[str, Any], what: str
) -> tuple[str, float | None, float | None]:
    point_uid = data.get("point")
    if point_uid:
        row = conn.execute(
            select(weapons_points.c.place, weapons_points.c.lon, weapons_points.c.lat).where(
                weapons_points.c.uid == point_uid, visible(weapons_points, viewer)
            )
        ).first()
        if row is None:
            raise _problem("point", "is not a collection point you see", what)
        return str(row.place), float(row.lon), float(row.lat)
    place = _text(data, "place", what)
    lon, lat = data.get("lon"), data.get("lat")
    if (lon is None) != (lat is None):
        raise _problem("lat" if lat is None else "lon", "give both lon and lat, or neither", what)
    if lon is not None:
        for name, value, limit in (("lon", lon, 180), ("lat", lat, 90)):
            if not isinstance(value, int | float) or isinstance(value, bool) or abs(value) > limit:
                raise _problem(name, f"must be a number within ±{limit}", what)
    return str(place), lon, lat
