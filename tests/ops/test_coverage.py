"""Coverage rules on small hand-made data with known answers, on SQLite and PostgreSQL:
metres not degrees, the exact last instant a track was within the radius, the gap ranking and
its score terms, what a viewer may see, and plans matched to the patrols that did them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyproj
import pytest

from peacewatch.domain.labels import Classification, Viewer
from peacewatch.domain.schedule import overlaps, parse_days, runs
from peacewatch.errors import NotFound, ValidationFailed
from peacewatch.ingest import patrol_plans as plan_writer
from peacewatch.ingest import records
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.ops import coverage
from peacewatch.ops.gap_plans import draft_plans
from peacewatch.store import Store
from peacewatch.store import patrol_plans as plan_store
from peacewatch.store.reference import add_places
from tests.conftest import ADMIN
from tests.helpers import report

GEOD = pyproj.Geod(ellps="WGS84")
TOWNS = {"Alpha": (21.0, 42.5), "Bravo": (21.5, 42.5), "Charlie": (21.2, 42.9)}
WINDOW = (datetime(1999, 6, 15, tzinfo=UTC), datetime(1999, 7, 1, tzinfo=UTC))
OPEN = "NATO UNCLASSIFIED REL TO KFOR, NATO"
GBR_SECRET = "NATO SECRET REL TO GBR"
PATROL_LABEL = "NATO RESTRICTED REL TO KFOR, NATO"
NR_FRA = Viewer("fra", "FRA", Classification.NATO_RESTRICTED, frozenset({"NATO", "KFOR"}))
PARTNER = Viewer("ukr", "UKR", Classification.NATO_RESTRICTED, frozenset({"PARTNER"}))
SECTOR = [[20.5, 42.2], [20.6, 42.2], [20.6, 42.3], [20.5, 42.3], [20.5, 42.2]]


def at(town: str, azimuth: float, metres: float) -> tuple[float, float]:
    """The point ``metres`` from a town along ``azimuth`` (geodesic)."""
    lon, lat = TOWNS[town]
    x, y, _ = GEOD.fwd(lon, lat, azimuth, metres)
    return float(x), float(y)


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def track(a: tuple[float, float], b: tuple[float, float], t0: datetime, hours: float) -> list[Any]:
    return [[a[0], a[1], iso(t0)], [b[0], b[1], iso(t0 + timedelta(hours=hours))]]


def last_within(town: str, line: list[Any], radius: float = 2000.0) -> datetime:
    """The last instant a straight two-point track is within ``radius`` metres of a town,
    found by sampling it every 0.1 m with geodesic distances (independent of the engine)."""
    (x0, y0, t0), (x1, y1, t1) = line
    f = np.linspace(0.0, 1.0, 200_001)
    lon, lat = x0 + f * (x1 - x0), y0 + f * (y1 - y0)
    tl = np.full_like(f, TOWNS[town][0])
    tt = np.full_like(f, TOWNS[town][1])
    _, _, d = GEOD.inv(lon, lat, tl, tt)
    last = f[np.flatnonzero(d <= radius)[-1]]
    start, end = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in (t0, t1))
    return start + (end - start) * float(last)


def build(store: Store) -> dict[str, Any]:
    """Three towns, a sector, patrols and reports with known distances; the expected passes."""
    with store.write() as conn:
        add_places(
            conn,
            [
                {"geonames_id": 9000 + i, "name": name, "kind": "town", "lon": lon, "lat": lat}
                for i, (name, (lon, lat)) in enumerate(TOWNS.items())
            ],
        )
    records.add_zone(
        store,
        viewer=ADMIN,
        data={"uid": "sector-test", "mission": "KFOR", "name": "Test sector", "kind": "sector",
              "valid_from": "1999-06-12T00:00:00Z", "label": OPEN,
              "geometry": {"type": "Polygon", "coordinates": [SECTOR]}},
    )  # fmt: skip
    south = at("Alpha", 180, 1500)
    west, _, _ = GEOD.fwd(*south, 270, 4000)
    tracks = {
        # 1.5 km south of Alpha, west to east: inside the radius from before to after it.
        "p-alpha": track(
            (west, south[1]), tuple(GEOD.fwd(*south, 90, 4000)[:2]),
            datetime(1999, 6, 20, 8, tzinfo=UTC), 2,
        ),
        # 2.5 km north of Bravo: never within 2 km.
        "p-bravo-far": track(
            (at("Bravo", 0, 2500)[0] - 0.05, at("Bravo", 0, 2500)[1]),
            (at("Bravo", 0, 2500)[0] + 0.05, at("Bravo", 0, 2500)[1]),
            datetime(1999, 6, 25, 8, tzinfo=UTC), 2,
        ),
        # Through Charlie, before the window.
        "p-charlie-old": track(
            (21.15, 42.9), (21.25, 42.9), datetime(1999, 6, 1, 8, tzinfo=UTC), 2
        ),
        # Across the sector west to east (two points only): it leaves at 3/4 of the way.
        "p-sector": track(
            (20.45, 42.25), (20.65, 42.25), datetime(1999, 6, 22, 10, tzinfo=UTC), 2
        ),
    }  # fmt: skip
    for uid, line in tracks.items():
        records.add_patrol(
            store,
            viewer=ADMIN,
            data={"uid": uid, "mission": "KFOR", "name": uid, "label": PATROL_LABEL,
                  "start": line[0][2], "end": line[1][2], "track": line},
        )  # fmt: skip
    when = "1999-06-18T12:00:00Z"
    rows = [
        report(lon=p[0], lat=p[1], observed_at=when, label=OPEN)
        for p in (at("Alpha", 45, 500), at("Alpha", 300, 900), at("Alpha", 10, 1990))
    ]
    rows.append(report(lon=at("Alpha", 10, 2010)[0], lat=at("Alpha", 10, 2010)[1], label=OPEN,
                       observed_at=when))  # fmt: skip
    rows += [
        report(lon=at("Bravo", 30 * i, 1500)[0], lat=at("Bravo", 30 * i, 1500)[1],
               observed_at=when, label=OPEN if i < 3 else GBR_SECRET)
        for i in range(5)
    ]  # fmt: skip
    rows.append(report(lon=at("Bravo", 200, 2500)[0], lat=at("Bravo", 200, 2500)[1], label=OPEN))
    rows += [
        report(lon=at("Charlie", 90 * i, 800)[0], lat=at("Charlie", 90 * i, 800)[1],
               observed_at=when, label=OPEN)
        for i in range(4)
    ]  # fmt: skip
    rows.append(report(lon=20.55, lat=42.25, observed_at=when, label=OPEN))  # in the sector
    rows.append(report(lon=21.0, lat=42.5, observed_at="1999-07-02T00:00:00Z", label=OPEN))
    summary = Pipeline(store, viewer=ADMIN, mission="KFOR").run((r["id"], r) for r in rows)
    assert summary.accepted == len(rows)
    return {
        "alpha_last": last_within("Alpha", tracks["p-alpha"]),
        "charlie_last": last_within("Charlie", tracks["p-charlie-old"]),
        "sector_last": datetime(1999, 6, 22, 11, 30, tzinfo=UTC),
    }


def by_name(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["properties"]["name"]: f["properties"] for f in body["features"]}


def params(**kw: Any) -> coverage.Params:
    return coverage.Params(mission="KFOR", start=WINDOW[0], end=WINDOW[1], **kw)


def parsed(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_coverage_counts_in_metres_and_finds_the_last_pass(store: Store) -> None:
    expected = build(store)
    with store.read() as conn:
        rows = by_name(coverage.coverage(conn, viewer=ADMIN, params=params()))
    alpha, bravo, charlie = rows["Alpha"], rows["Bravo"], rows["Charlie"]
    # 500, 900 and 1,990 m count; 2,010 m does not (and nothing after the window).
    assert (alpha["incidents"], alpha["patrols"]) == (3, 1)
    assert abs(parsed(alpha["last_patrolled"]) - expected["alpha_last"]) < timedelta(seconds=5)
    # The far patrol passed 2.5 km away: Bravo was never patrolled.
    assert (bravo["incidents"], bravo["patrols"], bravo["last_patrolled"]) == (5, 0, None)
    # Charlie was patrolled before the window: a last patrol, but none in the window.
    assert (charlie["incidents"], charlie["patrols"]) == (4, 0)
    assert abs(parsed(charlie["last_patrolled"]) - expected["charlie_last"]) < timedelta(seconds=5)
    sector = rows["Test sector"]
    assert (sector["kind"], sector["incidents"], sector["patrols"]) == ("sector", 1, 1)
    assert abs(parsed(sector["last_patrolled"]) - expected["sector_last"]) < timedelta(seconds=60)
    # Counts are split by the label of what they count.
    assert {c["label"]: c["incidents"] for c in bravo["counts"]} == {OPEN: 3, GBR_SECRET: 2}
    assert {c["label"]: c["patrols"] for c in alpha["counts"]} == {OPEN: 0, PATROL_LABEL: 1}


def test_gaps_are_ranked_by_an_explained_score(store: Store) -> None:
    expected = build(store)
    with store.read() as conn:
        body = coverage.gaps(conn, viewer=ADMIN, params=params(kinds=("town",)))
    assert [f["properties"]["name"] for f in body["features"]] == ["Bravo", "Charlie", "Alpha"]
    assert [f["properties"]["rank"] for f in body["features"]] == [1, 2, 3]
    rows = by_name(body)
    assert rows["Bravo"]["terms"] == {"incidents": 5.0, "patrols": 0.0, "staleness": 15.0}
    assert rows["Bravo"]["score"] == 20.0
    days = (WINDOW[1] - expected["alpha_last"]).total_seconds() / 86_400
    assert rows["Alpha"]["terms"]["patrols"] == -1.0
    assert rows["Alpha"]["terms"]["staleness"] == pytest.approx(0.5 * days, abs=0.01)
    assert rows["Alpha"]["score"] == pytest.approx(3 - 1 + 0.5 * days, abs=0.02)
    score = rows["Charlie"]["score"]
    assert score == pytest.approx(sum(rows["Charlie"]["terms"].values()), abs=0.01)


def test_a_viewer_gets_counts_only_from_what_they_may_see(store: Store) -> None:
    build(store)
    with store.read() as conn:
        restricted = coverage.gaps(conn, viewer=NR_FRA, params=params(kinds=("town",)))
        with pytest.raises(NotFound):  # the mission itself is not released to partners
            coverage.coverage(conn, viewer=PARTNER, params=params())
        partner = coverage.coverage(
            conn, viewer=PARTNER, params=coverage.Params(start=WINDOW[0], end=WINDOW[1])
        )
    # Without the two GBR SECRET reports Bravo falls below Charlie.
    assert [f["properties"]["name"] for f in restricted["features"]] == [
        "Charlie", "Bravo", "Alpha",
    ]  # fmt: skip
    assert by_name(restricted)["Bravo"]["incidents"] == 3
    assert all(c["label"] != GBR_SECRET for f in restricted["features"]
               for c in f["properties"]["counts"])  # fmt: skip
    # A partner sees none of the reports or patrols, nor the KFOR sector: towns, all zero.
    rows = by_name(partner)
    assert set(rows) == set(TOWNS)
    assert all(r["incidents"] == 0 and r["patrols"] == 0 and not r["counts"] for r in rows.values())


def test_bad_parameters_name_their_field(store: Store) -> None:
    with store.read() as conn, pytest.raises(ValidationFailed) as failed:
        coverage.coverage(conn, viewer=ADMIN, params=params(radius_m=-1, of="rumours"))
    assert {p.field for p in failed.value.problems} == {"radius_m", "of"}


def test_draft_plans_from_the_top_gaps(store: Store) -> None:
    build(store)
    with store.read() as conn:
        ranked = coverage.gaps(conn, viewer=ADMIN, params=params())
        # Bravo counts REL GBR and REL KFOR, NATO records: no audience in common, so the
        # plan goes to the planner's nation only, as high as the highest counted.
        default = draft_plans(conn, viewer=ADMIN, ranked=ranked, top=1)
        assert default[0]["label"] == GBR_SECRET
        with pytest.raises(ValidationFailed) as failed:  # a label below what was counted
            draft_plans(conn, viewer=ADMIN, ranked=ranked, top=1, label=PATROL_LABEL)
        assert [p.field for p in failed.value.problems] == ["label"]
        drafts = draft_plans(conn, viewer=ADMIN, ranked=ranked, top=2, label=GBR_SECRET)
        second = ranked["features"][1]["id"]
        charlie = draft_plans(conn, viewer=ADMIN, ranked=ranked, ids=(second,))
    assert [d["name"] for d in drafts] == ["Coverage gap: Bravo", "Coverage gap: Charlie"]
    assert drafts[0]["label"] == GBR_SECRET
    # Charlie counts KFOR, NATO reports and its last (older) patrol: the most restrictive.
    assert charlie[0]["label"] == PATROL_LABEL
    drafts[1] = charlie[0]
    assert drafts[0]["start"] == "1999-07-02T08:00:00+00:00"
    uids = plan_writer.add_plans(store, viewer=ADMIN, items=drafts)
    with store.read() as conn:
        made = plan_store.list_plans(conn, viewer=ADMIN, status=("draft",))
        seen_by_fra = plan_store.list_plans(conn, viewer=NR_FRA)
    assert [f["id"] for f in made] == uids
    assert made[0]["geometry"]["type"] == "Polygon"
    assert made[0]["properties"]["attributes"]["gap"]["score"] == 20.0
    assert [f["id"] for f in seen_by_fra] == [uids[1]]  # the GBR-only plan is not theirs


def test_schedules_repeat_on_weekdays() -> None:
    start = datetime(1999, 6, 14, 8, tzinfo=UTC)  # a Monday
    got = runs(start, start + timedelta(hours=4), parse_days(["mon", "thu"]), start + timedelta(14))
    assert [r[0].day for r in got] == [14, 17, 21, 24]
    assert overlaps(got, datetime(1999, 6, 17, 11, tzinfo=UTC), None)
    assert not overlaps(got, datetime(1999, 6, 18, 9, tzinfo=UTC), None)
    with pytest.raises(ValueError):
        parse_days(["someday"])


def test_plans_are_matched_to_the_patrols_that_did_them(store: Store) -> None:
    for uid in ("u-1", "u-2"):
        records.add_unit(
            store,
            viewer=ADMIN,
            data={"uid": uid, "mission": "KFOR", "name": uid, "sidc": "10031000001211000000"},
        )
    plan = {
        "mission": "KFOR", "name": "Alpha market", "unit": "u-1",
        "geometry": {"type": "LineString", "coordinates": [[21.0, 42.5], [21.05, 42.5]]},
        "start": "1999-06-14T08:00:00Z", "end": "1999-06-14T12:00:00Z",
        "repeat": {"days": ["mon", "thu"], "until": "1999-06-28T00:00:00Z"},
    }  # fmt: skip
    [uid] = plan_writer.add_plans(store, viewer=ADMIN, items=[plan])
    done = [
        ("done-thu", "u-1", "1999-06-17T09:00:00Z", "1999-06-17T11:00:00Z"),  # a run: matched
        ("other-unit", "u-2", "1999-06-17T09:00:00Z", "1999-06-17T11:00:00Z"),
        ("off-day", "u-1", "1999-06-18T09:00:00Z", "1999-06-18T11:00:00Z"),
    ]
    for pid, unit, start, end in done:
        records.add_patrol(
            store,
            viewer=ADMIN,
            data={"uid": pid, "mission": "KFOR", "name": pid, "unit": unit, "start": start,
                  "end": end, "status": "completed"},
        )  # fmt: skip
    with store.read() as conn:
        [feature] = plan_store.list_plans(conn, viewer=ADMIN, uid=uid)
    props = feature["properties"]
    assert props["kind"] == "route" and props["unit"] == "u-1"
    assert props["repeat"] == {"days": [1, 4], "until": "1999-06-28T00:00:00Z"}
    assert [p["id"] for p in props["patrols"]] == ["done-thu"] and props["done"]


def test_invalid_plans_name_each_field(store: Store) -> None:
    bad = {
        "mission": "KFOR", "name": "", "start": "1999-06-14T12:00:00Z",
        "end": "1999-06-14T08:00:00Z", "geometry": {"type": "Point", "coordinates": [21, 42]},
        "repeat": {"days": ["someday"], "until": "1999-07-01T00:00:00Z"}, "status": "maybe",
    }  # fmt: skip
    with pytest.raises(ValidationFailed) as failed:
        plan_writer.add_plans(store, viewer=ADMIN, items=[bad])
    fields = {p.field for p in failed.value.problems}
    assert fields == {"name", "end", "geometry", "repeat.days", "status"}


def test_the_cli_prints_the_gaps_as_a_user_sees_them(store: Store) -> None:
    from click.testing import CliRunner

    from peacewatch.cli import main
    from tests.conftest import make_user

    build(store)
    make_user(store, "fra.cli", nation="FRA", clearance="NATO RESTRICTED")
    url = store.engine.url.render_as_string(hide_password=False)
    args = ["--database", url, "coverage", "gaps", "--from", "1999-06-15T00:00:00Z",
            "--to", "1999-07-01T00:00:00Z"]  # fmt: skip
    as_fra = CliRunner().invoke(main, [*args, "--as", "fra.cli", "--json"])
    assert as_fra.exit_code == 0, as_fra.output
    names = [f["properties"]["name"] for f in json.loads(as_fra.output)["features"]]
    assert names[:3] == ["Charlie", "Bravo", "Alpha"]
    table = CliRunner().invoke(main, [*args, "--as", "fra.cli"])
    assert table.exit_code == 0 and "Charlie" in table.output and "staleness" in table.output
    bad = CliRunner().invoke(main, [*args[:-1], "June", "--as", "fra.cli"])
    assert bad.exit_code == 2 and "to" in bad.output
    nobody = CliRunner().invoke(main, [*args, "--as", "nobody"])
    assert nobody.exit_code == 2


def test_the_scenario_plans_are_matched_to_its_patrols(sqlite_session_store: Store) -> None:
    from peacewatch.scenarios.loader import load_kosovo1999
    from tests.conftest import empty

    empty(sqlite_session_store)
    result = load_kosovo1999(sqlite_session_store, size="small")
    assert result["modules"]["patrol_plans"] == {"route_plans": 5, "area_plans": 5}
    with sqlite_session_store.read() as conn:
        plans = plan_store.list_plans(conn, viewer=ADMIN)
        ranked = coverage.gaps(conn, viewer=ADMIN, params=coverage.Params(mission="KFOR"))
    routes = [f for f in plans if f["properties"]["kind"] == "route"]
    # Every route plan was made from a generated patrol: that patrol is matched to it.
    assert len(routes) == 5 and all(len(f["properties"]["patrols"]) >= 1 for f in routes)
    assert ranked["features"] and ranked["features"][0]["properties"]["rank"] == 1
    scores = [f["properties"]["score"] for f in ranked["features"]]
    assert scores == sorted(scores, reverse=True)


def test_a_patrol_just_before_the_end_is_not_stale(store: Store) -> None:
    build(store)
    line = track((20.99, 42.5), (21.01, 42.5), WINDOW[1] - timedelta(minutes=3), 0.02)
    records.add_patrol(
        store,
        viewer=ADMIN,
        data={"uid": "late", "mission": "KFOR", "name": "late", "label": PATROL_LABEL,
              "start": line[0][2], "end": line[1][2], "track": line},
    )  # fmt: skip
    with store.read() as conn:
        alpha = by_name(coverage.coverage(conn, viewer=ADMIN, params=params()))["Alpha"]
    assert alpha["patrols"] == 2 and alpha["days_since_patrol"] == 0.0
    assert alpha["terms"]["staleness"] == 0.0  # not the cap of "never patrolled"
