"""HXL-tagged CSV (Humanitarian Exchange Language) → canonical report records.

Rows above the hashtag row are human headers; the hashtag row names each column's meaning
(``#geo+lat``); rows below are data. Hashtags match with their attributes in any order and
case. A column without a hashtag is ignored, as HXL says; a column whose hashtag PeaceWatch
does not know rejects every row, naming the column, rather than drop data silently.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.ingest.kinds import kind_from
from peacewatch.ingest.pipeline import Item, Rejection

# hashtag → (record key, or "attributes.<key>")
TAGS = {
    "#event+id": "id",
    "#event+type": "kind",
    "#event+name": "title",
    "#date+occurred": "observed_at",
    "#date": "observed_at",
    "#date+reported": "reported_at",
    "#geo+lat": "lat",
    "#geo+lon": "lon",
    "#adm1+name": "attributes.sector",
    "#group+party": "party",
    "#org": "source",
    "#affected+killed": "attributes.fatalities",
    "#meta+grade": "grade",
    "#description": "text",
    "#meta+label": "label",
}
_HEADER_ROWS = 25  # HXL allows header rows above the hashtag row; look this far for it


def normalise(tag: str) -> str:
    """'#Geo +Lat' → '#geo+lat'; attributes sorted, so '#date+occurred' matches however
    its attributes are ordered."""
    base, *attributes = "".join(tag.split()).lower().split("+")
    return "+".join([base, *sorted(a for a in attributes if a)])


_KNOWN = {normalise(tag): key for tag, key in TAGS.items()}


def _is_hashtag_row(row: list[str]) -> bool:
    cells = [c.strip() for c in row if c.strip()]
    return bool(cells) and all(c.startswith("#") for c in cells)


def hxl_items(data: bytes | str) -> Iterator[Item]:
    """One item per data row; a file without a hashtag row is refused before anything."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationFailed(
                "the HXL file is not UTF-8 text",
                [FieldProblem("file", f"not UTF-8 at byte {exc.start}")],
            ) from None
    reader = csv.reader(io.StringIO(data, newline=""))
    try:
        for _ in range(_HEADER_ROWS):
            row = next(reader, None)
            if row is None:
                break
            if _is_hashtag_row(row):
                return _rows(reader, [c.strip() for c in row])
    except csv.Error as exc:
        raise ValidationFailed(
            f"the HXL file is malformed at line {reader.line_num}",
            [FieldProblem("file", f"line {reader.line_num}: {exc}")],
        ) from None
    raise ValidationFailed(
        "no HXL hashtag row found",
        [FieldProblem("file", f"none of the first {_HEADER_ROWS} rows is a row of #hashtags")],
    )


def _rows(reader: Any, tags: list[str]) -> Iterator[Item]:
    keys = [_KNOWN.get(normalise(t)) if t else None for t in tags]
    unknown = [
        FieldProblem(t, f"column {i + 1}: unknown HXL hashtag {t}; known: {', '.join(TAGS)}")
        for i, (t, k) in enumerate(zip(tags, keys, strict=True))
        if t and k is None
    ]
    try:
        for row in reader:
            ref = f"line {reader.line_num}"
            if not any(c.strip() for c in row):
                continue
            if unknown:
                yield Rejection(ref, unknown)
                continue
            yield ref, _record(row, keys)
    except csv.Error as exc:
        raise ValidationFailed(
            f"the HXL file is malformed at line {reader.line_num}",
            [FieldProblem("file", f"line {reader.line_num}: {exc}")],
        ) from None


def _record(row: list[str], keys: list[str | None]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    for key, value in zip(keys, row, strict=False):
        value = value.strip()
        if key is None or value == "" or key in record:
            continue
        if key.startswith("attributes."):
            attributes[key.split(".", 1)[1]] = value
        else:
            record[key] = value
    if isinstance(record.get("kind"), str):
        record["kind"] = kind_from(record["kind"]) or record["kind"]
    if attributes:
        record["attributes"] = attributes
    return record
