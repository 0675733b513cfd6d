"""The CLI through Click's CliRunner: migrations, ingest summaries, the no-server smoke path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from peacewatch.cli import main
from peacewatch.store import Store
from peacewatch.store.migrate import head_revision
from tests.conftest import make_user
from tests.helpers import feature_collection, random_reports, report


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def test_db_upgrade_on_a_new_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = CliRunner().invoke(main, ["--database", url, "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"revision {head_revision()}" in result.output
    check = CliRunner().invoke(main, ["--database", url, "db", "check"])
    assert check.exit_code == 0 and "ok" in check.output


def test_ingest_file_prints_summary_and_exit_status(store: Store, tmp_path: Path) -> None:
    records = random_reports(20)
    records = [r for r in records if "FRA" not in r["label"]]
    good = tmp_path / "reports.geojson"
    good.write_text(json.dumps(feature_collection(records)))
    make_user(
        store, "cli.patrol", communities=("NATO", "KFOR", "PARTNER"), roles=("patrol_leader",)
    )
    env = {"PEACEWATCH_AS_USER": "cli.patrol"}
    runner = CliRunner()
    result = runner.invoke(
        main, ["--database", _url(store), "ingest", str(good), "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["accepted"] == len(records)
    again = runner.invoke(main, ["--database", _url(store), "ingest", str(good)], env=env)
    assert again.exit_code == 0
    assert f"accepted 0, duplicates {len(records)}, rejected 0" in again.output

    mixed = tmp_path / "mixed.geojson"
    mixed.write_text(json.dumps(feature_collection([report(), report(lat=91)])))
    result = runner.invoke(main, ["--database", _url(store), "ingest", str(mixed)], env=env)
    assert result.exit_code == 1
    assert "accepted 1, duplicates 0, rejected 1" in result.output
    assert "feature 1" in result.output and "lat: lat 91.0 is outside" in result.output

    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [')
    result = runner.invoke(main, ["--database", _url(store), "ingest", str(broken)], env=env)
    assert result.exit_code == 2
    assert "not valid JSON" in result.output


def test_serve_get_smoke_path(store: Store) -> None:
    result = CliRunner().invoke(main, ["--database", _url(store), "serve", "--get", "/healthz"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["status"] == "ok"
    anonymous = CliRunner().invoke(
        main, ["--database", _url(store), "serve", "--get", "/api/v1/missions"]
    )
    assert anonymous.exit_code == 1 and "unauthenticated" in anonymous.output
    make_user(store, "reader", roles=("partner_liaison",))
    missions = CliRunner().invoke(
        main, ["--database", _url(store), "serve", "--get", "/api/v1/missions", "--as", "reader"]
    )
    assert missions.exit_code == 0, missions.output
    assert [m["code"] for m in json.loads(missions.output)["items"]] == ["KFOR"]
    missing = CliRunner().invoke(
        main,
        ["--database", _url(store), "serve", "--get", "/api/v1/missions/NONE", "--as", "reader"],
    )
    assert missing.exit_code == 1


def test_ingest_needs_a_user_allowed_to_file_reports(store: Store, tmp_path: Path) -> None:
    good = tmp_path / "reports.geojson"
    good.write_text(json.dumps(feature_collection([report()])))
    make_user(store, "liaison", roles=("partner_liaison",))
    args = ["--database", _url(store), "ingest", str(good)]
    result = CliRunner().invoke(main, [*args, "--as", "liaison"])
    assert result.exit_code == 2 and "do not allow reports:write" in result.output
    result = CliRunner().invoke(main, [*args, "--as", "nobody"])
    assert result.exit_code == 2 and "no active user 'nobody'" in result.output


def test_serve_refuses_to_bind_beyond_loopback_without_secure_cookies(store: Store) -> None:
    result = CliRunner().invoke(main, ["--database", _url(store), "serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "PEACEWATCH_COOKIE_SECURE=true" in result.output


def test_serve_refuses_plain_tak_listeners_beyond_loopback(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEACEWATCH_TAK_ENABLED", "true")
    monkeypatch.setenv("PEACEWATCH_TAK_PLAIN_USER", "gbr.patrol")
    monkeypatch.setenv("PEACEWATCH_TAK_HOST", "0.0.0.0")
    result = CliRunner().invoke(main, ["--database", _url(store), "serve"])
    assert result.exit_code == 2, result.output
    assert "PEACEWATCH_TAK_HOST=127.0.0.1" in result.output
    assert "Traceback" not in result.output


def test_ingest_links_a_gpx_file_s_patrols_to_a_unit(store: Store, tmp_path: Path) -> None:
    from sqlalchemy import func, select

    from peacewatch.ingest import records
    from peacewatch.store.tables import patrols, reports, units
    from tests.conftest import ADMIN
    from tests.ingest.test_file_formats import GPX

    records.add_unit(
        store,
        viewer=ADMIN,
        data={"uid": "gbr-1", "mission": "KFOR", "name": "1 Bn", "sidc": "10031000001211000000"},
    )
    make_user(store, "patrol", roles=("patrol_leader",))
    path = tmp_path / "walk.gpx"
    path.write_bytes(GPX)
    runner = CliRunner()
    args = ["--database", _url(store), "ingest", str(path), "--as", "patrol"]
    unknown = runner.invoke(main, [*args, "--unit", "nobody"])
    assert unknown.exit_code == 2 and "unit: unknown unit" in unknown.output
    with store.read() as conn:  # refused before anything was written
        assert conn.execute(select(func.count()).select_from(reports)).scalar_one() == 0
    done = runner.invoke(main, [*args, "--unit", "gbr-1"])
    assert done.exit_code == 1, done.output  # one waypoint is off the map
    with store.read() as conn:
        unit_id = conn.execute(select(units.c.id).where(units.c.uid == "gbr-1")).scalar_one()
        assert conn.execute(select(patrols.c.unit_id)).scalars().all() == [unit_id]
