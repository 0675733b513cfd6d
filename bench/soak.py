"""Soak and crash benchmark (``make soak``): idle memory, crash cycles, and a long run under
moderate load watching memory and latency. Writes docs/benchmark-results/soak.json, which
bench/record.py turns into its section of BENCHMARKS.md.

1. Idle memory: ``peacewatch serve`` on a store with the Kosovo scenario (``--idle-size``,
   default medium), its resident memory (VmRSS from /proc) after it has been idle a while.
2. Crash cycles, on SQLite and PostgreSQL (``--backend``): clients post reports while the
   server is killed with SIGKILL after a random 50-400 ms, ``--cycles`` times (default 500);
   then every acknowledged report must be stored exactly once and the integrity checks
   clean (the harness of tests/reliability/test_crash.py).
3. Soak: ``peacewatch serve`` (SQLite, the embedded default) under moderate load for
   ``--hours`` (default 24; ``--minutes`` for a short try): clients posting reports and a
   reader paging through them; every ``--sample-s`` (default 60) the server's RSS and the
   latencies of that minute are sampled; growth is reported as first against last hour
   (first against last quarter for runs under two hours) and as a least-squares slope.

Run: ``.venv/bin/python bench/soak.py --minutes 2 --cycles 20`` for a short try
(``PEACEWATCH_BENCH_RESULTS=DIR`` keeps a trial out of the record).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tests.reliability.harness import (  # noqa: E402
    Clients,
    Server,
    Target,
    check_store,
    crash_cycles,
    prepare,
)

IDLE_TARGET_MB = 150


def idle_memory(size: str, workdir: Path, settle_s: float) -> dict[str, Any]:
    """RSS of a freshly started, idle ``peacewatch serve`` on a store with the scenario."""
    db = workdir / f"idle-{size}.db"
    env = {**os.environ, "PEACEWATCH_DATABASE_URL": f"sqlite:///{db}"}
    t0 = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "peacewatch.cli", "scenario", "load", "--size", size],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    load_s = time.monotonic() - t0
    target = Target(backend="sqlite", url=f"sqlite:///{db}", token="")
    server = Server(target, workdir / "idle.log", mode="exec")
    try:
        start_s = server.start()
        time.sleep(settle_s)
        rss = server.rss_kb() / 1024
        httpx.get(f"{server.url}/healthz", timeout=10)
    finally:
        server.close()
    return {
        "size": size,
        "db_mb": db.stat().st_size / 2**20,
        "load_s": load_s,
        "start_s": start_s,
        "rss_mb": rss,
    }


def crash_run(backend: str, cycles: int, workdir: Path, seed: int) -> dict[str, Any]:
    """``cycles`` SIGKILLs under load on ``backend``; what was lost or broken."""
    target = prepare(backend, workdir)
    server = Server(target, workdir / f"crash-{backend}.log")
    t0 = time.monotonic()
    done = 0
    try:
        server.start()
        with Clients(server.url, target.token, clients=4, seed=seed) as clients:
            for done in crash_cycles(server, cycles, random.Random(seed)):
                if done % 50 == 0:
                    print(f"  {backend}: {done} cycles", flush=True)
            time.sleep(0.5)
        server.kill()
        findings = check_store(target, clients.ledger)
    finally:
        server.close()
        target.drop()
    ledger = clients.ledger
    return {
        "backend": backend,
        "cycles": done,
        "seconds": time.monotonic() - t0,
        "acknowledged": len(ledger.acknowledged),
        "stored": findings.stored,
        "lost": len(findings.lost),
        "duplicated": len(findings.duplicated),
        "phantom": len(findings.phantom),
        "integrity": findings.integrity,
        "errors": ledger.errors[:5],
        "retried": ledger.retried_batches,
        "committed_unacknowledged": ledger.committed_unacknowledged,
        "restart_s": statistics.mean(server.starts[1:] or server.starts),
    }


def soak(seconds: float, sample_s: float, workdir: Path, rate: float) -> dict[str, Any]:
    """Moderate load for ``seconds``; samples of RSS and latency every ``sample_s``."""
    target = prepare("sqlite", workdir)
    server = Server(target, workdir / "soak.log", mode="exec")
    samples: list[dict[str, float]] = []
    reads: list[float] = []
    stop = threading.Event()

    def reader() -> None:
        headers = {"Authorization": f"Bearer {target.token}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
            while not stop.wait(1.0):
                t0 = time.monotonic()
                res = http.get("/api/v1/reports", params={"limit": 200})
                if res.status_code == 200:
                    reads.append(time.monotonic() - t0)

    # Two posting clients; each waits so that together they post ~rate batches a second.
    pause = max(0.0, 2 / rate)
    server.start()
    t_start = time.monotonic()
    read_thread = threading.Thread(target=reader, daemon=True)
    try:
        with Clients(server.url, target.token, clients=2, pause=pause) as clients:
            read_thread.start()
            posted = read = 0
            next_sample = t_start + sample_s
            while time.monotonic() - t_start < seconds:
                time.sleep(max(0.0, min(next_sample, t_start + seconds) - time.monotonic()))
                ledger = clients.ledger
                with ledger.lock:
                    window = ledger.latencies[posted:]
                    posted = len(ledger.latencies)
                window_reads, read = reads[read:], len(reads)
                samples.append(
                    {
                        "t_h": (time.monotonic() - t_start) / 3600,
                        "rss_mb": server.rss_kb() / 1024,
                        "post_p50_ms": _pct(window, 50),
                        "post_p99_ms": _pct(window, 99),
                        "read_p50_ms": _pct(window_reads, 50),
                        "posts": len(window),
                    }
                )
                print(f"  soak {samples[-1]}", flush=True)
                next_sample += sample_s
            stop.set()
        read_thread.join(timeout=30)
        acknowledged = len(clients.ledger.acknowledged)
    finally:
        stop.set()
        server.close()
    findings = check_store(target, clients.ledger)
    return {
        "seconds": time.monotonic() - t_start,
        "samples": samples,
        "acknowledged": acknowledged,
        "lost": len(findings.lost),
        "errors": clients.ledger.errors[:5],
    }


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def _slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys over xs (NaN when it cannot be fitted)."""
    pairs = [(x, y) for x, y in zip(xs, ys, strict=True) if y == y]
    if len(pairs) < 2:
        return float("nan")
    mx = statistics.mean(p[0] for p in pairs)
    my = statistics.mean(p[1] for p in pairs)
    den = sum((x - mx) ** 2 for x, _ in pairs)
    return sum((x - mx) * (y - my) for x, y in pairs) / den if den else float("nan")


def growth(samples: list[dict[str, float]], key: str) -> tuple[float, float, float]:
    """(mean of the first hour, mean of the last hour, slope per hour) of one measure; for
    runs under two hours, the first and last quarter of the samples stand for the hours."""
    if not samples:
        return float("nan"), float("nan"), float("nan")
    total = samples[-1]["t_h"]
    if total >= 2:
        first = [s[key] for s in samples if s["t_h"] <= 1]
        last = [s[key] for s in samples if s["t_h"] > total - 1]
    else:
        quarter = max(1, len(samples) // 4)
        first, last = [s[key] for s in samples[:quarter]], [s[key] for s in samples[-quarter:]]
    first, last = [v for v in first if v == v], [v for v in last if v == v]
    mean = lambda vs: statistics.mean(vs) if vs else float("nan")  # noqa: E731
    return mean(first), mean(last), _slope([s["t_h"] for s in samples], [s[key] for s in samples])


def write_results(results: dict[str, Any], args: argparse.Namespace) -> None:
    """docs/benchmark-results/soak.json (bench/results.py), which bench/record.py turns into
    the section of BENCHMARKS.md."""
    from results import figure, write_result  # bench/results.py, beside this file

    figures = []
    idle = results.get("idle")
    if idle:
        figures.append(
            figure(
                f"idle `peacewatch serve` RSS, {idle['size']} scenario",
                round(idle["rss_mb"]),
                "MB",
                target=f"≤ {IDLE_TARGET_MB} MB",
                met=idle["rss_mb"] <= IDLE_TARGET_MB,
                detail=f"{idle['db_mb']:.0f} MB SQLite store, {args.idle_settle_s:.0f} s after "
                f"start (started in {idle['start_s']:.1f} s)",
            )
        )
    for crash in results.get("crash", []):
        clean = not (crash["lost"] or crash["duplicated"] or crash["phantom"] or crash["integrity"])
        figures.append(
            figure(
                f"acknowledged reports lost across SIGKILL cycles, {crash['backend']}",
                crash["lost"],
                "",
                target="0",
                met=clean,
                detail=f"{crash['cycles']} cycles (kill after 50-400 ms, 4 clients); "
                f"{crash['acknowledged']:,} acknowledged, {crash['duplicated']} duplicated, "
                f"{crash['phantom']} unknown, {len(crash['integrity'])} integrity problems; "
                f"{crash['retried']} batches resent, {crash['committed_unacknowledged']} reports "
                f"stored before their answer was lost; restart {crash['restart_s']:.2f} s, "
                f"{crash['seconds']:.0f} s in all",
            )
        )
    run = results.get("soak")
    if run:
        samples = run["samples"]
        span = "first → last hour" if run["seconds"] >= 7200 else "first → last quarter"
        if run["seconds"] < 3600:  # a trial: the slope extrapolates minutes to an hour
            span += " (a run under an hour: the slope says little)"
        rate = sum(x["posts"] for x in samples) / max(run["seconds"], 1)
        load = f"{run['seconds'] / 3600:.2f} h at {rate:.1f} posts/s (1-5 reports), a read a second"
        for key, name, unit in (
            ("rss_mb", "soak: server RSS", "MB"),
            ("post_p50_ms", "soak: POST p50 latency", "ms"),
            ("read_p50_ms", "soak: GET 200 reports p50 latency", "ms"),
        ):
            first, last, slope = growth(samples, key)
            grew = slope == slope and last > first * 1.1 and slope > 0
            figures.append(
                figure(
                    f"{name}, slope per hour",
                    round(slope, 2) if slope == slope else None,
                    f"{unit}/h",
                    target="no growth",
                    met=not grew,
                    detail=f"{span}: {first:.1f} → {last:.1f} {unit}; {load}",
                )
            )
        figures.append(
            figure(
                "soak: acknowledged reports lost",
                run["lost"],
                "",
                target="0",
                met=run["lost"] == 0,
                detail=f"{run['acknowledged']:,} acknowledged",
            )
        )
    write_result(
        "soak",
        figures,
        title="Soak and crash consistency",
        setup="Idle memory of `peacewatch serve` on the scenario store; SIGKILL cycles under "
        "4 posting clients on SQLite and PostgreSQL + PostGIS, then every acknowledged report "
        "checked and the integrity checks run (SQLite integrity_check and foreign_key_check, "
        "amcheck on PostgreSQL, the audit chain); a soak of `peacewatch serve` on SQLite under "
        "moderate load, its RSS and latencies sampled every "
        f"{args.sample_s:.0f} s.",
        notes=f"Load average at the start: {results['load']}. Crash cycles fork each server "
        "from a process that imported PeaceWatch once (tests/reliability/zygote.py) and run "
        "what `peacewatch serve` runs; the idle and soak servers are `peacewatch serve` "
        "itself. The same 2 cores run the clients.",
    )


def main() -> None:
    """Run the phases asked for and append the section to BENCHMARKS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cycles", type=int, default=500, help="SIGKILL cycles per backend")
    parser.add_argument(
        "--backend", choices=["sqlite", "postgresql", "both"], default="both",
        help="backends for the crash cycles",
    )  # fmt: skip
    parser.add_argument("--hours", type=float, default=24.0, help="soak duration")
    parser.add_argument("--minutes", type=float, default=None, help="soak duration (overrides)")
    parser.add_argument("--sample-s", type=float, default=60.0, help="seconds between samples")
    parser.add_argument("--rate", type=float, default=10.0, help="POSTs a second in the soak")
    parser.add_argument("--idle-size", default="medium", help="scenario for the idle RSS")
    parser.add_argument("--idle-settle-s", type=float, default=30.0)
    parser.add_argument("--skip", action="append", default=[], choices=["idle", "crash", "soak"])
    args = parser.parse_args()
    seconds = args.minutes * 60 if args.minutes is not None else args.hours * 3600
    results: dict[str, Any] = {"load": ", ".join(f"{x:.1f}" for x in os.getloadavg())}
    with tempfile.TemporaryDirectory(prefix="peacewatch-soak-") as tmp:
        work = Path(tmp)
        if "idle" not in args.skip:
            results["idle"] = idle_memory(args.idle_size, work, args.idle_settle_s)
            print(f"idle: {results['idle']}", flush=True)
        if "crash" not in args.skip:
            backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
            results["crash"] = []
            for i, backend in enumerate(backends):
                (work / backend).mkdir()
                results["crash"].append(crash_run(backend, args.cycles, work / backend, 1999 + i))
                print(f"crash: {results['crash'][-1]}", flush=True)
        if "soak" not in args.skip:
            (work / "soak").mkdir()
            results["soak"] = soak(seconds, args.sample_s, work / "soak", args.rate)
    write_results(results, args)
    failed = [c for c in results.get("crash", []) if c["lost"] or c["duplicated"] or c["integrity"]]
    if failed or results.get("soak", {}).get("lost"):
        sys.exit(1)


if __name__ == "__main__":
    main()
