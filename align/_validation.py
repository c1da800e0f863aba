"""Parameter checks with scikit-learn-style messages, shared by every component.

"The 'k' parameter must be an int >= 1. Got 0 instead." Explicit raises, never
``assert`` (which ``python -O`` removes).
"""

from __future__ import annotations

import numpy as np

from .errors import ConfigError

__all__ = ["check_int", "check_float"]


def check_int(name: str, value, low: int, high: int | None = None) -> None:
    """Raise :class:`ConfigError` unless ``value`` is an int (not a bool) in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low or (
            high is not None and value > high):
        rng = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ConfigError(f"The {name!r} parameter must be an int {rng}. Got {value!r} instead.")


def check_float(name: str, value, low: float, high: float) -> None:
    """Raise :class:`ConfigError` unless ``value`` is a real number (not a bool) in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) or not (
            low <= value <= high):
        raise ConfigError(
            f"The {name!r} parameter must be a float in the range [{low}, {high}]. Got {value!r} instead.")
