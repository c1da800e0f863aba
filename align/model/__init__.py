"""The masked cross-modal model and its hypergraph readout."""

from .masked import JointVocabulary, MaskedHypergraphModel
from .readout import anchor_signatures, sparsify_conditional

__all__ = ["JointVocabulary", "MaskedHypergraphModel", "anchor_signatures", "sparsify_conditional"]
