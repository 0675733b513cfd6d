"""The historical layer of the Kosovo 1999 scenario; every record carries its source.

Facts (mission, nations, parties, the Military Technical Agreement) are plain data; boundaries,
zones, places and units are computed once from the packaged data and cached.
"""

from peacewatch.scenarios.kosovo1999.facts import (
    AGREEMENT,
    MISSION,
    NATIONS,
    OBLIGATIONS,
    PARTIES,
    SOURCES,
)
from peacewatch.scenarios.kosovo1999.forces import units
from peacewatch.scenarios.kosovo1999.geography import (
    air_safety_zone,
    boundaries,
    ground_safety_zone,
    kosovo,
    places,
    zone,
    zones,
)

__all__ = [
    "AGREEMENT",
    "MISSION",
    "NATIONS",
    "OBLIGATIONS",
    "PARTIES",
    "SOURCES",
    "air_safety_zone",
    "boundaries",
    "ground_safety_zone",
    "kosovo",
    "places",
    "units",
    "zone",
    "zones",
]
