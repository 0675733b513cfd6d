"""The scenario's seizures and KFOR items handed in cite the generated reports that match them
(goods, place, time), each report cited once at most, and read back through the store."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import func, select
from tests.conftest import ADMIN

from peacewatch.domain.labels import Label, can_see
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.scenarios.kosovo1999.citations import SEIZURE_GOODS
from peacewatch.scenarios.kosovo1999.generator import Generator
from peacewatch.scenarios.kosovo1999.seizures import load_seizures
from peacewatch.scenarios.kosovo1999.weapons import load_kfor_collection
from peacewatch.store import Store
from peacewatch.store import seizures as seizure_store
from peacewatch.store import weapons as weapons_store
from peacewatch.store.report_citations import citing
from peacewatch.store.reports import get_report
from peacewatch.store.tables import seizure_reports, weapons_item_reports


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_scenario_records_cite_matching_reports(store: Store) -> None:
    gen = Generator.from_size("small", seed=1999)
    # less the few released to one brigade's lead nation, which this store does not register
    rows = [r for batch in gen.reports(batch_size=1000) for r in batch]
    mine = [r for r in rows if can_see(ADMIN, Label.parse(r["label"]))]
    assert len(mine) > 900
    summary = Pipeline(store, viewer=ADMIN, mission="KFOR").run((r["id"], r) for r in mine)
    assert summary.accepted == len(mine), summary.rejected[:1]
    seized = load_seizures(store, ADMIN, SimpleNamespace(seed=1999))
    counts, _ = load_kfor_collection(store, ADMIN, random.Random("weapons-1999"))
    assert 3 <= seized["seizures_citing_reports"] < seized["seizures"]
    assert 3 <= counts["items_citing_reports"] < counts["weapons_items"]
    with store.read() as conn:
        features = seizure_store.list_seizures(conn, viewer=ADMIN)
        items = weapons_store.list_items(conn, viewer=ADMIN, limit=10_000)
        cited_twice = [
            conn.execute(
                select(func.count())
                .select_from(select(t.c.report_id).group_by(t.c.report_id).having(func.count() > 1)
                             .subquery())
            ).scalar_one()
            for t in (seizure_reports, weapons_item_reports)
        ]  # fmt: skip
        some = next(f for f in features if f["properties"]["reports"])
        back = citing(conn, viewer=ADMIN, uuid=some["properties"]["reports"][0]["id"])
        attributes = {
            r["id"]: get_report(conn, viewer=ADMIN, uuid=r["id"])["properties"]["attributes"]  # type: ignore[index]
            for record in [*(f["properties"] for f in features), *items]
            for r in record["reports"]
        }
    assert cited_twice == [0, 0]
    assert back is not None and [r["id"] for r in back] == [some["id"]]
    citing_seizures = [f["properties"] for f in features if f["properties"]["reports"]]
    assert len(citing_seizures) == seized["seizures_citing_reports"]
    for s in citing_seizures:
        for r in s["reports"]:
            assert r["kind"] == "seizure"
            assert SEIZURE_GOODS[attributes[r["id"]]["items"]] == s["category"]
            assert abs(_time(r["observed_at"]) - _time(s["seized_at"])) <= timedelta(hours=72)
    citing_items = [i for i in items if i["reports"]]
    assert len(citing_items) == counts["items_citing_reports"]
    for i in citing_items:
        for r in i["reports"]:
            assert r["kind"] == "weapons_handed_in"
            assert attributes[r["id"]]["category"] == i["category"]
            assert abs(_time(r["observed_at"]) - _time(i["collected_at"])) <= timedelta(hours=72)
