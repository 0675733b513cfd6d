"""Mission modules: patrols and coverage, humanitarian convoys, weapons collection (DDR),
counter-trafficking, partners and exercises. Each module's rules live here; its tables and
label-filtered reads in ``store/``, its routes in ``api/routers/``."""
