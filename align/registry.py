"""Name -> component registries, PyKEEN-style.

A registry maps a short name to a factory. Entries can be registered lazily as
``"module:attr"`` strings, so naming a component never imports torch or
open_clip until it is used. :meth:`Registry.make` accepts a name, a class or an
instance, as PyKEEN's resolvers do.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

from .errors import ConfigError

__all__ = ["Registry", "ENCODERS", "DATASET_LOADERS", "MODELS", "REFINERS"]


class Registry:
    """A named family of components.

    Parameters
    ----------
    kind : str
        What the family is, for error messages (e.g. ``"encoder"``).
    """

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Any] = {}

    def register(self, name: str, target: Any = None):
        """Register ``target`` (object or ``"module:attr"``) under ``name``; usable as a decorator."""
        if target is None:
            def deco(obj):
                self._entries[name] = obj
                return obj
            return deco
        self._entries[name] = target
        return target

    def names(self) -> list[str]:
        return sorted(self._entries)

    def get(self, name: str) -> Callable:
        try:
            target = self._entries[name]
        except KeyError:
            raise ConfigError(
                f"Unknown {self.kind} {name!r}; expected one of {self.names()}."
            ) from None
        if isinstance(target, str):
            mod, _, attr = target.partition(":")
            target = getattr(importlib.import_module(mod), attr)
            self._entries[name] = target
        return target

    def make(self, spec, **kwargs):
        """Build a component from a name, a class (called with kwargs) or an instance."""
        if isinstance(spec, str):
            return self.get(spec)(**kwargs)
        if isinstance(spec, type) or callable(spec) and not hasattr(spec, "__dict__"):
            return spec(**kwargs)
        if kwargs:
            raise ConfigError(f"Keyword arguments given with a ready {self.kind} instance: {sorted(kwargs)}.")
        return spec


ENCODERS = Registry("encoder")
ENCODERS.register("open_clip_image", "align.perception.openclip:OpenClipImageEncoder")
ENCODERS.register("open_clip_text", "align.perception.openclip:OpenClipTextEncoder")
ENCODERS.register("precomputed", "align.perception.precomputed:PrecomputedEncoder")
ENCODERS.register("none", "align.perception.precomputed:NoFeatures")
ENCODERS.register("char_ngram", "align.perception.ngram:CharNgramEncoder")
ENCODERS.register("sentence", "align.perception.sentence:SentenceEncoder")
ENCODERS.register("concat", "align.perception.concat:ConcatEncoder")

DATASET_LOADERS = Registry("dataset format")
DATASET_LOADERS.register("folder", "align.datasets.folder:load_folder")
DATASET_LOADERS.register("dbp15k", "align.datasets.dbp15k:load_dbp15k")

# Models: constructed with the ModelConfig fields plus ``model.options``.
MODELS = Registry("model")
MODELS.register("masked", "align.model.masked:MaskedHypergraphModel")
MODELS.register("kg", "align.model.kg:KGMaskedModel")

# Refiners of a match result (e.g. fused Gromov-Wasserstein on the candidates).
REFINERS = Registry("refiner")
REFINERS.register("fgw", "align.matching.fgw:fgw_refine")
