"""Patrol coverage: for each town, zone and sector, when a patrol last passed, how many patrols
passed in a window, and how much happened there; and the coverage gaps, ranked by a score
whose every term is shown.

A town is patrolled when a patrol track passes within ``radius_m`` of it, and an incident
(a report, or a fused event) counts for it within the same distance; a zone or sector is
patrolled when a track enters it, and counts the incidents inside it. Distances are in metres
in one UTM projection for the whole picture (pyproj), matched with shapely STRtrees over every
track segment and incident at once. The last patrol is looked for over the window and at
least the 90 days before its end (the staleness term stops growing at 30). Everything counted
went through the label filter, and the counts of each row are split by the label of what
they count (``counts``), as the dashboards' are: combining REL GBR with REL NATO would make
a label nobody could see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import pyproj
import shapely
from sqlalchemy import Connection, func, select

from peacewatch.domain.geometry import WGS84, utm_crs_for
from peacewatch.domain.labels import Label, Viewer, most_restrictive
from peacewatch.domain.times import rfc3339
from peacewatch.errors import FieldProblem, NotFound, ValidationFailed
from peacewatch.store.label_filter import visible
from peacewatch.store.reference import mission_row
from peacewatch.store.tables import (
    events,
    labels,
    patrol_tracks,
    patrols,
    places,
    reports,
    zones,
)

RADIUS_M = 2000.0
DEFAULT_DAYS = 30
KINDS = ("town", "sector", "zone")
INCIDENT_SOURCES = ("reports", "events")
# Zones that are the whole area (Kosovo, the area of responsibility): every patrol covers them.
WHOLE_AREA = frozenset({"boundary", "area_of_responsibility"})
# score = incidents x 1 + patrols x -1 + days since the last patrol x 0.5 (at most 30 days:
# never patrolled counts as 30). Each term is returned with the score.
WEIGHTS = {"incidents": 1.0, "patrols": -1.0, "staleness_per_day": 0.5}
STALE_CAP_DAYS = 30.0
LOOKBACK_DAYS = 90
Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Params:
    """What a coverage computation looks at."""

    mission: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    radius_m: float = RADIUS_M
    of: str = "reports"
    kinds: tuple[str, ...] = KINDS

    def check(self) -> None:
        """Raise ValidationFailed naming every parameter at fault."""
        problems = []
        if not 0 < self.radius_m <= 50_000:
            problems.append(FieldProblem("radius_m", "must be more than 0 and at most 50000"))
        if self.of not in INCIDENT_SOURCES:
            problems.append(FieldProblem("of", f"one of {', '.join(INCIDENT_SOURCES)}"))
        for kind in self.kinds:
            if kind not in KINDS:
                problems.append(FieldProblem("kind", f"{kind!r} is not one of {', '.join(KINDS)}"))
        if self.start and self.end and self.end <= self.start:
            problems.append(FieldProblem("end", "must be after start"))
        if problems:
            raise ValidationFailed("the coverage parameters are not valid", problems)


@dataclass
class _Targets:
    """Towns and zones, with their local (metric) geometries."""

    ids: list[str]
    kinds: list[str]
    names: list[str]
    extra: list[dict[str, Any]]
    wgs84: Array  # shapely geometries, lon/lat
    local: Array  # the same in metres
    is_town: Array  # bool
    crs: pyproj.CRS | None  # the UTM zone of their centre


@lru_cache(maxsize=16)
def _transformer(crs: pyproj.CRS) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)


def _to_local(geoms: Array, crs: pyproj.CRS) -> Array:
    out: Array = shapely.transform(geoms, _transformer(crs).transform, interleaved=False)
    return out


def _window(conn: Connection, viewer: Viewer, mission_id: int | None, p: Params) -> Params:
    """The window asked for; by default the 30 days up to the latest visible report."""
    end = p.end
    if end is None:
        query = select(func.max(reports.c.observed_at)).where(visible(reports, viewer))
        if mission_id is not None:
            query = query.where(reports.c.mission_id == mission_id)
        latest = conn.execute(query).scalar()
        end = (latest + timedelta(seconds=1)) if latest is not None else datetime.now(UTC)
    start = p.start or end - timedelta(days=DEFAULT_DAYS)
    if end <= start:
        raise ValidationFailed("end must be after start", [FieldProblem("end", "after start")])
    return Params(p.mission, start, end, p.radius_m, p.of, p.kinds)


def _targets(
    conn: Connection, viewer: Viewer, mission_id: int | None, aoi: Any, p: Params
) -> _Targets:
    ids: list[str] = []
    kinds: list[str] = []
    names: list[str] = []
    extra: list[dict[str, Any]] = []
    geoms: list[Any] = []
    if "town" in p.kinds:
        rows = conn.execute(select(places).order_by(places.c.id)).all()
        if rows:
            lon = np.array([r.lon for r in rows])
            lat = np.array([r.lat for r in rows])
            inside = shapely.contains_xy(aoi, lon, lat) if aoi is not None else lon == lon
            for r, ok in zip(rows, inside.tolist(), strict=True):
                if ok:
                    ids.append(f"town:{r.id}")
                    kinds.append("town")
                    names.append(r.name)
                    extra.append({"label": None, "population": r.population})
                    geoms.append(shapely.Point(r.lon, r.lat))
    wanted = [k for k in p.kinds if k != "town"]
    if wanted:
        query = (
            select(zones, labels.c.marking.label("label"))
            .join(labels, labels.c.id == zones.c.label_id)
            .where(visible(zones, viewer))
            .where((zones.c.valid_from.is_(None)) | (zones.c.valid_from < p.end))
            .where((zones.c.valid_to.is_(None)) | (zones.c.valid_to > p.start))
            .order_by(zones.c.id)
        )
        if mission_id is not None:
            query = query.where(zones.c.mission_id == mission_id)
        for r in conn.execute(query):
            if r.kind in WHOLE_AREA:
                continue
            kind = "sector" if r.kind == "sector" else "zone"
            if kind in wanted and r.geometry.geom_type in ("Polygon", "MultiPolygon"):
                ids.append(f"zone:{r.uid}")
                kinds.append(kind)
                names.append(r.name)
                extra.append({"label": r.label, "zone_kind": r.kind})
                geoms.append(r.geometry)
    wgs84 = np.array(geoms, dtype=object)
    if len(geoms):
        lon0, lat0, lon1, lat1 = shapely.total_bounds(wgs84).tolist()
        crs = utm_crs_for((lon0 + lon1) / 2, (lat0 + lat1) / 2)
        local = _to_local(wgs84, crs)
    else:
        crs, local = None, wgs84
    return _Targets(ids, kinds, names, extra, wgs84, local, np.array(kinds) == "town", crs)


def _epoch(times: list[str]) -> Array:
    """Seconds since 1970 of ISO 8601 times (parsed at once when all are UTC, as stored)."""
    naive = [t[:-6] if t.endswith("+00:00") else t[:-1] if t.endswith("Z") else "" for t in times]
    if all(naive):
        out: Array = np.array(naive, dtype="datetime64[us]").astype(np.int64) / 1e6
        return out
    return np.array([datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp() for t in times])


def _ts(value: datetime) -> float:
    return value.timestamp()


def _marks(conn: Connection, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = conn.execute(select(labels.c.id, labels.c.marking).where(labels.c.id.in_(sorted(ids))))
    return {int(i): str(m) for i, m in rows}


def _stricter(a: str, b: str) -> str:
    return a if a == b else most_restrictive([Label.parse(a), Label.parse(b)]).marking


def _zone_passes(
    zone: Any, tree: shapely.STRtree, segments: Array, ax: Array, ay: Array, bx: Array, by: Array
) -> tuple[Array, Array]:
    """The segments that enter ``zone`` and the fraction of each at which it was last inside.

    A segment enters when an end is inside (point-in-polygon on a prepared zone: cheap), or
    when it crosses the boundary with both ends outside — only segments near a boundary edge
    can, so only those are intersected exactly (testing every segment of a year against a
    sector costs seconds)."""
    shapely.prepare(zone)
    near = tree.query(zone)  # by bounding box
    a_in = shapely.intersects_xy(zone, ax[near], ay[near])
    b_in = shapely.intersects_xy(zone, bx[near], by[near])
    ring = shapely.get_coordinates(shapely.boundary(zone), return_index=False)
    edges = shapely.linestrings(np.stack([ring[:-1], ring[1:]], axis=1))
    touching = np.unique(tree.query(edges)[1])
    outside = near[~(a_in | b_in)]
    maybe = np.intersect1d(outside, touching)
    crossing = maybe[shapely.intersects(zone, segments[maybe])]
    seg_i = np.concatenate([near[a_in | b_in], crossing])
    leave = np.ones(len(seg_i))
    exits = np.flatnonzero(~np.concatenate([b_in[a_in | b_in], np.zeros(len(crossing), bool)]))
    if len(exits):
        # The segment leaves the zone: the last point of its part inside.
        cut = shapely.intersection(segments[seg_i[exits]], zone)
        pts, which = shapely.get_coordinates(cut, return_index=True)
        frac = shapely.line_locate_point(
            segments[seg_i[exits]][which], shapely.points(pts), normalized=True
        )
        last = np.zeros(len(exits))
        np.maximum.at(last, which, frac)
        leave[exits] = last
    return seg_i, leave


def _since(p: Params) -> datetime:
    """How far back a last patrol is looked for: the window, and at least ``LOOKBACK_DAYS``
    (the staleness term stops growing long before that)."""
    assert p.start is not None and p.end is not None
    return min(p.start, p.end - timedelta(days=LOOKBACK_DAYS))


def _passes(
    conn: Connection, viewer: Viewer, mission_id: int | None, t: _Targets, p: Params, crs: Any
) -> tuple[Array, Array, Array, Array, list[str]]:
    """Every pass of a visible track near a target, before the window's end and since
    ``_since``: (target index,
    patrol id, time of the pass, index of its marking, the markings). A pass's time is the
    last instant the track was within the radius of a town (exactly, on each straight
    segment) or inside a zone; its marking the stricter of the track's and the patrol's."""
    assert p.end is not None
    query = (
        select(
            patrol_tracks.c.geometry,
            patrol_tracks.c.times,
            patrols.c.id,
            patrol_tracks.c.label_id,
            patrols.c.label_id.label("patrol_label_id"),
        )
        .join(patrols, patrols.c.id == patrol_tracks.c.patrol_id)
        .where(visible(patrol_tracks, viewer), visible(patrols, viewer))
        .where(patrol_tracks.c.start_at < p.end, patrol_tracks.c.end_at >= _since(p))
    )
    if mission_id is not None:
        query = query.where(patrols.c.mission_id == mission_id)
    rows = conn.execute(query).all()
    none = np.zeros(0, dtype=np.int64)
    if not rows or not len(t.ids):
        return none, none, np.zeros(0), none, []
    lines = np.array([r[0] for r in rows], dtype=object)
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    seconds = _epoch([time for r in rows for time in r[1]])
    x, y = _transformer(crs).transform(coords[:, 0], coords[:, 1])
    inner = np.flatnonzero(owner[1:] == owner[:-1])  # vertex i and i+1 make a segment
    ax, ay, bx, by = x[inner], y[inner], x[inner + 1], y[inner + 1]
    t0, t1, seg_owner = seconds[inner], seconds[inner + 1], owner[inner]
    segments = shapely.linestrings(np.stack([np.c_[ax, ay], np.c_[bx, by]], axis=1))
    # One tree over the segments, queried with each town or zone: a zone's polygon, which
    # may have thousands of vertices, is then prepared once, not once per segment.
    tree = shapely.STRtree(segments)
    out_t, out_seg, out_time = [], [], []
    town_idx = np.flatnonzero(t.is_town)
    if len(town_idx):
        ti, seg_i = tree.query(t.local[town_idx], predicate="dwithin", distance=p.radius_m)
        target = town_idx[ti]
        px, py = shapely.get_x(t.local[target]), shapely.get_y(t.local[target])
        dx, dy = bx[seg_i] - ax[seg_i], by[seg_i] - ay[seg_i]
        length = np.hypot(dx, dy)
        safe = np.where(length > 0, length, 1.0)
        along = ((px - ax[seg_i]) * dx + (py - ay[seg_i]) * dy) / safe
        across2 = np.maximum((px - ax[seg_i]) ** 2 + (py - ay[seg_i]) ** 2 - along**2, 0.0)
        half = np.sqrt(np.maximum(p.radius_m**2 - across2, 0.0))
        leave = np.where(length > 0, np.clip((along + half) / safe, 0.0, 1.0), 1.0)
        out_t.append(target)
        out_seg.append(seg_i)
        out_time.append(t0[seg_i] + leave * (t1[seg_i] - t0[seg_i]))
    for i in np.flatnonzero(~t.is_town).tolist():
        seg_i, leave = _zone_passes(t.local[i], tree, segments, ax, ay, bx, by)
        out_t.append(np.full(len(seg_i), i))
        out_seg.append(seg_i)
        out_time.append(t0[seg_i] + leave * (t1[seg_i] - t0[seg_i]))
    target = np.concatenate(out_t)
    seg = np.concatenate(out_seg)
    when = np.concatenate(out_time)
    keep = when < _ts(p.end)
    target, track, when = target[keep], seg_owner[seg[keep]], when[keep]
    patrol_ids = np.array([r[2] for r in rows], dtype=np.int64)
    pairs = [(int(r[3]), int(r[4])) for r in rows]
    found = {pair: None for pair in pairs}
    marks = _marks(conn, {i for pair in found for i in pair})
    markings = sorted({_stricter(marks[a], marks[b]) for a, b in found})
    code = {pair: markings.index(_stricter(marks[pair[0]], marks[pair[1]])) for pair in found}
    track_code = np.array([code[pair] for pair in pairs], dtype=np.int64)
    return target, patrol_ids[track], when, track_code[track], markings


def _incidents(
    conn: Connection, viewer: Viewer, mission_id: int | None, t: _Targets, p: Params, crs: Any
) -> tuple[Array, Array, list[str]]:
    """Every visible incident in the window near or in a target: (target index, index of
    its marking, the markings)."""
    table, observed = (
        (reports, reports.c.observed_at)
        if p.of == "reports"
        else (events, events.c.first_observed_at)
    )
    query = select(table.c.lon, table.c.lat, table.c.label_id).where(
        visible(table, viewer), observed >= p.start, observed < p.end
    )
    if mission_id is not None:
        query = query.where(table.c.mission_id == mission_id)
    rows = conn.execute(query).all()
    if not rows or not len(t.ids):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), []
    lon, lat, label_ids = (np.array(column) for column in zip(*rows, strict=True))
    x, y = _transformer(crs).transform(lon.astype(float), lat.astype(float))
    points = shapely.points(x, y)
    tree = shapely.STRtree(points)  # queried with each town or (prepared once) zone
    out_t, out_p = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    town_idx = np.flatnonzero(t.is_town)
    if len(town_idx):
        ti, pt = tree.query(t.local[town_idx], predicate="dwithin", distance=p.radius_m)
        out_t.append(town_idx[ti])
        out_p.append(pt)
    for i in np.flatnonzero(~t.is_town).tolist():
        shapely.prepare(t.local[i])
        near = tree.query(t.local[i])  # by bounding box, then point in (prepared) polygon
        pt = near[shapely.intersects_xy(t.local[i], x[near], y[near])]
        out_t.append(np.full(len(pt), i))
        out_p.append(pt)
    target, point = np.concatenate(out_t), np.concatenate(out_p)
    ids, code = np.unique(label_ids, return_inverse=True)
    marks = _marks(conn, set(ids.tolist()))
    return target, code[point], [marks[i] for i in ids.tolist()]


def coverage(conn: Connection, *, viewer: Viewer, params: Params) -> dict[str, Any]:
    """Every town, zone and sector with its incidents, patrols, last patrol and gap score, as
    a GeoJSON FeatureCollection (points: a town, or a point inside the zone)."""
    params.check()
    mission_id, aoi = None, None
    if params.mission is not None:
        row = mission_row(conn, viewer=viewer, code=params.mission)
        if row is None:
            raise NotFound(f"no mission {params.mission}")
        mission_id, aoi = int(row.id), row.aoi
    p = _window(conn, viewer, mission_id, params)
    assert p.start is not None and p.end is not None
    t = _targets(conn, viewer, mission_id, aoi, p)
    crs = t.crs
    n = len(t.ids)
    target, patrol_ids, when, pass_code, pass_markings = _passes(
        conn, viewer, mission_id, t, p, crs
    )
    inc_target, inc_code, inc_markings = _incidents(conn, viewer, mission_id, t, p, crs)
    last = np.full(n, -np.inf)
    np.maximum.at(last, target, when)
    counts: list[dict[str, dict[str, int]]] = [{} for _ in range(n)]
    # Patrols in the window: each (target, patrol) once, under its pass's marking.
    inside = when >= _ts(p.start)
    width = int(patrol_ids.max(initial=0)) + 1
    _, first = np.unique(target[inside] * width + patrol_ids[inside], return_index=True)
    per_code = len(pass_markings) or 1
    keys = target[inside][first] * per_code + pass_code[inside][first]
    found_keys, found_counts = np.unique(keys, return_counts=True)
    for key, k in zip(found_keys.tolist(), found_counts.tolist(), strict=True):
        mark = pass_markings[key % per_code]
        counts[key // per_code].setdefault(mark, {"incidents": 0, "patrols": 0})["patrols"] += k
    # The last pass is derived from too (it may be before the window): its label is counted.
    order = np.lexsort((when, target))
    final = order[np.r_[target[order][1:] != target[order][:-1], True]] if len(order) else order
    for k in final.tolist():
        mark = pass_markings[int(pass_code[k])]
        counts[int(target[k])].setdefault(mark, {"incidents": 0, "patrols": 0})
    per_code = len(inc_markings) or 1
    found_keys, found_counts = np.unique(inc_target * per_code + inc_code, return_counts=True)
    for key, k in zip(found_keys.tolist(), found_counts.tolist(), strict=True):
        mark = inc_markings[key % per_code]
        counts[key // per_code].setdefault(mark, {"incidents": 0, "patrols": 0})["incidents"] += k
    end_ts = _ts(p.end)
    features = []
    for i in range(n):
        incidents = sum(c["incidents"] for c in counts[i].values())
        run = sum(c["patrols"] for c in counts[i].values())
        lastp = None if np.isinf(last[i]) else float(last[i])
        since = None if lastp is None else round((end_ts - lastp) / 86_400, 2)
        terms = {
            "incidents": round(WEIGHTS["incidents"] * incidents, 2),
            "patrols": round(WEIGHTS["patrols"] * run, 2) + 0.0,  # not -0.0
            # Never patrolled (within the lookback) counts as the cap; 0 days is 0.
            "staleness": round(
                WEIGHTS["staleness_per_day"]
                * (STALE_CAP_DAYS if since is None else min(STALE_CAP_DAYS, since)),
                2,
            ),
        }
        point = t.wgs84[i] if t.is_town[i] else shapely.point_on_surface(t.wgs84[i])
        properties = {
            "id": t.ids[i],
            "kind": t.kinds[i],
            "name": t.names[i],
            **t.extra[i],
            "incidents": incidents,
            "patrols": run,
            "last_patrolled": None
            if lastp is None
            else rfc3339(datetime.fromtimestamp(round(lastp), UTC)),
            "days_since_patrol": since,
            "score": round(sum(terms.values()), 2),
            "terms": terms,
            "counts": [{"label": m, **c} for m, c in sorted(counts[i].items())],
        }
        features.append(
            {
                "type": "Feature",
                "id": t.ids[i],
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(point.x, 6), round(point.y, 6)],
                },
                "properties": properties,
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "start": rfc3339(p.start),
        "end": rfc3339(p.end),
        "radius_m": p.radius_m,
        "of": p.of,
        "weights": {**WEIGHTS, "staleness_cap_days": STALE_CAP_DAYS},
        "mission": p.mission,
    }


def _point(point: shapely.Point) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(point.x, 6), round(point.y, 6)]}


def gaps(conn: Connection, *, viewer: Viewer, params: Params, limit: int = 20) -> dict[str, Any]:
    """The coverage rows where something happened, highest score first (ties: more
    incidents, then name), each with its ``rank``."""
    body = coverage(conn, viewer=viewer, params=params)
    rows = [f for f in body["features"] if f["properties"]["incidents"] > 0]
    rows.sort(key=lambda f: (-f["properties"]["score"], -f["properties"]["incidents"], f["id"]))
    for rank, feature in enumerate(rows[:limit], start=1):
        feature["properties"]["rank"] = rank
    return {**body, "features": rows[:limit], "total": len(rows)}


def gap_labels(feature: dict[str, Any]) -> list[str]:
    """Every label a gap row was derived from (its zone's and those of what it counts)."""
    props = feature["properties"]
    found = [c["label"] for c in props["counts"]]
    if props.get("label"):
        found.append(props["label"])
    return found
