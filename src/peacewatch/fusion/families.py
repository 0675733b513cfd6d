"""Which report kinds can describe the same event, how far apart in metres and seconds, and
the rule that derives an event's credibility from its reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import numpy as np


@dataclass(frozen=True, slots=True)
class Family:
    """Kinds that may report one event, and the largest gaps between them (inclusive)."""

    name: str
    kinds: tuple[str, ...]  # most telling first: an event takes the first of its reports' kinds
    metres: float
    seconds: float


# Gunfire is heard kilometres away and reported minutes apart; a roadblock stays put all day
# but two of them a few hundred metres apart are already two; a crowd moves about a town
# centre for hours. Kinds not listed here (aid deliveries, patrol reports, weapons handed
# in) are records of routine, not of something that happened: they are not fused.
FAMILIES: Final[tuple[Family, ...]] = (
    Family("gunfire", ("armed_clash", "small_arms_fire", "shooting"), 2_500, 20 * 60),
    Family("explosion", ("heavy_weapons_fire", "mine_ied", "explosion"), 3_000, 30 * 60),
    Family("roadblock", ("roadblock",), 300, 24 * 3600),
    Family("demonstration", ("demonstration",), 1_000, 3 * 3600),
    Family(
        "sighting",
        ("heavy_weapons_sighting", "armed_personnel_sighting", "movement_of_forces", "spot"),
        1_000,
        2 * 3600,
    ),
    Family("arson", ("arson",), 500, 6 * 3600),
    Family("intimidation", ("intimidation",), 500, 6 * 3600),
    Family("seizure", ("seizure",), 500, 6 * 3600),
)
FAMILY_OF: Final[dict[str, int]] = {k: i for i, f in enumerate(FAMILIES) for k in f.kinds}
METRES: Final = np.array([f.metres for f in FAMILIES])
SECONDS: Final = np.array([f.seconds for f in FAMILIES])
MAX_METRES: Final = float(METRES.max())
MAX_SECONDS: Final = float(SECONDS.max())
FUSED_KINDS: Final = tuple(FAMILY_OF)
_RANK: Final[dict[str, int]] = {k: r for f in FAMILIES for r, k in enumerate(f.kinds)}


def family_codes(kinds: Iterable[str]) -> np.ndarray:
    """Family index of each kind (-1: not fused)."""
    return np.array([FAMILY_OF.get(k, -1) for k in kinds], dtype=np.int64)


def event_kind(kinds: Iterable[str]) -> str:
    """The kind of an event: the most telling kind among its reports' (armed clash > shooting)."""
    return min(kinds, key=lambda k: _RANK.get(k, 99))


RELIABLE: Final = frozenset("ABC")


def credibility(grades: Iterable[tuple[str | None, str | None]]) -> int:
    """Derived credibility of an event from its reports' (source, grade) pairs.

    Two or more independent sources (distinct named sources) graded A-C make it 1 (confirmed
    by other sources); two or more of any reliability make it at most 2 (probably true);
    otherwise it is the best credibility among its reports (6 when none is graded). Reports
    without a named source never count as independent of each other.
    """
    best, named, reliable = 6, set(), set()
    for source, grade in grades:
        if grade:
            best = min(best, int(grade[1]))
        if source:
            named.add(source)
            if grade and grade[0] in RELIABLE:
                reliable.add(source)
    if len(reliable) >= 2:
        return 1
    if len(named) >= 2:
        return min(best, 2)
    return best
