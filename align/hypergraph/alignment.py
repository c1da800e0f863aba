"""Identifiability: automorphism classes and cross-modal alignment from structure alone.

Two modalities observe one world through unknown bijections. Each recovers its
own weighted hypergraph over its tokens; the tokens are then matched by
Gromov-Wasserstein between the two clique matrices - no seeds, no features.
The match is only determined up to automorphisms of the world: STAR's leaves
are interchangeable, so no method can tell them apart, while an asymmetric
world is identified. Automorphism classes are approximated by colour
refinement (1-WL) on the weighted incidence graph; its classes contain the
orbits and equal them on trees (STAR, CHAIN, X) and on most random graphs.
"""

from __future__ import annotations

import logging

import numpy as np

from ..errors import ConfigError, DataError
from .._validation import check_int
from .types import WeightedHypergraph

__all__ = ["automorphism_classes", "gw_align", "alignment_accuracy"]

log = logging.getLogger(__name__)


def automorphism_classes(hg: WeightedHypergraph, *, decimals: int = 9, max_rounds: int | None = None) -> np.ndarray:
    """Colour refinement (1-WL) on the bipartite entity-hyperedge incidence graph.

    Hyperedge nodes start coloured by ``(size, round(weight, decimals))``,
    entities uncoloured; each round recolours every node by its colour and the
    multiset of its neighbours' colours, until the partition is stable.

    Parameters
    ----------
    hg : WeightedHypergraph
    decimals : int, default 9
        Weights equal to this many decimals count as equal.
    max_rounds : int, optional
        Default ``n + n_edges`` (enough to stabilise).

    Returns
    -------
    ndarray of int64, shape (n,)
        Class label per entity (``0 ..``, in order of first appearance);
        automorphic entities share a label.
    """
    n, m = hg.n, len(hg)
    edge_members = [hg.edge(e) for e in range(m)]
    entity_edges = [[] for _ in range(n)]
    for e, mem in enumerate(edge_members):
        for v in mem:
            entity_edges[v].append(e)
    ecol = _relabel([(len(mem), round(float(w), decimals)) for mem, w in zip(edge_members, hg.weights)])
    vcol = np.zeros(n, dtype=np.int64)
    rounds = n + m if max_rounds is None else int(max_rounds)
    n_classes = -1
    for _ in range(rounds):
        vcol = _relabel([(int(vcol[v]), tuple(sorted(int(ecol[e]) for e in entity_edges[v]))) for v in range(n)])
        ecol = _relabel([(int(ecol[e]), tuple(sorted(int(vcol[v]) for v in edge_members[e]))) for e in range(m)])
        k = len(np.unique(vcol)) + len(np.unique(ecol))
        if k == n_classes:
            break
        n_classes = k
    return vcol


def _relabel(keys) -> np.ndarray:
    lookup: dict = {}
    return np.fromiter((lookup.setdefault(k, len(lookup)) for k in keys), dtype=np.int64, count=len(keys))


STRUCTURES = ("distance", "adjacency")


def _structure(hg: WeightedHypergraph, structure: str) -> np.ndarray:
    """Structure matrix scaled to max 1: weighted clique matrix or shortest-path lengths."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import shortest_path

    W = hg.adjacency()
    if structure == "distance":
        nz = W > 0
        length = np.zeros_like(W)
        length[nz] = W[nz].mean() / W[nz]  # heavy edges are short
        W = shortest_path(sp.csr_matrix(length), method="D", directed=False)
        finite = np.isfinite(W)
        W[~finite] = 2 * (W[finite].max() if finite.any() else 1.0)
    return W / max(W.max(), 1e-300)


def gw_align(h1: WeightedHypergraph, h2: WeightedHypergraph, *, structures=STRUCTURES,
             n_init: int = 8, seed=0, max_iter: int = 1000) -> np.ndarray:
    """Match the entities of two hypergraphs by Gromov-Wasserstein on structure alone.

    GW is non-convex, so it is run for each structure matrix (scaled to max 1)
    - ``"distance"``: shortest-path lengths on the clique expansion with edge
    length ``mean(w) / w`` (a metric: few bad local optima on long, sparse
    worlds such as CHAIN); ``"adjacency"``: the weighted clique matrix - from
    the product coupling and from ``n_init - 1`` seeded random couplings (a
    random permutation mixed with the product coupling), with uniform
    marginals. Each coupling is rounded to a permutation (Hungarian), and the
    permutation with the lowest quadratic-assignment mismatch
    ``||W_1 - Π W_2 Π^T||_F`` of the weighted clique matrices wins (GW
    objectives of different structure matrices are not comparable).

    Parameters
    ----------
    h1, h2 : WeightedHypergraph
        Same number of entities ``n``.
    structures : sequence of {"distance", "adjacency"}, default both
    n_init : int, default 8
        Initialisations per structure.
    seed : int or numpy.random.Generator
    max_iter : int, default 1000

    Returns
    -------
    ndarray of int64, shape (n,)
        ``match[i]`` = entity of ``h2`` matched to entity ``i`` of ``h1`` (a permutation).
    """
    import ot
    from scipy.optimize import linear_sum_assignment

    if h1.n != h2.n:
        raise DataError(f"gw_align needs equal entity counts; got {h1.n} and {h2.n}.")
    check_int("n_init", n_init, 1)
    structures = (structures,) if isinstance(structures, str) else tuple(structures)
    if not structures or any(st not in STRUCTURES for st in structures):
        raise ConfigError(f"The 'structures' parameter must hold values of {STRUCTURES}. Got {structures!r} instead.")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n = h1.n
    W1, W2 = h1.adjacency(), h2.adjacency()
    p = q = np.full(n, 1.0 / n)
    best, best_val = None, np.inf
    for st in structures:
        C1, C2 = _structure(h1, st), _structure(h2, st)
        for r in range(int(n_init)):
            if r == 0:
                G0 = np.outer(p, q)
            else:
                lam = rng.uniform(0.3, 0.9)
                G0 = (1 - lam) * np.outer(p, q) + lam * np.eye(n)[rng.permutation(n)] / n
            G = ot.gromov.gromov_wasserstein(C1, C2, p, q, loss_fun="square_loss", G0=G0,
                                             max_iter=max_iter)
            perm = linear_sum_assignment(-np.asarray(G))[1]
            val = float(np.square(W1 - W2[np.ix_(perm, perm)]).sum())
            log.debug("GW %s restart %d: mismatch %.6g", st, r, val)
            if val < best_val - 1e-15:
                best, best_val = perm, val
    return np.asarray(best, dtype=np.int64)


def alignment_accuracy(match, bij1, bij2, classes=None) -> dict:
    """Hits@1 of a token matching against the known bijections.

    Parameters
    ----------
    match : array-like of int, shape (n,)
        ``match[a]`` = modality-2 token matched to modality-1 token ``a``.
    bij1, bij2 : array-like of int, shape (n,)
        ``bij[entity] = token`` of each modality.
    classes : array-like of int, shape (n,), optional
        Automorphism class per world entity (:func:`automorphism_classes` of
        the true hypergraph); a match into the right class counts "up to
        automorphism".

    Returns
    -------
    dict
        ``{"hits@1": float, "hits@1_up_to_automorphism": float}`` (the second
        only with ``classes``).
    """
    match, bij1, bij2 = (np.asarray(a, dtype=np.int64) for a in (match, bij1, bij2))
    inv1, inv2 = np.argsort(bij1), np.argsort(bij2)
    src = inv1[np.arange(len(match))]  # world entity behind each modality-1 token
    dst = inv2[match]  # world entity behind its match
    out = {"hits@1": float(np.mean(src == dst))}
    if classes is not None:
        classes = np.asarray(classes)
        out["hits@1_up_to_automorphism"] = float(np.mean(classes[src] == classes[dst]))
    return out
