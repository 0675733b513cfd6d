"""Counter-trafficking rules on small hand-made data with known answers: the route network
built from seizure chains and crossings, hotspots, and growth over 30 days — with the store
on both backends for the label filter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from peacewatch.domain.labels import Classification, Viewer
from peacewatch.errors import ValidationFailed
from peacewatch.ops import trafficking
from peacewatch.ops.trafficking import analyse, build_network, route_of
from peacewatch.store import Store
from tests.conftest import ADMIN

AT = datetime(2000, 6, 1, tzinfo=UTC)
NU = "NATO UNCLASSIFIED REL TO KFOR, NATO"
NR = "NATO RESTRICTED REL TO KFOR, NATO"


def seizure(n: int, days_ago: float, **extra: Any) -> dict[str, Any]:
    base = {
        "id": f"s{n}", "seized_at": AT - timedelta(days=days_ago), "category": "cigarettes",
        "place": "Morina", "lon": 20.55, "lat": 42.1, "origin": "Kukës",
        "crossing": "Morina", "destination": "Prizren", "label": NU, "chain": None,
        "route": {},
    }  # fmt: skip
    return base | extra


def test_route_of_drops_missing_and_repeated_places() -> None:
    assert route_of({"origin": "A", "crossing": "B", "destination": "C"}) == ("A", "B", "C")
    assert route_of({"origin": "A", "crossing": None, "destination": "C"}) == ("A", "C")
    assert route_of({"origin": "B", "crossing": "B", "destination": None}) == ("B",)


def test_network_from_routes_and_chains() -> None:
    rows = [
        seizure(1, 5),
        seizure(2, 6, origin="Tetovo", crossing="Jazhincë", destination="Prizren",
                place="Jazhincë", lon=21.0, lat=42.05, chain="case-7"),
        seizure(3, 4, origin=None, crossing=None, destination="Mitrovica", place="Pristina",
                lon=21.16, lat=42.66, chain="case-7"),
    ]  # fmt: skip
    graph = build_network(rows)
    assert set(graph.nodes) == {"Kukës", "Morina", "Prizren", "Tetovo", "Jazhincë",
                                "Pristina", "Mitrovica"}  # fmt: skip
    assert {(a, b, tuple(sorted(d["kinds"]))) for a, b, d in graph.edges(data=True)} == {
        ("Kukës", "Morina", ("route",)), ("Morina", "Prizren", ("route",)),
        ("Tetovo", "Jazhincë", ("route",)), ("Jazhincë", "Prizren", ("route",)),
        ("Jazhincë", "Pristina", ("chain",)),  # the chain: seized at Jazhincë, then Pristina
    }  # fmt: skip
    # a crossing where a seizure was made takes the seizure's coordinates
    assert graph.nodes["Morina"]["coordinates"] == [20.55, 42.1]
    assert graph.nodes["Kukës"]["coordinates"] is None


def test_growth_over_the_last_30_days_against_the_30_before() -> None:
    rows = [
        # Kukës → Morina → Prizren: 3 in the last 30 days, 1 in the 30 before: grew
        seizure(1, 1), seizure(2, 10), seizure(3, 29.9), seizure(4, 45),
        # Tetovo → Jazhincë → Ferizaj: 1 recent, 2 before: shrank
        *[seizure(n, d, origin="Tetovo", crossing="Jazhincë", destination="Ferizaj",
                  place="Jazhincë", label=NR) for n, d in ((5, 3), (6, 31), (7, 59))],
        # outside both windows (older than 60 days, and after ``at``): counted in all only
        seizure(8, 61), seizure(9, -1),
    ]  # fmt: skip
    body = analyse(rows, at=AT)
    routes = {r["id"]: r for r in body["routes"]}
    grew = routes["Kukës → Morina → Prizren"]
    assert (grew["recent"], grew["previous"], grew["change"], grew["grew"]) == (3, 1, 2, True)
    assert grew["seizures"] == 6
    shrank = routes["Tetovo → Jazhincë → Ferizaj"]
    assert (shrank["recent"], shrank["previous"], shrank["grew"]) == (1, 2, False)
    assert shrank["derived_label"] == NR and grew["derived_label"] == NU
    assert body["growing"] == ["Kukës → Morina → Prizren"]
    assert body["recent"] == [(AT - timedelta(days=30)).isoformat(), AT.isoformat()]
    assert [h["id"] for h in body["hotspots"]] == ["Morina", "Jazhincë"]
    assert body["hotspots"][0]["by_period"] == {"2000-04": 2, "2000-05": 3,
                                                "2000-06": 1}  # fmt: skip
    edges = {e["id"]: e for e in body["edges"]}
    assert edges["Morina → Prizren"]["recent"] == 3
    assert {i["label"]: i["seizures"] for i in body["items"]} == {NU: 6, NR: 3}
    weekly = analyse(rows, at=AT, bucket="week")
    assert "2000-W21" in weekly["periods"]


def _seizures(store: Store, **override: Any) -> list[str]:
    rows = [
        {"uid": "k1", "seized_at": "2000-05-20T10:00:00Z", "category": "arms", "quantity": 12,
         "unit": "items", "place": "Morina", "lon": 20.55, "lat": 42.1, "origin": "Kukës",
         "crossing": "Morina", "destination": "Prizren"},
        {"uid": "k2", "seized_at": "2000-04-20T10:00:00Z", "category": "drugs", "quantity": 4.5,
         "unit": "kg", "place": "Morina", "lon": 20.55, "lat": 42.1, "origin": "Kukës",
         "crossing": "Morina", "destination": "Prizren", "label": "NATO SECRET REL TO NATO"},
        {"uid": "k3", "seized_at": "2000-05-25T10:00:00Z", "category": "people", "quantity": 9,
         "unit": "persons", "place": "Hani i Elezit", "lon": 21.29, "lat": 42.15,
         "origin": "Skopje", "crossing": "Hani i Elezit", "destination": "Pristina",
         "label": "NATO RESTRICTED REL TO FRA"},
    ]  # fmt: skip
    return trafficking.add_seizures(store, viewer=ADMIN, items=[r | override for r in rows])


def test_the_network_is_built_from_what_the_viewer_may_see(store: Store) -> None:
    assert _seizures(store) == ["k1", "k2", "k3"]
    kfor = Viewer("k", "GBR", Classification.NATO_RESTRICTED, frozenset({"KFOR", "NATO"}))
    full = trafficking.routes_report(store, viewer=ADMIN, at=AT)
    less = trafficking.routes_report(store, viewer=kfor, at=AT)
    assert {r["id"]: r["seizures"] for r in full["routes"]} == {
        "Kukës → Morina → Prizren": 2, "Skopje → Hani i Elezit → Pristina": 1,
    }  # fmt: skip
    assert {r["id"]: (r["recent"], r["previous"]) for r in less["routes"]} == {
        "Kukës → Morina → Prizren": (1, 0),
    }
    assert {n["id"] for n in less["nodes"]} == {"Kukës", "Morina", "Prizren"}
    assert [i["label"] for i in less["items"]] == ["NATO UNCLASSIFIED REL TO KFOR, NATO"]
    kukes = next(r for r in full["routes"] if r["path"][0] == "Kukës")
    assert kukes["derived_label"] == "NATO SECRET REL TO NATO"


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"category": "gold"}, "category"),
        ({"unit": "tonnes"}, "unit"),
        ({"quantity": -1}, "quantity"),
        ({"seized_at": "soon"}, "seized_at"),
        ({"lat": 95}, "lat"),
        ({"place": " "}, "place"),
        ({"origin": None, "crossing": None, "destination": None}, "crossing"),
        ({"route": {"origin": [20.1]}}, "route"),
        ({"label": "NATO SECRET REL TO ATLANTIS"}, "label"),
    ],
)
def test_seizures_are_validated_naming_the_field(
    store: Store, override: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _seizures(store, **override)
    assert [p.field for p in caught.value.problems] == [field]


def test_people_are_counted_in_persons(store: Store) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _seizures(store, category="people", unit="kg")
    assert [p.field for p in caught.value.problems] == ["unit"]
