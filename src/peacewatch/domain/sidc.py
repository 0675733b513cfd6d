"""Symbol identification codes: MIL-STD-2525D/E and APP-6(D) (20 digits) and 2525C (15 chars)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from peacewatch.domain.errors import SIDCError, quoted

__all__ = [
    "DEMONSTRATION_2525D",
    "EXPLOSION_2525D",
    "FRIEND_ARMOUR_2525D",
    "FRIEND_ENGINEER_2525D",
    "FRIEND_HQ_BRIGADE_2525D",
    "FRIEND_INFANTRY_2525C",
    "FRIEND_INFANTRY_2525D",
    "FRIEND_MEDICAL_2525D",
    "FRIEND_MILITARY_POLICE_2525D",
    "FRIEND_RECONNAISSANCE_2525D",
    "HOSTILE_ARMOUR_2525C",
    "HOSTILE_ARMOUR_2525D",
    "HOSTILE_INFANTRY_2525D",
    "HOSTILE_TANK_2525D",
    "NEUTRAL_CIVILIAN_GROUP_2525D",
    "SHOOTING_2525D",
    "SIDC",
    "is_valid_sidc",
    "parse_sidc",
]

# 20-digit layout: version(2) context(1) identity(1) symbol set(2) status(1) HQ/TF/dummy(1)
# amplifier(2) entity(2) entity type(2) entity subtype(2) modifier 1(2) modifier 2(2).
# Entity codes below are from the 2525D land unit / equipment / civilian / activities tables.
FRIEND_INFANTRY_2525D = "10031000001211000000"  # friend, land unit, infantry (121100)
HOSTILE_INFANTRY_2525D = "10061000001211000000"  # hostile, land unit, infantry (121100)
FRIEND_ARMOUR_2525D = "10031000001205000000"  # friend, land unit, armour (120500)
HOSTILE_ARMOUR_2525D = "10061000001205000000"  # hostile, land unit, armour (120500)
FRIEND_RECONNAISSANCE_2525D = "10031000001213000000"  # friend, reconnaissance/cavalry (121300)
FRIEND_ENGINEER_2525D = "10031000001407000000"  # friend, engineer (140700)
FRIEND_MILITARY_POLICE_2525D = "10031000001412000000"  # friend, military police (141200)
FRIEND_MEDICAL_2525D = "10031000001613000000"  # friend, medical (161300)
# HQ/TF/dummy digit 2 = headquarters, amplifier 18 = brigade, entity 110000 = command and control.
FRIEND_HQ_BRIGADE_2525D = "10031002181100000000"
HOSTILE_TANK_2525D = "10061500001202000000"  # hostile, land equipment, tank (120200)
NEUTRAL_CIVILIAN_GROUP_2525D = "10041100001104000000"  # neutral, land civilian, group (110400)
# Activities (symbol set 40). Which identity an incident takes is a reporting convention, not
# part of the standard: suspect for violence whose author is unconfirmed, unknown otherwise.
SHOOTING_2525D = "10054000001104000000"  # suspect, activities, shooting (110400)
EXPLOSION_2525D = "10054000001106000000"  # suspect, activities, explosion (110600)
DEMONSTRATION_2525D = "10014000001201000000"  # unknown, activities, demonstration (120100)

# 15-character 2525C: scheme, affiliation, battle dimension, status, function id (6),
# modifier (2), country (2), order of battle (1).
FRIEND_INFANTRY_2525C = "SFGPUCI--------"  # warfighting, friend, ground, present, infantry
HOSTILE_ARMOUR_2525C = "SHGPUCA--------"  # warfighting, hostile, ground, present, armour

_VERSIONS = {"10": "2525D / APP-6(D)", "11": "2525D change 1", "13": "2525E"}
_CONTEXTS = {"0": "reality", "1": "exercise", "2": "simulation"}
_IDENTITIES_D = {
    "0": "pending",
    "1": "unknown",
    "2": "assumed_friend",
    "3": "friend",
    "4": "neutral",
    "5": "suspect",
    "6": "hostile",
}
_EXERCISE_IDENTITIES_D = {
    "0": "exercise_pending",
    "1": "exercise_unknown",
    "2": "exercise_assumed_friend",
    "3": "exercise_friend",
    "4": "exercise_neutral",
    "5": "joker",
    "6": "faker",
}
_SYMBOL_SETS_D = {
    "01": "air",
    "02": "air_missile",
    "05": "space",
    "06": "space_missile",
    "10": "land_unit",
    "11": "land_civilian",
    "15": "land_equipment",
    "20": "land_installation",
    "25": "control_measure",
    "27": "dismounted_individual",
    "30": "sea_surface",
    "35": "sea_subsurface",
    "36": "mine_warfare",
    "40": "activities",
    "45": "atmospheric",
    "46": "oceanographic",
    "47": "meteorological_space",
    "50": "signals_intelligence_space",
    "51": "signals_intelligence_air",
    "52": "signals_intelligence_land",
    "53": "signals_intelligence_surface",
    "54": "signals_intelligence_subsurface",
    "60": "cyberspace",
}
_STATUSES_D = {
    "0": "present",
    "1": "planned",
    "2": "fully_capable",
    "3": "damaged",
    "4": "destroyed",
    "5": "full_to_capacity",
}

_AFFILIATIONS_C = {
    "P": "pending",
    "U": "unknown",
    "A": "assumed_friend",
    "F": "friend",
    "N": "neutral",
    "S": "suspect",
    "H": "hostile",
    "G": "exercise_pending",
    "W": "exercise_unknown",
    "M": "exercise_assumed_friend",
    "D": "exercise_friend",
    "L": "exercise_neutral",
    "J": "joker",
    "K": "faker",
}
_EXERCISE_LETTERS_C = frozenset("GWMDLJK")
_STATUSES_C = {
    "A": "planned",
    "P": "present",
    "C": "fully_capable",
    "D": "damaged",
    "X": "destroyed",
    "F": "full_to_capacity",
}
_GROUND = {
    "P": "space",
    "A": "air",
    "G": "ground",
    "S": "sea_surface",
    "U": "sea_subsurface",
}
# Position 3 of 2525C means something different in each coding scheme (position 1).
_DIMENSIONS_C: dict[str, dict[str, str]] = {
    "S": {**_GROUND, "F": "special_operations_forces", "X": "other", "Z": "unknown"},
    "I": {**_GROUND, "X": "other", "Z": "unknown"},
    "G": {
        "T": "tasks",
        "G": "command_and_control_general_manoeuvre",
        "M": "mobility_survivability",
        "F": "fire_support",
        "S": "combat_service_support",
        "O": "other",
    },
    "O": {
        "V": "violent_activities",
        "L": "locations",
        "O": "operations",
        "I": "items",
        "P": "individual",
        "G": "non_military_group_or_organisation",
        "R": "rape",
    },
    "E": {"I": "incident", "N": "natural_event", "O": "operations", "F": "infrastructure"},
}
_SCHEMES_C = {
    "S": "warfighting",
    "G": "tactical graphics",
    "W": "meteorological and oceanographic",
    "I": "intelligence",
    "O": "stability operations",
    "E": "emergency management",
}
# METOC symbols put a category in position 2 instead of an affiliation and carry no status.
_METOC_CATEGORIES = {"A": "atmospheric", "O": "oceanographic", "S": "space"}
_NOT_APPLICABLE = "not_applicable"

_FUNCTION_ID_RE = re.compile(r"^[A-Z0-9-]{6}$")
_MODIFIER_RE = re.compile(r"^[A-Z0-9*-]{2}$")
_COUNTRY_RE = re.compile(r"^(?:[A-Z]{2}|--|\*\*)$")
_ORDER_OF_BATTLE_RE = re.compile(r"^[A-Z*-]$")
_METOC_RE = re.compile(r"^[A-Z0-9*-]{13}$")


def _fail(message: str) -> SIDCError:
    return SIDCError(message, field="sidc")


def _check_2525d(code: str) -> None:
    if len(code) != 20:
        raise _fail(f"a 2525D SIDC has 20 digits, got {len(code)} characters")
    for index, char in enumerate(code, start=1):
        if not char.isdigit() or not char.isascii():
            raise _fail(f"SIDC position {index} is {char!r}; a 2525D SIDC has only digits")
    checks = (
        ("positions 1-2", "version", code[0:2], _VERSIONS, "10, 11 or 13"),
        ("position 3", "context", code[2], _CONTEXTS, "0-2"),
        ("position 4", "standard identity", code[3], _IDENTITIES_D, "0-6"),
        ("positions 5-6", "symbol set", code[4:6], _SYMBOL_SETS_D, "a 2525D symbol set, e.g. 10"),
        ("position 7", "status", code[6], _STATUSES_D, "0-5"),
    )
    for where, name, value, known, expected in checks:
        if value not in known:
            raise _fail(f"SIDC {where} ({name}) is {value!r}; expected {expected}")
    if code[7] not in "01234567":
        raise _fail(f"SIDC position 8 (HQ/task force/dummy) is {code[7]!r}; expected 0-7")


def _check_2525c(code: str) -> None:
    if len(code) != 15:
        raise _fail(f"a 2525C SIDC has 15 characters, got {len(code)}")
    scheme = code[0]
    if scheme not in _SCHEMES_C:
        raise _fail(
            f"SIDC position 1 (coding scheme) is {scheme!r}; expected one of "
            f"{', '.join(_SCHEMES_C)}"
        )
    if scheme == "W":
        if code[1] not in _METOC_CATEGORIES:
            raise _fail(f"SIDC position 2 (METOC category) is {code[1]!r}; expected A, O or S")
        if not _METOC_RE.match(code[2:]):
            raise _fail("SIDC positions 3-15 of a METOC symbol must be letters, digits, '-' or '*'")
        return
    if code[1] not in _AFFILIATIONS_C:
        raise _fail(
            f"SIDC position 2 (affiliation) is {code[1]!r}; expected one of "
            f"{', '.join(_AFFILIATIONS_C)}"
        )
    dimensions = _DIMENSIONS_C[scheme]
    if code[2] not in dimensions:
        raise _fail(
            f"SIDC position 3 (battle dimension) is {code[2]!r}; for coding scheme {scheme} "
            f"expected one of {', '.join(dimensions)}"
        )
    statuses = "AP" if scheme == "G" else "".join(_STATUSES_C)
    if code[3] not in statuses:
        raise _fail(
            f"SIDC position 4 (status) is {code[3]!r}; expected one of {', '.join(statuses)}"
        )
    parts = (
        ("positions 5-10", "function id", code[4:10], _FUNCTION_ID_RE, "letters, digits or '-'"),
        ("positions 11-12", "modifier", code[10:12], _MODIFIER_RE, "letters, digits, '-' or '*'"),
        ("positions 13-14", "country", code[12:14], _COUNTRY_RE, "two letters, '--' or '**'"),
        ("position 15", "order of battle", code[14], _ORDER_OF_BATTLE_RE, "a letter, '-' or '*'"),
    )
    for where, name, value, pattern, expected in parts:
        if not pattern.match(value):
            raise _fail(f"SIDC {where} ({name}) is {value!r}; expected {expected}")


@dataclass(frozen=True, slots=True)
class SIDC:
    """A validated symbol identification code; standard is '2525D' (20 digits) or '2525C'."""

    code: str
    standard: str

    def __post_init__(self) -> None:
        if self.standard == "2525D":
            _check_2525d(self.code)
        elif self.standard == "2525C":
            _check_2525c(self.code)
        else:
            raise _fail(f"SIDC standard {quoted(self.standard)} is not '2525D' or '2525C'")

    def __str__(self) -> str:
        return self.code

    @property
    def affiliation(self) -> str:
        """Standard identity, e.g. 'friend', 'hostile', 'exercise_friend', 'joker'."""
        if self.standard == "2525D":
            table = _EXERCISE_IDENTITIES_D if self.code[2] == "1" else _IDENTITIES_D
            return table[self.code[3]]
        if self.code[0] == "W":
            return _NOT_APPLICABLE
        return _AFFILIATIONS_C[self.code[1]]

    @property
    def context(self) -> str:
        """'reality', 'exercise' or 'simulation' (2525C knows only reality and exercise)."""
        if self.standard == "2525D":
            return _CONTEXTS[self.code[2]]
        if self.code[0] != "W" and self.code[1] in _EXERCISE_LETTERS_C:
            return "exercise"
        return "reality"

    @property
    def dimension(self) -> str:
        """Symbol set (2525D) or battle dimension (2525C), e.g. 'land_unit', 'ground'."""
        if self.standard == "2525D":
            return _SYMBOL_SETS_D[self.code[4:6]]
        if self.code[0] == "W":
            return _METOC_CATEGORIES[self.code[1]]
        return _DIMENSIONS_C[self.code[0]][self.code[2]]

    @property
    def status(self) -> str:
        """Operational status, e.g. 'present', 'planned', 'destroyed'."""
        if self.standard == "2525D":
            return _STATUSES_D[self.code[6]]
        if self.code[0] == "W":
            return _NOT_APPLICABLE
        return _STATUSES_C[self.code[3]]

    @property
    def entity(self) -> str:
        """Entity code (2525D positions 11-16) or function id (2525C positions 5-10)."""
        return self.code[10:16] if self.standard == "2525D" else self.code[4:10]

    @property
    def is_headquarters(self) -> bool:
        """True for a 2525D headquarters (HQ/TF/dummy digit 2, 3, 6 or 7)."""
        return self.standard == "2525D" and self.code[7] in "2367"


def parse_sidc(code: str) -> SIDC:
    """Validate a 20-digit 2525D/APP-6(D) or 15-character 2525C SIDC."""
    if not isinstance(code, str):
        raise _fail(f"SIDC must be text, got {type(code).__name__}")
    text = code.strip().upper()
    if len(text) == 20:
        return SIDC(text, "2525D")
    if len(text) == 15:
        return SIDC(text, "2525C")
    raise _fail(
        f"SIDC {quoted(text)} has {len(text)} characters; expected 20 digits "
        "(2525D/APP-6(D)) or 15 characters (2525C)"
    )


def is_valid_sidc(code: str) -> bool:
    """True when parse_sidc would accept the code."""
    try:
        parse_sidc(code)
    except SIDCError:
        return False
    return True
