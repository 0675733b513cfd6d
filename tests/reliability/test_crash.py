"""Crash consistency: several clients post reports while the server is killed with SIGKILL at
random moments, again and again; afterwards every acknowledged report is stored exactly once,
nothing unknown appears, and the database passes its integrity checks (SQLite:
integrity_check, foreign_key_check, the R*Tree complete; PostgreSQL: amcheck on every btree
index) and the audit chain is whole. On both backends.

The bounded version here runs 50 cycles per backend (a few minutes on a busy machine); ``make
soak`` runs 500 and more (bench/soak.py).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.reliability.harness import Clients, Server, Target, check_store, crash_cycles, prepare

CYCLES = 50


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    """A fresh, seeded store on each backend, dropped afterwards."""
    made = prepare(request.param, tmp_path)
    try:
        yield made
    finally:
        made.drop()


def test_no_acknowledged_report_is_lost_across_sigkills(target: Target, tmp_path: Path) -> None:
    rng = random.Random(f"crash-{target.backend}")
    server = Server(target, tmp_path / "server.log")
    done = 0
    try:
        server.start()
        with Clients(server.url, target.token, clients=4) as clients:
            for done in crash_cycles(server, CYCLES, rng):  # noqa: B007 - counted below
                pass
            time.sleep(0.5)  # a last stretch of acknowledged posts on the last server
        server.kill()  # the last one dies too, with the clients' last batches in flight
    finally:
        server.close()
    ledger = clients.ledger
    findings = check_store(target, ledger)
    assert findings.lost == [], f"{len(findings.lost)} acknowledged reports lost"
    assert findings.duplicated == []
    assert findings.phantom == []  # nothing stored that no client sent
    assert findings.integrity == []
    assert len(ledger.acknowledged) <= findings.stored <= len(ledger.sent)
    assert not ledger.errors, ledger.errors[:5]
    assert done == CYCLES
    # The clients got work done between kills (a busy machine serves few), and the kills did
    # interrupt them.
    assert len(ledger.acknowledged) >= CYCLES
    assert ledger.failed_posts >= CYCLES

    # The real command starts on the crashed store, and its schema is current.
    final = Server(target, tmp_path / "final.log", mode="exec")
    try:
        final.start()
        health = httpx.get(f"{final.url}/healthz", timeout=10).json()
        assert health["schema_current"] is True
        sample = sorted(ledger.acknowledged)[:20]
        headers = {"Authorization": f"Bearer {target.token}"}
        for rid in sample:  # and serves them through the label filter
            got = httpx.get(f"{final.url}/api/v1/reports/{rid}", headers=headers, timeout=10)
            assert got.status_code == 200 and got.json()["id"] == rid
    finally:
        final.close()
    print(
        f"\n{target.backend}: {CYCLES} SIGKILLs, {len(ledger.acknowledged)} reports acknowledged, "
        f"{findings.stored} stored, {ledger.retried_batches} batches resent "
        f"({ledger.committed_unacknowledged} reports stored before their answer was lost), "
        f"restart {sum(server.starts) / len(server.starts):.2f} s on average"
    )
