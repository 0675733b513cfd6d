"""The SITREP: its numbers are the API's numbers for the same window and reader, a reader of
lower clearance gets a document without the higher records and under a lower banner, and the
PDF's text holds the sections and figures. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from pypdf import PdfReader

from peacewatch.cli import main
from peacewatch.compliance import judge
from peacewatch.fusion import engine as fusion
from peacewatch.ingest import records
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.ops import convoys, weapons_writes
from peacewatch.store import Store
from tests.api.test_compliance_api import INSIDE, PARTNER, SHARED, _setup
from tests.conftest import ADMIN, bearer, make_user
from tests.helpers import report

NATO_ONLY = "NATO RESTRICTED REL TO KFOR, NATO"
SECRET = "NATO SECRET REL TO NATO"
SECRET_TITLE = "Artillery fire on Podujevo road"
WINDOW = {"start": "1999-06-16T00:00:00Z", "end": "1999-06-17T00:00:00Z", "mission": "KFOR"}
NORTH = [[20.5, 42.5], [21.5, 42.5], [21.5, 43.0], [20.5, 43.0], [20.5, 42.5]]
SOUTH = [[20.5, 42.0], [21.5, 42.0], [21.5, 42.5], [20.5, 42.5], [20.5, 42.0]]
SECTIONS = (
    "1. Summary",
    "2. Map of the period",
    "3. Significant events",
    "4. Violations",
    "5. Deadlines",
    "6. Patrols and convoys",
    "7. Weapons collected",
)


def _scene(store: Store) -> None:
    """Two sectors, the ground safety zone and its agreement; four reports in the window (one
    NATO SECRET, one not released to partners, one in the zone: a violation), two the day
    before, one the day after; a patrol and weapons handed in."""
    _setup(store)
    for uid, name, ring in (("north", "Sector North", NORTH), ("south", "Sector South", SOUTH)):
        records.add_zone(
            store,
            viewer=ADMIN,
            data={"uid": uid, "mission": "KFOR", "name": name, "kind": "sector",
                  "label": SHARED, "geometry": {"type": "Polygon", "coordinates": [ring]}},
        )  # fmt: skip
    judge.attach(store)
    fusion.attach(store)
    rows = [
        report(kind="shooting", observed_at="1999-06-16T08:00:00Z", lon=21.0, lat=42.7,
               label=SHARED, party="FRY"),
        report(kind="heavy_weapons_fire", observed_at="1999-06-16T09:00:00Z", lon=21.4, lat=42.9,
               label=SECRET, party="FRY", title=SECRET_TITLE),
        report(kind="arson", observed_at="1999-06-16T12:00:00Z", lon=20.7, lat=42.3,
               label=NATO_ONLY, party="UCK", title="Houses burnt"),
        report(kind="armed_personnel_sighting", observed_at="1999-06-16T10:00:00Z",
               label=SHARED, party="FRY", title="Armed men in the zone", **INSIDE),
        report(kind="shooting", observed_at="1999-06-15T08:00:00Z", lon=21.0, lat=42.7,
               label=SHARED, party="UCK"),
        report(kind="shooting", observed_at="1999-06-15T20:00:00Z", lon=20.9, lat=42.6,
               label=SHARED, party="UCK"),
        report(kind="arson", observed_at="1999-06-17T12:00:00Z", lon=20.7, lat=42.3,
               label=SHARED, party="UCK"),
    ]  # fmt: skip
    summary = Pipeline(store, viewer=ADMIN, mission="KFOR").run((r["id"], r) for r in rows)
    assert summary.accepted == len(rows), summary
    _convoys(store)
    track = [[21.0, 42.6, "1999-06-16T08:00:00Z"], [21.0, 42.7, "1999-06-16T09:00:00Z"]]
    records.add_patrols(
        store,
        viewer=ADMIN,
        items=[{"uid": "p1", "name": "North", "mission": "KFOR", "label": SHARED,
                "start": "1999-06-16T07:30:00Z", "track": track}],
    )  # fmt: skip
    weapons_writes.add_campaign(
        store, viewer=ADMIN,
        data={"code": "wc", "mission": "KFOR", "name": "Amnesty", "label": NATO_ONLY,
              "start": "1999-06-12T00:00:00Z", "targets": [{"category": "ammunition",
                                                           "quantity": 1000}]},
    )  # fmt: skip
    weapons_writes.add_items(
        store, viewer=ADMIN,
        items=[{"uid": "wi", "campaign": "wc", "label": NATO_ONLY, "category": "ammunition",
                "quantity": 300, "collected_at": "1999-06-16T11:00:00Z",
                "received_by": "x"}],
    )  # fmt: skip


def _convoys(store: Store) -> None:
    """One convoy that left and arrived six hours late within the window (released to
    partners), one NATO SECRET convoy that left within it and is still under way."""
    for uid, label, arrived in (("aid", SHARED, "1999-06-16T18:00:00Z"), ("arms", SECRET, None)):
        convoys.plan_convoy(
            store, viewer=ADMIN,
            data={"uid": uid, "mission": "KFOR", "name": f"Convoy {uid}", "agency": "UNHCR",
                  "route": [[21.0, 42.0], [21.3, 42.1]], "label": label,
                  "cargo": [{"item": "flour", "quantity": 1, "unit": "t"}],
                  "planned_departure": "1999-06-16T06:00:00Z",
                  "planned_arrival": "1999-06-16T12:00:00Z" if arrived else "1999-06-18T12:00:00Z"},
        )  # fmt: skip
        convoys.set_status(
            store, viewer=ADMIN, uid=uid, status="under_way", at="1999-06-16T06:30:00Z"
        )
        if arrived:
            convoys.set_status(store, viewer=ADMIN, uid=uid, status="arrived", at=arrived)


def _json(client: TestClient, path: str, **params: Any) -> Any:
    answer = client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _sitrep(client: TestClient, **params: Any) -> Any:
    return client.get("/api/v1/sitrep", params={**WINDOW, **params})


def _partner(store: Store, anonymous: TestClient) -> TestClient:
    anonymous.headers.update(bearer(store, make_user(store, "partner", **PARTNER)))
    return anonymous


def _table(html: str, table_id: str) -> dict[str, list[str]]:
    """Rows of an HTML table of the document by their data-key: the cells after the first."""
    found = re.search(rf'<table[^>]* id="{table_id}">(.*?)</table>', html, flags=re.S)
    assert found, table_id
    rows = re.findall(r'<tr data-key="([^"]*)">(.*?)</tr>', found.group(1), flags=re.S)
    return {k: re.findall(r"<td[^>]*>([^<]*)</td>", cells)[1:] for k, cells in rows}


def test_the_numbers_are_the_apis_numbers(store: Store, client: TestClient) -> None:
    _scene(store)
    answer = _sitrep(client)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    # What the API says about the same window, for the same reader.
    listed = _json(client, "/api/v1/reports", **WINDOW, limit=10000)
    incidents = _json(client, "/api/v1/stats/incidents", **WINDOW)
    incidents_before = _json(
        client, "/api/v1/stats/incidents", mission="KFOR",
        start="1999-06-15T00:00:00Z", end="1999-06-16T00:00:00Z",
    )  # fmt: skip
    violations = _json(client, "/api/v1/stats/violations", **WINDOW)
    patrols = _json(client, "/api/v1/stats/patrols", **WINDOW)
    events = _json(client, "/api/v1/events", **WINDOW, limit=10000)
    assert body["totals"]["reports"] == listed["numberReturned"] == 4
    assert body["totals"]["reports_previous"] == 2 and body["totals"]["reports_change"] == 2
    kinds = {r["key"]: (r["current"], r["previous"], r["change"]) for r in body["counts"]["kind"]}
    assert {k: v[0] for k, v in kinds.items() if v[0]} == {
        s["key"]: s["total"] for s in incidents["series"]
    }
    assert {k: v[1] for k, v in kinds.items() if v[1]} == {
        s["key"]: s["total"] for s in incidents_before["series"]
    }
    assert kinds["shooting"] == (1, 2, -1) and kinds["heavy_weapons_fire"] == (1, 0, 1)
    sectors = {r["key"]: (r["name"], r["current"], r["previous"]) for r in body["counts"]["sector"]}
    assert sectors == {"north": ("Sector North", 2, 2), "south": ("Sector South", 2, 0)}
    parties = {r["key"]: (r["current"], r["previous"]) for r in body["counts"]["party"]}
    assert parties == {"FRY": (3, 0), "UCK": (1, 2)}
    assert body["violations"]["new"] == sum(s["total"] for s in violations["series"]) == 1
    assert body["violations"]["suspected"] == 1
    [violation] = body["violations"]["listed"]
    assert violation["zone"] == "Ground Safety Zone" and violation["party"] == "FRY"
    first = [
        e for e in events["features"] if e["properties"]["first_observed_at"] >= WINDOW["start"]
    ]
    assert body["events"]["total"] == len(first) == 4
    # The gravest first: heavy-weapons fire (5) before a shooting (4), a sighting, arson.
    assert body["events"]["top"][0]["kind"] == "heavy_weapons_fire"
    assert body["events"]["top"][0]["reports_said"] == [SECRET_TITLE]
    assert body["patrols"]["patrols"] == patrols["series"][0]["total"] == 1
    assert body["patrols"]["km"] == pytest.approx(11.1, abs=0.05)
    assert body["weapons"] == [{"category": "ammunition", "quantity": 300, "receipts": 1}]
    counted = {k: body["convoys"][k] for k in ("departed", "delivered", "delayed")}
    assert counted == {"departed": 2, "delivered": 1, "delayed": 1}
    assert [c["name"] for c in body["convoys"]["listed"]] == ["Convoy aid", "Convoy arms"]
    deadlines = {d["obligation"]: d["status"] for d in body["deadlines"]}
    assert deadlines == {"no-heavy": "pending", "no-aircraft": "met"}
    assert body["banner"] == "NATO SECRET" and body["label"].startswith("NATO SECRET")
    assert answer.headers["X-PeaceWatch-Classification"] == "NATO SECRET"
    assert "map" not in body
    # The HTML shows the same numbers.
    page = _sitrep(client, format="html")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    html = page.text
    by_kind = _table(html, "by-kind")
    assert {k: [int(v[0]), int(v[1])] for k, v in by_kind.items()} == {
        k: [v[0], v[1]] for k, v in kinds.items()
    }
    assert _table(html, "by-sector")["south"] == ["2", "0", "+2"]
    assert re.search(r'id="total-reports">4<', html) and re.search(r'id="violations-new">1<', html)
    assert html.count(">NATO SECRET</div>") == 2  # banner top and bottom
    assert SECRET_TITLE in html and "160000ZJUN99" in html  # times as DTGs
    assert html.count("data:image/png;base64,") == 3  # two charts and the map


def test_a_lower_reader_gets_fewer_records_and_a_lower_banner(
    store: Store, client: TestClient, anonymous: TestClient
) -> None:
    _scene(store)
    partner = _partner(store, anonymous)
    answer = _sitrep(partner)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["banner"] == "NATO UNCLASSIFIED" and body["label"] == SHARED
    assert answer.headers["X-PeaceWatch-Classification"] == "NATO UNCLASSIFIED"
    assert {i["label"] for i in body["items"]} == {SHARED}
    # Only what is released to partners: the shooting and the sighting (parties are not).
    assert body["totals"]["reports"] == 2
    assert (
        body["totals"]["reports"] == _json(partner, "/api/v1/reports", **WINDOW)["numberReturned"]
    )
    assert {r["key"]: r["current"] for r in body["counts"]["party"]} == {"(no party)": 2}
    assert body["events"]["total"] == 2 and body["weapons"] == []
    assert [(c["name"], c["delayed"]) for c in body["convoys"]["listed"]] == [("Convoy aid", True)]
    assert body["convoys"]["departed"] == 1
    assert SECRET_TITLE not in json.dumps(body)
    html = _sitrep(partner, format="html").text
    assert SECRET_TITLE not in html and "Houses burnt" not in html and "Convoy arms" not in html
    assert "NATO SECRET" not in html and "NATO RESTRICTED" not in html
    assert html.count(">NATO UNCLASSIFIED</div>") == 2
    pdf = _sitrep(partner, format="pdf")
    text = _pdf_text(pdf.content)
    assert "NATO UNCLASSIFIED" in text and "NATO SECRET" not in text
    assert SECRET_TITLE not in text
    # The NATO reader's document holds the secret report, under the higher banner.
    assert SECRET_TITLE in _sitrep(client, format="html").text


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    # Words as read, whitespace folded: a table cell may wrap a title over two lines.
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def test_the_pdf_holds_the_sections_and_figures(store: Store, client: TestClient) -> None:
    _scene(store)
    answer = _sitrep(client, format="pdf")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    disposition = answer.headers["content-disposition"]
    assert disposition == 'attachment; filename="sitrep-KFOR-160000ZJUN99-170000ZJUN99.pdf"'
    assert answer.headers["X-PeaceWatch-Classification"] == "NATO SECRET"
    text = _pdf_text(answer.content)
    for section in SECTIONS:
        assert section in text, section
    assert text.count("NATO SECRET") >= 2  # the banner on every page, top and bottom
    assert "Reports 4 2 +2" in text  # summary row: this period, previous, change
    assert "heavy weapons fire 1 0 +1" in text
    assert "Sector South 2 0 +2" in text
    assert "ammunition 300 1" in text
    assert SECRET_TITLE in text


def test_bad_requests_name_the_field(client: TestClient) -> None:
    cases = [
        ({"start": "1999-06-17T00:00:00Z", "end": "1999-06-16T00:00:00Z"}, "end"),
        ({"start": "yesterday"}, "start"),
        ({"start": "1999-01-01T00:00:00Z", "end": "1999-06-16T00:00:00Z"}, "start"),
        ({"format": "docx"}, "format"),
    ]
    for params, field in cases:
        answer = client.get("/api/v1/sitrep", params=params)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in answer.json()["errors"]], answer.text


def test_the_cli_writes_each_format(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _scene(sqlite_store)
    make_user(sqlite_store, "reader", clearance="NATO RESTRICTED", communities=("KFOR",))
    url = sqlite_store.engine.url.render_as_string(hide_password=False)
    base = ["--database", url, "report", "sitrep", "--from", "160000ZJUN99"]
    base += ["--to", "1999-06-17T00:00:00Z", "--mission", "KFOR", "--as", "reader"]
    runner = CliRunner()
    for name in ("s.json", "s.html", "s.pdf"):
        result = runner.invoke(main, [*base, "--output", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert "3 reports" in result.output and "(NATO RESTRICTED)" in result.output
    body = json.loads((tmp_path / "s.json").read_text())
    assert body["totals"]["reports"] == 3  # not the NATO SECRET one: a lower clearance
    assert body["banner"] == "NATO RESTRICTED"
    assert SECRET_TITLE not in (tmp_path / "s.html").read_text()
    text = _pdf_text((tmp_path / "s.pdf").read_bytes())
    assert "1. Summary" in text and "NATO RESTRICTED" in text and "NATO SECRET" not in text
    backwards = ["--from", "170000ZJUN99", "--to", "160000ZJUN99", "--as", "reader"]
    wrong = runner.invoke(main, [*base[:4], *backwards, "--output", str(tmp_path / "x.pdf")])
    assert wrong.exit_code == 2 and "end" in wrong.output
    assert not (tmp_path / "x.pdf").exists()
