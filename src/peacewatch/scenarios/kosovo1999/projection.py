"""Lon/lat <-> UTM zone 34N, where the scenario measures distances, buffers and areas in metres."""

from __future__ import annotations

from functools import cache
from typing import TypeVar

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import Transformer

__all__ = ["UTM34N", "lonlat_to_utm", "to_lonlat", "to_utm", "utm_to_lonlat"]

# Kosovo and both safety zones lie between 18°E and 24°E, inside UTM zone 34.
UTM34N = "EPSG:32634"

G = TypeVar("G", bound=shapely.Geometry)


@cache
def _forward() -> Transformer:
    return Transformer.from_crs("EPSG:4326", UTM34N, always_xy=True)


@cache
def _inverse() -> Transformer:
    return Transformer.from_crs(UTM34N, "EPSG:4326", always_xy=True)


def lonlat_to_utm(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Project longitude/latitude arrays to UTM 34N easting/northing in metres."""
    x, y = _forward().transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x, float), np.asarray(y, float)


def utm_to_lonlat(x: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Unproject UTM 34N easting/northing arrays to longitude/latitude."""
    lon, lat = _inverse().transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon, float), np.asarray(lat, float)


def _apply(transformer: Transformer, coords: NDArray[np.float64]) -> NDArray[np.float64]:
    x, y = transformer.transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def to_utm(geometry: G) -> G:
    """The geometry (or array of geometries) with coordinates in UTM 34N metres."""
    return shapely.transform(geometry, lambda c: _apply(_forward(), c))  # type: ignore[no-any-return]


def to_lonlat(geometry: G) -> G:
    """The geometry (or array of geometries) with UTM 34N coordinates back in lon/lat."""
    return shapely.transform(geometry, lambda c: _apply(_inverse(), c))  # type: ignore[no-any-return]
