"""/api/v1/warning: the tension index and its alerts through the API, labelled and filtered."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from peacewatch.store import Store
from tests.analytics.test_tension import DAYS, SECRET, T0, WARNING_DAY, WATCH_DAY, load_surge
from tests.conftest import bearer, make_user

WINDOW = {
    "start": T0.isoformat(),
    "end": (T0 + timedelta(days=DAYS)).isoformat(),
    "mission": "KFOR",
}


def _get(client: TestClient, path: str, **params: Any) -> tuple[dict[str, Any], Any]:
    answer = client.get(f"/api/v1/warning/{path}", params={**WINDOW, **params})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body, answer.headers


def _restricted(store: Store, anonymous: TestClient) -> TestClient:
    user = make_user(store, "restricted", clearance="NATO RESTRICTED", roles=("analyst",))
    anonymous.headers.update(bearer(store, user))
    return anonymous


def test_the_index_per_sector_and_day_with_contributions(store: Store, client: TestClient) -> None:
    load_surge(store)
    body, headers = _get(client, "index")
    assert headers["X-PeaceWatch-Classification"] == "NATO SECRET"
    assert body["thresholds"] == {"watch": 15.0, "warning": 30.0}
    assert body["days"][0] == T0.date().isoformat() and len(body["days"]) == DAYS
    by_uid = {s["sector"]: s for s in body["sectors"]}
    assert set(by_uid) == {"sector-a", "sector-b"}
    a = by_uid["sector-a"]
    d = body["days"].index(WARNING_DAY.isoformat())
    assert a["index"][d] == 30.0 and a["level"][d] == "warning"
    assert a["contributions"]["incidents"][d] == 30.0
    assert sum(a["contributions"][n][d] for n in body["signals"]) == pytest.approx(a["index"][d])
    assert a["index"][0] is None and a["level"][0] is None  # no baseline yet
    assert max(v for v in by_uid["sector-b"]["index"] if v is not None) == 0.0
    assert SECRET in a["labels"] and SECRET not in by_uid["sector-b"]["labels"]
    assert {i["label"] for i in body["items"] if i["sector"] == "sector-a"} >= {SECRET}
    one, _ = _get(client, "index", sector="sector-b")
    assert [s["sector"] for s in one["sectors"]] == ["sector-b"]


def test_alerts_name_the_day_and_signals(store: Store, client: TestClient) -> None:
    load_surge(store)
    body, _ = _get(client, "alerts")
    assert [(a["day"], a["level"]) for a in body["alerts"]] == [(WATCH_DAY.isoformat(), "watch")]
    warning, _ = _get(client, "alerts", level="warning")
    (alert,) = warning["alerts"]
    assert alert["sector"] == "sector-a" and alert["day"] == WARNING_DAY.isoformat()
    assert alert["signals"] == ["incidents"] and alert["index"] == 30.0
    assert warning["label"].startswith("NATO SECRET")


def test_a_viewer_without_clearance_sees_an_index_without_the_secret_reports(
    store: Store, anonymous: TestClient
) -> None:
    load_surge(store)
    partner = _restricted(store, anonymous)
    body, headers = _get(partner, "index")
    assert headers["X-PeaceWatch-Classification"] == "NATO RESTRICTED"
    a = next(s for s in body["sectors"] if s["sector"] == "sector-a")
    d = body["days"].index(WARNING_DAY.isoformat())
    assert a["index"][d] == 0.0 and a["recent"]["incidents"][d] == 6
    assert SECRET not in a["labels"]
    alerts, _ = _get(partner, "alerts")
    assert alerts["alerts"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": "panic"}, "level"),
        ({"sector": "nowhere"}, "sector"),
        ({"start": "1999-07-01T00:00:00Z", "end": "1999-06-01T00:00:00Z"}, "end"),
        ({"start": "last tuesday"}, "start"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(
    store: Store, client: TestClient, params: dict[str, str], field: str
) -> None:
    load_surge(store)
    answer = client.get("/api/v1/warning/alerts", params={**WINDOW, **params})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_reading_the_index_needs_a_login(anonymous: TestClient) -> None:
    assert anonymous.get("/api/v1/warning/index").status_code == 401
