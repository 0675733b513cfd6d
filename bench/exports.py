"""Export benchmark: 10^6 reports written to GeoJSON and to CSV by a separate process,
timed, with its peak resident memory (VmHWM). Appended to BENCHMARKS.md by ``make bench``.

The store is a fresh SQLite file under var/bench/ filled by the scenario generator through
the ingest pipeline (kept for later runs: pass --fresh to rebuild it). Each export runs in a
child process (``--child``) exactly as ``peacewatch export`` does — the label aggregate, then
the keyset pages, then the audit entry — as a NATO SECRET reader who may see everything, and
reports its own VmHWM: the writers must stream in constant memory, so the peak must not grow
with the number of reports. Targets: at most 15 s and 200 MB per export.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 15.0
TARGET_MB = 200.0


def _reader(store: object) -> object:
    """A NATO SECRET reader in every nation and community of the store: sees every report."""
    from peacewatch.domain.labels import Classification, Viewer
    from peacewatch.store.label_filter import known_release_codes

    with store.read() as conn:  # type: ignore[attr-defined]
        codes = known_release_codes(conn)
    return Viewer("bench.exporter", "GBR", Classification.NATO_SECRET, codes)


def child(db: Path, fmt: str, out: Path) -> None:
    """Run one export (in this process) and print its count and VmHWM as JSON."""
    from peacewatch.exports.formats import stream
    from peacewatch.exports.plan import Filters, plan_export
    from peacewatch.store import open_store

    store = open_store(f"sqlite:///{db}", sqlite_cache_mb=16)  # as `peacewatch export`
    plan = plan_export(store, viewer=_reader(store), filters=Filters())  # type: ignore[arg-type]
    with out.open("wb") as f:
        for chunk in stream(plan, fmt):
            f.write(chunk)
    status = Path("/proc/self/status").read_text()
    hwm_kb = int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1])
    print(json.dumps({"count": plan.count, "vmhwm_mb": hwm_kb / 1024, "label": plan.label.marking}))


def build(db: Path, size: int, seed: int) -> float:
    """Fill a fresh SQLite store with ``size`` generated reports; returns the seconds."""
    from peacewatch.ingest.pipeline import Pipeline
    from peacewatch.scenarios.kosovo1999.generator import Generator
    from peacewatch.scenarios.loader import load_history
    from peacewatch.store import open_store
    from peacewatch.store.migrate import upgrade

    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = open_store(f"sqlite:///{db}", sqlite_synchronous="NORMAL")
    upgrade(store)
    viewer = load_history(store)
    t0 = time.perf_counter()
    items = (
        (r["id"], r)
        for batch in Generator.from_size(size, seed=seed).reports(batch_size=1000)
        for r in batch
    )
    summary = Pipeline(store, viewer=viewer, mission="KFOR", batch_size=1000).run(items)
    assert summary.accepted == size, (summary.accepted, summary.rejected[:3])
    store.dispose()
    return time.perf_counter() - t0


def run_export(db: Path, fmt: str) -> dict[str, float]:
    """Time one export in a child process; its count, seconds, peak RSS and file size."""
    out = db.with_suffix(f".export.{fmt}")
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", fmt, "--db", str(db), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"export {fmt} failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(seconds=seconds, file_mb=out.stat().st_size / 2**20)
    out.unlink()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1999)
    parser.add_argument("--fresh", action="store_true", help="rebuild the store")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.db, args.child, args.out)
        return
    sys.path.insert(0, str(Path(__file__).parent))
    from run import machine  # bench/run.py, beside this file: one description of the machine

    db = ROOT / "var" / "bench" / f"exports-{args.size}.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    if args.fresh or not db.is_file():
        print(f"building {db} with {args.size:,} reports …", flush=True)
        print(f"  built in {build(db, args.size, args.seed):.0f} s", flush=True)
    rows = []
    for fmt in ("geojson", "csv"):
        result = run_export(db, fmt)
        ok = result["seconds"] <= TARGET_S and result["vmhwm_mb"] <= TARGET_MB
        print(f"  {fmt}: {result['count']:,} reports in {result['seconds']:.1f} s, "
              f"peak RSS {result['vmhwm_mb']:.0f} MB, {result['file_mb']:.0f} MB "
              f"({'within' if ok else 'OVER'} target)", flush=True)  # fmt: skip
        rows.append((fmt, result, ok))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"\n## {stamp} — exports\n",
        f"{machine()}\n",
        f"{args.size:,} generated reports in SQLite, exported whole by a separate process as a "
        f"NATO SECRET reader (label aggregate, keyset pages of 5,000, audit entry). "
        f"Targets: ≤ {TARGET_S:.0f} s and ≤ {TARGET_MB:.0f} MB peak RSS.\n",
        "| format | reports | seconds | reports/s | peak RSS (VmHWM) | file | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for fmt, r, ok in rows:
        lines.append(
            f"| {fmt} | {r['count']:,} | {r['seconds']:.1f} | {r['count'] / r['seconds']:,.0f} "
            f"| {r['vmhwm_mb']:.0f} MB | {r['file_mb']:.0f} MB | {'met' if ok else 'missed'} |"
        )
    with Path(args.output).open("a") as f:
        f.write("\n".join(lines) + "\n")
    from results import figure, write_result  # bench/results.py, beside this file

    figures = []
    for fmt, r, _ in rows:
        figures += [
            figure(f"{fmt}: whole export", r["seconds"], "s", target=f"≤ {TARGET_S:.0f} s",
                   met=r["seconds"] <= TARGET_S,
                   detail=f"{r['count']:,} reports, {r['count'] / r['seconds']:,.0f}/s, "
                   f"file {r['file_mb']:.0f} MB"),
            figure(f"{fmt}: peak RSS (VmHWM)", r["vmhwm_mb"], "MB",
                   target=f"≤ {TARGET_MB:.0f} MB", met=r["vmhwm_mb"] <= TARGET_MB),
        ]  # fmt: skip
    write_result(
        "exports",
        figures,
        title="Exports",
        setup=f"{args.size:,} generated reports in SQLite, exported whole by a separate process "
        "as a NATO SECRET reader (label aggregate, keyset pages of 5,000, audit entry).",
    )


if __name__ == "__main__":
    main()
