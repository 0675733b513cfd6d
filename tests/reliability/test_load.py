"""Bounded mixed-traffic load (bench/load.py) against a real ``peacewatch serve`` with the TAK
gateway on: report ingest, map queries, live-feed subscribers and TAK devices at once; no
request may fail and nothing acknowledged may be lost. And the benchmark record
(bench/results.py, bench/record.py) built from result files."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import load  # noqa: E402 - bench/load.py
import record  # noqa: E402 - bench/record.py
import results  # noqa: E402 - bench/results.py


def test_mixed_traffic_loses_nothing_and_fails_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sizes = load.Sizes(
        ingest=3, map=3, sse=3, cot=3, seconds=20.0, ingest_rate=4.0, map_rate=1.0,
        cot_rate=2.0, drain=30.0, scenario=False,
    )  # fmt: skip
    r = load.run(tmp_path, sizes)
    with capsys.disabled():
        print("\n" + load.describe(r))
    for name, kind in r["kinds"].items():
        assert kind["failures"] == 0, (name, kind["first_failures"])
        assert kind["count"] > 0 and kind["samples"] > 0, (name, kind)
    assert r["acknowledged"] >= 20  # the ingest clients did run for the whole 20 s
    assert r["positions_sent"] >= 3 * 2 * 15
    assert r["loss"] == {
        "reports_missing_in_store": 0,
        "reports_stored_twice": 0,
        "reports_missing_at_subscribers": 0,
        "positions_missing_in_store": 0,
        "positions_missing_at_devices": 0,
    }
    # every subscriber got every acknowledged report; every device every other's positions
    assert r["kinds"]["sse"]["count"] >= 3 * r["acknowledged"]
    assert r["sse_positions"] >= 3 * r["positions_sent"]


def test_loss_is_counted_when_a_report_is_missing() -> None:
    """The checks can fail: a report acknowledged but absent, stored twice, or not at a
    subscriber; a position not stored or not relayed."""
    run = load.Load("http://127.0.0.1:9", 9, {load.PATROL: "x", load.WATCH: "y"}, load.Sizes())
    run.acked = {"a": 0.0, "b": 0.0, "c": 0.0}
    run.seen = [{"a": 1.0, "b": 1.0, "c": 1.0}, {"a": 1.0, "b": 1.0}]
    run.sent = {("LOAD-0", "t1"): (0, 0.0), ("LOAD-1", "t2"): (1, 0.0)}
    run.got = [{("LOAD-1", "t2")}, set()]
    run.traffic_s = 1.0
    assert not run.complete()
    r = load.summary(run, {"a": 1, "b": 2}, {"LOAD-0": 1}, cpu=0.0, prepared_s=0.0)
    assert r["loss"] == {
        "reports_missing_in_store": 1,
        "reports_stored_twice": 1,
        "reports_missing_at_subscribers": 1,
        "positions_missing_in_store": 1,
        "positions_missing_at_devices": 1,
    }
    assert r["lost"] == 5


def _sample(directory: Path) -> None:
    results.write_result(
        "tak",
        [
            results.figure(
                "sustained positions stored", 17472.4, "/s", target="≥ 20,000/s", met=False
            ),
            results.figure("connections held", 2000, "", target="2,000", met=True),
        ],
        setup="A sample setup.",
        peers=[
            results.peer(
                "relay",
                "events/s",
                ours=("PeaceWatch", 997.0),
                theirs=("FreeTAKServer 2.2.1", 32.5),
            ),
            results.peer(
                "query p50",
                "ms",
                ours=("SQLite", 2.0),
                theirs=("PostGIS", 1.0),
                higher_is_better=False,
            ),
        ],
        date=datetime(2026, 11, 30, 5, 25, tzinfo=UTC),
        machine_line="a test machine",
        directory=directory,
    )


def test_write_result_refuses_a_figure_without_its_target() -> None:
    with pytest.raises(ValueError, match="target"):
        results.write_result("x", [{"name": "n", "value": 1, "unit": "", "met": None}])


def test_record_rewrites_benchmarks_and_keeps_the_history(tmp_path: Path) -> None:
    _sample(tmp_path / "results")
    doc: dict[str, Any] = json.loads((tmp_path / "results" / "tak.json").read_text())
    assert doc["figures"][0]["met"] is False and doc["peers"][0]["ratio"] == pytest.approx(
        30.68, 0.01
    )
    output, history = tmp_path / "BENCHMARKS.md", tmp_path / "history.md"
    output.write_text(
        "# Benchmarks\n\nAppended by `make bench`.\n\n"
        "## 2026-11-30 04:03 UTC — TAK gateway\n\nold tak figures\n\n"
        "## 2026-11-30 04:55 UTC — mission modules\n\nold ops figures\n"
    )
    text = record.rewrite(output, history, tmp_path / "results")
    kept = history.read_text()
    assert "old tak figures" in kept and "old ops figures" in kept
    assert "| sustained positions stored | 17,472/s | ≥ 20,000/s | **missed** |" in text
    assert "| connections held | 2,000 | 2,000 | met |" in text
    assert "**30.7×** in favour of PeaceWatch" in text
    assert "**2.0×** in favour of PostGIS" in text
    assert "a test machine" in text
    # the TAK section has a result file now; the mission modules' old one is shown as written
    assert "old tak figures" not in text and "old ops figures" in text
    # a script appending the old way: its section moves to the history on the next rewrite
    with output.open("a") as f:
        f.write("\n## 2026-11-30 06:00 UTC — convoy warnings\n\nnew warning figures\n")
    text = record.rewrite(output, history, tmp_path / "results")
    assert "new warning figures" in history.read_text()
    assert text.count("new warning figures") == 1 and text.endswith(record.MARKER + "\n")
    assert history.read_text().count("old tak figures") == 1  # moved once, never twice
