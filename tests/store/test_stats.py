"""Activity per day (store/stats.py) on both backends against a plain count of the same rows,
through the label filter: a viewer of another nation counts less."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from peacewatch.compliance import judge
from peacewatch.domain.geometry import distance_m
from peacewatch.domain.labels import Classification, Label, Viewer, can_see
from peacewatch.errors import ValidationFailed
from peacewatch.ingest import records
from peacewatch.ingest.agreements import add_agreement
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.store import Store, stats
from peacewatch.store.tables import labels, parties, violations, zones
from tests.conftest import ADMIN
from tests.helpers import LABELS, T0, random_reports, report

GBR = Viewer("gbr", "GBR", Classification.NATO_SECRET, frozenset({"NATO", "KFOR"}))
PARTNER = Viewer("ukr", "UKR", Classification.NATO_SECRET, frozenset({"PARTNER"}))
FRA = Viewer("fra", "FRA", Classification.NATO_RESTRICTED, frozenset())
VIEWERS = [ADMIN, GBR, PARTNER, FRA]
IDS = ["admin", "gbr", "partner", "fra"]
SHARED = "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"


def _visible(viewer: Viewer, marking: str) -> bool:
    return can_see(viewer, Label.parse(marking))


def _day(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(UTC).date().isoformat()


def _per_day(body: dict[str, Any]) -> Counter[tuple[str, Any]]:
    """(day, key) -> count, from a body's dense series (zero days left out)."""
    out: Counter[tuple[str, Any]] = Counter()
    for entry in body["series"]:
        for day, n in zip(body["days"], entry["counts"], strict=True):
            if n:
                out[(day, entry["key"])] += n
    return out


def _load_reports(store: Store, rows: list[dict[str, Any]]) -> None:
    summary = Pipeline(store, viewer=ADMIN, mission="KFOR").run(
        (f"r{i}", r) for i, r in enumerate(rows)
    )
    assert summary.accepted == len(rows) and not summary.rejected


@pytest.mark.parametrize("viewer", VIEWERS, ids=IDS)
def test_incidents_per_day_equal_a_plain_count(store: Store, viewer: Viewer) -> None:
    rows = random_reports(400)
    # Just before and at UTC midnight: the day is the UTC day, the window's end is exclusive.
    rows += [
        report(observed_at="1999-07-01T23:59:59Z", label=SHARED, kind="arson"),
        report(observed_at="1999-07-02T00:00:00Z", label=SHARED, kind="arson"),
        report(observed_at="1999-07-02T01:30:00+02:00", label=SHARED, kind="arson"),
    ]
    _load_reports(store, rows)
    start, end = T0 + timedelta(days=10), datetime(1999, 10, 1, tzinfo=UTC)
    expected = Counter(
        (_day(r["observed_at"]), r["kind"])
        for r in rows
        if _visible(viewer, r["label"]) and start <= datetime.fromisoformat(r["observed_at"]) < end
    )
    with store.read() as conn:
        body = stats.incidents_per_day(conn, viewer=viewer, start=start, end=end, mission="KFOR")
        everything = stats.incidents_per_day(conn, viewer=viewer)
        elsewhere = stats.incidents_per_day(conn, viewer=viewer, mission="NONE")
    assert _per_day(body) == expected
    assert body["days"] == sorted(body["days"]) and len(set(body["days"])) == len(body["days"])
    assert body["days"][0] == min(d for d, _ in expected)
    assert body["days"][-1] == max(d for d, _ in expected)
    assert all(len(s["counts"]) == len(body["days"]) for s in body["series"])
    assert {s["key"]: s["total"] for s in body["series"]} == {
        k: sum(n for (_, kind), n in expected.items() if kind == k) for _, k in expected
    }
    # Items split the same counts by label, each a label the viewer may see.
    assert sum(i["total"] for i in body["items"]) == sum(expected.values())
    assert all(_visible(viewer, i["label"]) for i in body["items"])
    assert sum(s["total"] for s in everything["series"]) == sum(
        1 for r in rows if _visible(viewer, r["label"])
    )
    assert elsewhere["series"] == [] and elsewhere["days"] == []


def test_another_nation_counts_less(store: Store) -> None:
    _load_reports(store, random_reports(300))
    with store.read() as conn:
        totals = {
            v.name: sum(s["total"] for s in stats.incidents_per_day(conn, viewer=v)["series"])
            for v in (GBR, PARTNER, FRA)
        }
    assert 0 < totals["ukr"] < totals["gbr"] and 0 < totals["fra"] < totals["gbr"]


def test_events_are_counted_by_their_first_observation(store: Store) -> None:
    from peacewatch.fusion.engine import attach

    attach(store)
    rows = [
        report(observed_at="1999-06-20T10:00:00Z", label=SHARED),
        report(observed_at="1999-06-20T10:05:00Z", label=SHARED, source="other"),
        report(observed_at="1999-06-22T10:00:00Z", label=LABELS[2], lon=20.5, lat=42.2),
    ]
    _load_reports(store, rows)
    with store.read() as conn:
        mine = stats.incidents_per_day(conn, viewer=GBR, of="events")
        theirs = stats.incidents_per_day(conn, viewer=PARTNER, of="events")
        with pytest.raises(ValidationFailed) as bad:
            stats.incidents_per_day(conn, viewer=GBR, of="rumours")
    assert bad.value.problems[0].field == "of"
    assert mine["of"] == "events" and sum(_per_day(mine).values()) >= 2
    assert ("1999-06-20", "shooting") in _per_day(mine)
    assert ("1999-06-22", "shooting") not in _per_day(theirs)
    assert sum(_per_day(theirs).values()) < sum(_per_day(mine).values())


SQUARE = [[21.0, 42.0], [21.2, 42.0], [21.2, 42.2], [21.0, 42.2], [21.0, 42.0]]


def _violations(store: Store, n: int = 120) -> None:
    """A zone and an obligation binding both parties in it, and ``n`` sightings inside it
    under mixed labels; a third of the violations they make confirmed, some dismissed."""
    judge.attach(store)
    records.add_zone(
        store,
        viewer=ADMIN,
        data={
            "uid": "gsz",
            "mission": "KFOR",
            "name": "Ground Safety Zone",
            "kind": "ground_safety_zone",
            "valid_from": "1999-06-12T00:00:00Z",
            "label": SHARED,
            "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
        },
    )
    add_agreement(
        store,
        viewer=ADMIN,
        data={
            "code": "MTA",
            "name": "Military Technical Agreement",
            "mission": "KFOR",
            "entry_into_force": "1999-06-12T00:00:00Z",
            "label": SHARED,
            "obligations": [
                {
                    "code": "no-forces",
                    "clause": "Art. II.2",
                    "title": "No armed forces in the GSZ",
                    "parties": ["FRY", "UCK"],
                    "zones": ["gsz"],
                    "prohibited": ["armed_forces"],
                    "valid_from": "1999-06-12T00:00:00Z",
                    "label": SHARED,
                }
            ],
        },
    )
    rng = random.Random(3)
    rows = [
        report(
            kind="armed_personnel_sighting",
            observed_at=(T0 + timedelta(seconds=rng.randint(0, 40 * 86400))).isoformat(),
            lon=round(21.01 + rng.random() * 0.18, 5),
            lat=round(42.01 + rng.random() * 0.18, 5),
            label=rng.choice(LABELS),
            party=rng.choice(["FRY", "UCK"]),
        )
        for _ in range(n)
    ]
    _load_reports(store, rows)
    with store.write() as conn:
        ids = list(conn.execute(select(violations.c.id).order_by(violations.c.id)).scalars())
        assert len(ids) == n
        conn.execute(
            update(violations).where(violations.c.id.in_(ids[::3])).values(state="confirmed")
        )
        conn.execute(
            update(violations).where(violations.c.id.in_(ids[1::7])).values(state="dismissed")
        )
        conn.execute(
            update(violations).where(violations.c.id.in_(ids[2::11])).values(state="withdrawn")
        )


@pytest.mark.parametrize("viewer", VIEWERS, ids=IDS)
@pytest.mark.parametrize("by", ["party", "zone"])
def test_violations_per_day_equal_a_plain_count(store: Store, viewer: Viewer, by: str) -> None:
    _violations(store)
    key = parties.c.code if by == "party" else zones.c.uid
    fk = violations.c.party_id if by == "party" else violations.c.zone_id
    table = parties if by == "party" else zones
    with store.read() as conn:
        rows = conn.execute(
            select(violations.c.observed_at, violations.c.state, labels.c.marking, key)
            .join(labels, labels.c.id == violations.c.label_id)
            .join(table, table.c.id == fk)
        ).all()
        start, end = T0 + timedelta(days=5), T0 + timedelta(days=30)
        body = stats.violations_per_day(conn, viewer=viewer, by=by, start=start, end=end)
    # The zone carries SHARED, the parties the mission's default label: who may not see the
    # key counts its violations under none.
    seen_key = _visible(viewer, SHARED if by == "zone" else "NATO UNCLASSIFIED REL TO KFOR, NATO")
    expected: Counter[tuple[str, Any, str]] = Counter(
        (t.date().isoformat(), k if seen_key else None, state)
        for t, state, marking, k in rows
        if _visible(viewer, marking) and start <= t < end and state != "withdrawn"
    )
    found: Counter[tuple[str, Any, str]] = Counter()
    for entry in body["series"]:
        for state, counts in entry["states"].items():
            for day, n in zip(body["days"], counts, strict=True):
                if n:
                    found[(day, entry["key"], state)] += n
        assert entry["counts"] == [sum(c) for c in zip(*entry["states"].values(), strict=True)]
    assert found == expected
    assert body["by"] == by and body["states"] == ["suspected", "confirmed", "dismissed"]
    if by == "zone" and seen_key:
        assert [s["name"] for s in body["series"]] == ["Ground Safety Zone"]


def test_violations_by_an_unknown_key_name_the_field(store: Store) -> None:
    with store.read() as conn, pytest.raises(ValidationFailed) as bad:
        stats.violations_per_day(conn, viewer=GBR, by="colour")
    assert bad.value.problems[0].field == "by"


def _patrols(store: Store, n: int = 30) -> list[dict[str, Any]]:
    rng = random.Random(5)
    items = []
    for i in range(n):
        began = T0 + timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23))
        points = [
            [round(20.5 + rng.random(), 5), round(42.1 + rng.random() * 0.8, 5)]
            for _ in range(rng.randint(2, 6))
        ]
        track = [
            [lon, lat, (began + timedelta(minutes=20 * j)).isoformat()]
            for j, (lon, lat) in enumerate(points)
        ]
        items.append(
            {
                "uid": f"p{i}",
                "name": f"Patrol {i}",
                "mission": "KFOR",
                "start": began.isoformat(),
                "end": (began + timedelta(hours=3)).isoformat(),
                "label": rng.choice(LABELS),
                # a few planned patrols without a track
                **({"track": track} if i % 5 else {}),
            }
        )
    records.add_patrols(store, viewer=ADMIN, items=items)
    return items


@pytest.mark.parametrize("viewer", VIEWERS, ids=IDS)
def test_patrol_activity_equals_a_plain_count(store: Store, viewer: Viewer) -> None:
    items = _patrols(store)
    start, end = T0 + timedelta(days=2), T0 + timedelta(days=18)
    ran: Counter[str] = Counter()
    points: Counter[str] = Counter()
    km: Counter[str] = Counter()
    for p in items:
        began = datetime.fromisoformat(p["start"])
        if not _visible(viewer, p["label"]) or not start <= began < end:
            continue
        day = began.date().isoformat()
        ran[day] += 1
        if "track" in p:
            points[day] += len(p["track"])
            km[day] += (
                sum(
                    distance_m(tuple(a[:2]), tuple(b[:2]))
                    for a, b in zip(p["track"], p["track"][1:], strict=False)
                )
                / 1000
            )
    with store.read() as conn:
        body = stats.patrols_per_day(conn, viewer=viewer, start=start, end=end, mission="KFOR")
    series = {s["key"]: dict(zip(body["days"], s["counts"], strict=True)) for s in body["series"]}
    assert list(series) == ["patrols", "track_points", "km"]
    assert {d: n for d, n in series["patrols"].items() if n} == dict(ran)
    assert {d: n for d, n in series["track_points"].items() if n} == dict(points)
    assert set(d for d, v in series["km"].items() if v) == set(km)
    for day, value in km.items():
        assert series["km"][day] == pytest.approx(value, rel=1e-6, abs=1e-3)
    assert sum(i["patrols"] for i in body["items"]) == sum(ran.values())
    assert sum(i["track_points"] for i in body["items"]) == sum(points.values())
    assert all(_visible(viewer, i["label"]) for i in body["items"])
    if viewer is PARTNER:
        with store.read() as conn:
            gbr = stats.patrols_per_day(conn, viewer=GBR, start=start, end=end)
        assert sum(s["total"] for s in body["series"][:1]) < gbr["series"][0]["total"]


def test_nothing_to_count(store: Store) -> None:
    with store.read() as conn:
        body = stats.patrols_per_day(conn, viewer=GBR)
    assert body["days"] == [] and body["items"] == []
    assert [(s["key"], s["total"], s["counts"]) for s in body["series"]] == [
        ("patrols", 0, []),
        ("track_points", 0, []),
        ("km", 0, []),
    ]
