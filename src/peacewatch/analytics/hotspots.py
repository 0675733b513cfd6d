"""Hotspots: H3 cells where more happened in a window than the cell's own past leads one to
expect, with a Poisson test and the Benjamini–Hochberg correction over every cell tested.

Each visible incident (report, or fused event) of the window and of the ``baseline_weeks``
before it is placed in its H3 cell. A cell's expected count in the window is its baseline rate
times the window's length; half an incident is added to every baseline (a cell with no
history then expects a little, not nothing: one incident in a quiet cell is not a hotspot,
a handful is). The p-value is the Poisson upper tail P(X >= count | expected), summed exactly
in log space; the q-values are Benjamini–Hochberg's over every cell with anything in the
window or its baseline, and a cell is ``significant`` when its q is at most ``alpha``.

Counts are split by the label of what they count (``counts``, window and baseline alike: both
make the figure), so the answer takes the most restrictive of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import h3
import h3.api.basic_int as h3_int
import numpy as np
from sqlalchemy import Connection

from peacewatch.analytics.points import Array, incident_points, latest_seconds, source
from peacewatch.domain.labels import Viewer
from peacewatch.domain.times import rfc3339
from peacewatch.errors import FieldProblem, ValidationFailed

RESOLUTIONS = range(5, 10)
DEFAULT_RESOLUTION = 7
DEFAULT_BASELINE_WEEKS = 8
DEFAULT_WINDOW = timedelta(days=7)
DEFAULT_ALPHA = 0.05
PSEUDO_COUNT = 0.5
WEEK_S = 7 * 86_400.0


@dataclass(frozen=True)
class HotspotParams:
    """What a hotspot computation looks at; the window defaults to the 7 days up to the latest
    visible incident."""

    mission: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    resolution: int = DEFAULT_RESOLUTION
    baseline_weeks: int = DEFAULT_BASELINE_WEEKS
    alpha: float = DEFAULT_ALPHA
    of: str = "reports"
    limit: int = 500

    def check(self) -> None:
        """Raise ValidationFailed naming every parameter at fault."""
        problems = []
        if self.resolution not in RESOLUTIONS:
            problems.append(FieldProblem("resolution", "an H3 resolution from 5 to 9"))
        if not 1 <= self.baseline_weeks <= 104:
            problems.append(FieldProblem("baseline_weeks", "from 1 to 104"))
        if not 0 < self.alpha < 1:
            problems.append(FieldProblem("alpha", "more than 0 and less than 1"))
        if not 1 <= self.limit <= 10_000:
            problems.append(FieldProblem("limit", "from 1 to 10000"))
        if self.start and self.end and self.end <= self.start:
            problems.append(FieldProblem("end", "must be after start"))
        if problems:
            raise ValidationFailed("the hotspot parameters are not valid", problems)
        source(self.of)


def poisson_sf(k: int, mu: float) -> float:
    """P(X >= k) for X ~ Poisson(mu), summed term by term from the pmf at the edge (in log
    space, so neither a large mu nor a large k overflows)."""
    if k <= 0:
        return 1.0
    if mu <= 0:
        return 0.0
    if k > mu:
        # The upper tail: pmf(k) (1 + mu/(k+1) + mu^2/((k+1)(k+2)) + ...), terms shrinking.
        log_edge = -mu + k * math.log(mu) - math.lgamma(k + 1)
        total, term, i = 0.0, 1.0, k
        while term > 1e-17 * total:
            total += term
            i += 1
            term *= mu / i
        return min(1.0, math.exp(log_edge + math.log(total)))
    # k <= mu: 1 - P(X <= k-1), the lower sum taken down from pmf(k-1) (terms shrinking).
    log_edge = -mu + (k - 1) * math.log(mu) - math.lgamma(k)
    total, term, i = 0.0, 1.0, k - 1
    while i >= 0 and term > 1e-17 * total:
        total += term
        term *= i / mu
        i -= 1
    return max(0.0, 1.0 - math.exp(log_edge + math.log(total)))


def benjamini_hochberg(p: Array) -> Array:
    """Benjamini–Hochberg adjusted p-values (q) of ``p``, in the same order."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(q, 1.0)
    return out


def cells_of(lon: Array, lat: Array, resolution: int) -> Array:
    """The H3 cell of each point, as 64-bit integers (``h3.int_to_str`` names them): integers
    sort and count in numpy ten times faster than the cells' strings."""
    cell = h3_int.latlng_to_cell
    out: Array = np.fromiter(
        (cell(a, b, resolution) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)),
        dtype=np.int64,
        count=len(lon),
    )
    return out


@lru_cache(maxsize=65_536)
def cell_polygon(cell: str) -> dict[str, Any]:
    """A cell's hexagon (or pentagon) as a GeoJSON polygon, longitude first, ring closed."""
    ring = [[round(lng, 6), round(lat, 6)] for lat, lng in h3.cell_to_boundary(cell)]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _window(conn: Connection, viewer: Viewer, p: HotspotParams) -> tuple[datetime, datetime]:
    end = p.end
    if end is None and p.start is not None:
        end = p.start + DEFAULT_WINDOW
    if end is None:
        latest = latest_seconds(conn, viewer=viewer, mission=p.mission, of=p.of)
        end = (
            datetime.fromtimestamp(latest, UTC) + timedelta(seconds=1)
            if latest is not None
            else datetime.now(UTC)
        )
    start = p.start or end - DEFAULT_WINDOW
    return start, end


def hotspots(conn: Connection, *, viewer: Viewer, params: HotspotParams) -> dict[str, Any]:
    """The cells with anything in the window, as a GeoJSON FeatureCollection (cell polygons),
    most significant first: count, baseline, expected, ratio, p, q, significant."""
    params.check()
    start, end = _window(conn, viewer, params)
    baseline_start = start - timedelta(weeks=params.baseline_weeks)
    pts = incident_points(
        conn, viewer=viewer, start=baseline_start, end=end, mission=params.mission, of=params.of
    )
    cells = cells_of(pts.lon, pts.lat, params.resolution)
    names, cell_idx = np.unique(cells, return_inverse=True)
    cell_idx = cell_idx.reshape(-1)
    in_window = pts.seconds >= start.timestamp()
    n = len(names)
    observed = np.bincount(cell_idx[in_window], minlength=n)
    baseline = np.bincount(cell_idx[~in_window], minlength=n)
    weeks = (end - start).total_seconds() / WEEK_S
    expected = (baseline + PSEUDO_COUNT) / params.baseline_weeks * weeks
    p = np.array([poisson_sf(int(k), float(mu)) for k, mu in zip(observed, expected, strict=True)])
    q = benjamini_hochberg(p)
    per_label: dict[int, dict[str, int]] = {}
    width = len(pts.markings) or 1
    keys, found = np.unique(cell_idx * width + pts.code, return_counts=True)
    for key, k in zip(keys.tolist(), found.tolist(), strict=True):
        per_label.setdefault(key // width, {})[pts.markings[key % width]] = k
    shown = np.flatnonzero(observed > 0)
    shown = shown[np.lexsort((names[shown], -observed[shown], p[shown]))]
    features = []
    for i in shown[: params.limit].tolist():
        cell = h3.int_to_str(int(names[i]))
        lat, lng = h3.cell_to_latlng(cell)
        features.append(
            {
                "type": "Feature",
                "id": cell,
                "geometry": cell_polygon(cell),
                "properties": {
                    "id": cell,
                    "cell": cell,
                    "centre": [round(lng, 6), round(lat, 6)],
                    "count": int(observed[i]),
                    "baseline": int(baseline[i]),
                    "baseline_per_week": round(float(baseline[i]) / params.baseline_weeks, 3),
                    "expected": round(float(expected[i]), 3),
                    "ratio": round(float(observed[i] / expected[i]), 2),
                    "p": float(f"{p[i]:.4g}"),
                    "q": float(f"{q[i]:.4g}"),
                    "significant": bool(q[i] <= params.alpha),
                    "counts": [
                        {"label": m, "count": c} for m, c in sorted(per_label.get(i, {}).items())
                    ],
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "start": rfc3339(start),
        "end": rfc3339(end),
        "baseline_start": rfc3339(baseline_start),
        "resolution": params.resolution,
        "baseline_weeks": params.baseline_weeks,
        "alpha": params.alpha,
        "of": params.of,
        "mission": params.mission,
        "cells_tested": n,
        "significant": int((q <= params.alpha)[observed > 0].sum()),
        "total": len(shown),
    }


def hotspot_labels(feature: dict[str, Any]) -> list[str]:
    """Every label a hotspot cell was derived from."""
    return [c["label"] for c in feature["properties"]["counts"]]
