"""Weapons collection scenario data: Operation Essential Harvest (Macedonia, 2001) as history
with its source, and synthetic KFOR weapons collection in Kosovo, 1999-2000.

Essential Harvest's campaign, target and collected totals are published figures (source
below). Everything item-level — collection points, serials, calibres, dates, custody — is
synthetic, generated with a fixed seed and marked ``synthetic``; its totals are made to match
the published ones so that progress reads as history did. Essential Harvest was a NATO
operation in the former Yugoslav Republic of Macedonia, not a KFOR one: it is held under the
scenario's one mission so that the same views show it.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import select

from peacewatch.domain.labels import Viewer
from peacewatch.ops import weapons_writes
from peacewatch.ops.weapons import check_transition
from peacewatch.scenarios.balkans import record
from peacewatch.scenarios.kosovo1999.citations import cite_matching
from peacewatch.scenarios.kosovo1999.facts import PUBLIC_LABEL, SOURCES
from peacewatch.store import Store, audit
from peacewatch.store import weapons as weapons_store
from peacewatch.store.tables import weapons_items

EH_SOURCE: Final = (
    "Operation Essential Harvest, 27 Aug - 26 Sep 2001 (Ohrid Agreement 13 Aug 2001): target "
    "3,300 weapons; collected 3,875 weapons (3,210 assault rifles) and 397,625 mines, "
    "explosives and rounds; ~5,000 troops - "
    "https://www.armscontrol.org/act/2001-10/nato-ends-weapons-collection-macedonia"
)
SYNTHETIC: Final = "synthetic (generated for the scenario; not a historical record)"
EH_START: Final = record.start("essential-harvest")
EH_END: Final = record.end("essential-harvest")
EH_WEAPONS: Final = 3875
EH_RIFLES: Final = 3210
EH_BULK: Final = 397625
RESTRICTED: Final = "NATO RESTRICTED REL TO KFOR, NATO"

# Villages where Essential Harvest collected is not in the reference notes: these points are
# plausible places in the 2001 conflict area, at approximate positions, and marked synthetic.
EH_POINTS: Final = [
    ("eh-sipkovica", "Šipkovica collection point", "Šipkovica", 20.92, 42.03),
    ("eh-radusa", "Raduša collection point", "Raduša", 21.24, 42.10),
    ("eh-aracinovo", "Aračinovo collection point", "Aračinovo", 21.56, 42.03),
    ("eh-matejce", "Matejče collection point", "Matejče", 21.57, 42.18),
]
# KFOR's brigade headquarters (reference notes' brigade table) as collection points.
KFOR_POINTS: Final = [
    ("kfor-pristina", "MNB Centre collection point", "Pristina", 21.166, 42.663),
    ("kfor-mitrovica", "MNB North collection point", "Kosovska Mitrovica", 20.866, 42.891),
    ("kfor-pec", "MNB West collection point", "Peć", 20.289, 42.659),
    ("kfor-prizren", "MNB South collection point", "Prizren", 20.740, 42.214),
    ("kfor-bondsteel", "MNB East collection point", "Camp Bondsteel", 21.248, 42.366),
]
OTHER_WEAPONS: Final = [  # (description, calibre, category, share of the weapons besides rifles)
    ("machine gun", "7.62x54mmR", "small_arms", 0.35),
    ("sniper rifle", "7.92x57mm", "small_arms", 0.15),
    ("pistol", "7.62x25mm", "small_arms", 0.2),
    ("mortar", "82mm", "heavy_weapons", 0.12),
    ("anti-aircraft gun", "12.7mm", "heavy_weapons", 0.08),
    ("recoilless rifle", "82mm", "heavy_weapons", 0.1),
]


def _weapons_mix(rng: random.Random, n_other: int) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for description, calibre, category, share in OTHER_WEAPONS:
        out += [(description, calibre, category)] * round(n_other * share)
    while len(out) < n_other:
        out.append(OTHER_WEAPONS[0][:3])
    return out[:n_other]


def _serial(rng: random.Random, prefix: str) -> str:
    return f"{prefix}{rng.choice('ABCDEFHKMP')}{rng.randint(0, 999_999):06d}"


def _point(store: Store, viewer: Viewer, uid: str, name: str, place: str, lon: float,
           lat: float, source: str) -> None:  # fmt: skip
    weapons_writes.add_point(
        store, viewer=viewer,
        data={"uid": uid, "mission": "KFOR", "name": name, "place": place, "source": source,
              "geometry": {"type": "Point", "coordinates": [lon, lat]}, "synthetic": True,
              "label": PUBLIC_LABEL},
    )  # fmt: skip


def _custody(
    items: list[dict[str, Any]], steps: list[tuple[str, timedelta, str, str]]
) -> list[dict[str, Any]]:
    """Custody events after 'collected' for each item, checked by the module's own rule."""
    now = datetime.now(UTC)
    events = []
    for item in items:
        state, at, seq = "collected", item["collected"], 1
        for next_state, after, actor, place in steps:
            if next_state == "destroyed" and item["keep"]:
                break
            when = at + after
            check_transition(
                current=state, state=next_state, category=item["category"], last_at=at, at=when
            )
            seq += 1
            events.append(
                {"item_uid": item["uid"], "seq": seq, "state": next_state, "at": when,
                 "actor": actor, "place": place, "lon": None, "lat": None,
                 "note": SYNTHETIC, "label_id": item["label_id"], "created_by": "scenario",
                 "created_at": now}
            )  # fmt: skip
            state, at = next_state, when
    return events


def _store_custody(store: Store, viewer: Viewer, items: list[dict[str, Any]],
                   steps: list[tuple[str, timedelta, str, str]]) -> int:  # fmt: skip
    with store.write() as conn:
        uids = [i["uid"] for i in items]
        ids = dict(
            conn.execute(
                select(weapons_items.c.uid, weapons_items.c.label_id).where(
                    weapons_items.c.uid.in_(uids)
                )
            ).all()
        )
        for item in items:
            item["label_id"] = ids[item["uid"]]
        events = _custody(items, steps)
        weapons_store.add_custody_events(conn, events=events)
        audit.append(
            conn, actor=viewer.name, action="weapons.custody", target=f"{len(events)} events",
            detail={"scenario": True, "items": len(items)},
        )  # fmt: skip
    return len(events)


def _hand_in(
    store: Store, viewer: Viewer, rows: list[dict[str, Any]], batch: int = 1000
) -> list[dict[str, Any]]:
    for i in range(0, len(rows), batch):
        weapons_writes.add_items(store, viewer=viewer, items=rows[i : i + batch])
    return [
        {"uid": r["uid"], "category": r["category"], "collected": r["collected_at"],
         "keep": r.pop("_keep", False)}
        for r in rows
    ]  # fmt: skip


def load_essential_harvest(
    store: Store, viewer: Viewer, rng: random.Random, seen: list[str]
) -> dict[str, int]:
    """The campaign with its published figures, and synthetic items that add up to them; a few
    rifles carry serials of ``seen`` (Kosovo's), handed in again in Macedonia."""
    for uid, name, place, lon, lat in EH_POINTS:
        _point(store, viewer, uid, name, place, lon, lat, f"{SYNTHETIC}; approximate position")
    weapons_writes.add_campaign(
        store, viewer=viewer,
        data={"code": "ESSENTIAL-HARVEST", "mission": "KFOR",
              "name": "Operation Essential Harvest (Task Force Harvest, Macedonia)",
              "start": EH_START, "end": EH_END, "label": PUBLIC_LABEL, "source": EH_SOURCE,
              "targets": [{"category": "weapons", "quantity": 3300}],
              "reported": {"weapons": EH_WEAPONS, "assault_rifles": EH_RIFLES,
                           "mines_explosives_rounds": EH_BULK, "troops_about": 5000,
                           "source": EH_SOURCE}},
    )  # fmt: skip
    days = (EH_END - EH_START).days
    kinds = [("assault rifle", "7.62x39mm", "small_arms")] * EH_RIFLES
    kinds += _weapons_mix(rng, EH_WEAPONS - EH_RIFLES)
    rows = []
    for n, (description, calibre, category) in enumerate(kinds):
        rows.append(
            {"uid": f"eh-w{n:05d}", "campaign": "ESSENTIAL-HARVEST", "category": category,
             "point": rng.choice(EH_POINTS)[0], "calibre": calibre,
             "description": f"{description} ({SYNTHETIC})",
             "serial": seen[n] if n < min(6, len(seen)) else _serial(
                 rng, "M70" if description == "assault rifle" else "YU"),
             "collected_at": EH_START + timedelta(minutes=rng.randint(0, days * 1440 - 1)),
             "received_by": "Task Force Harvest", "synthetic": True}
        )  # fmt: skip
    # Mines, explosives and rounds: bulk lots whose quantities sum to the published 397,625.
    lots: list[tuple[str, str | None, int]] = [
        ("ammunition", "7.62x39mm", 150_000), ("ammunition", "12.7mm", 120_000),
        ("ammunition", "7.62x54mmR", 118_525), ("explosives", None, 6_000), ("mines", None, 3_100),
    ]  # fmt: skip
    assert sum(q for _, _, q in lots) == EH_BULK
    for n, (category, lot_calibre, quantity) in enumerate(lots):
        for part in range(5):  # each lot handed in over five days
            share = quantity // 5 + (quantity % 5 if part == 0 else 0)
            rows.append(
                {"uid": f"eh-b{n}-{part}", "campaign": "ESSENTIAL-HARVEST",
                 "category": category, "point": EH_POINTS[part % len(EH_POINTS)][0],
                 "calibre": lot_calibre, "quantity": share, "serial": None,
                 "description": f"{category} lot ({SYNTHETIC})",
                 "collected_at": EH_START + timedelta(days=2 + part * 6),
                 "received_by": "Task Force Harvest", "synthetic": True}
            )  # fmt: skip
    items = _hand_in(store, viewer, rows)
    events = _store_custody(
        store, viewer, items,
        [("stored", timedelta(hours=6), "Task Force Harvest", "Task Force Harvest depot"),
         ("destroyed", timedelta(days=10), "Task Force Harvest", "destruction site")],
    )  # fmt: skip
    return {"weapons_campaigns": 1, "weapons_items": len(items), "custody_events": events}


def load_kfor_collection(
    store: Store, viewer: Viewer, rng: random.Random
) -> tuple[dict[str, int], list[str]]:
    """Two synthetic KFOR campaigns in Kosovo (1999-2000) at the brigade HQs, with a few
    weapons handed in twice (a serial seen again in a later campaign, or in Macedonia); items
    that match a generated hand-in report (category, place, time) cite it."""
    for uid, name, place, lon, lat in KFOR_POINTS:
        _point(store, viewer, uid, name, place, lon, lat, SOURCES["brigades"])
    campaigns = [
        ("KFOR-DEMIL-1999", "UÇK demilitarisation: weapons handed in (synthetic figures)",
         datetime(1999, 6, 21, tzinfo=UTC), datetime(1999, 9, 20, tzinfo=UTC), 400,
         f"{SYNTHETIC}; the undertaking: {SOURCES['uck']}"),
        ("KFOR-AMNESTY-2000", "KFOR weapons amnesty (synthetic)",
         datetime(2000, 3, 1, tzinfo=UTC), datetime(2000, 6, 1, tzinfo=UTC), 250, SYNTHETIC),
    ]  # fmt: skip
    rows: list[dict[str, Any]] = []
    serials: list[str] = []
    for code, name, start, end, target, source in campaigns:
        places = [
            {"category": "small_arms", "place": p[0], "quantity": target // 6} for p in KFOR_POINTS
        ]
        weapons_writes.add_campaign(
            store, viewer=viewer,
            data={"code": code, "mission": "KFOR", "name": name, "start": start, "end": end,
                  "label": "NATO UNCLASSIFIED REL TO KFOR, NATO", "source": source,
                  "synthetic": True,
                  "targets": [{"category": "weapons", "quantity": target},
                              {"category": "ammunition", "quantity": target * 150}, *places]},
        )  # fmt: skip
        span = int((end - start).total_seconds() // 60)
        for n in range(int(target * rng.uniform(0.8, 1.1))):
            reused = serials and rng.random() < 0.01  # the same weapon handed in again
            serial = rng.choice(serials) if reused else _serial(rng, "M70")
            serials.append(serial)
            category = "small_arms" if rng.random() < 0.9 else "heavy_weapons"
            rows.append(
                {"uid": f"{code.lower()}-w{n:04d}", "campaign": code, "category": category,
                 "point": rng.choice(KFOR_POINTS)[0],
                 "calibre": "7.62x39mm" if category == "small_arms" else "82mm",
                 "serial": serial, "description": f"weapon ({SYNTHETIC})",
                 "collected_at": start + timedelta(minutes=rng.randint(0, span - 1)),
                 "received_by": "KFOR brigade", "synthetic": True,
                 "label": RESTRICTED if rng.random() < 0.15 else None,
                 "_keep": rng.random() < 0.3}
            )  # fmt: skip
        for n in range(12):
            rows.append(
                {"uid": f"{code.lower()}-b{n:02d}", "campaign": code,
                 "category": rng.choice(["ammunition", "ammunition", "mines", "explosives"]),
                 "point": rng.choice(KFOR_POINTS)[0], "serial": None,
                 "quantity": rng.randint(500, 6000), "description": f"lot ({SYNTHETIC})",
                 "collected_at": start + timedelta(days=7 * n + 1),
                 "received_by": "KFOR brigade", "synthetic": True}
            )  # fmt: skip
    for row in rows:
        if row.get("label") is None:
            row.pop("label", None)
    points = {p[0]: (p[3], p[4]) for p in KFOR_POINTS}
    citing = cite_matching(
        store, viewer, rows, kind="weapons_handed_in", at=lambda r: r["collected_at"],
        place=lambda r: points.get(r["point"]), goods=lambda a: a.get("category"),
        km=20, hours=72,
    )  # fmt: skip
    items = _hand_in(store, viewer, rows)
    events = _store_custody(
        store, viewer, items,
        [("stored", timedelta(hours=20), "brigade armourer", "brigade armoury"),
         ("destroyed", timedelta(days=45), "KFOR EOD", "KFOR destruction range")],
    )  # fmt: skip
    counts = {"weapons_campaigns": 2, "weapons_items": len(items), "custody_events": events,
              "items_citing_reports": citing}  # fmt: skip
    small_arms = [r["serial"] for r in rows if r["category"] == "small_arms"]
    return counts, rng.sample(small_arms, min(6, len(small_arms)))


def load_weapons(store: Store, viewer: Viewer, gen: Any) -> dict[str, int]:
    """The scenario's weapons collection: Essential Harvest and KFOR's own (synthetic)."""
    rng = random.Random(f"weapons-{getattr(gen, 'seed', 1999)}")
    counts, serials = load_kfor_collection(store, viewer, rng)
    harvest = load_essential_harvest(store, viewer, rng, serials)
    # Essential Harvest (Macedonia, 2001) falls outside the generated reports: nothing to cite.
    return {k: counts[k] + harvest.get(k, 0) for k in counts}
