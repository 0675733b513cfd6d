"""Fusion benchmarks, appended to BENCHMARKS.md by ``make bench``:

- Quality: pairwise precision, recall and F1 of the clustering against generated ground truth
  (fusion/quality.py), the figure the tests hold at >= 0.95.
- Ingest: the scenario's reports through the pipeline into a fresh SQLite store in batches of
  1,000, once plain and once with the fusion hook placing every batch in its transaction.
- Bulk: ``fusion rerun`` over every report of a store holding 10^6 of them (loaded unfused).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import text

from peacewatch.fusion.cluster import assign, group_of
from peacewatch.fusion.engine import attach
from peacewatch.fusion.quality import generate, pairwise
from peacewatch.fusion.rerun import rerun
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.scenarios.kosovo1999.generator import Generator
from peacewatch.scenarios.loader import load_history
from peacewatch.store import Store, open_store
from peacewatch.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]


def fresh(name: str) -> Store:
    """A new migrated SQLite store (durable: synchronous=FULL)."""
    path = ROOT / "var" / "bench" / f"{name}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = open_store(f"sqlite:///{path}", sqlite_synchronous="FULL")
    upgrade(store)
    return store


def quality(events: int, seed: int) -> tuple[int, float, float, float]:
    """Reports generated, and pairwise precision, recall, F1."""
    truth = generate(events, seed=seed)
    group = group_of(np.ones(len(truth.t), dtype=np.int64), truth.family)
    found, _ = assign(truth.t, truth.lon, truth.lat, group)
    return (len(truth.t), *pairwise(truth.event, found))


def ingest(n: int, seed: int, fused: bool, name: str) -> tuple[Store, float, int]:
    """A store holding ``n`` scenario reports, the ingest rate, and the events made."""
    store = fresh(name)
    viewer = load_history(store)
    if fused:
        attach(store)
    items = [(r["id"], r) for batch in Generator(n, seed).reports(batch_size=1000) for r in batch]
    t0 = time.perf_counter()
    summary = Pipeline(store, viewer=viewer, mission="KFOR", batch_size=1000).run(items)
    rate = summary.accepted / (time.perf_counter() - t0)
    with store.read() as conn:
        made = int(conn.execute(text("SELECT count(*) FROM events")).scalar_one())
    return store, rate, made


def main() -> None:
    """Run the benchmarks and append the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ingest", type=int, default=100_000)
    parser.add_argument("--bulk", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1999)
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args()
    reports, precision, recall, f1 = quality(args.events, 5)
    print(f"quality: {reports:,} reports, P {precision:.3f} R {recall:.3f} F1 {f1:.3f}", flush=True)
    rates = {}
    for fused in (False, True):
        store, rates[fused], made = ingest(args.ingest, args.seed, fused, f"fusion_{fused}")
        store.dispose()
        print(f"ingest fused={fused}: {rates[fused]:,.0f}/s, {made:,} events", flush=True)
    store, _, _ = ingest(args.bulk, args.seed, False, "fusion_bulk")
    result = rerun(store, since=None, actor="bench")
    store.dispose()
    print(
        f"bulk: {result.reports:,} reports -> {result.created:,} events in {result.seconds:.1f} s"
    )
    from run import machine  # bench/run.py, beside this file: one description of the machine

    with Path(args.output).open("a") as f:
        f.write(f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — fusion\n\n{machine()}\n\n")
        f.write(
            f"Quality: {reports:,} generated reports of {args.events:,} true events (and "
            f"unrelated reports), pairwise precision {precision:.3f}, recall {recall:.3f}, "
            f"**F1 {f1:.3f}**.\n\n"
            f"Ingest, SQLite, batches of 1,000, {args.ingest:,} scenario reports: "
            f"{rates[False]:,.0f}/s plain, **{rates[True]:,.0f}/s with fusion** "
            f"({rates[True] / rates[False]:.0%}); {made:,} events.\n\n"
            f"Bulk re-run over {result.reports:,} fusable reports (of {args.bulk:,}): "
            f"**{result.seconds:.1f} s**, {result.created:,} events.\n"
        )
    print(f"appended to {args.output}")
    from results import figure, write_result  # bench/results.py, beside this file

    write_result(
        "fusion",
        [
            figure("clustering quality, pairwise F1", f1, "", target="≥ 0.95", met=f1 >= 0.95,
                   detail=f"precision {precision:.3f}, recall {recall:.3f}, {reports:,} reports "
                   f"of {args.events:,} true events"),
            figure("ingest with fusion on, SQLite", rates[True], "reports/s",
                   detail=f"{rates[True] / rates[False]:.0%} of plain ({rates[False]:,.0f}/s), "
                   f"{made:,} events"),
            figure(f"bulk re-run over {result.reports:,} fusable reports", result.seconds, "s",
                   detail=f"{result.created:,} events, of {args.bulk:,} reports"),
        ],
        title="Fusion",
        setup="Quality against generated ground truth (fusion/quality.py); ingest of "
        f"{args.ingest:,} scenario reports into a fresh SQLite store in batches of 1,000, plain "
        "and with the fusion hook; `fusion rerun` over a store of generated reports.",
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
