"""What the gateway sends to devices, read per user through the store's label filter.

Like the live feed (api/routers/stream.py), a write only wakes the gateway; it then reads the
rows written since its cursor *as each connected user*: unit positions, reports and
violations go through ``label_filter.visible`` in SQL, so no row a user may not see ever
reaches that user's connections. The rows become CoT events: positions as the unit's ``a-…``
type, reports as markers (a device's own marker keeps its uid), violations as ``b-a-g``
alerts, zones as ``u-d-f`` shapes (sent on connection).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from peacewatch.domain.dtg import parse_time
from peacewatch.domain.labels import Viewer
from peacewatch.store import reports as report_store
from peacewatch.store import units as unit_store
from peacewatch.store import violations as violation_store
from peacewatch.store import zones as zone_store
from peacewatch.store.label_filter import visible
from peacewatch.store.tables import labels, unit_positions, units
from peacewatch.tak.cot import CotEvent
from peacewatch.tak.types import ALERT_TYPE, SHAPE_TYPE, type_for_kind, type_for_sidc

SA_STALE = timedelta(minutes=5)
MARKER_STALE = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Cursor:
    """The newest row sent of each table."""

    positions: int = 0
    reports: int = 0
    violations: int = 0


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One event to send: ``sa`` may be dropped for slow clients, others are kept longer;
    ``origin`` is the CoT uid of the device it came from (not echoed back to it)."""

    event: CotEvent
    sa: bool
    origin: str | None = None


def newest(conn: Connection) -> Cursor:
    """The cursor at the newest rows (where a new user's feed starts)."""
    last = conn.execute(select(func.coalesce(func.max(unit_positions.c.id), 0))).scalar_one()
    return Cursor(
        int(last),
        report_store.last_report_row(conn),
        violation_store.last_violation_row(conn),
    )


def _when(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return parse_time(value, field="time")


def positions_after(
    conn: Connection, *, viewer: Viewer, after: int, limit: int
) -> list[tuple[int, Outgoing]]:
    """Unit positions stored after row ``after`` that ``viewer`` may see (the unit too)."""
    query = (
        select(
            unit_positions.c.id, unit_positions.c.observed_at, unit_positions.c.lon,
            unit_positions.c.lat, units.c.uid, units.c.name, units.c.sidc, units.c.attributes,
            labels.c.marking,
        )
        .join(units, units.c.id == unit_positions.c.unit_id)
        .join(labels, labels.c.id == unit_positions.c.label_id)
        .where(
            unit_positions.c.id > after, visible(unit_positions, viewer), visible(units, viewer)
        )
        .order_by(unit_positions.c.id)
        .limit(limit)
    )  # fmt: skip
    out = []
    stale = datetime.now(UTC) + SA_STALE
    for row in conn.execute(query):
        attributes = row.attributes or {}
        cot_type = attributes.get("cot_type") or type_for_sidc(row.sidc)
        event = CotEvent(
            uid=row.uid,
            type=cot_type,
            time=_when(row.observed_at),
            start=_when(row.observed_at),
            stale=stale,
            lat=row.lat,
            lon=row.lon,
            callsign=row.name,
            group_name=attributes.get("team"),
            group_role=attributes.get("role"),
            label=row.marking,
        )
        out.append((int(row.id), Outgoing(event, True, row.uid)))
    return out


def report_event(feature: dict[str, Any]) -> tuple[CotEvent, str | None]:
    """A report Feature as a marker, and the CoT uid of the device that sent it (if any)."""
    props = feature["properties"]
    attributes = props.get("attributes") or {}
    lon, lat = feature["geometry"]["coordinates"][:2]
    origin = attributes.get("cot_uid") if isinstance(attributes, dict) else None
    observed = _when(props["observed_at"])
    event = CotEvent(
        uid=str(origin or props["id"]),
        type=str(attributes.get("cot_type") or type_for_kind(str(props.get("kind")))),
        time=observed,
        start=observed,
        stale=datetime.now(UTC) + MARKER_STALE,
        lat=float(lat),
        lon=float(lon),
        how="h-g-i-g-o",
        callsign=str(props.get("title") or props.get("kind")),
        remarks=props.get("text"),
        label=props.get("label"),
    )
    return event, str(origin) if origin else None


def violation_event(feature: dict[str, Any]) -> CotEvent:
    """A violation as an alert the device shows (``b-a-g``)."""
    props = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"][:2]
    observed = _when(props["observed_at"])
    title = props.get("title") or "violation"
    where = f" in {props['zone_name']}" if props.get("zone_name") else ""
    return CotEvent(
        uid=f"violation-{feature['id']}",
        type=ALERT_TYPE,
        time=observed,
        start=observed,
        stale=datetime.now(UTC) + MARKER_STALE,
        lat=float(lat),
        lon=float(lon),
        how="h-g-i-g-o",
        callsign=f"VIOLATION {props.get('party') or ''}".strip(),
        remarks=f"{title}{where} ({props.get('state')})",
        label=props.get("label"),
    )


def read_after(
    conn: Connection, *, viewer: Viewer, cursor: Cursor, limit: int = 2000
) -> tuple[list[Outgoing], Cursor, bool]:
    """Everything new since ``cursor`` that ``viewer`` may see, the cursor after it, and
    whether more is waiting (a page was full)."""
    out: list[Outgoing] = []
    positions = positions_after(conn, viewer=viewer, after=cursor.positions, limit=limit)
    out.extend(item for _, item in positions)
    reports = report_store.reports_after(conn, viewer=viewer, after=cursor.reports, limit=limit)
    for _, feature in reports:
        event, origin = report_event(feature)
        out.append(Outgoing(event, False, origin))
    violations = violation_store.violations_after(
        conn, viewer=viewer, after=cursor.violations, limit=limit
    )
    out.extend(Outgoing(violation_event(f), False) for _, f in violations)
    after = Cursor(
        positions[-1][0] if positions else cursor.positions,
        reports[-1][0] if reports else cursor.reports,
        violations[-1][0] if violations else cursor.violations,
    )
    more = limit in (len(positions), len(reports), len(violations))
    return out, after, more


def zone_event(feature: dict[str, Any]) -> CotEvent | None:
    """A zone's outer ring as a closed ``u-d-f`` shape (None for an empty geometry)."""
    geometry = feature.get("geometry") or {}
    coordinates = geometry.get("coordinates") or []
    if geometry.get("type") == "MultiPolygon":
        coordinates = coordinates[0] if coordinates else []
    if not coordinates:
        return None
    ring = coordinates[0]
    props = feature["properties"]
    now = datetime.now(UTC)
    event = CotEvent(
        uid=f"zone-{feature['id']}",
        type=SHAPE_TYPE,
        time=now,
        start=now,
        stale=now + MARKER_STALE,
        lat=float(ring[0][1]),
        lon=float(ring[0][0]),
        how="h-e",
        callsign=str(props.get("name")),
        remarks=f"{props.get('kind')} ({props.get('label')})",
        label=props.get("label"),
        links=[{"point": f"{lat},{lon}"} for lon, lat in ring[:500]],
    )
    event.extra = '<strokeColor value="-65536"/><strokeWeight value="3.0"/>'
    return event


def snapshot(conn: Connection, *, viewer: Viewer, mission: str) -> list[Outgoing]:
    """The picture a device gets on connecting: the mission's zones and every unit it may
    see at its latest position."""
    out: list[Outgoing] = []
    for feature in zone_store.list_zones(
        conn, viewer=viewer, mission=mission, at=datetime.now(UTC)
    ):
        event = zone_event(feature)
        if event is not None:
            out.append(Outgoing(event, False))
    for feature in unit_store.list_units(conn, viewer=viewer, mission=mission):
        if feature["geometry"] is None:
            continue
        props = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"]
        attributes = props.get("attributes") or {}
        at = _when(props["position_at"])
        event = CotEvent(
            uid=str(props["id"]),
            type=str(attributes.get("cot_type") or type_for_sidc(str(props["sidc"]))),
            time=at,
            start=at,
            stale=datetime.now(UTC) + SA_STALE,
            lat=float(lat),
            lon=float(lon),
            callsign=str(props["name"]),
            label=props.get("label"),
        )
        out.append(Outgoing(event, True, str(props["id"])))
    return out
