"""Errors between a true and a recovered weighted hypergraph.

With ``W`` the symmetric (clique) matrix holding each pairwise edge weight at
``(i, j)`` and ``(j, i)`` and weights a distribution over edges,
``sum |W - Ŵ| / 2 = sum_e |w_e - ŵ_e|``; for hypergraphs the edge-wise sum is
what is computed. Likewise the unweighted error ``sum |A - Â| / 2`` is the
size of the symmetric difference of the edge sets.
"""

from __future__ import annotations

from ..errors import DataError
from .types import WeightedHypergraph

__all__ = ["l1_weighted", "l1_unweighted", "edge_scores", "recovery_metrics"]


def _dicts(true: WeightedHypergraph, est: WeightedHypergraph):
    if true.n != est.n:
        raise DataError(f"The hypergraphs have {true.n} and {est.n} entities.")
    return true.as_dict(), est.as_dict()


def l1_weighted(true: WeightedHypergraph, est: WeightedHypergraph) -> float:
    """``sum_e |w_e - ŵ_e|`` over the union of edges (both normalised), in [0, 2]."""
    a, b = _dicts(true, est)
    return float(sum(abs(a.get(e, 0.0) - b.get(e, 0.0)) for e in set(a) | set(b)))


def l1_unweighted(true: WeightedHypergraph, est: WeightedHypergraph) -> int:
    """Number of edges in exactly one of the two supports."""
    a, b = _dicts(true, est)
    return len(set(a) ^ set(b))


def edge_scores(true: WeightedHypergraph, est: WeightedHypergraph) -> dict:
    """Edge precision, recall and F1 of the recovered support."""
    a, b = _dicts(true, est)
    tp = len(set(a) & set(b))
    precision = tp / len(b) if b else 0.0
    recall = tp / len(a) if a else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def recovery_metrics(true: WeightedHypergraph, est: WeightedHypergraph) -> dict:
    """``{"l1_weighted", "l1_unweighted", "edge_precision", "edge_recall", "edge_f1"}``."""
    s = edge_scores(true, est)
    return {"l1_weighted": l1_weighted(true, est), "l1_unweighted": l1_unweighted(true, est),
            "edge_precision": s["precision"], "edge_recall": s["recall"], "edge_f1": s["f1"]}
