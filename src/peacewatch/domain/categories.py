"""Categories of presence an obligation can prohibit, and what each observation shows of them.

A category is a bit; an observation carries the bits of what it shows (a heavy-weapons
sighting shows heavy weapons and the presence of forces), an obligation the bits it prohibits,
and a breach is an observation of a bound party whose bits meet the prohibited ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from peacewatch.domain.errors import DomainError
from peacewatch.domain.sidc import parse_sidc

ANY_FORCES = 1  # any presence of the party's forces, police included
ARMED_FORCES = 2  # military personnel under arms (lightly armed police are not)
HEAVY_WEAPONS = 4  # armour, artillery, mortars
AIRCRAFT = 8
AIR_DEFENCE = 16
CHECKPOINT = 32

CATEGORIES: dict[str, int] = {
    "any_forces": ANY_FORCES,
    "armed_forces": ARMED_FORCES,
    "heavy_weapons": HEAVY_WEAPONS,
    "aircraft": AIRCRAFT,
    "air_defence": AIR_DEFENCE,
    "checkpoint": CHECKPOINT,
}

# What a report of each kind shows. Kinds not listed show nothing an obligation prohibits
# (an arson or a demonstration is not a presence of forces).
REPORT_KINDS: dict[str, int] = {
    "armed_personnel_sighting": ANY_FORCES | ARMED_FORCES,
    "armed_clash": ANY_FORCES | ARMED_FORCES,
    "small_arms_fire": ANY_FORCES | ARMED_FORCES,
    "movement_of_forces": ANY_FORCES | ARMED_FORCES,
    "heavy_weapons_sighting": ANY_FORCES | ARMED_FORCES | HEAVY_WEAPONS,
    "heavy_weapons_fire": ANY_FORCES | ARMED_FORCES | HEAVY_WEAPONS,
    "roadblock": CHECKPOINT,
}
# attributes.category of a report, when given, says more precisely what was seen.
_ATTRIBUTE_CATEGORIES: dict[str, int] = {
    "air_defence": ANY_FORCES | ARMED_FORCES | AIR_DEFENCE,
    "aircraft": ANY_FORCES | AIRCRAFT,
    "heavy_weapons": ANY_FORCES | ARMED_FORCES | HEAVY_WEAPONS,
    "police": ANY_FORCES,
    "checkpoint": CHECKPOINT,
}
# 2525D land-unit entities (positions 11-14) with a category of their own.
_LAND_UNIT_ENTITIES: dict[str, int] = {
    "1301": AIR_DEFENCE | HEAVY_WEAPONS,  # air defence
    "1205": HEAVY_WEAPONS,  # armour
    "1303": HEAVY_WEAPONS,  # field artillery
    "1306": HEAVY_WEAPONS,  # mortar
    "1411": 0,  # law enforcement: police are forces, not armed forces
}


def mask(names: Iterable[str], *, field: str = "prohibited") -> int:
    """Bits of category names; an unknown name is an error naming the field."""
    bits = 0
    for name in names:
        if name not in CATEGORIES:
            raise DomainError(
                f"unknown category {name!r}; one of {', '.join(CATEGORIES)}", field=field
            )
        bits |= CATEGORIES[name]
    return bits


def names(bits: int) -> list[str]:
    """Category names of ``bits``, most specific first."""
    return [n for n, b in sorted(CATEGORIES.items(), key=lambda kv: -kv[1]) if bits & b]


def of_report(kind: str, attributes: Mapping[str, Any] | None) -> int:
    """What a report shows."""
    extra = (attributes or {}).get("category")
    if isinstance(extra, str) and extra in _ATTRIBUTE_CATEGORIES:
        return _ATTRIBUTE_CATEGORIES[extra]
    return REPORT_KINDS.get(kind, 0)


def of_sidc(code: str) -> int:
    """What a unit of this symbol shows by being somewhere."""
    try:
        sidc = parse_sidc(code)
    except DomainError:
        return ANY_FORCES
    if sidc.standard == "2525D":
        symbol_set = code[4:6]
        if symbol_set == "01":  # air
            return ANY_FORCES | AIRCRAFT
        if symbol_set == "10":  # land unit
            special = _LAND_UNIT_ENTITIES.get(code[10:14])
            if special is not None:
                return ANY_FORCES | (ARMED_FORCES if special else 0) | special
            return ANY_FORCES | ARMED_FORCES
        if symbol_set == "15":  # land equipment: weapons and vehicles
            return ANY_FORCES | ARMED_FORCES | HEAVY_WEAPONS
        return ANY_FORCES | ARMED_FORCES
    if sidc.dimension == "air":
        return ANY_FORCES | AIRCRAFT
    return ANY_FORCES | ARMED_FORCES
