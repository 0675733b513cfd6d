"""Analysts' merge, split and detach, and bulk re-runs that keep them, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from peacewatch.errors import NotFound, ValidationFailed
from peacewatch.fusion import decisions
from peacewatch.fusion.rerun import rerun
from peacewatch.store import Store
from peacewatch.store.tables import audit_log, fusion_decisions, fusion_pins
from tests.conftest import ADMIN
from tests.fusion.helpers import BASE, at, file, grouping, stored_events


def _three_events(store: Store) -> list[dict[str, str]]:
    rows = [
        at(kind="roadblock"),
        at(50, 10, kind="roadblock"),
        at(5_000, kind="roadblock"),
        at(20_000, kind="demonstration"),
    ]
    file(store, *rows)
    assert len(grouping(store)) == 3
    return rows


def _uuid_of(store: Store, report_id: str) -> str:
    for event in stored_events(store):
        from peacewatch.store.events import event_report_list

        with store.read() as conn:
            ids = {r["id"] for r in event_report_list(conn, viewer=ADMIN, event_id=event.id)}
        if report_id in ids:
            return str(event.uuid)
    raise AssertionError(report_id)


def test_merge_keeps_the_oldest_event_locks_it_and_survives_a_rerun(store: Store) -> None:
    a, _, c, _ = _three_events(store)
    kept = decisions.merge(
        store,
        viewer=ADMIN,
        event_uuids=[_uuid_of(store, a["id"]), _uuid_of(store, c["id"])],
        reason="the same roadblock, mislocated by the second patrol",
    )
    assert kept == _uuid_of(store, a["id"]) == _uuid_of(store, c["id"])
    before = grouping(store)
    assert len(before) == 2
    rerun(store, since=None, actor="tests")
    assert grouping(store) == before
    merged = next(e for e in stored_events(store) if e.uuid == kept)
    assert merged.locked and merged.report_count == 3
    with store.read() as conn:
        decision = conn.execute(select(fusion_decisions)).one()
        assert decision.action == "merge" and decision.created_by == ADMIN.name
        assert conn.execute(select(audit_log).where(audit_log.c.action == "events.merge")).first()


def test_split_moves_reports_to_a_new_event_that_a_rerun_keeps(store: Store) -> None:
    a, b, _, _ = _three_events(store)
    made = decisions.split(
        store, viewer=ADMIN, event_uuid=_uuid_of(store, a["id"]), report_uuids=[b["id"]],
        reason="two roadblocks: one each side of the bridge",
    )  # fmt: skip
    assert _uuid_of(store, b["id"]) == made != _uuid_of(store, a["id"])
    before = grouping(store)
    rerun(store, since=BASE - timedelta(days=1), actor="tests")
    assert grouping(store) == before


def test_detach_takes_a_report_out_of_fusion_for_good(store: Store) -> None:
    a, b, _, _ = _three_events(store)
    decisions.detach(
        store, viewer=ADMIN, event_uuid=_uuid_of(store, a["id"]), report_uuid=b["id"],
        reason="a different incident",
    )  # fmt: skip
    rerun(store, since=None, actor="tests")
    assert all(b["id"] not in group for group in grouping(store))
    with store.read() as conn:
        pin = conn.execute(select(fusion_pins).where(fusion_pins.c.event_id.is_(None))).one()
    assert pin.decision_id


def test_rerun_rebuilds_what_the_hook_built(store: Store) -> None:
    _three_events(store)
    file(store, at(100, 30, kind="roadblock"), at(30, 5, kind="shooting"))
    before = grouping(store)
    result = rerun(store, since=None, actor="tests")
    assert grouping(store) == before and result.reports == 6


def test_decisions_need_a_reason_and_visible_events(store: Store) -> None:
    a, _, c, _ = _three_events(store)
    with pytest.raises(ValidationFailed):
        decisions.merge(store, viewer=ADMIN, event_uuids=[_uuid_of(store, a["id"])], reason="x")
    with pytest.raises(ValidationFailed):
        decisions.merge(
            store, viewer=ADMIN, event_uuids=[_uuid_of(store, a["id"]), _uuid_of(store, c["id"])],
            reason=" ",
        )  # fmt: skip
    with pytest.raises(NotFound):
        decisions.merge(
            store, viewer=ADMIN, event_uuids=[_uuid_of(store, a["id"]), "nope"], reason="x"
        )
    with pytest.raises(ValidationFailed):  # a split must leave something behind
        decisions.split(
            store, viewer=ADMIN, event_uuid=_uuid_of(store, c["id"]), report_uuids=[c["id"]],
            reason="x",
        )  # fmt: skip
