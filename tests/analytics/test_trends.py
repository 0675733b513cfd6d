"""Trends (analytics/trends.py) on hand-made data with known answers, on SQLite and PostgreSQL:
a rising, a steady and a falling series by kind, party and sector, the change against the
previous week, and a viewer without clearance who does not count the secret reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from peacewatch.analytics import trends as engine
from peacewatch.domain.labels import Classification, Viewer
from peacewatch.errors import ValidationFailed
from peacewatch.ingest import records
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.store import Store
from tests.conftest import ADMIN
from tests.helpers import report

OPEN = "NATO UNCLASSIFIED REL TO KFOR, NATO"
SECRET = "NATO SECRET REL TO NATO"
RESTRICTED_FRA = Viewer("fra", "FRA", Classification.NATO_RESTRICTED, frozenset({"NATO", "KFOR"}))
MONDAY = datetime(1999, 6, 14, tzinfo=UTC)  # ISO week 1999-W24
WINDOW = (MONDAY, MONDAY + timedelta(weeks=4))
WEST = [[20.4, 42.4], [20.8, 42.4], [20.8, 42.8], [20.4, 42.8], [20.4, 42.4]]
EAST = [[21.0, 42.4], [21.4, 42.4], [21.4, 42.8], [21.0, 42.8], [21.0, 42.4]]
# Per week: arson rises (1, 2, 3, 4) in the west by FRY, shootings are steady (5 a week) in
# the east by UCK, roadblocks fall (6, 4, 2, 0) outside both sectors with no party.
SERIES: dict[str, tuple[list[int], str | None, tuple[float, float]]] = {
    "arson": ([1, 2, 3, 4], "FRY", (20.6, 42.6)),
    "shooting": ([5, 5, 5, 5], "UCK", (21.2, 42.6)),
    "roadblock": ([6, 4, 2, 0], None, (20.2, 42.2)),
}
SECRET_ARSON = 10  # in the last week, seen only by those cleared NATO SECRET


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def load(store: Store) -> None:
    """The three series, the secret arson, and one report before the window."""
    rows: list[dict[str, Any]] = []
    for kind, (weekly, party, (lon, lat)) in SERIES.items():
        for week, n in enumerate(weekly):
            for i in range(n):
                when = MONDAY + timedelta(weeks=week, days=i % 7, hours=12)
                rows.append(
                    report(kind=kind, party=party, lon=lon, lat=lat, observed_at=_iso(when),
                           label=OPEN)
                )  # fmt: skip
    for i in range(SECRET_ARSON):
        when = MONDAY + timedelta(weeks=3, days=1, minutes=i)
        rows.append(report(kind="arson", party="FRY", lon=20.6, lat=42.6, label=SECRET,
                           observed_at=_iso(when)))  # fmt: skip
    rows.append(report(kind="arson", observed_at="1999-06-13T23:59:59Z", label=OPEN))
    summary = Pipeline(store, viewer=ADMIN, mission="KFOR").run((r["id"], r) for r in rows)
    assert summary.accepted == len(rows) and not summary.rejected
    for uid, ring in (("west", WEST), ("east", EAST)):
        records.add_zone(
            store,
            viewer=ADMIN,
            data={"uid": uid, "mission": "KFOR", "name": f"Sector {uid}", "kind": "sector",
                  "valid_from": "1999-06-12T00:00:00Z", "label": OPEN,
                  "geometry": {"type": "Polygon", "coordinates": [ring]}},
        )  # fmt: skip


def run(store: Store, viewer: Viewer = RESTRICTED_FRA, **kw: Any) -> dict[str, Any]:
    with store.read() as conn:
        return engine.trends(conn, viewer=viewer, start=WINDOW[0], end=WINDOW[1], **kw)


def series(body: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    return {s["key"]: s for s in body["series"]}


def test_weekly_by_kind_rising_steady_falling(store: Store) -> None:
    load(store)
    body = run(store, by="kind")
    assert body["periods"] == ["1999-W24", "1999-W25", "1999-W26", "1999-W27"]
    assert body["period_starts"][0] == "1999-06-14"
    found = series(body)
    assert {k: s["counts"] for k, s in found.items()} == {k: v[0] for k, v in SERIES.items()}
    assert found["arson"]["trend"] == {"slope": 1.0, "stderr": 0.0, "direction": "rising"}
    assert found["shooting"]["trend"]["slope"] == 0.0
    assert found["shooting"]["trend"]["direction"] == "flat"
    assert found["roadblock"]["trend"]["slope"] == -2.0
    assert found["roadblock"]["trend"]["direction"] == "falling"
    assert found["arson"]["change"] == {"last": 4, "previous": 3, "absolute": 1, "percent": 33.3}
    assert found["roadblock"]["change"]["percent"] == -100.0
    # Items split the totals by label: all of it open to this viewer.
    assert {i["label"] for i in body["items"]} == {OPEN}
    assert sum(i["total"] for i in body["items"]) == sum(sum(v[0]) for v in SERIES.values())


def test_a_viewer_without_clearance_does_not_count_the_secret_reports(store: Store) -> None:
    load(store)
    cleared = series(run(store, viewer=ADMIN, by="kind"))["arson"]
    assert cleared["counts"] == [1, 2, 3, 4 + SECRET_ARSON]
    assert cleared["change"]["absolute"] == 11
    uncleared = series(run(store, by="kind"))["arson"]
    assert uncleared["counts"] == [1, 2, 3, 4]
    body = run(store, viewer=ADMIN, by="kind")
    assert SECRET in {i["label"] for i in body["items"]}


def test_by_party_and_by_sector(store: Store) -> None:
    load(store)
    by_party = series(run(store, by="party"))
    assert by_party["FRY"]["counts"] == [1, 2, 3, 4]
    assert by_party["FRY"]["name"] == "FRY/Serbian forces"
    assert by_party["UCK"]["counts"] == [5, 5, 5, 5]
    assert by_party[None]["counts"] == [6, 4, 2, 0]
    by_sector = run(store, by="sector")
    found = series(by_sector)
    assert found["west"]["counts"] == [1, 2, 3, 4] and found["west"]["name"] == "Sector west"
    assert found["east"]["counts"] == [5, 5, 5, 5]
    assert found[None]["counts"] == [6, 4, 2, 0]
    assert found["west"]["trend"]["direction"] == "rising"
    assert {i["key"] for i in by_sector["items"]} == {"west", "east", None}
    # Each sector is named under its own label, apart from the reports' labels it counts.
    sector_items = [i for i in by_sector["items"] if i.get("sector")]
    assert [(i["key"], i["label"], i["total"]) for i in sector_items] == [
        ("east", OPEN, 0),
        ("west", OPEN, 0),
    ]


def test_daily_periods_are_dense_over_the_window(store: Store) -> None:
    load(store)
    body = run(store, by="kind", period="day")
    # Dense over the window, up to the last report this viewer may see (Friday 9 July).
    assert len(body["periods"]) == 26
    assert body["periods"][0] == "1999-06-14" and body["periods"][-1] == "1999-07-09"
    found = series(body)
    assert sum(found["arson"]["counts"]) == 10
    # Week 1 holds one arson, on its Monday at noon.
    assert found["arson"]["counts"][:7] == [1, 0, 0, 0, 0, 0, 0]


def test_a_window_past_the_last_report_is_cut_to_it(store: Store) -> None:
    load(store)
    with store.read() as conn:
        body = engine.trends(
            conn, viewer=RESTRICTED_FRA, start=WINDOW[0], end=datetime(2026, 1, 1, tzinfo=UTC)
        )
    assert body["periods"] == ["1999-W24", "1999-W25", "1999-W26", "1999-W27"]
    assert body["end"] == "2026-01-01T00:00:00Z"  # the window asked for, as asked


def test_with_no_window_periods_run_from_first_to_last_found(store: Store) -> None:
    load(store)
    with store.read() as conn:
        body = engine.trends(conn, viewer=RESTRICTED_FRA, by="kind")
    # The report of Sunday 13 June (1999-W23) comes first; the last roadblock week is empty.
    assert body["periods"][0] == "1999-W23" and body["periods"][-1] == "1999-W27"
    assert series(body)["arson"]["counts"] == [1, 1, 2, 3, 4]


def test_bad_parameters_are_named(store: Store) -> None:
    with store.read() as conn:
        with pytest.raises(ValidationFailed) as bad:
            engine.trends(conn, viewer=ADMIN, by="colour", period="month")
        with pytest.raises(ValidationFailed) as events_by_party:
            engine.trends(conn, viewer=ADMIN, by="party", of="events")
    assert [p.field for p in bad.value.problems] == ["by", "period"]
    assert [p.field for p in events_by_party.value.problems] == ["of"]


def test_linear_trend_and_change_on_their_own() -> None:
    noisy = engine.linear_trend([10, 12, 9, 11, 10, 12, 9, 11])
    assert noisy["direction"] == "flat" and noisy["stderr"] is not None
    assert engine.linear_trend([3])["direction"] == "flat"
    assert engine.linear_trend([2, 5]) == {"slope": 3.0, "stderr": None, "direction": "rising"}
    assert engine.change([0, 4])["percent"] is None
    assert engine.period_of(date(1999, 6, 20), "week") == date(1999, 6, 14)
    assert engine.period_name(date(1999, 1, 4), "week") == "1999-W01"
    assert engine.period_name(date(1998, 12, 28), "week") == "1998-W53"


def test_an_incident_in_overlapping_sectors_counts_once(store: Store) -> None:
    """A smaller sector drawn inside the west one (bad data) takes the west's arson: every
    incident counts in one sector only, so the series add up to the total."""
    load(store)
    core = [[20.5, 42.5], [20.7, 42.5], [20.7, 42.7], [20.5, 42.7], [20.5, 42.5]]
    records.add_zone(
        store,
        viewer=ADMIN,
        data={"uid": "west-core", "mission": "KFOR", "name": "Sector west core",
              "kind": "sector", "label": OPEN,
              "geometry": {"type": "Polygon", "coordinates": [core]}},
    )  # fmt: skip
    body = run(store, by="sector")
    found = series(body)
    assert found["west-core"]["counts"] == [1, 2, 3, 4]
    assert "west" not in found
    assert found["east"]["counts"] == [5, 5, 5, 5]
    assert sum(s["total"] for s in body["series"]) == sum(sum(v[0]) for v in SERIES.values())


def test_an_incident_on_a_shared_edge_counts_in_one_sector(store: Store) -> None:
    """West and a neighbour sharing its eastern edge: a report on the edge belongs to a sector
    (the smaller, the neighbour), not to neither and not to both."""
    load(store)
    beside = [[20.8, 42.4], [20.9, 42.4], [20.9, 42.8], [20.8, 42.8], [20.8, 42.4]]
    records.add_zone(
        store,
        viewer=ADMIN,
        data={"uid": "beside", "mission": "KFOR", "name": "Sector beside", "kind": "sector",
              "label": OPEN, "geometry": {"type": "Polygon", "coordinates": [beside]}},
    )  # fmt: skip
    edge = report(kind="arson", lon=20.8, lat=42.6, label=OPEN, observed_at=_iso(MONDAY))
    assert Pipeline(store, viewer=ADMIN, mission="KFOR").run([(edge["id"], edge)]).accepted == 1
    found = series(run(store, by="sector"))
    assert found["beside"]["counts"] == [1, 0, 0, 0]
    assert found["west"]["counts"] == [1, 2, 3, 4]
