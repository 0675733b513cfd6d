"""Loading the Kosovo 1999 scenario through the ingest paths, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from peacewatch.domain.labels import Classification, Viewer
from peacewatch.scenarios.loader import load_kosovo1999
from peacewatch.store import Store
from peacewatch.store.reports import count_reports, list_reports
from peacewatch.store.tables import patrols, places, reports, unit_positions, units, zones
from peacewatch.store.zones import list_zones

PARTNER = Viewer("liaison", "UKR", Classification.NATO_SECRET, frozenset({"PARTNER"}))


def _count(conn, table) -> int:  # type: ignore[no-untyped-def]
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_small_scenario_loads_completely(empty_store: Store) -> None:
    result = load_kosovo1999(empty_store, size=300, seed=11)
    assert result["reports"] == 300
    with empty_store.read() as conn:
        assert _count(conn, reports) == 300
        assert _count(conn, zones) >= 11
        assert _count(conn, places) >= 60
        assert _count(conn, units) >= 30
        assert _count(conn, unit_positions) == result["unit_positions"] > 0
        assert _count(conn, patrols) == result["patrols"] >= 20
        kinds = {f["properties"]["kind"] for f in list_zones(conn, viewer=_admin(), mission="KFOR")}
        # a partner liaison officer sees only what was released to partners
        partner = count_reports(conn, viewer=PARTNER)
        page = list_reports(conn, viewer=PARTNER, limit=1000)
    assert {"boundary", "sector", "air_safety_zone", "ground_safety_zone"} <= kinds
    assert 0 < partner < 300
    assert all("PARTNER" in f["properties"]["label"] for f in page.features)
    with pytest.raises(RuntimeError, match="loaded already"):
        load_kosovo1999(empty_store, size=10)


def _admin() -> Viewer:
    return Viewer("a", "GBR", Classification.NATO_SECRET, frozenset({"NATO", "KFOR"}))
