"""Mission-module benchmarks on the medium Kosovo scenario: each module adds one measurement
function to ``MEASUREMENTS``. Appended to BENCHMARKS.md by ``make bench``.

The store is loaded once per backend (``var/bench/ops_medium.db`` on SQLite, database
``peacewatch_bench_ops_medium`` on PostgreSQL) through the scenario loader, as
``peacewatch scenario load --size medium`` does, and kept for later runs (``--reload`` to
start again). Target of issue 8: coverage (and route risk) for the medium scenario in ≤ 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from peacewatch.domain.labels import Classification, Viewer
from peacewatch.store import Store

ROOT = Path(__file__).resolve().parents[1]
VIEWER = Viewer("bench", "GBR", Classification.NATO_SECRET, frozenset({"NATO", "KFOR"}))
REPEATS = 5


def scenario_store(backend: str, reload: bool) -> Store:
    """The medium scenario in a store of ``backend``, loaded when absent (or ``reload``)."""
    from peacewatch.compliance.judge import attach
    from peacewatch.fusion.engine import attach as attach_fusion
    from peacewatch.scenarios.loader import load_kosovo1999
    from peacewatch.store import open_store
    from peacewatch.store.migrate import upgrade
    from peacewatch.store.reference import mission_id
    from run import fresh_store  # bench/run.py, beside this file

    if not reload:
        try:
            if backend == "sqlite":
                path = ROOT / "var" / "bench" / "ops_medium.db"
                store = open_store(f"sqlite:///{path}") if path.is_file() else None
            else:
                from run import existing_store

                store = existing_store(backend, "ops_medium")
            if store is not None:
                upgrade(store)
                with store.read() as conn:
                    if mission_id(conn, "KFOR") is not None:
                        return store
                store.dispose()
        except (OSError, SQLAlchemyError, SystemExit):  # absent: load it afresh below
            pass
    store = fresh_store(backend, "ops_medium")
    attach(store)  # as `peacewatch scenario load` does: judged and fused as written
    attach_fusion(store)
    t0 = time.perf_counter()
    load_kosovo1999(store, size="medium")
    print(f"  {backend}: medium scenario loaded in {time.perf_counter() - t0:.0f} s", flush=True)
    return store


def analyzed(store: Store) -> Store:
    """The store with its planner statistics current, as autovacuum leaves a loaded database
    within a minute (a fresh load has none: PostgreSQL then plans patrols x tracks as a
    nested loop over 5,000 rows it believes are 15)."""
    if store.backend == "postgresql":
        with store.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return store


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(median, max) seconds of ``REPEATS`` runs, after one warm-up run."""
    fn()
    runs = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), max(runs)


def measure_coverage(store: Store) -> list[tuple[str, float, float, str]]:
    """Coverage of every town, zone and sector: the default 30 days and the whole year."""
    from peacewatch.ops import coverage

    year = coverage.Params(
        mission="KFOR",
        start=datetime(1999, 6, 12, tzinfo=UTC),
        end=datetime(1999, 6, 12, tzinfo=UTC) + timedelta(days=366),
    )
    out = []
    for name, params in (("30 days", coverage.Params(mission="KFOR")), ("one year", year)):

        def run(params: coverage.Params = params) -> object:
            with store.read() as conn:
                return coverage.gaps(conn, viewer=VIEWER, params=params)

        median, worst = timed(run)
        body = run()
        assert isinstance(body, dict)
        detail = f"{len(body['features'])} gaps of {body['total']} places with incidents"
        out.append((f"coverage gaps, {name}", median, worst, detail))
    return out


CONVOY_UNDER_WAY = "unhcr-99-0802-decan"  # the scenario's convoy under way (Pejë - Deçan)
CONVOY_AT = datetime(1999, 8, 2, 12, tzinfo=UTC)
LATENCY = "report near a convoy → warning"  # its target is 1 s, not 2


def measure_convoys(store: Store) -> list[tuple[str, float, float, str]]:
    """Route risk of every scenario convoy (the list, each scored) and of the longest route;
    then the time from a report filed about 300 m from the convoy under way to its warning: the
    report's write (judged, fused and alerted in its transaction) plus the risk read that
    shows it. Each run files one more report (observed 1999-08-02, titled 'bench'): a kept
    store gains a few per run."""
    import uuid

    from peacewatch.compliance.judge import attach
    from peacewatch.fusion.engine import attach as attach_fusion
    from peacewatch.ingest.pipeline import Pipeline
    from peacewatch.ops import convoys

    out = []

    def listed() -> object:
        return convoys.list_convoys(store, viewer=VIEWER, mission="KFOR", at=CONVOY_AT)

    median, worst = timed(listed)
    body = listed()
    assert isinstance(body, dict)
    detail = f"{len(body['features'])} convoys scored"
    out.append(("route risk, every convoy listed", median, worst, detail))

    longest = "wfp-99-0714-gjakova"  # Prizren - Orahovac - Gjakovë, ~45 km

    def one() -> dict[str, object]:
        return convoys.route_risk_of(store, viewer=VIEWER, uid=longest)

    median, worst = timed(one)
    risk = one()
    detail = f"{len(risk['features'])} km, {len(risk['contributions'])} contributions"  # type: ignore[arg-type]
    out.append(("route risk, one route", median, worst, detail))

    attach(store)  # as the app does: judged, fused, then convoys under way alerted
    attach_fusion(store)
    convoys.attach(store)
    at = datetime(1999, 8, 2, 23, 0, tzinfo=UTC)
    pipeline = Pipeline(store, viewer=VIEWER, mission="KFOR")
    runs = []
    for n in range(REPEATS + 1):
        record = {
            "id": str(uuid.uuid4()), "kind": "armed_clash", "lon": 20.2919, "lat": 42.60,
            "observed_at": (at - timedelta(minutes=30 + n)).isoformat(), "grade": "B2",
            "title": "bench: shots near the convoy's road",
            "label": "NATO RESTRICTED REL TO KFOR, NATO",
        }  # fmt: skip
        t0 = time.perf_counter()
        assert pipeline.run([(record["id"], record)]).accepted == 1
        risk = convoys.route_risk_of(store, viewer=VIEWER, uid=CONVOY_UNDER_WAY, at=at)
        elapsed = time.perf_counter() - t0
        warning = risk["warning"]
        assert isinstance(warning, dict) and warning["risen"], warning
        alerts = convoys.get_convoy(store, viewer=VIEWER, uid=CONVOY_UNDER_WAY)["alerts"]
        assert any(a["report"] == record["id"] for a in alerts)
        if n:  # the first is the warm-up
            runs.append(elapsed)
    detail = "report write (judge, fuse, alert) + risk read; target ≤ 1 s"
    out.append((LATENCY, statistics.median(runs), max(runs), detail))
    return out


# (name, function) of each module's measurement, in the order they run.
MEASUREMENTS: list[tuple[str, Callable[[Store], list[tuple[str, float, float, str]]]]] = [
    ("coverage", measure_coverage),
    ("convoys", measure_convoys),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--reload", action="store_true", help="load the scenario afresh")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args()
    rows = []
    from results import figure, write_result  # bench/results.py, beside this file

    figures = []
    for backend in args.backends.split(","):
        store = analyzed(scenario_store(backend, args.reload))
        for _, measure in MEASUREMENTS:
            for what, median, worst, detail in measure(store):
                print(f"{backend}: {what}: {median:.3f} s median, {worst:.3f} s max ({detail})")
                limit = 1.0 if what == LATENCY else 2.0
                verdict = "met" if worst <= limit else "**missed**"
                figures.append(
                    figure(f"{backend}: {what} (worst of {REPEATS})", worst, "s",
                           target=f"≤ {limit:.0f} s", met=worst <= limit,
                           detail=f"median {median:.3f} s; {detail}")
                )  # fmt: skip
                rows.append(
                    f"| {backend} | {what} | {median:.3f} | {worst:.3f} | {verdict} | {detail} |"
                )
        store.dispose()
    from run import machine  # bench/run.py, beside this file: one description of the machine

    with Path(args.output).open("a") as f:
        f.write(f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — mission modules\n\n")
        f.write(
            f"{machine()}\n\nMedium Kosovo scenario (10^5 reports), as a NATO SECRET viewer in "
            f"NATO and KFOR; median and worst of {REPEATS} runs after a warm-up; target ≤ 2 s.\n\n"
            "| backend | measurement | median s | max s | target | what |\n"
            "|---|---|---:|---:|---|---|\n" + "\n".join(rows) + "\n"
        )
    print(f"appended to {args.output}")
    write_result(
        "ops",
        figures,
        title="Mission modules",
        setup="Medium Kosovo scenario (10^5 reports) as a NATO SECRET viewer in NATO and KFOR; "
        f"median and worst of {REPEATS} runs after a warm-up; PostgreSQL analysed first.",
    )


if __name__ == "__main__":
    sys.exit(main())
