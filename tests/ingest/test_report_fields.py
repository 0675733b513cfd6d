"""Fields of each report kind family, casualties by the conservative rule, precision codes."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from sqlalchemy import select

from peacewatch.ingest.kinds import REPORT_KINDS, kind_from_acled
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.ingest.report_fields import SCHEMAS, check_attributes
from peacewatch.store import Store
from peacewatch.store.tables import reports
from tests.conftest import ADMIN
from tests.exports.conftest import export_bytes
from tests.helpers import report


def _run(store: Store, records: list[dict[str, Any]]) -> Any:
    return Pipeline(store, viewer=ADMIN, mission="KFOR").run((r["id"], r) for r in records)


def _stored(store: Store, uuid: str) -> dict[str, Any]:
    with store.read() as conn:
        row = conn.execute(select(reports.c.attributes).where(reports.c.uuid == uuid)).one()
    return dict(row.attributes)


def test_every_kind_has_a_field_schema_and_acled_types() -> None:
    assert set(SCHEMAS) == set(REPORT_KINDS)
    assert all(info.event_type and info.sub_event_type for info in REPORT_KINDS.values())


GOOD: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    # kind, attributes in, what is stored for them
    ("spot", {"size": 12, "activity": "digging", "unit": "2 Bn", "equipment": "mortar"}, {}),
    ("spot", {"size": "platoon", "uniform": "VJ uniforms"}, {}),
    ("armed_personnel_sighting", {"size": "12"}, {"size": 12}),
    ("patrol_report", {"patrol": "P-17", "route": "Route Hawk", "findings": ["calm"]}, {}),
    ("small_arms_fire", {"size": 4, "target": "an OP"}, {}),
    (
        "seizure",
        {"items": [{"category": "rifles", "quantity": "3"}]},
        {"items": [{"category": "rifles", "quantity": 3}]},
    ),
    ("seizure", {"items": "hand grenades", "quantity": 5}, {}),  # as older reports write it
    ("aid_delivery", {"agency": "UNHCR", "cargo": "food", "tonnes": "12.5"}, {"tonnes": 12.5}),
    ("aid_delivery", {"agency": "WFP", "tonnes": 0}, {}),
    (
        "weapons_handed_in",
        {"items": [{"category": "small_arms", "quantity": 2, "calibre": "7.62", "serial": "A1"}]},
        {},
    ),
    ("weapons_handed_in", {"count": 3, "category": "ammunition"}, {}),
    ("roadblock", {"vehicles": 2, "mood": "tense", "anything": [1, {"x": None}]}, {}),
]


@pytest.mark.parametrize(("kind", "given", "changed"), GOOD, ids=[g[0] for g in GOOD])
def test_valid_fields_of_each_family_are_kept(
    store: Store, kind: str, given: dict[str, Any], changed: dict[str, Any]
) -> None:
    r = report(kind=kind, attributes=given)
    summary = _run(store, [r])
    assert summary.accepted == 1, [x.to_dict() for x in summary.rejected]
    assert _stored(store, r["id"]) == given | changed


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("spot", {"size": 0}, "attributes.size"),
    ("spot", {"size": True}, "attributes.size"),
    ("armed_personnel_sighting", {"activity": 5}, "attributes.activity"),
    ("heavy_weapons_sighting", {"count": "several"}, "attributes.count"),
    ("patrol_report", {"patrol": ""}, "attributes.patrol"),
    ("patrol_report", {"findings": ["calm", 3]}, "attributes.findings[1]"),
    ("roadblock", {"vehicles": -1}, "attributes.vehicles"),
    ("demonstration", {"crowd": 2.5}, "attributes.crowd"),
    ("seizure", {"items": [{"category": "rifles"}]}, "attributes.items[0].quantity"),
    ("seizure", {"items": [{"category": "rifles", "quantity": 0}]}, "attributes.items[0].quantity"),
    ("seizure", {"items": 7}, "attributes.items"),
    ("aid_delivery", {"tonnes": -2}, "attributes.tonnes"),
    ("aid_delivery", {"tonnes": "lots"}, "attributes.tonnes"),
    ("aid_delivery", {"agency": ["UNHCR"]}, "attributes.agency"),
    (
        "weapons_handed_in",
        {"items": [{"category": "catapults", "quantity": 1}]},
        "attributes.items[0].category",
    ),
    (
        "weapons_handed_in",
        {"items": [{"category": "mines", "quantity": 1, "serial": 5}]},
        "attributes.items[0].serial",
    ),
    ("weapons_handed_in", {"items": []}, "attributes.items"),
    ("weapons_handed_in", {"category": "tanks"}, "attributes.category"),
    ("shooting", {"killed": -1}, "attributes.killed"),
    ("shooting", {"wounded": "some"}, "attributes.wounded"),
    ("shooting", {"killed": {"low": 5, "high": 2}}, "attributes.killed"),
    ("shooting", {"killed": {"few": 2}}, "attributes.killed"),
    ("shooting", {"killed": [2, "x"]}, "attributes.killed[1]"),
    ("shooting", {"killed": []}, "attributes.killed"),
    ("shooting", {"killed": 3, "fatalities": 1}, "attributes.fatalities"),
    ("shooting", {"fatalities": "many"}, "attributes.fatalities"),
]


@pytest.mark.parametrize(("kind", "given", "field"), BAD, ids=[b[2] for b in BAD])
def test_wrong_fields_are_rejected_naming_the_field(
    store: Store, kind: str, given: dict[str, Any], field: str
) -> None:
    summary = _run(store, [report(), report(kind=kind, attributes=given)])
    assert summary.accepted == 1
    [rejection] = summary.rejected
    assert field in [p.field for p in rejection.problems], rejection.problems


def test_every_problem_in_the_attributes_is_named() -> None:
    _, problems = check_attributes("aid_delivery", {"tonnes": -1, "agency": 3, "killed": -2})
    assert sorted(p.field for p in problems) == [
        "attributes.agency",
        "attributes.killed",
        "attributes.tonnes",
    ]


@pytest.mark.parametrize(
    ("killed", "reported", "estimate"),
    [
        (0, [0], 0),
        ("4", [4], 4),
        ({"low": 2, "high": 5}, [2, 5], 2),
        ({"high": 7}, [7], 7),
        ([2, 5, 3], [2, 5, 3], 2),  # conflicting sources: the lowest figure counts
        ([9, 1, 4, 1], [9, 1, 4, 1], 1),
    ],
)
def test_casualties_keep_every_reported_figure_and_the_lowest_as_estimate(
    store: Store, killed: Any, reported: list[int], estimate: int
) -> None:
    r = report(kind="armed_clash", attributes={"killed": killed, "wounded": [3, 1], "size": 9})
    assert _run(store, [r]).accepted == 1
    assert _stored(store, r["id"]) == {
        "size": 9,
        "casualties": {
            "killed": {"reported": reported, "estimate": estimate},
            "wounded": {"reported": [3, 1], "estimate": 1},
        },
        "fatalities": estimate,
    }


def test_stored_casualties_are_accepted_again_and_checked() -> None:
    stored, problems = check_attributes("shooting", {"killed": [2, 5, 3]})
    assert problems == []
    again, problems = check_attributes("shooting", stored)
    assert (again, problems) == (stored, [])
    stored["casualties"]["killed"]["estimate"] = 5
    _, problems = check_attributes("shooting", stored)
    assert [p.field for p in problems] == ["attributes.casualties.killed.estimate"]
    _, problems = check_attributes("shooting", {"casualties": {"missing": {"reported": [1]}}})
    assert [p.field for p in problems] == ["attributes.casualties.missing"]


def test_fatalities_alone_as_acled_gives_them() -> None:
    assert check_attributes("shooting", {"fatalities": "3"}) == ({"fatalities": 3}, [])
    assert check_attributes("shooting", {"killed": 3, "fatalities": 3})[1] == []


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ({}, (1, 1)),
        ({"location_precision": 2, "time_precision": "3"}, (2, 3)),
        ({"location_precision": "region", "time_precision": "Week"}, (3, 2)),
        ({"location_precision": "town", "time_precision": "day"}, (2, 1)),
        ({"location_precision": 3.0}, (3, 1)),
    ],
)
def test_precision_codes_by_number_or_meaning(
    store: Store, given: dict[str, Any], stored: tuple[int, int]
) -> None:
    r = report(**given)
    assert _run(store, [r]).accepted == 1
    with store.read() as conn:
        row = conn.execute(select(reports).where(reports.c.uuid == r["id"])).one()
    assert (row.location_precision, row.time_precision) == stored


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"location_precision": 1.5}, "location_precision"),
        ({"location_precision": "week"}, "location_precision"),
        ({"time_precision": "region"}, "time_precision"),
        ({"time_precision": 4}, "time_precision"),
        ({"time_precision": True}, "time_precision"),
    ],
)
def test_bad_precision_codes_are_rejected_with_their_meaning(
    store: Store, given: dict[str, Any], field: str
) -> None:
    [rejection] = _run(store, [report(**given)]).rejected
    [problem] = rejection.problems
    assert problem.field == field
    meaning = "only the region" if field == "location_precision" else "only the month"
    assert "1, 2 or 3" in problem.message and meaning in problem.message


def test_csv_export_names_acled_event_and_sub_event_types(store: Store) -> None:
    records = [
        report(kind="small_arms_fire", attributes={"killed": [2, 5, 3]}),
        report(kind="heavy_weapons_fire"),
        report(kind="mine_ied"),
        report(kind="arson"),
        report(kind="demonstration"),
        report(kind="seizure", attributes={"items": [{"category": "rifles", "quantity": 2}]}),
    ]
    assert _run(store, records).accepted == len(records)
    rows = {
        r["event_id_cnty"]: r
        for r in csv.DictReader(io.StringIO(export_bytes(store, "csv").decode()))
    }
    got = {
        rows[r["id"]]["kind"]: (rows[r["id"]]["event_type"], rows[r["id"]]["sub_event_type"])
        for r in records
    }
    assert got == {
        "small_arms_fire": ("Battles", "Armed clash"),
        "heavy_weapons_fire": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
        "mine_ied": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
        "arson": ("Strategic developments", "Looting/property destruction"),
        "demonstration": ("Protests", "Peaceful protest"),
        "seizure": ("Strategic developments", "Disrupted weapons use"),
    }
    assert rows[records[0]["id"]]["fatalities"] == "2"


def test_an_acled_csv_without_our_kind_column_is_read_by_its_types(store: Store) -> None:
    from peacewatch.ingest.files import items_from_bytes

    text = (
        "event_id_cnty,event_date,event_type,sub_event_type,latitude,longitude,fatalities\n"
        "0b7c6a52-3f7e-4a4e-9a39-3f3f1d0f0101,1999-06-20T00:00Z,"
        "Protests,Peaceful protest,42.6,21.1,0\n"
        "0b7c6a52-3f7e-4a4e-9a39-3f3f1d0f0102,1999-06-20T00:00Z,"
        "Battles,Armed clash,42.6,21.1,2\n"
        "0b7c6a52-3f7e-4a4e-9a39-3f3f1d0f0103,1999-06-20T00:00Z,"
        "Strategic developments,Other,42.6,21.1,\n"
    )
    pipeline = Pipeline(store, viewer=ADMIN, mission="KFOR")
    summary = pipeline.run(items_from_bytes(text.encode(), "csv"))
    assert summary.accepted == 2, [r.to_dict() for r in summary.rejected]
    assert [p.field for p in summary.rejected[0].problems] == ["kind"]
    with store.read() as conn:
        kinds = dict(conn.execute(select(reports.c.kind, reports.c.attributes)).all())
    assert kinds == {"demonstration": {"fatalities": 0}, "armed_clash": {"fatalities": 2}}
    assert kind_from_acled("Strategic developments", "Other") is None
