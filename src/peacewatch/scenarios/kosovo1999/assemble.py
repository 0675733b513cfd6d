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
    "topic": "pick0",
    "activity": "pick1",
    "goods": "pick1",
    "target": "pick2",
    "agency": "pick2",
    "items": "pick2",
}
KIND_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "armed_clash": ("size", "killed", "wounded"),
    "shooting": ("killed", "wounded"),
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
ObjectArray = NDArray[np.object_]


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


# Numbers in texts are small: their strings are looked up rather than formatted row by row.
_NUMBER_TEXT: Final[ObjectArray] = np.array([str(i) for i in range(10_000)], dtype=object)
_HHMM_TEXT: Final[ObjectArray] = np.array([f"{i:04d}" for i in range(2400)], dtype=object)
_TENTHS_TEXT: Final[ObjectArray] = np.array([f"{i / 10:.1f}" for i in range(10_000)], dtype=object)


def _casualties(killed: int, wounded: int) -> str:
    parts = [f"{killed} killed"] * (killed > 0) + [f"{wounded} wounded"] * (wounded > 0)
    return ", ".join(parts) if parts else "no casualties reported"


_CASUALTIES: Final[ObjectArray] = np.array(
    [_casualties(i // 10, i % 10) for i in range(100)], dtype=object
)
_VEHICLES: Final[ObjectArray] = np.array(
    [f"{i} vehicle" if i == 1 else f"{i} vehicles" for i in range(100)], dtype=object
)


def _strings(values: NDArray[Any]) -> NDArray[np.object_]:
    if values.dtype.kind == "f":
        tenths: NDArray[np.int64] = np.clip(np.rint(values * 10), 0, 9_999).astype(np.int64)
        return np.take(_TENTHS_TEXT, tenths)
    whole: NDArray[np.int64] = np.clip(values, 0, 9_999).astype(np.int64)
    return np.take(_NUMBER_TEXT, whole)


class _Fields:
    """Text and attribute values of the fields, computed only for the rows that need them."""

    def __init__(self, t: Tables, c: Columns, where: NDArray[np.object_]) -> None:
        self.t, self.c, self.where = t, c, where
        heavy = c["kind"] == KIND_INDEX["heavy_weapons_sighting"]
        voc = t.vocabulary
        p0, p1, party = c["pick0"], c["pick1"], c["party"]
        words, lengths = t.party_vocabulary["heavy"]
        self.equipment = np.where(
            c["air_defence"],
            voc["air_defence"][p0 % voc["air_defence"].size],
            words[party, p0 % lengths[party]],
        )
        words, lengths = t.party_vocabulary["uniform"]
        self.uniform = words[party, p1 % lengths[party]]
        weapon = p1 % voc["weapon_category"].size
        self.category = np.where(
            heavy,
            np.where(c["air_defence"], "air_defence", "heavy_weapons"),
            voc["weapon_category"][weapon],
        ).astype(object)
        self.category_text = np.where(
            heavy,
            np.where(c["air_defence"], "air defence", "heavy weapons"),
            voc["category_text"][weapon],
        ).astype(object)

    def value(self, name: str, rows: NDArray[np.int64]) -> NDArray[Any]:
        """Attribute values (numbers stay numbers) of `name` for `rows`."""
        if name in _NUMBERS:
            numbers: NDArray[Any] = self.c[name][rows]
            return numbers
        if name in _WORDS:
            words = self.t.vocabulary[name]
            return np.take(words, self.c[_WORDS[name]][rows] % words.size)
        if name == "equipment":
            return self.equipment[rows]
        if name == "uniform":
            return self.uniform[rows]
        if name == "category":
            return self.category[rows]
        raise KeyError(name)

    def text(self, name: str, rows: NDArray[np.int64]) -> NDArray[np.object_]:
        """Text of `name` for `rows`, as an object array of str."""
        if name == "where":
            return self.where[rows]
        if name == "hhmm":
            return _HHMM_TEXT[self.c["hhmm"][rows]]
        if name == "category":
            return self.category_text[rows]
        if name == "casualties":
            killed = np.minimum(self.c["killed"][rows], 9)
            return np.take(_CASUALTIES, killed * 10 + np.minimum(self.c["wounded"][rows], 9))
        if name == "vehicles":
            return np.take(_VEHICLES, np.clip(self.c["vehicles"][rows], 0, 99))
        if name in _NUMBERS:
            return _strings(self.c[name][rows])
        return self.value(name, rows)


def _dicts(keys: tuple[str, ...], values: list[list[Any]]) -> list[dict[str, Any]]:
    """One dict per row; a dict display is about twice as fast as dict(zip(...))."""
    if len(keys) == 3:
        k0, k1, k2 = keys
        return [{k0: a, k1: b, k2: c} for a, b, c in zip(*values, strict=True)]
    if len(keys) == 4:
        k0, k1, k2, k3 = keys
        return [{k0: a, k1: b, k2: c, k3: d} for a, b, c, d in zip(*values, strict=True)]
    if len(keys) == 5:
        k0, k1, k2, k3, k4 = keys
        return [{k0: a, k1: b, k2: c, k3: d, k4: e} for a, b, c, d, e in zip(*values, strict=True)]
    return list(map(dict, map(zip, repeat(keys), zip(*values, strict=True))))


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
    attributes: list[dict[str, Any]] = [{}] * n
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
        made = _dicts(keys, values)
        for row, attribute in zip(rows.tolist(), made, strict=True):
            attributes[row] = attribute
    for row in np.flatnonzero(c["violation"]).tolist():
        attributes[row]["zone"] = zone_uids[c["zone"][row]]
    for row in np.flatnonzero(c["flare"] >= 0).tolist():
        attributes[row]["flare_up"] = t.flare_ids[c["flare"][row]]
    label = t.label_names[c["label"], c["sector"]]
    source = t.source_names[c["source"], c["sector"]]
    grade = t.grade_names[c["source"], c["grade"]]
    mission = MISSION["code"]
    return [
        {
            "id": report_id,
            "kind": kind,
            "observed_at": observed,
            "reported_at": reported,
            "lon": lon,
            "lat": lat,
            "location_precision": location_precision,
            "time_precision": time_precision,
            "label": label_text,
            "party": party,
            "source": source_text,
            "grade": grade_text,
            "title": title_text,
            "text": body,
            "synthetic": True,
            "mission": mission,
            "attributes": attribute,
        }
        for (
            report_id, kind, observed, reported, lon, lat, location_precision, time_precision,
            label_text, party, source_text, grade_text, title_text, body, attribute,
        ) in zip(
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
            attributes,
            strict=True,
        )
    ]  # fmt: skip
