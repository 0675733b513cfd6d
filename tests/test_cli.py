"""The CLI through Click's CliRunner: migrations, ingest summaries, the no-server smoke path."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from peacewatch.cli import main
from peacewatch.store import Store
from tests.helpers import feature_collection, random_reports, report


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def test_db_upgrade_on_a_new_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = CliRunner().invoke(main, ["--database", url, "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "revision 0001" in result.output
    check = CliRunner().invoke(main, ["--database", url, "db", "check"])
    assert check.exit_code == 0 and "ok" in check.output


def test_ingest_file_prints_summary_and_exit_status(store: Store, tmp_path: Path) -> None:
    records = random_reports(20)
    records = [r for r in records if "FRA" not in r["label"]]
    good = tmp_path / "reports.geojson"
    good.write_text(json.dumps(feature_collection(records)))
    env = {"PEACEWATCH_VIEWER_COMMUNITIES": "NATO,KFOR,PARTNER"}
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
    missing = CliRunner().invoke(
        main, ["--database", _url(store), "serve", "--get", "/api/v1/missions/NONE"]
    )
    assert missing.exit_code == 1
