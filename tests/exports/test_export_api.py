"""GET /api/v1/exports/reports and `peacewatch export`: streamed, labelled, audited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from peacewatch.cli import main
from peacewatch.domain import stanag4774
from peacewatch.domain.labels import Label, can_see, most_restrictive
from peacewatch.store import Store
from peacewatch.store.tables import audit_log
from tests.conftest import bearer, make_user
from tests.exports.conftest import N


def _last_audit(store: Store) -> Any:
    with store.read() as conn:
        return conn.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(1)).first()


@pytest.mark.parametrize(
    ("fmt", "media", "ext"),
    [
        ("geojson", "application/geo+json", ".geojson"),
        ("csv", "text/csv", ".csv"),
        ("kml", "application/vnd.google-earth.kml+xml", ".kml"),
        ("gpx", "application/gpx+xml", ".gpx"),
        ("hxl", "text/csv", ".hxl.csv"),
    ],
)
def test_the_export_route_streams_a_labelled_attachment(
    client: Any, store: Store, loaded: list[dict[str, Any]], fmt: str, media: str, ext: str
) -> None:
    got = client.get(f"/api/v1/exports/reports?format={fmt}&mission=KFOR&start=1999-06-01T00:00Z")
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith(media)
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment;") and disposition.endswith(f'{ext}"')
    assert "peacewatch-reports-kfor-19990601T0000Z" in disposition
    visible = [
        Label.parse(r["label"]) for r in loaded if r["label"] != "NATO RESTRICTED REL TO FRA"
    ]
    label = most_restrictive(visible)
    assert got.headers["x-peacewatch-label"] == label.marking
    assert got.headers["x-peacewatch-classification"] == label.classification.marking
    entry = _last_audit(store)
    assert entry.action == "export" and entry.actor == "operator"
    detail = json.loads(entry.detail)
    assert detail["format"] == fmt and detail["count"] == len(visible)
    assert detail["filter"]["mission"] == "KFOR"


def test_the_export_route_takes_the_filters_of_the_report_list(
    client: Any, loaded: list[dict[str, Any]]
) -> None:
    query = "bbox=20.3,42.0,21.0,42.6&kind=arson&kind=roadblock&party=FRY"
    listed = client.get(f"/api/v1/reports?{query}&limit=10000").json()
    exported = client.get(f"/api/v1/exports/reports?{query}").json()
    assert [f["id"] for f in exported["features"]] == [f["id"] for f in listed["features"]]
    assert exported["features"] and exported["label"] == listed["label"]
    # the search filters too: one dependency serves both routes
    search = "classification=NATO%20RESTRICTED&grade=A,B,C,D,E,F&q=bridge"
    listed = client.get(f"/api/v1/reports?{search}&limit=10000").json()
    exported = client.get(f"/api/v1/exports/reports?{search}").json()
    assert [f["id"] for f in exported["features"]] == [f["id"] for f in listed["features"]]
    assert exported["features"]
    assert all("SECRET" not in f["properties"]["label"] for f in exported["features"])
    assert "CONFIDENTIAL" not in exported["label"] and "SECRET" not in exported["label"]
    bad = client.get("/api/v1/exports/reports?zone=no-such-zone")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "zone"


def test_a_partner_gets_only_what_is_releasable_to_them(
    client: Any, store: Store, loaded: list[dict[str, Any]]
) -> None:
    partner = make_user(
        store, "liaison", nation="UKR", clearance="NATO RESTRICTED", communities=("PARTNER",),
        roles=("partner_liaison",),
    )  # fmt: skip
    got = client.get("/api/v1/exports/reports", headers=bearer(store, partner)).json()
    expected = {r["id"] for r in loaded if can_see(partner.viewer, Label.parse(r["label"]))}
    assert {f["id"] for f in got["features"]} == expected
    assert can_see(partner.viewer, Label.parse(got["label"])) or not got["features"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("format=shp", "format"),
        ("bbox=1,2,3", "bbox"),
        ("start=yesterday", "start"),
        ("start=1999-06-02T00:00Z&end=1999-06-01T00:00Z", "end"),
    ],
)
def test_bad_parameters_are_problems_naming_the_field(
    client: Any, loaded: list[dict[str, Any]], query: str, field: str
) -> None:
    got = client.get(f"/api/v1/exports/reports?{query}")
    assert got.status_code in (400, 422)
    assert got.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in got.json()["errors"]]


def test_anonymous_callers_get_nothing(anonymous: Any) -> None:
    assert anonymous.get("/api/v1/exports/reports").status_code == 401


def test_the_cli_writes_the_file_and_its_label_beside_it(
    store: Store, loaded: list[dict[str, Any]], tmp_path: Path
) -> None:
    make_user(store, "cli.reader", communities=("NATO", "KFOR", "PARTNER"))
    out = tmp_path / "out.gpx"
    result = CliRunner().invoke(
        main,
        ["--database", str(store.engine.url.render_as_string(hide_password=False)), "export",
         "--as", "cli.reader", "--output", str(out), "--bbox", "20,41,22,44",
         "--start", "1999-06-12T00:00:00Z", "--end", "2000-06-12T00:00:00Z"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    count = sum(1 for r in loaded if r["label"] != "NATO RESTRICTED REL TO FRA")
    assert f"exported {count} reports" in result.output
    label = stanag4774.from_xml((tmp_path / "out.gpx.label.xml").read_text())
    assert label.marking in out.read_text()
    assert out.read_text().count("<wpt ") == count <= N


def test_the_cli_refuses_an_unknown_format(store: Store, tmp_path: Path) -> None:
    make_user(store, "cli.reader")
    result = CliRunner().invoke(
        main,
        ["--database", store.engine.url.render_as_string(hide_password=False), "export",
         "--as", "cli.reader", "--output", str(tmp_path / "out.shp")],
    )  # fmt: skip
    assert result.exit_code == 2 and "format" in result.output
