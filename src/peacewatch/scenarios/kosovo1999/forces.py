"""Units of the scenario: KFOR brigades and battalions, withdrawing VJ formations, UÇK zones."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from functools import cache
from typing import Any, Final

from peacewatch.scenarios.kosovo1999.facts import MISSION, SECTORS, SOURCES, WITHDRAWAL_COMPLETE

__all__ = ["ECHELON_AMPLIFIERS", "sidc", "units"]

# 2525D/APP-6(D) echelon amplifiers (positions 9-10) for land units.
ECHELON_AMPLIFIERS: Final[dict[str, str]] = {
    "unspecified": "00",
    "company": "15",
    "battalion": "16",
    "regiment": "17",
    "brigade": "18",
    "division": "21",
    "corps": "22",
}
# Standard identities (position 4). KFOR is a peace-support force, not a party to a war: the
# VJ/MUP and the UÇK were the parties whose compliance it verified, not its enemies. Marking them
# hostile (6) would misstate the mission's posture; neutral (4) would hide that they were armed
# formations under watch. Suspect (5) says "armed, watched, not an enemy" and keeps both parties
# on an equal footing.
FRIEND: Final = "3"
SUSPECT: Final = "5"

# Land unit entity codes (2525D positions 11-16).
_ENTITY: Final[dict[str, str]] = {
    "command": "110000",
    "infantry": "121100",
    "mechanised_infantry": "121102",
    "armour": "120500",
    "reconnaissance": "121300",
    "artillery": "130300",
    "engineer": "140700",
    "military_police": "141200",
    "medical": "161300",
    "combat_service_support": "160600",
}

_KFOR_LABEL: Final = "NATO RESTRICTED REL TO KFOR, NATO"
_PARTY_LABEL: Final = "NATO CONFIDENTIAL REL TO KFOR, NATO"

# Unit homes: (lon, lat) of the town in GeoNames (cities1000); the airport's published position.
_TOWN: Final[dict[str, tuple[float, float]]] = {
    "Pristina": (21.16688, 42.67272),
    "Pristina airport (Slatina)": (21.0358, 42.5728),
    "Mitrovica": (20.86667, 42.88333),
    "Vushtrri": (20.9675, 42.82306),
    "Zvečan": (20.84028, 42.9075),
    "Leposavić": (20.80278, 43.10389),
    "Srbica": (20.78861, 42.74667),
    "Podujevo": (21.19306, 42.91056),
    "Lipljan": (21.12583, 42.52167),
    "Glogovac": (20.89389, 42.62833),
    "Peć": (20.28828, 42.65913),
    "Istok": (20.4875, 42.78083),
    "Klina": (20.57778, 42.62167),
    "Đakovica": (20.43083, 42.38028),
    "Dečani": (20.28793, 42.54018),
    "Prizren": (20.73972, 42.21389),
    "Orahovac": (20.65472, 42.39944),
    "Suva Reka": (20.825, 42.35861),
    "Mališevo": (20.74583, 42.48222),
    "Ferizaj": (21.15528, 42.37056),
    "Gnjilane": (21.46986, 42.46045),
    "Vitina": (21.35833, 42.32139),
    "Kamenica": (21.58028, 42.57806),
    "Kačanik": (21.25944, 42.23194),
    "Shtime": (21.03972, 42.43306),
    # Destinations of the VJ withdrawal, in Serbia beyond the 25 km Air Safety Zone.
    "Kraljevo": (20.68944, 43.72583),
    "Kruševac": (21.33389, 43.58),
    "Niš": (21.90333, 43.32472),
    "Leskovac": (21.94611, 42.99806),
}


def sidc(identity: str, echelon: str, entity: str, *, headquarters: bool = False) -> str:
    """A 20-digit 2525D land-unit SIDC (reality context, present status)."""
    hq = "2" if headquarters else "0"
    return f"100{identity}100{hq}{ECHELON_AMPLIFIERS[echelon]}{_ENTITY[entity]}0000"


def _kfor_unit(
    uid: str,
    name: str,
    *,
    nation: str,
    echelon: str,
    entity: str,
    home: str,
    sector: str | None,
    source: str,
    headquarters: bool = False,
    point: tuple[float, float] | None = None,
) -> dict[str, Any]:
    return {
        "uid": uid,
        "name": name,
        "sidc": sidc(FRIEND, echelon, entity, headquarters=headquarters),
        "nation": nation,
        "party": None,
        "echelon": echelon,
        "label": _KFOR_LABEL,
        "home": point or _TOWN[home],
        "home_name": home,
        "sector": sector,
        "source": source,
        "synthetic": False,
    }


_BATTALIONS: Final[dict[str, list[tuple[str, str, str]]]] = {
    # sector uid -> (role, entity, home town); lead-nation battalions of each brigade.
    "kfor-sector-mnb-north": [
        ("mechanised infantry battalion", "mechanised_infantry", "Mitrovica"),
        ("armoured reconnaissance squadron", "reconnaissance", "Leposavić"),
        ("engineer battalion", "engineer", "Zvečan"),
    ],
    "kfor-sector-mnb-centre": [
        ("armoured battle group", "armour", "Pristina"),
        ("infantry battle group", "infantry", "Podujevo"),
        ("infantry battalion", "infantry", "Lipljan"),
    ],
    "kfor-sector-mnb-west": [
        ("mechanised infantry battalion", "mechanised_infantry", "Peć"),
        ("infantry battalion", "infantry", "Đakovica"),
        ("engineer company", "engineer", "Klina"),
    ],
    "kfor-sector-mnb-south": [
        ("mechanised infantry battalion", "mechanised_infantry", "Prizren"),
        ("armoured battalion", "armour", "Suva Reka"),
        ("medical company", "medical", "Prizren"),
    ],
    "kfor-sector-mnb-east": [
        ("mechanised infantry task force", "mechanised_infantry", "Gnjilane"),
        ("infantry battalion", "infantry", "Vitina"),
        ("field artillery battalion", "artillery", "Ferizaj"),
    ],
}
_ADJECTIVE: Final = {
    "FRA": "French",
    "GBR": "British",
    "ITA": "Italian",
    "DEU": "German",
    "USA": "US",
}


def _kfor_units() -> list[dict[str, Any]]:
    found = [
        _kfor_unit(
            "kfor-hq",
            "HQ KFOR",
            nation="NATO",
            echelon="corps",
            entity="command",
            home="Pristina",
            sector=None,
            source=SOURCES["kfor"],
            headquarters=True,
        )
    ]
    for sector in SECTORS:
        slug = sector["uid"].removeprefix("kfor-sector-")
        nation = sector["lead_nation"]
        found.append(
            _kfor_unit(
                f"kfor-{slug}-hq",
                f"HQ {sector['name']} ({sector['short']})",
                nation=nation,
                echelon="brigade",
                entity="command",
                home=sector["hq_name"],
                point=sector["hq"],
                sector=sector["uid"],
                source=SOURCES["brigades"],
                headquarters=True,
            )
        )
        for number, (role, entity, town) in enumerate(_BATTALIONS[sector["uid"]], start=1):
            echelon = "company" if "company" in role or "squadron" in role else "battalion"
            unit = _kfor_unit(
                f"kfor-{slug}-{nation.lower()}-{number}",
                f"{sector['short']} {_ADJECTIVE[nation]} {role} ({town})",
                nation=nation,
                echelon=echelon,
                entity=entity,
                home=town,
                sector=sector["uid"],
                source=f"{SOURCES['brigades']}; battalion and location: plausible, not historical",
            )
            unit["synthetic"] = True
            found.append(unit)
    # Contingents named at the sources, placed where they are commonly reported (verify).
    extra = [
        ("kfor-rus-airborne", "Russian airborne battalion (Pristina airport)", "RUS",
         "Pristina airport (Slatina)", None, SOURCES["kfor_nations"]),
        ("kfor-msu", "Multinational Specialized Unit (Carabinieri)", "ITA", "Pristina", None,
         "KFOR's police-type element is the MSU (reference notes, 'Where popular accounts get "
         "it wrong')"),
        ("kfor-mnb-north-dnk", "Danish armoured infantry battalion", "DNK", "Vushtrri",
         "kfor-sector-mnb-north", SOURCES["mnb_north_2000"]),
        ("kfor-mnb-north-bel", "Belgian armoured infantry battalion", "BEL", "Srbica",
         "kfor-sector-mnb-north", SOURCES["mnb_north_2000"]),
        ("kfor-mnb-north-are", "UAE battalion", "ARE", "Vushtrri", "kfor-sector-mnb-north",
         SOURCES["mnb_north_2000"]),
        ("kfor-mnb-south-nld", "Dutch battalion", "NLD", "Orahovac", "kfor-sector-mnb-south",
         SOURCES["kfor_nations"]),
    ]  # fmt: skip
    for uid, name, nation, town, sector_uid, source in extra:
        entity = {
            "RUS": "infantry",
            "ARE": "infantry",
            "NLD": "infantry",
            "ITA": "military_police",
        }.get(nation, "mechanised_infantry")
        found.append(
            _kfor_unit(
                uid,
                name,
                nation=nation,
                echelon="battalion",
                entity=entity,
                home=town,
                sector=sector_uid,
                source=f"{source}; location: commonly reported (verify)",
            )
        )
    return found


# (uid, name, echelon, entity, home, withdrawal destination, out of Kosovo by). Formations of the
# VJ Pristina Corps as named in the ICTY record (verify); dates are staggered within the MTA's
# phases and all before the observed end of the withdrawal, 20 Jun 1999.
_VJ: Final = [
    ("fry-vj-pristina-corps", "VJ Pristina Corps HQ", "corps", "command", "Pristina", "Niš",
     datetime(1999, 6, 19, tzinfo=UTC)),
    ("fry-vj-15-armd-bde", "VJ 15th Armoured Brigade", "brigade", "armour", "Pristina",
     "Kruševac", datetime(1999, 6, 18, tzinfo=UTC)),
    ("fry-vj-125-mot-bde", "VJ 125th Motorised Brigade", "brigade", "infantry", "Mitrovica",
     "Kraljevo", datetime(1999, 6, 19, tzinfo=UTC)),
    ("fry-vj-549-mot-bde", "VJ 549th Motorised Brigade", "brigade", "infantry", "Prizren",
     "Kruševac", datetime(1999, 6, 16, tzinfo=UTC)),
    ("fry-vj-243-mech-bde", "VJ 243rd Mechanised Brigade", "brigade", "mechanised_infantry",
     "Ferizaj", "Leskovac", datetime(1999, 6, 17, tzinfo=UTC)),
    ("fry-mup-pjp", "MUP special police units (PJP)", "unspecified", "military_police",
     "Pristina", "Niš", datetime(1999, 6, 19, tzinfo=UTC)),
]  # fmt: skip

# UÇK operational zones with an approximate centre (verify).
_UCK: Final = [
    ("uck-zone-drenica", "UÇK Operational Zone Drenica", "Glogovac"),
    ("uck-zone-dukagjin", "UÇK Operational Zone Dukagjin", "Dečani"),
    ("uck-zone-pashtrik", "UÇK Operational Zone Pashtrik", "Mališevo"),
    ("uck-zone-llap", "UÇK Operational Zone Llap", "Podujevo"),
    ("uck-zone-shala", "UÇK Operational Zone Shala", "Vushtrri"),
    ("uck-zone-nerodime", "UÇK Operational Zone Nerodime", "Shtime"),
    ("uck-zone-karadak", "UÇK Operational Zone Karadak", "Vitina"),
]


def _party_units() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for uid, name, echelon, entity, home, destination, out_by in _VJ:
        found.append(
            {
                "uid": uid,
                "name": name,
                "sidc": sidc(SUSPECT, echelon, entity, headquarters=entity == "command"),
                "nation": None,
                "party": "FRY",
                "echelon": echelon,
                "label": _PARTY_LABEL,
                "home": _TOWN[home],
                "home_name": home,
                "sector": None,
                "withdraw_to": _TOWN[destination],
                "withdraw_to_name": destination,
                "withdrawn_by": min(out_by, WITHDRAWAL_COMPLETE),
                "source": f"{SOURCES['pristina_corps']}; withdrawal: {SOURCES['mta']} "
                "(route and day per unit approximate)",
                "synthetic": False,
            }
        )
    for uid, name, home in _UCK:
        found.append(
            {
                "uid": uid,
                "name": name,
                "sidc": sidc(SUSPECT, "unspecified", "infantry"),
                "nation": None,
                "party": "UCK",
                "echelon": "operational zone",
                "label": _PARTY_LABEL,
                "home": _TOWN[home],
                "home_name": home,
                "sector": None,
                "source": f"{SOURCES['uck']}; zone centre approximate",
                "synthetic": False,
            }
        )
    return found


@cache
def _units() -> tuple[dict[str, Any], ...]:
    found = _kfor_units() + _party_units()
    for unit in found:
        unit.setdefault("mission", MISSION["code"])
    return tuple(found)


def units() -> list[dict[str, Any]]:
    """KFOR HQs and battalions, VJ/MUP formations (withdrawing) and UÇK zones."""
    return [copy.deepcopy(unit) for unit in _units()]
