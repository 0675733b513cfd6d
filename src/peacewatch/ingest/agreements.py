"""Writing agreements and their obligations: validated, labelled, audited, in one transaction.

An obligation is kept in versions: a new version of an obligation closes the version before
it (its valid_to becomes the new version's valid_from) and every version stays, so that an
observation is judged under the version in force when it was made.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from peacewatch.domain.categories import mask
from peacewatch.domain.labels import Viewer
from peacewatch.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peacewatch.ingest.records import _Checker, _label_or_fail, _mission, _time
from peacewatch.store import Store, audit, reference
from peacewatch.store.tables import agreements, obligations, zones


def add_agreement(store: Store, *, viewer: Viewer, data: dict[str, Any]) -> str:
    """Create an agreement with its obligations; returns its code."""
    check = _Checker()
    code = check.require(data, "code")
    name = check.require(data, "name")
    mission = check.require(data, "mission")
    eif = check("entry_into_force", lambda: _time(data.get("entry_into_force"), "entry_into_force"))
    signed = check("signed", lambda: _time(data.get("signed"), "signed", required=False))
    items = data.get("obligations") or []
    if not isinstance(items, list):
        check.problems.append(FieldProblem("obligations", "must be a list"))
        items = []
    parsed = [_parse_obligation(check, item, f"obligations[{i}].") for i, item in enumerate(items)]
    check.done("agreement")
    now = datetime.now(UTC)
    with store.write() as conn:
        mission_id, default = _mission(conn, mission)
        exists = conn.execute(
            select(agreements.c.id).where(
                agreements.c.mission_id == mission_id, agreements.c.code == code
            )
        ).first()
        if exists is not None:
            raise Conflict(f"agreement {code!r} exists already", [FieldProblem("code", "exists")])
        label_id = _label_or_fail(conn, store, viewer, data.get("label"), default)
        agreement_id = conn.execute(
            agreements.insert()
            .values(
                mission_id=mission_id,
                code=code,
                name=name,
                signed_at=signed,
                entry_into_force=eif,
                source=data.get("source"),
                attributes=data.get("attributes") or {},
                label_id=label_id,
                created_by=viewer.name,
                created_at=now,
            )
            .returning(agreements.c.id)
        ).scalar_one()
        for i, ob in enumerate(parsed):
            _write_obligation(
                conn, store, viewer, agreement_id, mission_id, ob, f"obligations[{i}]."
            )
        audit.append(
            conn,
            actor=viewer.name,
            action="agreement.create",
            target=str(code),
            detail={"obligations": len(parsed)},
        )
    return str(code)


def add_obligation_version(
    store: Store, *, viewer: Viewer, mission: str, agreement: str, data: dict[str, Any]
) -> int:
    """A new version of an obligation (or a new obligation); returns its version number."""
    check = _Checker()
    ob = _parse_obligation(check, data, "")
    check.done("obligation")
    with store.write() as conn:
        mission_id, _ = _mission(conn, mission)
        row = conn.execute(
            select(agreements.c.id).where(
                agreements.c.mission_id == mission_id, agreements.c.code == agreement
            )
        ).first()
        if row is None:
            raise NotFound(f"no agreement {agreement!r} in {mission}")
        version = _write_obligation(conn, store, viewer, int(row.id), mission_id, ob, "")
        audit.append(
            conn,
            actor=viewer.name,
            action="obligation.version",
            target=f"{agreement}/{ob['code']}",
            detail={"version": version},
        )
    return version


def _parse_obligation(check: _Checker, item: Any, prefix: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        check.problems.append(FieldProblem(prefix.rstrip(".") or "obligation", "must be an object"))
        return {}
    out: dict[str, Any] = {
        "code": check.require(item, "code") if "code" in item else None,
        "clause": item.get("clause") or "",
        "title": item.get("title") or "",
        "parties": item.get("parties") or [],
        "zones": item.get("zones") or [],
        "prohibited": item.get("prohibited") or [],
        "valid_from": check(
            f"{prefix}valid_from", lambda: _time(item.get("valid_from"), f"{prefix}valid_from")
        ),
        "valid_to": check(
            f"{prefix}valid_to",
            lambda: _time(item.get("valid_to"), f"{prefix}valid_to", required=False),
        ),
        "deadline": item.get("deadline"),
        "source": item.get("source"),
        "label": item.get("label"),
    }
    if not out["code"]:
        check.problems.append(FieldProblem(f"{prefix}code", "is required"))
    for key in ("clause", "title"):
        if not out[key]:
            check.problems.append(FieldProblem(f"{prefix}{key}", "is required"))
    for key in ("parties", "zones", "prohibited"):
        value = out[key]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            check.problems.append(
                FieldProblem(f"{prefix}{key}", "must be a non-empty list of names")
            )
    if isinstance(out["prohibited"], list):
        check(f"{prefix}prohibited", mask, out["prohibited"], field=f"{prefix}prohibited")
    vf, vt = out["valid_from"], out["valid_to"]
    if vf is not None and vt is not None and vt <= vf:
        check.problems.append(FieldProblem(f"{prefix}valid_to", "must be after valid_from"))
    return out


def _write_obligation(
    conn: Connection,
    store: Store,
    viewer: Viewer,
    agreement_id: int,
    mission_id: int,
    ob: dict[str, Any],
    prefix: str,
) -> int:
    known_parties = reference.party_ids(conn, mission_id)
    unknown = [p for p in ob["parties"] if p not in known_parties]
    if unknown:
        raise ValidationFailed(
            "unknown party",
            [FieldProblem(f"{prefix}parties", f"not parties of the mission: {', '.join(unknown)}")],
        )
    found = set(
        conn.execute(
            select(zones.c.uid).where(
                zones.c.mission_id == mission_id, zones.c.uid.in_(ob["zones"])
            )
        ).scalars()
    )
    missing = [z for z in ob["zones"] if z not in found]
    if missing:
        raise ValidationFailed(
            "unknown zone",
            [FieldProblem(f"{prefix}zones", f"no zone with uid {', '.join(missing)}")],
        )
    previous = conn.execute(
        select(
            obligations.c.id,
            obligations.c.version,
            obligations.c.valid_from,
            obligations.c.valid_to,
        )
        .where(obligations.c.agreement_id == agreement_id, obligations.c.code == ob["code"])
        .order_by(obligations.c.version.desc())
        .limit(1)
    ).first()
    version = 1
    if previous is not None:
        version = int(previous.version) + 1
        if ob["valid_from"] <= previous.valid_from:
            raise ValidationFailed(
                "a new version must start after the one before",
                [
                    FieldProblem(
                        f"{prefix}valid_from",
                        f"must be after {previous.valid_from:%Y-%m-%dT%H:%M:%SZ}",
                    )
                ],
            )
        if previous.valid_to is None or previous.valid_to > ob["valid_from"]:
            conn.execute(
                update(obligations)
                .where(obligations.c.id == previous.id)
                .values(valid_to=ob["valid_from"])
            )
    default = reference.default_labels(conn, [mission_id])[mission_id]
    label_id = _label_or_fail(conn, store, viewer, ob["label"], default)
    conn.execute(
        obligations.insert().values(
            agreement_id=agreement_id,
            code=ob["code"],
            version=version,
            clause=ob["clause"],
            title=ob["title"],
            parties=ob["parties"],
            zones=ob["zones"],
            prohibited=ob["prohibited"],
            valid_from=ob["valid_from"],
            valid_to=ob["valid_to"],
            deadline=ob["deadline"],
            source=ob["source"],
            label_id=label_id,
            created_by=viewer.name,
            created_at=datetime.now(UTC),
        )
    )
    return version
