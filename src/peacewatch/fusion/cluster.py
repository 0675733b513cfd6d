"""The clustering both the incremental hook and the bulk re-run use.

Distances are metres on an equirectangular approximation: one degree of latitude is
111,195 m (spherical Earth, R = 6,371,008.8 m) and a degree of longitude that times the cosine
of the report's own latitude. At the thresholds used here (at most 3 km) its error against
the ellipsoid is well under 1 % (a few metres), which is finer than any report's position.

Reports are taken in time order; each joins the nearest open cluster of its group (mission
and kind family) whose representative point (the mean of its reports) lies within the
family's distance and whose [first, last] span is within the family's time gap, or starts a
new one. The pass is sequential because each decision depends on the clusters made before it;
everything around it is numpy, and candidates come from a grid of cells one threshold wide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from peacewatch.fusion.families import METRES, SECONDS

M_PER_DEG = 6_371_008.8 * math.pi / 180
_SLACK = 1 + 1e-9  # a report exactly at the threshold joins, whatever the rounding

Array = np.ndarray[Any, Any]


@dataclass
class Clusters:
    """Open clusters: the seeds (existing events) first, then those the pass creates."""

    group: list[int] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    first: list[float] = field(default_factory=list)
    last: list[float] = field(default_factory=list)
    count: list[int] = field(default_factory=list)

    def add(self, group: int, lon: float, lat: float, first: float, last: float, n: int) -> int:
        """Append a cluster; returns its index."""
        self.group.append(group)
        self.lon.append(lon)
        self.lat.append(lat)
        self.first.append(first)
        self.last.append(last)
        self.count.append(n)
        return len(self.group) - 1


def group_of(mission: Array, family: Array) -> Array:
    """Group code: reports fuse only within one mission and one kind family (-1: never)."""
    return np.where(family < 0, -1, mission.astype(np.int64) * 64 + family)


def assign(
    t: Array, lon: Array, lat: Array, group: Array, seeds: Clusters | None = None
) -> tuple[Array, Clusters]:
    """Cluster index of each report (-1 when not fused), and the clusters (seeds first)."""
    clusters = seeds if seeds is not None else Clusters()
    out = np.full(len(t), -1, dtype=np.int64)
    lat_all = np.concatenate([np.abs(lat), np.abs(np.asarray(clusters.lat, dtype=float))])
    # Cells are at least one threshold wide everywhere: sized at the highest latitude seen.
    cos_min = math.cos(math.radians(min(float(lat_all.max(initial=0.0)), 89.0)))
    grid: dict[tuple[int, int, int], list[int]] = {}
    fam = np.where(group < 0, 0, group % 64)
    width = METRES[fam]

    def cell(g: int, x: float, y: float, w: float) -> tuple[int, int, int]:
        return g, math.floor(y * M_PER_DEG / w), math.floor(x * M_PER_DEG * cos_min / w)

    home: dict[int, tuple[int, int, int]] = {}
    for c, g in enumerate(clusters.group):
        home[c] = cell(g, clusters.lon[c], clusters.lat[c], float(METRES[g % 64]))
        grid.setdefault(home[c], []).append(c)
    order = np.argsort(t, kind="stable")
    live = order[group[order] >= 0]
    for i, ti, x, y, g, w, gap in zip(
        live.tolist(),
        t[live].tolist(),
        lon[live].tolist(),
        lat[live].tolist(),
        group[live].tolist(),
        width[live].tolist(),
        SECONDS[fam[live]].tolist(),
        strict=True,
    ):
        key = cell(g, x, y, w)
        best = _nearest(clusters, grid, key, ti, x, y, w, gap)
        if best < 0:
            best = clusters.add(g, x, y, ti, ti, 1)
            home[best] = key
            grid.setdefault(key, []).append(best)
        else:
            _join(clusters, grid, home, best, ti, x, y, w, cell)
        out[i] = best
    return out, clusters


def _nearest(
    c: Clusters,
    grid: dict[tuple[int, int, int], list[int]],
    key: tuple[int, int, int],
    t: float,
    x: float,
    y: float,
    w: float,
    gap: float,
) -> int:
    """The nearest open cluster within the thresholds, or -1."""
    g, ky, kx = key
    kx_m = M_PER_DEG * math.cos(math.radians(y))
    best, best_d2 = -1, (w * _SLACK) ** 2
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            members = grid.get((g, ky + dy, kx + dx))
            if not members:
                continue
            stale = False
            for j in members:
                if t > c.last[j] + gap:
                    stale = True  # reports come in time order: it will never be open again
                    continue
                if t < c.first[j] - gap:
                    continue
                ex, ey = (x - c.lon[j]) * kx_m, (y - c.lat[j]) * M_PER_DEG
                d2 = ex * ex + ey * ey
                if d2 <= best_d2:
                    best, best_d2 = j, d2
            if stale:
                members[:] = [j for j in members if t <= c.last[j] + gap]
    return best


def _moved(c: Clusters, j: int, x: float, y: float) -> tuple[float, float]:
    n = c.count[j] + 1
    return c.lon[j] + (x - c.lon[j]) / n, c.lat[j] + (y - c.lat[j]) / n


def _join(
    c: Clusters,
    grid: dict[tuple[int, int, int], list[int]],
    home: dict[int, tuple[int, int, int]],
    j: int,
    t: float,
    x: float,
    y: float,
    w: float,
    cell: Any,
) -> None:
    """Add a report to cluster ``j``: its mean point moves, its span grows, its cell follows."""
    c.lon[j], c.lat[j] = _moved(c, j, x, y)
    c.count[j] += 1
    c.first[j] = min(c.first[j], t)
    c.last[j] = max(c.last[j], t)
    new_key = cell(c.group[j], c.lon[j], c.lat[j], w)
    if home[j] != new_key:
        grid[home[j]].remove(j)
        grid.setdefault(new_key, []).append(j)
        home[j] = new_key
