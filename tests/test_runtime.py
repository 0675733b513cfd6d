"""The server processes' garbage-collector settings (peacewatch/runtime.py)."""

from __future__ import annotations

import gc

from peacewatch.runtime import GC_THRESHOLDS, tune_gc


def test_tune_gc_freezes_start_up_and_collects_less_often() -> None:
    before = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_threshold() == GC_THRESHOLDS
        assert GC_THRESHOLDS[0] > 700  # rarer young collections than CPython's default
        assert gc.get_freeze_count() > 0  # what start-up made is out of later collections
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
