"""The fields each family of report kinds keeps in its ``attributes``, checked and normalised.

A field of the report's kind family must have the right type and range; a field the family
does not define is kept as a free attribute, untouched. Numbers may arrive as text (CSV, KML
and GPX carry text) and are stored as numbers. Problems name ``attributes.<field>``.

Casualties follow ACLED's conservative rule: ``killed`` and ``wounded`` may be a count, a
range (``{"low": 2, "high": 5}``) or the figures of several sources (``[2, 5, 3]``); the
report keeps every reported figure and, as its estimate, the lowest, in
``attributes.casualties``; ``attributes.fatalities`` is the estimate of the killed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Final

from peacewatch.domain.errors import DomainError
from peacewatch.errors import FieldProblem

MAX_FIELD_TEXT = 2_000
WEAPON_CATEGORIES: Final = frozenset(
    {"small_arms", "heavy_weapons", "mines", "explosives", "ammunition"}
)
CASUALTY_FIELDS: Final = ("killed", "wounded")

Check = Callable[[Any, str], Any]


def _integer(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, str):
        text = value.strip()
        number: Any = int(text) if text.lstrip("-").isdecimal() else None
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        number = None
    if number is None:
        raise DomainError(f"{name} must be a whole number", field=name)
    if number < minimum:
        raise DomainError(f"{name} must be {minimum} or more, not {number}", field=name)
    return int(number)


def count(minimum: int) -> Check:
    """A whole number of at least ``minimum``."""
    return lambda value, name: _integer(value, name, minimum)


def amount(value: Any, name: str) -> float | int:
    """A finite number of zero or more (tonnes, litres)."""
    number: Any = value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise DomainError(f"{name} must be a number", field=name)
    if not math.isfinite(number) or number < 0:
        raise DomainError(f"{name} must be zero or more, not {number}", field=name)
    return number


def text(value: Any, name: str) -> str:
    """Non-empty text of reasonable length."""
    if not isinstance(value, str) or not value.strip():
        raise DomainError(f"{name} must be text", field=name)
    if len(value) > MAX_FIELD_TEXT:
        raise DomainError(f"{name} is longer than {MAX_FIELD_TEXT} characters", field=name)
    return value


def texts(value: Any, name: str) -> str | list[str]:
    """Text, or a list of texts."""
    if isinstance(value, list):
        return [text(v, f"{name}[{i}]") for i, v in enumerate(value)]
    return text(value, name)


def size(value: Any, name: str) -> int | str:
    """A strength: a count of one or more, or a word such as "platoon"."""
    if isinstance(value, str) and not value.strip().lstrip("-").isdecimal():
        return text(value, name)
    try:
        return _integer(value, name, 1)
    except DomainError:
        raise DomainError(
            f"{name} must be a count of 1 or more or a word such as 'platoon'", field=name
        ) from None


def weapon_category(value: Any, name: str) -> str:
    """One of WEAPON_CATEGORIES."""
    if value not in WEAPON_CATEGORIES:
        raise DomainError(
            f"{name} must be one of {', '.join(sorted(WEAPON_CATEGORIES))}, not {value!r}",
            field=name,
        )
    return str(value)


def items(fields: Mapping[str, Check], required: tuple[str, ...]) -> Check:
    """A list of objects with ``fields`` (those in ``required`` must be there)."""

    def check(value: Any, name: str) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not value:
            raise DomainError(
                f"{name} must be a list of {{category, quantity}} objects", field=name
            )
        out = []
        for i, item in enumerate(value):
            where = f"{name}[{i}]"
            if not isinstance(item, dict):
                raise DomainError(f"{where} must be an object", field=where)
            for key in required:
                if item.get(key) in (None, ""):
                    raise DomainError(f"{where}.{key} is required", field=f"{where}.{key}")
            out.append(
                {
                    key: fields[key](v, f"{where}.{key}") if key in fields else v
                    for key, v in item.items()
                }
            )
        return out

    return check


def text_or(other: Check) -> Check:
    """Free text (as older reports write it), or what ``other`` accepts."""
    return lambda value, name: text(value, name) if isinstance(value, str) else other(value, name)


# Field schemas by kind family. SPOT/SALUTE: size, activity, location and time (the report's
# own), unit or uniform, equipment.
_SALUTE: dict[str, Check] = {
    "size": size,
    "activity": text,
    "unit": text,
    "uniform": text,
    "equipment": text,
    "count": count(1),
    "vehicles": count(0),
    "category": text,
}
_PATROL: dict[str, Check] = {"patrol": text, "route": text, "findings": texts}
_INCIDENT: dict[str, Check] = {
    "size": size,
    "target": text,
    "vehicles": count(0),
    "crowd": count(0),
    "topic": text,
    "weapon": text,
}
_SEIZURE: dict[str, Check] = {
    # Older reports name what was seized as text, with one quantity.
    "items": text_or(items({"category": text, "quantity": count(1)}, ("category", "quantity"))),
    "quantity": count(1),
}
_AID: dict[str, Check] = {"agency": text, "cargo": text, "goods": text, "tonnes": amount}
_WEAPONS: dict[str, Check] = {
    "items": items(
        {"category": weapon_category, "quantity": count(1), "calibre": text, "serial": text},
        ("category", "quantity"),
    ),
    # Older reports hand in one category at a time.
    "count": count(1),
    "category": weapon_category,
}
_INCIDENT_KINDS = (
    "armed_clash", "shooting", "small_arms_fire", "heavy_weapons_fire", "explosion",
    "mine_ied", "arson", "roadblock", "demonstration", "intimidation",
)  # fmt: skip
_SPOT_KINDS = ("spot", "armed_personnel_sighting", "heavy_weapons_sighting", "movement_of_forces")
FAMILIES: Final[dict[str, tuple[dict[str, Check], tuple[str, ...]]]] = {
    "spot": (_SALUTE, _SPOT_KINDS),
    "patrol": (_PATROL, ("patrol_report",)),
    "incident": (_INCIDENT, _INCIDENT_KINDS),
    "seizure": (_SEIZURE, ("seizure",)),
    "aid_delivery": (_AID, ("aid_delivery",)),
    "weapons_handed_in": (_WEAPONS, ("weapons_handed_in",)),
}
SCHEMAS: Final[dict[str, dict[str, Check]]] = {
    kind: schema for schema, kinds in FAMILIES.values() for kind in kinds
}


def figures(value: Any, name: str) -> list[int]:
    """Reported casualty figures: a count, a {low, high} range or a list of counts."""
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"low", "high"})
        if unknown or not value:
            raise DomainError(
                f"{name} as a range must be {{'low': n, 'high': m}}, not keys {unknown}",
                field=name,
            )
        found = [_integer(value[k], f"{name}.{k}", 0) for k in ("low", "high") if k in value]
        if len(found) == 2 and found[0] > found[1]:
            raise DomainError(f"{name}.low is above {name}.high", field=name)
        return found
    if isinstance(value, list):
        if not value:
            raise DomainError(f"{name} must list at least one figure", field=name)
        return [_integer(v, f"{name}[{i}]", 0) for i, v in enumerate(value)]
    return [_integer(value, name, 0)]


def _stored_casualties(value: Any) -> dict[str, list[int]]:
    """The reported figures of an ``attributes.casualties`` written before (a re-import)."""
    name = "attributes.casualties"
    if not isinstance(value, dict):
        raise DomainError(f"{name} must be an object of killed and wounded", field=name)
    out = {}
    for key, entry in value.items():
        where = f"{name}.{key}"
        if key not in CASUALTY_FIELDS:
            raise DomainError(f"{name} holds only killed and wounded, not {key!r}", field=where)
        if not isinstance(entry, dict) or not isinstance(entry.get("reported"), list):
            raise DomainError(f"{where} must be {{'reported': [...], 'estimate': n}}", field=where)
        reported = figures(entry["reported"], f"{where}.reported")
        estimate = entry.get("estimate")
        if estimate is not None and _integer(estimate, f"{where}.estimate", 0) != min(reported):
            raise DomainError(
                f"{where}.estimate must be the lowest reported figure, {min(reported)}",
                field=f"{where}.estimate",
            )
        out[key] = reported
    return out


def _casualties(attributes: dict[str, Any], problems: list[FieldProblem]) -> None:
    """Move ``killed``/``wounded`` into ``casualties`` and set ``fatalities`` (in place)."""
    reported: dict[str, list[int]] = {}
    if "casualties" in attributes:
        try:
            reported = _stored_casualties(attributes["casualties"])
        except DomainError as exc:
            problems.append(FieldProblem(exc.field or "attributes.casualties", exc.message))
            return
    for key in CASUALTY_FIELDS:
        if key not in attributes:
            continue
        name = f"attributes.{key}"
        if key in reported:
            problems.append(FieldProblem(name, f"given twice: as {key} and as casualties.{key}"))
            continue
        try:
            reported[key] = figures(attributes.pop(key), name)
        except DomainError as exc:
            problems.append(FieldProblem(exc.field or name, exc.message))
    fatalities = attributes.get("fatalities")
    if fatalities is not None and fatalities != "":
        try:
            fatalities = _integer(fatalities, "attributes.fatalities", 0)
        except DomainError as exc:
            problems.append(FieldProblem("attributes.fatalities", exc.message))
            return
        attributes["fatalities"] = fatalities
        if "killed" in reported and fatalities != min(reported["killed"]):
            problems.append(
                FieldProblem(
                    "attributes.fatalities",
                    f"{fatalities} is not the conservative estimate of the killed "
                    f"(the lowest reported figure, {min(reported['killed'])})",
                )
            )
    if not reported:
        return
    attributes["casualties"] = {
        key: {"reported": reported[key], "estimate": min(reported[key])}
        for key in CASUALTY_FIELDS
        if key in reported
    }
    if "killed" in reported:
        attributes["fatalities"] = min(reported["killed"])


def check_attributes(
    kind: str, attributes: dict[str, Any]
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """The attributes of a report of ``kind``, normalised, and the problems found in them."""
    problems: list[FieldProblem] = []
    out = dict(attributes)
    schema = SCHEMAS.get(kind)
    if schema:
        for key, value in attributes.items():
            checker = schema.get(key)
            if checker is None or value is None:
                continue
            name = f"attributes.{key}"
            try:
                out[key] = checker(value, name)
            except DomainError as exc:
                problems.append(FieldProblem(exc.field or name, exc.message))
    if "killed" in out or "wounded" in out or "casualties" in out or "fatalities" in out:
        _casualties(out, problems)
    return out, problems
