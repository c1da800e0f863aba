"""Recovering the weighted hypergraph from samples: counting and masked readouts.

One entry point, :func:`estimate`, with ``method=``:

* ``"count"`` - empirical hyperedge frequencies, the statistical reference.
* ``"masked_paper"`` - train a masked model (:class:`~.masked.MaskedTableModel`
  by default), probe ``p(· | C)`` with ``|e| - 1`` entities ``C`` visible,
  threshold the support, and chain weight ratios by BFS over hyperedges that
  share a probed context (Chen et al., ICML 2024): for pairwise graphs
  ``p(j | x) = w_xj / d_x``, so one probe row identifies the ratios of the
  edges at ``x`` and ``w_xj = w_xy · p(j | x) / p(y | x)``.
* ``"masked_global"`` - the same probes, all log-ratio equations solved at once
  by weighted sparse least squares.

**The global system.** Unknowns are ``x_e = log w_e`` per hyperedge and an
offset ``a_C = log sum_j w_{C ∪ j}`` per probed context; each support entry
gives ``x_{C ∪ j} - a_C = log p(j | C)``. Note that on a *tree* (STAR, CHAIN,
X) this system alone is exactly determined - ``2|E|`` equations, ``|E| + n - 1``
free unknowns - so its solution *is* the BFS one and errors still add up along
paths. What breaks the path dependence is one more probe of the same model:
the fully masked input, ``p(i | ∅) ∝ d_i``, which pins every offset of a
pairwise graph, ``a_i = log p(i | ∅) + b``. Each edge is then fixed by its two
endpoints' rows and the marginals, never by a path. For contexts of size > 1
``p(· | ∅)`` does not give the offsets; there it only sets the relative scale
of line-graph components (non-negative least squares on ``d = B w``), which
the ratios cannot (a hyperedge sharing no ``|e| - 1`` members with another is
only visible through the marginal). Equations are weighted by the plug-in
inverse standard deviation ``sqrt(p(C | ∅) p(j | C))`` (pairwise) or
``sqrt(p(j | C))``; marginal equations by ``MARGINAL_WEIGHT * sqrt(p(i | ∅))``.
"""

from __future__ import annotations

import logging
from collections import deque

import numpy as np

from ..errors import ConfigError, DataError
from .masked import CBOWProbe, MaskedTableModel, _rows_without_repeats
from .types import WeightedHypergraph

__all__ = ["METHODS", "estimate", "count_estimate", "fit_masked", "masked_readout"]

log = logging.getLogger(__name__)

METHODS = ("count", "masked_paper", "masked_global")

#: Extra weight (on the standard-deviation scale) of the marginal equations
#: ``a_i = log p(i | ∅) + b``. A hide-one row only sees the samples in which its
#: context was the visible part, and its log-probabilities carry that context
#: count's noise, while the fully masked probe pools every member of every
#: sample. Measured on STAR/CHAIN/STAR-kappa/G(n, m), the error falls
#: monotonically as this weight grows (1 -> 10 took masked/count on CHAIN from
#: 1.12 to 1.05); 10 is at the plateau (offsets effectively pinned).
MARGINAL_WEIGHT = 10.0
MODELS = ("table", "cbow")


def count_estimate(samples, n: int | None = None) -> WeightedHypergraph:
    """Empirical hyperedge frequencies (weighted by ``samples.counts``).

    Samples with a repeated token or a single member are dropped.

    Parameters
    ----------
    samples : HyperedgeSamples
    n : int, optional
        Vocabulary size (default ``samples.n_entities``).

    Returns
    -------
    WeightedHypergraph
    """
    n = samples.n_entities if n is None else int(n)
    sizes = samples.sizes
    edges, weights = [], []
    for k in np.unique(sizes):
        k = int(k)
        if k < 2:
            continue
        idx = np.flatnonzero(sizes == k)
        block = np.sort(samples.members[samples.indptr[idx][:, None] + np.arange(k)], axis=1)
        mult = samples.counts[idx].astype(np.float64)
        keep = _rows_without_repeats(block)
        if not keep.any():
            continue
        u, inv = np.unique(block[keep], axis=0, return_inverse=True)
        w = np.bincount(inv.reshape(-1), weights=mult[keep])
        edges.extend(map(tuple, u.tolist()))
        weights.append(w)
    if not edges:
        raise DataError("No sample has two or more distinct members; nothing to count.")
    return WeightedHypergraph.from_edges(edges, np.concatenate(weights), n=n)


def fit_masked(samples, n: int | None = None, *, model: str = "table", seed: int = 0, **params):
    """Train the masked model the readouts probe.

    Parameters
    ----------
    samples : HyperedgeSamples
    n : int, optional
    model : {"table", "cbow"}
        :class:`~.masked.MaskedTableModel` (full rank, L-BFGS) or
        :class:`align.model.MaskedHypergraphModel` through :class:`~.masked.CBOWProbe`.
    seed : int
    **params
        Passed to the model (e.g. ``mask="all"``; ``dim``, ``epochs``, ``lr`` for cbow).

    Returns
    -------
    fitted model with a ``probes()`` method
    """
    if model == "table":
        return MaskedTableModel(seed=seed, **params).fit(samples, n)
    if model == "cbow":
        return CBOWProbe(seed=seed, **params).fit(samples, n)
    raise ConfigError(f"The 'model' parameter must be one of {MODELS}. Got {model!r} instead.")


def _support(contexts, P, threshold):
    """Per context row, the targets ``j ∉ C`` with ``p(j | C) >= threshold``."""
    rows, cols = np.nonzero(P >= threshold)
    keep = np.ones(len(rows), bool)
    for r, c in enumerate(contexts):  # a target inside its own context is not a hyperedge
        sel = rows == r
        if sel.any():
            keep[np.flatnonzero(sel)[np.isin(cols[sel], c)]] = False
    rows, cols = rows[keep], cols[keep]
    edge_index: dict[tuple, int] = {}
    eq_edge = np.empty(len(rows), dtype=np.int64)
    for t, (r, j) in enumerate(zip(rows.tolist(), cols.tolist())):
        e = tuple(sorted(contexts[r] + (j,)))
        eq_edge[t] = edge_index.setdefault(e, len(edge_index))
    return rows, cols, eq_edge, list(edge_index)


def _component_scales(edges, x, comp, probes, n, threshold):
    """Weights from within-component log-weights ``x``, components scaled by NNLS.

    Unknown scales ``s_g >= 0``, one per line-graph component ``g``, with
    ``r_e = exp(x_e)`` fixed inside a component. Equations: the unigram
    marginal ``p(i | ∅) ∝ sum_{e ∋ i} s_g r_e`` and, per one-visible pair probe
    ``p(j | {i}, k)`` of size-``k`` samples, the homogeneous
    ``sum_{e ∋ i, j; |e| = k} s_g r_e = p(j | {i}, k) (k - 1) sum_{e ∋ i; |e| = k} s_g r_e``.
    """
    from scipy.optimize import nnls

    n_comp = int(comp.max()) + 1
    top = np.full(n_comp, -np.inf)
    np.maximum.at(top, comp, x)
    r = np.exp(x - top[comp])
    if n_comp == 1:
        return r
    if probes.marginal is None:  # no handle on relative scales: equal mass per component
        return r / np.bincount(comp, weights=r)[comp]
    size = np.array([len(e) for e in edges])
    B = np.zeros((n, n_comp))
    for e, (members, g) in enumerate(zip(edges, comp)):
        B[list(members), g] += r[e]
    blocks = [B]
    rhs = [probes.marginal / probes.marginal.sum() * B.sum() / n_comp]
    pair_rows = [t for t, (c, k) in enumerate(zip(probes.contexts, probes.sizes)) if len(c) == 1 and k > 2]
    if pair_rows:
        by_entity = [[] for _ in range(n)]
        for e, members in enumerate(edges):
            for v in members:
                by_entity[v].append(e)
        for t in pair_rows:
            i, k = probes.contexts[t][0], int(probes.sizes[t])
            mine = [e for e in by_entity[i] if size[e] == k]
            if not mine:
                continue
            Bi = np.zeros(n_comp)
            np.add.at(Bi, comp[mine], r[mine])
            cols = sorted({v for e in mine for v in edges[e] if v != i}
                          | set(np.flatnonzero(probes.conditional[t] >= threshold).tolist()) - {i})
            col_of = {v: c for c, v in enumerate(cols)}
            Aij = np.zeros((len(cols), n_comp))
            for e in mine:
                for v in edges[e]:
                    if v != i:
                        Aij[col_of[v], comp[e]] += r[e]
            blocks.append(Aij - probes.conditional[t, cols][:, None] * (k - 1) * Bi[None, :])
            rhs.append(np.zeros(len(cols)))
    s, _ = nnls(np.vstack(blocks), np.concatenate(rhs))
    w = r * s[comp]
    if not (w > 0).any():
        raise DataError("The marginal probes give every line-graph component zero weight.")
    return w


def masked_readout(probes, n: int, *, method: str = "masked_global", threshold: float = 1e-6):
    """Read a weighted hypergraph out of masked-model probes.

    Parameters
    ----------
    probes : Probes
        As returned by a fitted model's ``probes()``: hide-one rows
        ``p(· | C)`` (the hyperedges ``C ∪ {j}`` are read from these), optional
        one-visible pair rows of larger samples and the marginal ``p(· | ∅)``.
    n : int
    method : {"masked_paper", "masked_global"}
    threshold : float, default 1e-6
        Support threshold on ``p(j | C)``.

    Returns
    -------
    WeightedHypergraph
        Hyperedges with zero estimated weight are dropped.
    """
    import scipy.sparse as sp
    import scipy.sparse.linalg  # noqa: F401
    from scipy.sparse.csgraph import connected_components

    if method not in ("masked_paper", "masked_global"):
        raise ConfigError(f"The 'method' parameter must be 'masked_paper' or 'masked_global'. Got {method!r} instead.")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold < 1:
        raise ConfigError(f"The 'threshold' parameter must be a float in (0, 1). Got {threshold!r} instead.")
    hide_one = np.flatnonzero(np.array([len(c) + 1 == k for c, k in zip(probes.contexts, probes.sizes)]))
    contexts = [probes.contexts[t] for t in hide_one]
    P = probes.conditional[hide_one]
    marginal = probes.marginal
    rows, cols, eq_edge, edges = _support(contexts, P, threshold)
    if not edges:
        raise DataError("No probe puts mass >= threshold on any entity; nothing to read out.")
    E = len(edges)
    logp = np.log(P[rows, cols])
    # edges are linked when they share a probed context row
    link = sp.csr_matrix((np.ones(len(rows)), (eq_edge, rows)), shape=(E, len(contexts)))
    n_comp, comp = connected_components(link @ link.T, directed=False)

    if method == "masked_paper":
        x = np.full(E, np.nan)
        by_edge = [[] for _ in range(E)]  # (context row, log p of this edge in that row)
        by_row: dict[int, list] = {}
        for t in range(len(rows)):
            by_edge[eq_edge[t]].append((rows[t], logp[t]))
            by_row.setdefault(int(rows[t]), []).append((eq_edge[t], logp[t]))
        for root in range(E):
            if not np.isnan(x[root]):
                continue
            x[root] = 0.0
            queue = deque([root])
            while queue:
                e = queue.popleft()
                for r, lp_e in by_edge[e]:
                    for f, lp_f in by_row[int(r)]:
                        if np.isnan(x[f]):  # w_f = w_e * p(f|C) / p(e|C)
                            x[f] = x[e] + lp_f - lp_e
                            queue.append(f)
    else:
        pairwise = all(len(c) == 1 for c in contexts) and all(len(c) == 1 for c in probes.contexts)
        use_marg = marginal is not None and pairwise
        R = len(contexts)
        n_var = E + R + int(use_marg)
        if use_marg:
            m_ctx = np.array([marginal[c[0]] for c in contexts])
            omega = np.sqrt(np.maximum(m_ctx[rows] * P[rows, cols], 1e-300))
        else:
            omega = np.sqrt(P[rows, cols])
        ti = np.arange(len(rows))
        A_rows = [np.concatenate([ti, ti])]
        A_cols = [np.concatenate([eq_edge, E + rows])]
        A_vals = [np.concatenate([omega, -omega])]
        rhs = [omega * logp]
        if use_marg:
            ok = np.flatnonzero(m_ctx > threshold)
            om = MARGINAL_WEIGHT * np.sqrt(m_ctx[ok])
            k = np.arange(len(ok)) + len(rows)
            A_rows.append(np.concatenate([k, k]))
            A_cols.append(np.concatenate([E + ok, np.full(len(ok), n_var - 1)]))
            A_vals.append(np.concatenate([om, -om]))
            rhs.append(om * np.log(m_ctx[ok]))
        A = sp.csr_matrix((np.concatenate(A_vals), (np.concatenate(A_rows), np.concatenate(A_cols))),
                          shape=(sum(len(b) for b in rhs), n_var))
        x = sp.linalg.lsqr(A, np.concatenate(rhs), atol=1e-12, btol=1e-12, iter_lim=20 * n_var)[0][:E]
        if use_marg:  # one system: every component is already on the same scale
            comp = np.zeros(E, dtype=np.int64)
    w = _component_scales(edges, x, comp, probes, n, threshold)
    keep = w > 0
    return WeightedHypergraph.from_edges([edges[e] for e in np.flatnonzero(keep)], w[keep], n=n)


def estimate(samples, n: int | None = None, *, method: str = "count", model="table",
             threshold: float = 1e-6, seed: int = 0, **model_params) -> WeightedHypergraph:
    """Recover the weighted hypergraph behind hyperedge samples.

    Parameters
    ----------
    samples : HyperedgeSamples
        ``N`` samples over ``n`` tokens.
    n : int, optional
        Vocabulary size (default ``samples.n_entities``).
    method : {"count", "masked_paper", "masked_global"}
    model : {"table", "cbow"} or fitted model, default "table"
        The masked model to train, or an already fitted one (anything with
        ``probes()``) so several readouts share one training.
    threshold : float, default 1e-6
        Support threshold of the masked readouts.
    seed : int
    **model_params
        Passed to :func:`fit_masked`.

    Returns
    -------
    WeightedHypergraph
        Over the same ``n`` tokens; weights sum to 1.
    """
    n = samples.n_entities if n is None else int(n)
    if method == "count":
        return count_estimate(samples, n)
    if method not in METHODS:
        raise ConfigError(f"The 'method' parameter must be one of {METHODS}. Got {method!r} instead.")
    fitted = model if hasattr(model, "probes") else fit_masked(samples, n, model=model, seed=seed,
                                                              **model_params)
    return masked_readout(fitted.probes(), n, method=method, threshold=threshold)
