"""Seizures and items handed in citing the field reports they came from, on both backends:
links written in the order cited, read back through the label filter (a report the reader may
not see is never named), the reverse look-up, and refusals that write nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from peacewatch.domain.labels import Classification, Viewer
from peacewatch.errors import ValidationFailed
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.ops import trafficking, weapons_writes
from peacewatch.store import Store
from peacewatch.store import seizures as seizure_store
from peacewatch.store import weapons as weapons_store
from peacewatch.store.report_citations import citing
from peacewatch.store.tables import seizure_reports, seizures, weapons_item_reports, weapons_items
from tests.conftest import ADMIN
from tests.helpers import report

NU = "NATO UNCLASSIFIED REL TO KFOR, NATO"
SECRET = "NATO SECRET REL TO NATO"
# Cleared to NATO RESTRICTED, KFOR: sees NU records, never the SECRET report.
KFOR = Viewer("kfor", "FRA", Classification.NATO_RESTRICTED, frozenset({"KFOR", "NATO"}))
SPOT = "0b6c7e3a-3f52-4c1e-9a51-5d1f7a0c0001"
SALUTE = "0b6c7e3a-3f52-4c1e-9a51-5d1f7a0c0002"
HIDDEN = "0b6c7e3a-3f52-4c1e-9a51-5d1f7a0c0003"


def _reports(store: Store) -> None:
    rows = [
        report(id=SPOT, kind="seizure", title="SPOT: lorry stopped at Morina", label=NU,
               observed_at="2000-05-20T08:00:00Z"),
        report(id=SALUTE, kind="seizure", title="SALUTE: 12 rifles under cigarettes",
               label=NU, observed_at="2000-05-20T09:30:00Z"),
        report(id=HIDDEN, kind="seizure", title="Source KILO: the buyer in Prizren",
               label=SECRET, observed_at="2000-05-19T22:00:00Z"),
    ]  # fmt: skip
    summary = Pipeline(store, viewer=ADMIN, mission="KFOR").run((r["id"], r) for r in rows)
    assert summary.accepted == 3, summary.to_dict()


def _seizure(uid: str, **extra: Any) -> dict[str, Any]:
    return {
        "uid": uid, "seized_at": "2000-05-20T10:00:00Z", "category": "arms", "quantity": 12,
        "unit": "items", "place": "Morina", "lon": 20.55, "lat": 42.1, "crossing": "Morina",
        "label": NU, **extra,
    }  # fmt: skip


def _ddr(store: Store) -> None:
    weapons_writes.add_point(
        store, viewer=ADMIN,
        data={"uid": "p1", "mission": "KFOR", "name": "Point 1", "place": "Gjilan",
              "geometry": {"type": "Point", "coordinates": [21.47, 42.46]}},
    )  # fmt: skip
    weapons_writes.add_campaign(
        store, viewer=ADMIN,
        data={"code": "C1", "mission": "KFOR", "name": "C1", "start": "2000-05-01T00:00:00Z",
              "targets": [{"category": "weapons", "quantity": 4}]},
    )  # fmt: skip


def _item(uid: str, **extra: Any) -> dict[str, Any]:
    return {
        "uid": uid, "campaign": "C1", "point": "p1", "category": "small_arms",
        "serial": f"S-{uid}", "collected_at": "2000-05-21T10:00:00Z", "received_by": "TF",
        "label": NU, **extra,
    }  # fmt: skip


def _count(store: Store, table: Any) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_seizure_cites_its_reports_in_order_and_hides_what_the_reader_may_not_see(
    store: Store,
) -> None:
    _reports(store)
    # cited in this order, upper case accepted: uuids are compared in canonical form
    cited = [SALUTE.upper(), HIDDEN, SPOT]
    trafficking.add_seizures(store, viewer=ADMIN, items=[_seizure("s1", reports=cited)])
    assert _count(store, seizure_reports) == 3
    with store.read() as conn:
        full = seizure_store.list_seizures(conn, viewer=ADMIN, uid="s1")[0]["properties"]
        less = seizure_store.list_seizures(conn, viewer=KFOR, uid="s1")[0]["properties"]
        bare = seizure_store.list_seizures(conn, viewer=ADMIN, uid="s1", with_reports=False)
    assert [r["id"] for r in full["reports"]] == [SALUTE, HIDDEN, SPOT]
    assert full["reports"][0] == {
        "id": SALUTE, "kind": "seizure", "title": "SALUTE: 12 rifles under cigarettes",
        "observed_at": "2000-05-20T09:30:00Z", "label": NU,
    }  # fmt: skip
    # the reader without access sees the seizure and the two reports they may see, nothing of
    # the third: not its uid, its title nor a gap in the list
    assert [r["id"] for r in less["reports"]] == [SALUTE, SPOT]
    assert HIDDEN not in repr(less) and "KILO" not in repr(less)
    assert "reports" not in bare[0]["properties"]


def test_an_item_cites_its_reports_and_the_reverse_lists_what_the_reader_sees(
    store: Store,
) -> None:
    _reports(store)
    _ddr(store)
    weapons_writes.add_items(store, viewer=ADMIN, items=[_item("i1", reports=[SPOT, HIDDEN])])
    trafficking.add_seizures(
        store, viewer=ADMIN,
        items=[_seizure("s1", reports=[SPOT]),
               _seizure("s2", reports=[SPOT], label=SECRET, seized_at="2000-05-20T07:00:00Z")],
    )  # fmt: skip
    assert _count(store, weapons_item_reports) == 2
    with store.read() as conn:
        item = weapons_store.list_items(conn, viewer=KFOR, uid="i1")[0]
        both = citing(conn, viewer=ADMIN, uuid=SPOT)
        seen = citing(conn, viewer=KFOR, uuid=SPOT)
        hidden = citing(conn, viewer=KFOR, uuid=HIDDEN)
        absent = citing(conn, viewer=ADMIN, uuid="0b6c7e3a-3f52-4c1e-9a51-5d1f7a0c0fff")
        by_secret = citing(conn, viewer=ADMIN, uuid=HIDDEN)
    assert [r["id"] for r in item["reports"]] == [SPOT]
    assert both is not None and seen is not None
    # oldest first: s2 (07:00), s1 (10:00), then the item handed in the next day
    assert [(r["kind"], r["id"]) for r in both] == [
        ("seizure", "s2"), ("seizure", "s1"), ("weapons_item", "i1"),
    ]  # fmt: skip
    assert both[2]["campaign"] == "C1" and both[2]["at"] == "2000-05-21T10:00:00Z"
    # the SECRET seizure citing a report the reader sees is still not shown to them
    assert [r["id"] for r in seen] == ["s1", "i1"]
    assert hidden is None and absent is None
    assert by_secret is not None and [r["id"] for r in by_secret] == ["i1"]


@pytest.mark.parametrize("writer", [ADMIN, KFOR], ids=["unknown-uid", "hidden-from-writer"])
def test_a_report_the_writer_may_not_cite_is_refused_naming_it_and_nothing_is_written(
    store: Store, writer: Viewer
) -> None:
    _reports(store)
    _ddr(store)
    missing = "0b6c7e3a-3f52-4c1e-9a51-5d1f7a0c0fff" if writer is ADMIN else HIDDEN
    with pytest.raises(ValidationFailed) as caught:
        trafficking.add_seizures(
            store, viewer=writer,
            items=[_seizure("ok", reports=[SPOT]), _seizure("s1", reports=[SPOT, missing])],
        )  # fmt: skip
    [problem] = caught.value.problems
    assert problem.field == "reports[1]"
    # the same answer whether the report is absent or hidden: nothing tells the writer it exists
    assert problem.message == f"no report {missing!r} that you may see"
    assert f"reports[1]: no report {missing!r}" in str(caught.value)
    with pytest.raises(ValidationFailed) as item_caught:
        weapons_writes.add_items(store, viewer=writer, items=[_item("i1", reports=[missing])])
    assert [p.field for p in item_caught.value.problems] == ["reports[0]"]
    for table in (seizures, seizure_reports, weapons_items, weapons_item_reports):
        assert _count(store, table) == 0, table.name


@pytest.mark.parametrize(
    ("cited", "field"),
    [
        ([SPOT, SALUTE, SPOT.upper()], "reports[2]"),  # cited twice
        (SPOT, "reports"),  # not a list
        ([SPOT, 7], "reports"),
        (["not-a-uuid"], "reports[0]"),
    ],
)
def test_bad_citations_name_the_field(store: Store, cited: Any, field: str) -> None:
    _reports(store)
    with pytest.raises(ValidationFailed) as caught:
        trafficking.add_seizures(store, viewer=ADMIN, items=[_seizure("s1", reports=cited)])
    assert [p.field for p in caught.value.problems] == [field]
    assert _count(store, seizures) == 0


def test_links_go_with_the_seizure(store: Store) -> None:
    _reports(store)
    trafficking.add_seizures(store, viewer=ADMIN, items=[_seizure("s1", reports=[SPOT])])
    with store.write() as conn:
        conn.execute(seizures.delete())
    assert _count(store, seizure_reports) == 0  # ON DELETE CASCADE on both backends
