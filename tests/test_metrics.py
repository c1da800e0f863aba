"""Metrics against values computed by hand."""

import numpy as np
import pytest

from align.errors import DataError
from align.evaluation import assignment_accuracy, evaluate_candidates, rank_metrics, ranks_from_candidates


def test_hand_computed_metrics():
    cand = np.array([[5, 1, 2], [0, 3, 4], [9, 8, 7], [6, -1, -1]])
    gold = np.array([5, 4, 0, 6])
    ranks = ranks_from_candidates(cand, gold)
    assert ranks.tolist() == [1, 3, np.inf, 1]
    m = rank_metrics(ranks, ks=(1, 3, 10))
    assert m["hits@1"] == pytest.approx(2 / 4)
    assert m["hits@3"] == pytest.approx(3 / 4)
    assert m["hits@10"] == pytest.approx(3 / 4)
    assert m["mrr"] == pytest.approx((1 + 1 / 3 + 0 + 1) / 4)
    assert m["n_test"] == 4


def test_assignment_accuracy():
    match = np.array([2, 0, 1, -1])
    assert assignment_accuracy(match, [0, 1, 2, 3], [2, 1, 1, 3]) == pytest.approx(2 / 4)


def test_id_level_evaluation_and_errors():
    cands = {"a": ["x", "y"], "b": ["z", "x"]}
    m = evaluate_candidates(cands, {"a": "y", "b": "z"})
    assert m["hits@1"] == 0.5 and m["mrr"] == pytest.approx((0.5 + 1) / 2)
    with pytest.raises(DataError, match="Gold left id 'c' has no candidates"):
        evaluate_candidates(cands, {"c": "x"})
    with pytest.raises(DataError, match="No test pairs"):
        rank_metrics([])
