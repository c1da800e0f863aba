"""Entity sets, hyperedge samples, correspondences and their loaders."""

from .folder import load_folder, read_entities, read_pairs, read_samples
from .types import MODALITIES, AlignmentDataset, Correspondences, EntitySet, HyperedgeSamples

__all__ = [
    "MODALITIES",
    "AlignmentDataset",
    "Correspondences",
    "EntitySet",
    "HyperedgeSamples",
    "load_folder",
    "read_entities",
    "read_pairs",
    "read_samples",
    "load_dataset",
]


def load_dataset(format: str = "folder", **kwargs) -> AlignmentDataset:
    """Load a dataset by format name: ``"folder"`` (``root=``) or ``"dbp15k"``."""
    from ..registry import DATASET_LOADERS

    return DATASET_LOADERS.get(format)(**kwargs)
