"""Observing a world: i.i.d. hyperedge samples through a perception mapping.

A modality sees the world through a bijection ``pi`` from entities to its own
tokens (a random permutation): a sampled hyperedge ``e`` is observed as the
tokens ``pi[e]`` in a random order. With noise ``epsilon`` each observed token
is independently replaced, with probability ``epsilon``, by a uniformly random
token. Two modalities are two independent bijections (and independent draws)
of the same world.
"""

from __future__ import annotations

import numpy as np

from ..datasets.types import HyperedgeSamples
from ..errors import ConfigError
from .._validation import check_int
from .types import WeightedHypergraph

__all__ = ["sample_hyperedges", "sample_modalities"]


def _check(n_samples, noise):
    check_int("n_samples", n_samples, 1)
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not 0 <= noise <= 1:
        raise ConfigError(f"The 'noise' parameter must be a float in the range [0, 1]. Got {noise!r} instead.")


def sample_hyperedges(hg: WeightedHypergraph, n_samples: int, *, seed=0, noise: float = 0.0,
                      permute: bool = True):
    """Draw ``n_samples`` i.i.d. hyperedges with probability ∝ weight, seen through a bijection.

    Parameters
    ----------
    hg : WeightedHypergraph
        The world, ``n`` entities.
    n_samples : int
        Number of samples ``N``.
    seed : int or numpy.random.Generator
    noise : float, default 0
        Probability ``epsilon`` that an observed token is replaced by a uniform random one.
    permute : bool, default True
        Draw a random bijection; ``False`` uses the identity.

    Returns
    -------
    samples : HyperedgeSamples
        ``n_samples`` samples over ``n`` tokens, members in random order, counts 1.
    bijection : ndarray of int64, shape (n,)
        ``bijection[entity] = token``.
    """
    _check(n_samples, noise)
    if len(hg) == 0:
        raise ConfigError("Cannot sample from a hypergraph with no hyperedges.")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n = hg.n
    pi = rng.permutation(n).astype(np.int64) if permute else np.arange(n, dtype=np.int64)
    drawn = rng.choice(len(hg), size=int(n_samples), p=hg.weights)
    sizes = hg.sizes[drawn]
    indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    members = np.empty(int(indptr[-1]), dtype=np.int64)
    for k in np.unique(sizes):  # shuffle member order per size, vectorised
        rows = np.flatnonzero(sizes == k)
        starts = hg.indptr[drawn[rows]]
        block = hg.members[starts[:, None] + np.arange(k)]
        block = rng.permuted(block, axis=1)
        members[(indptr[rows][:, None] + np.arange(k)).ravel()] = block.ravel()
    tokens = pi[members]
    if noise > 0:
        flip = rng.random(len(tokens)) < noise
        tokens[flip] = rng.integers(0, n, size=int(flip.sum()))
    return HyperedgeSamples(indptr=indptr, members=tokens, n_entities=n), pi


def sample_modalities(hg: WeightedHypergraph, n_samples: int, *, n_modalities: int = 2, seed=0,
                      noise: float = 0.0):
    """Independent observations of one world by ``n_modalities`` modalities.

    Returns
    -------
    list of (HyperedgeSamples, ndarray of shape (n,))
        One ``(samples, bijection)`` pair per modality; bijections and draws are independent.
    """
    check_int("n_modalities", n_modalities, 1)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return [sample_hyperedges(hg, n_samples, seed=r, noise=noise) for r in rng.spawn(int(n_modalities))]
