"""Historical facts of the scenario as plain data, each record with its source.

Sources come from /work/shared/reference/balkans-facts.md unless marked "not in the reference
notes"; anything the notes mark "(verify)" keeps that mark here, so the product never states it
as settled fact.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

from peacewatch.scenarios.balkans import record

__all__ = [
    "AGREEMENT",
    "EIF",
    "MISSION",
    "MISSION_END",
    "MISSION_START",
    "NATIONS",
    "OBLIGATIONS",
    "PARTIES",
    "SECTORS",
    "SOURCES",
    "WITHDRAWAL_COMPLETE",
]

SOURCES: Final[dict[str, str]] = {
    "mta": "Military Technical Agreement (Kumanovo), signed 9 Jun 1999, in force 10 Jun - "
    "https://en.wikipedia.org/wiki/Kumanovo_Agreement",
    "mta_text": "Military Technical Agreement text, NATO - "
    "https://www.nato.int/kosovo/docu/a990609a.htm (wording: verify)",
    "allied_force": "Operation Allied Force ended 10 Jun 1999, NATO - "
    "https://www.nato.int/kosovo/press/u990610a.htm",
    "kfor": "KFOR from 12 Jun 1999 under UNSCR 1244 - https://planken.org/balkans/kfor",
    "kfor_nations": "KFOR at launch: ~50,000 troops from 30 countries, with contingents - "
    "https://gov.pl/web/national-defence/kfor",
    "brigades": "KFOR's five Multinational Brigades 1999-2000, lead nations and HQs "
    "(reference notes' brigade table; five MNBs in Dec 2000 - "
    "https://planken.org/archive/2000/12)",
    "mnb_north_2000": "AFP 7 Feb 2000, 'around 8,000 people from six countries' in MNB North - "
    "http://www.jjvanka.net/archief/balkan_2000/2---/ceol197.html",
    "gsz_march_2001": "NAC authorises controlled return to the GSZ, 8 Mar 2001; VJ enters Sector "
    "C-East 14 Mar - https://www.nato.int/docu/pr/2001/p01-035e.htm",
    "gsz_may_2001": "NAC authorises return to GSZ Sector B from 24 May 2001 - "
    "https://www.nato.int/docu/pr/2001/p01-066e.htm",
    "asz_2001": "Air Safety Zone reduced from 25 km to 10 km, end of Dec 2001 - "
    "http://news.bbc.co.uk/2/hi/europe/1730576.stm",
    "boundaries": "Natural Earth 1:10m Admin 0 countries, via npm world-atlas@2.0.2 "
    "countries-10m.json",
    "pristina_corps": "VJ Pristina Corps order of battle, ICTY Prosecutor v. Milutinovic et al., "
    "trial judgement 26 Feb 2009 - https://www.icty.org/case/milutinovic "
    "(not in the reference notes; verify)",
    "uck": "UCK/KLA operational zones and the demilitarisation undertaking of 21 Jun 1999 - "
    "https://en.wikipedia.org/wiki/Kosovo_Liberation_Army (not in the reference notes; verify)",
}

# Entry into force of the MTA; the agreement's phase deadlines count from this day. The hour of
# entry into force is not modelled: midnight UTC stands for the day.
# The operation dates come from the record of NATO's Balkan operations (scenarios/balkans).
EIF: Final = record.day("mta-in-force")
MISSION_START: Final = record.start("kfor")
# The generated year of activity: 12 Jun 1999 up to and including 11 Jun 2000.
MISSION_END: Final = datetime(2000, 6, 12, tzinfo=UTC)
# "All Yugoslav forces were out on 20 Jun 1999" (reference notes, MTA section).
WITHDRAWAL_COMPLETE: Final = record.day("yugoslav-withdrawal-complete")

PUBLIC_LABEL: Final = "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"

MISSION: Final[dict[str, Any]] = {
    "code": "KFOR",
    "name": "Kosovo Force",
    "start": MISSION_START,
    "end": None,
    "mandate": "UNSCR 1244 (10 June 1999)",
    "default_label": "NATO UNCLASSIFIED REL TO KFOR, NATO",
    # The mandate, the agreement's zones and the parties are published texts (UNSCR 1244, the
    # MTA): released to partners too, so a partner's liaison officer sees the mission's frame.
    "label": PUBLIC_LABEL,
    "operation": "Joint Guardian",
    "area": "Kosovo",
    "source": SOURCES["kfor"],
}


def _nation(code: str, name: str, role: str, source: str) -> dict[str, Any]:
    return {"code": code, "name": name, "kind": "nation", "role": role, "source": source}


_LEAD = "brigade lead nation"
_LAUNCH = "contributor at launch (contingent size given at the source)"
_CONTRIB = "contributor (listed at the source; 1999-2000 dates: verify)"
_NORTH = "contributor to MNB North in Feb 2000"

NATIONS: Final[list[dict[str, Any]]] = [
    _nation("FRA", "France", f"{_LEAD}, MNB North", SOURCES["brigades"]),
    _nation("GBR", "United Kingdom", f"{_LEAD}, MNB Centre", SOURCES["brigades"]),
    _nation("ITA", "Italy", f"{_LEAD}, MNB West", SOURCES["brigades"]),
    _nation("DEU", "Germany", f"{_LEAD}, MNB South", SOURCES["brigades"]),
    _nation("USA", "United States", f"{_LEAD}, MNB East", SOURCES["brigades"]),
    _nation("RUS", "Russia", _LAUNCH, SOURCES["kfor_nations"]),
    _nation("NLD", "Netherlands", _LAUNCH, SOURCES["kfor_nations"]),
    _nation("UKR", "Ukraine", _LAUNCH, SOURCES["kfor_nations"]),
    _nation("ESP", "Spain", _LAUNCH, SOURCES["kfor_nations"]),
    _nation("BEL", "Belgium", _NORTH, SOURCES["mnb_north_2000"]),
    _nation("DNK", "Denmark", _NORTH, SOURCES["mnb_north_2000"]),
    _nation("ARE", "United Arab Emirates", _NORTH, SOURCES["mnb_north_2000"]),
    _nation("MAR", "Morocco", _NORTH, SOURCES["mnb_north_2000"]),
    _nation("NOR", "Norway", _CONTRIB, SOURCES["kfor_nations"]),
    _nation("GRC", "Greece", _CONTRIB, SOURCES["kfor_nations"]),
    _nation("TUR", "Turkey", _CONTRIB, SOURCES["kfor_nations"]),
    _nation("CAN", "Canada", _CONTRIB, SOURCES["kfor_nations"]),
    _nation("POL", "Poland", _CONTRIB, SOURCES["kfor_nations"]),
    _nation("SWE", "Sweden", _CONTRIB, SOURCES["kfor_nations"]),
    _nation("FIN", "Finland", _CONTRIB, SOURCES["kfor_nations"]),
    _nation("AUT", "Austria", _CONTRIB, SOURCES["kfor_nations"]),
    {
        "code": "NATO",
        "name": "North Atlantic Treaty Organization (member nations)",
        "kind": "community",
        "source": SOURCES["kfor"],
    },
    {
        "code": "KFOR",
        "name": "Kosovo Force (all troop-contributing nations)",
        "kind": "community",
        "source": SOURCES["kfor"],
    },
    {
        "code": "PARTNER",
        "name": "Partner nations contributing to KFOR outside NATO",
        "kind": "community",
        "source": SOURCES["kfor_nations"],
    },
]

PARTIES: Final[list[dict[str, Any]]] = [
    {
        "code": "FRY",
        "name": "FRY/Serbian forces (VJ and MUP)",
        "description": "Yugoslav Army (VJ) and Serbian Ministry of Interior (MUP) forces; bound "
        "by the MTA to leave Kosovo and to keep out of the Ground and Air Safety Zones.",
        "bound_by": ["MTA"],
        "withdrawal_complete": WITHDRAWAL_COMPLETE,
        "source": SOURCES["mta"],
    },
    {
        "code": "UCK",
        "name": "UÇK / Kosovo Liberation Army",
        "description": "Kosovo Albanian armed group; signed an undertaking to demilitarise "
        "(21 Jun 1999) with a 90-day deadline (verify).",
        "bound_by": ["UCK_UNDERTAKING"],
        "undertaking_signed": datetime(1999, 6, 21, tzinfo=UTC),
        # Approximate: 90 days after the undertaking, as commonly reported (verify).
        "demilitarised_by": datetime(1999, 9, 20, tzinfo=UTC),
        "source": SOURCES["uck"],
    },
]


def _phase(days: int, requirement: str) -> dict[str, Any]:
    return {
        "name": f"EIF+{days}",
        "offset_days": days,
        "deadline": EIF + timedelta(days=days),
        "requirement": requirement,
        "bound_parties": ["FRY"],
        "source": SOURCES["mta_text"],
    }


AGREEMENT: Final[dict[str, Any]] = {
    "code": "MTA",
    "name": "Military Technical Agreement between KFOR and the Governments of the Federal "
    "Republic of Yugoslavia and the Republic of Serbia (Kumanovo)",
    "signed": record.day("mta-signed"),
    "entry_into_force": EIF,
    "mission": "KFOR",
    "bound_parties": ["FRY"],
    "phases": [
        _phase(1, "FRY forces in Zone 3 move to designated assembly areas"),
        _phase(6, "Zone 1 vacated"),
        _phase(9, "Zone 2 vacated"),
        _phase(11, "Zone 3 vacated; withdrawal from Kosovo complete"),
    ],
    "withdrawal_observed_complete": WITHDRAWAL_COMPLETE,
    "safety_zones": {
        "air_safety_zone": {
            "width_km": 25.0,
            "definition": "25 km beyond Kosovo's boundary into the rest of FRY, with the airspace "
            "above (Art. I.3)",
            "prohibited": ["aircraft", "air_defence"],
            "bound_parties": ["FRY"],
            "reduced_to_km": 10.0,
            # "End of Dec 2001": the last day of the month stands for it (approximate).
            "reduced_on": datetime(2001, 12, 31, tzinfo=UTC),
            "source": f"{SOURCES['mta']}; {SOURCES['asz_2001']}",
        },
        "ground_safety_zone": {
            "width_km": 5.0,
            "definition": "5 km beyond Kosovo's boundary into the rest of FRY, with the terrain "
            "(Art. I.3); only lightly armed police allowed",
            "prohibited": ["armed_forces", "heavy_weapons", "air_defence"],
            "allowed": ["lightly_armed_police"],
            "bound_parties": ["FRY"],
            "source": f"{SOURCES['mta']}; {SOURCES['mta_text']}",
        },
    },
    "source": SOURCES["mta"],
}

# KFOR's brigade sectors. Lead nation and HQ are historical (reference notes' brigade table);
# the anchor towns that shape the sector lines are a plausible assignment from general knowledge
# of which brigade held which town (not in the reference notes; verify), so the lines between
# sectors are an approximation. Coordinates are (lon, lat); anchors use GeoNames positions.
SECTORS: Final[list[dict[str, Any]]] = [
    {
        "uid": "kfor-sector-mnb-north",
        "name": "Multinational Brigade North",
        "short": "MNB(N)",
        "lead_nation": "FRA",
        "hq_name": "Kosovska Mitrovica",
        "hq": (20.866, 42.891),
        "anchors": {
            "Leposavić": (20.80278, 43.10389),
            "Zubin Potok": (20.68972, 42.91444),
            "Zvečan": (20.84028, 42.9075),
            "Vushtrri": (20.9675, 42.82306),
            "Srbica": (20.78861, 42.74667),
        },
    },
    {
        "uid": "kfor-sector-mnb-centre",
        "name": "Multinational Brigade Centre",
        "short": "MNB(C)",
        "lead_nation": "GBR",
        "hq_name": "Pristina",
        "hq": (21.166, 42.663),
        "anchors": {
            "Podujevo": (21.19306, 42.91056),
            "Obilić": (21.07028, 42.68694),
            "Glogovac": (20.89389, 42.62833),
            "Lipljan": (21.12583, 42.52167),
        },
    },
    {
        "uid": "kfor-sector-mnb-west",
        "name": "Multinational Brigade West",
        "short": "MNB(W)",
        "lead_nation": "ITA",
        "hq_name": "Peć",
        "hq": (20.289, 42.659),
        "anchors": {
            "Istok": (20.4875, 42.78083),
            "Klina": (20.57778, 42.62167),
            "Dečani": (20.28793, 42.54018),
            "Đakovica": (20.43083, 42.38028),
        },
    },
    {
        "uid": "kfor-sector-mnb-south",
        "name": "Multinational Brigade South",
        "short": "MNB(S)",
        "lead_nation": "DEU",
        "hq_name": "Prizren",
        "hq": (20.740, 42.214),
        "anchors": {
            "Orahovac": (20.65472, 42.39944),
            "Suva Reka": (20.825, 42.35861),
            "Mališevo": (20.74583, 42.48222),
            "Dragaš": (20.65333, 42.0265),
        },
    },
    {
        "uid": "kfor-sector-mnb-east",
        "name": "Multinational Brigade East",
        "short": "MNB(E)",
        "lead_nation": "USA",
        "hq_name": "Camp Bondsteel (near Ferizaj)",
        "hq": (21.248, 42.366),
        "anchors": {
            "Gnjilane": (21.46986, 42.46045),
            "Kosovska Kamenica": (21.58028, 42.57806),
            "Novo Brdo": (21.43405, 42.6159),
            "Vitina": (21.35833, 42.32139),
            "Kačanik": (21.25944, 42.23194),
        },
    },
]


_GSZ_SECTORS: Final = (
    "mta-gsz-sector-c-east", "mta-gsz-sector-b", "mta-gsz-sector-north-east",
    "mta-gsz-sector-north-west",
)  # fmt: skip
_DAY: Final = timedelta(days=1)

# The MTA as machine-checkable obligations (compliance/): who is bound, where (zone uids: each
# zone row is a version with its own validity, so the 2001 hand-back of the GSZ sectors and the
# ASZ's reduction to 10 km are judged by date), what is prohibited, and from when. The EIF+1
# step (Zone 3's forces to assembly areas) names no area we can draw and is not checked.
OBLIGATIONS: Final[list[dict[str, Any]]] = [
    {
        "code": "asz-air",
        "clause": "MTA Art. I.3, II; Appendix B: air and air defence forces out of the ASZ",
        "title": "No FRY aircraft or air defence in the Air Safety Zone",
        "parties": ["FRY"],
        "zones": ["mta-asz-25km", "mta-asz-10km"],
        "prohibited": ["aircraft", "air_defence"],
        "valid_from": EIF + _DAY,
        "deadline": "EIF+1",
        "source": f"{SOURCES['mta']}; {SOURCES['asz_2001']}",
    },
    {
        "code": "gsz-ground",
        "clause": "MTA Art. I.3, II: only lightly armed police in the Ground Safety Zone",
        "title": "No FRY armed forces, heavy weapons or air defence in the Ground Safety Zone",
        "parties": ["FRY"],
        "zones": list(_GSZ_SECTORS),
        "prohibited": ["armed_forces", "heavy_weapons", "air_defence"],
        # Forces crossed the zone on their way out until withdrawal was complete.
        "valid_from": EIF + 11 * _DAY,
        "deadline": "EIF+11",
        "source": f"{SOURCES['mta']}; {SOURCES['gsz_march_2001']}; {SOURCES['gsz_may_2001']}",
    },
    *[
        {
            "code": f"withdrawal-zone-{number}",
            "clause": f"MTA Art. II; Appendix B phase {phase}",
            "title": f"FRY forces out of withdrawal Zone {number} by {phase}",
            "parties": ["FRY"],
            "zones": [f"mta-withdrawal-zone-{number}"],
            "prohibited": ["any_forces"],
            "valid_from": EIF + int(phase.split("+")[1]) * _DAY,
            "deadline": phase,
            "source": SOURCES["mta_text"],
        }
        for number, phase in ((1, "EIF+6"), (2, "EIF+9"), (3, "EIF+11"))
    ],
    {
        "code": "withdrawal-kosovo",
        "clause": "MTA Art. II; Appendix B phase EIF+11: withdrawal from Kosovo complete",
        "title": "No FRY forces in Kosovo after EIF+11",
        "parties": ["FRY"],
        "zones": ["kosovo-boundary"],
        "prohibited": ["any_forces"],
        "valid_from": EIF + 11 * _DAY,
        "deadline": "EIF+11",
        "source": SOURCES["mta_text"],
    },
]
