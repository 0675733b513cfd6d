"""Exports: round trips through our own imports, the label they carry, and who sees what."""

from __future__ import annotations

import json
from typing import Any

import pytest

from peacewatch.domain import stanag4774
from peacewatch.domain.labels import Classification, Label, Viewer, can_see, most_restrictive
from peacewatch.ingest.files import items_from_bytes
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.store import Store
from tests.conftest import ADMIN, empty, seed
from tests.exports.conftest import N, export_bytes
from tests.helpers import report

PARTNER = Viewer("ukr", "UKR", Classification.NATO_RESTRICTED, frozenset({"PARTNER"}))
FORMATS = ["geojson", "csv", "kml", "gpx", "hxl"]
KEPT = ("id", "kind", "observed_at", "party", "grade", "label", "source", "text")


def _by_id(store: Store) -> dict[str, dict[str, Any]]:
    doc = json.loads(export_bytes(store, "geojson"))
    out = {}
    for f in doc["features"]:
        p = f["properties"]
        out[f["id"]] = {k: p[k] for k in KEPT} | {"xy": f["geometry"]["coordinates"]}
        out[f["id"]]["fatalities"] = str((p["attributes"] or {}).get("fatalities", ""))
    return out


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_round_trips_through_the_ingest_pipeline(
    store: Store, loaded: list[dict[str, Any]], fmt: str
) -> None:
    before = _by_id(store)
    assert len(before) == N
    data = export_bytes(store, fmt)
    empty(store)
    seed(store)
    summary = Pipeline(store, viewer=ADMIN, mission="KFOR").run(items_from_bytes(data, fmt))
    assert summary.accepted == N, [r.to_dict() for r in summary.rejected[:3]]
    assert _by_id(store) == before


def test_geojson_carries_the_most_restrictive_label_of_what_it_holds(
    store: Store, loaded: list[dict[str, Any]]
) -> None:
    doc = json.loads(export_bytes(store, "geojson"))
    expected = most_restrictive(Label.parse(r["label"]) for r in loaded)
    assert doc["label"] == expected.marking
    assert doc["confidentiality"]["ConfidentialityInformation"]["Classification"] == "SECRET"
    assert doc["numberReturned"] == len(doc["features"]) == N


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_partner_export_holds_only_what_is_releasable_to_them(
    store: Store, loaded: list[dict[str, Any]], fmt: str
) -> None:
    releasable = [r for r in loaded if can_see(PARTNER, Label.parse(r["label"]))]
    assert 0 < len(releasable) < len(loaded)
    data = export_bytes(store, fmt, viewer=PARTNER)
    text = data.decode()
    for r in loaded:
        assert (r["id"] in text) == (r in releasable), r["label"]
    label = most_restrictive(Label.parse(r["label"]) for r in releasable)
    if fmt in ("geojson", "kml", "gpx"):
        assert label.marking in text
    assert "SECRET" not in text and "CONFIDENTIAL" not in text


def test_the_label_is_computed_from_the_filtered_rows_only(
    store: Store, loaded: list[dict[str, Any]]
) -> None:
    # The sample holds NATO SECRET reports of every kind it has; two seizures (a kind it
    # lacks) below SECRET make a filter whose export must not be labelled SECRET.
    assert any(r["label"].startswith("NATO SECRET") for r in loaded)
    assert all(r["kind"] != "seizure" for r in loaded)
    extra = [
        report(kind="seizure", label="NATO RESTRICTED REL TO KFOR, NATO"),
        report(kind="seizure", label="NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER"),
    ]
    Pipeline(store, viewer=ADMIN, mission="KFOR").run((r["id"], r) for r in extra)
    whole = json.loads(export_bytes(store, "geojson"))
    assert whole["label"].startswith("NATO SECRET")
    doc = json.loads(export_bytes(store, "geojson", kinds=("seizure",)))
    held = [Label.parse(f["properties"]["label"]) for f in doc["features"]]
    assert len(held) == 2
    assert doc["label"] == most_restrictive(held).marking == "NATO RESTRICTED REL TO KFOR, NATO"


def test_an_empty_export_is_unclassified_and_releasable_to_its_viewer(store: Store) -> None:
    doc = json.loads(export_bytes(store, "geojson", viewer=PARTNER))
    assert doc["features"] == [] and doc["numberReturned"] == 0
    assert Label.parse(doc["label"]) == Label(Classification.NATO_UNCLASSIFIED, PARTNER.codes)


def test_csv_cells_that_a_spreadsheet_would_run_are_defused(store: Store) -> None:
    from tests.helpers import report

    row = report(text='=HYPERLINK("http://x")', source="@evil", title="+1")
    assert Pipeline(store, viewer=ADMIN, mission="KFOR").run([(row["id"], row)]).accepted
    for fmt in ("csv", "hxl"):
        text = export_bytes(store, fmt).decode()
        assert "'=HYPERLINK" in text and "'@evil" in text and ",'+1," in text


def test_the_label_file_reads_back(store: Store, loaded: list[dict[str, Any]]) -> None:
    doc = json.loads(export_bytes(store, "geojson", viewer=PARTNER))
    label = Label.parse(doc["label"])
    assert stanag4774.from_xml(stanag4774.to_xml(label)) == label
