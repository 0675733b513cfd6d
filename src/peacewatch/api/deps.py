"""Dependencies as Annotated aliases, so a route's signature says what it needs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request

from peacewatch.domain import dtg
from peacewatch.domain.errors import DomainError
from peacewatch.domain.labels import Classification, Viewer
from peacewatch.errors import FieldProblem, ValidationFailed
from peacewatch.ingest.bus import Bus
from peacewatch.settings import Settings
from peacewatch.store import Store


def get_store(request: Request) -> Store:
    """The store the app was created with."""
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_bus(request: Request) -> Bus:
    """The in-process bus that ingest publishes to."""
    bus: Bus = request.app.state.bus
    return bus


def current_viewer(settings: Annotated[Settings, Depends(get_settings)]) -> Viewer:
    """Who is asking: in embedded mode, the local operator configured in the settings."""
    communities = frozenset(c.strip() for c in settings.viewer_communities.split(",") if c.strip())
    return Viewer(
        name=settings.viewer_name,
        nation=settings.viewer_nation,
        clearance=Classification.parse(settings.viewer_clearance),
        communities=communities,
    )


def parse_bbox(bbox: str | None) -> tuple[float, float, float, float] | None:
    """``minlon,minlat,maxlon,maxlat`` → tuple, with a clear error naming ``bbox``."""
    if bbox is None or bbox == "":
        return None
    try:
        parts = [float(p) for p in bbox.split(",")]
    except ValueError:
        parts = []
    if len(parts) != 4:
        raise ValidationFailed(
            "bbox must be four numbers",
            [FieldProblem("bbox", "expected minlon,minlat,maxlon,maxlat")],
        )
    min_lon, min_lat, max_lon, max_lat = parts
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValidationFailed(
            "bbox is out of range or inverted",
            [FieldProblem("bbox", "need -180<=minlon<=maxlon<=180 and -90<=minlat<=maxlat<=90")],
        )
    return min_lon, min_lat, max_lon, max_lat


def parse_time(value: str | None, name: str) -> datetime | None:
    """A query parameter's time (ISO 8601 with a zone, or a DTG), or None when absent."""
    if value is None or value == "":
        return None
    return dtg.parse_time(value, field=name)


def bbox_param(
    bbox: Annotated[
        str | None, Query(description="minlon,minlat,maxlon,maxlat in WGS 84 degrees")
    ] = None,
) -> tuple[float, float, float, float] | None:
    """The ``bbox`` query parameter."""
    return parse_bbox(bbox)


def window_param(
    start: Annotated[str | None, Query(description="inclusive start, ISO 8601 with zone")] = None,
    end: Annotated[str | None, Query(description="exclusive end, ISO 8601 with zone")] = None,
) -> tuple[datetime | None, datetime | None]:
    """The ``start``/``end`` time window."""
    s, e = parse_time(start, "start"), parse_time(end, "end")
    if s is not None and e is not None and e <= s:
        raise ValidationFailed(
            "end must be after start", [FieldProblem("end", "must be after start")]
        )
    return s, e


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
BusDep = Annotated[Bus, Depends(get_bus)]
ViewerDep = Annotated[Viewer, Depends(current_viewer)]
BBoxDep = Annotated[tuple[float, float, float, float] | None, Depends(bbox_param)]
WindowDep = Annotated[tuple[datetime | None, datetime | None], Depends(window_param)]

__all__ = ["BBoxDep", "BusDep", "DomainError", "SettingsDep", "StoreDep", "ViewerDep", "WindowDep"]
