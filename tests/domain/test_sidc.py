"""Tests for symbol identification codes (2525D/APP-6(D) and 2525C)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peacewatch.domain import sidc as sidc_module
from peacewatch.domain.errors import SIDCError
from peacewatch.domain.sidc import SIDC, is_valid_sidc, parse_sidc

SYMBOL_SETS = ["01", "02", "05", "06", "10", "11", "15", "20", "25", "27", "30", "35", "36", "40"]
SYMBOL_SETS += ["45", "46", "47", "50", "51", "52", "53", "54", "60"]


@pytest.mark.parametrize(
    ("code", "affiliation", "dimension", "entity", "hq"),
    [
        (sidc_module.FRIEND_INFANTRY_2525D, "friend", "land_unit", "121100", False),
        (sidc_module.HOSTILE_INFANTRY_2525D, "hostile", "land_unit", "121100", False),
        (sidc_module.FRIEND_ARMOUR_2525D, "friend", "land_unit", "120500", False),
        (sidc_module.HOSTILE_ARMOUR_2525D, "hostile", "land_unit", "120500", False),
        (sidc_module.FRIEND_RECONNAISSANCE_2525D, "friend", "land_unit", "121300", False),
        (sidc_module.FRIEND_ENGINEER_2525D, "friend", "land_unit", "140700", False),
        (sidc_module.FRIEND_MILITARY_POLICE_2525D, "friend", "land_unit", "141200", False),
        (sidc_module.FRIEND_MEDICAL_2525D, "friend", "land_unit", "161300", False),
        (sidc_module.FRIEND_HQ_BRIGADE_2525D, "friend", "land_unit", "110000", True),
        (sidc_module.HOSTILE_TANK_2525D, "hostile", "land_equipment", "120200", False),
        (sidc_module.NEUTRAL_CIVILIAN_GROUP_2525D, "neutral", "land_civilian", "110400", False),
        (sidc_module.SHOOTING_2525D, "suspect", "activities", "110400", False),
        (sidc_module.EXPLOSION_2525D, "suspect", "activities", "110600", False),
        (sidc_module.DEMONSTRATION_2525D, "unknown", "activities", "120100", False),
        (sidc_module.FRIEND_INFANTRY_2525C, "friend", "ground", "UCI---", False),
        (sidc_module.HOSTILE_ARMOUR_2525C, "hostile", "ground", "UCA---", False),
    ],
)
def test_scenario_constants(
    code: str, affiliation: str, dimension: str, entity: str, hq: bool
) -> None:
    parsed = parse_sidc(code)
    assert parsed.code == code
    assert parsed.affiliation == affiliation
    assert parsed.dimension == dimension
    assert parsed.entity == entity
    assert parsed.status == "present"
    assert parsed.context == "reality"
    assert parsed.is_headquarters is hq
    assert str(parsed) == code


def test_standard_is_detected_by_length() -> None:
    assert parse_sidc("10031000001211000000").standard == "2525D"
    assert parse_sidc("SFGPUCI--------").standard == "2525C"


def test_input_is_trimmed_and_upper_cased() -> None:
    assert parse_sidc("  sfgpuci--------\n").code == "SFGPUCI--------"


@pytest.mark.parametrize(
    ("identity", "reality", "exercise"),
    [
        ("0", "pending", "exercise_pending"),
        ("1", "unknown", "exercise_unknown"),
        ("2", "assumed_friend", "exercise_assumed_friend"),
        ("3", "friend", "exercise_friend"),
        ("4", "neutral", "exercise_neutral"),
        ("5", "suspect", "joker"),
        ("6", "hostile", "faker"),
    ],
)
def test_2525d_identities(identity: str, reality: str, exercise: str) -> None:
    assert parse_sidc(f"100{identity}1000001211000000").affiliation == reality
    assert parse_sidc(f"101{identity}1000001211000000").affiliation == exercise
    simulated = parse_sidc(f"102{identity}1000001211000000")
    assert simulated.affiliation == reality
    assert simulated.context == "simulation"


@pytest.mark.parametrize(
    ("digit", "status"),
    [
        ("0", "present"),
        ("1", "planned"),
        ("2", "fully_capable"),
        ("3", "damaged"),
        ("4", "destroyed"),
        ("5", "full_to_capacity"),
    ],
)
def test_2525d_status(digit: str, status: str) -> None:
    code = f"100310{digit}0001211000000"
    assert parse_sidc(code).status == status


@pytest.mark.parametrize("symbol_set", SYMBOL_SETS)
def test_every_known_symbol_set_parses(symbol_set: str) -> None:
    assert parse_sidc(f"1003{symbol_set}00001211000000").dimension


@pytest.mark.parametrize("version", ["10", "11", "13"])
def test_versions(version: str) -> None:
    assert is_valid_sidc(f"{version}031000001211000000")


@pytest.mark.parametrize(
    ("letter", "affiliation", "context"),
    [
        ("P", "pending", "reality"),
        ("U", "unknown", "reality"),
        ("A", "assumed_friend", "reality"),
        ("F", "friend", "reality"),
        ("N", "neutral", "reality"),
        ("S", "suspect", "reality"),
        ("H", "hostile", "reality"),
        ("G", "exercise_pending", "exercise"),
        ("W", "exercise_unknown", "exercise"),
        ("M", "exercise_assumed_friend", "exercise"),
        ("D", "exercise_friend", "exercise"),
        ("L", "exercise_neutral", "exercise"),
        ("J", "joker", "exercise"),
        ("K", "faker", "exercise"),
    ],
)
def test_2525c_affiliations(letter: str, affiliation: str, context: str) -> None:
    parsed = parse_sidc(f"S{letter}GPUCI--------")
    assert parsed.affiliation == affiliation
    assert parsed.context == context


@pytest.mark.parametrize(
    ("code", "dimension", "status"),
    [
        ("SFAPMF---------", "air", "present"),
        ("SFSAC----------", "sea_surface", "planned"),
        ("SHUXS----------", "sea_subsurface", "destroyed"),
        ("SFFCA----------", "special_operations_forces", "fully_capable"),
        ("SFPD-----------", "space", "damaged"),
        ("SFGFUCI---*****", "ground", "full_to_capacity"),
        ("GFGPGLB----AUSX", "command_and_control_general_manoeuvre", "present"),
        ("GHTAF----------", "tasks", "planned"),
        ("IHGPE----------", "ground", "present"),
        ("OHVPA----------", "violent_activities", "present"),
        ("EFIPA----------", "incident", "present"),
        ("SFGPUCI---AAUSG", "ground", "present"),
    ],
)
def test_2525c_dimensions_and_status(code: str, dimension: str, status: str) -> None:
    parsed = parse_sidc(code)
    assert parsed.dimension == dimension
    assert parsed.status == status


def test_2525c_metoc_has_no_affiliation_or_status() -> None:
    parsed = parse_sidc("WAS-PC----P----")
    assert parsed.affiliation == "not_applicable"
    assert parsed.status == "not_applicable"
    assert parsed.dimension == "atmospheric"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("1003100000121100000", "19 characters"),
        ("100310000012110000000", "21 characters"),
        ("", "0 characters"),
        ("1003100000121100000X", "position 20"),
        ("12031000001211000000", "positions 1-2 (version)"),
        ("10331000001211000000", "position 3 (context)"),
        ("10071000001211000000", "position 4 (standard identity)"),
        ("10039900001211000000", "positions 5-6 (symbol set)"),
        ("10031060001211000000", "position 7 (status)"),
        ("10031008001211000000", "position 8 (HQ/task force/dummy)"),
        ("XFGPUCI--------", "position 1 (coding scheme)"),
        ("SXGPUCI--------", "position 2 (affiliation)"),
        ("SFQPUCI--------", "position 3 (battle dimension)"),
        ("GFTCF----------", "position 4 (status)"),
        ("SFGQUCI--------", "position 4 (status)"),
        ("SFGPUC*--------", "positions 5-10 (function id)"),
        ("SFGPUCI---!----", "positions 11-12 (modifier)"),
        ("SFGPUCI-----1--", "positions 13-14 (country)"),
        ("SFGPUCI-------1", "position 15 (order of battle)"),
        ("WXS-PC----P----", "position 2 (METOC category)"),
        ("WAS-PC----P--!-", "positions 3-15"),
    ],
)
def test_errors_name_the_position(code: str, fragment: str) -> None:
    with pytest.raises(SIDCError) as info:
        parse_sidc(code)
    assert info.value.field == "sidc"
    assert info.value.code == "invalid_sidc"
    assert fragment in info.value.message
    assert not is_valid_sidc(code)


def test_rejects_non_text() -> None:
    with pytest.raises(SIDCError) as info:
        parse_sidc(10031000001211000000)  # type: ignore[arg-type]
    assert info.value.field == "sidc"
    assert not is_valid_sidc(None)  # type: ignore[arg-type]


def test_direct_construction_is_validated() -> None:
    with pytest.raises(SIDCError):
        SIDC("SFGPUCI--------", "2525D")
    with pytest.raises(SIDCError):
        SIDC("10031000001211000000", "APP-6B")


@given(
    version=st.sampled_from(["10", "11", "13"]),
    context=st.sampled_from("012"),
    identity=st.sampled_from("0123456"),
    symbol_set=st.sampled_from(SYMBOL_SETS),
    status=st.sampled_from("012345"),
    hq=st.sampled_from("01234567"),
    rest=st.text(alphabet="0123456789", min_size=12, max_size=12),
)
def test_any_well_formed_2525d_code_parses(
    version: str, context: str, identity: str, symbol_set: str, status: str, hq: str, rest: str
) -> None:
    code = f"{version}{context}{identity}{symbol_set}{status}{hq}{rest}"
    parsed = parse_sidc(code)
    assert parsed.code == code
    assert parsed.entity == rest[2:8]
    assert parsed.is_headquarters is (hq in "2367")


@given(st.text(max_size=25))
def test_is_valid_sidc_never_raises(text: str) -> None:
    assert is_valid_sidc(text) in (True, False)
