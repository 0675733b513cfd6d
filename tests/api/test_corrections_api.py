"""Corrections through the API: PUT a corrected record, read the versions, on both backends."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from peacewatch.ingest.pipeline import Pipeline
from peacewatch.store import Store
from tests.conftest import ADMIN, bearer, make_user
from tests.helpers import report


def _put(client: Any, report_id: str, record: dict[str, Any], **kw: Any) -> Any:
    return client.put(f"/api/v1/reports/{report_id}", json=record, **kw)


def test_put_corrects_a_report_and_keeps_its_history(client: Any) -> None:
    original = report()
    assert client.post("/api/v1/reports", json=original).json()["accepted"] == 1
    fixed = {**original, "id": str(uuid.uuid4()), "lat": 42.7, "reason": "GPS fix"}
    response = _put(client, original["id"], fixed)
    assert response.status_code == 200, response.text
    feature = response.json()
    assert (feature["id"], feature["properties"]["version"]) == (original["id"], 2)
    assert feature["geometry"]["coordinates"] == [original["lon"], 42.7]
    # re-sending the same correction is idempotent: no third version
    again = _put(client, original["id"], fixed)
    assert again.status_code == 200 and again.json()["properties"]["version"] == 2
    history = client.get(f"/api/v1/reports/{original['id']}/versions").json()
    assert [i["version"] for i in history["items"]] == [1, 2]
    assert history["items"][0]["content"]["geometry"]["coordinates"][1] == original["lat"]
    assert (history["items"][1]["reason"], history["items"][1]["created_by"]) == (
        "GPS fix",
        "operator",
    )
    # a correction sent in a batch (offline sync) names the report it corrects
    batch = [{**original, "id": str(uuid.uuid4()), "corrects": original["id"], "lat": 42.8}]
    summary = client.post("/api/v1/reports", json=batch).json()
    assert (summary["corrected"], summary["corrected_ids"]) == (1, [original["id"]])
    assert client.get(f"/api/v1/reports/{original['id']}").json()["properties"]["version"] == 3


def test_a_correction_by_someone_who_cannot_see_the_original_is_404(
    client: Any, anonymous: TestClient, store: Store
) -> None:
    secret = report(label="NATO SECRET REL TO NATO")
    Pipeline(store, viewer=ADMIN, mission="KFOR").run([(secret["id"], secret)])
    low = make_user(store, "low", clearance="NATO RESTRICTED", roles=("patrol_leader",))
    fixed = {**secret, "id": str(uuid.uuid4()), "label": "NATO RESTRICTED REL TO NATO"}
    hidden = _put(anonymous, secret["id"], fixed, headers=bearer(store, low))
    absent = _put(anonymous, str(uuid.uuid4()), fixed, headers=bearer(store, low))
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["detail"].split(" ")[:2] == absent.json()["detail"].split(" ")[:2]
    assert client.get(f"/api/v1/reports/{secret['id']}").json()["properties"]["version"] == 1


def test_a_correction_above_the_writers_clearance_is_422(client: Any, store: Store) -> None:
    original = report()
    client.post("/api/v1/reports", json=original)
    low = make_user(store, "low", clearance="NATO RESTRICTED", roles=("patrol_leader",))
    fixed = {**original, "id": str(uuid.uuid4()), "label": "NATO SECRET REL TO NATO"}
    response = _put(client, original["id"], fixed, headers=bearer(store, low))
    assert response.status_code == 422
    assert {p["field"] for p in response.json()["errors"]} == {"label"}


def test_versions_are_label_filtered(client: Any, store: Store) -> None:
    original = report(label="NATO SECRET REL TO NATO")
    client.post("/api/v1/reports", json=original)
    fixed = {**original, "id": str(uuid.uuid4()), "label": "NATO RESTRICTED REL TO KFOR, NATO"}
    assert _put(client, original["id"], fixed).status_code == 200
    low = make_user(store, "low", clearance="NATO RESTRICTED", roles=("watchkeeper",))
    seen = client.get(
        f"/api/v1/reports/{original['id']}/versions", headers=bearer(store, low)
    ).json()
    assert [i["version"] for i in seen["items"]] == [2]
    assert "SECRET" not in str(seen)
    assert client.get(f"/api/v1/reports/{uuid.uuid4()}/versions").status_code == 404
