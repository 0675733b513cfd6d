"""Ground truth for measuring the clustering: generated events, each reported several times
with realistic noise, among unrelated reports nearby; and pairwise precision, recall and F1."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from peacewatch.fusion.cluster import M_PER_DEG
from peacewatch.fusion.families import FAMILIES

Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Truth:
    """Generated reports (in no particular order) and the true event of each."""

    t: Array  # seconds
    lon: Array
    lat: Array
    kind: list[str]
    family: Array
    event: Array  # true event id; an unrelated report is an event of its own


def generate(events: int, *, seed: int = 5, noise_reports: float = 0.5, days: int = 30) -> Truth:
    """``events`` true events over ``days`` in central Kosovo, 1-6 reports each (time noise up
    to 60 % of the family's gap, place noise with sigma 25 % of its distance, kind drawn within
    the family), plus ``noise_reports`` unrelated single reports per event."""
    rng = np.random.default_rng(seed)
    singles = int(events * noise_reports)
    total_events = events + singles
    fam = rng.integers(0, len(FAMILIES), total_events)
    size = np.where(np.arange(total_events) < events, 1 + rng.poisson(1.8, total_events), 1)
    size = np.minimum(size, 6)
    centre_lon = rng.uniform(20.6, 21.4, total_events)
    centre_lat = rng.uniform(42.3, 42.9, total_events)
    start = rng.uniform(0, days * 86400, total_events)
    event = np.repeat(np.arange(total_events), size)
    f = fam[event]
    metres = np.array([FAMILIES[i].metres for i in f])
    seconds = np.array([FAMILIES[i].seconds for i in f])
    n = len(event)
    lat = centre_lat[event] + rng.normal(0, 0.25, n) * metres / M_PER_DEG
    scale = M_PER_DEG * np.cos(np.radians(lat))
    lon = centre_lon[event] + rng.normal(0, 0.25, n) * metres / scale
    t = start[event] + rng.uniform(0, 0.6, n) * seconds
    pick = rng.random(n)
    kind = [
        FAMILIES[i].kinds[int(k * len(FAMILIES[i].kinds))] for i, k in zip(f, pick, strict=True)
    ]
    return Truth(t, lon, lat, kind, f, event)


def pairwise(truth: Array, found: Array) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of the clusters ``found`` against ``truth`` labels."""

    def pairs(*keys: Array) -> int:
        _, counts = np.unique(np.stack(keys), axis=1, return_counts=True)
        return int((counts * (counts - 1) // 2).sum())

    both, said, true = pairs(truth, found), pairs(found), pairs(truth)
    precision = both / said if said else 1.0
    recall = both / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Metres between two points on the same approximation the clustering uses."""
    dx = (lon2 - lon1) * M_PER_DEG * math.cos(math.radians(lat1))
    return math.hypot(dx, (lat2 - lat1) * M_PER_DEG)
