"""The mission modules' scenario data (patrol plans, convoys, weapons collection, seizures,
partners and exercises): each module adds one loader here, called after the reports are in.

A loader takes (store, viewer, generator) and returns counts for the load summary; it writes
through the same paths as every other input, with historical figures cited in the data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from peacewatch.domain.labels import Viewer
from peacewatch.scenarios.kosovo1999.convoys import load_convoys
from peacewatch.scenarios.kosovo1999.partners import load_partners
from peacewatch.scenarios.kosovo1999.patrol_plans import load_patrol_plans
from peacewatch.scenarios.kosovo1999.seizures import load_seizures
from peacewatch.scenarios.kosovo1999.weapons import load_weapons
from peacewatch.store import Store

Loader = Callable[[Store, Viewer, Any], dict[str, int]]

# (name, loader), in the order they run.
LOADERS: list[tuple[str, Loader]] = [("partners", load_partners)]
LOADERS.append(("convoys", load_convoys))
LOADERS.append(("patrol_plans", load_patrol_plans))
LOADERS.append(("weapons", load_weapons))
LOADERS.append(("seizures", load_seizures))
