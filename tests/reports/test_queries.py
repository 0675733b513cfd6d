"""Which sector holds each SITREP point (reports/queries.py): the one rule of store/sectors.py,
on sector features as the SITREP reads them, where sectors overlap or touch."""

from __future__ import annotations

from typing import Any

from peacewatch.reports import queries

OPEN = "NATO UNCLASSIFIED REL TO KFOR, NATO"


def _feature(uid: str, x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"id": uid, "name": uid.title(), "kind": "sector", "label": OPEN},
    }


def test_the_smallest_sector_holds_a_point_in_an_overlap_whatever_the_listing() -> None:
    # Listed first, the large sector no longer wins the points of the small one inside it.
    large, small = _feature("large", 20, 42, 21, 43), _feature("small", 20.4, 42.4, 20.6, 42.6)
    beside = _feature("beside", 21, 42, 21.5, 43)
    points = [(20.5, 42.5), (20.1, 42.1), (21.0, 42.5), (22.0, 42.5)]
    assert queries.sector_of(points, [large, small, beside]) == [1, 0, 2, -1]
    assert queries.sector_of(points, [beside, small, large]) == [1, 2, 0, -1]


def test_nothing_to_place() -> None:
    assert queries.sector_of([], [_feature("a", 20, 42, 21, 43)]) == []
    assert queries.sector_of([(20.5, 42.5)], []) == [-1]
