"""Compliance benchmarks: the engine's checks per second, the same judging in PostGIS, and
ingest with compliance on against off. Appended to BENCHMARKS.md by ``make bench``.

- Engine: the MTA's rules (every obligation version in every zone version) against generated
  observations, judged in chunks of 100,000 by ``RuleSet.breaches`` on one core. A check is
  one observation against one rule; the engine answers all of them (bitmask pre-filter, then
  an STRtree over the zones and vectorised time, party and category tests).
- PostGIS: the same observations and rules in tables, judged by one SQL join with
  ``ST_Intersects`` (GiST index on the zones) and the same tests; verdicts must be equal.
- Ingest: the medium scenario's reports through the pipeline into a fresh store, once plain
  and once with the compliance hook judging every batch in its transaction.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import psycopg
from sqlalchemy import text

from peacewatch.compliance.engine import Observations, Rule, RuleSet, epoch
from peacewatch.compliance.judge import attach
from peacewatch.domain import categories
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.scenarios.kosovo1999 import history
from peacewatch.scenarios.kosovo1999.generator import Generator
from peacewatch.scenarios.loader import load_history

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get(
    "PEACEWATCH_BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
PARTIES = {"FRY": 1, "UCK": 2}


def mta_rules() -> RuleSet:
    """The MTA's rules built from the scenario's facts, as the store would load them."""
    zones = {z["uid"]: z for z in history.zones()}
    rules = []
    for i, o in enumerate(history.OBLIGATIONS):
        for uid in o["zones"]:
            z = zones[uid]
            start = max(epoch(o["valid_from"]), epoch(z["valid_from"]))
            end = min(epoch(o.get("valid_to")), epoch(z["valid_to"]))
            if start < end:
                rules.append(
                    Rule(
                        i,
                        o["code"],
                        len(rules),
                        frozenset(PARTIES[p] for p in o["parties"]),
                        categories.mask(o["prohibited"]),
                        start,
                        end,
                        z["geometry"],
                        0,
                        0,
                    )
                )
    return RuleSet(rules)


def observations(n: int, seed: int) -> Observations:
    """``n`` generated reports as engine columns."""
    cols: dict[str, list[float | int]] = {k: [] for k in ("lon", "lat", "t", "party", "shows")}
    for batch in Generator(n, seed).reports(batch_size=10_000):
        for r in batch:
            cols["lon"].append(r["lon"])
            cols["lat"].append(r["lat"])
            at = r["observed_at"]
            at = at if isinstance(at, datetime) else datetime.fromisoformat(at)
            cols["t"].append(at.timestamp())
            cols["party"].append(PARTIES.get(r.get("party") or "", 0))
            cols["shows"].append(categories.of_report(r["kind"], r.get("attributes")))
    return Observations(
        np.array(cols["lon"]),
        np.array(cols["lat"]),
        np.array(cols["t"]),
        np.array(cols["party"], dtype=np.int64),
        np.array(cols["shows"], dtype=np.int64),
    )


def engine(
    rules: RuleSet, obs: Observations, chunk: int = 100_000
) -> tuple[float, set[tuple[int, int]]]:
    """Seconds to judge every observation, and the verdicts."""
    found: set[tuple[int, int]] = set()
    t0 = time.perf_counter()
    for a in range(0, len(obs), chunk):
        part = Observations(
            obs.lon[a : a + chunk],
            obs.lat[a : a + chunk],
            obs.t[a : a + chunk],
            obs.party[a : a + chunk],
            obs.shows[a : a + chunk],
        )
        hit, rule = rules.breaches(part)
        found.update(zip((hit + a).tolist(), rule.tolist(), strict=True))
    return time.perf_counter() - t0, found


def postgis(rules: RuleSet, obs: Observations) -> tuple[float, set[tuple[int, int]]]:
    """Seconds for PostGIS to judge the same observations (loading excluded), and verdicts."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        conn.execute("DROP TABLE IF EXISTS bench_rules, bench_obs")
        conn.execute(
            "CREATE TABLE bench_rules (j int, g geometry, s float8, e float8, parties int[], p int)"
        )
        conn.execute(
            "CREATE TABLE bench_obs (i int, x float8, y float8, t float8, party int, shows int)"
        )
        with conn.cursor() as cur:
            for j, r in enumerate(rules.rules):
                cur.execute(
                    "INSERT INTO bench_rules VALUES (%s, ST_GeomFromWKB(%s, 4326), %s, %s, %s, %s)",
                    (
                        j,
                        r.geometry.wkb,
                        r.start,
                        r.end if r.end != math.inf else 1e300,
                        sorted(r.parties),
                        r.prohibited,
                    ),
                )
            with cur.copy("COPY bench_obs FROM STDIN") as copy:
                for i in range(len(obs)):
                    copy.write_row(
                        (
                            i,
                            float(obs.lon[i]),
                            float(obs.lat[i]),
                            float(obs.t[i]),
                            int(obs.party[i]),
                            int(obs.shows[i]),
                        )
                    )
        conn.execute("ALTER TABLE bench_obs ADD COLUMN g geometry")
        conn.execute("UPDATE bench_obs SET g = ST_SetSRID(ST_MakePoint(x, y), 4326)")
        conn.execute("CREATE INDEX ON bench_rules USING gist (g)")
        conn.execute("ANALYZE bench_rules")
        conn.execute("ANALYZE bench_obs")
        t0 = time.perf_counter()
        rows = conn.execute(
            "SELECT o.i, r.j FROM bench_obs o JOIN bench_rules r ON ST_Intersects(r.g, o.g) "
            "AND o.t >= r.s AND o.t < r.e AND o.party = ANY(r.parties) AND (o.shows & r.p) <> 0"
        ).fetchall()
        seconds = time.perf_counter() - t0
        conn.execute("DROP TABLE bench_rules, bench_obs")
    return seconds, {(int(i), int(j)) for i, j in rows}


def ingest_rate(backend: str, judged: bool, n: int, seed: int) -> tuple[float, int]:
    """Reports per second into a fresh store (generator time excluded), and violations made."""
    from run import fresh_store  # bench/run.py, beside this file

    store = fresh_store(backend, f"compliance_{'on' if judged else 'off'}")
    viewer = load_history(store)
    if judged:
        attach(store)
    batches = list(Generator(n, seed).reports(batch_size=1000))
    items = [(r["id"], r) for batch in batches for r in batch]
    t0 = time.perf_counter()
    summary = Pipeline(store, viewer=viewer, mission="KFOR", batch_size=1000).run(items)
    seconds = time.perf_counter() - t0
    with store.read() as conn:
        made = int(conn.execute(text("SELECT count(*) FROM violations")).scalar_one())
    store.dispose()
    return summary.accepted / seconds, made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--ingest", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1999)
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args()
    rules = mta_rules()
    obs = observations(args.observations, args.seed)
    engine_s, verdicts = engine(rules, obs)
    checks = len(obs) * len(rules)
    print(
        f"engine: {len(obs):,} observations x {len(rules)} rules in {engine_s:.2f} s "
        f"= {checks / engine_s:,.0f} checks/s, {len(verdicts)} breaches",
        flush=True,
    )
    pg_s, pg_verdicts = postgis(rules, obs)
    assert pg_verdicts == verdicts, "PostGIS and the engine disagree"
    print(
        f"postgis: {pg_s:.2f} s (engine {pg_s / engine_s:.1f}x faster), same verdicts", flush=True
    )
    rows = []
    rates = {}
    for backend in ("sqlite", "postgresql"):
        off, _ = ingest_rate(backend, False, args.ingest, args.seed)
        on, made = ingest_rate(backend, True, args.ingest, args.seed)
        print(
            f"ingest {backend}: {off:,.0f}/s plain, {on:,.0f}/s judged ({on / off:.0%}), "
            f"{made} violations",
            flush=True,
        )
        rows.append(
            f"| {backend} | {args.ingest:,} | {off:,.0f} | {on:,.0f} | {on / off:.0%} | {made} |"
        )
        rates[backend] = (off, on, made)
    from run import machine  # bench/run.py, beside this file: one description of the machine

    with Path(args.output).open("a") as f:
        f.write(f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — compliance\n\n{machine()}\n\n")
        f.write(
            f"Engine (one core): {len(obs):,} generated observations against the MTA's "
            f"{len(rules)} rules in {engine_s:.2f} s = **{checks / engine_s:,.0f} checks/s** "
            f"({len(verdicts)} breaches). PostGIS, same data and verdicts, one SQL join with "
            f"ST_Intersects: {pg_s:.2f} s — the engine is **{pg_s / engine_s:.1f}x** faster.\n\n"
            "| backend | reports | ingest plain /s | ingest judged /s | judged / plain | "
            "violations |\n|---|---:|---:|---:|---:|---:|\n" + "\n".join(rows) + "\n"
        )
    print(f"appended to {args.output}")
    from results import figure, peer, write_result  # bench/results.py, beside this file

    write_result(
        "compliance",
        [
            figure("engine checks (observation x rule) per second, one core",
                   checks / engine_s, "/s",
                   detail=f"{len(obs):,} observations x {len(rules)} rules in {engine_s:.2f} s, "
                   f"{len(verdicts)} breaches"),
            *(
                figure(f"ingest with compliance on, {backend}", on, "reports/s",
                       detail=f"{on / off:.0%} of plain ({off:,.0f}/s), {made} violations")
                for backend, (off, on, made) in rates.items()
            ),
        ],
        title="Compliance",
        setup=f"The MTA's rules against {len(obs):,} generated observations, judged in chunks "
        "of 100,000 by the engine on one core and by one PostGIS join with ST_Intersects "
        f"(same verdicts); then {args.ingest:,} scenario reports ingested into a fresh store, "
        "plain and with every batch judged in its transaction.",
        peers=[
            peer("judge the same observations against the same rules", "s",
                 ours=("PeaceWatch engine", engine_s), theirs=("PostGIS join", pg_s),
                 higher_is_better=False),
        ],
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
