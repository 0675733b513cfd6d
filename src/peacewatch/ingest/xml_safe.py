"""Parsing XML files from outside (KML, GPX) safely: no DTD, no entities, no network."""

from __future__ import annotations

import json
import uuid
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from peacewatch.errors import FieldProblem, ValidationFailed


def parse_xml(data: bytes, what: str) -> Element:
    """The document's root; a file that is not well-formed XML, or that declares a DTD or
    entities, is refused as a whole, naming the line where it breaks."""
    try:
        root: Element = fromstring(data, forbid_dtd=True, forbid_entities=True)
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise ValidationFailed(
            f"the {what} file is not well-formed XML at line {line}",
            [FieldProblem("file", f"line {line}, column {column}: {exc.msg}")],
        ) from None
    except (LookupError, UnicodeError) as exc:  # a declared encoding with no usable codec
        raise ValidationFailed(
            f"the {what} file declares an unknown encoding",
            [FieldProblem("file", f"unknown encoding: {exc}")],
        ) from None
    except DefusedXmlException as exc:
        raise ValidationFailed(
            f"the {what} file declares a DTD or entities, which are not accepted",
            [FieldProblem("file", f"refused: {type(exc).__name__}")],
        ) from None
    return root


def local(element: Element) -> str:
    """An element's name without its namespace."""
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def child(element: Element, name: str) -> Element | None:
    """The first child named ``name`` (any namespace)."""
    for c in element:
        if local(c) == name:
            return c
    return None


def text_of(element: Element, name: str) -> str | None:
    """Stripped text of the first child named ``name``, or None when absent or empty."""
    found = child(element, name)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def descendants(element: Element, name: str) -> list[Element]:
    """Every element below ``element`` named ``name`` (any namespace), in document order."""
    return [e for e in element.iter() if local(e) == name]


def stable_id(*parts: Any) -> str:
    """A UUID derived from a record's content, for files that carry none: re-sending the same
    file then gives duplicates, not copies."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "peacewatch:" + "|".join(map(str, parts))))


def split_fields(
    values: dict[str, str], known: frozenset[str] | set[str], ref: str
) -> tuple[dict[str, Any], dict[str, Any]] | FieldProblem:
    """Report fields and free attributes from KML ExtendedData or GPX extensions: known names
    are fields, ``attributes`` is a JSON object of attributes, the rest are attributes."""
    record: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    for key, value in values.items():
        if value == "":
            continue
        if key == "attributes":
            try:
                loaded = json.loads(value)
            except (json.JSONDecodeError, RecursionError):  # not JSON, or nested too deeply
                return FieldProblem("attributes", "must be a JSON object")
            if isinstance(loaded, dict):
                attributes.update(loaded)
        elif key in known:
            record[key] = value
        else:
            attributes[key] = value
    return record, attributes
