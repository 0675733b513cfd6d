"""/api/v1/analytics on both backends through the app: trends, hotspots and patrol coverage
against incident density, each labelled with what it counts, and bad parameters named in a
problem+json answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import h3
import pytest

from peacewatch.ingest import records
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.store import Store
from tests.conftest import ADMIN, bearer, make_user
from tests.helpers import report

OPEN = "NATO UNCLASSIFIED REL TO KFOR, NATO"
SECRET = "NATO SECRET REL TO NATO"
MONDAY = datetime(1999, 6, 14, tzinfo=UTC)
HOT = (21.166, 42.663)


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def load(store: Store) -> None:
    """Arson rising week by week (1, 2, 3, then 30 in one cell, 5 of them secret)."""
    rows: list[dict[str, Any]] = []
    for week, n in enumerate([1, 2, 3, 25]):
        for i in range(n):
            when = MONDAY + timedelta(weeks=week, hours=1 + i)
            rows.append(report(kind="arson", lon=HOT[0], lat=HOT[1], observed_at=_iso(when),
                               label=OPEN))  # fmt: skip
    for i in range(5):
        when = MONDAY + timedelta(weeks=3, hours=30 + i)
        rows.append(report(kind="arson", lon=HOT[0], lat=HOT[1], observed_at=_iso(when),
                           label=SECRET))  # fmt: skip
    summary = Pipeline(store, viewer=ADMIN, mission="KFOR").run((r["id"], r) for r in rows)
    assert summary.accepted == len(rows)
    records.add_patrol(
        store,
        viewer=ADMIN,
        data={"uid": "p1", "mission": "KFOR", "name": "p1", "label": OPEN,
              "start": "1999-07-06T08:00:00Z", "end": "1999-07-06T09:00:00Z",
              "track": [[21.10, 42.60, "1999-07-06T08:00:00Z"],
                        [21.12, 42.60, "1999-07-06T09:00:00Z"]]},
    )  # fmt: skip


WINDOW = "start=1999-06-14T00:00:00Z&end=1999-07-12T00:00:00Z"
LAST_WEEK = "start=1999-07-05T00:00:00Z&end=1999-07-12T00:00:00Z"


def test_trends_through_the_api(client: Any, store: Store) -> None:
    load(store)
    answer = client.get(f"/api/v1/analytics/trends?by=kind&{WINDOW}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    arson = body["series"][0]
    assert arson["key"] == "arson" and arson["counts"] == [1, 2, 3, 30]
    assert arson["trend"]["slope"] > 0 and arson["change"]["absolute"] == 27
    assert body["label"] == SECRET
    assert answer.headers["X-PeaceWatch-Classification"].startswith("NATO SECRET")
    daily = client.get(f"/api/v1/analytics/trends?by=party&period=day&{WINDOW}").json()
    # Days to the last report (Tuesday 6 July): none after it is a quiet day, only no data.
    assert len(daily["periods"]) == 23 and daily["series"][0]["key"] == "FRY"


def test_a_partner_sees_less_and_an_unlabelled_answer(store: Store, app: Any) -> None:
    from fastapi.testclient import TestClient

    load(store)
    user = make_user(store, "fra.r", nation="FRA", clearance="NATO RESTRICTED")
    with TestClient(app, headers=bearer(store, user)) as client:
        body = client.get(f"/api/v1/analytics/trends?{WINDOW}").json()
        spots = client.get(f"/api/v1/analytics/hotspots?{LAST_WEEK}").json()
    assert body["series"][0]["counts"] == [1, 2, 3, 25]
    assert body["label"] == OPEN
    assert spots["features"][0]["properties"]["count"] == 25
    assert spots["label"] == OPEN


def test_hotspots_through_the_api(client: Any, store: Store) -> None:
    load(store)
    answer = client.get(f"/api/v1/analytics/hotspots?{LAST_WEEK}&baseline_weeks=3&resolution=8")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    top = body["features"][0]
    assert top["id"] == h3.latlng_to_cell(HOT[1], HOT[0], 8)
    assert top["properties"]["count"] == 30 and top["properties"]["baseline"] == 6
    assert top["properties"]["significant"] and body["label"] == SECRET
    assert body["resolution"] == 8 and body["baseline_weeks"] == 3


def test_coverage_through_the_api(client: Any, store: Store) -> None:
    load(store)
    answer = client.get(f"/api/v1/analytics/coverage?{WINDOW}&limit=5")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    hot = h3.latlng_to_cell(HOT[1], HOT[0], 7)
    assert body["under_covered"][0]["cell"] == hot
    assert body["under_covered"][0]["incidents"] == 36
    assert sum(f["properties"]["km"] for f in body["features"]) == pytest.approx(1.64, rel=0.01)
    assert body["label"] == SECRET


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/analytics/trends?by=colour", "by"),
        ("/api/v1/analytics/trends?period=month", "period"),
        ("/api/v1/analytics/trends?of=rumours", "of"),
        ("/api/v1/analytics/trends?start=yesterday", "start"),
        ("/api/v1/analytics/hotspots?resolution=12", "resolution"),
        ("/api/v1/analytics/hotspots?alpha=0", "alpha"),
        ("/api/v1/analytics/hotspots?baseline_weeks=0", "baseline_weeks"),
        ("/api/v1/analytics/coverage?resolution=2", "resolution"),
        ("/api/v1/analytics/coverage?limit=0", "limit"),
    ],
)
def test_bad_parameters_are_named(client: Any, path: str, field: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in answer.json()["errors"]] == [field]
