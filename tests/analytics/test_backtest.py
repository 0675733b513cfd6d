"""The back-test on a hand-made planted flare-up, and the ``peacewatch warning`` commands."""

from __future__ import annotations

import json
from datetime import timedelta

from click.testing import CliRunner

from peacewatch.analytics import backtest, tension
from peacewatch.cli import main
from peacewatch.store import Store
from tests.analytics.test_tension import (
    DAYS,
    T0,
    WARNING_DAY,
    WATCH_DAY,
    WRITER,
    _compute,
    load_surge,
)
from tests.conftest import make_user

PLANTED = {"id": "a", "sector": "sector-a", "start": WATCH_DAY, "end": WARNING_DAY}
# sector B never rises: a flare-up there is missed
MISSED = {"id": "b", "sector": "sector-b", "start": WATCH_DAY.isoformat(), "end": WARNING_DAY}


def test_a_planted_flare_up_is_warned_with_its_lead_time(store: Store) -> None:
    load_surge(store)
    result = backtest.evaluate(_compute(store), [PLANTED, MISSED])
    assert result["alerts"] == 1 and result["alerts_right"] == 1
    assert result["precision"] == 1.0
    assert result["judged"] == 2 and result["warned"] == 1 and result["recall"] == 0.5
    first, second = result["per_flare_up"]
    assert first["first_alert"] == WARNING_DAY.isoformat()
    assert first["lead_days"] == -1  # warned the day after it began
    assert first["signals"] == ["incidents"] and first["peak"] == 30.0
    assert second["warned"] is False and second["lead_days"] is None
    assert result["lead_days"] == {"median": -1, "min": -1, "max": -1}


def test_an_alert_outside_every_flare_up_lowers_precision(store: Store) -> None:
    load_surge(store)
    t = _compute(store)
    elsewhere = {"id": "x", "sector": "sector-a", "start": T0 + timedelta(days=2),
                 "end": T0 + timedelta(days=20)}  # fmt: skip
    result = backtest.evaluate(t, [elsewhere])
    assert result["alerts"] == 1 and result["precision"] == 0.0
    assert result["judged"] == 0  # it began before the sector had a baseline
    assert result["recall"] is None
    # watch alerts are tested at the watch threshold, and this one came ahead of its flare-up
    early = {"id": "y", "sector": "sector-a", "start": WARNING_DAY, "end": WARNING_DAY}
    watch = backtest.evaluate(t, [early], level="watch")
    assert watch["threshold"] == tension.WATCH
    assert watch["per_flare_up"][0]["lead_days"] == 1
    assert watch["warned_ahead"] == 1


def test_warning_index_and_backtest_commands(sqlite_store: Store) -> None:
    load_surge(sqlite_store)
    make_user(sqlite_store, "analyst", roles=("analyst",))
    url = str(sqlite_store.engine.url)
    runner = CliRunner()
    window = ["--from", T0.isoformat(), "--to", (T0 + timedelta(days=DAYS)).isoformat()]
    shown = runner.invoke(
        main,
        ["--database", url, "warning", "index", "--as", "analyst", "--sector", "sector-a",
         *window, "--json"],
    )  # fmt: skip
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.output)
    assert [s["sector"] for s in body["sectors"]] == ["sector-a"]
    assert [a["day"] for a in body["alerts"]] == [WATCH_DAY.isoformat()]
    text = runner.invoke(main, ["--database", url, "warning", "index", "--as", "analyst", *window])
    assert text.exit_code == 0 and f"{WARNING_DAY.isoformat()}   30.0 warning" in text.output
    bad = runner.invoke(main, ["--database", url, "warning", "index", "--as", "analyst",
                               "--sector", "nowhere"])  # fmt: skip
    assert bad.exit_code == 2 and "sector: no such sector visible to you" in bad.output
    tested = runner.invoke(main, ["--database", url, "warning", "backtest", "--as", "analyst"])
    assert tested.exit_code == 0, tested.output
    assert "precision" in tested.output and "pristina-1999-06" in tested.output
    assert WRITER.clearance  # the surge was written by a cleared writer
