"""Weapons collection (DDR) rules on small hand-made data with known answers: serial
normalisation and de-duplication, the chain of custody, progress against target — the store
parts on both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from peacewatch.domain.errors import DomainError
from peacewatch.domain.labels import Classification, Viewer
from peacewatch.errors import ValidationFailed
from peacewatch.ops import weapons_writes
from peacewatch.ops.weapons import (
    campaign_progress,
    check_targets,
    check_transition,
    normalise_serial,
    progress,
)
from peacewatch.store import Store, audit
from peacewatch.store import weapons as weapons_store
from tests.conftest import ADMIN

T = datetime(1999, 7, 1, tzinfo=UTC)
NATO_ONLY = Viewer("nato", "GBR", Classification.NATO_SECRET, frozenset({"NATO"}))
PARTNER = Viewer("partner", "UKR", Classification.NATO_RESTRICTED, frozenset({"PARTNER"}))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("ak-47 123/a", "AK47123A"),
        ("  M70  AB 0012 ", "M70AB0012"),
        ("М70АВ0012", "M70AB0012"),  # Cyrillic М, А, В as on a Zastava receipt
        ("m70.ab.0012", "M70AB0012"),
        ("Ｍ７０", "M70"),  # full-width forms fold (NFKC)
        ("---", None),
        (None, None),
    ],
)
def test_serials_are_normalised(given: str | None, expected: str | None) -> None:
    assert normalise_serial(given) == expected


def test_a_serial_too_long_names_the_field() -> None:
    with pytest.raises(DomainError) as caught:
        normalise_serial("9" * 65)
    assert caught.value.field == "serial"


@pytest.mark.parametrize(
    ("current", "state", "category"),
    [
        (None, "collected", "small_arms"),
        ("collected", "stored", "small_arms"),
        ("stored", "stored", "heavy_weapons"),  # handed from one store to another
        ("stored", "destroyed", "small_arms"),
        ("collected", "destroyed", "mines"),  # destroyed where found
    ],
)
def test_valid_custody_transitions(current: str | None, state: str, category: str) -> None:
    assert (
        check_transition(current=current, state=state, category=category, last_at=T, at=T) == state
    )


@pytest.mark.parametrize(
    ("current", "state", "category", "field"),
    [
        (None, "stored", "small_arms", "state"),
        ("collected", "collected", "small_arms", "state"),
        ("collected", "destroyed", "small_arms", "state"),  # a weapon is stored first
        ("destroyed", "stored", "mines", "state"),
        ("stored", "lost", "small_arms", "state"),
    ],
)
def test_invalid_custody_transitions_name_the_field(
    current: str | None, state: str, category: str, field: str
) -> None:
    with pytest.raises(DomainError) as caught:
        check_transition(current=current, state=state, category=category, last_at=None, at=T)
    assert caught.value.field == field


def test_custody_cannot_go_back_in_time() -> None:
    with pytest.raises(DomainError) as caught:
        check_transition(
            current="collected", state="stored", category="small_arms",
            last_at=T, at=datetime(1999, 6, 30, tzinfo=UTC),
        )  # fmt: skip
    assert caught.value.field == "at"


def test_progress_against_targets_known_answer() -> None:
    targets = check_targets(
        [
            {"category": "weapons", "quantity": 10},
            {"category": "small_arms", "place": "p1", "quantity": 4},
            {"category": "ammunition", "quantity": 1000},
        ]
    )
    counted = [
        ("small_arms", "p1", 3),
        ("small_arms", "p2", 5),
        ("heavy_weapons", "p2", 2),
        ("ammunition", "p1", 1500),
        ("small_arms", "p1", 2),
    ]
    body = progress(targets, counted)
    weapons, at_p1, rounds = body["targets"]
    assert (weapons["collected"], weapons["remaining"], weapons["percent"]) == (12, 0, 120.0)
    assert weapons["met"] is True
    assert (at_p1["collected"], at_p1["remaining"], at_p1["percent"]) == (5, 0, 125.0)
    assert (rounds["collected"], rounds["percent"], rounds["met"]) == (1500, 150.0, True)
    assert body["collected"] == {"ammunition": 1500, "heavy_weapons": 2, "small_arms": 10}
    assert body["places"] == [
        {"place": "p1", "collected": {"ammunition": 1500, "small_arms": 5}},
        {"place": "p2", "collected": {"heavy_weapons": 2, "small_arms": 5}},
    ]
    short = progress([{"category": "weapons", "place": None, "quantity": 20}], counted)
    assert short["targets"][0] | {} == {
        "category": "weapons", "place": None, "target": 20, "collected": 12,
        "remaining": 8, "percent": 60.0, "met": False,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("targets", "field"),
    [
        ([], "targets"),
        ([{"category": "rifles", "quantity": 3}], "targets[0].category"),
        ([{"category": "mines", "quantity": 0}], "targets[0].quantity"),
        ([{"category": "mines", "quantity": 2}, {"category": "mines", "quantity": 1.5}],
         "targets[1].quantity"),
    ],
)  # fmt: skip
def test_bad_targets_name_the_field(targets: list[dict[str, Any]], field: str) -> None:
    with pytest.raises(DomainError) as caught:
        check_targets(targets)
    assert caught.value.field == field


# --- in the store, on both backends ------------------------------------------------------


def _point(store: Store, uid: str, lon: float, label: str | None = None) -> None:
    data = {
        "uid": uid, "mission": "KFOR", "name": f"Point {uid}", "place": f"Town {uid}",
        "geometry": {"type": "Point", "coordinates": [lon, 42.5]},
    }  # fmt: skip
    weapons_writes.add_point(store, viewer=ADMIN, data=data | ({"label": label} if label else {}))


def _campaign(store: Store, code: str, label: str | None = None) -> None:
    data = {
        "code": code, "mission": "KFOR", "name": code, "start": "1999-06-20T00:00:00Z",
        "targets": [{"category": "weapons", "quantity": 4},
                    {"category": "small_arms", "place": "p1", "quantity": 2},
                    {"category": "ammunition", "quantity": 500}],
    }  # fmt: skip
    weapons_writes.add_campaign(
        store, viewer=ADMIN, data=data | ({"label": label} if label else {})
    )


def _item(uid: str, **extra: Any) -> dict[str, Any]:
    return {
        "uid": uid, "campaign": "C1", "point": "p1", "category": "small_arms",
        "calibre": "7.62x39mm", "serial": f"S-{uid}", "collected_at": "1999-07-01T10:00:00Z",
        "received_by": "1 PARA", **extra,
    }  # fmt: skip


@pytest.fixture
def ddr(store: Store) -> Store:
    _point(store, "p1", 21.1)
    _point(store, "p2", 21.2)
    _point(store, "hidden", 21.3, "NATO SECRET REL TO FRA")
    _campaign(store, "C1")
    _campaign(store, "C2")
    return store


def test_duplicate_serials_are_flagged_across_campaigns(ddr: Store) -> None:
    weapons_writes.add_items(
        ddr,
        viewer=ADMIN,
        items=[
            _item("a", serial="m70 ab-0012"),
            _item("b", serial="М70АВ0012", campaign="C2", collected_at="1999-08-01T10:00:00Z"),
            # same serial, other category: not a duplicate
            _item("c", serial="M70AB0012", category="heavy_weapons",
                  collected_at="1999-08-02T10:00:00Z"),
            _item("d", serial="M70/AB/0012", collected_at="1999-09-01T10:00:00Z"),
            _item("e", serial="OTHER-1"),
        ],
    )  # fmt: skip
    with ddr.read() as conn:
        items = {i["id"]: i for i in weapons_store.list_items(conn, viewer=ADMIN)}
        dupes = weapons_store.list_items(conn, viewer=ADMIN, duplicates=True)
    assert items["a"]["duplicate"] is False and items["a"]["duplicate_of"] == []
    assert [d["id"] for d in items["b"]["duplicate_of"]] == ["a"]
    assert items["b"]["duplicate_of"][0]["campaign"] == "C1"
    assert items["c"]["duplicate"] is False
    assert [d["id"] for d in items["d"]["duplicate_of"]] == ["a", "b"]
    assert items["e"]["duplicate"] is False
    assert [d["id"] for d in dupes] == ["b", "d"]
    assert items["b"]["serial"] == "М70АВ0012" and items["b"]["serial_normalised"] == "M70AB0012"


def test_a_duplicate_flag_never_reveals_a_hidden_item(ddr: Store) -> None:
    secret = "NATO SECRET REL TO NATO"
    weapons_writes.add_items(ddr, viewer=ADMIN, items=[_item("first", label=secret)])
    weapons_writes.add_items(
        ddr,
        viewer=ADMIN,
        items=[_item("second", serial="s first", collected_at="1999-07-02T00:00Z")],
    )
    kfor = Viewer("k", "FRA", Classification.NATO_SECRET, frozenset({"KFOR"}))
    with ddr.read() as conn:
        as_admin = weapons_store.list_items(conn, viewer=ADMIN, uid="second")[0]
        as_kfor = weapons_store.list_items(conn, viewer=kfor)
    assert [d["id"] for d in as_admin["duplicate_of"]] == ["first"]
    assert [(i["id"], i["duplicate"]) for i in as_kfor] == [("second", False)]


def test_custody_chain_valid_and_invalid_on_the_store(ddr: Store) -> None:
    weapons_writes.add_items(ddr, viewer=ADMIN, items=[_item("w")])
    with ddr.read() as conn:
        before = len(list(audit.entries(conn, action="weapons.custody")))
    store_at = {"state": "stored", "at": "1999-07-02T09:00:00Z", "by": "Sgt Jones",
                "place": "Camp Film City armoury"}  # fmt: skip
    assert weapons_writes.add_custody(ddr, viewer=ADMIN, uid="w", data=store_at) == 2
    with pytest.raises(ValidationFailed) as caught:  # back in time
        weapons_writes.add_custody(
            ddr,
            viewer=ADMIN,
            uid="w",
            data=store_at | {"state": "destroyed", "at": "1999-07-01T00:00Z"},
        )
    assert [p.field for p in caught.value.problems] == ["at"]
    with pytest.raises(ValidationFailed) as caught:
        weapons_writes.add_custody(
            ddr, viewer=ADMIN, uid="w", data=store_at | {"state": "collected"}
        )
    assert [p.field for p in caught.value.problems] == ["state"]
    with pytest.raises(ValidationFailed) as caught:
        weapons_writes.add_custody(ddr, viewer=ADMIN, uid="w", data={**store_at, "by": ""})
    assert [p.field for p in caught.value.problems] == ["by"]
    done = store_at | {"state": "destroyed", "at": "1999-07-10T09:00:00Z", "point": "p2"}
    assert weapons_writes.add_custody(ddr, viewer=ADMIN, uid="w", data=done) == 3
    with pytest.raises(ValidationFailed) as caught:
        weapons_writes.add_custody(
            ddr, viewer=ADMIN, uid="w", data=store_at | {"at": "1999-07-11T00:00Z"}
        )
    assert caught.value.problems[0].field == "state"
    assert "destroyed" in caught.value.problems[0].message
    with ddr.read() as conn:
        chain = weapons_store.custody_chain(conn, viewer=ADMIN, uid="w")
        item = weapons_store.list_items(conn, viewer=ADMIN, uid="w")[0]
        after = list(audit.entries(conn, action="weapons.custody"))
    assert chain is not None
    assert [(e["seq"], e["state"], e["place"]) for e in chain] == [
        (1, "collected", "Town p1"), (2, "stored", "Camp Film City armoury"),
        (3, "destroyed", "Town p2"),
    ]  # fmt: skip
    assert chain[0]["by"] == "1 PARA" and chain[1]["by"] == "Sgt Jones"
    assert item["custody_state"] == "destroyed"
    # only the two accepted changes were audited, with what changed
    assert len(after) - before == 2
    assert [(e["detail"]["from"], e["detail"]["to"]) for e in after[-2:]] == [
        ("collected", "stored"), ("stored", "destroyed"),
    ]  # fmt: skip


def test_items_are_validated_naming_the_field(ddr: Store) -> None:
    cases = [
        (_item("x", category="rifles"), "category"),
        (_item("x", quantity=3), "quantity"),  # a weapon is one item
        (_item("x", serial=None), "serial"),
        (_item("x", campaign="NOPE"), "campaign"),
        (_item("x", point="hidden"), "point"),  # released to FRA only: not to this writer
        (_item("x", collected_at="yesterday"), "collected_at"),
        (_item("x", received_by=""), "received_by"),
    ]
    nato = Viewer("n", "GBR", Classification.NATO_SECRET, frozenset({"NATO", "KFOR"}))
    for data, field in cases:
        with pytest.raises(ValidationFailed) as caught:
            weapons_writes.add_items(ddr, viewer=nato, items=[data])
        assert [p.field for p in caught.value.problems] == [field], data
    ok = _item("bulk", category="ammunition", serial=None, quantity=1200)
    assert weapons_writes.add_items(ddr, viewer=nato, items=[ok]) == ["bulk"]


def test_progress_counts_only_what_the_viewer_sees_with_the_stricter_label(ddr: Store) -> None:
    restricted = "NATO RESTRICTED REL TO KFOR, NATO"
    weapons_writes.add_items(
        ddr,
        viewer=ADMIN,
        items=[
            _item("1"), _item("2", point="p2"), _item("3", category="heavy_weapons", point="p2"),
            _item("4", label=restricted),
            _item("r", category="ammunition", serial=None, quantity=300),
            _item("x", campaign="C2"),
        ],
    )  # fmt: skip
    kfor_nu = Viewer("k", "FRA", Classification.NATO_UNCLASSIFIED, frozenset({"KFOR"}))
    with ddr.read() as conn:
        full = campaign_progress(conn, viewer=ADMIN, campaign="C1")
        less = campaign_progress(conn, viewer=kfor_nu, campaign="C1")
    (c1,) = full["campaigns"]
    assert [(t["category"], t["place"], t["collected"]) for t in c1["targets"]] == [
        ("weapons", None, 4), ("small_arms", "p1", 2), ("ammunition", None, 300),
    ]  # fmt: skip
    assert c1["items_counted"] == 5
    assert c1["derived_label"] == restricted
    (c1_less,) = less["campaigns"]
    assert [t["collected"] for t in c1_less["targets"]] == [3, 1, 300]
    assert c1_less["derived_label"] == "NATO UNCLASSIFIED REL TO KFOR, NATO"
    assert {i["label"] for i in less["items"]} == {"NATO UNCLASSIFIED REL TO KFOR, NATO"}
    assert {i["label"] for i in full["items"]} == {
        "NATO UNCLASSIFIED REL TO KFOR, NATO",
        restricted,
    }


def test_an_item_of_a_campaign_the_viewer_may_not_see_is_shown_without_it(ddr: Store) -> None:
    _campaign(ddr, "HIDDEN", "NATO SECRET REL TO NATO")
    shared = (
        "NATO UNCLASSIFIED REL TO KFOR, NATO"  # an item takes its campaign's label unless given
    )
    weapons_writes.add_items(ddr, viewer=ADMIN, items=[_item("h", campaign="HIDDEN", label=shared)])
    kfor = Viewer("k", "FRA", Classification.NATO_RESTRICTED, frozenset({"KFOR"}))
    with ddr.read() as conn:
        (item,) = weapons_store.list_items(conn, viewer=kfor, uid="h")
        progress_seen = campaign_progress(conn, viewer=kfor)
        mine = weapons_store.list_items(conn, viewer=ADMIN, uid="h")
    assert item["campaign"] is None and mine[0]["campaign"] == "HIDDEN"
    assert "HIDDEN" not in {c["code"] for c in progress_seen["campaigns"]}
