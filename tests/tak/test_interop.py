"""pytak connects over TCP, TLS and UDP, sends positions and markers, receives the rebroadcast."""

from __future__ import annotations

import asyncio
import ssl

from sqlalchemy import select

from peacewatch.store import units as unit_store
from peacewatch.store.tables import reports
from peacewatch.tak import certs
from tests.conftest import ADMIN
from tests.tak.clients import Client, marker, sa, tls_extra
from tests.tak.conftest import Running


def _track(running: Running, uid: str) -> list[dict[str, object]]:
    with running.store.read() as conn:
        return unit_store.list_positions(conn, viewer=ADMIN, unit_uid=uid)


def _report_titles(running: Running) -> list[str]:
    with running.store.read() as conn:
        return [str(t) for t in conn.execute(select(reports.c.title)).scalars()]


def test_tcp_position_becomes_a_track_and_is_rebroadcast(running_any: Running) -> None:
    running = running_any
    url = f"tcp://127.0.0.1:{running.ports['tcp']}"

    async def scenario() -> None:
        sender, watcher = await Client.open(url), await Client.open(url)
        await asyncio.sleep(0.2)  # both registered
        await sender.send(sa("ANDROID-alpha1", "ALPHA 1"))
        await sender.send(sa("ANDROID-alpha1", "ALPHA 1", lat=42.67))
        got = await watcher.wait_for("ANDROID-alpha1")
        assert got.get("type") == "a-f-G-U-C"
        assert got.find("detail/contact").get("callsign") == "ALPHA 1"  # type: ignore[union-attr]
        await sender.none_of({"ANDROID-alpha1"}, 0.5)  # not echoed to its own device
        sender.close()
        watcher.close()

    asyncio.run(scenario())
    running.wait_for(lambda: len(_track(running, "ANDROID-alpha1")) == 2)
    with running.store.read() as conn:
        unit = unit_store.list_units(conn, viewer=ADMIN, uid="ANDROID-alpha1")[0]
    assert unit["properties"]["name"] == "ALPHA 1"
    assert unit["properties"]["nation"] == "GBR"  # the plain user's nation
    assert unit["properties"]["sidc"] == "SFGPUC---------"
    assert unit["properties"]["attributes"]["cot_uid"] == "ANDROID-alpha1"
    assert running.status()["positions"] == 2


def test_tcp_marker_becomes_a_report_through_the_pipeline(running: Running) -> None:
    url = f"tcp://127.0.0.1:{running.ports['tcp']}"

    async def scenario() -> None:
        client = await Client.open(url)
        await client.send(marker("marker-1", "a-h-G-E-W"))
        await client.send(marker("marker-1", "a-h-G-E-W"))  # re-sent: a duplicate
        client.close()

    asyncio.run(scenario())
    running.wait_for(lambda: running.status()["reports"].get("duplicates", 0) == 1)
    assert _report_titles(running) == ["marker marker-1"]
    with running.store.read() as conn:
        row = conn.execute(select(reports)).one()
    assert row.kind == "heavy_weapons_sighting"
    assert row.text == "armed men at the crossroads"
    assert row.attributes["cot_uid"] == "marker-1"
    assert row.created_by == "gbr.patrol"


def test_protocol_v1_from_pytak_is_accepted(running: Running) -> None:
    url = f"tcp://127.0.0.1:{running.ports['tcp']}"

    async def scenario() -> None:
        client = await Client.open(url, TAK_PROTO="1")  # pytak frames with takproto
        await client.send(sa("ANDROID-bravo", "BRAVO"))
        client.close()

    asyncio.run(scenario())
    running.wait_for(lambda: len(_track(running, "ANDROID-bravo")) == 1)
    assert running.status()["messages_in"]["proto"] >= 1


def test_tls_client_certificate_maps_to_its_user(running: Running, client_certs: dict) -> None:
    url = f"tls://127.0.0.1:{running.ports['tls']}"

    async def scenario() -> None:
        fra = await Client.open(url, **tls_extra(client_certs["fra.patrol"], running.cert_dir))
        gbr = await Client.open(url, **tls_extra(client_certs["gbr.patrol"], running.cert_dir))
        await asyncio.sleep(0.3)
        await fra.send(sa("ANDROID-fra1", "FRA 1"))
        await gbr.wait_for("ANDROID-fra1")  # rebroadcast over TLS
        fra.close()
        gbr.close()

    asyncio.run(scenario())
    with running.store.read() as conn:
        unit = unit_store.list_units(conn, viewer=ADMIN, uid="ANDROID-fra1")[0]
    assert unit["properties"]["nation"] == "FRA"  # the certificate's user, not the plain one


def test_udp_xml_and_protocol_v1(running: Running) -> None:
    url = f"udp+wo://127.0.0.1:{running.ports['udp']}"  # pytak would bind the port to read

    async def scenario() -> None:
        xml_client = await Client.open(url)
        await xml_client.send(sa("ANDROID-udp-xml", "UDP X"))
        proto_client = await Client.open(url, TAK_PROTO="1")
        await proto_client.send(sa("ANDROID-udp-v1", "UDP P"))

    asyncio.run(scenario())
    running.wait_for(lambda: len(_track(running, "ANDROID-udp-xml")) == 1)
    running.wait_for(lambda: len(_track(running, "ANDROID-udp-v1")) == 1)


def test_a_certificate_of_no_active_user_is_refused(running: Running) -> None:
    ghost = certs.issue(running.cert_dir, "ghost", host="127.0.0.1", port=8089)
    context = ssl.create_default_context(cafile=str(running.cert_dir / "ca.pem"))
    context.load_cert_chain(ghost.cert, ghost.key)

    async def scenario() -> bytes:
        reader, _ = await asyncio.open_connection(
            "127.0.0.1", running.ports["tls"], ssl=context, server_hostname="127.0.0.1"
        )
        return await asyncio.wait_for(reader.read(), 10)  # closed without a word

    assert asyncio.run(scenario()) == b""
    running.wait_for(lambda: running.status()["closed"].get("no_user") == 1)
