"""The judging core: observations against rules, vectorised (shapely 2 STRtree, numpy).

A rule is one version of an obligation applied to one version of one of its zones, in force
over the intersection of both validities: [start, end) in epoch seconds. An observation
breaches a rule when its point intersects the zone (a point on the zone's edge is in it: the
clauses say "within"), its time is in [start, end) (a report exactly at a deadline is judged
under the rule that starts then), its party is bound, and what it shows meets what the rule
prohibits. Nothing here touches the database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray


@dataclass(frozen=True)
class Rule:
    """One obligation version in one zone version."""

    obligation_id: int
    code: str
    zone_id: int
    parties: frozenset[int]  # party ids bound
    prohibited: int  # category bits
    start: float  # epoch seconds, inclusive
    end: float  # epoch seconds, exclusive (inf: open)
    geometry: shapely.Geometry
    obligation_label: int
    zone_label: int


@dataclass
class Observations:
    """Columns of observations to judge: lon, lat, time (epoch s), party id (0: none), and the
    category bits each shows."""

    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    t: NDArray[np.float64]
    party: NDArray[np.int64]
    shows: NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.lon.size)


class RuleSet:
    """Rules indexed for judging many observations at once."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        geoms = np.array([r.geometry for r in self.rules], dtype=object)
        shapely.prepare(geoms)
        self.tree = shapely.STRtree(geoms)
        self.start = np.array([r.start for r in self.rules], dtype=np.float64)
        self.end = np.array([r.end for r in self.rules], dtype=np.float64)
        self.prohibited = np.array([r.prohibited for r in self.rules], dtype=np.int64)
        parties = sorted({p for r in self.rules for p in r.parties})
        self._party_bit = {p: 1 << i for i, p in enumerate(parties[:62])}
        self.bound = np.array(
            [sum(self._party_bit.get(p, 0) for p in r.parties) for r in self.rules], dtype=np.int64
        )
        self.any_prohibited = int(np.bitwise_or.reduce(self.prohibited)) if self.rules else 0

    def __len__(self) -> int:
        return len(self.rules)

    def party_bits(self, party: NDArray[np.int64]) -> NDArray[np.int64]:
        """Each observation's party as the bit the rules use (0: a party no rule binds)."""
        lookup = self._party_bit
        return np.fromiter((lookup.get(int(p), 0) for p in party), dtype=np.int64, count=party.size)

    def breaches(self, obs: Observations) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """(observation index, rule index) of every breach, in observation order."""
        empty = np.empty(0, dtype=np.intp)
        if not self.rules or len(obs) == 0:
            return empty, empty
        bits = self.party_bits(obs.party)
        # Only observations that could breach anything go to the spatial index.
        maybe = np.flatnonzero((bits != 0) & ((obs.shows & self.any_prohibited) != 0))
        if maybe.size == 0:
            return empty, empty
        points = shapely.points(obs.lon[maybe], obs.lat[maybe])
        hit, rule = self.tree.query(points, predicate="intersects")
        idx = maybe[hit]
        t = obs.t[idx]
        keep = (
            (t >= self.start[rule])
            & (t < self.end[rule])
            & ((bits[idx] & self.bound[rule]) != 0)
            & ((obs.shows[idx] & self.prohibited[rule]) != 0)
        )
        idx, rule = idx[keep], rule[keep]
        order = np.lexsort((rule, idx))
        return idx[order], rule[order]


def epoch(value: object) -> float:
    """Epoch seconds of an aware datetime; +inf for None (an open end)."""
    if value is None:
        return math.inf
    return float(value.timestamp())  # type: ignore[attr-defined]
