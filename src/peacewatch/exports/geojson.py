"""GeoJSON FeatureCollection export: the database-built Feature text spliced in as it is."""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from peacewatch.domain import stanag4774
from peacewatch.exports.plan import Plan


def write_geojson(plan: Plan) -> Iterator[bytes]:
    """The collection with its ``label`` and ``confidentiality`` (STANAG 4774 JSON) members
    first, then the features page by page, then ``numberReturned``."""
    head = {
        "type": "FeatureCollection",
        "label": plan.label.marking,
        "confidentiality": stanag4774.to_json(plan.label),
    }
    yield orjson.dumps(head)[:-1] + b',"features":['
    first = True
    for page in plan.pages():
        chunk = ",".join(page).encode()
        yield chunk if first else b"," + chunk
        first = False
    yield b'],"numberReturned":' + str(plan.count).encode() + b"}\n"
