"""The store on both backends: label filter in the query, bbox + time index, paging, dedupe."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from peacewatch.domain.labels import Classification, Label, Viewer, can_see
from peacewatch.errors import ValidationFailed
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.store import Store
from peacewatch.store.migrate import current_revision, head_revision
from peacewatch.store.reports import count_reports, list_reports, reports_query
from peacewatch.store.tables import reports
from tests.conftest import ADMIN
from tests.helpers import T0, random_reports, report

GBR = Viewer("gbr", "GBR", Classification.NATO_SECRET, frozenset({"NATO", "KFOR"}))
PARTNER = Viewer("ukr", "UKR", Classification.NATO_SECRET, frozenset({"PARTNER"}))
LOW = Viewer("low", "FRA", Classification.NATO_UNCLASSIFIED, frozenset({"NATO", "KFOR"}))


def _load(store: Store, n: int = 600) -> list[dict[str, object]]:
    records = random_reports(n)
    summary = Pipeline(store, viewer=ADMIN, mission="KFOR").run(
        (f"r{i}", r) for i, r in enumerate(records)
    )
    assert summary.accepted == n and not summary.rejected
    return records


def _expected(records, viewer, bbox=None, start=None, end=None):  # type: ignore[no-untyped-def]
    out = set()
    for r in records:
        t = datetime.fromisoformat(r["observed_at"])
        if not can_see(viewer, Label.parse(r["label"])):
            continue
        if bbox and not (bbox[0] <= r["lon"] <= bbox[2] and bbox[1] <= r["lat"] <= bbox[3]):
            continue
        if start and t < start:
            continue
        if end and t >= end:
            continue
        out.add(r["id"])
    return out


def test_schema_is_at_head(store: Store) -> None:
    assert current_revision(store) == head_revision() == "0013"


@pytest.mark.parametrize("viewer", [GBR, PARTNER, LOW], ids=["gbr", "partner", "unclassified"])
def test_bbox_time_query_matches_brute_force_for_each_viewer(store: Store, viewer: Viewer) -> None:
    records = _load(store)
    bbox = (20.6, 42.2, 21.3, 42.9)
    start, end = T0 + timedelta(days=20), T0 + timedelta(days=200)
    with store.read() as conn:
        page = list_reports(conn, viewer=viewer, bbox=bbox, start=start, end=end, limit=10_000)
        total = count_reports(conn, viewer=viewer)
    got = {f["id"] for f in page.features}
    assert got == _expected(records, viewer, bbox, start, end)
    assert total == len(_expected(records, viewer))
    # the filter really hides something from the partner and the uncleared viewer
    if viewer is not GBR:
        assert total < len(records)


def test_paging_with_cursor_returns_every_row_once_in_time_order(store: Store) -> None:
    records = _load(store, 250)
    seen: list[str] = []
    times: list[str] = []
    cursor = None
    with store.read() as conn:
        while True:
            page = list_reports(conn, viewer=GBR, limit=37, cursor=cursor)
            seen += [f["id"] for f in page.features]
            times += [f["properties"]["observed_at"] for f in page.features]
            cursor = page.next_cursor
            if cursor is None:
                break
    assert len(seen) == len(set(seen)) == len(_expected(records, GBR))
    assert times == sorted(times)


@pytest.mark.parametrize("viewer", [GBR, PARTNER], ids=["gbr", "partner"])
def test_dense_window_pages_match_brute_force(store: Store, viewer: Viewer) -> None:
    # Small pages over a window many times their size: list_reports reads the window in
    # time slices (from the R*Tree's histogram on SQLite, geometric on PostGIS), and every
    # page must still be exactly the next rows in (observed_at, id) order.
    records = _load(store, 600)
    start, end = T0 + timedelta(days=30), T0 + timedelta(days=300)
    expected = sorted(
        (r["observed_at"], r["id"])
        for r in records
        if r["id"] in _expected(records, viewer, None, start, end)
    )
    got: list[tuple[str, str]] = []
    cursor = None
    with store.read() as conn:
        while True:
            page = list_reports(conn, viewer=viewer, start=start, end=end, limit=23, cursor=cursor)
            assert len(page.features) <= 23
            got += [
                (datetime.fromisoformat(f["properties"]["observed_at"]).isoformat(), f["id"])
                for f in page.features
            ]
            cursor = page.next_cursor
            if cursor is None:
                break
    expected_norm = [(datetime.fromisoformat(t).isoformat(), i) for t, i in expected]
    assert [i for _, i in got] == [i for _, i in sorted(expected_norm)]


def test_damaged_cursor_is_a_validation_error(store: Store) -> None:
    with store.read() as conn, pytest.raises(ValidationFailed) as err:
        list_reports(conn, viewer=GBR, cursor="not-a-cursor")
    assert err.value.problems[0].field == "cursor"


def test_resending_reports_is_a_noop(store: Store) -> None:
    records = _load(store, 50)
    again = Pipeline(store, viewer=ADMIN, mission="KFOR").run(
        (f"r{i}", r) for i, r in enumerate(records)
    )
    assert (again.accepted, again.duplicates, again.rejected) == (0, 50, [])
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(reports)).scalar_one() == 50


def test_spatial_index_is_consistent(store: Store) -> None:
    _load(store, 100)
    with store.read() as conn:
        assert store.spatial.check_integrity(conn) == []
        if store.backend == "sqlite":
            n = conn.exec_driver_sql("SELECT count(*) FROM reports_rtree").scalar_one()
        else:
            n = conn.exec_driver_sql(
                "SELECT count(*) FROM reports WHERE geom IS NOT NULL"
            ).scalar_one()
    assert n == 100


def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_store: Store) -> None:
    with sqlite_store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


def test_sqlite_query_plan_starts_from_the_rtree(sqlite_store: Store) -> None:
    _load(sqlite_store, 50)
    with sqlite_store.read() as conn:
        query = reports_query(
            conn, viewer=GBR, bbox=(20.0, 42.0, 21.0, 43.0), start=T0, end=T0 + timedelta(days=1)
        )
        compiled = query.compile(conn, compile_kwargs={"render_postcompile": True})
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + str(compiled),
            tuple(
                (compiled.positiontup and [compiled.params[k] for k in compiled.positiontup]) or ()
            ),
        ).all()
    text_plan = " | ".join(str(r[-1]) for r in plan)
    assert "reports_rtree VIRTUAL TABLE INDEX" in text_plan, text_plan


def test_moved_report_is_found_at_its_new_place_and_time(store: Store) -> None:
    records = _load(store, 20)
    target = records[0]["id"]
    new_time = T0 + timedelta(days=300, hours=5)
    with store.write() as conn:
        conn.execute(
            reports.update()
            .where(reports.c.uuid == target)
            .values(lon=19.5, lat=41.5, observed_at=new_time)
        )
    with store.read() as conn:
        old_box = list_reports(conn, viewer=ADMIN, bbox=(20.3, 42.0, 21.6, 43.1), limit=100)
        new_box = list_reports(
            conn,
            viewer=ADMIN,
            bbox=(19.4, 41.4, 19.6, 41.6),
            start=new_time - timedelta(minutes=1),
            end=new_time + timedelta(minutes=1),
        )
        assert store.spatial.check_integrity(conn) == []
    assert target not in {f["id"] for f in old_box.features}
    assert [f["id"] for f in new_box.features] == [target]


def test_relabelled_report_is_hidden_by_the_spatial_path_too(store: Store) -> None:
    from peacewatch.store.label_filter import intern_label

    records = _load(store, 30)
    target = next(r["id"] for r in records if r["label"] == "NATO UNCLASSIFIED REL TO KFOR, NATO")
    bbox = (20.0, 41.5, 22.0, 43.5)
    with store.write() as conn:
        secret_fra = intern_label(conn, Label.parse("NATO SECRET REL TO FRA"))
        conn.execute(reports.update().where(reports.c.uuid == target).values(label_id=secret_fra))
    with store.read() as conn:
        spatial = list_reports(conn, viewer=GBR, bbox=bbox, start=T0, end=T0 + timedelta(days=400))
        plain = list_reports(conn, viewer=GBR)
    assert target not in {f["id"] for f in spatial.features}
    assert target not in {f["id"] for f in plain.features}
    assert len(spatial.features) == len(plain.features) > 0


def test_labels_new_to_the_store_are_judged_at_once(store: Store) -> None:
    _load(store, 30)
    with store.read() as conn:
        before = {f["id"] for f in list_reports(conn, viewer=GBR, limit=10_000).features}
    # labels the store has never seen: one GBR may see, one it may not
    fresh = [
        report(label="NATO CONFIDENTIAL REL TO GBR, USA"),
        report(label="NATO CONFIDENTIAL REL TO USA"),
    ]
    Pipeline(store, viewer=ADMIN, mission="KFOR").run((r["id"], r) for r in fresh)
    with store.read() as conn:
        after = {f["id"] for f in list_reports(conn, viewer=GBR, limit=10_000).features}
    assert after - before == {fresh[0]["id"]}
