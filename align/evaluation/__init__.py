"""Hits@k, MRR and one-to-one accuracy."""

from .metrics import assignment_accuracy, evaluate_candidates, rank_metrics, ranks_from_candidates

__all__ = ["assignment_accuracy", "evaluate_candidates", "rank_metrics", "ranks_from_candidates"]
