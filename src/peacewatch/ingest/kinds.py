"""The report kinds PeaceWatch knows, with the ACLED event and sub-event type each maps to.

Where ACLED's codebook leaves a choice, the reasons are noted here:

- ``explosion`` is an unattributed blast at a target (a house, a car): ACLED's *Remote
  explosive/landmine/IED*, the sub-event for explosives not thrown or fired.
- ``arson`` burns empty houses, barns and farms: destruction of property without violence
  against people, which ACLED codes *Strategic developments / Looting/property destruction*
  (not *Violence against civilians*, kept for attacks on people).
- ``movement_of_forces`` is ACLED's *Change to group/activity*, the sub-event for troop
  movements; sightings, SPOT and patrol reports record a presence, not a change: *Other*.
- ``seizure`` (by peacekeepers of weapons, ammunition or contraband) is *Disrupted weapons
  use*, ACLED's sub-event for weapons caches seized by security forces; weapons handed in
  voluntarily and aid deliveries are *Other*.
"""

from __future__ import annotations

from typing import NamedTuple


class KindInfo(NamedTuple):
    """A report kind's human title and its ACLED event and sub-event type."""

    title: str
    event_type: str
    sub_event_type: str


_BATTLES = "Battles"
_REMOTE = "Explosions/Remote violence"
_CIVILIANS = "Violence against civilians"
_STRATEGIC = "Strategic developments"

REPORT_KINDS: dict[str, KindInfo] = {
    "armed_clash": KindInfo("Armed clash", _BATTLES, "Armed clash"),
    "shooting": KindInfo("Shooting", _CIVILIANS, "Attack"),
    "small_arms_fire": KindInfo("Small-arms fire", _BATTLES, "Armed clash"),
    "heavy_weapons_fire": KindInfo(
        "Heavy-weapons fire", _REMOTE, "Shelling/artillery/missile attack"
    ),
    "explosion": KindInfo("Explosion", _REMOTE, "Remote explosive/landmine/IED"),
    "mine_ied": KindInfo("Mine / IED", _REMOTE, "Remote explosive/landmine/IED"),
    "arson": KindInfo("Arson", _STRATEGIC, "Looting/property destruction"),
    "roadblock": KindInfo("Roadblock", _STRATEGIC, "Other"),
    "demonstration": KindInfo("Demonstration", "Protests", "Peaceful protest"),
    "intimidation": KindInfo("Intimidation", _CIVILIANS, "Attack"),
    "movement_of_forces": KindInfo("Movement of forces", _STRATEGIC, "Change to group/activity"),
    "armed_personnel_sighting": KindInfo("Armed personnel sighted", _STRATEGIC, "Other"),
    "heavy_weapons_sighting": KindInfo("Heavy weapons sighted", _STRATEGIC, "Other"),
    "seizure": KindInfo("Seizure", _STRATEGIC, "Disrupted weapons use"),
    "aid_delivery": KindInfo("Aid delivery", _STRATEGIC, "Other"),
    "weapons_handed_in": KindInfo("Weapons handed in", _STRATEGIC, "Other"),
    "patrol_report": KindInfo("Patrol report", _STRATEGIC, "Other"),
    "spot": KindInfo("SPOT report", _STRATEGIC, "Other"),
}

_BY_NAME = {
    **{kind: kind for kind in REPORT_KINDS},
    **{info.title.lower(): kind for kind, info in REPORT_KINDS.items()},
}
_BY_ACLED: dict[tuple[str, str], str] = {}
# The first kind listed for a pair is its usual one; "Other" names no kind in particular.
for _kind, _info in REPORT_KINDS.items():
    if _info.sub_event_type != "Other":
        _BY_ACLED.setdefault((_info.event_type.lower(), _info.sub_event_type.lower()), _kind)


def kind_from(text: str) -> str | None:
    """The kind named by its code ('armed_clash') or its title ('Armed clash'), else None."""
    return _BY_NAME.get(" ".join(text.split()).lower()) or _BY_NAME.get(text.strip())


def kind_from_acled(event_type: str, sub_event_type: str) -> str | None:
    """The usual kind for an ACLED event and sub-event type, else None."""
    return _BY_ACLED.get((event_type.strip().lower(), sub_event_type.strip().lower()))
