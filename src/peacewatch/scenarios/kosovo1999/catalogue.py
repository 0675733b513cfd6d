"""What the generator says: report kinds, sources and grades, labels, titles and text templates.

Tables are plain tuples so the generator can turn them into numpy lookup arrays once and draw
every row of a batch with a handful of vectorised calls.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

__all__ = [
    "COMPASS",
    "FLARE_UPS",
    "KINDS",
    "KIND_SOURCES",
    "KIND_WEIGHTS_EARLY",
    "KIND_WEIGHTS_LATE",
    "LABELS",
    "PARTY_VOCABULARY",
    "REPORT_SOURCES",
    "TEMPLATES",
    "TITLES",
    "VIOLATION_SHARE",
    "VOCABULARY",
    "ZONE_SOURCES",
]

# Share of reports planted inside the safety zones as FRY sightings, for the compliance engine.
VIOLATION_SHARE: Final = 0.03

KINDS: Final = (
    "armed_clash",
    "shooting",
    "explosion",
    "arson",
    "roadblock",
    "demonstration",
    "armed_personnel_sighting",
    "heavy_weapons_sighting",
    "seizure",
    "aid_delivery",
    "weapons_handed_in",
)
# Relative frequency of each kind before and after the UÇK's demilitarisation deadline
# (20 Sep 1999): the first months bring returns, aid and weapons collection; later, crime,
# protests and seizures dominate. Invented proportions, chosen to look plausible.
KIND_WEIGHTS_EARLY: Final = (3.0, 12.0, 6.0, 13.0, 6.0, 7.0, 9.0, 2.0, 9.0, 20.0, 13.0)
KIND_WEIGHTS_LATE: Final = (2.0, 13.0, 8.0, 8.0, 8.0, 11.0, 6.0, 1.5, 15.0, 16.0, 6.0)

TITLES: Final[dict[str, str]] = {
    "armed_clash": "Armed clash",
    "shooting": "Shooting",
    "explosion": "Explosion",
    "arson": "Arson",
    "roadblock": "Roadblock",
    "demonstration": "Demonstration",
    "armed_personnel_sighting": "Armed personnel sighted",
    "heavy_weapons_sighting": "Heavy weapons sighted",
    "seizure": "Seizure",
    "aid_delivery": "Aid delivery",
    "weapons_handed_in": "Weapons handed in",
}

# Sources: (name pattern, ((grade, weight), ...)). "{short}" is the brigade of the report's
# sector, e.g. "MNB(C) patrol". Grades follow STANAG 2511: own patrols and OPs are usually
# reliable, agencies fairly so, walk-ins cannot always be judged.
REPORT_SOURCES: Final = (
    ("{short} patrol", (("B2", 0.45), ("A2", 0.2), ("B1", 0.25), ("A1", 0.1))),
    ("{short} OP", (("B2", 0.6), ("A2", 0.3), ("B3", 0.1))),
    ("UNMIK police", (("B2", 0.5), ("B3", 0.4), ("C2", 0.1))),
    ("UNHCR", (("B2", 0.6), ("B3", 0.3), ("A2", 0.1))),
    ("local authority", (("C3", 0.5), ("C2", 0.2), ("D3", 0.3))),
    ("local civilian", (("D3", 0.4), ("C3", 0.3), ("E4", 0.2), ("F6", 0.1))),
    ("OSCE", (("B2", 0.7), ("B3", 0.3))),
    ("{short} CIMIC team", (("B2", 0.7), ("A2", 0.3))),
    ("KFOR air reconnaissance", (("A2", 0.5), ("B2", 0.4), ("B3", 0.1))),
    ("{short} HUMINT team", (("B3", 0.4), ("C3", 0.4), ("C4", 0.2))),
)
PATROL, OP, UNMIK, UNHCR, LOCAL_AUTHORITY, CIVILIAN, OSCE, CIMIC, AIR, HUMINT = range(10)

KIND_SOURCES: Final[dict[str, tuple[tuple[int, float], ...]]] = {
    "armed_clash": ((PATROL, 0.5), (OP, 0.1), (UNMIK, 0.15), (CIVILIAN, 0.15), (HUMINT, 0.1)),
    "shooting": ((PATROL, 0.4), (OP, 0.15), (UNMIK, 0.2), (CIVILIAN, 0.2), (LOCAL_AUTHORITY, 0.05)),
    "explosion": (
        (PATROL, 0.35),
        (UNMIK, 0.25),
        (OP, 0.1),
        (CIVILIAN, 0.2),
        (LOCAL_AUTHORITY, 0.1),
    ),
    "arson": ((PATROL, 0.3), (UNMIK, 0.25), (CIVILIAN, 0.25), (LOCAL_AUTHORITY, 0.1), (OSCE, 0.1)),
    "roadblock": ((PATROL, 0.6), (OP, 0.1), (UNMIK, 0.15), (CIVILIAN, 0.15)),
    "demonstration": ((PATROL, 0.3), (UNMIK, 0.3), (OSCE, 0.2), (LOCAL_AUTHORITY, 0.2)),
    "armed_personnel_sighting": ((PATROL, 0.4), (OP, 0.3), (HUMINT, 0.15), (CIVILIAN, 0.15)),
    "heavy_weapons_sighting": ((OP, 0.35), (AIR, 0.35), (PATROL, 0.2), (HUMINT, 0.1)),
    "seizure": ((PATROL, 0.7), (UNMIK, 0.3)),
    "aid_delivery": ((UNHCR, 0.6), (CIMIC, 0.25), (LOCAL_AUTHORITY, 0.15)),
    "weapons_handed_in": ((PATROL, 0.6), (UNMIK, 0.2), (LOCAL_AUTHORITY, 0.2)),
}
# Who watches the safety zones from inside Kosovo: observation posts and air reconnaissance.
ZONE_SOURCES: Final = ((OP, 0.5), (AIR, 0.3), (PATROL, 0.2))

# Markings and their shares; "{nation}" is the lead nation of the report's sector (national
# reporting kept in national channels). Canonical form: release codes sorted.
LABELS: Final = (
    ("NATO UNCLASSIFIED REL TO KFOR, NATO", 0.40),
    ("NATO RESTRICTED REL TO KFOR, NATO", 0.30),
    ("NATO CONFIDENTIAL REL TO NATO", 0.12),
    ("NATO RESTRICTED REL TO {nation}", 0.08),
    ("NATO SECRET REL TO NATO", 0.05),
    ("NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER", 0.05),
)

COMPASS: Final = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")

VOCABULARY: Final[dict[str, tuple[str, ...]]] = {
    "activity": ("moving on foot", "in two vehicles", "at a checkpoint", "digging positions"),
    "air_defence": ("towed 20 mm AA gun", "Strela-10 launcher", "SA-6 launcher"),
    "target": ("an empty house", "a shop", "a barn", "a car", "an abandoned farm"),
    "topic": ("missing persons", "the status of Kosovo", "electricity cuts", "detainees",
              "freedom of movement"),
    "goods": ("food", "shelter kits", "winter clothing", "medical supplies", "fuel"),
    "agency": ("UNHCR", "UNHCR", "WFP", "ICRC", "MSF"),
    "items": ("AK-47 rifles", "hand grenades", "rounds of 7.62 mm ammunition",
              "anti-tank mines", "pistols", "cartons of smuggled cigarettes",
              "litres of smuggled fuel"),
    "weapon_category": ("small_arms", "small_arms", "small_arms", "small_arms", "ammunition",
                        "explosives"),
}  # fmt: skip
# Words that depend on who is reported: (no party, FRY, UÇK), in the generator's party order.
# FRY sightings are soldiers, not police: lightly armed police were allowed in the GSZ, so a
# police sighting there would not be the violation the planted reports stand for.
PARTY_VOCABULARY: Final[dict[str, tuple[tuple[str, ...], ...]]] = {
    "uniform": (
        ("civilian clothes", "camouflage uniforms", "black uniforms"),
        ("VJ uniforms", "VJ camouflage uniforms"),
        ("UÇK insignia", "camouflage uniforms", "black uniforms", "civilian clothes"),
    ),
    "heavy": (
        ("82 mm mortar", "12.7 mm machine gun", "recoilless rifle"),
        ("T-55 tank", "M-84 tank", "120 mm mortar", "BOV armoured vehicle", "M-80 IFV"),
        ("82 mm mortar", "12.7 mm machine gun", "60 mm mortar", "recoilless rifle"),
    ),
}

# One sentence per kind, SALUTE-like (size, activity, location, unit, time, equipment).
TEMPLATES: Final[dict[str, tuple[str, ...]]] = {
    "armed_clash": (
        "Exchange of fire between armed groups {where}; {casualties}.",
        "{size} armed men engaged a village guard {where} at {hhmm}Z; {casualties}.",
    ),
    "shooting": (
        "Automatic fire heard {where} at {hhmm}Z; {casualties}.",
        "Shots fired at a house {where}; {casualties}.",
    ),
    "explosion": (
        "Explosion at {target} {where} at {hhmm}Z; {casualties}.",
        "Hand grenade thrown at {target} {where}; {casualties}.",
    ),
    "arson": (
        "Fire set to {target} {where}; out by {hhmm}Z.",
        "Fire at {target} {where}; owners absent.",
    ),
    "roadblock": (
        "Roadblock of {size} people and {vehicles} {where}.",
        "Road closed by about {size} local residents {where} since {hhmm}Z.",
    ),
    "demonstration": (
        "About {crowd} people demonstrate {where} about {topic}.",
        "Peaceful gathering of about {crowd} people {where} over {topic}.",
    ),
    "armed_personnel_sighting": (
        "{size} armed men in {uniform} {activity} {where} at {hhmm}Z.",
        "Group of {size} armed personnel in {uniform} observed {where}.",
    ),
    "heavy_weapons_sighting": (
        "{count} x {equipment} observed {where} at {hhmm}Z.",
        "{count} x {equipment} in a firing position {where}.",
    ),
    "seizure": (
        "{quantity} {items} seized at a vehicle checkpoint {where}.",
        "Search of a house {where}: {quantity} {items} seized.",
    ),
    "aid_delivery": (
        "{agency} convoy delivered {tonnes} t of {goods} {where}.",
        "{tonnes} t of {goods} distributed by {agency} {where}.",
    ),
    "weapons_handed_in": (
        "{count} weapons handed in at the collection point {where}.",
        "{count} items ({category}) handed in voluntarily {where}.",
    ),
}


def _day(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


# Clusters of incidents planted on top of the background rhythm. They are synthetic stand-ins
# modelled on known tensions of the period, not a record of what happened: incidents, numbers
# and times are invented. `share` is the fraction of all reports each cluster takes.
#
# Each cluster also has a precursor phase, as real flare-ups often had one: the weeks before
# the March 2004 riots saw rising intimidation, protests, roadblocks and weapons about before
# the violence (verify). The index warns on that build-up, so the scenario needs one for its
# back-test to measure warning ahead of a flare-up. Over the `precursor_days` days before
# `start`, a share of each day's background reports (anywhere in Kosovo) is redrawn as one of
# the `precursor_kinds` around the cluster's town, in its sector: the share ramps up linearly
# from `precursor_peak` / `precursor_days` on the first day to `precursor_peak` on the eve.
# Synthetic too: the peaks are chosen so that, in the sector, the precursor kinds reach two to
# three times their usual daily count on the eve (a visible build-up, not a wall of reports).
FLARE_UPS: Final[tuple[dict[str, Any], ...]] = (
    {
        "id": "pristina-1999-06",
        "name": "Pristina, arson and attacks after KFOR's entry",
        "start": _day(1999, 6, 14),
        "end": _day(1999, 7, 15),
        "sector": "kfor-sector-mnb-centre",
        "town": "Pristina",
        "kinds": ("arson", "shooting", "explosion", "armed_personnel_sighting"),
        "share": 0.010,
        # KFOR entered on 12 Jun: only two days of reporting precede this one
        "precursor_days": 2,
        "precursor_kinds": ("arson", "armed_personnel_sighting", "demonstration"),
        "precursor_peak": 0.10,
        "note": "Synthetic stand-in modelled on the insecurity in Pristina in the weeks after "
        "12 Jun 1999.",
    },
    {
        "id": "orahovac-1999-08",
        "name": "Orahovac, roadblocks against a new contingent",
        "start": _day(1999, 8, 23),
        "end": _day(1999, 9, 10),
        "sector": "kfor-sector-mnb-south",
        "town": "Orahovac",
        "kinds": ("roadblock", "demonstration"),
        "share": 0.006,
        "precursor_days": 10,
        "precursor_kinds": ("demonstration", "roadblock", "armed_personnel_sighting"),
        "precursor_peak": 0.14,
        "note": "Synthetic stand-in modelled on the August 1999 protests in Orahovac against "
        "the deployment of Russian troops there (verify).",
    },
    {
        "id": "vitina-2000-01",
        "name": "Vitina and Gnjilane, attacks on minorities",
        "start": _day(2000, 1, 10),
        "end": _day(2000, 1, 31),
        "sector": "kfor-sector-mnb-east",
        "town": "Vitina",
        "kinds": ("shooting", "explosion", "arson", "seizure"),
        "share": 0.005,
        "precursor_days": 8,
        "precursor_kinds": ("arson", "demonstration", "roadblock", "armed_personnel_sighting"),
        "precursor_peak": 0.15,
        "note": "Synthetic stand-in modelled on tensions in the Gnjilane/Vitina area in early "
        "2000 (verify).",
    },
    {
        "id": "mitrovica-2000-02",
        "name": "Mitrovica bridge clashes",
        "start": _day(2000, 2, 2),
        "end": _day(2000, 2, 22),
        "sector": "kfor-sector-mnb-north",
        "town": "Mitrovicë",
        "kinds": ("demonstration", "armed_clash", "shooting", "explosion", "arson", "roadblock"),
        "share": 0.012,
        "precursor_days": 10,
        "precursor_kinds": ("demonstration", "roadblock", "arson", "armed_personnel_sighting"),
        "precursor_peak": 0.16,
        "note": "Synthetic stand-in modelled on the February 2000 violence around Mitrovica's "
        "Ibar bridge, the divided town's flashpoint.",
    },
)
