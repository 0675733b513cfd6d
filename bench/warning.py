"""Early-warning back-test on the medium Kosovo scenario: precision, recall and lead time of the
tension index's warning level against the flare-ups the generator plants, and its runtime.
Appended to BENCHMARKS.md (and docs/benchmark-results/warning.json) by ``make bench``.

The store is the one bench/ops.py keeps (``var/bench/ops_medium.db``, loaded when absent, and
again when it was loaded before the generator planted precursors), or any store holding the
scenario given with ``--database``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import String, cast, select

from ops import VIEWER, scenario_store  # bench/ops.py, beside this file
from peacewatch.analytics import backtest, tension
from peacewatch.scenarios.kosovo1999.catalogue import FLARE_UPS
from peacewatch.store import Store, open_store
from peacewatch.store.tables import reports

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 3


def measure(store: Store) -> tuple[dict[str, object], dict[str, object], list[float]]:
    """(warning-level result, watch-level result, seconds of each computation of the index)."""
    seconds = []
    with store.read() as conn:
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            t = tension.compute(conn, viewer=VIEWER)
            seconds.append(time.perf_counter() - t0)
    return (
        backtest.evaluate(t, FLARE_UPS, level="warning"),
        backtest.evaluate(t, FLARE_UPS, level="watch"),
        seconds,
    )


def has_precursors(store: Store) -> bool:
    """Whether the store's scenario has the flare-ups' precursor phases (a store loaded by an
    older generator has none, and would measure the flare-ups without their build-up)."""
    marked = cast(reports.c.attributes, String).like('%"precursor_of"%')
    with store.read() as conn:
        return conn.execute(select(reports.c.id).where(marked).limit(1)).first() is not None


def _pct(value: object) -> str:
    return "-" if not isinstance(value, float) else f"{100 * value:.0f} %"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default=None, help="a store holding the medium scenario")
    parser.add_argument("--reload", action="store_true", help="load the scenario afresh")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args()
    from results import figure, write_result  # bench/results.py, beside this file
    from run import machine  # bench/run.py, beside this file: one description of the machine

    store = open_store(args.database) if args.database else scenario_store("sqlite", args.reload)
    if not has_precursors(store):
        store.dispose()
        if args.database:
            sys.exit(f"{args.database}: the scenario has no precursors; load it afresh")
        store = scenario_store("sqlite", True)
    try:
        warn, watch, seconds = measure(store)
    finally:
        store.dispose()
    lead = warn["lead_days"]
    assert isinstance(lead, dict)
    median_s, worst_s = statistics.median(seconds), max(seconds)
    rows = [
        ("precision (alerts within 14 days before to the end of a flare-up in its sector)",
         _pct(warn["precision"]), f"{warn['alerts_right']} of {warn['alerts']} alerts"),
        ("recall (flare-ups warned of, of those the index could judge)", _pct(warn["recall"]),
         f"{warn['warned']} of {warn['judged']}; {warn['flare_ups']} planted"),
        ("lead time, median / min / max (days; negative: after the start)",
         f"{lead['median']} / {lead['min']} / {lead['max']}",
         f"{warn['warned_ahead']} warned on or before the first day"),
        ("watch level: precision / recall", f"{_pct(watch['precision'])} / "
         f"{_pct(watch['recall'])}", f"{watch['alerts']} alerts"),
        (f"index of every sector over the year, median / max of {REPEATS}",
         f"{median_s:.2f} / {worst_s:.2f} s", "SQLite, NATO SECRET viewer"),
    ]  # fmt: skip
    per = warn["per_flare_up"]
    precursor_days = {f["id"]: f["precursor_days"] for f in FLARE_UPS}
    assert isinstance(per, list)
    for f in per:
        state = (
            "no baseline yet (starts in the mission's first two weeks)" if not f["judged"]
            else f"first alert {f['first_alert']} ({', '.join(f['signals'][:2])})"
            if f["warned"] else "not warned"
        )  # fmt: skip
        value = f"{f['lead_days']} d" if f["lead_days"] is not None else "-"
        phase = precursor_days[f["id"]]
        rows.append((f"lead time: {f['id']} (from {f['start']}, {phase} d of precursors before; "
                     f"peak {f['peak']})", value, state))  # fmt: skip
    for what, value, detail in rows:
        print(f"{what}: {value} ({detail})")
    setup = (
        "Medium Kosovo scenario (10^5 reports) on SQLite as a NATO SECRET viewer in NATO and KFOR; "
        f"warning at index ≥ {tension.WARNING:g}, watch ≥ {tension.WATCH:g}; an alert is right "
        f"within [start − {backtest.BEFORE_DAYS} d, end] of a planted flare-up in its sector. Each "
        "flare-up is preceded by a synthetic build-up of intimidation and armed men seen in its "
        "sector, ramping up to two to three times the usual daily count on its eve."
    )
    with Path(args.output).open("a") as out:
        out.write(f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — early warning\n\n")
        out.write(f"{machine()}\n\n{setup}\n\n| figure | result | detail |\n|---|---:|---|\n")
        out.write("".join(f"| {w} | {v} | {d} |\n" for w, v, d in rows))
    print(f"appended to {args.output}")
    figures = [
        figure("precision of warnings", warn["precision"], "",  # type: ignore[arg-type]
               detail=f"{warn['alerts_right']} of {warn['alerts']} alerts"),
        figure("recall of warnings", warn["recall"], "",  # type: ignore[arg-type]
               detail=f"{warn['warned']} of {warn['judged']} flare-ups judged"),
        figure("lead time, median", lead["median"], "days",
               detail=f"min {lead['min']}, max {lead['max']}; negative: after the start"),
        figure(f"index, every sector over the year (worst of {REPEATS})", round(worst_s, 3), "s",
               detail=f"median {median_s:.3f} s"),
    ]  # fmt: skip
    write_result("warning", figures, title="Early warning", setup=setup)


if __name__ == "__main__":
    sys.exit(main())
