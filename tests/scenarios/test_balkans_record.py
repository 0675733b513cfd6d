"""The record of NATO's Balkan operations as data: every fact has a source and a date, the
dates are consistent (start before end, handovers line up), the issue's dates are those of
the record, the corrections are there, and the Kosovo 1999 scenario takes its dates from it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from peacewatch.scenarios.balkans import record
from peacewatch.scenarios.balkans.model import Correction, Milestone, Span

REFERENCE_HOSTS = (
    "en.wikipedia.org", "www.nato.int", "jfcnaples.nato.int", "planken.org", "gov.pl",
    "armscontrol.org", "news.bbc.co.uk", "seebrig.org",
)  # fmt: skip


@pytest.mark.parametrize("item", record.items(), ids=lambda i: i.id)
def test_every_fact_has_a_source_and_a_date(item: Span | Milestone | Correction) -> None:
    assert item.sources, f"{item.id} has no source"
    for source in item.sources:
        assert source.title.strip()
        if source.url is not None:
            assert source.url.startswith(("https://", "http://"))
            host = source.url.split("/")[2]
            assert host in REFERENCE_HOSTS, f"{item.id}: {host} is not cited in the notes"
    when = item.start if isinstance(item, Span) else item.date
    assert isinstance(when, date)
    assert date(1990, 1, 1) <= when <= date(2025, 12, 31)
    if item.verify:
        assert item.verify_note, f"{item.id} is marked verify without saying what"


def test_ids_are_unique_and_spans_start_before_they_end() -> None:
    ids = [i.id for i in record.items()]
    assert len(ids) == len(set(ids))
    assert len(record.SPANS) >= 19 and len(record.MILESTONES) >= 20
    for span in record.SPANS:
        if span.end is not None:
            assert span.start <= span.end, span.id


def test_handovers_line_up() -> None:
    assert len(record.HANDOVERS) >= 8
    for handover in record.HANDOVERS:
        before, after = record.span(handover.predecessor), record.span(handover.successor)
        assert before.end is not None, handover
        gap = timedelta(days=1 if handover.timing == "next_day" else 0)
        assert after.start == before.end + gap, handover


@pytest.mark.parametrize(
    ("before", "after", "handover_day"),
    [
        ("ifor", "sfor", date(1996, 12, 21)),  # SFOR the day after IFOR ended
        ("sfor", "eufor-althea", date(2004, 12, 2)),  # EUFOR took over the day SFOR ended
        ("amber-fox", "allied-harmony", date(2002, 12, 16)),
        ("allied-harmony", "concordia", date(2003, 3, 31)),  # Concordia the day it ended
        ("essential-harvest", "amber-fox", date(2001, 9, 27)),
        ("deny-flight", "ifor", date(1995, 12, 20)),
    ],
)
def test_named_handovers(before: str, after: str, handover_day: date) -> None:
    assert any(h.predecessor == before and h.successor == after for h in record.HANDOVERS), (
        f"no handover {before} -> {after}"
    )
    assert record.span(after).start == handover_day
    ended = record.span(before).end
    assert ended is not None and ended in (handover_day, handover_day - timedelta(days=1))
    # NATO HQ Sarajevo opened the day EUFOR Althea took over.
    assert record.span("nato-hq-sarajevo").start == record.span("eufor-althea").start


@pytest.mark.parametrize(
    ("span_id", "start", "end"),
    [
        ("maritime-monitor", date(1992, 7, 16), date(1992, 11, 22)),
        ("sky-monitor", date(1992, 10, 16), date(1993, 4, 12)),
        ("sharp-guard", date(1993, 6, 15), date(1996, 10, 2)),
        ("deny-flight", date(1993, 4, 12), date(1995, 12, 20)),
        ("deliberate-force", date(1995, 8, 30), date(1995, 9, 20)),
        ("ifor", date(1995, 12, 20), date(1996, 12, 20)),
        ("sfor", date(1996, 12, 21), date(2004, 12, 2)),
        ("allied-force", date(1999, 3, 24), date(1999, 6, 10)),
        ("kfor", date(1999, 6, 12), None),
        ("essential-harvest", date(2001, 8, 27), date(2001, 9, 26)),
        ("amber-fox", date(2001, 9, 27), date(2002, 12, 15)),
        ("allied-harmony", date(2002, 12, 16), date(2003, 3, 31)),
        ("nato-mlo-belgrade", date(2006, 12, 18), None),
        ("nato-hq-sarajevo", date(2004, 12, 2), None),
    ],
)
def test_operation_dates_are_the_reference_notes(
    span_id: str, start: date, end: date | None
) -> None:
    span = record.span(span_id)
    assert (span.start, span.end) == (start, end)
    assert span.kind in ("operation", "office")


def test_allied_force_lasted_78_days() -> None:
    span = record.span("allied-force")
    assert span.end is not None
    # 24 Mar to 10 Jun: the 78 days the notes give, counted as the days between the two.
    assert (span.end - span.start).days == 78
    assert "78 days" in span.figures


@pytest.mark.parametrize(
    ("milestone_id", "day", "nations"),
    [
        ("albania-croatia-accession", date(2009, 4, 1), ("ALB", "HRV")),
        ("montenegro-accession", date(2017, 6, 5), ("MNE",)),
        ("north-macedonia-accession", date(2020, 3, 27), ("MKD",)),
        ("bih-map", date(2010, 4, 22), ("BIH",)),
        ("pfp-2006", date(2006, 12, 14), ("SRB", "BIH", "MNE")),
    ],
)
def test_accessions_and_partnership(milestone_id: str, day: date, nations: tuple[str]) -> None:
    found = record.milestone(milestone_id)
    assert (found.date, found.nations) == (day, nations)


def test_kfor_restructurings_are_dated_to_the_year_and_marked_verify() -> None:
    years = {m.id: (m.date.year, m.precision, m.verify) for m in record.MILESTONES
             if m.category == "restructuring"}  # fmt: skip
    assert years == {
        "kfor-task-forces": (2006, "year", True),
        "kfor-battle-groups": (2010, "year", True),
        "kfor-regional-commands": (2019, "year", True),
    }
    # A fact the notes mark "(verify)" keeps the mark.
    assert record.span("sfor").verify and "32,000" in (record.span("sfor").verify_note or "")


def test_the_corrections_are_stated_with_sources() -> None:
    by_id = {c.id: c for c in record.CORRECTIONS}
    assert "1992" in by_id["began-in-bosnia"].correction
    assert by_id["began-in-bosnia"].date == record.span("maritime-monitor").start
    assert "Multinational Specialized Unit" in by_id["kfor-policing"].correction
    assert "UNMIK" in by_id["kfor-policing"].correction
    assert "Defence Ministerial" in by_id["seebrig-not-nato"].correction
    assert by_id["seebrig-not-nato"].sources[0].url == "https://seebrig.org"
    for correction in by_id.values():
        for related in correction.related:
            assert record.get(related) is not None, related


def test_the_first_operation_was_in_1992_not_kosovo() -> None:
    first = min(record.SPANS, key=lambda s: s.start)
    assert (first.id, first.start.year) == ("maritime-monitor", 1992)
    assert record.span("allied-force").start.year == 1999


def test_filters() -> None:
    ops = record.find(kinds=["operation"])
    assert ops and all(i.kind == "operation" for i in ops)
    in_2001 = {i.id for i in record.find(from_year=2001, to_year=2001)}
    assert {"essential-harvest", "amber-fox", "kfor", "ohrid-agreement"} <= in_2001
    assert "ifor" not in in_2001
    assert [i.id for i in record.find(q="banja LUKA", kinds=["operation"])] == [
        "deny-flight",
        "sfor",
    ]
    assert [i.id for i in record.find(q="first COMBAT banja")] == [
        "deny-flight",
        "deny-flight-first-combat",
    ]


def test_the_scenario_takes_its_dates_from_the_record() -> None:
    from peacewatch.scenarios.kosovo1999 import facts, partners, weapons

    def utc(d: date) -> datetime:
        return datetime(d.year, d.month, d.day, tzinfo=UTC)

    assert utc(record.span("kfor").start) == facts.MISSION_START
    assert utc(record.milestone("mta-in-force").date) == facts.EIF
    assert facts.AGREEMENT["signed"] == utc(record.milestone("mta-signed").date)
    assert utc(record.milestone("yugoslav-withdrawal-complete").date) == facts.WITHDRAWAL_COMPLETE
    assert utc(record.span("essential-harvest").start) == weapons.EH_START
    assert record.end("essential-harvest") == weapons.EH_END
    members = {(n, s): d for n, s, d, _k, _n in partners.MILESTONES}
    assert members[("ALB", "member")] == record.day("albania-croatia-accession")
    assert members[("MNE", "member")] == record.day("montenegro-accession")
    assert members[("MKD", "member")] == record.day("north-macedonia-accession")
    assert members[("BIH", "map")] == record.day("bih-map")
    assert members[("SRB", "pfp")] == record.day("pfp-2006")


def test_the_cli_lists_and_shows_the_record() -> None:
    import json

    from click.testing import CliRunner

    from peacewatch.cli import main

    runner = CliRunner()
    listed = runner.invoke(main, ["history", "list", "--kind", "operation", "--from", "2001",
                                  "--to", "2002", "--json"])  # fmt: skip
    assert listed.exit_code == 0, listed.output
    assert [i["id"] for i in json.loads(listed.output)["items"]] == [
        "sfor", "kfor", "essential-harvest", "amber-fox", "allied-harmony",
    ]  # fmt: skip
    shown = runner.invoke(main, ["history", "show", "allied-force"])
    assert shown.exit_code == 0, shown.output
    assert "1999-03-24 - 1999-06-10" in shown.output
    assert "https://www.nato.int/kosovo/press/u990610a.htm" in shown.output
    unknown = runner.invoke(main, ["history", "show", "operation-nowhere"])
    assert unknown.exit_code == 1 and "operation-nowhere" in unknown.output
    backwards = runner.invoke(main, ["history", "list", "--from", "2005", "--to", "1999"])
    assert backwards.exit_code == 2 and "--to" in backwards.output
