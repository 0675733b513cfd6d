"""STANAG 4774 confidentiality labels as XML and JSON, for files and responses that leave us.

The structure follows the STANAG 4774 confidentiality metadata label: a policy identifier,
a classification, and categories — here the permissive "Releasable To" category whose
values are the nations and communities of the label. Exports carry it beside or inside the
file, so a receiving system can apply its own label filter.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

from peacewatch.domain.errors import LabelError
from peacewatch.domain.labels import Classification, Label

NAMESPACE = "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"
RELEASABLE_TO = "Releasable To"
_CLASSIFICATION = {
    Classification.NATO_UNCLASSIFIED: "UNCLASSIFIED",
    Classification.NATO_RESTRICTED: "RESTRICTED",
    Classification.NATO_CONFIDENTIAL: "CONFIDENTIAL",
    Classification.NATO_SECRET: "SECRET",
}


def to_json(label: Label, *, created: datetime | None = None) -> dict[str, Any]:
    """The label as a JSON object (field names after the STANAG 4774 XML elements)."""
    return {
        "ConfidentialityInformation": {
            "PolicyIdentifier": label.policy,
            "Classification": _CLASSIFICATION[label.classification],
            "Category": [
                {
                    "TagName": RELEASABLE_TO,
                    "Type": "PERMISSIVE",
                    "GenericValue": sorted(label.releasable_to),
                }
            ],
        },
        "CreationDateTime": (created or datetime.now(UTC)).astimezone(UTC).isoformat(),
        "marking": label.marking,
    }


def to_xml(label: Label, *, created: datetime | None = None) -> str:
    """The label as a STANAG 4774 XML document."""
    ET.register_namespace("slab", NAMESPACE)

    def tag(name: str) -> str:
        return f"{{{NAMESPACE}}}{name}"

    root = ET.Element(tag("ConfidentialityLabel"))
    info = ET.SubElement(root, tag("ConfidentialityInformation"))
    ET.SubElement(info, tag("PolicyIdentifier")).text = label.policy
    ET.SubElement(info, tag("Classification")).text = _CLASSIFICATION[label.classification]
    category = ET.SubElement(
        info, tag("Category"), {"TagName": RELEASABLE_TO, "Type": "PERMISSIVE"}
    )
    for code in sorted(label.releasable_to):
        ET.SubElement(category, tag("GenericValue")).text = code
    stamp = (created or datetime.now(UTC)).astimezone(UTC).isoformat()
    ET.SubElement(root, tag("CreationDateTime")).text = stamp
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def from_xml(text: str) -> Label:
    """Read a label written by ``to_xml`` (or any STANAG 4774 label of the NATO policy with a
    permissive Releasable To category)."""
    if "<!" in text:  # no DTDs, no entities: nothing for an entity-expansion attack to use
        raise LabelError("a label must not contain a DTD or entity declarations", field="label")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise LabelError(f"not a label document: {exc}", field="label") from None
    ns = {"s": NAMESPACE}
    policy = root.findtext("s:ConfidentialityInformation/s:PolicyIdentifier", "", ns)
    level = root.findtext("s:ConfidentialityInformation/s:Classification", "", ns)
    by_name = {v: k for k, v in _CLASSIFICATION.items()}
    codes = [
        v.text or ""
        for c in root.findall("s:ConfidentialityInformation/s:Category", ns)
        if c.get("TagName", "").lower() == RELEASABLE_TO.lower()
        for v in c.findall("s:GenericValue", ns)
    ]
    return Label(by_name.get(level, level), frozenset(codes), policy)  # type: ignore[arg-type]
