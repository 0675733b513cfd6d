"""Weapons collection (DDR): the rules — categories, serial de-duplication, the chain of
custody and progress against target — and the progress report built from what a viewer may
see. The writes that apply the rules are in ``ops/weapons_writes.py``; reads in
``store/weapons.py``."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from peacewatch.domain.errors import DomainError
from peacewatch.domain.labels import Label, Viewer, most_restrictive
from peacewatch.store import weapons as weapons_store

CATEGORIES = ("small_arms", "heavy_weapons", "mines", "explosives", "ammunition")
# Counted by quantity (rounds, kilograms of explosive, mines in a crate); a weapon is one item.
BULK = frozenset({"mines", "explosives", "ammunition"})
# Target categories that group others: Essential Harvest's target counted weapons.
GROUPS: dict[str, tuple[str, ...]] = {"weapons": ("small_arms", "heavy_weapons")}
CUSTODY_STATES = ("collected", "stored", "destroyed")
# What may follow each state; None: an item with no custody yet. A store may hand an item to
# another store (stored → stored). Mines, explosives and ammunition too unstable to move are
# destroyed where they were handed in (collected → destroyed); weapons go to a store first.
TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({"collected"}),
    "collected": frozenset({"stored", "destroyed"}),
    "stored": frozenset({"stored", "destroyed"}),
    "destroyed": frozenset(),
}
MAX_SERIAL = 64

# Cyrillic letters that look like Latin ones: Yugoslav-made weapons (Zastava) are marked in
# either script, so "АК-47 М70" typed from a Cyrillic receipt must match "AK47M70".
_HOMOGLYPHS = str.maketrans("АВЕКМНОРСТХУІЈ", "ABEKMHOPCTXYIJ")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def normalise_serial(serial: object) -> str | None:
    """The serial as compared for duplicates: upper case, Cyrillic look-alikes as Latin,
    separators and spaces dropped ("ak 47-123/a" → "AK47123A"); None when there is none."""
    if serial is None:
        return None
    if not isinstance(serial, str):
        raise DomainError("serial must be text", field="serial")
    text = unicodedata.normalize("NFKC", serial).upper().translate(_HOMOGLYPHS)
    norm = _NOT_ALNUM.sub("", text)
    if len(norm) > MAX_SERIAL:
        raise DomainError(f"serial is longer than {MAX_SERIAL} characters", field="serial")
    return norm or None


def check_transition(
    *, current: str | None, state: object, category: str, last_at: datetime | None, at: datetime
) -> str:
    """The next custody state, checked against the chain so far; a DomainError naming the
    field at fault otherwise."""
    if state not in CUSTODY_STATES:
        raise DomainError(f"state must be one of {', '.join(CUSTODY_STATES)}", field="state")
    assert isinstance(state, str)
    allowed = TRANSITIONS[current]
    if state not in allowed:
        after = f"after '{current}'" if current else "as the first custody event"
        expected = ", ".join(sorted(allowed)) or "nothing: the item was destroyed"
        raise DomainError(f"'{state}' cannot come {after}; expected {expected}", field="state")
    if current == "collected" and state == "destroyed" and category not in BULK:
        raise DomainError(
            "a weapon is stored before it is destroyed; only mines, explosives and ammunition "
            "are destroyed where they were handed in",
            field="state",
        )
    if last_at is not None and at < last_at:
        raise DomainError(
            "custody events are in time order: this one is before the last "
            f"({last_at:%Y-%m-%dT%H:%MZ})",
            field="at",
        )
    return state


def check_targets(value: object) -> list[dict[str, Any]]:
    """A campaign's targets: [{category, place (point uid or null), quantity}]."""
    if not isinstance(value, list) or not value:
        raise DomainError(
            "targets must be a non-empty list of {category, quantity}", field="targets"
        )
    out = []
    for i, target in enumerate(value):
        where = f"targets[{i}]"
        if not isinstance(target, dict):
            raise DomainError("must be an object {category, place, quantity}", field=where)
        category = target.get("category")
        if category not in (*CATEGORIES, *GROUPS):
            raise DomainError(
                f"category must be one of {', '.join((*CATEGORIES, *GROUPS))}",
                field=f"{where}.category",
            )
        quantity = target.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
            raise DomainError("quantity must be a positive whole number", field=f"{where}.quantity")
        place = target.get("place")
        if place is not None and not isinstance(place, str):
            raise DomainError("place must be a collection point uid", field=f"{where}.place")
        out.append({"category": category, "place": place, "quantity": quantity})
    return out


def _members(category: str) -> tuple[str, ...]:
    return GROUPS.get(category, (category,))


def progress(
    targets: Iterable[Mapping[str, Any]], counted: Iterable[tuple[str, str | None, int]]
) -> dict[str, Any]:
    """Progress against each target from (category, point uid, quantity) rows of what was
    handed in: collected so far, what remains and the percentage, per target; totals per
    category and per place."""
    per: dict[tuple[str, str | None], int] = {}
    for category, place, quantity in counted:
        per[(category, place)] = per.get((category, place), 0) + int(quantity)
    by_category: dict[str, int] = {}
    by_place: dict[str | None, dict[str, int]] = {}
    for (category, place), quantity in per.items():
        by_category[category] = by_category.get(category, 0) + quantity
        at = by_place.setdefault(place, {})
        at[category] = at.get(category, 0) + quantity
    rows = []
    for target in targets:
        members, place = _members(target["category"]), target.get("place")
        collected = sum(
            q for (c, p), q in per.items() if c in members and (place is None or p == place)
        )
        goal = int(target["quantity"])
        rows.append(
            {
                "category": target["category"],
                "place": place,
                "target": goal,
                "collected": collected,
                "remaining": max(goal - collected, 0),
                "percent": round(100 * collected / goal, 1),
                "met": collected >= goal,
            }
        )
    places = [
        {"place": p, "collected": dict(sorted(c.items()))}
        for p, c in sorted(by_place.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
    ]
    return {"targets": rows, "collected": dict(sorted(by_category.items())), "places": places}


def campaign_progress(
    conn: Connection, *, viewer: Viewer, campaign: str | None = None, mission: str | None = None
) -> dict[str, Any]:
    """Progress of each campaign ``viewer`` may see, from the items they may see: per target,
    per category and per place, with the published figures beside them. Each campaign's
    ``derived_label`` is the most restrictive of its own label and those of what it counts;
    ``items`` split the counts by label (as the dashboards' counts are)."""
    campaigns = weapons_store.list_campaigns(conn, viewer=viewer, mission=mission, code=campaign)
    rows = weapons_store.counted(conn, viewer=viewer, campaign=campaign)
    out, items = [], []
    for c in campaigns:
        mine = [r for r in rows if r[0] == c["code"]]
        body = progress(c["targets"], [(cat, place, q) for _, cat, place, _, q, _ in mine])
        inputs = [Label.parse(c["label"]), *(Label.parse(m) for m in {r[3] for r in mine})]
        out.append(
            {
                "code": c["code"], "name": c["name"], "start": c["start"], "end": c["end"],
                "label": c["label"], "derived_label": most_restrictive(inputs).marking,
                "reported": c["reported"], "source": c["source"], "synthetic": c["synthetic"],
                "items_counted": sum(r[5] for r in mine), **body,
            }
        )  # fmt: skip
        for _, cat, place, marking, quantity, n in mine:
            items.append(
                {
                    "id": f"{c['code']}|{cat}|{place or ''}|{marking}", "campaign": c["code"],
                    "category": cat, "place": place, "label": marking, "quantity": quantity,
                    "items": n,
                }
            )  # fmt: skip
        # The campaign's own label counts towards the response's label too.
        items.append(
            {"id": c["code"], "campaign": c["code"], "category": None, "place": None,
             "label": c["label"], "quantity": 0, "items": 0}
        )  # fmt: skip
    return {"campaigns": out, "items": items}
