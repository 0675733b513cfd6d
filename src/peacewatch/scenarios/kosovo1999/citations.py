"""Scenario seizures and items handed in cite the generated field reports that match them: a
report of the same kind (``seizure`` or ``weapons_handed_in``) naming the same goods, in a box
of about ``km`` round the record's place and within ``hours`` of its time. Each report is cited
by one record at most, the nearest in time, so a report of one hand-in is not cited by every
item handed in at that point that week. Matches are found with the store's bbox + time index,
one query per record, so the cost does not grow with the number of reports loaded."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from peacewatch.domain.labels import Viewer
from peacewatch.store import Store
from peacewatch.store.reports import list_reports

# The generator's seizure reports name their goods in words (catalogue.py); the seizure
# records count them in goods categories (ops/trafficking.py GOODS).
SEIZURE_GOODS: Final[dict[str, str]] = {
    "AK-47 rifles": "arms",
    "pistols": "arms",
    "hand grenades": "arms",
    "anti-tank mines": "arms",
    "cartons of smuggled cigarettes": "cigarettes",
    "litres of smuggled fuel": "fuel",
    "rounds of 7.62 mm ammunition": "ammunition",
}
MAX_CITED: Final = 3


def _box(lon: float, lat: float, km: float) -> tuple[float, float, float, float]:
    dlat = km / 110.57
    dlon = km / (111.32 * math.cos(math.radians(lat)))
    return (lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def cite_matching(
    store: Store,
    viewer: Viewer,
    rows: list[dict[str, Any]],
    *,
    kind: str,
    at: Callable[[Mapping[str, Any]], datetime],
    place: Callable[[Mapping[str, Any]], tuple[float, float] | None],
    goods: Callable[[Mapping[str, Any]], str | None],
    km: float,
    hours: float,
) -> int:
    """Set ``reports`` on the ``rows`` (to be written) that match reports of ``kind`` already
    in the store (``goods`` reads a report's attributes as the row's category); how many rows
    cite at least one."""
    window = timedelta(hours=hours)
    best: dict[str, tuple[timedelta, int, datetime]] = {}  # report → (gap, row index, time)
    with store.read() as conn:
        for i, row in enumerate(rows):
            where = place(row)
            if where is None:
                continue
            when = at(row)
            page = list_reports(
                conn, viewer=viewer, mission="KFOR", kinds=[kind], bbox=_box(*where, km),
                start=when - window, end=when + window, limit=20,
            )  # fmt: skip
            for feature in page.features:
                props = feature["properties"]
                if goods(props.get("attributes") or {}) != row["category"]:
                    continue
                observed = _time(props["observed_at"])
                gap = abs(observed - when)
                uid = str(feature["id"])
                if uid not in best or (gap, i) < best[uid][:2]:
                    best[uid] = (gap, i, observed)
    cited: dict[int, list[tuple[datetime, str]]] = {}
    for uid, (_, i, observed) in best.items():
        cited.setdefault(i, []).append((observed, uid))
    for i, found in cited.items():
        rows[i]["reports"] = [uid for _, uid in sorted(found)[:MAX_CITED]]
    return len(cited)
