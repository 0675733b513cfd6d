"""The rules in force, read from the store: every obligation version joined with every version
of its zones, cached per store until an obligation or a zone is added."""

from __future__ import annotations

import threading
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, func, select

from peacewatch.compliance.engine import Rule, RuleSet, epoch
from peacewatch.domain.categories import mask
from peacewatch.store.tables import agreements, obligations, parties, zones

_CACHE: WeakKeyDictionary[Engine, tuple[tuple[Any, ...], RuleSet]] = WeakKeyDictionary()
_LOCK = threading.Lock()


def _generation(conn: Connection) -> tuple[Any, ...]:
    """Changes whenever an obligation, a zone or a party is added or removed (one round trip:
    it runs for every batch written)."""
    parts = [
        select(func.count()).select_from(t).scalar_subquery() for t in (obligations, zones, parties)
    ] + [select(func.max(t.c.id)).scalar_subquery() for t in (obligations, zones, parties)]
    return tuple(conn.execute(select(*parts)).one())


def load_rules(conn: Connection) -> RuleSet:
    """Every rule of every agreement, as the store holds them now."""
    party_ids: dict[tuple[int, str], int] = {
        (int(r.mission_id), str(r.code)): int(r.id)
        for r in conn.execute(select(parties.c.id, parties.c.mission_id, parties.c.code))
    }
    zone_rows: dict[tuple[int, str], list[Any]] = {}
    for z in conn.execute(
        select(
            zones.c.id,
            zones.c.uid,
            zones.c.mission_id,
            zones.c.geometry,
            zones.c.valid_from,
            zones.c.valid_to,
            zones.c.label_id,
            zones.c.attributes,
        )
    ):
        # A zone's versions share a "version_of" uid (or are the zone itself).
        family = (z.attributes or {}).get("version_of") or z.uid
        zone_rows.setdefault((int(z.mission_id), str(family)), []).append(z)
    rules: list[Rule] = []
    query = select(obligations, agreements.c.mission_id).join(
        agreements, agreements.c.id == obligations.c.agreement_id
    )
    for o in conn.execute(query):
        mission = int(o.mission_id)
        bound = frozenset(
            party_ids[(mission, code)] for code in o.parties if (mission, code) in party_ids
        )
        prohibited = mask(o.prohibited)
        for uid in o.zones:
            for z in zone_rows.get((mission, str(uid)), []):
                start = max(epoch(o.valid_from), epoch(z.valid_from) if z.valid_from else -1e18)
                end = min(epoch(o.valid_to), epoch(z.valid_to))
                if start >= end:
                    continue
                rules.append(
                    Rule(
                        int(o.id),
                        str(o.code),
                        int(z.id),
                        bound,
                        prohibited,
                        start,
                        end,
                        z.geometry,
                        int(o.label_id),
                        int(z.label_id),
                    )
                )
    return RuleSet(rules)


def rules_for(conn: Connection) -> RuleSet:
    """The store's rules, loaded again only when obligations, zones or parties changed."""
    generation = _generation(conn)
    with _LOCK:
        cached = _CACHE.get(conn.engine)
    if cached is not None and cached[0] == generation:
        return cached[1]
    rules = load_rules(conn)
    with _LOCK:
        _CACHE[conn.engine] = (generation, rules)
    return rules


def forget(engine: Engine) -> None:
    """Drop the cached rules of a store (tests that empty a store call it)."""
    with _LOCK:
        _CACHE.pop(engine, None)
