"""Hypergraph recovery (Chen, Fang, Lin, Liu, ICML 2024): worlds, samples, estimators, identifiability.

* :class:`WeightedHypergraph` - a world: entities, hyperedges, a weight distribution.
* :mod:`.generators` - STAR, CHAIN, X, STAR-kappa, connected G(n, m), k-uniform, mixed.
* :func:`sample_hyperedges`, :func:`sample_modalities` - i.i.d. samples seen
  through per-modality bijections (and optional token noise).
* :func:`estimate` - ``method="count" | "masked_paper" | "masked_global"``.
* :mod:`.metrics` - weighted / unweighted L1 error, edge precision / recall / F1.
* :func:`automorphism_classes`, :func:`gw_align`, :func:`alignment_accuracy` -
  cross-modal alignment from structure alone and its limits.

References
----------
Chen, Fang, Lin, Liu. "Relational Learning in Pre-Trained Models: A Theory from
Hypergraph Recovery Perspective." ICML 2024.
"""

from .alignment import alignment_accuracy, automorphism_classes, gw_align
from .estimators import METHODS, count_estimate, estimate, fit_masked, masked_readout
from .generators import GRAPHS, chain, gnm, k_uniform, line_graph_diameter, make_hypergraph, mixed, star, star_kappa, x_graph
from .masked import MaskedTableModel, Probes, masked_statistics
from .metrics import edge_scores, l1_unweighted, l1_weighted, recovery_metrics
from .sampling import sample_hyperedges, sample_modalities
from .types import WeightedHypergraph

__all__ = [
    "GRAPHS", "METHODS", "MaskedTableModel", "Probes", "WeightedHypergraph", "alignment_accuracy",
    "automorphism_classes", "chain", "count_estimate", "edge_scores", "estimate", "fit_masked",
    "gnm", "gw_align", "k_uniform", "l1_unweighted", "l1_weighted", "line_graph_diameter",
    "make_hypergraph", "masked_readout", "masked_statistics", "mixed", "recovery_metrics",
    "sample_hyperedges", "sample_modalities", "star", "star_kappa", "x_graph",
]
