"""Entropic optimal transport on a sparse candidate graph, and one-to-one decoding.

Dense Sinkhorn needs an ``m x n`` kernel; at entity-alignment sizes that is the
bottleneck (POT's dense log-domain solver takes minutes at 5000^2 on 2 cores).
Restricted to a candidate graph with ``nnz`` edges, each log-domain iteration
costs ``O(nnz)``: two segmented log-sum-exps over the edges sorted by row and by
column.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError, DataError
from .candidates import Candidates

__all__ = ["OTResult", "CandidateOT", "sinkhorn", "knn_sinkhorn", "edge_scores", "decode"]

log = logging.getLogger(__name__)


@dataclass
class OTResult:
    """Result of an OT solve on a sparse support.

    Attributes
    ----------
    rows, cols : ndarray of int64, shape (nnz,)
        Support of the plan.
    plan : ndarray of float64, shape (nnz,)
        Transported mass on each edge.
    f, g : ndarray, shape (m,), (n,)
        Dual potentials.
    shape : tuple
        ``(m, n)``.
    log : dict
        ``n_iter``, ``err`` (marginal L1 error), ``converged``, ``method``.
    """

    rows: np.ndarray
    cols: np.ndarray
    plan: np.ndarray
    f: np.ndarray
    g: np.ndarray
    shape: tuple
    log: dict = field(default_factory=dict)

    def to_scipy(self):
        import scipy.sparse as sp

        return sp.csr_matrix((self.plan, (self.rows, self.cols)), shape=self.shape)

    def marginals(self):
        """Row and column sums of the plan, shapes (m,), (n,)."""
        m, n = self.shape
        return (np.bincount(self.rows, self.plan, minlength=m),
                np.bincount(self.cols, self.plan, minlength=n))


def _segment_lse(values, starts, n_groups, group_of_start):
    """log-sum-exp of consecutive segments of ``values`` (already grouped)."""
    mx = np.maximum.reduceat(values, starts)
    s = np.add.reduceat(np.exp(values - np.repeat(mx, np.diff(np.append(starts, len(values))))), starts)
    out = np.full(n_groups, -np.inf)
    out[group_of_start] = mx + np.log(s)
    return out


def sinkhorn(a, b, rows, cols, cost, *, reg: float = 0.05, method: str = "sparse_log",
             num_iter_max: int = 2000, stop_thr: float = 1e-6, warn: bool = True,
             init_duals: tuple | None = None) -> OTResult:
    r"""Entropic OT restricted to the support ``(rows, cols)``.

    Solves

    .. math:: \min_{P \ge 0,\ \mathrm{supp}(P) \subseteq E} \langle P, C\rangle - \varepsilon H(P)
              \quad \text{s.t.}\ P\mathbf 1 = a,\ P^\top \mathbf 1 = b.

    Parameters
    ----------
    a : array-like, shape (m,)
        Row marginal (sums to 1 with ``b``).
    b : array-like, shape (n,)
        Column marginal.
    rows, cols : array-like of int, shape (nnz,)
        Support edges.
    cost : array-like, shape (nnz,)
        Cost of each edge.
    reg : float, default 0.05
        Entropic regularisation :math:`\varepsilon`.
    method : {"sparse_log", "pot_log", "pot"}, default "sparse_log"
        ``sparse_log``: log-domain Sinkhorn on the edges, ``O(nnz)`` per
        iteration. ``pot_log`` / ``pot``: POT's dense ``ot.sinkhorn`` with
        ``method="sinkhorn_log"`` / ``"sinkhorn"`` on the ``m x n`` matrix, the
        off-support entries given a prohibitive cost; for small problems and as
        the reference in benchmarks.
    num_iter_max : int, default 2000
    stop_thr : float, default 1e-6
        Stop when the L1 error of the column marginal is below this.
    init_duals : (f, g), optional
        Warm start: dual potentials of shapes (m,), (n,) in the units of
        :attr:`OTResult.f` / :attr:`OTResult.g` (e.g. a solve on a smaller
        support). ``sparse_log`` only.

    Returns
    -------
    OTResult

    Warns
    -----
    UserWarning
        When not converged: increase ``num_iter_max`` or ``reg``, or the number
        of candidates (a row or column with too few edges can make the
        marginals infeasible).
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    cost = np.asarray(cost, dtype=np.float64)
    m, n = len(a), len(b)
    if not (len(rows) == len(cols) == len(cost)):
        raise DataError("rows, cols and cost must have the same length.")
    if reg <= 0:
        raise ConfigError(f"The 'reg' parameter must be a float > 0. Got {reg!r} instead.")
    if len(rows) == 0:
        raise DataError("The candidate support is empty.")
    if not np.isfinite(cost).all():
        raise DataError("The cost contains NaN or inf.")
    if abs(a.sum() - b.sum()) > 1e-8 * max(1.0, a.sum()):
        raise DataError(f"Marginals differ in mass: sum(a)={a.sum():.6g}, sum(b)={b.sum():.6g}.")
    for name, idx, size in (("row", rows, m), ("column", cols, n)):
        if idx.min() < 0 or idx.max() >= size:
            raise DataError(f"A {name} index is out of range [0, {size}).")
    if method in ("pot", "pot_log"):
        return _pot_dense(a, b, rows, cols, cost, reg, method, num_iter_max, stop_thr, warn)
    if method != "sparse_log":
        raise ConfigError(f"Unknown Sinkhorn method {method!r}; expected 'sparse_log', 'pot_log' or 'pot'.")

    # Drop duplicate edges (keep the cheapest) so the support is a set.
    key = rows * n + cols
    order = np.lexsort((cost, key))
    first = np.ones(len(order), bool)
    first[1:] = key[order][1:] != key[order][:-1]
    order = order[first]
    rows, cols, cost = rows[order], cols[order], cost[order]
    # Edge orderings by row and by column, and their segment starts.
    by_row = np.argsort(rows, kind="stable")
    r_sorted = rows[by_row]
    r_starts = np.flatnonzero(np.r_[True, r_sorted[1:] != r_sorted[:-1]])
    by_col = np.argsort(cols, kind="stable")
    c_sorted = cols[by_col]
    c_starts = np.flatnonzero(np.r_[True, c_sorted[1:] != c_sorted[:-1]])
    if len(r_starts) < np.count_nonzero(a) or len(c_starts) < np.count_nonzero(b):
        missing = "row" if len(r_starts) < np.count_nonzero(a) else "column"
        raise DataError(f"A {missing} with positive mass has no candidate edge; add candidates.")

    with np.errstate(divide="ignore"):
        log_a, log_b = np.log(a), np.log(b)
    f = np.zeros(m)
    g = np.zeros(n)
    if init_duals is not None:
        g0 = np.asarray(init_duals[1], dtype=np.float64)
        if g0.shape != (n,) or not np.isfinite(g0).all():
            raise DataError(f"init_duals[1] must be a finite array of shape ({n},); got shape {g0.shape}.")
        g = g0 / reg  # f is recomputed from g in the first half-step
    c_over = cost / reg
    err, it, stopped = np.inf, 0, False
    for it in range(1, num_iter_max + 1):
        v = (g[cols] - c_over)[by_row]
        f = log_a - _segment_lse(v, r_starts, m, r_sorted[r_starts])
        v = (f[rows] - c_over)[by_col]
        lse = _segment_lse(v, c_starts, n, c_sorted[c_starts])
        if it % 10 == 0 or it == num_iter_max:
            # Column marginal before the g update: the residual to drive to zero.
            err = float(np.abs(np.exp(g + lse) - b).sum())
            if err < stop_thr:
                g = log_b - lse
                stopped = True
                break
        g = log_b - lse
    # After the g update the column marginal is exact; report the row error.
    plan = np.exp(f[rows] + g[cols] - c_over)
    row_sum = np.bincount(rows, plan, minlength=m)
    err = float(np.abs(row_sum - a).sum())
    converged = stopped or err < stop_thr
    if not converged and warn:
        warnings.warn(
            f"Sparse Sinkhorn did not converge in {num_iter_max} iterations (marginal error {err:.2e}); "
            "increase num_iter_max or reg, or add candidates.", UserWarning, stacklevel=2)
    return OTResult(rows, cols, plan, f * reg, g * reg, (m, n),
                    {"n_iter": it, "err": err, "converged": converged, "method": "sparse_log"})


def _pot_dense(a, b, rows, cols, cost, reg, method, num_iter_max, stop_thr, warn):
    import ot

    m, n = len(a), len(b)
    big = float(cost.max() + 50 * reg * 20)  # exp(-big/reg) underflows: off-support mass ~ 0
    M = np.full((m, n), big)
    np.minimum.at(M, (rows, cols), cost)  # duplicate edges: keep the cheapest, as sparse_log does
    with warnings.catch_warnings():
        if not warn:
            warnings.simplefilter("ignore")
        P, lg = ot.sinkhorn(a, b, M, reg, method="sinkhorn_log" if method == "pot_log" else "sinkhorn",
                            numItermax=num_iter_max, stopThr=stop_thr, log=True)
    P = np.asarray(P)
    key = np.unique(rows * n + cols)
    r, c = key // n, key % n
    err = float(np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum())
    f = np.asarray(lg.get("log_u", np.log(np.maximum(lg.get("u", np.ones(m)), 1e-300)))) * reg
    g = np.asarray(lg.get("log_v", np.log(np.maximum(lg.get("v", np.ones(n)), 1e-300)))) * reg
    return OTResult(r, c, P[r, c], f, g, (m, n),
                    {"n_iter": len(lg.get("err", [])) * 10, "err": err, "converged": err < 1e-6, "method": method})


def decode(rows, cols, weights, shape, *, method: str = "hungarian"):
    """One-to-one assignment that maximises the total weight on a sparse support.

    Parameters
    ----------
    rows, cols : ndarray of int, shape (nnz,)
    weights : ndarray, shape (nnz,)
        Higher is better (e.g. transported mass or similarity). When all are
        positive, ``hungarian`` maximises ``sum(log w)``, else ``sum(w)``.
    shape : (m, n)
    method : {"hungarian", "greedy"}
        ``hungarian``: exact maximum-weight matching of the sparse bipartite
        graph (``scipy.sparse.csgraph.min_weight_full_bipartite_matching``);
        if the support admits no full matching it falls back to greedy for the
        rest, with a warning. ``greedy``: repeatedly take the heaviest edge whose
        ends are both free.

    Returns
    -------
    match : ndarray of int64, shape (m,)
        Column matched to each row, -1 if none.
    """
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    w = np.asarray(weights, dtype=np.float64)
    m, n = shape
    if method == "greedy":
        return _greedy(rows, cols, w, m, n)
    if method != "hungarian":
        raise ConfigError(f"Unknown decoding method {method!r}; expected 'hungarian' or 'greedy'.")
    import scipy.sparse as sp
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    # Positive costs, decreasing in weight; explicit zeros would read as missing edges.
    if (w > 0).all():
        # Positive weights (a transport plan): maximise sum(log w). For an
        # entropic plan, log P = (f + g - C) / reg, so this is the assignment of
        # least cost after the dual shifts; the linear cost max(w) - w is nearly
        # tied on the tiny entries of a plan and makes the solver crawl.
        lw = np.log(w)
        cost = (lw.max() - lw) + 1e-6
    else:
        cost = (w.max() - w) + 1e-3 * (w.max() - w.min() + 1e-12) + 1e-12
    G = sp.csr_matrix((cost, (rows, cols)), shape=(m, n))
    G.sum_duplicates()
    try:
        r, c = min_weight_full_bipartite_matching(G)
        match = np.full(m, -1, dtype=np.int64)
        match[r] = c
        return match
    except ValueError:
        warnings.warn("The candidate graph admits no full matching; decoding greedily instead. "
                      "Add candidates (a larger k) for an exact assignment.", UserWarning, stacklevel=2)
        return _greedy(rows, cols, w, m, n)


def _greedy(rows, cols, w, m, n):
    order = np.argsort(-w, kind="stable")
    match = np.full(m, -1, dtype=np.int64)
    taken = np.zeros(n, bool)
    for e in order:
        r, c = rows[e], cols[e]
        if match[r] < 0 and not taken[c]:
            match[r] = c
            taken[c] = True
    return match


@dataclass
class CandidateOT:
    """Result of :func:`knn_sinkhorn`.

    Attributes
    ----------
    result : OTResult
        The plan on the final support (query rows x pool columns).
    ranked : Candidates
        Each query's top-``k`` pool rows by the score its plan row ranks by
        (``s_ij + g_j``; the first search's order when there are no rounds).
    first : Candidates
        The first search (by similarity, or CSLS).
    rounds : list of dict
        Per solve: support size, iterations, marginal error.
    """

    result: OTResult
    ranked: Candidates
    first: Candidates
    rounds: list


def knn_sinkhorn(XL, XR, *, k: int, reg: float = 0.05, support_rounds: int = 1, csls: bool = False,
                 index: str = "Flat", method: str = "sparse_log", num_iter_max: int = 2000,
                 stop_thr: float = 1e-6, seed: int = 0, spare_column: bool = False,
                 warn: bool = True) -> CandidateOT:
    r"""Entropic OT between two point sets, on a candidate graph found by k-NN search.

    The cost is ``1 - <x_i, y_j>`` and the marginals uniform. The first support
    is the union of the left-to-right and right-to-left top-``k`` graphs.

    **Support rounds.** The plan is :math:`P_{ij} = \exp((f_i + g_j - 1 + s_{ij})/\varepsilon)`,
    so row ``i`` ranks the pool by ``s_ij + g_j`` and column ``j`` the queries by
    ``s_ij + f_i``, not by ``s_ij``: a hub (close to everything) gets a low
    potential, and a pair that is in neither raw top-``k`` can carry much of the
    mass of the dense plan. Each round searches the top-``k`` again by those
    scores - inner products with one more coordinate, ``[x_i, 1] . [y_j, g_j]``,
    so the same FAISS search - adds them to the support and re-solves from the
    previous potentials. The support only grows; each round costs two searches and
    one solve on at most ``2 k (m + n)`` more edges, never ``m x n``.

    Parameters
    ----------
    XL : ndarray of float32, shape (m, d)
        Queries.
    XR : ndarray of float32, shape (n, d)
        Pool.
    k : int
        Candidates per query and per pool row in each search.
    reg, method, num_iter_max, stop_thr, warn
        As :func:`sinkhorn`.
    support_rounds : int, default 1
        Dual-guided searches after the first solve (0: the plain top-``k`` support).
    csls : bool, default False
        First search by CSLS (:func:`~align.matching.csls_knn`) instead of the
        inner product. Later rounds use the potentials, which correct hubs already.
    index : str, default "Flat"
        FAISS index (see :func:`~align.matching.knn`).
    spare_column : bool, default False
        The last column of ``XL`` and ``XR`` is zero and free to be overwritten
        during the searches (the arrays are then used in place, no copies). With
        ``False`` the extra column is added here, as a copy.

    Returns
    -------
    CandidateOT
    """
    from .._validation import check_int
    from .candidates import csls_knn, knn

    check_int("k", k, 1)
    check_int("support_rounds", support_rounds, 0)
    if not spare_column:
        XL = np.hstack([np.asarray(XL, np.float32), np.zeros((len(XL), 1), np.float32)])
        XR = np.hstack([np.asarray(XR, np.float32), np.zeros((len(XR), 1), np.float32)])
    if XL.shape[1] != XR.shape[1]:
        raise DataError(f"Dimension mismatch: queries have d={XL.shape[1]}, pool d={XR.shape[1]}.")
    m, n = len(XL), len(XR)
    d = XL.shape[1] - 1
    kf, kb = min(k, n), min(k, m)
    search = csls_knn if csls else knn
    first = search(XL, XR, k=kf, index=index, seed=seed)
    back = search(XR, XL, k=kb, index=index, seed=seed)
    ranked = first
    key = np.empty(0, np.int64)
    a, b = np.full(m, 1.0 / m), np.full(n, 1.0 / n)
    res, sim, rounds = None, np.zeros(0), []
    for rnd in range(support_rounds + 1):
        if rnd > 0:
            XL[:, d], XR[:, d] = 1.0, res.g
            ranked = knn(XL, XR, k=kf, index=index, seed=seed)
            XL[:, d], XR[:, d] = res.f, 1.0
            back = knn(XR, XL, k=kb, index=index, seed=seed)
            XL[:, d] = XR[:, d] = 0.0
        fr, fc, _ = ranked.to_edges()
        br, bc, _ = back.to_edges()
        new_key = np.union1d(key, np.concatenate([fr * n + fc, bc * n + br]))
        # exact similarity on the support (CSLS scores are not symmetric); the support only
        # grows and stays sorted, so only the new edges are computed
        old = np.isin(new_key, key, assume_unique=True)
        new_sim = np.empty(len(new_key))
        new_sim[old] = sim
        rows, cols = new_key // n, new_key % n
        new_sim[~old] = edge_scores(XL, XR, rows[~old], cols[~old], d)
        key, sim = new_key, new_sim
        warm = {"init_duals": (res.f, res.g)} if res is not None and method == "sparse_log" else {}
        res = sinkhorn(a, b, rows, cols, 1.0 - sim, reg=reg, method=method, num_iter_max=num_iter_max,
                       stop_thr=stop_thr, warn=warn and rnd == support_rounds, **warm)
        rounds.append({"edges": int(len(key)), "n_iter": res.log["n_iter"], "err": res.log["err"]})
    return CandidateOT(res, ranked, first, rounds)


def edge_scores(XL, XR, rows, cols, d=None, chunk=32768):
    """``XL[rows[e], :d] @ XR[cols[e], :d]`` for each edge ``e``, shape (nnz,), in chunks
    (never an (nnz, d) array at once)."""
    rows = np.asarray(rows, np.int64)
    cols = np.asarray(cols, np.int64)
    d = XL.shape[1] if d is None else d
    if len(rows) == 0:
        return np.zeros(0, np.float64)
    return np.concatenate([np.einsum("ij,ij->i", XL[rows[s:s + chunk], :d], XR[cols[s:s + chunk], :d])
                           for s in range(0, len(rows), chunk)]).astype(np.float64)
