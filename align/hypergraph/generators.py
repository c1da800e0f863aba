"""Seeded generators of the worlds used in the paper's experiments and beyond.

Pairwise families of Chen et al. (ICML 2024), all with ``n = 20`` in the paper:

* ``star``: one centre joined to ``n - 1`` leaves; line-graph diameter ``L = 1``.
* ``chain``: a path ``0 - 1 - ... - (n-1)``; ``L = n - 2`` (18 for n = 20).
* ``x``: a cross of four arms around one centre, the ``n - 1`` edges spread as
  evenly as possible (arms 5, 5, 5, 4 for n = 20); ``L = a_1 + a_2 - 1 = 9``.
* ``star-kappa``: ``star`` with weights drawn uniformly from ``{1, kappa}``.
* ``gnm``: a connected ``G(n, m)``, ``m = round(density * n (n - 1) / 2)``
  (density 0.2), weights drawn from ``{1, 3}``.

And hypergraphs: ``kuniform`` (distinct random ``k``-subsets) and ``mixed``
(random sizes). Use :func:`make_hypergraph` to pick one by name.
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from .._validation import check_int
from .types import WeightedHypergraph

__all__ = ["GRAPHS", "star", "chain", "x_graph", "star_kappa", "gnm", "k_uniform", "mixed",
           "make_hypergraph", "line_graph_diameter"]

GRAPHS = ("star", "chain", "x", "star-kappa", "gnm", "kuniform", "mixed")


def _rng(seed) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def star(n: int = 20) -> WeightedHypergraph:
    """Star: centre 0, leaves ``1 .. n-1``, uniform weights."""
    check_int("n", n, 3)
    return WeightedHypergraph.from_edges([(0, i) for i in range(1, n)], n=n)


def chain(n: int = 20) -> WeightedHypergraph:
    """Path ``0 - 1 - ... - (n-1)``, uniform weights."""
    check_int("n", n, 3)
    return WeightedHypergraph.from_edges([(i, i + 1) for i in range(n - 1)], n=n)


def x_graph(n: int = 20, *, arms: int = 4) -> WeightedHypergraph:
    """A cross: centre 0 and ``arms`` paths whose lengths differ by at most one.

    Arm lengths are ``ceil`` first, so for ``n = 20`` they are ``5, 5, 5, 4``
    and the line-graph diameter is ``5 + 5 - 1 = 9``.
    """
    check_int("arms", arms, 2)
    check_int("n", n, arms + 1)
    q, r = divmod(n - 1, arms)
    lengths = [q + 1] * r + [q] * (arms - r)
    edges, nxt = [], 1
    for a in lengths:
        prev = 0
        for _ in range(a):
            edges.append((prev, nxt))
            prev, nxt = nxt, nxt + 1
    return WeightedHypergraph.from_edges(edges, n=n)


def star_kappa(n: int = 20, *, kappa: float = 2.0, seed=0) -> WeightedHypergraph:
    """Star with each weight drawn uniformly from ``{1, kappa}``."""
    check_int("n", n, 3)
    if isinstance(kappa, bool) or not isinstance(kappa, (int, float, np.number)) or not kappa >= 1:
        raise ConfigError(f"The 'kappa' parameter must be a number >= 1. Got {kappa!r} instead.")
    rng = _rng(seed)
    w = np.where(rng.random(n - 1) < 0.5, 1.0, float(kappa))
    return WeightedHypergraph.from_edges([(0, i) for i in range(1, n)], w, n=n)


def gnm(n: int = 50, *, density: float = 0.2, weights=(1.0, 3.0), seed=0,
        max_tries: int = 1000) -> WeightedHypergraph:
    """A connected ``G(n, m)`` with ``m = max(n - 1, round(density * n (n-1) / 2))``.

    Drawn by rejection (uniform over connected graphs with ``m`` edges); after
    ``max_tries`` failures a uniform random spanning tree (random Prüfer
    sequence) plus ``m - n + 1`` uniform extra edges is used instead. Weights
    are drawn uniformly from ``weights``.
    """
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    check_int("n", n, 3)
    if not isinstance(density, (int, float)) or not 0 < density <= 1:
        raise ConfigError(f"The 'density' parameter must be a float in (0, 1]. Got {density!r} instead.")
    rng = _rng(seed)
    iu, ju = np.triu_indices(n, 1)
    m = max(n - 1, int(round(density * len(iu))))
    chosen = None
    for _ in range(max_tries):
        pick = rng.choice(len(iu), size=m, replace=False)
        a = sp.coo_matrix((np.ones(m), (iu[pick], ju[pick])), shape=(n, n))
        if connected_components(a, directed=False)[0] == 1:
            chosen = pick
            break
    if chosen is None:  # Prüfer tree + extra edges
        tree = _prufer_tree(n, rng)
        code = {i * n + j for i, j in tree}
        rest = np.array([k for k in range(len(iu)) if iu[k] * n + ju[k] not in code])
        extra = rng.choice(rest, size=m - (n - 1), replace=False)
        pairs = list(tree) + [(iu[k], ju[k]) for k in extra]
    else:
        pairs = list(zip(iu[chosen], ju[chosen]))
    w = rng.choice(np.asarray(weights, dtype=np.float64), size=len(pairs))
    return WeightedHypergraph.from_edges(pairs, w, n=n)


def _prufer_tree(n, rng):
    import heapq

    seq = rng.integers(0, n, size=n - 2)
    degree = np.ones(n, dtype=np.int64)
    np.add.at(degree, seq, 1)
    leaves = [i for i in range(n) if degree[i] == 1]
    heapq.heapify(leaves)
    edges = []
    for v in seq:
        leaf = heapq.heappop(leaves)
        edges.append(tuple(sorted((int(leaf), int(v)))))
        degree[v] -= 1
        if degree[v] == 1:
            heapq.heappush(leaves, int(v))
    u, v = heapq.heappop(leaves), heapq.heappop(leaves)
    edges.append((u, v))
    return edges


def k_uniform(n: int = 30, *, k: int = 3, m: int | None = None, weights=(1.0, 3.0),
              seed=0) -> WeightedHypergraph:
    """``m`` distinct uniformly random ``k``-subsets of ``n`` entities (default ``m = 2n``)."""
    check_int("k", k, 2)
    check_int("n", n, k + 1)
    from math import comb

    m = 2 * n if m is None else m
    check_int("m", m, 1)
    if m > comb(n, k):
        raise ConfigError(f"The 'm' parameter must be <= C(n, k) = {comb(n, k)}. Got {m} instead.")
    return mixed(n, sizes=(k,), m=m, weights=weights, seed=seed)


def mixed(n: int = 30, *, sizes=(2, 3, 4), m: int | None = None, weights=(1.0, 3.0),
          seed=0) -> WeightedHypergraph:
    """``m`` distinct random hyperedges whose sizes are drawn uniformly from ``sizes``."""
    check_int("n", n, 3)
    sizes = tuple(int(s) for s in sizes)
    if not sizes or min(sizes) < 2 or max(sizes) > n:
        raise ConfigError(f"The 'sizes' parameter must hold ints in [2, n]. Got {sizes!r} instead.")
    m = 2 * n if m is None else m
    check_int("m", m, 1)
    rng = _rng(seed)
    seen: set = set()
    tries = 0
    while len(seen) < m:
        tries += 1
        if tries > 100 * m:
            raise ConfigError(f"Could not draw {m} distinct hyperedges of sizes {sizes} over {n} entities.")
        k = sizes[rng.integers(len(sizes))]
        seen.add(tuple(sorted(rng.choice(n, size=k, replace=False).tolist())))
    edges = sorted(seen, key=lambda e: (len(e), e))
    w = rng.choice(np.asarray(weights, dtype=np.float64), size=len(edges))
    return WeightedHypergraph.from_edges(edges, w, n=n)


def make_hypergraph(name: str, *, n: int = 20, seed=0, kappa: float = 2.0, k: int = 3,
                    **kwargs) -> WeightedHypergraph:
    """Build a world by family name, one of :data:`GRAPHS`."""
    if name == "star":
        return star(n)
    if name == "chain":
        return chain(n)
    if name == "x":
        return x_graph(n)
    if name == "star-kappa":
        return star_kappa(n, kappa=kappa, seed=seed)
    if name == "gnm":
        return gnm(n, seed=seed, **kwargs)
    if name == "kuniform":
        return k_uniform(n, k=k, seed=seed, **kwargs)
    if name == "mixed":
        return mixed(n, seed=seed, **kwargs)
    raise ConfigError(f"The 'graph' parameter must be one of {GRAPHS}. Got {name!r} instead.")


def line_graph_diameter(hg: WeightedHypergraph, *, overlap: int = 1) -> int:
    """Diameter of the line graph: hyperedges adjacent when they share ``>= overlap`` entities.

    Returns ``-1`` if the line graph is disconnected and ``0`` for a single edge.
    For pairwise graphs (``overlap = 1``) this is the ``L`` of the paper's
    recovery bound: STAR 1, CHAIN ``n - 2``, X (n = 20) 9.
    """
    import scipy.sparse as sp
    from scipy.sparse.csgraph import shortest_path

    inc = hg.incidence()
    shared = (inc @ inc.T).tocsr()
    adj = sp.csr_matrix(shared >= overlap, dtype=np.float64)
    adj.setdiag(0)
    adj.eliminate_zeros()
    d = shortest_path(adj, directed=False, unweighted=True)
    if np.isinf(d).any():
        return -1
    return int(d.max())
