"""What the mission publishes reaches devices: zones as shapes, violations as alerts."""

from __future__ import annotations

import asyncio
import contextlib

from peacewatch.ingest import records
from peacewatch.ingest.agreements import add_agreement
from peacewatch.ingest.pipeline import Pipeline
from tests.compliance.test_judge import OBLIGATION, ZONE, sighting
from tests.conftest import ADMIN
from tests.tak.clients import Client
from tests.tak.conftest import Running


def test_zones_on_connection_and_violations_as_alerts(running: Running) -> None:
    records.add_zone(running.store, viewer=ADMIN, data=ZONE)
    add_agreement(
        running.store,
        viewer=ADMIN,
        data={
            "code": "MTA", "name": "Test agreement", "mission": "KFOR",
            "entry_into_force": "1999-06-10T00:00:00Z", "obligations": [OBLIGATION],
            "label": "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER",
        },
    )  # fmt: skip
    url = f"tcp://127.0.0.1:{running.ports['tcp']}"

    async def scenario() -> None:
        device = await Client.open(url)
        shape = await device.wait_for("zone-gsz-test")
        assert shape.get("type") == "u-d-f"
        points = [link.get("point") for link in shape.iter("link")]
        assert points[0] == "42.0,21.0" and len(points) == 5  # the closed outer ring
        breach = sighting()
        summary = await asyncio.to_thread(
            Pipeline(running.store, viewer=ADMIN, mission="KFOR").run, [(breach["id"], breach)]
        )
        assert summary.accepted == 1
        await device.wait_for(breach["id"])  # the report, as a marker
        alert = next((e for e in await _until_alert(device) if e.get("type") == "b-a-g"), None)
        assert alert is not None
        assert "No armed forces in the test zone" in (alert.findtext("detail/remarks") or "")
        device.close()

    asyncio.run(scenario())


async def _until_alert(device: Client) -> list:
    for _ in range(100):
        if any(e.get("type") == "b-a-g" for e in device.seen):
            return device.seen
        with contextlib.suppress(TimeoutError):
            await device.wait_for("\x00never", timeout=0.1)
    return device.seen
