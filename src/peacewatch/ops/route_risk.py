"""Route risk: how much recent violence and non-compliance lies along a convoy's route.

Each visible event or open violation within ``distance_m`` of the route (measured in metres
in the route's UTM zone, never in degrees) contributes

    score = kind weight x grade weight x 0.5 ** (age / half-life)

where age is counted back from the moment the risk is computed for, and nothing older than
``lookback_h`` or newer than that moment counts. A contribution is placed on the route
segment (``segment_m`` long, 1 km by default) nearest to it, so the map can colour the route
by segment; each is explained (distance, position along the route, every weight).

Distance is a cut-off, not a weight: an ambush 4 km off the road matters as much as one on
it, since convoys stop, detour and are reached from the hills. The weights are a planning
aid stated in the open (``KIND_WEIGHTS`` …), not a prediction.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import pyproj
import shapely
from shapely.ops import substring

from peacewatch.domain.geometry import utm_crs_for
from peacewatch.domain.times import rfc3339
from peacewatch.store.convoys import BBox, Candidates


@dataclass(frozen=True)
class RiskParams:
    """The knobs of route risk, each stated in every answer."""

    distance_m: float = 5000.0  # cut-off from the route
    half_life_h: float = 72.0  # a report three days old counts half
    lookback_h: float = 30 * 24.0  # older than this counts nothing
    segment_m: float = 1000.0  # the route is scored in pieces this long


# Report kinds of fused events: how much each threatens a convoy on the road.
KIND_WEIGHTS: dict[str, float] = {
    "armed_clash": 1.0, "heavy_weapons_fire": 1.0, "mine_ied": 1.0, "explosion": 0.9,
    "small_arms_fire": 0.8, "shooting": 0.8, "roadblock": 0.7, "intimidation": 0.5,
    "heavy_weapons_sighting": 0.5, "arson": 0.4, "armed_personnel_sighting": 0.4,
    "movement_of_forces": 0.3, "demonstration": 0.3, "spot": 0.2, "seizure": 0.2,
    "patrol_report": 0.05, "aid_delivery": 0.0, "weapons_handed_in": 0.0,
}  # fmt: skip
OTHER_KIND_WEIGHT = 0.1
# Violations by what was seen: armed presence where the agreement forbids it.
VIOLATION_WEIGHTS: dict[str, float] = {"heavy_weapons": 1.0}
OTHER_VIOLATION_WEIGHT = 0.8
# Admiralty information credibility 1 (confirmed) … 5 (improbable), 6 (cannot be judged).
CREDIBILITY_WEIGHTS = {1: 1.0, 2: 0.8, 3: 0.6, 4: 0.4, 5: 0.2, 6: 0.5}
# Source reliability A (completely reliable) … E (unreliable), F (cannot be judged).
RELIABILITY_WEIGHTS = {"A": 1.0, "B": 0.9, "C": 0.75, "D": 0.5, "E": 0.3, "F": 0.6}
UNKNOWN_GRADE_WEIGHT = RELIABILITY_WEIGHTS["F"] * CREDIBILITY_WEIGHTS[6]


@lru_cache(maxsize=64)
def _transformers(crs: pyproj.CRS) -> tuple[pyproj.Transformer, pyproj.Transformer]:
    forward = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    inverse = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return forward, inverse


def local_crs(route: shapely.Geometry) -> pyproj.CRS:
    """The metric CRS distances along ``route`` are measured in (its UTM zone)."""
    centre = route.centroid
    return utm_crs_for(centre.x, centre.y)


def project(
    crs: pyproj.CRS, lon: np.ndarray[Any, Any], lat: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Points (as a shapely array) in ``crs``, from lon/lat arrays."""
    x, y = _transformers(crs)[0].transform(lon, lat)
    points: np.ndarray[Any, Any] = shapely.points(np.asarray(x), np.asarray(y))
    return points


def to_local(geom: shapely.Geometry, crs: pyproj.CRS) -> shapely.Geometry:
    """A lon/lat geometry in ``crs``."""
    forward = _transformers(crs)[0]
    return shapely.transform(geom, forward.transform, interleaved=False)


def search_box(route: shapely.Geometry, metres: float) -> BBox:
    """The route's bounds grown by at least ``metres`` on every side (a pre-filter for SQL;
    distances are then measured exactly)."""
    min_lon, min_lat, max_lon, max_lat = shapely.bounds(route).tolist()
    dlat = metres / 110_540.0 * 1.05
    widest = min(max(abs(min_lat), abs(max_lat)) + dlat, 89.0)
    dlon = metres / (111_320.0 * math.cos(math.radians(widest))) * 1.05
    return min_lon - dlon, min_lat - dlat, max_lon + dlon, max_lat + dlat


def grade_weight(source: str, grade: str | None, state: str | None) -> tuple[float, str]:
    """The weight of what is known of an item's truth, and why."""
    if source == "event":
        credibility = int(grade.rsplit(" ", 1)[1]) if grade else 6
        return CREDIBILITY_WEIGHTS.get(credibility, 0.5), f"event credibility {credibility}"
    if state == "confirmed":
        return 1.0, "violation confirmed by a compliance officer"
    if grade and len(grade) == 2 and grade[0] in RELIABILITY_WEIGHTS and grade[1].isdigit():
        weight = RELIABILITY_WEIGHTS[grade[0]] * CREDIBILITY_WEIGHTS.get(int(grade[1]), 0.5)
        return weight, f"suspected; evidence graded {grade}"
    return UNKNOWN_GRADE_WEIGHT, "suspected; evidence not graded or not visible (as F6)"


def kind_weight(source: str, kind: str) -> float:
    """How much a kind of event, or category of violation, threatens a convoy."""
    if source == "event":
        return KIND_WEIGHTS.get(kind, OTHER_KIND_WEIGHT)
    return VIOLATION_WEIGHTS.get(kind, OTHER_VIOLATION_WEIGHT)


@dataclass
class Scored:
    """Route risk at one moment: the total, per segment, and each contribution."""

    total: float
    segments: list[dict[str, Any]]
    contributions: list[dict[str, Any]]


def score_route(
    route: shapely.LineString,
    items: Candidates,
    *,
    at: datetime,
    params: RiskParams | None = None,
    crs: pyproj.CRS | None = None,
) -> Scored:
    """Score ``items`` against ``route`` (lon/lat) as of ``at``."""
    params = params or RiskParams()
    crs = crs or local_crs(route)
    line = to_local(route, crs)
    length = float(line.length)
    count = max(1, math.ceil(length / params.segment_m))
    segment_risk: np.ndarray[Any, Any] = np.zeros(count)
    contributions: list[dict[str, Any]] = []
    if items.size:
        points = project(crs, items.lon, items.lat)
        distance = shapely.distance(line, points)
        t = np.array([o.timestamp() for o in items.observed], dtype=np.float64)
        age_h = (at.timestamp() - t) / 3600.0
        keep = (distance <= params.distance_m) & (age_h >= 0) & (age_h <= params.lookback_h)
        index = np.flatnonzero(keep)
        along = shapely.line_locate_point(line, points[index])
        segment = np.minimum((along // params.segment_m).astype(np.int64), count - 1)
        decay = 0.5 ** (age_h[index] / params.half_life_h)
        kinds = np.array([kind_weight(items.source[i], items.kinds[i]) for i in index])
        grades = [grade_weight(items.source[i], items.grades[i], items.states[i]) for i in index]
        grade_w = np.array([g for g, _ in grades])
        scores = kinds * grade_w * decay
        segment_risk = np.bincount(segment, weights=scores, minlength=count)[:count]
        for n, i in enumerate(index.tolist()):
            contributions.append(
                {
                    "source": items.source[i],
                    "id": items.ids[i],
                    "kind": items.kinds[i],
                    "observed_at": rfc3339(items.observed[i]),
                    "age_h": round(float(age_h[i]), 2),
                    "distance_m": round(float(distance[i]), 1),
                    "km": round(float(along[n]) / 1000.0, 3),
                    "segment": int(segment[n]),
                    "weights": {
                        "kind": float(kinds[n]),
                        "grade": round(float(grade_w[n]), 4),
                        "decay": round(float(decay[n]), 4),
                    },
                    "why": grades[n][1],
                    "score": round(float(scores[n]), 4),
                    "label": items.labels[i],
                }
            )
        contributions.sort(key=lambda c: (-c["score"], c["id"]))
    return Scored(
        total=round(float(segment_risk.sum()), 4),
        segments=_segments(line, crs, segment_risk, params.segment_m),
        contributions=contributions,
    )


def _segments(
    line: shapely.LineString, crs: pyproj.CRS, risk: np.ndarray[Any, Any], step: float
) -> list[dict[str, Any]]:
    length = float(line.length)
    pieces = [substring(line, i * step, min((i + 1) * step, length)) for i in range(len(risk))]
    inverse = _transformers(crs)[1]
    back = shapely.transform(np.array(pieces, dtype=object), inverse.transform, interleaved=False)
    out = []
    for i, geom in enumerate(back.tolist()):
        km = (min((i + 1) * step, length) - i * step) / 1000.0
        out.append(
            {
                "type": "Feature",
                "id": i,
                "geometry": shapely.geometry.mapping(geom),
                "properties": {
                    "segment": i,
                    "km_from": round(i * step / 1000.0, 3),
                    "km_to": round(min((i + 1) * step, length) / 1000.0, 3),
                    "risk": round(float(risk[i]), 4),
                    "per_km": round(float(risk[i]) / km, 4) if km > 0 else 0.0,
                },
            }
        )
    return out


def window(at: datetime, since: datetime | None, params: RiskParams) -> tuple[datetime, datetime]:
    """The observation window the candidates must come from (a departure before ``at`` may
    need its own look-back)."""
    first = min(at, since) if since is not None else at
    return first - timedelta(hours=params.lookback_h), at


def params_dict(params: RiskParams) -> dict[str, Any]:
    """The parameters as stated in an answer."""
    return asdict(params)
