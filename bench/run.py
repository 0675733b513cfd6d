"""Benchmarks: durable ingest throughput and bbox + time query latency, SQLite and PostGIS.

Run with ``make bench`` (``BENCH_ARGS="--sizes medium"`` for a shorter run). Each size gets a
fresh database per backend: the Kosovo 1999 history, then the generated reports through the
same ingest pipeline every input takes (batches of 1,000, one transaction each, SQLite with
``synchronous=FULL`` so every acknowledged batch is on disk), then random 10 km x 10 km,
24-hour queries as a NATO SECRET viewer in NATO and KFOR. Results are appended to
BENCHMARKS.md with the date and the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import true

from peacewatch.domain.labels import Classification, Viewer
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.scenarios.kosovo1999.generator import SIZES, Generator
from peacewatch.scenarios.loader import load_history
from peacewatch.store import Store, open_store
from peacewatch.store.migrate import upgrade
from peacewatch.store.reports import list_reports

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get(
    "PEACEWATCH_BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
VIEWER = Viewer("bench", "GBR", Classification.NATO_SECRET, frozenset({"NATO", "KFOR"}))
START = datetime(1999, 6, 12, tzinfo=UTC)
SPAN_DAYS = 364
QUERIES = 500


def fresh_store(backend: str, size: str) -> Store:
    """An empty, migrated store for one run."""
    if backend == "sqlite":
        path = ROOT / "var" / "bench" / f"{size}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        store = open_store(f"sqlite:///{path}", sqlite_synchronous="FULL")
    else:
        name = f"peacewatch_bench_{size}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        store = open_store(PG_ADMIN.rsplit("/", 1)[0] + "/" + name)
    upgrade(store)
    return store


def existing_store(backend: str, size: str) -> Store:
    """The store a previous full run left for this size."""
    if backend == "sqlite":
        path = ROOT / "var" / "bench" / f"{size}.db"
        if not path.is_file():
            raise SystemExit(f"{path} is missing: run without --query-only first")
        return open_store(f"sqlite:///{path}")
    return open_store(PG_ADMIN.rsplit("/", 1)[0] + f"/peacewatch_bench_{size}")


class Timed:
    """Wraps the generator so its own time is not counted as ingest time."""

    def __init__(self, source: Iterator[list[dict[str, Any]]]) -> None:
        self.source = source
        self.seconds = 0.0

    def __iter__(self) -> Iterator[tuple[str, dict[str, Any]]]:
        while True:
            t = time.perf_counter()
            batch = next(self.source, None)
            self.seconds += time.perf_counter() - t
            if batch is None:
                return
            for record in batch:
                yield record["id"], record


def ingest(store: Store, size: str, seed: int) -> dict[str, float]:
    """Load the history, then time the reports through the pipeline."""
    viewer = load_history(store)
    pipeline = Pipeline(store, viewer=viewer, mission="KFOR", batch_size=1000)
    source = Timed(Generator.from_size(size, seed=seed).reports(batch_size=1000))
    last = [time.perf_counter()]

    def progress(summary: Any) -> None:
        if summary.seen % 1_000_000 == 0:
            now = time.perf_counter()
            print(f"    {summary.seen:>10,} reports ({now - last[0]:.0f} s for the last million)")
            last[0] = now

    t0 = time.perf_counter()
    summary = pipeline.run(source, progress=progress)
    wall = time.perf_counter() - t0
    assert not summary.rejected, summary.rejected[:3]
    pipeline_s = wall - source.seconds
    return {
        "reports": summary.accepted,
        "wall_s": wall,
        "generator_s": source.seconds,
        "rate": summary.accepted / pipeline_s,
    }


def _boxes(seed: int) -> list[tuple[tuple[float, float, float, float], datetime]]:
    rng = random.Random(seed)
    out = []
    for _ in range(QUERIES):
        lon = rng.uniform(20.2, 21.6)
        lat = rng.uniform(42.0, 43.1)
        day = START + timedelta(days=rng.uniform(0, SPAN_DAYS - 1))
        out.append(((lon, lat, lon + 0.122, lat + 0.09), day))  # ~10 km x 10 km at 42.5 N
    return out


def queries(store: Store, seed: int) -> dict[str, float]:
    """Random 10 km x 10 km, 24 h bbox + time queries; latency percentiles in ms.

    Steady state, as a running server sees it: the whole set runs once to warm the caches
    (the large store is ~11 GB), then once measured. Each query ends with the response body
    the API sends.
    """
    boxes = _boxes(seed)
    latencies: list[float] = []
    returned: list[int] = []
    with store.read() as conn:
        for measured in (False, True):
            for bbox, day in boxes:
                t = time.perf_counter()
                page = list_reports(conn, viewer=VIEWER, bbox=bbox, start=day,
                                    end=day + timedelta(days=1), limit=1000)  # fmt: skip
                page.collection_bytes()
                elapsed = time.perf_counter() - t
                if measured:
                    latencies.append(elapsed * 1000)
                    returned.append(len(page.feature_json))
    latencies.sort()
    return {
        "p50_ms": statistics.median(latencies),
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1],
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
        "mean_ms": statistics.fmean(latencies),
        "mean_features": statistics.fmean(returned),
        "max_features": max(returned),
    }


def unfiltered(store: Store, seed: int) -> dict[str, float]:
    """The same queries with the label filter replaced by TRUE, to price the filter.

    Only the benchmark does this (by patching the module it measures); no read path of the
    product can run without the filter.
    """
    import peacewatch.store.reports as module

    original = module.visible
    module.visible = lambda table, viewer, **_: true()  # type: ignore[assignment]
    try:
        return queries(store, seed)
    finally:
        module.visible = original


def machine() -> str:
    """One line describing the machine."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    with psycopg.connect(PG_ADMIN) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        postgis = conn.execute(
            "SELECT default_version FROM pg_available_extensions WHERE name = 'postgis'"
        ).fetchone()
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; "
        f"SQLite {sqlite3.sqlite_version}; "
        f"PostgreSQL {pg} with PostGIS {postgis[0] if postgis else '?'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes", default="medium,large", help="comma-separated: " + ",".join(SIZES)
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=1999)
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument(
        "--query-only",
        action="store_true",
        help="measure queries on the stores a previous run left (var/bench, peacewatch_bench_*)",
    )
    args = parser.parse_args()
    rows: list[str] = []
    measured: list[tuple[str, str, dict[str, float], dict[str, float], float]] = []
    for size in args.sizes.split(","):
        for backend in args.backends.split(","):
            print(f"== {size} on {backend}", flush=True)
            if args.query_only:
                store = existing_store(backend, size)
                ing = {"reports": SIZES[size], "rate": float("nan")}
            else:
                store = fresh_store(backend, size)
                ing = ingest(store, size, args.seed)
                print(f"   ingest {ing['reports']:,} reports at {ing['rate']:,.0f}/s", flush=True)
            q = queries(store, args.seed)
            print(f"   query p50 {q['p50_ms']:.2f} ms p95 {q['p95_ms']:.2f} ms", flush=True)
            u = unfiltered(store, args.seed)
            cost = (q["mean_ms"] / u["mean_ms"] - 1) * 100
            print(f"   unfiltered p50 {u['p50_ms']:.2f} ms p95 {u['p95_ms']:.2f} ms; "
                  f"label filter {cost:+.1f}% on the mean", flush=True)  # fmt: skip
            store.dispose()
            measured.append((size, backend, ing, q, cost))
            rate = "(not run)" if args.query_only else f"{ing['rate']:,.0f}"
            rows.append(
                f"| {size} | {backend} | {ing['reports']:,} | {rate} | "
                f"{q['p50_ms']:.2f} | {q['p95_ms']:.2f} | {q['p99_ms']:.2f} | "
                f"{q['mean_features']:.0f} / {q['max_features']} | "
                f"{u['p50_ms']:.2f} / {u['p95_ms']:.2f} | {cost:+.1f}% |"
            )
    out = Path(args.output)
    header = (
        ""
        if out.exists()
        else (
            "# Benchmarks\n\nAppended by `make bench` (bench/run.py); newest last. "
            "Ingest is durable "
            "(one transaction per batch of 1,000; SQLite `synchronous=FULL`) and excludes the "
            "time the generator takes. Queries: 500 random 10 km x 10 km boxes over 24 hours, as a "
            "NATO SECRET viewer in NATO and KFOR, at most 1,000 features each.\n"
        )
    )
    with out.open("a") as f:
        f.write(header)
        f.write(f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n{machine()}\n\n")
        f.write(
            "| size | backend | reports | ingest reports/s | query p50 ms | p95 ms | p99 ms | "
            "features mean / max | unfiltered p50 / p95 ms | label filter cost (mean) |\n"
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        )
        f.write("\n".join(rows) + "\n")
    print(f"appended to {out}")
    write_results(measured)


def write_results(
    measured: list[tuple[str, str, dict[str, float], dict[str, float], float]],
) -> None:
    """docs/benchmark-results/ingest_query.json (bench/results.py), with SQLite and PostgreSQL +
    PostGIS side by side for each size."""
    from results import figure, peer, write_result  # bench/results.py, beside this file

    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL + PostGIS"}
    figures, by = [], {}
    for size, backend, ing, q, cost in measured:
        by[size, backend] = (ing, q)
        what = f"{size} ({ing['reports']:,} reports), {names[backend]}"
        figures += [
            figure(f"{what}: durable ingest", ing["rate"], "reports/s"),
            figure(f"{what}: query p50 / p95 / p99",
                   f"{q['p50_ms']:.2f} / {q['p95_ms']:.2f} / {q['p99_ms']:.2f}", "ms",
                   detail=f"features mean {q['mean_features']:.0f}, max {q['max_features']}"),
            figure(f"{what}: label filter cost on the mean query", f"{cost:+.1f}%", ""),
        ]  # fmt: skip
    peers = []
    for size in dict.fromkeys(size for size, *_ in measured):
        if (size, "sqlite") in by and (size, "postgresql") in by:
            (i_s, q_s), (i_p, q_p) = by[size, "sqlite"], by[size, "postgresql"]
            peers += [
                peer(f"{size}: durable ingest", "reports/s", ours=("SQLite", i_s["rate"]),
                     theirs=("PostgreSQL + PostGIS", i_p["rate"])),
                peer(f"{size}: query p50", "ms", ours=("SQLite", q_s["p50_ms"]),
                     theirs=("PostgreSQL + PostGIS", q_p["p50_ms"]), higher_is_better=False),
                peer(f"{size}: query p95", "ms", ours=("SQLite", q_s["p95_ms"]),
                     theirs=("PostgreSQL + PostGIS", q_p["p95_ms"]), higher_is_better=False),
            ]  # fmt: skip
    write_result(
        "ingest_query",
        figures,
        title="Ingest and map queries",
        setup="Ingest: the scenario generator's reports through the pipeline in batches of "
        "1,000, one transaction each (SQLite `synchronous=FULL`), generator time excluded. "
        f"Queries: {QUERIES} random 10 km x 10 km boxes over 24 hours as a NATO SECRET viewer "
        "in NATO and KFOR, at most 1,000 features each, in steady state. The label filter's "
        "cost: the mean against the same queries with the filter replaced by TRUE.",
        peers=peers,
    )


if __name__ == "__main__":
    sys.exit(main())
