"""The record itself: NATO's Balkan operations, offices, milestones and corrections, 1992 on.

Every fact is taken from the reference notes (/work/shared/reference/balkans-facts.md) and
cites the source the notes give for it; where the notes mark a fact "(verify)", or give no
source for it beyond themselves, the item says so (``verify`` with a note), so the product
never states it as settled. A date the notes give only to the month or the year carries that
precision (the first day stands for it).
"""

from __future__ import annotations

from datetime import date
from typing import Final

from peacewatch.scenarios.balkans.model import Correction, Handover, Milestone, Source, Span

_NATO = "https://www.nato.int"
_WIKI = "https://en.wikipedia.org/wiki"

# Sources, one per page the reference notes cite.
S: Final[dict[str, Source]] = {
    "bosnia": Source("NATO intervention in Bosnia and Herzegovina",
                     f"{_WIKI}/NATO_intervention_in_Bosnia"),
    "sky_monitor": Source("Operation Sky Monitor", f"{_WIKI}/Operation_Sky_Monitor"),
    "sharp_guard": Source("Operation Sharp Guard", f"{_WIKI}/Operation_Sharp_Guard"),
    "deny_flight": Source("Operation Deny Flight", f"{_WIKI}/Operation_Deny_Flight"),
    "deliberate_force": Source("Operation Deliberate Force", f"{_WIKI}/Operation_Deliberate_Force"),
    "ifor": Source("Implementation Force", f"{_WIKI}/Implementation_Force"),
    "sfor": Source("Stabilisation Force in Bosnia and Herzegovina",
                   f"{_WIKI}/Stabilisation_Force_in_Bosnia_and_Herzegovina"),
    "althea": Source("NATO Update, 2 December 2004: SFOR concluded, EUFOR takes over; NATO HQ "
                     "Sarajevo", f"{_NATO}/docu/update/2004/12-december/e1202b.htm"),
    "allied_force": Source("NATO press: Operation Allied Force, 10 June 1999",
                           f"{_NATO}/kosovo/press/u990610a.htm"),
    "kumanovo": Source("Kumanovo Agreement", f"{_WIKI}/Kumanovo_Agreement"),
    "mta_text": Source("Military Technical Agreement, text (NATO)",
                       f"{_NATO}/kosovo/docu/a990609a.htm"),
    "kfor": Source("KFOR (planken.org)", "https://planken.org/balkans/kfor"),
    "kfor_pl": Source("KFOR (Polish Ministry of National Defence)",
                      "https://gov.pl/web/national-defence/kfor"),
    "essential_harvest": Source("Arms Control Today, Oct 2001: NATO ends weapons collection in "
                                "Macedonia",
                                "https://armscontrol.org/act/2001-10/"
                                "nato-ends-weapons-collection-macedonia"),
    "amber_fox": Source("Operation Amber Fox", f"{_WIKI}/Operation_Amber_Fox"),
    "allied_harmony": Source("Operation Allied Harmony", f"{_WIKI}/Operation_Allied_Harmony"),
    "hq_skopje": Source("NATO HQ Skopje: about", "https://jfcnaples.nato.int/hqskopje/about-skopje"),
    "mlo_belgrade": Source("NATO Update, 19 December 2006: Military Liaison Office Belgrade",
                           f"{_NATO}/docu/update/2006/12-december/e1219a.htm"),
    "nalt": Source("NATO Advisory and Liaison Team", f"{_NATO}/cps/en/natohq/topics_144933.htm"),
    "crs": Source("Congressional Research Service report RL34701 (Albania and Croatia's "
                  "accession)"),
    "bih_map": Source("NATO news: Bosnia and Herzegovina invited to the Membership Action Plan",
                      f"{_NATO}/cps/en/natohq/news_62811.htm"),
    "gsz_march": Source("NATO press release 2001-035: return to the Ground Safety Zone",
                        f"{_NATO}/docu/pr/2001/p01-035e.htm"),
    "gsz_may": Source("NATO press release 2001-066: Sector B of the Ground Safety Zone",
                      f"{_NATO}/docu/pr/2001/p01-066e.htm"),
    "asz": Source("BBC News: Air Safety Zone reduced",
                  "http://news.bbc.co.uk/2/hi/europe/1730576.stm"),
    "seebrig": Source("South-Eastern Europe Brigade (SEEBRIG)", "https://seebrig.org"),
    "unscr1244": Source("UN Security Council Resolution 1244 (1999), paragraph 11(i)"),
    "notes": Source("Reference notes of the product (no primary source given there)"),
}  # fmt: skip

_NO_PRIMARY = "the reference notes give no primary source: check before stating it as fact"
_BIH = "Bosnia and Herzegovina"
_MKD = "the former Yugoslav Republic of Macedonia (North Macedonia)"

SPANS: Final[tuple[Span, ...]] = (
    Span("maritime-monitor", "Maritime Monitor", "operation", "NATO", "Adriatic Sea",
         date(1992, 7, 16), date(1992, 11, 22), (S["bosnia"],), basis="UNSCR 713, 757",
         figures=("NATO's first Balkan operation: monitoring the UN sanctions at sea",)),
    Span("sky-monitor", "Sky Monitor", "operation", "NATO", f"airspace of {_BIH}",
         date(1992, 10, 16), date(1993, 4, 12), (S["sky_monitor"],), basis="UNSCR 781",
         figures=("E-3A aircraft, crews of 11 nations",
                  "more than 500 no-fly violations recorded")),
    Span("sharp-guard", "Sharp Guard", "operation", "NATO/WEU", "Adriatic Sea",
         date(1993, 6, 15), date(1996, 10, 2), (S["sharp_guard"],),
         basis="UN Security Council resolutions on the embargo",
         figures=("14 nations", "about 22 ships and 8 patrol aircraft on station"),
         notes=("suspended 19 Jun 1996; ended 2 Oct 1996",)),
    Span("deny-flight", "Deny Flight", "operation", "NATO", f"airspace of {_BIH}",
         date(1993, 4, 12), date(1995, 12, 20), (S["deny_flight"],), basis="UNSCR 816",
         figures=("12 nations", "100,420 sorties",
                  "first combat 28 Feb 1994 near Banja Luka")),
    Span("deliberate-force", "Deliberate Force", "operation", "NATO", _BIH,
         date(1995, 8, 30), date(1995, 9, 20), (S["deliberate_force"],),
         figures=("about 400 aircraft from 15 nations", "3,515 sorties", "338 targets")),
    Span("ifor", "Implementation Force (IFOR)", "operation", "NATO", _BIH,
         date(1995, 12, 20), date(1996, 12, 20), (S["ifor"],), also_known_as="Joint Endeavour",
         basis="UNSCR 1031; the Dayton agreement (signed in Paris 14 Dec 1995)",
         figures=("about 60,000 troops from 32 countries",)),
    Span("sfor", "Stabilisation Force (SFOR)", "operation", "NATO", _BIH,
         date(1996, 12, 21), date(2004, 12, 2), (S["sfor"],),
         also_known_as="Joint Guard, then Joint Forge", basis="UNSCR 1088",
         figures=("about 32,000 troops at the start", "about 7,000 by the end of 2004",
                  "MND(N) Tuzla: United States; MND(SW) Banja Luka: United Kingdom; "
                  "MND(SE) Mostar: France"),
         verify=True, verify_note="the strength at the start (about 32,000) is marked verify"),
    Span("eufor-althea", "EUFOR Althea", "operation", "EU", _BIH,
         date(2004, 12, 2), None, (S["althea"],), basis="UNSCR 1575; Berlin Plus",
         notes=("took over from SFOR; NATO HQ Sarajevo opened the same day",)),
    Span("nato-hq-sarajevo", "NATO Headquarters Sarajevo", "office", "NATO", _BIH,
         date(2004, 12, 2), None, (S["althea"],),
         notes=("opened the day SFOR handed over to EUFOR Althea",)),
    Span("allied-force", "Allied Force", "operation", "NATO",
         "Federal Republic of Yugoslavia (Kosovo)", date(1999, 3, 24), date(1999, 6, 10),
         (S["allied_force"],), basis="no UN Security Council authorisation",
         figures=("78 days", "more than 38,000 sorties"),
         notes=("formally ended 20 Jun 1999",)),
    Span("kfor", "Kosovo Force (KFOR)", "operation", "NATO", "Kosovo",
         date(1999, 6, 12), None, (S["kfor"], S["kfor_pl"]),
         also_known_as="Joint Guardian; Joint Enterprise from 2004",
         basis="UNSCR 1244 (10 Jun 1999); the Military Technical Agreement (9 Jun 1999)",
         figures=("about 50,000 troops from about 30 nations at the start",
                  "about 42,500 in Dec 2000", "about 4,500 from 27 nations in 2023"),
         notes=("five Multinational Brigades 1999-2000: North (France, Kosovska Mitrovica), "
                "Centre (United Kingdom, Pristina), West (Italy, Peć), South (Germany, "
                "Prizren), East (United States, Camp Bondsteel)",
                "police-type element: the Multinational Specialized Unit (Carabinieri); "
                "policing fell to UNMIK")),
    Span("essential-harvest", "Essential Harvest", "operation", "NATO", _MKD,
         date(2001, 8, 27), date(2001, 9, 26), (S["essential_harvest"],),
         basis="the Ohrid Agreement (13 Aug 2001)",
         figures=("target 3,300 weapons", "3,875 weapons collected (3,210 assault rifles)",
                  "397,625 mines, explosives and rounds", "about 5,000 troops")),
    Span("amber-fox", "Amber Fox", "operation", "NATO", _MKD,
         date(2001, 9, 27), date(2002, 12, 15), (S["amber_fox"],),
         also_known_as="Task Force Fox", basis="UNSCR 1371",
         figures=("about 700 troops, with 300 already in the country",)),
    Span("allied-harmony", "Allied Harmony", "operation", "NATO", _MKD,
         date(2002, 12, 16), date(2003, 3, 31), (S["allied_harmony"],),
         figures=("about 400 troops",)),
    Span("concordia", "Concordia", "operation", "EU", _MKD,
         date(2003, 3, 31), date(2003, 12, 15), (S["allied_harmony"],),
         notes=("the EU's operation that took over from Allied Harmony",)),
    Span("nato-hq-skopje", "NATO Headquarters Skopje", "office", "NATO", _MKD,
         date(2002, 4, 1), date(2012, 4, 1), (S["hq_skopje"],), start_precision="month",
         notes=("opened in Apr 2002; the NATO Liaison Office Skopje from 1 Apr 2012",)),
    Span("nato-liaison-office-skopje", "NATO Liaison Office Skopje", "office", "NATO", _MKD,
         date(2012, 4, 1), None, (S["hq_skopje"],)),
    Span("nato-mlo-belgrade", "NATO Military Liaison Office Belgrade", "office", "NATO", "Serbia",
         date(2006, 12, 18), None, (S["mlo_belgrade"],)),
    Span("nato-nalt-pristina", "NATO Advisory and Liaison Team (Pristina)", "office", "NATO",
         "Kosovo", date(2016, 8, 28), None, (S["nalt"],)),
)  # fmt: skip

HANDOVERS: Final[tuple[Handover, ...]] = (
    Handover("sky-monitor", "deny-flight", "same_day", (S["sky_monitor"], S["deny_flight"])),
    Handover("deny-flight", "ifor", "same_day", (S["deny_flight"], S["ifor"])),
    Handover("ifor", "sfor", "next_day", (S["ifor"], S["sfor"])),
    Handover("sfor", "eufor-althea", "same_day", (S["althea"],)),
    Handover("essential-harvest", "amber-fox", "next_day",
             (S["essential_harvest"], S["amber_fox"])),
    Handover("amber-fox", "allied-harmony", "next_day", (S["amber_fox"], S["allied_harmony"])),
    Handover("allied-harmony", "concordia", "same_day", (S["allied_harmony"],)),
    Handover("nato-hq-skopje", "nato-liaison-office-skopje", "same_day", (S["hq_skopje"],)),
)  # fmt: skip

_RESTRUCTURE = ("the reference notes give only the year and no source of its own for KFOR's "
                "restructurings: check before stating it as fact")  # fmt: skip

MILESTONES: Final[tuple[Milestone, ...]] = (
    Milestone("dayton-signed", "Dayton peace agreement signed in Paris", "agreement",
              date(1995, 12, 14), (S["ifor"],), nations=("BIH",), related=("ifor",)),
    Milestone("deny-flight-first-combat", "First combat of Deny Flight, near Banja Luka",
              "operation", date(1994, 2, 28), (S["deny_flight"],), related=("deny-flight",)),
    Milestone("sharp-guard-suspended", "Sharp Guard suspended", "operation",
              date(1996, 6, 19), (S["sharp_guard"],), related=("sharp-guard",)),
    Milestone("seebrig-agreement", "South-Eastern Europe Brigade agreement signed in Skopje",
              "multinational unit", date(1998, 9, 26), (S["seebrig"],),
              notes=("from the South-Eastern Europe Defence Ministerial process, not from NATO",)),
    Milestone("mta-signed", "Military Technical Agreement signed (Kumanovo)", "agreement",
              date(1999, 6, 9), (S["kumanovo"],), related=("kfor", "allied-force")),
    Milestone("mta-in-force", "Military Technical Agreement in force", "agreement",
              date(1999, 6, 10), (S["kumanovo"],), related=("kfor",),
              notes=("the withdrawal's phases count from this day",)),
    Milestone("unscr-1244", "UN Security Council Resolution 1244", "resolution",
              date(1999, 6, 10), (S["kfor"],), related=("kfor",)),
    Milestone("yugoslav-withdrawal-complete", "All Yugoslav forces out of Kosovo", "agreement",
              date(1999, 6, 20), (S["mta_text"],), related=("kfor",),
              verify=True, verify_note="the notes mark the wording of the source verify"),
    Milestone("allied-force-formal-end", "Allied Force formally ended", "operation",
              date(1999, 6, 20), (S["allied_force"],), related=("allied-force",)),
    Milestone("seebrig-activated", "South-Eastern Europe Brigade activated in Plovdiv",
              "multinational unit", date(1999, 8, 31), (S["seebrig"],)),
    Milestone("gsz-return-authorised", "Return to the Ground Safety Zone: first sector "
              "authorised by the North Atlantic Council", "agreement", date(2001, 3, 8),
              (S["gsz_march"],), related=("kfor",)),
    Milestone("gsz-sector-c-east", "Yugoslav Army enters Sector C-East of the Ground Safety "
              "Zone", "agreement", date(2001, 3, 14), (S["gsz_march"],), related=("kfor",)),
    Milestone("gsz-sector-b", "Return to Sector B (Preševo valley) of the Ground Safety Zone "
              "begins", "agreement", date(2001, 5, 24), (S["gsz_may"],), related=("kfor",),
              notes=("completed about 1 Jun 2001",)),
    Milestone("ohrid-agreement", "Ohrid Agreement", "agreement", date(2001, 8, 13),
              (S["essential_harvest"],), nations=("MKD",), related=("essential-harvest",)),
    Milestone("asz-reduced", "Air Safety Zone reduced from 25 km to 10 km", "agreement",
              date(2001, 12, 1), (S["asz"],), related=("kfor",), precision="month",
              notes=("at the end of Dec 2001",)),
    Milestone("pfp-2006", "Serbia, Bosnia and Herzegovina and Montenegro sign the Partnership "
              "for Peace", "partnership", date(2006, 12, 14), (S["notes"],),
              nations=("SRB", "BIH", "MNE"), verify=True, verify_note=_NO_PRIMARY),
    Milestone("kfor-task-forces", "KFOR restructured into Multinational Task Forces",
              "restructuring", date(2006, 1, 1), (S["kfor"],), related=("kfor",),
              precision="year", verify=True, verify_note=_RESTRUCTURE),
    Milestone("albania-croatia-accession", "Albania and Croatia join NATO", "accession",
              date(2009, 4, 1), (S["crs"],), nations=("ALB", "HRV")),
    Milestone("kfor-battle-groups", "KFOR restructured into Battle Groups", "restructuring",
              date(2010, 1, 1), (S["kfor"],), related=("kfor",), precision="year",
              verify=True, verify_note=_RESTRUCTURE),
    Milestone("bih-map", "Bosnia and Herzegovina invited to the Membership Action Plan", "map",
              date(2010, 4, 22), (S["bih_map"],), nations=("BIH",)),
    Milestone("montenegro-accession", "Montenegro joins NATO (29th member)", "accession",
              date(2017, 6, 5), (S["notes"],), nations=("MNE",), verify=True,
              verify_note=_NO_PRIMARY),
    Milestone("kfor-regional-commands", "KFOR restructured into Regional Commands West and East",
              "restructuring", date(2019, 1, 1), (S["kfor"],), related=("kfor",),
              precision="year", verify=True, verify_note=_RESTRUCTURE),
    Milestone("north-macedonia-accession", "North Macedonia joins NATO (30th member)",
              "accession", date(2020, 3, 27), (S["notes"],), nations=("MKD",), verify=True,
              verify_note=_NO_PRIMARY),
)  # fmt: skip

CORRECTIONS: Final[tuple[Correction, ...]] = (
    Correction("began-in-bosnia", "NATO's involvement in the Balkans began with Kosovo in 1999.",
               "It began in 1992 over Bosnia and Herzegovina and the Adriatic: Maritime Monitor "
               "from 16 Jul 1992 and Sky Monitor from 16 Oct 1992, years before Allied Force.",
               date(1992, 7, 16), (S["bosnia"], S["sky_monitor"]),
               related=("maritime-monitor", "sky-monitor", "allied-force")),
    Correction("kfor-policing", "KFOR policed Kosovo after 1999.",
               "Policing in Kosovo after 1999 fell to UNMIK's international police (UNSCR 1244 "
               "para 11(i)); KFOR's police-type element is the Multinational Specialized Unit "
               "(Carabinieri).", date(1999, 6, 10), (S["unscr1244"], S["kfor"]),
               related=("kfor", "unscr-1244")),
    Correction("seebrig-not-nato", "The South-Eastern Europe Brigade is a NATO formation.",
               "SEEBRIG comes from the South-Eastern Europe Defence Ministerial process: its "
               "agreement was signed in Skopje on 26 Sep 1998 and it was activated in Plovdiv on "
               "31 Aug 1999. It is not a NATO formation.", date(1998, 9, 26), (S["seebrig"],),
               related=("seebrig-agreement", "seebrig-activated")),
    Correction("members-not-aspirants", "Montenegro and North Macedonia are NATO aspirants.",
               "Both are members: Montenegro since 5 Jun 2017, North Macedonia since 27 Mar 2020. "
               "Bosnia and Herzegovina is the Membership Action Plan aspirant (invited 22 Apr "
               "2010).", date(2020, 3, 27), (S["bih_map"], S["notes"]),
               related=("montenegro-accession", "north-macedonia-accession", "bih-map"),
               verify=True, verify_note="the membership dates: " + _NO_PRIMARY),
)  # fmt: skip
