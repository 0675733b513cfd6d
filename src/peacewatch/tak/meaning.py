"""What a CoT event means to PeaceWatch: a position of a unit, a report, control, or nothing.

- A device's own situational awareness (an ``a-…`` thing sent by machine, ``how`` ``m-…``,
  or carrying the device's ``contact`` endpoint or ``__group``, and not placed on the map by
  someone: no ``link relation="p-p"``) is a **position** of the unit whose CoT uid it is.
- A marker someone placed (``a-h-G``, ``a-u-G``, a spot map point ``b-m-p-s-p-i``, an alert
  ``b-a-o``, a drawn point ``u-d-p``) is a **report** of the kind ``types.kind_for_type``
  gives, through the ingest pipeline. Its uid, type, place and remarks make its client id,
  so a device re-sending the same marker makes a duplicate, and moving it a new report.
- ``t-x-c-t`` (ping) and ``t-x-takp-q`` (protocol request) are **control**.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from peacewatch.tak.cot import UNKNOWN, CotEvent
from peacewatch.tak.types import is_thing, kind_for_type, sidc_for_type

PING = "t-x-c-t"
PONG = "t-x-c-t-r"
TAKP_SUPPORT = "t-x-takp-v"
TAKP_QUERY = "t-x-takp-q"
TAKP_RESPONSE = "t-x-takp-r"


@dataclass(frozen=True, slots=True)
class Position:
    """A unit's position from its device's SA."""

    cot_uid: str
    record: dict[str, Any]  # for records.add_positions, once the unit exists
    event: CotEvent
    nation: str
    mission: str

    @property
    def unit(self) -> dict[str, Any]:
        """The unit to create (records.add_unit) when this device is new."""
        event = self.event
        attributes: dict[str, Any] = {"cot_uid": event.uid, "cot_type": event.type}
        if event.group_name:
            attributes["team"] = event.group_name
            attributes["role"] = event.group_role
        if event.endpoint:
            attributes["endpoint"] = event.endpoint
        unit: dict[str, Any] = {
            "uid": event.uid,
            "name": event.callsign or event.uid,
            "mission": self.mission,
            "sidc": sidc_for_type(event.type),
            "nation": self.nation,
            "source": "TAK",
            "attributes": attributes,
        }
        if event.label:
            unit["label"] = event.label
        return unit


def _precision(ce: float) -> int | None:
    """ACLED-style location precision (1 exact … 3 region) from the circular error in m."""
    if ce >= UNKNOWN or ce <= 0:
        return None
    return 1 if ce <= 1000 else 2 if ce <= 10_000 else 3


def is_position(event: CotEvent) -> bool:
    """True for a device's own SA (see the module's docstring)."""
    if not is_thing(event.type):
        return False
    placed = any(link.get("relation") == "p-p" for link in event.links)
    own = event.how.startswith("m-") or bool(event.endpoint) or bool(event.group_name)
    return own and not placed


def position(event: CotEvent, *, nation: str, mission: str) -> Position:
    """The position (and the unit to create if it is new) of an SA event."""
    record: dict[str, Any] = {
        "unit_uid": event.uid,
        "observed_at": event.time,
        "lon": event.lon,
        "lat": event.lat,
        "source": f"tak:{event.uid}",
    }
    if event.label:
        record["label"] = event.label
    return Position(event.uid, record, event, nation, mission)


def _client_id(event: CotEvent) -> str:
    """The report's client id: devices re-send a marker with a new time every so often, so
    what it says (uid, type, place, remarks) identifies it, not when it was sent."""
    content = f"{event.uid}|{event.type}|{event.lat:.6f}|{event.lon:.6f}|{event.remarks or ''}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "peacewatch:cot|" + content))


def report(event: CotEvent, kind: str, *, user: str) -> tuple[str, dict[str, Any]]:
    """A marker or bit as a pipeline item (reference, canonical record)."""
    attributes: dict[str, Any] = {
        "cot_uid": event.uid,
        "cot_type": event.type,
        "how": event.how,
        "stale": event.stale.isoformat(),
    }
    for name, value in (("ce", event.ce), ("le", event.le), ("hae", event.hae)):
        if value < UNKNOWN:
            attributes[name] = value
    if event.callsign:
        attributes["callsign"] = event.callsign
    if event.links:
        attributes["links"] = event.links[:20]
    if event.speed is not None:
        attributes["speed"], attributes["course"] = event.speed, event.course
    record: dict[str, Any] = {
        "id": _client_id(event),
        "kind": kind,
        "observed_at": event.time,
        "lon": event.lon,
        "lat": event.lat,
        "title": (event.callsign or event.type)[:300],
        "source": f"TAK {user}",
        "attributes": attributes,
    }
    if event.remarks:
        record["text"] = event.remarks
    if event.label:
        record["label"] = event.label
    precision = _precision(event.ce)
    if precision is not None:
        record["location_precision"] = precision
    return f"CoT {event.uid}", record


def report_kind(event: CotEvent) -> str | None:
    """The report kind of a marker or bit, or None when the event is not a report."""
    return kind_for_type(event.type)
