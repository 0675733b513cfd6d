"""GeoJSON FeatureCollection of Point reports → canonical report records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.ingest.pipeline import Item, Rejection


def parse_geojson(data: bytes | str) -> Any:
    """Decode GeoJSON text; a file that is not JSON is refused as a whole."""
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = (
            f" at line {exc.lineno} column {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise ValidationFailed(
            f"the file is not valid JSON{where}",
            [FieldProblem("file", f"not valid JSON{where}: {getattr(exc, 'msg', exc)}")],
        ) from None
    except RecursionError:
        raise ValidationFailed(
            "the file's JSON is nested too deeply",
            [FieldProblem("file", "JSON nested too deeply to read")],
        ) from None


def geojson_items(doc: Any) -> Iterator[Item]:
    """One item per feature of a FeatureCollection (or a single Feature)."""
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ValidationFailed(
            "a GeoJSON FeatureCollection is expected",
            [FieldProblem("type", "must be 'FeatureCollection' (or a single 'Feature')")],
        )
    _check_crs(doc.get("crs"))
    features = doc.get("features")
    if not isinstance(features, list):
        raise ValidationFailed(
            "the FeatureCollection has no features array",
            [FieldProblem("features", "must be an array of Feature objects")],
        )
    for index, feature in enumerate(features):
        yield _feature_item(index, feature)


def _feature_item(index: int, feature: Any) -> Item:
    ref = f"feature {index}"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return Rejection(ref, [FieldProblem("type", "must be a GeoJSON Feature object")])
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        return Rejection(ref, [FieldProblem("properties", "must be an object")])
    record = dict(props)
    feature_id = feature.get("id", props.get("id"))
    if feature_id is not None:
        record["id"] = str(feature_id)
        ref = f"feature {index} ({feature_id})"
    geometry = feature.get("geometry")
    if geometry is not None:
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
            return Rejection(
                ref, [FieldProblem("geometry", f"a report needs a Point geometry, not {kind}")]
            )
        coords = geometry.get("coordinates")
        if not isinstance(coords, list) or len(coords) not in (2, 3):
            return Rejection(
                ref, [FieldProblem("geometry.coordinates", "must be [lon, lat] or [lon, lat, alt]")]
            )
        record["lon"], record["lat"] = coords[0], coords[1]
    return ref, record


# GeoJSON is WGS 84 longitude/latitude (RFC 7946); the 2008 draft's ``crs`` member may name
# it (CRS84, or EPSG:4326 as many writers label lon/lat files). Any other CRS would put the
# reports somewhere else, so the file is refused rather than misread.
_WGS84 = frozenset(
    {
        "urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:ogc::crs84", "ogc:crs84", "crs84",
        "epsg:4326", "urn:ogc:def:crs:epsg::4326", "urn:ogc:def:crs:epsg:6.6:4326",
        "http://www.opengis.net/def/crs/ogc/1.3/crs84",
        "http://www.opengis.net/def/crs/epsg/0/4326",
    }
)  # fmt: skip


def _check_crs(crs: Any) -> None:
    if crs is None:
        return
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if isinstance(name, str) and name.strip().lower() in _WGS84:
        return
    shown = name if isinstance(name, str) else json.dumps(crs)[:80]
    raise ValidationFailed(
        f"the file's CRS {shown} is not WGS 84 longitude/latitude",
        [FieldProblem("crs", f"{shown} is not accepted: use CRS84 (WGS 84 lon/lat) or omit crs")],
    )
