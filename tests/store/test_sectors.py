"""Sectors (store/sectors.py) on hand-made overlapping sectors with known answers, on SQLite and
PostgreSQL: which sectors a viewer may see in a window, and the one sector holding each point
where sectors overlap (smallest area, then uid), so counts per sector add up to the total."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import numpy as np
import pytest
import shapely

from peacewatch.domain.labels import Classification, Viewer
from peacewatch.ingest import records
from peacewatch.store import Store
from peacewatch.store.sectors import OUTSIDE, Sector, area_m2, sector_of, visible_sectors
from tests.conftest import ADMIN

OPEN = "NATO UNCLASSIFIED REL TO KFOR, NATO"
SECRET = "NATO SECRET REL TO NATO"
RESTRICTED_FRA = Viewer("fra", "FRA", Classification.NATO_RESTRICTED, frozenset({"NATO", "KFOR"}))
WINDOW = (datetime(1999, 7, 1, tzinfo=UTC), datetime(1999, 8, 1, tzinfo=UTC))


def _box(x0: float, y0: float, x1: float, y1: float) -> list[list[list[float]]]:
    return [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]


# uid: (box, label, valid_to). "small" lies inside "big" (bad data), "secret" inside "small";
# "east" shares big's eastern edge and is narrower; the twins are the same square; "old" was
# withdrawn before the window.
SECTORS: dict[str, tuple[tuple[float, float, float, float], str, str | None]] = {
    "big": ((20.0, 42.0, 21.0, 43.0), OPEN, None),
    "small": ((20.4, 42.4, 20.6, 42.6), OPEN, None),
    "secret": ((20.45, 42.45, 20.55, 42.55), SECRET, None),
    "east": ((21.0, 42.0, 21.5, 43.0), OPEN, None),
    "twin-b": ((22.0, 42.0, 22.5, 42.5), OPEN, None),
    "twin-a": ((22.0, 42.0, 22.5, 42.5), OPEN, None),
    "old": ((19.0, 42.0, 19.8, 43.0), OPEN, "1999-06-30T00:00:00Z"),
}
# point: (sector holding it for ADMIN, in the window; for a viewer who cannot see "secret")
POINTS: dict[tuple[float, float], tuple[str | None, str | None]] = {
    (20.2, 42.2): ("big", "big"),
    (20.42, 42.42): ("small", "small"),
    (20.5, 42.5): ("secret", "small"),
    (21.0, 42.7): ("east", "east"),  # on the edge big and east share
    (20.6, 42.5): ("small", "small"),  # on small's edge, inside big
    (22.25, 42.25): ("twin-a", "twin-a"),  # same area: the lower uid
    (19.5, 42.5): (None, None),  # only in "old", withdrawn before the window
    (23.0, 42.5): (None, None),
}


def _load(store: Store) -> None:
    for uid, (box, label, valid_to) in SECTORS.items():
        records.add_zone(
            store,
            viewer=ADMIN,
            data={"uid": uid, "mission": "KFOR", "name": f"Sector {uid}", "kind": "sector",
                  "valid_from": "1999-06-12T00:00:00Z", "valid_to": valid_to, "label": label,
                  "geometry": {"type": "Polygon", "coordinates": _box(*box)}},
        )  # fmt: skip
    # Not a sector: never one of the sectors, whatever it covers.
    records.add_zone(
        store,
        viewer=ADMIN,
        data={"uid": "gsz", "mission": "KFOR", "name": "Ground safety zone", "kind": "buffer",
              "label": OPEN, "geometry": {"type": "Polygon", "coordinates": _box(20, 42, 21, 43)}},
    )  # fmt: skip


def _held(store: Store, viewer: Viewer) -> list[str | None]:
    with store.read() as conn:
        found = visible_sectors(conn, viewer=viewer, mission="KFOR", start=WINDOW[0], end=WINDOW[1])
    lon, lat = np.array(list(POINTS)).T
    return [None if i == OUTSIDE else found[i].uid for i in sector_of(found, lon, lat).tolist()]


def test_visible_sectors_in_a_window_by_uid(store: Store) -> None:
    _load(store)
    with store.read() as conn:
        every = visible_sectors(conn, viewer=ADMIN, mission="KFOR")
        in_window = visible_sectors(
            conn, viewer=ADMIN, mission="KFOR", start=WINDOW[0], end=WINDOW[1]
        )
        restricted = visible_sectors(
            conn, viewer=RESTRICTED_FRA, mission="KFOR", start=WINDOW[0], end=WINDOW[1]
        )
        other_mission = visible_sectors(conn, viewer=ADMIN, mission="UNMIK")
    assert [s.uid for s in every] == sorted(SECTORS)
    assert [s.uid for s in in_window] == sorted(set(SECTORS) - {"old"})
    assert [s.uid for s in restricted] == sorted(set(SECTORS) - {"old", "secret"})
    assert other_mission == []
    assert {s.label for s in in_window if s.uid == "secret"} == {SECRET}
    assert in_window[0].name == "Sector big"


def test_an_overlap_goes_to_the_smallest_sector_then_the_lowest_uid(store: Store) -> None:
    _load(store)
    assert _held(store, ADMIN) == [expected for expected, _ in POINTS.values()]
    # A sector the viewer may not see holds nothing: its points fall to the next smallest.
    assert _held(store, RESTRICTED_FRA) == [expected for _, expected in POINTS.values()]


def test_random_overlaps_follow_a_plain_reading_of_the_rule() -> None:
    """Random points over random overlapping boxes: each point is held by the one covering
    sector that a plain per-point reading of the rule picks."""
    rng = random.Random(11)
    sectors = []
    for i in range(12):
        x0, y0 = rng.uniform(20.0, 21.0), rng.uniform(42.0, 42.8)
        w, h = rng.choice([0.2, 0.4, 0.6]), rng.choice([0.2, 0.4, 0.6])
        box = shapely.box(x0, y0, x0 + w, y0 + h)
        sectors.append(Sector(f"s{rng.randrange(5)}-{i:02d}", f"S{i}", OPEN, box))
    lon = np.array([rng.uniform(19.9, 21.8) for _ in range(2000)])
    lat = np.array([rng.uniform(41.9, 43.6) for _ in range(2000)])
    held = sector_of(sectors, lon, lat)
    areas = [area_m2(s.geometry) for s in sectors]
    overlaps = 0
    for x, y, got in zip(lon.tolist(), lat.tolist(), held.tolist(), strict=True):
        covering = [i for i, s in enumerate(sectors) if s.geometry.intersects(shapely.Point(x, y))]
        best = min(covering, key=lambda i: (areas[i], sectors[i].uid, i), default=OUTSIDE)
        assert got == best
        overlaps += len(covering) > 1
    # The draw exercises the rule: points in overlaps, in one sector, and in none.
    assert overlaps > 100
    assert (held != OUTSIDE).sum() > overlaps and (held == OUTSIDE).sum() > 100


def test_no_points_or_no_sectors() -> None:
    assert sector_of([], np.array([20.0]), np.array([42.0])).tolist() == [OUTSIDE]
    one = [Sector("a", "A", OPEN, shapely.box(20, 42, 21, 43))]
    assert sector_of(one, np.zeros(0), np.zeros(0)).tolist() == []


def test_area_is_measured_on_the_ground() -> None:
    # A degree of longitude is shorter further north: the same box in degrees covers less.
    south, north = shapely.box(20, 0, 21, 1), shapely.box(20, 60, 21, 61)
    assert area_m2(north) < 0.6 * area_m2(south)
    assert area_m2(south) == pytest.approx(111_319.5 * 110_574.3, rel=0.01)
