"""Precomputed embeddings (``.npy``) and the no-feature encoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ConfigError, DataError
from .base import Encoder

__all__ = ["PrecomputedEncoder", "NoFeatures"]


class PrecomputedEncoder(Encoder):
    """Embeddings read from a ``.npy`` file, or carried by the entity set.

    Parameters
    ----------
    path : str, optional
        ``.npy`` array of shape (n, d), row ``i`` for the entity set's ``ids[i]``.
        Without it, the entity set's own ``embeddings`` are used.
    """

    name = "precomputed"

    def __init__(self, *, path: str | None = None):
        self.path = path

    def _encode(self, entities):
        if self.path is not None:
            from ..datasets.folder import load_npy

            p = Path(self.path)
            if not p.exists():
                raise DataError("Embeddings file not found.", path=p)
            emb = load_npy(p)
            if emb.shape[0] != len(entities):
                raise DataError(
                    f"{emb.shape[0]} embedding rows for {len(entities)} {entities.name} entities.",
                    path=p,
                )
            bad = ~np.isfinite(emb).all(axis=1)
            if bad.any():
                r = int(np.flatnonzero(bad)[0])
                raise DataError(f"Row {r} (entity {entities.ids[r]!r}) is not finite.", path=p)
            return emb
        if entities.embeddings is None:
            raise ConfigError(
                f"Encoder 'precomputed' needs a 'path', or embeddings in the {entities.name} entity set."
            )
        return entities.embeddings

    def config_key(self):
        return {"name": self.name, "path": self.path}


class NoFeatures(Encoder):
    """Gives no features: alignment from structure alone."""

    name = "none"

    def __init__(self):
        pass

    def _encode(self, entities):
        return None
