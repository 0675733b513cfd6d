"""WAL checkpoints run off the commit path and the WAL is folded back on close."""

from __future__ import annotations

import time
from pathlib import Path

from peacewatch.ingest.pipeline import Pipeline
from peacewatch.store import open_store
from peacewatch.store.migrate import upgrade
from tests.conftest import ADMIN, seed
from tests.helpers import random_reports


def test_background_checkpoints_and_truncate_on_close(tmp_path: Path) -> None:
    path = tmp_path / "ckpt.db"
    store = open_store(f"sqlite:///{path}")
    upgrade(store)
    seed(store)
    assert store.checkpointer is not None
    records = random_reports(3000, seed=5)
    summary = Pipeline(store, viewer=ADMIN, mission="KFOR", batch_size=500).run(
        (r["id"], r) for r in records
    )
    assert summary.accepted == 3000
    deadline = time.monotonic() + 10
    while store.checkpointer.checkpoints == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert store.checkpointer.checkpoints > 0
    store.dispose()
    wal = Path(f"{path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    # everything acknowledged is in the database file itself now
    reopened = open_store(f"sqlite:///{path}")
    with reopened.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM reports").scalar_one() == 3000
    reopened.dispose()
