"""The Kosovo 1999 scenario: KFOR, the Military Technical Agreement and a year of activity.

`history` holds the historical layer (every record carries its source); `generator` makes
seeded, synthetic-but-plausible reports, unit positions and patrols for 12 Jun 1999 - 11 Jun 2000.
"""

from peacewatch.scenarios.kosovo1999.generator import FLARE_UPS, SIZES, Generator
from peacewatch.scenarios.kosovo1999.history import (
    AGREEMENT,
    MISSION,
    NATIONS,
    PARTIES,
    boundaries,
    places,
    units,
    zones,
)

__all__ = [
    "AGREEMENT",
    "FLARE_UPS",
    "MISSION",
    "NATIONS",
    "PARTIES",
    "SIZES",
    "Generator",
    "boundaries",
    "places",
    "units",
    "zones",
]
