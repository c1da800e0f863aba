"""Entity-alignment metrics: Hits@k, MRR and one-to-one accuracy.

The standard protocol ranks, for each left test entity, all right test entities;
the rank of the gold counterpart gives Hits@k (rank <= k) and the mean
reciprocal rank. When only the top-``k`` candidates are kept, a gold entity
outside them has rank ``inf``: it counts as a miss for every Hits@k with
``k <= K`` and contributes 0 to the MRR (a lower bound, exact when the gold
entity is always inside the list).
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError

__all__ = ["ranks_from_candidates", "rank_metrics", "assignment_accuracy", "evaluate_candidates"]


def ranks_from_candidates(candidate_ids, gold) -> np.ndarray:
    """1-based rank of ``gold[i]`` in row ``i`` of ``candidate_ids`` (``inf`` if absent).

    Parameters
    ----------
    candidate_ids : ndarray of int, shape (m, k)
        Ranked candidates per query, best first; -1 pads.
    gold : ndarray of int, shape (m,)

    Returns
    -------
    ndarray of float64, shape (m,)
    """
    cand = np.asarray(candidate_ids)
    gold = np.asarray(gold).reshape(-1, 1)
    if cand.ndim != 2 or len(cand) != len(gold):
        raise DataError(f"candidate_ids of shape {cand.shape} do not match {len(gold)} gold entries.")
    hit = cand == gold
    found = hit.any(1)
    ranks = np.full(len(gold), np.inf)
    ranks[found] = hit[found].argmax(1) + 1
    return ranks


def rank_metrics(ranks, *, ks=(1, 10)) -> dict:
    """Hits@k for each k and MRR from 1-based ranks (``inf`` = not found).

    Returns
    -------
    dict
        ``{"hits@1": ..., "hits@10": ..., "mrr": ..., "n_test": m}``, fractions in [0, 1].
    """
    ranks = np.asarray(ranks, dtype=np.float64)
    if ranks.size == 0:
        raise DataError("No test pairs to evaluate.")
    out = {f"hits@{k}": float(np.mean(ranks <= k)) for k in ks}
    out["mrr"] = float(np.mean(1.0 / ranks))
    out["n_test"] = int(ranks.size)
    return out


def assignment_accuracy(match, gold_left, gold_right) -> float:
    """Fraction of gold pairs ``(l, r)`` with ``match[l] == r``.

    Parameters
    ----------
    match : ndarray of int, shape (n_left,)
        Right entity assigned to each left entity (-1 for none).
    gold_left, gold_right : ndarray of int, shape (m,)
    """
    gold_left = np.asarray(gold_left)
    if gold_left.size == 0:
        raise DataError("No test pairs to evaluate.")
    return float(np.mean(np.asarray(match)[gold_left] == np.asarray(gold_right)))


def evaluate_candidates(candidates: dict, gold: dict, *, ks=(1, 10)) -> dict:
    """Metrics from id-level files: ``candidates[left_id] = [right_id, ...]`` (best first).

    Every gold left id must be present in ``candidates``; a missing one is an
    error rather than a silent miss, because it means the two files disagree.
    """
    ranks = np.empty(len(gold))
    for n, (lid, rid) in enumerate(gold.items()):
        if lid not in candidates:
            raise DataError(f"Gold left id {lid!r} has no candidates.")
        try:
            ranks[n] = candidates[lid].index(rid) + 1
        except ValueError:
            ranks[n] = np.inf
    return rank_metrics(ranks, ks=ks)
