"""Partners and accession support in the scenario: the Balkan states' real milestones on the road
to NATO membership, KFOR's multinational brigades and the South-Eastern Europe Brigade, each
with its source; goals and exercises are synthetic and marked so.

Historical dates come from /work/shared/reference/balkans-facts.md ("Membership and
partnership", "KFOR's brigades", "Where popular accounts get it wrong"). The notes give no
Partnership for Peace or Membership Action Plan dates for Albania, Croatia or North Macedonia,
so none is stated here. A day stands as midnight UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from peacewatch.domain.labels import Viewer
from peacewatch.ingest import records
from peacewatch.ops import exercise_records, partner_records
from peacewatch.scenarios.balkans import record
from peacewatch.scenarios.kosovo1999.facts import PUBLIC_LABEL, SOURCES
from peacewatch.store import Store

__all__ = ["MILESTONES", "NATIONS", "load_partners"]

_NOTES = "reference notes (balkans-facts.md, Membership and partnership)"
PARTNER_SOURCES: Final[dict[str, str]] = {
    "crs": "Albania and Croatia NATO members 1 Apr 2009 - CRS report RL34701 "
    f"(cited in the {_NOTES})",
    "montenegro": f"Montenegro NATO member 5 Jun 2017 (29th) - {_NOTES}; primary source not "
    "given there (verify)",
    "north_macedonia": f"North Macedonia NATO member 27 Mar 2020 (30th) - {_NOTES}; primary "
    "source not given there (verify)",
    "pfp_2006": "Serbia, Bosnia and Herzegovina and Montenegro signed the Partnership for Peace "
    f"14 Dec 2006 - {_NOTES}; primary source not given there (verify)",
    "bih_map": "Bosnia and Herzegovina invited to the Membership Action Plan 22 Apr 2010 - "
    "https://www.nato.int/cps/en/natohq/news_62811.htm",
    "seebrig": "South-Eastern Europe Brigade: South-Eastern Europe Defence Ministerial process, "
    "agreement signed Skopje 26 Sep 1998, activated Plovdiv 31 Aug 1999; not a NATO formation "
    "- https://seebrig.org (reference notes)",
}
SYNTHETIC = "synthetic scenario data (not historical)"

NATIONS: Final[list[dict[str, str]]] = [
    {"code": "ALB", "name": "Albania", "kind": "nation"},
    {"code": "HRV", "name": "Croatia", "kind": "nation"},
    {"code": "MNE", "name": "Montenegro", "kind": "nation"},
    {"code": "MKD", "name": "North Macedonia", "kind": "nation"},
    {"code": "BIH", "name": "Bosnia and Herzegovina", "kind": "nation"},
    {"code": "SRB", "name": "Serbia", "kind": "nation"},
]


def _day(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


# (nation, status, since, source key, note): every dated step the reference notes give, dated
# by the record of NATO's Balkan operations (scenarios/balkans).
MILESTONES: Final[list[tuple[str, str, datetime, str, str | None]]] = [
    ("ALB", "member", record.day("albania-croatia-accession"), "crs", None),
    ("HRV", "member", record.day("albania-croatia-accession"), "crs", None),
    ("MNE", "pfp", record.day("pfp-2006"), "pfp_2006", None),
    ("MNE", "member", record.day("montenegro-accession"), "montenegro", "29th member"),
    ("MKD", "member", record.day("north-macedonia-accession"), "north_macedonia", "30th member"),
    ("BIH", "pfp", record.day("pfp-2006"), "pfp_2006", None),
    ("BIH", "map", record.day("bih-map"), "bih_map", "invited to the Membership Action Plan"),
    ("SRB", "pfp", record.day("pfp-2006"), "pfp_2006", None),
]

_LEADS = [
    ("mnb-north", "Multinational Brigade North", "FRA", "Kosovska Mitrovica"),
    ("mnb-centre", "Multinational Brigade Centre", "GBR", "Pristina"),
    ("mnb-west", "Multinational Brigade West", "ITA", "Peć"),
    ("mnb-south", "Multinational Brigade South", "DEU", "Prizren"),
    ("mnb-east", "Multinational Brigade East", "USA", "Camp Bondsteel (near Ferizaj)"),
]
_KFOR_START = record.start("kfor")
_AFP_REPORT = _day(2000, 2, 7)
# Contributors to MNB North named in the AFP report of 7 Feb 2000 (history.NATIONS): the day
# of the report stands for "contributing by then"; when they started is not in the notes.
_NORTH = ["BEL", "DNK", "ARE", "MAR"]


def _units() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for uid, name, lead, hq in _LEADS:
        contributions = [
            {"nation": lead, "role": "lead nation", "from": _KFOR_START, "to": None,
             "source": SOURCES["brigades"]}
        ]  # fmt: skip
        if uid == "mnb-north":
            contributions += [
                {"nation": code, "role": "contributor (named in a report of 7 Feb 2000)",
                 "from": _AFP_REPORT, "source": SOURCES["mnb_north_2000"]}
                for code in _NORTH
            ]  # fmt: skip
        out.append(
            {"uid": uid, "name": name, "kind": "brigade", "hq": hq, "formed": _KFOR_START,
             "source": SOURCES["brigades"], "label": PUBLIC_LABEL,
             "contributions": contributions}
        )  # fmt: skip
    # SEEBRIG's contributing nations are not in the reference notes: none is stated.
    out.append(
        {"uid": "seebrig", "name": "South-Eastern Europe Brigade (SEEBRIG)", "kind": "brigade",
         "formed": record.day("seebrig-activated"), "source": PARTNER_SOURCES["seebrig"],
         "label": PUBLIC_LABEL, "contributions": []}
    )  # fmt: skip
    return out


_RESTRICTED = "NATO RESTRICTED REL TO KFOR, NATO"


def _goals() -> list[tuple[str, dict[str, Any]]]:
    """Synthetic goals: one on schedule, one behind, one without milestones."""

    def ms(title: str, planned: datetime, achieved: datetime | None) -> dict[str, Any]:
        return {"title": title, "planned": planned, "achieved": achieved}

    return [
        ("BIH", {
            "uid": "bih-defence-reform", "title": "Defence reform: joint command structure",
            "area": "defence reform", "label": _RESTRICTED, "milestones": [
                ms("Law adopted", _day(2003, 12, 1), _day(2003, 12, 1)),
                ms("Joint staff stood up", _day(2004, 6, 1), _day(2004, 9, 1)),
                ms("Entity forces merged", _day(2005, 12, 31), None),
                ms("Declared interoperable", _day(2030, 1, 1), None),
            ]}),
        ("SRB", {
            "uid": "srb-pfp-documents", "title": "Partnership documents agreed",
            "area": "partnership", "label": PUBLIC_LABEL, "milestones": [
                ms("Presentation document submitted", _day(2007, 9, 1), _day(2007, 8, 1)),
                ms("Individual programme agreed", _day(2008, 6, 1), _day(2008, 5, 1)),
            ]}),
        ("MKD", {
            "uid": "mkd-language-training", "title": "English-language training of staff officers",
            "area": "interoperability", "label": PUBLIC_LABEL, "progress": 60,
            "due": _day(2002, 12, 31)}),
        ("ALB", {
            "uid": "alb-border-police", "title": "Border police reform",
            "area": "border security", "label": _RESTRICTED, "milestones": [
                ms("Training centre opened", _day(2000, 3, 1), _day(2000, 5, 1)),
                ms("Northern crossings staffed", _day(2000, 9, 1), None),
            ]}),
    ]  # fmt: skip


def _exercises() -> list[dict[str, Any]]:
    return [
        {"uid": "ex-bridge-00", "name": "Exercise BRIDGE 00 (synthetic)",
         "place": "Camp Bondsteel (near Ferizaj)", "lon": 21.248, "lat": 42.366,
         "start": _day(2000, 4, 10), "end": _day(2000, 4, 14),
         "participants": ["USA", "ALB", "MKD", "GRC", "TUR"], "label": PUBLIC_LABEL,
         "objectives": [
             {"title": "Combined convoy escort under one command", "outcome": "met"},
             {"title": "Common radio procedures", "outcome": "partly",
              "notes": "two nations' sets could not share the secure net"},
             {"title": "Casualty evacuation by a partner's helicopter", "outcome": "not_met",
              "notes": "landing-zone marking not agreed"},
         ]},
        {"uid": "ex-harbour-99", "name": "Exercise HARBOUR 99 (synthetic)",
         "place": "Pristina", "lon": 21.166, "lat": 42.663,
         "start": _day(1999, 11, 2), "end": _day(1999, 11, 4),
         "participants": ["GBR", "HRV", "UKR"], "label": _RESTRICTED,
         "objectives": [
             {"title": "Joint checkpoint drills", "outcome": "met"},
             {"title": "Shared incident reporting (SALUTE)", "outcome": "met"},
             {"title": "Night patrol hand-over", "outcome": None},
         ]},
    ]  # fmt: skip


def load_partners(store: Store, viewer: Viewer, _generator: Any) -> dict[str, int]:
    """Write the partner nations, their dated milestones, the brigades, synthetic goals and
    exercises; returns counts."""
    records.add_nations(store, NATIONS)
    for nation, status, since, key, note in MILESTONES:
        partner_records.add_status(
            store, viewer=viewer, nation=nation,
            data={"status": status, "since": since, "source": PARTNER_SOURCES[key],
                  "note": note, "label": PUBLIC_LABEL},
        )  # fmt: skip
    for unit in _units():
        exercise_records.add_multinational_unit(store, viewer=viewer, data=unit)
    goals = _goals()
    for nation, goal in goals:
        data = {**goal, "source": SYNTHETIC, "synthetic": True}
        partner_records.add_goal(store, viewer=viewer, nation=nation, data=data)
    exercises = _exercises()
    for exercise in exercises:
        data = {**exercise, "source": SYNTHETIC, "synthetic": True}
        exercise_records.add_exercise(store, viewer=viewer, data=data)
    return {
        "partner_milestones": len(MILESTONES),
        "multinational_units": len(_LEADS) + 1,
        "partner_goals": len(goals),
        "exercises": len(exercises),
    }
