"""Several encoders as one: weighted concatenation of their (normalised) embeddings."""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from .base import Encoder

__all__ = ["ConcatEncoder"]


class ConcatEncoder(Encoder):
    """Concatenate the embeddings of several encoders.

    Each part is L2-normalised and scaled by ``sqrt(weight)``, so the inner
    product of two concatenations is the weighted sum of the parts' cosines.

    Parameters
    ----------
    parts : list of dict
        Encoder specs, ``{"encoder": name, **kwargs}``, e.g. a sentence model and
        character n-grams for names.
    weights : list of float, optional
        One per part; default equal.
    """

    name = "concat"

    def __init__(self, *, parts: list, weights: list | None = None, progress: bool = False):
        from ..registry import ENCODERS

        if not isinstance(parts, list) or not parts:
            raise ConfigError(f"The 'parts' parameter must be a non-empty list of encoder specs. Got {parts!r} instead.")
        weights = [1.0] * len(parts) if weights is None else list(weights)
        if len(weights) != len(parts) or any(not isinstance(w, (int, float)) or w < 0 for w in weights):
            raise ConfigError(f"The 'weights' parameter must be {len(parts)} floats >= 0. Got {weights!r} instead.")
        self.encoders = []
        for spec in parts:
            if not isinstance(spec, dict) or "encoder" not in spec:
                raise ConfigError(f"Each part needs an 'encoder' name. Got {spec!r} instead.")
            spec = dict(spec)
            name = spec.pop("encoder")
            if name == "concat":
                raise ConfigError("A concat encoder cannot contain another concat encoder.")
            try:
                self.encoders.append(ENCODERS.make(name, **spec))
            except TypeError as exc:
                raise ConfigError(f"Bad option for encoder {name!r}: {exc}") from None
        self.weights = weights

    def config_key(self):
        return {"name": self.name, "parts": [e.config_key() for e in self.encoders], "weights": self.weights}

    def _encode(self, entities):
        blocks = []
        for enc, w in zip(self.encoders, self.weights):
            e = enc.encode(entities)
            if e is None:
                raise ConfigError(f"Part {enc.name!r} of a concat encoder gives no features.")
            blocks.append(np.sqrt(w) * e)
        return np.hstack(blocks)
