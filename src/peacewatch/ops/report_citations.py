"""The ``reports`` a seizure or an item handed in cites: checked inside the writer's
transaction (every uid a report the writer may see, none twice) and linked after the rows
are in. A uid that is absent and one that is hidden get the same answer, so a refusal never
tells a writer that a report they may not see exists."""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table

from peacewatch.domain.labels import Viewer
from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.store import report_citations

MAX_CITED = 100


def _problem(what: str, field: str, message: str) -> ValidationFailed:
    return ValidationFailed(
        f"the {what} is not valid: {field}: {message}", [FieldProblem(field, message)]
    )


def _canonical(uid: str) -> str:
    # Report uuids are stored in canonical form (ingest/validate.py); accept any spelling.
    try:
        return str(uuidlib.UUID(uid))
    except ValueError:
        return uid


def _listed(value: object, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _problem(what, "reports", "must be a list of report uids")
    if len(value) > MAX_CITED:
        raise _problem(what, "reports", f"at most {MAX_CITED} reports")
    return value


def check_citations(
    conn: Connection, *, viewer: Viewer, records: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[list[int]]:
    """For each (what, data) record, the row ids of the reports its ``reports`` field cites,
    in order; a 422 naming ``reports[i]`` and the uid when one is not a report the writer may
    see or is cited twice."""
    listed = [(what, _listed(data.get("reports"), what)) for what, data in records]
    wanted = [_canonical(u) for _, uids in listed for u in uids]
    found = report_citations.visible_report_ids(conn, viewer=viewer, uuids=wanted)
    out = []
    for what, uids in listed:
        ids: list[int] = []
        for i, uid in enumerate(uids):
            report_id = found.get(_canonical(uid))
            if report_id is None:
                raise _problem(what, f"reports[{i}]", f"no report {uid!r} that you may see")
            if report_id in ids:
                raise _problem(what, f"reports[{i}]", f"report {uid!r} is cited twice")
            ids.append(report_id)
        out.append(ids)
    return out


def link(conn: Connection, *, table: Table, uids: Sequence[str], cited: Sequence[list[int]]) -> int:
    """Write the links of the new rows ``uids`` of ``table`` (``cited`` in the same order)."""
    return report_citations.add_citations(
        conn, table=table, cited=dict(zip(uids, cited, strict=True))
    )
