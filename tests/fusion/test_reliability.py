"""Reports take their registered source's reliability at their observed time; a change of a
source's reliability regrades its later reports, with history, and their events follow; on
both backends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from peacewatch.fusion.grading import add_source, change_reliability, change_report_grade, history
from peacewatch.store import Store
from peacewatch.store.tables import reports
from tests.conftest import ADMIN, bearer, make_user
from tests.fusion.helpers import BASE, at, file, stored_events

OPEN = "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"
SECRET = "NATO SECRET REL TO NATO"


def _register(store: Store, code: str, reliability: str, label: str = OPEN) -> None:
    data = {"code": code, "name": code, "kind": "observation_post", "label": label}
    add_source(store, viewer=ADMIN, data=data | {"reliability": reliability})


def _grades(store: Store) -> dict[str, str | None]:
    with store.read() as conn:
        return dict(conn.execute(select(reports.c.uuid, reports.c.grade)).all())


def _change(store: Store, code: str, reliability: str, since: Any = None) -> int:
    data = {"reliability": reliability, "reason": "test"}
    if since is not None:
        data["from"] = since.isoformat()
    return change_reliability(store, viewer=ADMIN, code=code, data=data)


def test_a_report_from_a_registered_source_takes_its_reliability(store: Store) -> None:
    _register(store, "OP-1", "B")
    rows = [
        at(kind="roadblock", source="op-1", grade="C3"),  # the code, in another case
        at(kind="roadblock", source="OP-1", grade=None),  # no grade: cannot be judged
        at(kind="roadblock", source="op-2", grade="C3"),  # not registered: its own grade
        at(kind="roadblock", grade="E5"),
        at(kind="roadblock", source="op-1", grade="C3", label=SECRET),  # more restrictive
    ]
    file(store, *rows)
    assert [_grades(store)[r["id"]] for r in rows] == ["B3", "B6", "C3", "E5", "B3"]


def test_the_reliability_in_force_at_the_observed_time(store: Store) -> None:
    _register(store, "op-1", "B")
    _change(store, "op-1", "D", BASE + timedelta(days=1))
    _change(store, "op-1", "A", BASE + timedelta(days=3))
    rows = [at(minutes=m * 24 * 60, kind="roadblock", source="op-1") for m in (-1, 2, 4)]
    file(store, *rows)
    assert [_grades(store)[r["id"]] for r in rows] == ["B2", "D2", "A2"]
    _change(store, "op-1", "C", BASE + timedelta(days=2.5))  # overrides A's start too
    assert [_grades(store)[r["id"]] for r in rows] == ["B2", "D2", "C2"]


def test_a_source_labelled_above_its_report_does_not_grade_it(store: Store) -> None:
    _register(store, "humint-4", "E", label=SECRET)
    row = at(kind="roadblock", source="humint-4", grade="B2", label=OPEN)
    file(store, row)
    _change(store, "humint-4", "F", BASE - timedelta(days=1))
    assert _grades(store)[row["id"]] == "B2"  # an open report must not show a secret grade


def test_a_change_regrades_exactly_the_later_reports(store: Store) -> None:
    _register(store, "op-1", "B")
    _register(store, "op-2", "B")
    early = at(kind="roadblock", source="op-1", grade="B2")
    later = at(minutes=2 * 24 * 60, kind="roadblock", source="op-1", grade="B2")
    pinned = at(minutes=2 * 24 * 60, kind="roadblock", source="op-1", grade="B2")
    other = at(minutes=2 * 24 * 60, kind="roadblock", source="op-2", grade="B2")
    file(store, early, later, pinned, other)
    regrade = {"grade": "A1", "reason": "seen on the spot"}
    change_report_grade(store, viewer=ADMIN, uuid=pinned["id"], data=regrade)
    assert _change(store, "op-1", "D", BASE + timedelta(days=1)) == 1
    grades = _grades(store)
    assert [grades[r["id"]] for r in (early, later, pinned, other)] == ["B2", "D2", "A1", "B2"]
    with store.read() as conn:
        kept = history(conn, viewer=ADMIN, report=later["id"])
        analyst = history(conn, viewer=ADMIN, report=pinned["id"])
        own = history(conn, viewer=ADMIN, source="op-1")
        assert history(conn, viewer=ADMIN, report=early["id"]) == []
    assert kept is not None and analyst is not None and own is not None
    assert [(h["previous"], h["grade"], h["reason"], h["pinned"]) for h in kept] == [
        ("B2", "D2", "source op-1 reliability B→D", False)
    ]
    assert kept[0]["changed_by"] == ADMIN.name
    assert [(h["grade"], h["pinned"]) for h in analyst] == [("A1", True)]
    assert [(h["previous"], h["grade"]) for h in own] == [(None, "B"), ("B", "D")]
    assert own[1]["changed_at"].startswith((BASE + timedelta(days=1)).date().isoformat())
    # the analyst's grade holds for good, and an unchanged letter writes no history
    assert _change(store, "op-1", "D", BASE - timedelta(days=1)) == 1  # only ``early``
    assert _grades(store)[pinned["id"]] == "A1"


def test_event_credibility_follows_its_sources(store: Store) -> None:
    _register(store, "op-1", "B")
    _register(store, "op-2", "B")
    file(
        store,
        at(kind="shooting", source="op-1", grade="C3"),
        at(200, 2, kind="shooting", source="op-2", grade="C3"),
    )
    (event,) = stored_events(store)
    assert event.credibility == 1  # two independent reliable sources
    _change(store, "op-2", "E", BASE - timedelta(days=1))
    (event,) = stored_events(store)
    assert event.credibility == 2  # two sources, one of them unreliable


def test_the_source_item_counts_only_visible_reports(client: Any, store: Store) -> None:
    _register(store, "op-1", "B")
    file(
        store,
        at(kind="roadblock", source="op-1", label=OPEN),
        at(kind="roadblock", source="OP-1", label=OPEN),
        at(kind="roadblock", source="op-1", label=SECRET),
        at(kind="roadblock", source="op-9", label=OPEN),
    )
    item = client.get("/api/v1/sources/op-1").json()
    assert item["reports"] == 3 and [h["grade"] for h in item["history"]] == ["B"]
    partner = make_user(
        store, "ukr", nation="UKR", clearance="NATO RESTRICTED", communities=("PARTNER",),
        roles=("partner_liaison",),
    )  # fmt: skip
    assert client.get("/api/v1/sources/op-1", headers=bearer(store, partner)).json()["reports"] == 2
    change = {"reliability": "C", "reason": "r", "from": "1999-06-01T00:00:00Z"}
    changed = client.patch("/api/v1/sources/op-1", json=change).json()
    assert changed["reliability"] == "C" and len(changed["history"]) == 2
    assert set(_grades(store).values()) == {"C2", "B2"}  # op-9's report keeps its own
    future = change | {"from": "2999-01-01T00:00:00Z"}
    assert client.patch("/api/v1/sources/op-1", json=future).status_code == 422
    duplicate = {"code": "OP-1", "name": "x", "kind": "patrol", "reliability": "A", "label": OPEN}
    assert client.post("/api/v1/sources", json=duplicate).status_code == 409
