"""The judging core against brute force (shapely, pair by pair) and against PostGIS, and the
boundary cases the clauses decide: edge of a zone, instant of a deadline, a zone version
changing mid-day."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from peacewatch.compliance.engine import Observations, Rule, RuleSet
from peacewatch.domain.categories import AIR_DEFENCE, ANY_FORCES, ARMED_FORCES, HEAVY_WEAPONS
from peacewatch.store import Store

BITS = [ANY_FORCES, ARMED_FORCES, HEAVY_WEAPONS, AIR_DEFENCE]
T0 = datetime(1999, 6, 10, tzinfo=UTC).timestamp()
DAY = 86_400.0


def _rule(i: int, geometry: shapely.Geometry, **kw: object) -> Rule:
    base: dict[str, object] = {
        "obligation_id": i,
        "code": f"o{i}",
        "zone_id": i,
        "parties": frozenset({1}),
        "prohibited": ARMED_FORCES,
        "start": T0,
        "end": math.inf,
        "geometry": geometry,
        "obligation_label": 1,
        "zone_label": 1,
    }
    base.update(kw)
    return Rule(**base)  # type: ignore[arg-type]


def _obs(points: list[tuple[float, float, float, int, int]]) -> Observations:
    a = np.array(points, dtype=np.float64).reshape(-1, 5)
    return Observations(
        a[:, 0], a[:, 1], a[:, 2], a[:, 3].astype(np.int64), a[:, 4].astype(np.int64)
    )


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Rule], Observations]:
    rules = []
    for i in range(draw(st.integers(1, 8))):
        x, y = draw(st.floats(20, 21.5)), draw(st.floats(42, 43))
        shape = draw(st.sampled_from(["box", "disc", "ring"]))
        w = draw(st.floats(0.01, 0.5))
        if shape == "box":
            geom = shapely.box(x, y, x + w, y + w * 0.7)
        elif shape == "disc":
            geom = shapely.Point(x, y).buffer(w / 2, quad_segs=4)
        else:
            geom = shapely.Point(x, y).buffer(w).difference(shapely.Point(x, y).buffer(w / 2))
        start = T0 + draw(st.integers(0, 30)) * DAY / 2
        end = draw(
            st.one_of(st.just(math.inf), st.just(start + draw(st.integers(1, 40)) * DAY / 4))
        )
        parties = frozenset(draw(st.sets(st.integers(1, 3), min_size=1)))
        prohibited = sum(draw(st.sets(st.sampled_from(BITS), min_size=1)))
        rules.append(_rule(i, geom, start=start, end=end, parties=parties, prohibited=prohibited))
    n = draw(st.integers(0, 60))
    pts = []
    for _ in range(n):
        # Observations often fall on a rule's vertex or edge, or exactly at its start or end.
        r = draw(st.sampled_from(rules))
        if draw(st.booleans()):
            coords = shapely.get_coordinates(r.geometry)
            x, y = coords[draw(st.integers(0, len(coords) - 1))]
        else:
            x, y = draw(st.floats(19.9, 22.1)), draw(st.floats(41.9, 43.6))
        t = draw(
            st.sampled_from(
                [
                    r.start,
                    r.end if r.end != math.inf else r.start + DAY,
                    T0 + draw(st.integers(0, 40)) * DAY / 3,
                ]
            )
        )
        pts.append((x, y, t, draw(st.integers(0, 3)), sum(draw(st.sets(st.sampled_from(BITS))))))
    return rules, _obs(pts)


def brute_force(rules: list[Rule], obs: Observations) -> set[tuple[int, int]]:
    out = set()
    for i in range(len(obs)):
        p = shapely.Point(obs.lon[i], obs.lat[i])
        for j, r in enumerate(rules):
            if (
                r.geometry.intersects(p)
                and r.start <= obs.t[i] < r.end
                and int(obs.party[i]) in r.parties
                and int(obs.shows[i]) & r.prohibited
            ):
                out.add((i, j))
    return out


@settings(max_examples=200, deadline=None)
@given(worlds())
def test_engine_equals_brute_force(world: tuple[list[Rule], Observations]) -> None:
    rules, obs = world
    hit, rule = RuleSet(rules).breaches(obs)
    assert set(zip(hit.tolist(), rule.tolist(), strict=True)) == brute_force(rules, obs)


def test_boundary_cases_are_decided_as_the_clause_says() -> None:
    zone = shapely.box(21.0, 42.0, 21.1, 42.1)
    noon = T0 + DAY / 2
    rules = RuleSet(
        [
            _rule(0, zone, start=T0 + 6 * DAY),  # deadline EIF+6
            # a zone version changing at noon: the old shape until then, a smaller one after
            _rule(1, shapely.box(22.0, 42.0, 22.2, 42.2), end=noon),
            _rule(2, shapely.box(22.0, 42.0, 22.1, 42.2), start=noon),
        ]
    )
    cases = {
        "on the edge, after the deadline": ((21.1, 42.05, T0 + 7 * DAY, 1, ARMED_FORCES), {0}),
        "on a corner": ((21.0, 42.0, T0 + 7 * DAY, 1, ARMED_FORCES), {0}),
        "exactly at the deadline": ((21.05, 42.05, T0 + 6 * DAY, 1, ARMED_FORCES), {0}),
        "a second before the deadline": ((21.05, 42.05, T0 + 6 * DAY - 1, 1, ARMED_FORCES), set()),
        "outside by a hair": ((21.1000001, 42.05, T0 + 7 * DAY, 1, ARMED_FORCES), set()),
        "unbound party": ((21.05, 42.05, T0 + 7 * DAY, 2, ARMED_FORCES), set()),
        "shows nothing prohibited": ((21.05, 42.05, T0 + 7 * DAY, 1, HEAVY_WEAPONS), set()),
        "old zone version, before noon": ((22.15, 42.1, noon - 60, 1, ARMED_FORCES), {1}),
        "old zone's area, from noon on": ((22.15, 42.1, noon, 1, ARMED_FORCES), set()),
        "new zone version at noon": ((22.05, 42.1, noon, 1, ARMED_FORCES), {2}),
    }
    for name, (point, expected) in cases.items():
        _, rule = rules.breaches(_obs([point]))
        assert set(rule.tolist()) == expected, name


@settings(max_examples=25, deadline=None)
@given(worlds())
def test_engine_equals_postgis(
    postgresql_session_store: Store, world: tuple[list[Rule], Observations]
) -> None:
    rules, obs = world
    hit, rule = RuleSet(rules).breaches(obs)
    with postgresql_session_store.engine.connect() as conn, conn.begin():
        conn.execute(
            text(
                "CREATE TEMP TABLE r (j int, g geometry, s float8, e float8, "
                "parties int[], p int) ON COMMIT DROP"
            )
        )
        conn.execute(
            text(
                "CREATE TEMP TABLE o (i int, g geometry, t float8, party int, shows int) "
                "ON COMMIT DROP"
            )
        )
        for j, r in enumerate(rules):
            conn.execute(
                text("INSERT INTO r VALUES (:j, ST_GeomFromText(:g, 4326), :s, :e, :parties, :p)"),
                {
                    "j": j,
                    "g": r.geometry.wkt,
                    "s": r.start,
                    "e": r.end if r.end != math.inf else 1e300,
                    "parties": sorted(r.parties),
                    "p": r.prohibited,
                },
            )
        for i in range(len(obs)):
            conn.execute(
                text(
                    "INSERT INTO o VALUES "
                    "(:i, ST_SetSRID(ST_MakePoint(:x, :y), 4326), :t, :pa, :sh)"
                ),
                {
                    "i": i,
                    "x": float(obs.lon[i]),
                    "y": float(obs.lat[i]),
                    "t": float(obs.t[i]),
                    "pa": int(obs.party[i]),
                    "sh": int(obs.shows[i]),
                },
            )
        pairs = conn.execute(
            text(
                "SELECT o.i, r.j FROM o JOIN r ON ST_Intersects(r.g, o.g) "
                "AND o.t >= r.s AND o.t < r.e "
                "AND o.party = ANY(r.parties) AND (o.shows & r.p) <> 0"
            )
        ).all()
    assert set(zip(hit.tolist(), rule.tolist(), strict=True)) == {(a, b) for a, b in pairs}
