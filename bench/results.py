"""Benchmark results as JSON, the one source bench/record.py turns into BENCHMARKS.md.

Every bench script ends by calling :func:`write_result`, which writes
``docs/benchmark-results/<name>.json`` (the newest run of that benchmark replaces the last
one; ``PEACEWATCH_BENCH_RESULTS=DIR`` writes a trial run's results to DIR instead):

    from results import figure, peer, write_result  # bench/results.py, beside the script

    write_result(
        "warning",                                  # file name and key in the record
        [
            figure("report → warning, p95", 0.41, "s", target="≤ 1 s", met=0.41 <= 1.0),
            figure("warnings raised", 120, "", detail="of 120 reports near a convoy"),
        ],
        title="Convoy warnings",                    # heading of its table in the record
        setup="Medium scenario on SQLite, …",       # one paragraph: what was run, how
        peers=[peer("relay", "events/s", ours=("PeaceWatch", 997.0),
                    theirs=("FreeTAKServer 2.2.1", 32.5))],
        notes="Anything a reader should know about this run.",
    )

A figure is a dict ``{name, value, unit, target, met, detail}``: ``value`` a number (or a
string such as "not run"), ``target`` how the issue states it ("≥ 20,000/s", or None when
the figure has none), ``met`` True/False (None without a target). A peer comparison puts the
same measure of PeaceWatch and of another system side by side with their ratio, oriented so
that a ratio above 1 means the first one ("ours") is better. Then ``make bench`` (or
``.venv/bin/python bench/record.py`` alone) rewrites BENCHMARKS.md from every result file.

A new benchmark shows up in the record by its result file alone; add a line to ``AREAS`` in
bench/record.py to give it its place, script and description in the record's index, and a
line to the Makefile's ``bench`` target so that ``make bench`` runs it.

Scripts that still append a section to BENCHMARKS.md the old way lose nothing: bench/record.py
moves such sections to docs/benchmark-history.md and, while a benchmark has no result file,
shows its newest section in the record as written.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Kept with the sources (var/ is not): a run of one benchmark on a fresh clone rewrites the
# record without losing the others. PEACEWATCH_BENCH_RESULTS puts a trial run's results
# elsewhere, out of the record.
RESULTS = Path(os.environ.get("PEACEWATCH_BENCH_RESULTS") or ROOT / "docs" / "benchmark-results")
PG_ADMIN = os.environ.get(
    "PEACEWATCH_BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def figure(
    name: str,
    value: float | int | str | None,
    unit: str = "",
    *,
    target: str | None = None,
    met: bool | None = None,
    detail: str = "",
) -> dict[str, Any]:
    """One measured figure, with its target and whether it was met."""
    if isinstance(value, float) and value != value:  # NaN: JSON has none
        value = None
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "target": target,
        "met": None if target is None else met,
        "detail": detail,
    }


def peer(
    measure: str,
    unit: str,
    *,
    ours: tuple[str, float | None],
    theirs: tuple[str, float | None],
    higher_is_better: bool = True,
    note: str = "",
) -> dict[str, Any]:
    """The same measure on two systems side by side; ``ratio`` > 1 means ``ours`` is better."""
    a, b = ours[1], theirs[1]
    a = None if a is None or a != a else a  # NaN (not measured) is null in JSON
    b = None if b is None or b != b else b
    ratio: float | None = None
    if a is not None and b is not None and a > 0 and b > 0:
        ratio = a / b if higher_is_better else b / a
    return {
        "measure": measure,
        "unit": unit,
        "ours": ours[0],
        "ours_value": a,
        "theirs": theirs[0],
        "theirs_value": b,
        "higher_is_better": higher_is_better,
        "ratio": ratio,
        "note": note,
    }


def machine() -> str:
    """One line describing the machine (and the PostgreSQL server, when it answers)."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    line = (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; "
        f"SQLite {sqlite3.sqlite_version}"
    )
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3) as conn:
            pg = conn.execute("SHOW server_version").fetchone()
            postgis = conn.execute(
                "SELECT default_version FROM pg_available_extensions WHERE name = 'postgis'"
            ).fetchone()
    except Exception:  # the description must not fail a benchmark
        return line + "; PostgreSQL not reachable"
    return (
        f"{line}; PostgreSQL {pg[0] if pg else '?'} with PostGIS {postgis[0] if postgis else '?'}"
    )


def write_result(
    name: str,
    figures: list[dict[str, Any]],
    *,
    title: str | None = None,
    setup: str = "",
    peers: list[dict[str, Any]] | None = None,
    notes: str = "",
    date: datetime | None = None,
    machine_line: str | None = None,
    directory: Path | None = None,
) -> Path:
    """Write ``<directory>/<name>.json`` (default docs/benchmark-results/); return its path."""
    for f in figures:
        missing = {"name", "value", "unit", "target", "met"} - f.keys()
        if missing:
            raise ValueError(f"figure {f.get('name')!r} lacks {sorted(missing)}")
    out_dir = directory or RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    when = (date or datetime.now(UTC)).astimezone(UTC)
    doc = {
        "name": name,
        "title": title or name,
        "date": when.isoformat(timespec="seconds"),
        "machine": machine_line or machine(),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "",
        "setup": setup,
        "figures": figures,
        "peers": peers or [],
        "notes": notes,
    }
    path = out_dir / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(path)
    print(f"results written to {path}")
    return path


def read_results(directory: Path | None = None) -> list[dict[str, Any]]:
    """Every result file of ``directory`` (default docs/benchmark-results/), by name."""
    out_dir = directory or RESULTS
    if not out_dir.is_dir():
        return []
    return [json.loads(p.read_text()) for p in sorted(out_dir.glob("*.json"))]
