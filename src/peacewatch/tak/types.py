"""CoT type atoms ⇄ PeaceWatch report kinds and APP-6 / MIL-STD-2525 SIDCs.

An ``a-…`` atom is a thing: affiliation (f friend, h hostile, n neutral, u unknown, a assumed
friend, s suspect, j joker, k faker, p pending), battle dimension (G ground, A air, S sea
surface, U subsurface, P space, F SOF) and the 2525C function letters, so ``a-f-G-U-C`` is
``SFGPUC---------``. ``b-…`` atoms are bits (spot points, alerts, detections), ``u-d-…`` user
drawings, ``t-…`` tasking and control.
"""

from __future__ import annotations

from functools import lru_cache

from peacewatch.domain.errors import DomainError
from peacewatch.domain.sidc import parse_sidc

_AFFILIATIONS = frozenset("fhnuasjkp")
_DIMENSIONS = frozenset("GASUPF")
# 2525D standard identity digit (position 4) → CoT affiliation letter.
_IDENTITY_D = {"0": "p", "1": "u", "2": "a", "3": "f", "4": "n", "5": "s", "6": "h"}
# 2525D symbol set (positions 5-6) → CoT dimension and function prefix.
_SYMBOL_SET_D = {
    "10": "G-U",
    "11": "G-U",
    "15": "G-E",
    "20": "G-I",
    "01": "A",
    "30": "S",
    "35": "U",
    "05": "P",
}

# Longest prefix wins. What a marker or bit placed on a device reports, as a report kind.
_KINDS: dict[str, str] = {
    "a-h-G-E-W": "heavy_weapons_sighting",
    "a-h-G-E-V-A": "heavy_weapons_sighting",
    "a-s-G-E-W": "heavy_weapons_sighting",
    "a-h-G-E": "heavy_weapons_sighting",
    "a-h-G-I-c": "roadblock",  # checkpoint installation
    "a-h": "armed_personnel_sighting",
    "a-s": "armed_personnel_sighting",
    "a-j": "armed_personnel_sighting",
    "a-k": "armed_personnel_sighting",
    "a-u": "spot",
    "a-p": "spot",
    "a-f": "spot",
    "a-a": "spot",
    "a-n": "spot",
    "b-m-p-s-p-i": "spot",  # spot map point of interest
    "b-m-p-s-m": "spot",  # spot map marker
    "b-m-p-s": "spot",
    "b-d": "spot",  # detection
    "b-r-f-h-c": "spot",  # casualty evacuation request
    "b-a-o": "spot",  # emergency alerts (911, in contact, …)
    "u-d-p": "spot",  # a point drawn on the map
}
# Kinds sent back to devices as these types (others as a spot map point).
_TYPES_OF_KINDS: dict[str, str] = {
    "armed_personnel_sighting": "a-h-G",
    "heavy_weapons_sighting": "a-h-G-E-W",
    "movement_of_forces": "a-h-G-U",
    "roadblock": "a-h-G-I-c",
    "armed_clash": "a-h-G",
    "small_arms_fire": "a-h-G",
    "heavy_weapons_fire": "a-h-G-E-W",
}
SPOT_TYPE = "b-m-p-s-p-i"
ALERT_TYPE = "b-a-g"
SHAPE_TYPE = "u-d-f"


def kind_for_type(cot_type: str) -> str | None:
    """The report kind of a marker or bit of this type, or None when it is not a report."""
    atoms = cot_type.split("-")
    for size in range(len(atoms), 0, -1):
        found = _KINDS.get("-".join(atoms[:size]))
        if found is not None:
            return found
    return None


def is_thing(cot_type: str) -> bool:
    """True for ``a-<affiliation>-<dimension>…`` atoms (a unit, person, vehicle, place)."""
    atoms = cot_type.split("-")
    return (
        len(atoms) >= 3 and atoms[0] == "a" and atoms[1] in _AFFILIATIONS
        and atoms[2] in _DIMENSIONS
    )  # fmt: skip


@lru_cache(maxsize=4096)
def sidc_for_type(cot_type: str) -> str:
    """The 2525C SIDC of an ``a-…`` atom; unknown ground for anything unreadable."""
    atoms = cot_type.split("-")
    if not is_thing(cot_type):
        return "SUGP-----------"
    affiliation, dimension = atoms[1].upper(), atoms[2]
    function = "".join(a for a in atoms[3:] if len(a) == 1)[:6].upper()
    code = f"S{affiliation}{dimension}P{function:-<6}-----"
    try:
        return parse_sidc(code).code
    except DomainError:
        return f"S{affiliation}{dimension}P-----------"


def type_for_sidc(sidc: str) -> str:
    """The CoT type of a unit's SIDC (2525C letters, or 2525D's identity and symbol set)."""
    if len(sidc) == 15 and sidc[0] == "S":
        affiliation, dimension = sidc[1].lower(), sidc[2]
        if affiliation not in _AFFILIATIONS or dimension not in _DIMENSIONS:
            return "a-u-G"
        function = [c for c in sidc[4:10] if c != "-"]
        return "-".join(["a", affiliation, dimension, *function])
    if len(sidc) == 20 and sidc.isdigit():
        affiliation = _IDENTITY_D.get(sidc[3], "u")
        return f"a-{affiliation}-{_SYMBOL_SET_D.get(sidc[4:6], 'G')}"
    return "a-u-G"


def type_for_kind(kind: str) -> str:
    """The CoT type a report of ``kind`` is sent to devices as."""
    return _TYPES_OF_KINDS.get(kind, SPOT_TYPE)
