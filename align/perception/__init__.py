"""Perception mappings: encoders that embed an entity set.

Encoders are chosen by name through :data:`align.registry.ENCODERS`
(``open_clip_image``, ``open_clip_text``, ``precomputed``, ``none``, ...).
"""

from .base import Encoder, l2_normalize

__all__ = ["Encoder", "l2_normalize", "make_encoder"]


def make_encoder(spec, **kwargs) -> Encoder:
    """Build an encoder from a registered name, a class or an instance."""
    from ..registry import ENCODERS

    return ENCODERS.make(spec, **kwargs)
