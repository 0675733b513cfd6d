"""/ogc: OGC API – Features, Part 1 (Core, GeoJSON, OpenAPI 3.0) over the label-filtered store.

QGIS, GDAL's OAPIF driver and other OGC clients read zones, units, reports, violations and
events here with a bearer token; every page and item goes through the same store functions
(and so the same label filter) as /api/v1, and through ``mark``/``labelled`` for banner and
audit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from peacewatch.api.deps import Reader, StoreDep
from peacewatch.api.marking import collection_label, labelled, mark
from peacewatch.api.ogc_params import (
    ITEMS_PARAMS,
    LIMIT_DEFAULT,
    LIMIT_MAX,
    bad,
    check_known,
    parse_datetime,
    parse_limit,
    parse_ogc_bbox,
)
from peacewatch.api.ogc_sources import SOURCES, Query, Source
from peacewatch.domain.times import rfc3339
from peacewatch.errors import NotFound, ValidationFailed
from peacewatch.store.extents import Extent

router = APIRouter(prefix="/ogc", tags=["OGC API – Features"])

JSON = "application/json"
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
FORMAT_ONLY = frozenset({"f"})
_F_PARAM = {
    "name": "f",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": ["json"]},
    "description": "the format; only JSON (GeoJSON for features) is offered",
}
_ITEMS_PARAMS = [
    {
        "name": "bbox",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "schema": {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
        "description": "minlon,minlat,maxlon,maxlat in CRS84",
    },
    {
        "name": "datetime",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "an RFC 3339 instant, or an interval a/b with '..' for an open end",
    },
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX, "default": LIMIT_DEFAULT},
        "description": "features per page",
    },
    {
        "name": "cursor",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "opaque: follow the next link rather than building it",
    },
    _F_PARAM,
]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _now() -> str | None:
    return rfc3339(datetime.now(UTC))


def _json(body: dict[str, Any], media_type: str = JSON) -> Response:
    return Response(orjson.dumps(body), media_type=media_type)


def _source(collection_id: str) -> Source:
    source = SOURCES.get(collection_id)
    if source is None:
        raise NotFound(f"no collection {collection_id}; see /ogc/collections")
    return source


def _extent(extents: list[Extent]) -> dict[str, Any] | None:
    """The OGC extent covering ``extents``: the union of their boxes and time spans."""
    if not extents:
        return None
    boxes = [e.bbox for e in extents]
    bbox = [
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    ]
    starts, ends = [e.start for e in extents], [e.end for e in extents]
    start = None if None in starts else min(t for t in starts if t is not None)
    end = None if None in ends else max(t for t in ends if t is not None)
    return {
        "spatial": {"bbox": [bbox], "crs": CRS84},
        "temporal": {"interval": [[rfc3339(start), rfc3339(end)]], "trs": GREGORIAN},
    }


def _collection(request: Request, source: Source, extents: list[Extent]) -> dict[str, Any]:
    href = f"{_base(request)}/collections/{source.id}"
    body: dict[str, Any] = {
        "id": source.id,
        "title": source.title,
        "description": source.description,
        "links": [
            {"href": href, "rel": "self", "type": JSON, "title": "This collection"},
            {"href": f"{href}/items", "rel": "items", "type": GEOJSON, "title": source.title},
        ],
        "itemType": "feature",
        "crs": [CRS84],
    }
    extent = _extent(extents)
    if extent is not None:
        body["extent"] = extent
    return body


def _described(request: Request, store: StoreDep, viewer: Reader, sources: list[Source]) -> Any:
    """The metadata of ``sources`` with extents over what ``viewer`` may see, marked with the
    labels those extents were derived from."""
    with store.read() as conn:
        extents = {s.id: s.extents(conn, viewer) for s in sources}
    mark(
        request,
        store,
        viewer,
        [(f"{sid}/extent", e.label) for sid, found in extents.items() for e in found],
    )
    return [_collection(request, s, extents[s.id]) for s in sources]


@router.get("", summary="Landing page", response_class=Response)
@router.get("/", include_in_schema=False, response_class=Response)
def landing(request: Request, store: StoreDep, viewer: Reader) -> Response:
    """Where to find the API definition, the conformance classes and the collections."""
    check_known(request.query_params, FORMAT_ONLY)
    base, root = _base(request), str(request.base_url).rstrip("/")
    body = {
        "title": "PeaceWatch",
        "description": "OGC API – Features over the label-filtered picture of a "
        "peace-support operation: zones, units, reports, violations and events.",
        "links": [
            {"href": f"{base}/", "rel": "self", "type": JSON, "title": "This document"},
            {"href": f"{root}/api/v1/openapi.json", "rel": "service-desc", "type": OPENAPI},
            {"href": f"{root}/api/v1/docs", "rel": "service-doc", "type": "text/html"},
            {"href": f"{base}/conformance", "rel": "conformance", "type": JSON},
            {"href": f"{base}/collections", "rel": "data", "type": JSON},
        ],
    }
    return _json(labelled(request, store, viewer, body))


@router.get(
    "/conformance",
    summary="Conformance classes",
    response_class=Response,
    openapi_extra={"parameters": [_F_PARAM]},
)
def conformance(request: Request, store: StoreDep, viewer: Reader) -> Response:
    """The parts of OGC API – Features this server implements."""
    check_known(request.query_params, FORMAT_ONLY)
    return _json(labelled(request, store, viewer, {"conformsTo": CONFORMANCE}))


@router.get(
    "/collections",
    summary="Feature collections",
    response_class=Response,
    openapi_extra={"parameters": [_F_PARAM]},
)
def collections(request: Request, store: StoreDep, viewer: Reader) -> Response:
    """Every collection with its extent over what the caller may see."""
    check_known(request.query_params, FORMAT_ONLY)
    described = _described(request, store, viewer, list(SOURCES.values()))
    link = {"href": f"{_base(request)}/collections", "rel": "self", "type": JSON}
    return _json({"links": [link], "collections": described})


@router.get(
    "/collections/{collectionId}",
    summary="One feature collection",
    response_class=Response,
    openapi_extra={"parameters": [_F_PARAM]},
)
def collection(request: Request, collectionId: str, store: StoreDep, viewer: Reader) -> Response:
    """A collection's metadata; 404 for a collection this server does not have."""
    source = _source(collectionId)
    check_known(request.query_params, FORMAT_ONLY)
    return _json(_described(request, store, viewer, [source])[0])


@router.get(
    "/collections/{collectionId}/items",
    summary="Features of a collection (GeoJSON)",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {"schema": {"type": "object"}}}}},
    openapi_extra={"parameters": _ITEMS_PARAMS},
)
def items(request: Request, collectionId: str, store: StoreDep, viewer: Reader) -> Response:
    """One page of the features the caller may see, oldest first for reports and violations
    and by id otherwise, with a ``next`` link while more follow."""
    source = _source(collectionId)
    params = request.query_params
    check_known(params, ITEMS_PARAMS)
    query = Query(
        bbox=parse_ogc_bbox(params.get("bbox")),
        interval=parse_datetime(params.get("datetime")),
        limit=parse_limit(params.get("limit")),
        cursor=params.get("cursor") or None,
    )
    try:
        with store.read() as conn:
            page = source.items(conn, viewer, query)
    except ValidationFailed as exc:  # a damaged cursor, found by the store
        raise bad("cursor", exc.problems[0].message if exc.problems else exc.detail) from None
    overall = mark(request, store, viewer, list(zip(page.ids, page.labels, strict=True)))
    links = [
        {"href": str(request.url), "rel": "self", "type": GEOJSON, "title": "This page"},
        {
            "href": f"{_base(request)}/collections/{source.id}",
            "rel": "collection",
            "type": JSON,
        },
    ]
    if page.next_cursor is not None:
        href = str(request.url.include_query_params(cursor=page.next_cursor))
        links.append({"href": href, "rel": "next", "type": GEOJSON, "title": "Next page"})
    head: dict[str, Any] = {"type": "FeatureCollection", "timeStamp": _now()}
    if page.matched is not None:
        head["numberMatched"] = page.matched
    head |= {"numberReturned": len(page.ids), "links": links}
    if overall is not None:
        head |= collection_label(overall)
    # The features are spliced in as the store wrote them (reports come as JSON text).
    body = b"".join(
        (orjson.dumps(head)[:-1], b',"features":[', ",".join(page.feature_json).encode(), b"]}")
    )
    return Response(body, media_type=GEOJSON)


@router.get(
    "/collections/{collectionId}/items/{featureId}",
    summary="One feature (GeoJSON)",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {"schema": {"type": "object"}}}}},
    openapi_extra={"parameters": [_F_PARAM]},
)
def item(
    request: Request,
    collectionId: str,
    featureId: str,
    store: StoreDep,
    viewer: Reader,
) -> Response:
    """One feature; 404 alike when it does not exist and when it is not releasable to you."""
    source = _source(collectionId)
    check_known(request.query_params, FORMAT_ONLY)
    with store.read() as conn:
        feature = source.item(conn, viewer, featureId)
    if feature is None:
        raise NotFound(f"no feature {featureId} in {collectionId}")
    href = f"{_base(request)}/collections/{source.id}"
    feature["links"] = [
        {"href": f"{href}/items/{featureId}", "rel": "self", "type": GEOJSON},
        {"href": href, "rel": "collection", "type": JSON},
    ]
    return _json(labelled(request, store, viewer, feature), GEOJSON)
