"""Small builders shared by tests."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(1999, 6, 12, tzinfo=UTC)
LABELS = [
    "NATO UNCLASSIFIED REL TO KFOR, NATO",
    "NATO RESTRICTED REL TO KFOR, NATO",
    "NATO CONFIDENTIAL REL TO NATO",
    "NATO SECRET REL TO NATO",
    "NATO RESTRICTED REL TO FRA",
    "NATO UNCLASSIFIED REL TO KFOR, NATO, PARTNER",
]


def report(**overrides: Any) -> dict[str, Any]:
    """A valid canonical report record."""
    record: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "kind": "shooting",
        "observed_at": "1999-06-15T12:00:00Z",
        "lon": 21.166,
        "lat": 42.663,
        "label": "NATO RESTRICTED REL TO KFOR, NATO",
        "party": "FRY",
        "grade": "B2",
        "title": "Shots heard in Pristina",
        "text": "Small-arms fire heard near the market.",
    }
    record.update(overrides)
    return record


def random_reports(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` reports scattered over Kosovo and the first year, with mixed labels."""
    rng = random.Random(seed)
    return [
        report(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            observed_at=(T0 + timedelta(seconds=rng.randint(0, 365 * 86400))).isoformat(),
            lon=round(20.3 + rng.random() * 1.3, 6),
            lat=round(42.0 + rng.random() * 1.1, 6),
            label=rng.choice(LABELS),
            party=rng.choice(["FRY", "UCK", None]),
            kind=rng.choice(["shooting", "arson", "roadblock", "demonstration"]),
        )
        for _ in range(n)
    ]


def feature_collection(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Canonical records as a GeoJSON FeatureCollection."""
    features = []
    for r in records:
        props = {k: v for k, v in r.items() if k not in ("lon", "lat", "id")}
        features.append(
            {
                "type": "Feature",
                "id": r["id"],
                "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}
