"""Writing records other than reports — missions, parties, zones, units, positions, patrols.

Each function validates its input, checks the writer may create a record with that label,
and writes in one transaction. The API, the CLI and the scenario loader all come through here.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import shapely
from sqlalchemy import Connection, select

from peacewatch.domain.dtg import parse_time
from peacewatch.domain.errors import DomainError
from peacewatch.domain.geometry import geometry_from_geojson, validate_lonlat
from peacewatch.domain.labels import Label, Viewer, validate_release_code
from peacewatch.domain.sidc import parse_sidc
from peacewatch.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peacewatch.ingest.validate import authorised_label
from peacewatch.store import Store, audit, reference
from peacewatch.store import patrols as patrol_store
from peacewatch.store import units as unit_store
from peacewatch.store import zones as zone_store
from peacewatch.store.label_filter import intern_label, known_release_codes
from peacewatch.store.tables import missions, patrols, units, zones

ZONE_KINDS = (
    "boundary", "sector", "air_safety_zone", "ground_safety_zone", "buffer", "cantonment_site",
    "border_crossing", "restricted_area", "assembly_area", "area_of_responsibility",
    "withdrawal_zone",
)  # fmt: skip
PATROL_STATUSES = ("planned", "under_way", "completed", "cancelled")

T = TypeVar("T")


class _Checker:
    """Collects field problems so that one response names every field at fault."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def __call__(self, name: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            self.problems.append(FieldProblem(exc.field or name, exc.message))
        except (TypeError, ValueError, KeyError) as exc:
            self.problems.append(FieldProblem(name, str(exc) or "invalid value"))
        return None

    def require(self, data: dict[str, Any], name: str) -> Any:
        value = data.get(name)
        if value is None or value == "":
            self.problems.append(FieldProblem(name, "is required"))
        return value

    def done(self, what: str) -> None:
        if self.problems:
            raise ValidationFailed(f"the {what} is not valid", self.problems)


def _time(value: Any, name: str, *, required: bool = True) -> datetime | None:
    if value is None or value == "":
        if required:
            raise DomainError(f"{name} is required", field=name)
        return None
    return parse_time(value, field=name)


def _geometry(value: Any, name: str) -> shapely.Geometry:
    if isinstance(value, shapely.Geometry):
        return value
    if not isinstance(value, dict):
        raise DomainError(f"{name} must be a GeoJSON geometry object", field=name)
    return geometry_from_geojson(value, field=name)


def _label(conn: Connection, store: Store, viewer: Viewer, value: Any, default: Label) -> int:
    label = authorised_label(
        value, viewer=viewer, release_codes=known_release_codes(conn), default=default
    )
    return intern_label(conn, label, store.label_cache)


def _mission(conn: Connection, code: Any) -> tuple[int, Label]:
    found = reference.mission_id(conn, code) if isinstance(code, str) else None
    if found is None:
        raise ValidationFailed(
            f"mission {code!r} does not exist", [FieldProblem("mission", "unknown mission")]
        )
    return found, reference.default_labels(conn, [found])[found]


def _unique(conn: Connection, table: Any, column: str, value: str, what: str) -> None:
    if conn.execute(select(table.c.id).where(table.c[column] == value)).first() is not None:
        raise Conflict(
            f"a {what} with {column} {value!r} exists already",
            [FieldProblem(column, "already exists")],
        )


def add_nations(store: Store, rows: Sequence[dict[str, str]]) -> int:
    """Register nations and communities (code, name, kind)."""
    check = _Checker()
    for i, row in enumerate(rows):
        check(f"nations[{i}].code", validate_release_code, row.get("code", ""))
        if row.get("kind") not in ("nation", "community"):
            check.problems.append(FieldProblem(f"nations[{i}].kind", "must be nation or community"))
    check.done("nation list")
    with store.write() as conn:
        return reference.upsert_nations(conn, rows)


def add_mission(store: Store, *, viewer: Viewer, data: dict[str, Any]) -> str:
    """Create a mission; returns its code."""
    check = _Checker()
    code = check.require(data, "code")
    name = check.require(data, "name")
    start = check("start", lambda: _time(data.get("start"), "start"))
    end = check("end", lambda: _time(data.get("end"), "end", required=False))
    default = check("default_label", lambda: Label.parse(str(data.get("default_label") or "")))
    aoi = check("aoi", lambda: _geometry(data["aoi"], "aoi")) if data.get("aoi") else None
    check.done("mission")
    assert default is not None and start is not None
    now = datetime.now(UTC)
    with store.write() as conn:
        _unique(conn, missions, "code", code, "mission")
        default_id = _label_or_fail(conn, store, viewer, default, default)
        label_id = _label_or_fail(conn, store, viewer, data.get("label"), default)
        reference.add_mission(
            conn, code=code, name=name, start_at=start, end_at=end, default_label_id=default_id,
            label_id=label_id, created_by=viewer.name, created_at=now,
            mandate=data.get("mandate"), aoi=aoi, source=data.get("source"),
            attributes=data.get("attributes") or {},
        )  # fmt: skip
        audit.append(conn, actor=viewer.name, action="mission.create", target=str(code))
    return str(code)


def _label_or_fail(
    conn: Connection, store: Store, viewer: Viewer, value: Any, default: Label
) -> int:
    try:
        return _label(conn, store, viewer, value, default)
    except DomainError as exc:
        raise ValidationFailed(
            exc.message, [FieldProblem(exc.field or "label", exc.message)]
        ) from None


def add_party(store: Store, *, viewer: Viewer, data: dict[str, Any]) -> str:
    """Create a party of a mission; returns its code."""
    check = _Checker()
    code = check.require(data, "code")
    name = check.require(data, "name")
    mission = check.require(data, "mission")
    check.done("party")
    with store.write() as conn:
        mission_id, default = _mission(conn, mission)
        if code in reference.party_ids(conn, mission_id):
            raise Conflict(
                f"party {code!r} exists already", [FieldProblem("code", "already exists")]
            )
        label_id = _label_or_fail(conn, store, viewer, data.get("label"), default)
        reference.add_party(
            conn, mission_id=mission_id, code=code, name=name, label_id=label_id,
            created_by=viewer.name, created_at=datetime.now(UTC),
            description=data.get("description"), source=data.get("source"),
        )  # fmt: skip
        audit.append(conn, actor=viewer.name, action="party.create", target=f"{mission}/{code}")
    return str(code)


def add_zone(store: Store, *, viewer: Viewer, data: dict[str, Any]) -> str:
    """Create a zone from a dict (``geometry`` as shapely or GeoJSON); returns its uid."""
    check = _Checker()
    name = check.require(data, "name")
    mission = check.require(data, "mission")
    kind = data.get("kind")
    if kind not in ZONE_KINDS:
        check.problems.append(
            FieldProblem(
                "kind", f"unknown zone kind {kind!r}; expected one of {', '.join(ZONE_KINDS)}"
            )
        )
    geometry = check("geometry", lambda: _geometry(data.get("geometry"), "geometry"))
    if geometry is not None and geometry.geom_type not in ("Polygon", "MultiPolygon"):
        check.problems.append(FieldProblem("geometry", "a zone must be a Polygon or MultiPolygon"))
    valid_from = check(
        "valid_from", lambda: _time(data.get("valid_from"), "valid_from", required=False)
    )
    valid_to = check("valid_to", lambda: _time(data.get("valid_to"), "valid_to", required=False))
    if valid_from and valid_to and valid_to <= valid_from:
        check.problems.append(FieldProblem("valid_to", "must be after valid_from"))
    for name_ in ("rules", "attributes"):
        if data.get(name_) is not None and not isinstance(data[name_], dict):
            check.problems.append(FieldProblem(name_, "must be an object"))
    check.done("zone")
    uid = str(data.get("uid") or uuidlib.uuid4())
    with store.write() as conn:
        mission_id, default = _mission(conn, mission)
        _unique(conn, zones, "uid", uid, "zone")
        label_id = _label_or_fail(conn, store, viewer, data.get("label"), default)
        zone_store.add_zone(
            conn, uid=uid, mission_id=mission_id, name=name, kind=str(kind), geometry=geometry,
            label_id=label_id, created_by=viewer.name, created_at=datetime.now(UTC),
            valid_from=valid_from, valid_to=valid_to, rules=data.get("rules"),
            source=data.get("source"), attributes=data.get("attributes"),
        )  # fmt: skip
        audit.append(conn, actor=viewer.name, action="zone.create", target=uid)
    return uid


def add_unit(store: Store, *, viewer: Viewer, data: dict[str, Any]) -> str:
    """Create a unit (with an APP-6 / 2525 SIDC); returns its uid."""
    check = _Checker()
    name = check.require(data, "name")
    mission = check.require(data, "mission")
    sidc = check("sidc", lambda: parse_sidc(str(data.get("sidc") or "")).code)
    check.done("unit")
    uid = str(data.get("uid") or uuidlib.uuid4())
    with store.write() as conn:
        mission_id, default = _mission(conn, mission)
        _unique(conn, units, "uid", uid, "unit")
        party = data.get("party")
        party_id = None
        if party:
            party_id = reference.party_ids(conn, mission_id).get(party)
            if party_id is None:
                raise ValidationFailed(
                    f"unknown party {party!r}", [FieldProblem("party", "unknown party")]
                )
        label_id = _label_or_fail(conn, store, viewer, data.get("label"), default)
        unit_store.add_unit(
            conn, uid=uid, mission_id=mission_id, name=name, sidc=str(sidc), label_id=label_id,
            created_by=viewer.name, created_at=datetime.now(UTC), nation=data.get("nation"),
            party_id=party_id, echelon=data.get("echelon"), source=data.get("source"),
            synthetic=bool(data.get("synthetic", False)), attributes=data.get("attributes"),
        )  # fmt: skip
        audit.append(conn, actor=viewer.name, action="unit.create", target=uid)
    return uid


def add_positions(store: Store, *, viewer: Viewer, positions: Sequence[dict[str, Any]]) -> int:
    """Append unit positions ({unit_uid, observed_at, lon, lat, label?, source?})."""
    check = _Checker()
    parsed: list[dict[str, Any]] = []
    for i, p in enumerate(positions):
        t: datetime | None
        ll: tuple[float, float] | None
        try:  # the common case, without making each field's name (TAK's hot path)
            t = _time(p.get("observed_at"), "observed_at")
            ll = validate_lonlat(p.get("lon"), p.get("lat"))
        except (DomainError, TypeError, ValueError, KeyError):
            t = check(f"positions[{i}].observed_at", _time, p.get("observed_at"), "observed_at")
            ll = check(
                f"positions[{i}]",
                validate_lonlat,
                p.get("lon"),
                p.get("lat"),
                field_prefix=f"positions[{i}].",
            )
        parsed.append({"p": p, "t": t, "ll": ll})
    check.done("position list")
    now = datetime.now(UTC)
    with store.write() as conn:
        ids = unit_store.unit_ids(conn, sorted({str(p["unit_uid"]) for p in positions}))
        missing = sorted({str(p["unit_uid"]) for p in positions} - set(ids))
        if missing:
            raise NotFound(
                f"unknown unit(s): {', '.join(missing[:5])}",
                [FieldProblem("unit_uid", "unknown unit")],
            )
        mission_default = _unit_defaults(conn, list(ids.values()))
        rows = []
        labels_seen: dict[Any, int] = {}
        for item in parsed:
            p = item["p"]
            key = p.get("label")
            if key not in labels_seen:
                labels_seen[key] = _label_or_fail(
                    conn, store, viewer, key, mission_default[ids[str(p["unit_uid"])]]
                )
            rows.append({
                "unit_id": ids[str(p["unit_uid"])], "observed_at": item["t"],
                "lon": item["ll"][0], "lat": item["ll"][1], "source": p.get("source"),
                "synthetic": bool(p.get("synthetic", False)), "label_id": labels_seen[key],
                "created_by": viewer.name, "created_at": now,
            })  # fmt: skip
        added = unit_store.add_positions(conn, rows)
        store.written(conn, "positions", rows)
        audit.append(
            conn,
            actor=viewer.name,
            action="positions.add",
            target=",".join(sorted(ids)[:20]),
            detail={"positions": added},
        )
        return added


def _unit_defaults(conn: Connection, unit_ids: list[int]) -> dict[int, Label]:
    """The default label of each unit's mission, by unit id."""
    unit_mission = dict(
        conn.execute(select(units.c.id, units.c.mission_id).where(units.c.id.in_(unit_ids))).all()
    )
    defaults = reference.default_labels(conn, set(unit_mission.values()))
    return {int(unit): defaults[mission] for unit, mission in unit_mission.items()}


def add_patrol(store: Store, *, viewer: Viewer, data: dict[str, Any]) -> str:
    """Create a patrol, optionally with its track ({"track": [[lon, lat, time], …]})."""
    return add_patrols(store, viewer=viewer, items=[data])[0]


def add_patrols(store: Store, *, viewer: Viewer, items: Sequence[dict[str, Any]]) -> list[str]:
    """Create several patrols in one transaction; all are validated before any is written."""
    check = _Checker()
    parsed: list[dict[str, Any]] = []
    for i, data in enumerate(items):
        prefix = f"patrols[{i}]." if len(items) > 1 else ""
        for required in ("name", "mission"):
            if not data.get(required):
                check.problems.append(FieldProblem(prefix + required, "is required"))
        start = check(prefix + "start", _time, data.get("start"), "start")
        end = check(prefix + "end", _time, data.get("end"), "end", required=False)
        status = data.get("status") or ("completed" if data.get("track") else "planned")
        if status not in PATROL_STATUSES:
            check.problems.append(
                FieldProblem(prefix + "status", f"must be one of {', '.join(PATROL_STATUSES)}")
            )
        track = check(prefix + "track", _track, data["track"]) if data.get("track") else None
        parsed.append({"data": data, "start": start, "end": end, "status": status, "track": track,
                       "uid": str(data.get("uid") or uuidlib.uuid4())})  # fmt: skip
    check.done("patrol")
    now = datetime.now(UTC)
    with store.write() as conn:
        missions_seen: dict[str, tuple[int, Label]] = {}
        labels_seen: dict[Any, int] = {}
        unit_map = unit_store.unit_ids(
            conn, sorted({str(p["data"]["unit"]) for p in parsed if p["data"].get("unit")})
        )
        for p in parsed:
            data = p["data"]
            if data["mission"] not in missions_seen:
                missions_seen[data["mission"]] = _mission(conn, data["mission"])
            mission_id, default = missions_seen[data["mission"]]
            _unique(conn, patrols, "uid", p["uid"], "patrol")
            unit_id = None
            if data.get("unit"):
                unit_id = unit_map.get(str(data["unit"]))
                if unit_id is None:
                    raise ValidationFailed("unknown unit", [FieldProblem("unit", "unknown unit")])
            key = (data.get("label"), data["mission"])
            if key not in labels_seen:
                labels_seen[key] = _label_or_fail(conn, store, viewer, data.get("label"), default)
            label_id = labels_seen[key]
            patrol_id = patrol_store.add_patrol(
                conn, uid=p["uid"], mission_id=mission_id, name=data["name"], start_at=p["start"],
                label_id=label_id, created_by=viewer.name, created_at=now, unit_id=unit_id,
                end_at=p["end"], status=p["status"], synthetic=bool(data.get("synthetic", False)),
                attributes=data.get("attributes"),
            )  # fmt: skip
            if p["track"] is not None:
                patrol_store.add_track(
                    conn, patrol_id=patrol_id, line=p["track"][0], times=p["track"][1],
                    label_id=label_id, created_by=viewer.name, created_at=now,
                )  # fmt: skip
        audit.append(
            conn,
            actor=viewer.name,
            action="patrols.add",
            detail={"patrols": [p["uid"] for p in parsed][:100], "count": len(parsed)},
        )
    return [p["uid"] for p in parsed]


def _track(points: Any) -> tuple[shapely.LineString, list[datetime]]:
    if not isinstance(points, list) or len(points) < 2:
        raise DomainError(
            "track must be a list of at least two [lon, lat, time] points", field="track"
        )
    coords: list[tuple[float, float]] = []
    times: list[datetime] = []
    for i, point in enumerate(points):
        if not isinstance(point, list | tuple) or len(point) != 3:
            raise DomainError(f"track[{i}] must be [lon, lat, time]", field=f"track[{i}]")
        coords.append(validate_lonlat(point[0], point[1], field_prefix=f"track[{i}]."))
        t = _time(point[2], f"track[{i}].time")
        assert t is not None
        times.append(t)
    return shapely.LineString(coords), times
