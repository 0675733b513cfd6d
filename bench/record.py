"""Rewrite BENCHMARKS.md from the newest result of every benchmark (docs/benchmark-results/*.json,
written by each bench script through bench/results.py); ``make bench`` runs it last.

The record has: how to run the benchmarks and what each measures; the machine and the date of
each run; the peer comparisons side by side (SQLite against PostgreSQL + PostGIS, the
compliance engine against a PostGIS join, the TAK gateway against FreeTAKServer) with their
ratios; then one table per area: figure | result | target | met?.

Nothing of the old log is lost: sections that scripts append to BENCHMARKS.md (below the
record's last line, or the whole file when it is still in the old form) are moved to
docs/benchmark-history.md, and the newest such section of a benchmark that has no result file
yet is shown in the record as it was written.

Run: ``.venv/bin/python bench/record.py`` (``--results DIR``, ``--output FILE``,
``--history FILE``).
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from results import RESULTS, read_results  # bench/results.py, beside this file

ROOT = Path(__file__).resolve().parents[1]
MARKER = (
    "<!-- End of the record. Sections appended below this line are moved to "
    "docs/benchmark-history.md by bench/record.py. -->"
)
HISTORY_HEAD = (
    "# Benchmark history\n\n"
    "Every section the benchmarks appended to BENCHMARKS.md, oldest first, as written at the "
    "time (figures, notes and the reasons behind each change). BENCHMARKS.md itself holds "
    "only the newest result of each benchmark; bench/record.py moves newly appended sections "
    "here.\n"
)

# name of the result file -> (title, script, what it measures, title of its old sections)
AREAS: dict[str, tuple[str, str, str, str]] = {
    "ingest_query": (
        "Ingest and map queries",
        "bench/run.py",
        "durable ingest through the pipeline (batches of 1,000) and 10 km x 10 km x 24 h "
        "bbox + time queries through the label filter, on SQLite and on PostgreSQL + PostGIS",
        "",
    ),
    "compliance": (
        "Compliance",
        "bench/compliance.py",
        "the rule engine's checks per second against the same judging as one PostGIS join, "
        "and ingest with compliance on against off",
        "compliance",
    ),
    "fusion": (
        "Fusion",
        "bench/fusion.py",
        "clustering quality (pairwise F1), ingest with fusion on against off, bulk re-run",
        "fusion",
    ),
    "exports": (
        "Exports",
        "bench/exports.py",
        "10^6 reports exported to GeoJSON and CSV by a separate process: time and peak RSS",
        "exports",
    ),
    "tak": (
        "TAK gateway",
        "bench/tak.py",
        "sustained CoT positions/s, send → rebroadcast latency, 2,000 connections, idle CPU, "
        "and the same relay load on FreeTAKServer",
        "TAK gateway",
    ),
    "web": (
        "Map page",
        "bench/web.py",
        "first meaningful paint, frame times and live-report latency in headless Chromium",
        "web",
    ),
    "ops": (
        "Mission modules",
        "bench/ops.py",
        "coverage gaps and convoy route risk on the medium scenario, both backends",
        "mission modules",
    ),
    "scaleout": (
        "Scale-out on PostgreSQL",
        "bench/scaleout.py",
        "report ingest over HTTP on PostgreSQL + PostGIS with 1 worker against 2, and idle "
        "memory per worker",
        "scale-out",
    ),
    "warning": (
        "Early warning",
        "bench/warning.py",
        "the tension index back-tested against the scenario's planted flare-ups: precision, "
        "recall and lead time of the warnings, and the index's runtime",
        "early warning",
    ),
    "sitrep": (
        "SITREP",
        "bench/sitrep.py",
        "a 24-hour SITREP of the medium scenario as HTML and PDF",
        "SITREP",
    ),
    "soak": (
        "Crash cycles and soak",
        "bench/soak.py",
        "idle memory, SIGKILL crash cycles under ingest on both backends, and a long run "
        "watching memory and latency",
        "soak",
    ),
    "load": (
        "Mixed-traffic load",
        "bench/load.py",
        "ingest, map queries, live-feed subscribers and TAK devices at once against one "
        "server: throughput, p50/p95/p99, failures and losses",
        "load",
    ),
}
SECTION = re.compile(r"^## (\d{4}-\d\d-\d\d \d\d:\d\d) UTC(?: — (.+))?\s*$")


def slug(text: str) -> str:
    """Lower-case words joined by underscores."""
    return "_".join(re.findall(r"[a-z0-9]+", text.lower()))


def number(value: Any, unit: str) -> str:
    """A figure's value for a table cell."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        text = str(value)
    elif isinstance(value, int):
        text = f"{value:,}"
    elif abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    elif abs(value) >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3f}"
    if not unit:
        return text
    return f"{text}{unit}" if unit[0] in "/%×" else f"{text} {unit}"


def verdict(met: bool | None) -> str:
    """met / **missed** / blank."""
    return "" if met is None else ("met" if met else "**missed**")


def split_sections(text: str) -> tuple[str, list[str]]:
    """(what precedes the first ``## `` heading, each section from its heading on)."""
    parts = re.split(r"(?m)^(?=## )", text)
    head = parts[0] if parts and not parts[0].startswith("## ") else ""
    return head, [p.rstrip() + "\n" for p in parts if p.startswith("## ")]


def appended(benchmarks: str) -> list[str]:
    """The dated sections appended to BENCHMARKS.md the old way (all of them in an old file;
    never the record's own sections)."""
    text = benchmarks.split(MARKER, 1)[1] if MARKER in benchmarks else benchmarks
    return [s for s in split_sections(text)[1] if SECTION.match(s.splitlines()[0])]


def move_to_history(sections: list[str], history: Path) -> str:
    """Append ``sections`` to the history file (each once); return its whole text."""
    text = history.read_text() if history.is_file() else HISTORY_HEAD
    added = [s for s in sections if s.strip() not in text]
    if added:
        text = text.rstrip() + "\n\n" + "\n".join(added)
    if added or not history.is_file():
        history.parent.mkdir(parents=True, exist_ok=True)
        history.write_text(text)
    return text


def newest_legacy(history_text: str, have: set[str]) -> list[str]:
    """The newest old-style section of each benchmark that has no result file."""
    newest: dict[str, tuple[str, str]] = {}
    for section in split_sections(history_text)[1]:
        m = SECTION.match(section.splitlines()[0])
        if m is None:
            continue
        key = slug(m.group(2) or "")
        if key in have:
            continue
        if key not in newest or m.group(1) >= newest[key][0]:
            newest[key] = (m.group(1), section)
    return [section for _, section in sorted(newest.values())]


def area_of(result: dict[str, Any]) -> tuple[str, str, str]:
    """(title, script, what it measures) of a result."""
    known = AREAS.get(result["name"])
    if known:
        return known[0], known[1], known[2]
    return result.get("title") or result["name"], result.get("command", "").split(" ")[0], ""


def render(results: list[dict[str, Any]], legacy: list[str], now: datetime) -> str:
    """The whole of BENCHMARKS.md."""
    order = {name: i for i, name in enumerate(AREAS)}
    results = sorted(results, key=lambda r: (order.get(r["name"], len(order)), r["name"]))
    out = [
        "# Benchmarks\n",
        "The newest result of every benchmark of PeaceWatch, rewritten by `make bench` "
        "(bench/record.py) from the files the benchmarks write in docs/benchmark-results/. Earlier "
        "runs, with the notes on what changed between them, are in "
        "[docs/benchmark-history.md](docs/benchmark-history.md).\n",
        "## How to run\n",
        "- `make bench`: every benchmark below, one after another (PostgreSQL + PostGIS and "
        "Chromium are installed first), then this record. It takes a long time: the large "
        "store holds 10^7 reports.",
        "- One benchmark: `.venv/bin/python bench/<script>.py` (each has `--help` and smaller "
        "sizes), then `.venv/bin/python bench/record.py` to rewrite this file.",
        "- `make load`: a longer mixed-traffic load run (`LOAD_ARGS` for its sizes).\n",
        "| benchmark | script | what it measures |",
        "|---|---|---|",
    ]
    for name, (title, script, what, _) in AREAS.items():
        mark = "" if any(r["name"] == name for r in results) else " (no result yet)"
        out.append(f"| {title}{mark} | `{script}` | {what} |")
    for r in results:
        if r["name"] not in AREAS:
            title, script, what = area_of(r)
            out.append(f"| {title} | `{script}` | {what} |")
    machines: dict[str, list[str]] = {}
    for r in results:
        machines.setdefault(r["machine"], []).append(area_of(r)[0])
    out += ["", "## Machine and date\n", f"Recorded {now:%Y-%m-%d %H:%M} UTC.\n"]
    if len(machines) == 1:
        out.append(f"Every result below was measured on: {next(iter(machines))}.\n")
    else:
        for line, titles in machines.items():
            out.append(f"- {', '.join(titles)}: {line}")
        out.append("")
    out += [
        "| benchmark | run (UTC) | command |",
        "|---|---|---|",
    ]
    for r in results:
        when = datetime.fromisoformat(r["date"]).astimezone(UTC)
        out.append(f"| {area_of(r)[0]} | {when:%Y-%m-%d %H:%M} | `{r.get('command', '')}` |")
    peers = [(r, p) for r in results for p in r.get("peers", [])]
    if peers:
        out += [
            "",
            "## Side by side\n",
            "The same measure on two systems, from the same run on the same machine. The ratio "
            "says which is better and by how much.\n",
            "| area | measure | first | result | second | result | ratio |",
            "|---|---|---|---:|---|---:|---|",
        ]
        for r, p in peers:
            ratio = p.get("ratio")
            if ratio is None:
                said = p.get("note") or "—"
            elif ratio >= 1:
                said = f"**{ratio:,.1f}×** in favour of {p['ours']}"
            else:
                said = f"**{1 / ratio:,.1f}×** in favour of {p['theirs']}"
            out.append(
                f"| {area_of(r)[0]} | {p['measure']} | {p['ours']} | "
                f"{number(p['ours_value'], p['unit'])} | {p['theirs']} | "
                f"{number(p['theirs_value'], p['unit'])} | {said} |"
            )
    for r in results:
        title = area_of(r)[0]
        when = datetime.fromisoformat(r["date"]).astimezone(UTC)
        out += [
            "",
            f"## {title}\n",
            f"Run {when:%Y-%m-%d %H:%M} UTC. {r.get('setup', '')}".rstrip(),
        ]
        out += ["", "| figure | result | target | met? |", "|---|---:|---|---|"]
        for f in r["figures"]:
            detail = f" ({f['detail']})" if f.get("detail") else ""
            out.append(
                f"| {f['name']}{detail} | {number(f['value'], f['unit'])} | "
                f"{f['target'] or ''} | {verdict(f['met'])} |"
            )
        if r.get("notes"):
            out += ["", r["notes"].strip()]
    if legacy:
        out += [
            "",
            "## Not yet in this form\n",
            "Benchmarks that still append a section of their own; the newest of each, as written:",
        ]
        for section in legacy:
            out += ["", re.sub(r"(?m)^(#+) ", r"#\1 ", section.strip())]
    out += ["", MARKER, ""]
    return "\n".join(out)


def rewrite(output: Path, history: Path, results_dir: Path, now: datetime | None = None) -> str:
    """Move appended sections to the history, then write the record; returns its text."""
    existing = output.read_text() if output.is_file() else ""
    history_text = move_to_history(appended(existing), history)
    results = read_results(results_dir)
    have = {r["name"] for r in results}
    have |= {slug(r.get("title") or "") for r in results}
    have |= {slug(AREAS[n][3]) for n in have if n in AREAS}
    text = render(results, newest_legacy(history_text, have), now or datetime.now(UTC))
    output.write_text(text)
    return text


def main() -> None:
    """Rewrite BENCHMARKS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--history", type=Path, default=ROOT / "docs" / "benchmark-history.md")
    args = parser.parse_args()
    rewrite(args.output, args.history, args.results)
    print(f"rewrote {args.output} from {args.results}")


if __name__ == "__main__":
    main()
