"""align: multimodal entity alignment.

Perception mappings embed each side's entities; a masked model trained on both
sides' hyperedge samples recovers one joint hypergraph; FAISS candidates and
optimal transport turn features and structure into a one-to-one alignment with
confidences, scored by Hits@k and MRR.

Heavy dependencies (torch, open_clip, faiss, POT, Ray) are imported on first
use, so ``import align`` and ``align --help`` stay fast.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    # pipeline
    "run": "align.pipeline",
    "run_from_path": "align.pipeline",
    "embed": "align.pipeline",
    "fit": "align.pipeline",
    "structure": "align.pipeline",
    "match": "align.pipeline",
    "evaluate": "align.pipeline",
    "load_data": "align.pipeline",
    "AlignmentResult": "align.pipeline",
    "MatchResult": "align.pipeline",
    # config
    "Config": "align.config",
    "load_config": "align.config",
    "config_from_dict": "align.config",
    # data
    "EntitySet": "align.datasets",
    "HyperedgeSamples": "align.datasets",
    "Correspondences": "align.datasets",
    "AlignmentDataset": "align.datasets",
    "load_folder": "align.datasets",
    "load_dataset": "align.datasets",
    # components
    "MaskedHypergraphModel": "align.model",
    "make_encoder": "align.perception",
    "knn": "align.matching",
    "csls_knn": "align.matching",
    "sinkhorn": "align.matching",
    "knn_sinkhorn": "align.matching",
    "decode": "align.matching",
    "rank_metrics": "align.evaluation",
    "make_engine": "align.engine",
    # errors
    "AlignError": "align.errors",
    "ConfigError": "align.errors",
    "DataError": "align.errors",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name):
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'align' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
