"""Two nations' pytak clients over TLS: each receives only what is releasable to its user."""

from __future__ import annotations

import asyncio
import uuid

from peacewatch.ingest import records
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.tak import certs
from tests.conftest import ADMIN
from tests.tak.clients import KOSOVO, Client, marker, tls_extra
from tests.tak.conftest import Running

R_PARTNER = str(uuid.uuid5(uuid.NAMESPACE_URL, "test:r-partner"))
R_SECRET = str(uuid.uuid5(uuid.NAMESPACE_URL, "test:r-secret"))


def _report(running: Running, uid: str, label: str) -> None:
    record = {
        "id": uid,
        "kind": "roadblock",
        "observed_at": "2026-01-01T10:00:00Z",
        "lat": KOSOVO[0],
        "lon": KOSOVO[1],
        "title": f"report {uid}",
        "label": label,
    }
    summary = Pipeline(running.store, viewer=ADMIN, mission="KFOR", bus=running.gateway.bus).run(
        [(uid, record)]
    )
    assert summary.accepted == 1


def test_each_client_receives_only_what_its_user_may_see(
    running_any: Running, client_certs: dict[str, certs.Issued]
) -> None:
    running = running_any
    url = f"tls://127.0.0.1:{running.ports['tls']}"

    def extra(user: str) -> dict[str, str]:
        return tls_extra(client_certs[user], running.cert_dir)

    async def scenario() -> None:
        gbr_device = await Client.open(url, **extra("gbr.patrol"))
        gbr_other = await Client.open(url, **extra("gbr.patrol"))
        fra = await Client.open(url, **extra("fra.patrol"))
        ukr = await Client.open(url, **extra("ukr.liaison"))
        await asyncio.sleep(0.4)
        # from a GBR device: a marker for GBR eyes only, and one for the whole mission
        await gbr_device.send(marker("m-gbr-only", label="NATO UNCLASSIFIED REL TO GBR"))
        await gbr_device.send(marker("m-shared", label="NATO UNCLASSIFIED REL TO KFOR, NATO"))
        # from the mission: a French unit's position, and reports for partners and NATO only
        unit = records.add_unit(
            running.store,
            viewer=ADMIN,
            data={"uid": "fra-coy", "name": "FRA company", "mission": "KFOR",
                  "sidc": "SFGPUCI--------", "label": "NATO RESTRICTED REL TO FRA"},
        )  # fmt: skip
        records.add_positions(
            running.store,
            viewer=ADMIN,
            positions=[{"unit_uid": unit, "observed_at": "2026-01-01T10:00:00Z",
                        "lon": 21.2, "lat": 42.7, "label": "NATO RESTRICTED REL TO FRA"}],
        )  # fmt: skip
        await asyncio.to_thread(_report, running, R_PARTNER, "NATO UNCLASSIFIED REL TO PARTNER")
        await asyncio.to_thread(_report, running, R_SECRET, "NATO SECRET REL TO NATO")

        await gbr_other.wait_for("m-gbr-only")
        await gbr_other.wait_for("m-shared")
        await gbr_other.wait_for(R_SECRET)
        await fra.wait_for("m-shared")
        await fra.wait_for("fra-coy")
        await fra.wait_for(R_SECRET)
        await ukr.wait_for(R_PARTNER)
        everything = {"m-gbr-only", "m-shared", "fra-coy", R_PARTNER, R_SECRET}
        await asyncio.gather(
            gbr_other.none_of({"fra-coy", R_PARTNER}, 1.0),
            fra.none_of({"m-gbr-only", R_PARTNER}, 1.0),
            ukr.none_of(everything - {R_PARTNER}, 1.0),
            gbr_device.none_of({"m-gbr-only", "m-shared"}, 1.0),  # its own, not echoed
        )
        # what a device is sent carries its label
        shared = fra.seen[[e.get("uid") for e in fra.seen].index("m-shared")]
        assert shared.find("detail/peacewatch").get("label") == (  # type: ignore[union-attr]
            "NATO UNCLASSIFIED REL TO KFOR, NATO"
        )
        for client in (gbr_device, gbr_other, fra, ukr):
            client.close()

    asyncio.run(scenario())


def test_a_user_without_write_permission_sends_nothing(
    running: Running, client_certs: dict[str, certs.Issued]
) -> None:
    url = f"tls://127.0.0.1:{running.ports['tls']}"

    async def scenario() -> None:
        ukr = await Client.open(url, **tls_extra(client_certs["ukr.liaison"], running.cert_dir))
        await asyncio.sleep(0.2)
        await ukr.send(marker("m-from-liaison"))
        ukr.close()

    asyncio.run(scenario())
    running.wait_for(lambda: running.status()["errors"].get("forbidden", 0) == 1)
    assert running.status()["reports"] == {}
