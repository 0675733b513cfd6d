"""Turn a batch of column arrays into report dicts with as little per-row Python as possible.

Strings are built as numpy object arrays (element-wise concatenation runs in C), attributes
per kind in one comprehension, and the report dicts by mapping `dict` over zipped columns.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import repeat
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from peacewatch.scenarios.kosovo1999.facts import MISSION, MISSION_START
from peacewatch.scenarios.kosovo1999.tables import KIND_INDEX, Tables

__all__ = ["KEYS", "assemble", "uuids"]

KEYS: Final = (
    "id",
    "kind",
    "observed_at",
    "reported_at",
    "lon",
    "lat",
    "location_precision",
    "time_precision",
    "label",
    "party",
    "source",
    "grade",
    "title",
    "text",
    "synthetic",
    "mission",
    "attributes",
)
_PARTIES: Final = np.array([None, "FRY", "UCK"], dtype=object)
_EPOCH_S: Final = MISSION_START.timestamp()
_NUMBERS: Final = frozenset(
    {"size", "vehicles", "crowd", "killed", "wounded", "count", "quantity", "tonnes"}
)
# Vocabulary fields and the random column that picks from them.
_WORDS: Final = {
    "uniform": "pick0",
    "topic": "pick0",
    "activity": "pick1",
    "goods": "pick1",
    "target": "pick2",
    "agency": "pick2",
    "items": "pick2",
}
KIND_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "armed_clash": ("size", "killed", "wounded"),
    "shooting": ("wounded",),
    "explosion": ("target", "killed", "wounded"),
    "arson": ("target",),
    "roadblock": ("size", "vehicles"),
    "demonstration": ("crowd", "topic"),
    "armed_personnel_sighting": ("size", "uniform", "activity"),
    "heavy_weapons_sighting": ("count", "equipment", "category"),
    "seizure": ("items", "quantity"),
    "aid_delivery": ("agency", "tonnes", "goods"),
    "weapons_handed_in": ("count", "category"),
}
Columns = dict[str, NDArray[Any]]


def uuids(raw: NDArray[np.uint8]) -> list[str]:
    """Version-4 UUID strings from (n, 16) random bytes, formatted without a per-row loop."""
    raw = raw.copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    n = raw.shape[0]
    digits = np.frombuffer(raw.tobytes().hex().encode(), dtype="S1").reshape(n, 32)
    text = np.full((n, 36), b"-", dtype="S1")
    for start, end, offset in ((0, 8, 0), (9, 13, 8), (14, 18, 12), (19, 23, 16), (24, 36, 20)):
        text[:, start:end] = digits[:, offset : offset + end - start]
    result: list[str] = text.view("S36").ravel().astype("U36").tolist()
    return result


def _moments(seconds: NDArray[np.int64]) -> list[datetime]:
    at = datetime.fromtimestamp
    return [at(s, UTC) for s in (seconds + _EPOCH_S).tolist()]


def _strings(values: NDArray[Any]) -> NDArray[np.object_]:
    return values.astype(str).astype(object)


class _Fields:
    """Text and attribute values of the fields, computed only for the rows that need them."""

    def __init__(self, t: Tables, c: Columns, where: NDArray[np.object_]) -> None:
        self.t, self.c, self.where = t, c, where
        heavy = c["kind"] == KIND_INDEX["heavy_weapons_sighting"]
        voc = t.vocabulary
        p0, p1 = c["pick0"], c["pick1"]
        self.equipment = np.where(
            c["air_defence"],
            voc["air_defence"][p0 % voc["air_defence"].size],
            voc["heavy"][p0 % voc["heavy"].size],
        )
        weapon = p1 % voc["weapon_category"].size
        self.category = np.where(
            heavy,
            np.where(c["air_defence"], "air_defence", "heavy_weapons"),
            voc["weapon_category"][weapon],
        ).astype(object)
        self.category_text = np.where(
            heavy, np.where(c["air_defence"], "air defence", "heavy weapons"),
            voc["category_text"][weapon],
        ).astype(object)  # fmt: skip

    def value(self, name: str, rows: NDArray[np.int64]) -> NDArray[Any]:
        """Attribute values (numbers stay numbers) of `name` for `rows`."""
        if name in _NUMBERS:
            return self.c[name][rows]
        if name in _WORDS:
            words = self.t.vocabulary[name]
            return words[self.c[_WORDS[name]][rows] % words.size]
        if name == "equipment":
            return self.equipment[rows]
        if name == "category":
            return self.category[rows]
        raise KeyError(name)

    def text(self, name: str, rows: NDArray[np.int64]) -> NDArray[np.object_]:
        """Text of `name` for `rows`, as an object array of str."""
        if name == "where":
            return self.where[rows]
        if name == "hhmm":
            return np.strings.zfill(self.c["hhmm"][rows].astype(str), 4).astype(object)
        if name == "category":
            return self.category_text[rows]
        if name in _NUMBERS:
            return _strings(self.c[name][rows])
        return self.value(name, rows)


def assemble(
    t: Tables,
    c: Columns,
    *,
    ids: list[str],
    zone_uids: list[str],
) -> list[dict[str, Any]]:
    """Report dicts from the batch's columns (see generator.Generator._batch for their names)."""
    n = len(ids)
    town = t.town_names[c["near"]]
    km = _strings(np.rint(c["distance_km"]).astype(np.int64))
    where = np.where(
        c["distance_km"] < 0.5, "in " + town, km + " km " + t.compass[c["compass"]] + " of " + town
    ).astype(object)
    title = t.titles[c["kind"]] + " " + where
    fields = _Fields(t, c, where)
    text = np.empty(n, dtype=object)
    attributes = np.empty(n, dtype=object)
    sector_uid = t.sector_uids[c["sector"]]
    for k, variants in enumerate(t.templates):
        of_kind = c["kind"] == k
        if not of_kind.any():
            continue
        for j, parts in enumerate(variants):
            rows = np.flatnonzero(of_kind & (c["template"] == j))
            if rows.size == 0:
                continue
            sentence = np.full(rows.size, "", dtype=object)
            for literal, name in parts:
                sentence = sentence + literal
                if name is not None:
                    sentence = sentence + fields.text(name, rows)
            text[rows] = sentence
        rows = np.flatnonzero(of_kind)
        keys = ("sector", "town", *KIND_FIELDS[t.kinds[k]])
        values = [sector_uid[rows].tolist(), town[rows].tolist()]
        values += [fields.value(name, rows).tolist() for name in keys[2:]]
        made = list(map(dict, map(zip, repeat(keys), zip(*values, strict=True))))
        for row, attribute in zip(rows.tolist(), made, strict=True):
            attributes[row] = attribute
    for row in np.flatnonzero(c["violation"]).tolist():
        attributes[row]["zone"] = zone_uids[c["zone"][row]]
    for row in np.flatnonzero(c["flare"] >= 0).tolist():
        attributes[row]["flare_up"] = t.flare_ids[c["flare"][row]]
    label = t.label_names[c["label"], c["sector"]]
    source = t.source_names[c["source"], c["sector"]]
    grade = t.grade_names[c["source"], c["grade"]]
    columns = (
        ids,
        t.kinds[c["kind"]].tolist(),
        _moments(c["observed"]),
        _moments(c["reported"]),
        np.round(c["lon"], 6).tolist(),
        np.round(c["lat"], 6).tolist(),
        c["precision"].tolist(),
        c["time_precision"].tolist(),
        label.tolist(),
        _PARTIES[c["party"]].tolist(),
        source.tolist(),
        grade.tolist(),
        title.tolist(),
        text.tolist(),
        repeat(True),
        repeat(MISSION["code"]),
        attributes.tolist(),
    )
    return list(map(dict, map(zip, repeat(KEYS), zip(*columns))))
