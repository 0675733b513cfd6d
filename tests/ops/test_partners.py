"""Partners' rules on small hand-made data with known answers, on both backends; the scenario's
historical milestones against the reference notes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from peacewatch.domain.labels import Classification, Label, Viewer
from peacewatch.errors import NotFound, ValidationFailed
from peacewatch.ingest import records
from peacewatch.ops import exercise_records, partner_records
from peacewatch.ops.partner_views import exercise_views, partner_views, unit_views
from peacewatch.ops.partners import (
    Contribution,
    Milestone,
    StatusChange,
    accession_timeline,
    contributors_at,
    derived_label,
    goal_progress,
    interoperability,
    status_at,
    timeline,
)
from peacewatch.scenarios.kosovo1999 import history
from peacewatch.scenarios.kosovo1999.partners import load_partners
from peacewatch.store import Store
from tests.conftest import ADMIN

NU = Label.parse("NATO UNCLASSIFIED REL TO KFOR, NATO")
NR = Label.parse("NATO RESTRICTED REL TO NATO")
FRA_ONLY = Label.parse("NATO RESTRICTED REL TO FRA")


def day(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=UTC)


def ms(n: int, planned: datetime, achieved: datetime | None, label: Label = NU) -> Milestone:
    return Milestone(n, f"step {n}", planned, achieved, label)


# --- the rules, pure --------------------------------------------------------------------


def test_progress_counts_milestones_achieved_by_the_instant() -> None:
    steps = [
        ms(1, day(2000, 1, 1), day(2000, 1, 1)),
        ms(2, day(2000, 6, 1), day(2000, 8, 1)),  # late
        ms(3, day(2001, 1, 1), None),
        ms(4, day(2002, 1, 1), None),
    ]
    p = goal_progress(steps, day(2000, 7, 1))
    # By 1 Jul 2000: step 1 done; step 2 planned but not yet achieved -> behind.
    assert (p.percent, p.expected_percent, p.achieved, p.planned_by_now) == (25.0, 50.0, 1, 2)
    assert p.overdue == (2,) and p.behind_schedule and p.late == ()
    p = goal_progress(steps, day(2000, 9, 1))
    # Step 2 achieved late: no longer behind, but marked late.
    assert (p.percent, p.overdue, p.late, p.behind_schedule) == (50.0, (), (2,), False)
    p = goal_progress(steps, day(2001, 6, 1))
    assert (p.percent, p.expected_percent, p.overdue) == (50.0, 75.0, (3,))
    p = goal_progress(steps, day(1999, 1, 1))
    assert (p.percent, p.expected_percent, p.behind_schedule) == (0.0, 0.0, False)
    done = [ms(1, day(2000, 1, 1), day(1999, 12, 1)), ms(2, day(2000, 2, 1), day(2000, 2, 1))]
    p = goal_progress(done, day(2000, 3, 1))
    assert (p.percent, p.behind_schedule, p.late, p.method) == (100.0, False, (), "milestones")


def test_progress_without_milestones_uses_the_recorded_percentage_and_due_date() -> None:
    p = goal_progress([], day(2003, 1, 1), recorded=60, due_at=day(2002, 12, 31))
    assert (p.percent, p.behind_schedule, p.method) == (60.0, True, "recorded")
    p = goal_progress([], day(2002, 1, 1), recorded=60, due_at=day(2002, 12, 31))
    assert (p.percent, p.behind_schedule, p.expected_percent) == (60.0, False, None)
    assert (
        goal_progress([], day(2003, 1, 1), recorded=100, due_at=day(2002, 1, 1)).behind_schedule
        is False
    )
    assert goal_progress([], day(2003, 1, 1)).percent == 0.0


def change(status: str, since: datetime, nation: str = "BIH") -> StatusChange:
    return StatusChange(nation, status, since, "test source", NU)


def test_status_at_a_date_and_timeline_order() -> None:
    steps = [
        change("member", day(2009, 4, 1)),
        change("pfp", day(2006, 12, 14)),
        change("map", day(2010, 4, 22)),
    ]
    assert status_at(steps, day(2006, 12, 13)) is None
    assert status_at(steps, day(2006, 12, 14)).status == "pfp"  # type: ignore[union-attr]
    assert status_at(steps, day(2010, 1, 1)).status == "member"  # type: ignore[union-attr]
    assert status_at(steps, day(2011, 1, 1)).status == "map"  # type: ignore[union-attr]
    assert [c.status for c in timeline(steps)] == ["pfp", "member", "map"]
    # Same day: the order of the road (PfP before MAP before invited before member).
    same = [change("member", day(2009, 4, 1)), change("invited", day(2009, 4, 1))]
    assert [c.status for c in timeline(same)] == ["invited", "member"]
    assert status_at(same, day(2009, 4, 1)).status == "member"  # type: ignore[union-attr]
    rows = accession_timeline(steps)
    assert [r["days_after_previous"] for r in rows] == [None, 839, 386]
    assert rows[0]["name"] == "Partnership for Peace" and rows[0]["label"] == NU.marking


def test_interoperability_score_and_contributors() -> None:
    assert interoperability(["met", "partly", "not_met", None]) == {
        "met": 1, "partly": 1, "not_met": 1, "not_assessed": 1, "score": 50.0,
    }  # fmt: skip
    assert interoperability(["met", "met", "partly"])["score"] == 83.3
    assert interoperability([None])["score"] is None
    parts = [
        Contribution("FRA", "lead", day(1999, 6, 12), None, NU),
        Contribution("BEL", None, day(2000, 2, 7), day(2001, 1, 1), NU),
    ]
    assert contributors_at(parts, day(1999, 7, 1)) == ["FRA"]
    assert contributors_at(parts, day(2000, 2, 7)) == ["BEL", "FRA"]
    assert contributors_at(parts, day(2001, 1, 1)) == ["FRA"]  # to is exclusive


def test_a_derived_label_is_the_most_restrictive_and_still_names_its_viewer() -> None:
    viewer = Viewer("v", "FRA", Classification.NATO_SECRET, frozenset({"NATO", "KFOR"}))
    assert derived_label([NU, NR], viewer) == Label.parse("NATO RESTRICTED REL TO NATO")
    # REL TO FRA with REL TO NATO shares no code: released to the viewer's nation only.
    narrowed = derived_label([NU, FRA_ONLY, NR], viewer)
    assert narrowed == Label(Classification.NATO_RESTRICTED, frozenset({"FRA"}))


# --- through the store, on both backends -------------------------------------------------

PARTNER = Viewer("ukr", "UKR", Classification.NATO_RESTRICTED, frozenset({"PARTNER"}))
NATO_OFFICER = Viewer("fra", "FRA", Classification.NATO_SECRET, frozenset({"NATO", "KFOR"}))
PUBLIC = "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"


def _hand_made(store: Store) -> None:
    records.add_nations(
        store, [{"code": "BIH", "name": "Bosnia and Herzegovina", "kind": "nation"}]
    )
    for status, since in (("pfp", "2006-12-14T00:00:00Z"), ("map", "2010-04-22T00:00:00Z")):
        partner_records.add_status(
            store, viewer=ADMIN, nation="bih",
            data={"status": status, "since": since, "source": "hand-made", "label": PUBLIC},
        )  # fmt: skip
    partner_records.add_goal(
        store, viewer=ADMIN, nation="BIH",
        data={"uid": "g1", "title": "Reform", "label": PUBLIC, "milestones": [
            {"title": "a", "planned": "2000-01-01T00:00:00Z", "achieved": "2000-01-01T00:00:00Z"},
            {"title": "b", "planned": "2000-06-01T00:00:00Z"},
            # Only NATO may know of the third step: a partner's progress counts two.
            {"title": "c", "planned": "2001-01-01T00:00:00Z", "achieved": "2000-12-01T00:00:00Z",
             "label": "NATO RESTRICTED REL TO NATO"},
        ]},
    )  # fmt: skip


def test_views_filter_by_label_and_derive_progress_from_what_is_visible(store: Store) -> None:
    _hand_made(store)
    at = day(2001, 6, 1)
    with store.read() as conn:
        nato = partner_views(conn, viewer=NATO_OFFICER, at=at)
        partner = partner_views(conn, viewer=PARTNER, at=at)
        pfp = partner_views(conn, viewer=NATO_OFFICER, at=day(2008, 1, 1), nation="bih")
        map_ = partner_views(conn, viewer=PARTNER, at=day(2010, 4, 22), nation="BIH")
    assert [p["nation"] for p in nato] == ["BIH"] == [p["nation"] for p in partner]
    assert nato[0]["status"] is None  # 2001: before its Partnership for Peace
    assert pfp[0]["status"] == "pfp" and map_[0]["status"] == "map"
    assert map_[0]["status_since"].startswith("2010-04-22")
    assert [s["status"] for s in nato[0]["timeline"]] == ["pfp", "map"]
    goal = nato[0]["goals"][0]
    assert goal["progress"]["percent"] == pytest.approx(66.7)
    assert goal["progress"]["overdue"] == [2] and goal["progress"]["behind_schedule"]
    assert [m["overdue"] for m in goal["milestones"]] == [False, True, False]
    assert goal["label"] == "NATO RESTRICTED REL TO NATO"  # the most restrictive of its inputs
    seen = partner[0]["goals"][0]
    assert [m["number"] for m in seen["milestones"]] == [1, 2]
    assert seen["progress"]["percent"] == 50.0 and seen["label"] == PUBLIC
    assert nato[0]["goals_behind_schedule"] == 1


def test_exercises_and_units_are_label_filtered_with_outcomes(store: Store) -> None:
    exercise_records.add_exercise(
        store, viewer=ADMIN,
        data={"uid": "x1", "name": "Ex", "place": "Pristina", "start": "2000-04-10T00:00:00Z",
              "end": "2000-04-12T00:00:00Z", "participants": ["gbr", "UKR"], "label": PUBLIC,
              "objectives": [{"title": "o1", "outcome": "met"},
                             {"title": "o2", "outcome": "not_met",
                              "label": "NATO RESTRICTED REL TO NATO"}]},
    )  # fmt: skip
    exercise_records.add_multinational_unit(
        store, viewer=ADMIN,
        data={"uid": "u1", "name": "MNB", "kind": "brigade", "label": "NATO RESTRICTED REL TO NATO",
              "contributions": [{"nation": "FRA", "from": "1999-06-12T00:00:00Z"}]},
    )  # fmt: skip
    with store.read() as conn:
        nato = exercise_views(conn, viewer=NATO_OFFICER)
        partner = exercise_views(conn, viewer=PARTNER)
        units_nato = unit_views(conn, viewer=NATO_OFFICER, at=day(2000, 1, 1))
        units_partner = unit_views(conn, viewer=PARTNER)
    assert nato[0]["participants"] == ["GBR", "UKR"]
    assert nato[0]["interoperability"]["score"] == 50.0
    assert partner[0]["interoperability"]["score"] == 100.0  # o2 is not released to partners
    assert [u["contributors_at"] for u in units_nato] == [["FRA"]] and units_partner == []
    exercise_records.assess_objective(
        store, viewer=ADMIN, uid="x1", number=2, data={"outcome": "partly", "notes": "n"}
    )
    with store.read() as conn:
        again = exercise_views(conn, viewer=NATO_OFFICER)[0]
    assert again["objectives"][1]["outcome"] == "partly"
    assert again["objectives"][1]["assessed_by"] == "admin"
    with pytest.raises(NotFound):  # the partner may not see (so not assess) objective 2
        exercise_records.assess_objective(
            store, viewer=Viewer("p", "UKR", Classification.NATO_SECRET, frozenset({"PARTNER"})),
            uid="x1", number=2, data={"outcome": "met"},
        )  # fmt: skip


def test_invalid_input_names_every_field(store: Store) -> None:
    with pytest.raises(ValidationFailed) as caught:
        partner_records.add_goal(
            store, viewer=ADMIN, nation="GBR",
            data={"progress": 140, "milestones": [{"title": "x", "planned": "soon"}]},
        )  # fmt: skip
    fields = {p.field for p in caught.value.problems}
    assert fields == {"title", "progress", "milestones[0].planned"}
    with pytest.raises(ValidationFailed) as caught:
        partner_records.add_status(
            store, viewer=ADMIN, nation="XXX",
            data={"status": "member", "since": "2009-04-01T00:00:00Z", "source": "s"},
        )  # fmt: skip
    assert [p.field for p in caught.value.problems] == ["nation"]


# --- the scenario's milestones are the reference notes' dates ----------------------------

# Transcribed from /work/shared/reference/balkans-facts.md, "Membership and partnership":
# Albania, Croatia members 1 Apr 2009; Montenegro 5 Jun 2017; North Macedonia 27 Mar 2020;
# Serbia, Bosnia and Herzegovina, Montenegro PfP 14 Dec 2006; Bosnia and Herzegovina invited
# to the MAP 22 Apr 2010.
REFERENCE: dict[str, list[tuple[str, str]]] = {
    "ALB": [("member", "2009-04-01")],
    "HRV": [("member", "2009-04-01")],
    "MNE": [("pfp", "2006-12-14"), ("member", "2017-06-05")],
    "MKD": [("member", "2020-03-27")],
    "BIH": [("pfp", "2006-12-14"), ("map", "2010-04-22")],
    "SRB": [("pfp", "2006-12-14")],
}


def test_the_scenario_milestones_are_the_reference_dates_with_sources(store: Store) -> None:
    records.add_nations(
        store, [{"code": n["code"], "name": n["name"], "kind": n["kind"]} for n in history.NATIONS]
    )
    counts = load_partners(store, ADMIN, None)
    assert counts["partner_milestones"] == sum(len(v) for v in REFERENCE.values())
    with store.read() as conn:
        items = partner_views(conn, viewer=ADMIN, at=day(2021, 1, 1))
        units = {u["id"]: u for u in unit_views(conn, viewer=ADMIN, at=day(2000, 3, 1))}
        exercises = exercise_views(conn, viewer=ADMIN)
    found = {p["nation"]: [(s["status"], s["since"][:10]) for s in p["timeline"]] for p in items}
    assert found == REFERENCE
    for p in items:
        for step in p["timeline"]:
            assert step["source"] and not step["synthetic"]
        for goal in p["goals"]:  # goals are synthetic, and say so
            assert goal["synthetic"] and "synthetic" in goal["source"]
    assert {p["nation"]: p["status"] for p in items}["MKD"] == "member"
    assert all(e["synthetic"] and "(synthetic)" in e["name"] for e in exercises)
    # KFOR's brigades and their lead nations (reference notes' brigade table).
    leads: dict[str, Any] = {
        u: [c["nation"] for c in units[u]["contributions"] if c["role"] == "lead nation"]
        for u in units
        if u.startswith("mnb-")
    }
    assert leads == {
        "mnb-north": ["FRA"], "mnb-centre": ["GBR"], "mnb-west": ["ITA"],
        "mnb-south": ["DEU"], "mnb-east": ["USA"],
    }  # fmt: skip
    assert units["mnb-north"]["contributors_at"] == ["ARE", "BEL", "DNK", "FRA", "MAR"]
    assert units["seebrig"]["formed"][:10] == "1999-08-31"
    assert "seebrig.org" in units["seebrig"]["source"]


# --- the CLI ---------------------------------------------------------------------------


def test_cli_partners_status_as_a_user(store: Store) -> None:
    from click.testing import CliRunner

    from peacewatch.cli import main
    from tests.conftest import make_user

    _hand_made(store)
    make_user(store, "nato.reader", nation="FRA", communities=("NATO", "KFOR"))
    make_user(
        store, "ukr.reader", nation="UKR", clearance="NATO RESTRICTED", communities=("PARTNER",)
    )
    url = store.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    shown = runner.invoke(main, ["--database", url, "partners", "status", "--as", "nato.reader"])
    assert shown.exit_code == 0, shown.output
    assert "BIH Bosnia and Herzegovina: Membership Action Plan since 2010-04-22" in shown.output
    assert "goal g1: Reform 66.7%  BEHIND SCHEDULE" in shown.output
    as_json = runner.invoke(
        main,
        ["--database", url, "partners", "status", "bih", "--as", "ukr.reader", "--json",
         "--at", "2008-01-01T00:00:00Z"],
    )  # fmt: skip
    assert as_json.exit_code == 0, as_json.output
    (item,) = json.loads(as_json.output)["items"]
    assert item["status"] == "pfp" and item["goals"][0]["progress"]["percent"] == 50.0
    missing = runner.invoke(
        main, ["--database", url, "partners", "status", "SRB", "--as", "ukr.reader"]
    )
    assert missing.exit_code == 1
    nobody = runner.invoke(main, ["--database", url, "partners", "status", "--as", "nobody"])
    assert nobody.exit_code == 2 and "no active user" in nobody.output
