"""Weapons collection (DDR): collection points, campaigns, items and their chain of custody.

Every read applies ``visible()`` to each table it touches: an item's campaign, point or
custody event the viewer may not see is left out, never shown. Duplicate serials are found at
read time among the items the viewer may see, so a flag never reveals a hidden record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import shapely
from sqlalchemy import Connection, and_, func, insert, select, update

from peacewatch.domain.labels import Viewer
from peacewatch.domain.times import rfc3339
from peacewatch.store.label_filter import visible
from peacewatch.store.report_citations import cited_reports
from peacewatch.store.tables import (
    labels,
    missions,
    weapons_campaigns,
    weapons_custody,
    weapons_items,
    weapons_points,
)
from peacewatch.store.writes import insert_row


def add_point(conn: Connection, **values: Any) -> int:
    """Insert a collection point and return its id."""
    return insert_row(conn, weapons_points, **values)


def add_campaign(conn: Connection, **values: Any) -> int:
    """Insert a campaign and return its id."""
    return insert_row(conn, weapons_campaigns, **values)


def add_items(conn: Connection, *, rows: list[dict[str, Any]]) -> None:
    """Insert items with their first custody event, in two batched statements."""
    if not rows:
        return
    conn.execute(insert(weapons_items), [r["item"] for r in rows])
    ids = dict(
        conn.execute(
            select(weapons_items.c.uid, weapons_items.c.id).where(
                weapons_items.c.uid.in_([r["item"]["uid"] for r in rows])
            )
        ).all()
    )
    events = [{**r["custody"], "item_id": ids[r["item"]["uid"]]} for r in rows]
    conn.execute(insert(weapons_custody), events)


def add_custody_events(conn: Connection, *, events: list[dict[str, Any]]) -> None:
    """Insert custody events given with their item's uid (scenario loading), batched, and set
    each item's current state to its last event's."""
    if not events:
        return
    uids = sorted({e["item_uid"] for e in events})
    ids = dict(
        conn.execute(
            select(weapons_items.c.uid, weapons_items.c.id).where(weapons_items.c.uid.in_(uids))
        ).all()
    )
    rows = [{k: v for k, v in e.items() if k != "item_uid"} | {"item_id": ids[e["item_uid"]]}
            for e in events]  # fmt: skip
    conn.execute(insert(weapons_custody), rows)
    last: dict[int, tuple[int, str]] = {}
    for r in rows:
        if r["item_id"] not in last or r["seq"] > last[r["item_id"]][0]:
            last[r["item_id"]] = (r["seq"], r["state"])
    by_state: dict[str, list[int]] = {}
    for item_id, (_, state) in last.items():
        by_state.setdefault(state, []).append(item_id)
    for state, item_ids in by_state.items():
        conn.execute(
            update(weapons_items)
            .where(weapons_items.c.id.in_(item_ids))
            .values(custody_state=state)
        )


def add_custody(conn: Connection, *, item_id: int, state: str, **values: Any) -> int:
    """Append one custody event and make it the item's current state."""
    event_id = insert_row(conn, weapons_custody, item_id=item_id, state=state, **values)
    conn.execute(
        update(weapons_items).where(weapons_items.c.id == item_id).values(custody_state=state)
    )
    return event_id


def item_for_update(conn: Connection, *, viewer: Viewer, uid: str) -> dict[str, Any] | None:
    """A visible item's id, category, label and the end of its whole chain of custody (every
    event counts, seen or not: the chain's order does not depend on who appends to it)."""
    row = conn.execute(
        select(
            weapons_items.c.id, weapons_items.c.category, weapons_items.c.label_id,
            weapons_items.c.custody_state,
        ).where(weapons_items.c.uid == uid, visible(weapons_items, viewer))
    ).first()  # fmt: skip
    if row is None:
        return None
    last = conn.execute(
        select(weapons_custody.c.seq, weapons_custody.c.at)
        .where(weapons_custody.c.item_id == row.id)
        .order_by(weapons_custody.c.seq.desc())
        .limit(1)
    ).first()
    return {
        "id": int(row.id),
        "category": str(row.category),
        "label_id": int(row.label_id),
        "state": str(row.custody_state) if last is not None else None,
        "seq": int(last.seq) if last is not None else 0,
        "last_at": last.at if last is not None else None,
    }


def _point_feature(row: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": row.uid,
        "geometry": shapely.geometry.mapping(row.geometry),
        "properties": {
            "id": row.uid, "mission": row.mission, "name": row.name, "place": row.place,
            "lon": row.lon, "lat": row.lat, "source": row.source, "synthetic": row.synthetic,
            "label": row.label,
        },
    }  # fmt: skip


def list_points(
    conn: Connection, *, viewer: Viewer, mission: str | None = None, uid: str | None = None
) -> list[dict[str, Any]]:
    """Collection points ``viewer`` may see, as GeoJSON Features."""
    query = (
        select(weapons_points, labels.c.marking.label("label"), missions.c.code.label("mission"))
        .join(labels, labels.c.id == weapons_points.c.label_id)
        .join(missions, missions.c.id == weapons_points.c.mission_id)
        .where(visible(weapons_points, viewer))
    )
    if mission is not None:
        query = query.where(missions.c.code == mission)
    if uid is not None:
        query = query.where(weapons_points.c.uid == uid)
    rows = conn.execute(query.order_by(weapons_points.c.name, weapons_points.c.id)).all()
    return [_point_feature(r) for r in rows]


def _campaign(row: Any) -> dict[str, Any]:
    return {
        "id": row.code, "code": row.code, "mission": row.mission, "name": row.name,
        "start": rfc3339(row.start_at), "end": rfc3339(row.end_at), "targets": row.targets,
        "reported": row.reported, "source": row.source, "synthetic": row.synthetic,
        "label": row.label,
    }  # fmt: skip


def list_campaigns(
    conn: Connection, *, viewer: Viewer, mission: str | None = None, code: str | None = None
) -> list[dict[str, Any]]:
    """Campaigns ``viewer`` may see, newest first; targets name only the points they see."""
    query = (
        select(weapons_campaigns, labels.c.marking.label("label"))
        .add_columns(missions.c.code.label("mission"))
        .join(labels, labels.c.id == weapons_campaigns.c.label_id)
        .join(missions, missions.c.id == weapons_campaigns.c.mission_id)
        .where(visible(weapons_campaigns, viewer))
    )
    if mission is not None:
        query = query.where(missions.c.code == mission)
    if code is not None:
        query = query.where(weapons_campaigns.c.code == code)
    rows = conn.execute(query.order_by(weapons_campaigns.c.start_at.desc())).all()
    seen = _visible_point_uids(conn, viewer)
    out = []
    for row in rows:
        campaign = _campaign(row)
        # A target at a point the viewer may not see is left out (it would name the point).
        campaign["targets"] = [t for t in row.targets if t.get("place") in (None, *seen)]
        out.append(campaign)
    return out


def _visible_point_uids(conn: Connection, viewer: Viewer) -> set[str]:
    return set(
        conn.execute(select(weapons_points.c.uid).where(visible(weapons_points, viewer))).scalars()
    )


def _items_query(viewer: Viewer) -> Any:
    """Visible items with their label, and the campaign and point when the viewer sees them."""
    point = and_(weapons_points.c.id == weapons_items.c.point_id, visible(weapons_points, viewer))
    return (
        select(
            weapons_items,
            labels.c.marking.label("label"),
            weapons_campaigns.c.code.label("campaign"),
            weapons_points.c.uid.label("point"),
            weapons_points.c.place.label("place"),
            weapons_points.c.lon.label("lon"),
            weapons_points.c.lat.label("lat"),
        )
        .select_from(
            weapons_items.join(labels, labels.c.id == weapons_items.c.label_id)
            .outerjoin(weapons_campaigns, _campaign_seen(viewer))
            .outerjoin(weapons_points, point)
        )
        .where(visible(weapons_items, viewer))
    )


def _campaign_seen(viewer: Viewer) -> Any:
    """Join condition: the item's campaign, when ``viewer`` may see it (else no campaign)."""
    return and_(
        weapons_campaigns.c.id == weapons_items.c.campaign_id, visible(weapons_campaigns, viewer)
    )


def _item(row: Any) -> dict[str, Any]:
    return {
        "id": row.uid, "campaign": row.campaign, "point": row.point, "place": row.place,
        "lon": row.lon, "lat": row.lat, "category": row.category,
        "description": row.description, "calibre": row.calibre, "serial": row.serial,
        "serial_normalised": row.serial_norm, "quantity": row.quantity,
        "collected_at": rfc3339(row.collected_at), "custody_state": row.custody_state,
        "synthetic": row.synthetic, "label": row.label, "duplicate_of": [],
    }  # fmt: skip


def list_items(
    conn: Connection,
    *,
    viewer: Viewer,
    campaign: str | None = None,
    category: str | None = None,
    serial: str | None = None,
    duplicates: bool = False,
    limit: int = 1000,
    uid: str | None = None,
) -> list[dict[str, Any]]:
    """Items ``viewer`` may see (oldest first), each with ``duplicate_of``: the earlier items
    they see with the same category and normalised serial, in any campaign; and ``reports``:
    the field reports it cites that they may see."""
    query = _items_query(viewer)
    if campaign is not None:
        query = query.where(weapons_campaigns.c.code == campaign)
    if category is not None:
        query = query.where(weapons_items.c.category == category)
    if serial is not None:
        query = query.where(weapons_items.c.serial_norm == serial)
    if uid is not None:
        query = query.where(weapons_items.c.uid == uid)
    if duplicates:
        query = query.where(_has_earlier(viewer))
    order = (weapons_items.c.collected_at, weapons_items.c.id)
    rows = conn.execute(query.order_by(*order).limit(limit)).all()
    items = [_item(r) for r in rows]
    _link_duplicates(conn, viewer, rows, items)
    cited = cited_reports(conn, viewer=viewer, table=weapons_items, ids=[r.id for r in rows])
    for row, item in zip(rows, items, strict=True):
        item["reports"] = cited.get(row.id, [])
    return items


def _has_earlier(viewer: Viewer) -> Any:
    earlier = weapons_items.alias("earlier")
    return (
        select(earlier.c.id)
        .where(
            earlier.c.category == weapons_items.c.category,
            earlier.c.serial_norm == weapons_items.c.serial_norm,
            _before(earlier, weapons_items),
            visible(earlier, viewer),
        )
        .exists()
    )


def _before(a: Any, b: Any) -> Any:
    """Row ``a`` was handed in before row ``b`` (time, then id for the same instant)."""
    return (a.c.collected_at < b.c.collected_at) | (
        (a.c.collected_at == b.c.collected_at) & (a.c.id < b.c.id)
    )


def _link_duplicates(
    conn: Connection, viewer: Viewer, rows: Sequence[Any], items: list[dict[str, Any]]
) -> None:
    keys = {(r.category, r.serial_norm) for r in rows if r.serial_norm}
    if not keys:
        return
    serials = sorted({s for _, s in keys})
    found = conn.execute(
        select(
            weapons_items.c.id,
            weapons_items.c.uid,
            weapons_items.c.category,
            weapons_items.c.serial_norm,
            weapons_items.c.collected_at,
            weapons_campaigns.c.code.label("campaign"),
        )
        .select_from(weapons_items.outerjoin(weapons_campaigns, _campaign_seen(viewer)))
        .where(weapons_items.c.serial_norm.in_(serials), visible(weapons_items, viewer))
        .order_by(weapons_items.c.collected_at, weapons_items.c.id)
    ).all()
    by_key: dict[tuple[str, str], list[Any]] = {}
    for f in found:
        by_key.setdefault((f.category, f.serial_norm), []).append(f)
    for row, item in zip(rows, items, strict=True):
        for other in by_key.get((row.category, row.serial_norm), []):
            if (other.collected_at, other.id) < (row.collected_at, row.id):
                item["duplicate_of"].append(
                    {"id": other.uid, "campaign": other.campaign,
                     "collected_at": rfc3339(other.collected_at)}
                )  # fmt: skip
        item["duplicate"] = bool(item["duplicate_of"])


def custody_chain(conn: Connection, *, viewer: Viewer, uid: str) -> list[dict[str, Any]] | None:
    """The custody events of a visible item that ``viewer`` may see, in order; None when the
    item is not visible."""
    item_id = conn.execute(
        select(weapons_items.c.id).where(weapons_items.c.uid == uid, visible(weapons_items, viewer))
    ).scalar()
    if item_id is None:
        return None
    c = weapons_custody
    rows = conn.execute(
        select(c, labels.c.marking.label("label"))
        .join(labels, labels.c.id == c.c.label_id)
        .where(c.c.item_id == item_id, visible(c, viewer))
        .order_by(c.c.seq)
    ).all()
    return [
        {
            "id": f"{uid}/{r.seq}",
            "seq": r.seq,
            "state": r.state,
            "at": rfc3339(r.at),
            "by": r.actor,
            "place": r.place,
            "lon": r.lon,
            "lat": r.lat,
            "note": r.note,
            "label": r.label,
        }
        for r in rows
    ]


def counted(
    conn: Connection, *, viewer: Viewer, campaign: str | None = None
) -> list[tuple[str, str, str | None, str, int, int]]:
    """What was handed in, summed in SQL: (campaign code, category, point uid, item label,
    quantity, items) over the visible items of visible campaigns; a point the viewer may not
    see counts under no place."""
    point = and_(weapons_points.c.id == weapons_items.c.point_id, visible(weapons_points, viewer))
    keys = (weapons_campaigns.c.code, weapons_items.c.category, weapons_points.c.uid)
    query = (
        select(*keys, labels.c.marking)
        .add_columns(func.sum(weapons_items.c.quantity), func.count())
        .select_from(
            weapons_items.join(
                weapons_campaigns, weapons_campaigns.c.id == weapons_items.c.campaign_id
            )
            .join(labels, labels.c.id == weapons_items.c.label_id)
            .outerjoin(weapons_points, point)
        )
        .where(visible(weapons_items, viewer), visible(weapons_campaigns, viewer))
        .group_by(*keys, labels.c.marking)
    )
    if campaign is not None:
        query = query.where(weapons_campaigns.c.code == campaign)
    return [
        (str(c), str(cat), p, str(m), int(q or 0), int(n))
        for c, cat, p, m, q, n in conn.execute(query)
    ]
