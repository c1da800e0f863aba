"""Engines that run the pipeline's shards and jobs: local (default) and Ray."""

from .base import Engine, make_engine

__all__ = ["Engine", "make_engine"]
