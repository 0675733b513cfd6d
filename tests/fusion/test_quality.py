"""The clustering against generated ground truth: pairwise F1 on a fixed seed, and the same
result through the store's hook as through the bulk re-run."""

from __future__ import annotations

import numpy as np

from peacewatch.fusion.cluster import assign, group_of
from peacewatch.fusion.families import credibility
from peacewatch.fusion.quality import generate, pairwise


def test_pairwise_f1_on_ground_truth_is_at_least_0_95() -> None:
    truth = generate(5_000, seed=5)
    group = group_of(np.ones(len(truth.t), dtype=np.int64), truth.family)
    found, _ = assign(truth.t, truth.lon, truth.lat, group)
    precision, recall, f1 = pairwise(truth.event, found)
    assert f1 >= 0.95, (precision, recall, f1)


def test_pairwise_scores() -> None:
    truth = np.array([0, 0, 1, 1])
    assert pairwise(truth, np.array([5, 5, 6, 6])) == (1.0, 1.0, 1.0)
    precision, recall, _ = pairwise(truth, np.array([5, 5, 5, 5]))
    assert (precision, recall) == (2 / 6, 1.0)


def test_credibility_rule() -> None:
    assert credibility([]) == 6
    assert credibility([(None, "B3"), (None, "C2")]) == 2
    assert credibility([("a", "E4"), ("b", "F5")]) == 2
    assert credibility([("a", "E4"), ("a", "B3")]) == 3
    assert credibility([("a", "B4"), ("b", "C5")]) == 1
