"""Offline sync and corrections: a correction is a new version of a report, on both backends.

The report row is updated in place (reads, the spatial index and the engines see the corrected
values), the content it replaced is kept, and re-sending a correction is a duplicate.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from peacewatch.compliance.judge import attach as attach_judge
from peacewatch.domain.labels import Classification, Viewer
from peacewatch.ingest.pipeline import Pipeline, Summary
from peacewatch.store import Store
from peacewatch.store.report_versions import list_versions
from peacewatch.store.reports import get_report, list_reports
from peacewatch.store.tables import audit_log
from tests.compliance.test_judge import _setup, _violations, sighting
from tests.conftest import ADMIN
from tests.fusion.helpers import at, file, grouping
from tests.helpers import T0, report

RESTRICTED = Viewer("reader", "GBR", Classification.NATO_RESTRICTED, frozenset({"NATO", "KFOR"}))


def _run(store: Store, *records: dict[str, Any], viewer: Viewer = ADMIN) -> Summary:
    return Pipeline(store, viewer=viewer, mission="KFOR").run((r["id"], r) for r in records)


def correction(original: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """``original`` corrected: its own new id, naming the report it corrects."""
    return {**original, "id": str(uuid.uuid4()), "corrects": original["id"], **changes}


def test_a_correction_updates_the_report_and_keeps_the_previous_version(store: Store) -> None:
    original = report()
    assert _run(store, original).accepted == 1
    fixed = correction(original, lon=21.3, title="Shots heard in Obilic", reason="wrong town")
    summary = _run(store, fixed)
    assert (summary.accepted, summary.corrected, summary.rejected) == (0, 1, [])
    with store.read() as conn:
        now = get_report(conn, viewer=ADMIN, uuid=original["id"])
        history = list_versions(conn, viewer=ADMIN, uuid=original["id"])
        actions = list(conn.execute(select(audit_log.c.action)).scalars())
    assert now is not None and history is not None
    assert now["geometry"]["coordinates"] == [21.3, original["lat"]]
    props = now["properties"]
    assert (props["title"], props["version"]) == ("Shots heard in Obilic", 2)
    first, second = history["items"]
    assert first["content"]["geometry"]["coordinates"] == [original["lon"], original["lat"]]
    assert (first["version"], first["reason"]) == (1, None)
    assert first["content"]["properties"]["version"] == 1
    assert (second["version"], second["reason"], second["created_by"]) == (2, "wrong town", "admin")
    assert "report.correct" in actions


def test_re_sending_a_correction_is_a_duplicate(store: Store) -> None:
    original = report()
    _run(store, original)
    fixed = correction(original, lon=21.2)
    assert _run(store, fixed).corrected == 1
    again = _run(store, fixed)
    assert (again.corrected, again.duplicates) == (0, 1)
    with store.read() as conn:
        history = list_versions(conn, viewer=ADMIN, uuid=original["id"])
    assert history is not None and history["version"] == 2 and len(history["items"]) == 2


def test_a_report_made_offline_and_its_correction_sync_in_one_batch(store: Store) -> None:
    original = report()
    summary = _run(store, original, correction(original, lat=42.5), original)
    assert (summary.accepted, summary.corrected, summary.duplicates) == (1, 1, 1)
    with store.read() as conn:
        now = get_report(conn, viewer=ADMIN, uuid=original["id"])
    assert now is not None and now["geometry"]["coordinates"][1] == 42.5


def test_a_correction_of_a_report_the_writer_cannot_see_is_refused(store: Store) -> None:
    secret = report(label="NATO SECRET REL TO NATO")
    _run(store, secret)
    summary = _run(store, correction(secret, label=None), viewer=RESTRICTED)
    assert summary.corrected == 0
    (rejection,) = summary.rejected
    # the same answer as for a report that does not exist: its existence is not revealed
    assert rejection.problems[0].message == f"no report {secret['id']}"
    missing = _run(store, correction(report(), label=None), viewer=RESTRICTED)
    assert missing.rejected[0].problems[0].message.startswith("no report ")


def test_a_correction_above_the_writers_clearance_is_rejected(store: Store) -> None:
    original = report()
    _run(store, original)
    summary = _run(store, correction(original, label="NATO SECRET REL TO NATO"), viewer=RESTRICTED)
    assert summary.corrected == 0 and summary.rejected[0].problems[0].field == "label"


def test_the_spatial_index_finds_the_report_at_its_corrected_place_and_time(store: Store) -> None:
    original = report(lon=21.0, lat=42.3, observed_at="1999-06-15T12:00:00Z")
    _run(store, original)
    _run(store, correction(original, lon=20.5, lat=42.9, observed_at="1999-08-01T06:00:00Z"))
    new_box, old_box = (20.4, 42.8, 20.6, 43.0), (20.9, 42.2, 21.1, 42.4)
    new_window = (T0 + timedelta(days=50), T0 + timedelta(days=51))
    old_window = (T0 + timedelta(days=3), T0 + timedelta(days=4))
    with store.read() as conn:

        def ids(bbox: Any, window: Any) -> list[str]:
            page = list_reports(conn, viewer=ADMIN, bbox=bbox, start=window[0], end=window[1])
            return page.ids

        assert ids(new_box, new_window) == [original["id"]]
        assert ids(old_box, old_window) == []
        assert ids(new_box, old_window) == [] and ids(old_box, new_window) == []


def test_a_violation_is_withdrawn_when_the_correction_moves_it_out_of_the_zone(
    store: Store,
) -> None:
    _setup(store)
    inside = sighting()
    _run(store, inside)
    (v,) = _violations(store)
    assert v.state == "suspected"
    _run(store, correction(inside, lon=21.5, reason="misread grid"))
    (v,) = _violations(store)
    assert v.state == "withdrawn" and "corrected" in v.reason
    # corrected back inside: the same breach is suspected again, at the corrected place
    _run(store, correction(inside, lon=21.15))
    (v,) = _violations(store)
    assert (v.state, v.lon, v.reason) == ("suspected", 21.15, None)


def test_a_violation_is_created_when_a_correction_moves_the_report_into_the_zone(
    store: Store,
) -> None:
    _setup(store)
    outside = sighting(lon=21.5)
    _run(store, outside)
    assert _violations(store) == []
    _run(store, correction(outside, lon=21.1))
    (v,) = _violations(store)
    assert (v.state, v.lon, v.lat) == ("suspected", 21.1, 42.1)


def test_an_officers_verdict_survives_a_correction(store: Store) -> None:
    from sqlalchemy import update

    from peacewatch.store.tables import violations

    _setup(store)
    inside = sighting()
    _run(store, inside)
    with store.write() as conn:
        conn.execute(update(violations).values(state="confirmed", decided_by="officer"))
    _run(store, correction(inside, lon=21.5))
    (v,) = _violations(store)
    assert (v.state, v.decided_by) == ("confirmed", "officer")


def test_fusion_places_a_corrected_report_again(store: Store) -> None:
    attach_judge(store)
    a, b = at(0), at(500, minutes=5)
    file(store, a, b)
    assert grouping(store) == [{a["id"], b["id"]}]
    moved = correction(b, lon=20.5)
    assert _run(store, moved).corrected == 1
    assert grouping(store) == sorted([{a["id"]}, {b["id"]}], key=min)
    # and back: it joins the event again
    _run(store, correction(b, lon=b["lon"]))
    assert grouping(store) == [{a["id"], b["id"]}]


def test_the_version_history_is_label_filtered(store: Store) -> None:
    original = report(label="NATO SECRET REL TO NATO", title="first")
    _run(store, original)
    _run(store, correction(original, label="NATO RESTRICTED REL TO KFOR, NATO", title="second"))
    _run(store, correction(original, label="NATO RESTRICTED REL TO KFOR, NATO", title="third"))
    with store.read() as conn:
        everything = list_versions(conn, viewer=ADMIN, uuid=original["id"])
        filtered = list_versions(conn, viewer=RESTRICTED, uuid=original["id"])
    assert everything is not None and filtered is not None
    assert [i["version"] for i in everything["items"]] == [1, 2, 3]
    # the SECRET first version is left out altogether, not listed as a stub
    assert [i["version"] for i in filtered["items"]] == [2, 3]
    assert [i["content"]["properties"]["title"] for i in filtered["items"]] == ["second", "third"]
    assert all("SECRET" not in str(i) for i in filtered["items"])
