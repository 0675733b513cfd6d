"""Reports with mixed labels, texts that need escaping and casualty figures, to export."""

from __future__ import annotations

from typing import Any

import pytest

from peacewatch.exports.formats import stream
from peacewatch.exports.plan import Filters, plan_export
from peacewatch.ingest.pipeline import Pipeline
from peacewatch.store import Store
from tests.conftest import ADMIN
from tests.helpers import random_reports

N = 60


def sample() -> list[dict[str, Any]]:
    """``N`` reports; a few carry fatalities, a sector and text with markup and quotes."""
    rows = random_reports(N, seed=11)
    for i, row in enumerate(rows):
        row["source"] = f"Patrol {i} & <Co>"
        row["text"] = f'Seen "{i}" <b>near</b> the bridge; café, 1999 & Ü'
        if i % 7 == 0:
            row["attributes"] = {"fatalities": i % 4, "sector": "MNB-East"}
    return rows


@pytest.fixture
def loaded(store: Store) -> list[dict[str, Any]]:
    """The sample stored as the all-seeing administrator."""
    rows = sample()
    assert Pipeline(store, viewer=ADMIN, mission="KFOR").run((r["id"], r) for r in rows).accepted
    return rows


def export_bytes(store: Store, fmt: str, viewer: Any = ADMIN, **filters: Any) -> bytes:
    """The whole export as bytes (small pages, to cross page boundaries)."""
    plan = plan_export(store, viewer=viewer, filters=Filters(**filters), page_size=7)
    return b"".join(stream(plan, fmt))
