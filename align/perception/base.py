"""The perception-mapping interface: an encoder turns an :class:`EntitySet` into embeddings."""

from __future__ import annotations

import numpy as np

from ..errors import DataError

__all__ = ["Encoder", "l2_normalize"]


def l2_normalize(x: np.ndarray, *, eps: float = 1e-12) -> np.ndarray:
    """Row-wise L2 normalisation in float32, shape preserved."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, eps)


class Encoder:
    """Base class of perception mappings.

    Subclasses implement :meth:`_encode`; :meth:`encode` checks the output:
    shape ``(n, d)``, finite, float32, rows L2-normalised. ``None`` means the
    encoder gives no features (the structure-only setting).
    """

    name = "encoder"

    def encode(self, entities) -> np.ndarray | None:
        out = self._encode(entities)
        if out is None:
            return None
        out = np.asarray(out, dtype=np.float32)
        if out.ndim != 2 or out.shape[0] != len(entities):
            raise DataError(
                f"{self.name} produced embeddings of shape {out.shape} for {len(entities)} entities."
            )
        bad = ~np.isfinite(out).all(axis=1)
        if bad.any():
            eid = entities.ids[int(np.flatnonzero(bad)[0])]
            raise DataError(f"{self.name} produced a non-finite embedding for entity {eid!r}.")
        return l2_normalize(out)

    def _encode(self, entities):  # pragma: no cover - abstract
        raise NotImplementedError

    def config_key(self) -> dict:
        """What identifies this encoder's output, for caching on disk."""
        return {"name": self.name}
