"""Pure domain layer: labels, grades, symbols, date-time groups, grids and geometry.

Nothing here imports the rest of peacewatch, reads settings or touches a database.
"""

from peacewatch.domain.admiralty import CREDIBILITY, RELIABILITY, Grade
from peacewatch.domain.dtg import format_dtg, parse_dtg
from peacewatch.domain.errors import (
    DomainError,
    DTGError,
    GeometryError,
    GradeError,
    GridError,
    LabelError,
    SIDCError,
)
from peacewatch.domain.geometry import (
    buffer_m,
    distance_m,
    from_local,
    geometry_from_geojson,
    to_local,
    utm_crs_for,
    validate_lonlat,
)
from peacewatch.domain.grid import from_mgrs, to_mgrs
from peacewatch.domain.labels import (
    RELEASE_CODE_PATTERN,
    Classification,
    Label,
    Viewer,
    can_see,
    can_write,
    most_restrictive,
    validate_release_code,
)
from peacewatch.domain.sidc import SIDC, is_valid_sidc, parse_sidc

__all__ = [
    "CREDIBILITY",
    "RELEASE_CODE_PATTERN",
    "RELIABILITY",
    "SIDC",
    "Classification",
    "DTGError",
    "DomainError",
    "GeometryError",
    "Grade",
    "GradeError",
    "GridError",
    "Label",
    "LabelError",
    "SIDCError",
    "Viewer",
    "buffer_m",
    "can_see",
    "can_write",
    "distance_m",
    "format_dtg",
    "from_local",
    "from_mgrs",
    "geometry_from_geojson",
    "is_valid_sidc",
    "most_restrictive",
    "parse_dtg",
    "parse_sidc",
    "to_local",
    "to_mgrs",
    "utm_crs_for",
    "validate_lonlat",
    "validate_release_code",
]
