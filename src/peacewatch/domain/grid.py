"""MGRS grid references, converted with the GEOTRANS-based `mgrs` package."""

from __future__ import annotations

import re
import threading

import mgrs
from mgrs.core import MGRSError

from peacewatch.domain.errors import GeometryError, GridError, quoted
from peacewatch.domain.geometry import validate_lonlat

__all__ = ["MGRS_MAX_LAT", "MGRS_MIN_LAT", "from_mgrs", "to_mgrs"]

# MGRS covers -80..84; beyond that the polar UPS grid takes over, which this module refuses.
MGRS_MIN_LAT = -80.0
MGRS_MAX_LAT = 84.0

# zone (1-60), latitude band (C-X without I, O), 100 km square (column A-Z, row A-V without
# I, O), then an even number of digits: easting and northing at equal precision.
_MGRS_RE = re.compile(r"^(\d{1,2})([C-HJ-NP-X])([A-HJ-NP-Z][A-HJ-NP-V])(\d{0,10})$", re.ASCII)
_UPS_RE = re.compile(r"^[ABYZ][A-Z]{2}\d*$")
# GEOTRANS keeps its projection parameters in C globals, so concurrent calls could interleave.
_LOCK = threading.Lock()
_CONVERTER = mgrs.MGRS()
_EQUATOR_SNAP = 2e-7  # degrees, about 2 cm


def to_mgrs(lon: float, lat: float, *, precision: int = 5) -> str:
    """MGRS reference of a lon/lat point, 0-5 digits per axis (5 = 1 m), e.g. 34TEN1360423405."""
    if isinstance(precision, bool) or not isinstance(precision, int) or not 0 <= precision <= 5:
        raise GridError(
            f"precision {quoted(precision)} is not 0-5 digits per axis (5 = 1 m)", field="mgrs"
        )
    try:
        lon_f, lat_f = validate_lonlat(lon, lat)
    except GeometryError as exc:
        raise GridError(exc.message, field="mgrs") from None
    if not MGRS_MIN_LAT <= lat_f <= MGRS_MAX_LAT:
        raise GridError(
            f"latitude {lat_f} is outside the MGRS range -80..84 (polar areas use UPS)",
            field="mgrs",
        )
    if -_EQUATOR_SNAP < lat_f < 0.0:
        # mgrs 1.6.0 (GEOTRANS) encodes latitudes a hair south of the equator with a southern
        # northing that rounds up to 10 000 km, and then refuses to decode its own reference
        # ("Northing Error"). Moving the point 2 cm north onto the equator avoids that.
        lat_f = 0.0
    with _LOCK:
        try:
            reference = _CONVERTER.toMGRS(lat_f, lon_f, MGRSPrecision=precision)
        except MGRSError:
            raise GridError(
                f"position ({lon_f}, {lat_f}) has no MGRS reference", field="mgrs"
            ) from None
    return str(reference).strip()


def from_mgrs(text: str) -> tuple[float, float]:
    """(lon, lat) of an MGRS reference such as '34T EN 13604 23405' (the centre of the cell)."""
    if not isinstance(text, str):
        raise GridError(f"MGRS reference must be text, got {type(text).__name__}", field="mgrs")
    clean = "".join(text.split()).upper()
    match = _MGRS_RE.match(clean)
    if match is None:
        if _UPS_RE.match(clean):
            raise GridError(
                f"{quoted(text.strip())} is a polar (UPS) reference; MGRS covers -80..84",
                field="mgrs",
            )
        raise GridError(
            f"MGRS reference {quoted(text.strip())} is not <zone><band><square><digits>, "
            "e.g. 34TEN1360423405",
            field="mgrs",
        )
    zone, digits = int(match.group(1)), match.group(4)
    if not 1 <= zone <= 60:
        raise GridError(f"MGRS zone {zone} is outside 1..60", field="mgrs")
    if len(digits) % 2:
        raise GridError(
            f"MGRS reference {quoted(text.strip())} has {len(digits)} digits; easting and "
            "northing need the same number of digits",
            field="mgrs",
        )
    with _LOCK:
        try:
            lat, lon = _CONVERTER.toLatLon(clean)
        except MGRSError:
            raise GridError(
                f"MGRS reference {quoted(text.strip())} does not exist (the square or digits "
                "do not fit the zone and band)",
                field="mgrs",
            ) from None
    return float(lon), float(lat)
