"""The engine interface: map a function over items (shards, jobs).

The pipeline only ever asks an engine to apply a top-level, picklable function
to a list of items and hand back the results in order. The in-process
:class:`LocalEngine` is the default; :class:`align.engine.ray_engine.RayEngine`
runs the same calls as Ray tasks on a cluster. Scheduling, retries and data
movement are the engine's business, never ours.
"""

from __future__ import annotations

from typing import Callable, Protocol, Sequence

__all__ = ["Engine", "make_engine"]


class Engine(Protocol):
    name: str

    def map(self, fn: Callable, items: Sequence, *, desc: str = "", progress: bool = False) -> list:
        """``[fn(item) for item in items]``, possibly in parallel, in order."""

    def close(self) -> None:
        """Release resources."""


def make_engine(name: str = "local", **kwargs) -> Engine:
    """Build an engine by name: ``"local"`` or ``"ray"``."""
    from ..errors import ConfigError

    if name == "local":
        from .local import LocalEngine

        return LocalEngine()
    if name == "ray":
        from .ray_engine import RayEngine

        return RayEngine(**kwargs)
    raise ConfigError(f"Unknown engine {name!r}; expected 'local' or 'ray'.")
