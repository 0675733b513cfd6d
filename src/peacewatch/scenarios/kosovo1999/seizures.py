"""Counter-trafficking scenario data: synthetic seizures at Kosovo's crossings with Albania and
Macedonia, June 1999 - June 2000, generated with a fixed seed and marked ``synthetic``.

The crossings and towns are real places at approximate positions; every seizure, quantity,
route and chain is invented. Two routes surge in the last month of the scenario (cigarettes
over Qafa e Prushit, people over Hani i Elezit) so that "routes that grew" has an answer.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any, Final

from peacewatch.domain.labels import Viewer
from peacewatch.ops.trafficking import add_seizures
from peacewatch.scenarios.kosovo1999.citations import SEIZURE_GOODS, cite_matching
from peacewatch.scenarios.kosovo1999.facts import MISSION_END, MISSION_START, PUBLIC_LABEL
from peacewatch.store import Store

SOURCE: Final = "synthetic (generated for the scenario; places real, positions approximate)"
PLACES: Final[dict[str, tuple[float, float]]] = {
    # crossings with Albania
    "Morina": (20.57, 42.13),
    "Qafa e Prushit": (20.30, 42.32),
    # crossings with Macedonia
    "Hani i Elezit": (21.30, 42.15),
    "Jazhincë": (21.05, 42.10),
    "Dheu i Bardhë": (21.57, 42.25),
    # origins
    "Kukës": (20.42, 42.08),
    "Tirana": (19.82, 41.33),
    "Durrës": (19.45, 41.32),
    "Bajram Curri": (20.08, 42.36),
    "Tetovo": (20.97, 42.01),
    "Skopje": (21.43, 42.00),
    "Kumanovo": (21.71, 42.13),
    # destinations
    "Prizren": (20.74, 42.21),
    "Gjakova": (20.43, 42.38),
    "Pristina": (21.17, 42.66),
    "Ferizaj": (21.16, 42.37),
    "Gjilan": (21.47, 42.46),
    "Mitrovica": (20.87, 42.89),
}
# (origin, crossing, destination, goods with unit and quantity range, weight)
ROUTES: Final[list[tuple[str, str, str, list[tuple[str, str, int, int]], int]]] = [
    ("Kukës", "Morina", "Prizren", [("cigarettes", "cartons", 50, 800),
                                    ("fuel", "litres", 200, 5000)], 6),
    ("Durrës", "Morina", "Pristina", [("cigarettes", "cartons", 100, 2000),
                                      ("drugs", "kg", 1, 25)], 3),
    ("Bajram Curri", "Qafa e Prushit", "Gjakova", [("cigarettes", "cartons", 20, 400),
                                                   ("arms", "items", 1, 30)], 2),
    ("Tirana", "Qafa e Prushit", "Pristina", [("arms", "items", 1, 15),
                                              ("ammunition", "rounds", 200, 6000)], 1),
    ("Skopje", "Hani i Elezit", "Pristina", [("fuel", "litres", 500, 8000),
                                             ("people", "persons", 2, 18)], 4),
    ("Tetovo", "Jazhincë", "Prizren", [("cigarettes", "cartons", 30, 600),
                                       ("arms", "items", 1, 10)], 2),
    ("Kumanovo", "Dheu i Bardhë", "Gjilan", [("fuel", "litres", 200, 3000),
                                             ("alcohol", "litres", 50, 900)], 2),
]  # fmt: skip
LABELS: Final = [  # (label, weight): most at the mission's default, intelligence-led ones higher
    ("NATO UNCLASSIFIED REL TO KFOR, NATO", 6),
    (PUBLIC_LABEL, 2),
    ("NATO RESTRICTED REL TO KFOR, NATO", 3),
    ("NATO CONFIDENTIAL REL TO NATO", 1),
]


def _seizure(
    rng: random.Random, n: int, at: datetime, route: tuple[Any, ...], place: str | None = None
) -> dict[str, Any]:
    origin, crossing, destination, goods, _ = route
    category, unit, low, high = rng.choice(goods)
    where = place or crossing
    lon, lat = PLACES[where]
    label = rng.choices([lb for lb, _ in LABELS], [w for _, w in LABELS])[0]
    return {
        "uid": f"kfor-seizure-{n:04d}", "mission": "KFOR", "seized_at": at,
        "category": category, "unit": unit, "quantity": rng.randint(low, high),
        "description": f"{category} ({SOURCE})", "place": where,
        "lon": round(lon + rng.uniform(-0.01, 0.01), 4),
        "lat": round(lat + rng.uniform(-0.01, 0.01), 4), "origin": origin,
        "crossing": crossing, "destination": destination,
        "route": {"origin": list(PLACES[origin]), "crossing": list(PLACES[crossing]),
                  "destination": list(PLACES[destination])},
        "source": SOURCE, "synthetic": True, "label": label,
    }  # fmt: skip


def load_seizures(store: Store, viewer: Viewer, gen: Any) -> dict[str, int]:
    """About 300 seizures over the scenario's year, a few of them in chains (one smuggling
    case followed from the crossing inland), with two routes surging in its last month; those
    that match a generated seizure report (goods, place, time) cite it."""
    rng = random.Random(f"seizures-{getattr(gen, 'seed', 1999)}")
    span = int((MISSION_END - MISSION_START).total_seconds() // 60)
    weights = [r[4] for r in ROUTES]
    rows: list[dict[str, Any]] = []
    for _ in range(240):
        at = MISSION_START + timedelta(minutes=rng.randint(0, span - 1))
        rows.append(_seizure(rng, len(rows), at, rng.choices(ROUTES, weights)[0]))
    last_month = MISSION_END - timedelta(days=30)
    for route, extra in ((ROUTES[2], 14), (ROUTES[4], 10)):
        for _ in range(extra):
            at = last_month + timedelta(minutes=rng.randint(0, 30 * 1440 - 1))
            rows.append(_seizure(rng, len(rows), at, route))
    # Chains: a case seized at the crossing, then inland on the way to its destination.
    for case in range(12):
        route = rng.choices(ROUTES, weights)[0]
        at = MISSION_START + timedelta(minutes=rng.randint(0, span - 3 * 1440))
        for step, place in enumerate((route[1], route[2])):
            row = _seizure(rng, len(rows), at + timedelta(hours=6 + 20 * step), route, place)
            rows.append(row | {"chain": f"case-{case + 1:02d}"})
    rows.sort(key=lambda r: r["seized_at"])
    citing = cite_matching(
        store, viewer, rows, kind="seizure", at=lambda r: r["seized_at"],
        place=lambda r: (r["lon"], r["lat"]),
        goods=lambda a: SEIZURE_GOODS.get(str(a.get("items"))), km=25, hours=72,
    )  # fmt: skip
    uids = add_seizures(store, viewer=viewer, items=rows)
    return {"seizures": len(uids), "seizures_citing_reports": citing}
