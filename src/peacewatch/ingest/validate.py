"""Checking one canonical report record and turning it into a row for the store.

A canonical record is a plain dict (what every adapter produces):
``id`` (client UUID), ``kind``, ``observed_at``, optional ``reported_at``, a location as
``lon``/``lat``, ``mgrs`` or ``place``, optional ``label`` (marking text), ``party``,
``source``, ``grade`` (Admiralty, e.g. "B2"), ``title``, ``text``, ``location_precision``
and ``time_precision`` (1–3, as ACLED), ``synthetic`` and ``attributes``.

A correction is a record that also names the report it corrects (``corrects``: that report's
UUID) and may say why (``reason``); its own ``id`` is the correction's client UUID.
"""

from __future__ import annotations

import math
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from peacewatch.domain.admiralty import Grade
from peacewatch.domain.dtg import parse_time
from peacewatch.domain.errors import DomainError
from peacewatch.domain.grid import from_mgrs
from peacewatch.domain.labels import Label, Viewer, can_write
from peacewatch.errors import FieldProblem
from peacewatch.ingest.kinds import REPORT_KINDS
from peacewatch.ingest.report_fields import check_attributes

MAX_TEXT = 20_000
MAX_TITLE = 300
KNOWN_FIELDS = frozenset(
    {
        "id", "kind", "observed_at", "reported_at", "lon", "lat", "mgrs", "place", "label",
        "party", "source", "grade", "title", "text", "location_precision", "time_precision",
        "synthetic", "attributes", "mission", "corrects",
    }
)  # fmt: skip


def authorised_label(
    value: Any, *, viewer: Viewer, release_codes: frozenset[str], default: Label
) -> Label:
    """The label of a record to be written, checked: every release code is registered and the
    writer may write it (not above their clearance, releasable to them).

    ``value`` is a marking ("NATO RESTRICTED REL TO KFOR, NATO"), its parts
    ({"classification", "releasable_to"}), a Label, or empty for ``default``.
    """
    if value is None or value == "":
        label = default
    elif isinstance(value, Label):
        label = value
    elif isinstance(value, dict):
        label = Label.from_parts(value.get("classification", ""), value.get("releasable_to", ""))
    elif isinstance(value, str):
        label = Label.parse(value)
    else:
        raise DomainError(
            "label must be a marking such as 'NATO RESTRICTED REL TO KFOR'", field="label"
        )
    unknown = sorted(label.releasable_to - release_codes)
    if unknown:
        raise DomainError(
            f"unknown release code(s) {', '.join(unknown)}: not a nation or community "
            "registered in this mission",
            field="label",
        )
    if not can_write(viewer, label):
        raise DomainError(
            f"you may not write a record labelled {label.marking}: it is above your "
            "clearance or not releasable to you",
            field="label",
        )
    return label


class RecordInvalid(Exception):
    """A record failed validation; ``problems`` name each field at fault."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


@dataclass
class Context:
    """What validation needs to know about the store, resolved once per ingest run."""

    viewer: Viewer
    mission_id: int
    mission_code: str
    default_label: Label
    release_codes: frozenset[str]
    party_ids: dict[str, int]
    find_place: Callable[[str], tuple[float, float] | None]
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    _labels: dict[str, Label] = field(default_factory=dict)
    _grades: dict[str, str] = field(default_factory=dict)

    def label(self, value: Any) -> Label:
        """Parse and authorise a label (cached by marking: a file repeats few labels)."""
        key = value if isinstance(value, str) else None
        cached = self._labels.get(key) if key is not None else None
        if cached is not None:
            return cached
        label = authorised_label(
            value, viewer=self.viewer, release_codes=self.release_codes, default=self.default_label
        )
        if key is not None:
            self._labels[key] = label
        return label

    def grade(self, text: Any) -> str | None:
        """Normalised Admiralty grade or None."""
        if text is None or text == "":
            return None
        if not isinstance(text, str):
            raise DomainError("grade must be text such as 'B2'", field="grade")
        cached = self._grades.get(text)
        if cached is None:
            cached = str(Grade.parse(text))
            self._grades[text] = cached
        return cached


def _coordinate(value: Any, name: str, bound: float) -> float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise DomainError(f"{name} {value!r} is not a number", field=name) from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DomainError(f"{name} must be a number", field=name)
    number = float(value)
    if not math.isfinite(number) or not -bound <= number <= bound:
        raise DomainError(f"{name} {number} is outside -{bound:g}..{bound:g}", field=name)
    return number


# Precision codes as ACLED and UCDP use them: how closely the report places the event.
LOCATION_PRECISION = {"exact": 1, "near": 2, "town": 2, "region": 3}
TIME_PRECISION = {"day": 1, "week": 2, "month": 3}
_PRECISION_MEANING = {
    "location_precision": "1 (the exact place), 2 (near a town) or 3 (only the region)",
    "time_precision": "1 (the day is known), 2 (the week) or 3 (only the month)",
}


def _precision(value: Any, name: str) -> int:
    if value is None or value == "":
        return 1
    names = LOCATION_PRECISION if name == "location_precision" else TIME_PRECISION
    number: Any = None
    if isinstance(value, str):
        text = value.strip().lower()
        number = names.get(text) or (int(text) if text.isdecimal() else None)
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    if number not in (1, 2, 3):
        raise DomainError(
            f"{name} must be 1, 2 or 3: {_PRECISION_MEANING[name]}, not {value!r}", field=name
        )
    return int(number)


def _text(value: Any, name: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise DomainError(f"{name} must be text", field=name)
    if len(value) > limit:
        raise DomainError(f"{name} is longer than {limit} characters", field=name)
    return value


def _location(record: dict[str, Any], ctx: Context) -> tuple[float, float]:
    if record.get("lon") is not None or record.get("lat") is not None:
        return (
            _coordinate(record.get("lon"), "lon", 180.0),
            _coordinate(record.get("lat"), "lat", 90.0),
        )
    if record.get("mgrs"):
        return from_mgrs(str(record["mgrs"]))
    if record.get("place"):
        found = ctx.find_place(str(record["place"]))
        if found is None:
            raise DomainError(f"place {record['place']!r} is not in the gazetteer", field="place")
        return found
    raise DomainError("a location is required: lon and lat, mgrs, or place", field="lon")


def to_row(record: dict[str, Any], ctx: Context) -> tuple[dict[str, Any], Label]:
    """Validate ``record`` and return the store row and its label; raises RecordInvalid."""
    problems: list[FieldProblem] = []

    def check(name: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except DomainError as exc:
            problems.append(FieldProblem(exc.field or name, exc.message))
        except (TypeError, ValueError) as exc:
            problems.append(FieldProblem(name, str(exc) or "invalid value"))
        return None

    if not isinstance(record, dict):
        raise RecordInvalid([FieldProblem("record", "must be an object of report fields")])
    report_id = check("id", lambda: _uuid(record.get("id")))
    kind = record.get("kind")
    if not isinstance(kind, str) or kind not in REPORT_KINDS:  # a list or object is no key
        problems.append(
            FieldProblem(
                "kind", f"unknown kind {kind!r}; expected one of {', '.join(REPORT_KINDS)}"
            )
        )
    observed = check(
        "observed_at", lambda: parse_time(record.get("observed_at"), field="observed_at")
    )
    reported_raw = record.get("reported_at")
    reported = (
        check("reported_at", lambda: parse_time(reported_raw, field="reported_at"))
        if reported_raw not in (None, "")
        else ctx.now
    )
    location = check("lon", lambda: _location(record, ctx))
    label = check("label", lambda: ctx.label(record.get("label")))
    grade = check("grade", lambda: ctx.grade(record.get("grade")))
    party = record.get("party") or None
    party_id = None
    if party is not None:
        party_id = ctx.party_ids.get(party) if isinstance(party, str) else None
        if party_id is None:
            problems.append(
                FieldProblem("party", f"unknown party {party!r}; known: {', '.join(ctx.party_ids)}")
            )
    mission = record.get("mission")
    if mission not in (None, "", ctx.mission_code):
        problems.append(
            FieldProblem(
                "mission", f"this ingest is for mission {ctx.mission_code}, not {mission!r}"
            )
        )
    title = check("title", lambda: _text(record.get("title"), "title", MAX_TITLE))
    body = check("text", lambda: _text(record.get("text"), "text", MAX_TEXT))
    source = check("source", lambda: _text(record.get("source"), "source", MAX_TITLE))
    loc_precision = check(
        "location_precision",
        lambda: _precision(record.get("location_precision"), "location_precision"),
    )
    time_precision = check(
        "time_precision", lambda: _precision(record.get("time_precision"), "time_precision")
    )
    attributes = record.get("attributes") or {}
    corrects = reason = None
    if record.get("corrects") not in (None, ""):
        corrects = check("corrects", lambda: _uuid(record.get("corrects"), "corrects"))
        if corrects is not None and corrects == report_id:
            problems.append(
                FieldProblem("id", "a correction needs its own id, not the corrected report's")
            )
        if isinstance(attributes, dict) and "reason" in attributes and "reason" not in record:
            attributes = {k: v for k, v in attributes.items() if k != "reason"}  # a CSV column
            reason = record.get("attributes", {}).get("reason")
        else:
            reason = record.get("reason")
        reason = check("reason", lambda: _text(reason, "reason", MAX_TEXT))
    if not isinstance(attributes, dict):
        problems.append(FieldProblem("attributes", "must be an object"))
    elif isinstance(kind, str):
        attributes, attribute_problems = check_attributes(kind, attributes)
        problems.extend(attribute_problems)
    synthetic = record.get("synthetic", False)
    if not isinstance(synthetic, bool):
        if synthetic in ("true", "1", "yes", "false", "0", "no", ""):
            synthetic = synthetic in ("true", "1", "yes")
        else:
            problems.append(FieldProblem("synthetic", "must be true or false"))
    if problems:
        raise RecordInvalid(problems)
    assert location is not None and label is not None and isinstance(kind, str)
    row = {
        "uuid": report_id,
        "mission_id": ctx.mission_id,
        "kind": kind,
        "observed_at": observed,
        "reported_at": reported,
        "lon": location[0],
        "lat": location[1],
        "location_precision": loc_precision,
        "time_precision": time_precision,
        "party_id": party_id,
        "source": source,
        "grade": grade,
        "title": title or REPORT_KINDS[kind].title,
        "text": body or "",
        "synthetic": bool(synthetic),
        "attributes": attributes,
        "created_by": ctx.viewer.name,
        "created_at": ctx.now,
    }
    if corrects is not None:  # taken off the row by the pipeline before it is written
        row |= {"corrects": corrects, "reason": reason}
    return row, label


def _uuid(value: Any, name: str = "id") -> str:
    if not isinstance(value, str) or not value:
        raise DomainError(
            f"{name} is required: the report's UUID, chosen by the sender", field=name
        )
    try:
        return str(uuidlib.UUID(value))
    except ValueError:
        raise DomainError(f"{name} {value!r} is not a UUID", field=name) from None
