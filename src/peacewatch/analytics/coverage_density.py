"""Patrol presence against incident density on the H3 grid, and the cells most under-covered.

ops/coverage.py answers "when was this town, zone or sector last patrolled"; this answers
"where does what happens outrun the patrolling", cell by cell over the whole area. Each
visible track of a visible patrol is cut into pieces of at most half a cell's edge (in metres,
in the UTM zone of the tracks), each piece timed by interpolating the track's vertex times
and placed in the cell of its midpoint. A cell's presence is then the kilometres patrolled in
it during the window, the distinct patrols and the distinct patrol-days (one patrol on one UTC
day) that passed through it. Its incidents are the visible reports (or fused events) in it.

A cell is under-covered when its incidents per patrol-day, ``incidents / (1 + patrol_days)``,
is high; it is ranked among the cells where anything happened, with its share of the window's
incidents and of its patrol-days beside it (``gap`` is the first minus the second).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import h3
import numpy as np
import pyproj
import shapely
from sqlalchemy import Connection, select

from peacewatch.analytics.hotspots import RESOLUTIONS, cell_polygon, cells_of
from peacewatch.analytics.points import Array, incident_points, latest_seconds, source, stricter
from peacewatch.domain.geometry import WGS84, utm_crs_for
from peacewatch.domain.labels import Viewer
from peacewatch.domain.times import rfc3339
from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.store.label_filter import visible
from peacewatch.store.stats import markings_of, of_mission
from peacewatch.store.tables import patrol_tracks, patrols

DEFAULT_DAYS = 30
DEFAULT_RESOLUTION = 7


@dataclass(frozen=True)
class DensityParams:
    """What the comparison looks at; the window defaults to the 30 days up to the latest
    visible incident."""

    mission: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    resolution: int = DEFAULT_RESOLUTION
    of: str = "reports"
    limit: int = 20

    def check(self) -> None:
        """Raise ValidationFailed naming every parameter at fault."""
        problems = []
        if self.resolution not in RESOLUTIONS:
            problems.append(FieldProblem("resolution", "an H3 resolution from 5 to 9"))
        if not 1 <= self.limit <= 500:
            problems.append(FieldProblem("limit", "from 1 to 500"))
        if self.start and self.end and self.end <= self.start:
            problems.append(FieldProblem("end", "must be after start"))
        if problems:
            raise ValidationFailed("the coverage parameters are not valid", problems)
        source(self.of)


@dataclass(frozen=True)
class Pieces:
    """Pieces of patrol tracks in the window: cell (H3, as an integer), patrol, UTC day,
    metres, label code."""

    cell: Array
    patrol: Array
    day: Array
    metres: Array
    code: Array
    markings: list[str]


@lru_cache(maxsize=16)
def _transformer(crs: pyproj.CRS) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)


def _epoch(times: list[str]) -> Array:
    """Seconds since 1970 of ISO 8601 times (parsed at once when all are UTC, as stored)."""
    naive = [t[:-6] if t.endswith("+00:00") else t[:-1] if t.endswith("Z") else "" for t in times]
    if all(naive):
        out: Array = np.array(naive, dtype="datetime64[us]").astype(np.int64) / 1e6
        return out
    return np.array([datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp() for t in times])


def track_pieces(
    conn: Connection,
    *,
    viewer: Viewer,
    start: datetime,
    end: datetime,
    resolution: int,
    mission: str | None = None,
) -> Pieces:
    """Every visible track of a visible patrol, cut into timed pieces of at most half an H3
    edge, those timed in [start, end), each placed in its midpoint's cell."""
    query = (
        select(
            patrol_tracks.c.geometry,
            patrol_tracks.c.times,
            patrols.c.id,
            patrol_tracks.c.label_id,
            patrols.c.label_id,
        )
        .join(patrols, patrols.c.id == patrol_tracks.c.patrol_id)
        .where(visible(patrol_tracks, viewer), visible(patrols, viewer))
        .where(patrol_tracks.c.start_at < end, patrol_tracks.c.end_at >= start)
        .where(*of_mission(patrols.c.mission_id, mission))
    )
    rows = conn.execute(query).all()
    none = np.zeros(0, dtype=np.int64)
    if not rows:
        return Pieces(none, none, none, np.zeros(0), none, [])
    lines = np.array([r[0] for r in rows], dtype=object)
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    seconds = _epoch([t for r in rows for t in r[1]])
    lon0, lat0, lon1, lat1 = shapely.total_bounds(lines).tolist()
    to_local = _transformer(utm_crs_for((lon0 + lon1) / 2, (lat0 + lat1) / 2))
    x, y = to_local.transform(coords[:, 0], coords[:, 1])
    seg = np.flatnonzero(owner[1:] == owner[:-1])  # vertex i and i+1 make a segment
    length = np.hypot(x[seg + 1] - x[seg], y[seg + 1] - y[seg])
    step = h3.average_hexagon_edge_length(resolution, "m") / 2
    parts = np.maximum(1, np.ceil(length / step)).astype(np.int64)
    which = np.repeat(np.arange(len(seg)), parts)  # the segment of each piece
    first = np.cumsum(parts) - parts
    frac = (np.arange(len(which)) - first[which] + 0.5) / parts[which]
    a, b = seg[which], seg[which] + 1
    mx = x[a] + frac * (x[b] - x[a])
    my = y[a] + frac * (y[b] - y[a])
    when = seconds[a] + frac * (seconds[b] - seconds[a])
    keep = (when >= start.timestamp()) & (when < end.timestamp())
    lon, lat = to_local.transform(mx[keep], my[keep], direction="INVERSE")
    track = owner[a][keep]
    pairs = [(int(r[3]), int(r[4])) for r in rows]
    marks = markings_of(conn, {i for pair in pairs for i in pair})
    markings = sorted({stricter(marks[t], marks[p]) for t, p in pairs})
    track_code = np.array([markings.index(stricter(marks[t], marks[p])) for t, p in pairs])
    return Pieces(
        cells_of(np.asarray(lon), np.asarray(lat), resolution),
        np.array([r[2] for r in rows], dtype=np.int64)[track],
        (when[keep] // 86_400).astype(np.int64),
        (length[which] / parts[which])[keep],
        track_code[track].astype(np.int64),
        markings,
    )


def _window(conn: Connection, viewer: Viewer, p: DensityParams) -> tuple[datetime, datetime]:
    end = p.end
    if end is None:
        latest = latest_seconds(conn, viewer=viewer, mission=p.mission, of=p.of)
        end = (
            datetime.fromtimestamp(latest, UTC) + timedelta(seconds=1)
            if latest is not None
            else datetime.now(UTC)
        )
    return p.start or end - timedelta(days=DEFAULT_DAYS), end


def coverage_density(conn: Connection, *, viewer: Viewer, params: DensityParams) -> dict[str, Any]:
    """Every cell with incidents or patrol presence in the window (a GeoJSON FeatureCollection
    of cell polygons) and ``under_covered``: the cells with incidents, most incidents per
    patrol-day first, each with its ``rank``."""
    params.check()
    start, end = _window(conn, viewer, params)
    pts = incident_points(
        conn, viewer=viewer, start=start, end=end, mission=params.mission, of=params.of
    )
    inc_cells = cells_of(pts.lon, pts.lat, params.resolution)
    pieces = track_pieces(
        conn,
        viewer=viewer,
        start=start,
        end=end,
        resolution=params.resolution,
        mission=params.mission,
    )
    cells: dict[str, dict[str, Any]] = {}
    labels: dict[str, dict[str, dict[str, int]]] = {}

    def cell(name: str) -> dict[str, Any]:
        blank = {"incidents": 0, "patrols": 0, "patrol_days": 0, "km": 0.0}
        return cells.setdefault(name, blank)

    def count(name: str, marking: str, what: str, n: int) -> None:
        entry = labels.setdefault(name, {}).setdefault(marking, {"incidents": 0, "patrol_days": 0})
        entry[what] += n

    if len(inc_cells):
        names, at = np.unique(inc_cells, return_inverse=True)
        width = len(pts.markings)
        keys, n = np.unique(at.reshape(-1) * width + pts.code, return_counts=True)
        for key, k in zip(keys.tolist(), n.tolist(), strict=True):
            name = h3.int_to_str(int(names[key // width]))
            cell(name)["incidents"] += k
            count(name, pts.markings[key % width], "incidents", k)
    if len(pieces.cell):
        names, at = np.unique(pieces.cell, return_inverse=True)
        at = at.reshape(-1)
        km = np.bincount(at, weights=pieces.metres, minlength=len(names)) / 1000
        width = int(pieces.patrol.max()) + 1
        _, first = np.unique(at * width + pieces.patrol, return_index=True)
        patrols_in = np.bincount(at[first], minlength=len(names))
        days = int(pieces.day.max()) + 1
        visit = (at * width + pieces.patrol) * days + pieces.day
        _, first = np.unique(visit, return_index=True)
        visits = np.bincount(at[first], minlength=len(names))
        named = [h3.int_to_str(c) for c in names.tolist()]
        for i, name in enumerate(named):
            entry = cell(name)
            entry.update(patrols=int(patrols_in[i]), patrol_days=int(visits[i]))
            entry["km"] = round(float(km[i]), 3)
        for i in first.tolist():  # each patrol-day under the label of the track that made it
            count(named[at[i]], pieces.markings[int(pieces.code[i])], "patrol_days", 1)
    total_incidents = sum(c["incidents"] for c in cells.values()) or 1
    total_days = sum(c["patrol_days"] for c in cells.values()) or 1
    features: list[dict[str, Any]] = []
    for name in sorted(cells):
        c = cells[name]
        c["incidents_per_patrol_day"] = round(c["incidents"] / (1 + c["patrol_days"]), 3)
        c["incident_share"] = round(c["incidents"] / total_incidents, 4)
        c["patrol_share"] = round(c["patrol_days"] / total_days, 4)
        c["gap"] = round(c["incident_share"] - c["patrol_share"], 4)
        counts = [{"label": m, **v} for m, v in sorted(labels.get(name, {}).items())]
        features.append(
            {
                "type": "Feature",
                "id": name,
                "geometry": cell_polygon(name),
                "properties": {"id": name, "cell": name, **c, "counts": counts},
            }
        )
    ranked = [f for f in features if f["properties"]["incidents"] > 0]
    ranked.sort(
        key=lambda f: (
            -f["properties"]["incidents_per_patrol_day"],
            -f["properties"]["incidents"],
            f["id"],
        )
    )
    under: list[dict[str, Any]] = []
    for rank, f in enumerate(ranked[: params.limit], start=1):
        f["properties"]["rank"] = rank
        props = f["properties"]
        under.append(
            {
                "rank": rank,
                "cell": f["id"],
                "centre": [round(v, 6) for v in reversed(h3.cell_to_latlng(f["id"]))],
                **{
                    k: props[k]
                    for k in ("incidents", "patrol_days", "km", "incidents_per_patrol_day", "gap")
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "under_covered": under,
        "start": rfc3339(start),
        "end": rfc3339(end),
        "resolution": params.resolution,
        "of": params.of,
        "mission": params.mission,
    }


def density_labels(feature: dict[str, Any]) -> list[str]:
    """Every label a cell's figures were derived from."""
    return [c["label"] for c in feature["properties"]["counts"]]
