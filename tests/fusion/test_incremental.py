"""Incremental fusion on ingest: joins and new events at the thresholds, labels, counts and
credibility, on both backends."""

from __future__ import annotations

import pytest

from peacewatch.store import Store
from tests.fusion.helpers import at, file, grouping, stored_events


@pytest.mark.parametrize(
    ("kind", "metres", "minutes"),
    [
        ("small_arms_fire", 2_500, 20),
        ("explosion", 3_000, 30),
        ("roadblock", 300, 24 * 60),
        ("demonstration", 1_000, 180),
        ("armed_personnel_sighting", 1_000, 120),
    ],
)
def test_a_report_at_the_thresholds_joins(
    store: Store, kind: str, metres: float, minutes: float
) -> None:
    first, second = at(kind=kind), at(metres, minutes, kind=kind)
    file(store, first)
    file(store, second)  # a later batch: joins the stored event
    assert grouping(store) == [{first["id"], second["id"]}]


@pytest.mark.parametrize(("metres", "minutes"), [(2_502, 0), (0, 20.05), (2_502, 20.05)])
def test_a_report_beyond_a_threshold_starts_an_event(
    store: Store, metres: float, minutes: float
) -> None:
    file(store, at(kind="shooting"), at(metres, minutes, kind="shooting"))
    assert len(grouping(store)) == 2


def test_gunfire_heard_two_km_away_ten_minutes_later_is_one_event(store: Store) -> None:
    rows = [
        at(kind="shooting"),
        at(2_000, 10, kind="small_arms_fire"),
        at(-500, 5, kind="armed_clash"),
    ]
    file(store, *rows)
    (event,) = stored_events(store)
    assert event.kind == "armed_clash" and event.report_count == 3


def test_kinds_of_different_families_are_different_events(store: Store) -> None:
    file(store, at(kind="roadblock"), at(10, 1, kind="shooting"), at(20, 2, kind="demonstration"))
    assert len(grouping(store)) == 3


def test_routine_reports_are_not_fused(store: Store) -> None:
    file(store, at(kind="aid_delivery"), at(kind="patrol_report"))
    assert grouping(store) == []


def test_a_report_joins_the_nearest_open_event(store: Store) -> None:
    a, b = at(kind="roadblock"), at(600, kind="roadblock")
    file(store, a, b)
    middle = at(350, 60, kind="roadblock")  # 350 m from a, 250 m from b
    file(store, middle)
    assert grouping(store) == sorted([{a["id"]}, {b["id"], middle["id"]}], key=min)


def test_late_reports_join_the_event_they_belong_to(store: Store) -> None:
    late, early = at(kind="explosion"), at(100, -25, kind="explosion")
    file(store, late)
    file(store, early)
    (event,) = stored_events(store)
    assert event.first_observed_at < event.last_observed_at


def test_the_event_label_is_the_most_restrictive_of_its_reports(store: Store) -> None:
    file(
        store,
        at(kind="shooting", label="NATO UNCLASSIFIED REL TO KFOR, NATO"),
        at(100, 1, kind="shooting", label="NATO CONFIDENTIAL REL TO NATO"),
    )
    (event,) = stored_events(store)
    assert event.marking == "NATO CONFIDENTIAL REL TO NATO"


def test_counts_and_derived_credibility(store: Store) -> None:
    file(store, at(kind="shooting", source="patrol-1", grade="B3"))
    assert [(e.report_count, e.source_count, e.credibility) for e in stored_events(store)] == [
        (1, 1, 3)
    ]
    file(store, at(50, 1, kind="shooting", source="patrol-1", grade="B3"))
    assert stored_events(store)[0].credibility == 3  # the same source again confirms nothing
    file(store, at(80, 2, kind="shooting", source="liaison-7", grade="E4"))
    event = stored_events(store)[0]
    assert (event.report_count, event.source_count, event.credibility) == (3, 2, 2)
    file(store, at(90, 3, kind="shooting", source="uav-2", grade="A3"))
    assert stored_events(store)[0].credibility == 1  # two reliable independent sources
