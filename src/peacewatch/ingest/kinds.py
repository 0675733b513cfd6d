"""The report kinds PeaceWatch knows, with the ACLED event type each maps to."""

from __future__ import annotations

# kind -> (human title, ACLED event type); later issues add sub-types and report forms.
REPORT_KINDS: dict[str, tuple[str, str]] = {
    "armed_clash": ("Armed clash", "Battles"),
    "shooting": ("Shooting", "Violence against civilians"),
    "small_arms_fire": ("Small-arms fire", "Battles"),
    "heavy_weapons_fire": ("Heavy-weapons fire", "Explosions/Remote violence"),
    "explosion": ("Explosion", "Explosions/Remote violence"),
    "mine_ied": ("Mine / IED", "Explosions/Remote violence"),
    "arson": ("Arson", "Violence against civilians"),
    "roadblock": ("Roadblock", "Strategic developments"),
    "demonstration": ("Demonstration", "Protests"),
    "intimidation": ("Intimidation", "Violence against civilians"),
    "movement_of_forces": ("Movement of forces", "Strategic developments"),
    "armed_personnel_sighting": ("Armed personnel sighted", "Strategic developments"),
    "heavy_weapons_sighting": ("Heavy weapons sighted", "Strategic developments"),
    "seizure": ("Seizure", "Strategic developments"),
    "aid_delivery": ("Aid delivery", "Strategic developments"),
    "weapons_handed_in": ("Weapons handed in", "Strategic developments"),
    "patrol_report": ("Patrol report", "Strategic developments"),
    "spot": ("SPOT report", "Strategic developments"),
}

_BY_NAME = {
    **{kind: kind for kind in REPORT_KINDS},
    **{title.lower(): kind for kind, (title, _) in REPORT_KINDS.items()},
}


def kind_from(text: str) -> str | None:
    """The kind named by its code ('armed_clash') or its title ('Armed clash'), else None."""
    return _BY_NAME.get(" ".join(text.split()).lower()) or _BY_NAME.get(text.strip())
