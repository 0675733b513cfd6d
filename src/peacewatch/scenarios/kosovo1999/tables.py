"""The catalogue and the world turned into numpy lookup tables, built once per process."""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Final

import numpy as np
from numpy.typing import NDArray

from peacewatch.scenarios.kosovo1999 import catalogue as cat
from peacewatch.scenarios.kosovo1999.catalogue import FLARE_UPS, KINDS
from peacewatch.scenarios.kosovo1999.facts import MISSION_END, MISSION_START
from peacewatch.scenarios.kosovo1999.world import world

__all__ = ["DAYS", "KIND_INDEX", "SPAN_S", "Tables", "cumulative", "pick", "tables"]

SPAN_S: Final = int((MISSION_END - MISSION_START) / timedelta(seconds=1))
DAYS: Final = SPAN_S // 86_400
KIND_INDEX: Final = {name: index for index, name in enumerate(KINDS)}

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
ObjectArray = NDArray[np.object_]
# A template as literal text and field names: "About {crowd} people" -> [("About ", "crowd"), ...]
TemplateParts = tuple[tuple[str, str | None], ...]


def cumulative(weights: list[float] | tuple[float, ...] | FloatArray) -> FloatArray:
    """Normalised cumulative weights whose last entry is just above 1."""
    array = np.cumsum(np.asarray(weights, dtype=float))
    array /= array[-1]
    array[-1] = 1.0 + 1e-12  # a uniform draw in [0, 1) always lands inside the table
    return array


def pick(table: FloatArray, u: FloatArray) -> IntArray:
    """Inverse-CDF draw: `table` is (k,) or one (n, k) row per draw, `u` is (n,) in [0, 1)."""
    if table.ndim == 1:
        return np.asarray(np.searchsorted(table, u, side="right"), dtype=np.int64)
    return np.asarray((u[:, None] >= table).sum(axis=1), dtype=np.int64)


def _objects(items: list[str] | tuple[str, ...]) -> ObjectArray:
    array = np.empty(len(items), dtype=object)
    array[:] = list(items)
    return array


@dataclass(frozen=True)
class Tables:
    """Lookup tables for one process (independent of the seed)."""

    day_cdf: FloatArray
    kind_cum: FloatArray  # (2 regimes: before/after demilitarisation, kinds)
    source_cum: FloatArray  # (kinds, sources)
    zone_source_cum: FloatArray
    grade_cum: FloatArray  # (sources, max grades)
    grade_names: ObjectArray  # (sources, max grades)
    source_names: ObjectArray  # (sources, sectors)
    label_cum: FloatArray
    label_names: ObjectArray  # (labels, sectors)
    bucket_edges: FloatArray  # violation | flare-up 1..F | background
    flare_town: IntArray
    flare_sector: IntArray
    flare_day0: IntArray
    flare_days: IntArray
    flare_kinds: IntArray  # (flare-ups, max kinds), padded
    flare_kind_count: IntArray
    flare_ids: ObjectArray
    kinds: ObjectArray
    titles: ObjectArray
    templates: tuple[tuple[TemplateParts, ...], ...]  # per kind, per variant
    vocabulary: dict[str, ObjectArray]
    party_vocabulary: dict[str, tuple[ObjectArray, IntArray]]  # (parties, max words), lengths
    compass: ObjectArray
    town_names: ObjectArray
    sector_uids: ObjectArray


def _parts(template: str) -> TemplateParts:
    return tuple((literal, field) for literal, field, _, _ in string.Formatter().parse(template))


@cache
def tables() -> Tables:
    """The tables, built on first use."""
    w = world()
    day = np.arange(DAYS)
    weekday = (MISSION_START.weekday() + day) % 7
    # Weekly rhythm (Friday/Saturday busier, Sunday quieter) on a decay from the first months.
    rhythm = np.array([1.0, 0.97, 0.97, 1.0, 1.08, 1.15, 0.83])[weekday]
    trend = 0.45 + 1.6 * np.exp(-day / 75.0)
    n_sources = len(cat.REPORT_SOURCES)
    source_weights = np.zeros((len(KINDS), n_sources))
    for kind, pairs in cat.KIND_SOURCES.items():
        for source, weight in pairs:
            source_weights[KIND_INDEX[kind], source] = weight
    zone_weights = np.zeros(n_sources)
    for source, weight in cat.ZONE_SOURCES:
        zone_weights[source] = weight
    max_grades = max(len(grades) for _, grades in cat.REPORT_SOURCES)
    grade_cum = np.full((n_sources, max_grades), 2.0)
    grade_names = np.full((n_sources, max_grades), "", dtype=object)
    for index, (_, grades) in enumerate(cat.REPORT_SOURCES):
        grade_cum[index, : len(grades)] = cumulative([weight for _, weight in grades])
        grade_names[index, : len(grades)] = [grade for grade, _ in grades]
    source_names = np.array(
        [[p.format(short=s) for s in w.sector_shorts] for p, _ in cat.REPORT_SOURCES], dtype=object
    )
    label_names = np.array(
        [[m.format(nation=n) for n in w.sector_nations] for m, _ in cat.LABELS], dtype=object
    )
    max_kinds = max(len(flare["kinds"]) for flare in FLARE_UPS)
    flare_kinds = np.zeros((len(FLARE_UPS), max_kinds), dtype=np.int64)
    for index, flare in enumerate(FLARE_UPS):
        flare_kinds[index, : len(flare["kinds"])] = [KIND_INDEX[kind] for kind in flare["kinds"]]
    vocabulary = {name: _objects(words) for name, words in cat.VOCABULARY.items()}
    vocabulary["category_text"] = _objects(
        [word.replace("_", " ") for word in cat.VOCABULARY["weapon_category"]]
    )

    party_vocabulary: dict[str, tuple[ObjectArray, IntArray]] = {}
    for name, by_party in cat.PARTY_VOCABULARY.items():
        words = np.full((len(by_party), max(len(w) for w in by_party)), "", dtype=object)
        for index, party_words in enumerate(by_party):
            words[index, : len(party_words)] = list(party_words)
        lengths = np.array([len(w) for w in by_party], dtype=np.int64)
        party_vocabulary[name] = (words, lengths)

    def flare_ints(values: list[int]) -> IntArray:
        return np.array(values, dtype=np.int64)

    return Tables(
        day_cdf=cumulative(trend * rhythm),
        kind_cum=np.vstack([cumulative(cat.KIND_WEIGHTS_EARLY), cumulative(cat.KIND_WEIGHTS_LATE)]),
        source_cum=np.vstack([cumulative(row) for row in source_weights]),
        zone_source_cum=cumulative(zone_weights),
        grade_cum=grade_cum,
        grade_names=grade_names,
        source_names=source_names,
        label_cum=cumulative([share for _, share in cat.LABELS]),
        label_names=label_names,
        bucket_edges=cat.VIOLATION_SHARE
        + np.concatenate([[0.0], np.cumsum([flare["share"] for flare in FLARE_UPS])]),
        flare_town=flare_ints([w.town_index(f["town"]) for f in FLARE_UPS]),
        flare_sector=flare_ints([w.sector_uids.index(f["sector"]) for f in FLARE_UPS]),
        flare_day0=flare_ints([(f["start"] - MISSION_START).days for f in FLARE_UPS]),
        flare_days=flare_ints([(f["end"] - f["start"]).days + 1 for f in FLARE_UPS]),
        flare_kinds=flare_kinds,
        flare_kind_count=flare_ints([len(f["kinds"]) for f in FLARE_UPS]),
        flare_ids=_objects([f["id"] for f in FLARE_UPS]),
        kinds=_objects(KINDS),
        titles=_objects([cat.TITLES[kind] for kind in KINDS]),
        templates=tuple(
            tuple(_parts(variant) for variant in cat.TEMPLATES[kind]) for kind in KINDS
        ),
        vocabulary=vocabulary,
        party_vocabulary=party_vocabulary,
        compass=_objects(cat.COMPASS),
        town_names=_objects(w.town_names),
        sector_uids=_objects(w.sector_uids),
    )
