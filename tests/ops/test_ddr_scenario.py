"""The scenario's weapons collection and seizures: Essential Harvest's published figures with
their source, synthetic detail that adds up to them and is marked so, duplicate serials across
campaigns, and smuggling routes that grew in the scenario's last month."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from peacewatch.ops.trafficking import routes_report
from peacewatch.ops.weapons import campaign_progress
from peacewatch.scenarios.kosovo1999.seizures import load_seizures
from peacewatch.scenarios.kosovo1999.weapons import load_weapons
from peacewatch.store import Store
from peacewatch.store import weapons as weapons_store
from tests.conftest import ADMIN


def test_weapons_and_seizures_scenario(store: Store) -> None:
    gen = SimpleNamespace(seed=1999)
    counts = load_weapons(store, ADMIN, gen)
    assert counts["weapons_campaigns"] == 3 and counts["weapons_items"] > 3875
    with store.read() as conn:
        body = campaign_progress(conn, viewer=ADMIN, campaign="ESSENTIAL-HARVEST")
        dupes = weapons_store.list_items(conn, viewer=ADMIN, duplicates=True)
        sample = weapons_store.list_items(
            conn, viewer=ADMIN, campaign="ESSENTIAL-HARVEST", limit=50
        )
    (eh,) = body["campaigns"]
    assert eh["start"] == "2001-08-27T00:00:00Z" and eh["end"] == "2001-09-26T00:00:00Z"
    assert eh["targets"][0] | {} == {
        "category": "weapons", "place": None, "target": 3300, "collected": 3875,
        "remaining": 0, "percent": 117.4, "met": True,
    }  # fmt: skip
    assert eh["reported"]["weapons"] == 3875 and eh["reported"]["assault_rifles"] == 3210
    assert eh["reported"]["mines_explosives_rounds"] == 397625
    bulk = sum(v for k, v in eh["collected"].items() if k in ("mines", "explosives", "ammunition"))
    assert bulk == 397625
    assert "armscontrol.org" in eh["source"]
    assert all(i["synthetic"] and "synthetic" in i["description"] for i in sample)
    # Kosovo serials seen again in Macedonia, flagged with a link to the earlier record
    crossed = [d for d in dupes if d["campaign"] == "ESSENTIAL-HARVEST"]
    assert crossed and all(d["duplicate_of"][0]["campaign"].startswith("KFOR") for d in crossed)

    assert load_seizures(store, ADMIN, gen)["seizures"] > 250
    net = routes_report(store, viewer=ADMIN, at=datetime(2000, 6, 12, tzinfo=UTC))
    assert "Bajram Curri → Qafa e Prushit → Gjakova" in net["growing"]
    assert "Skopje → Hani i Elezit → Pristina" in net["growing"]
    assert net["hotspots"][0]["id"] == "Morina"
    assert any("chain" in e["kinds"] for e in net["edges"])
