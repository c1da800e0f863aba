"""Fused Gromov-Wasserstein refinement of a match, on the candidate support.

Fused GW (Vayer et al., 2019) transports the queries onto the pool so that
both the feature cost and the *structure* are preserved: a pair ``(i, j)`` is
cheap when the neighbours of ``i`` are transported onto the neighbours of
``j``. With similarity matrices ``A1``, ``A2`` (normalised adjacencies) and
the inner-product GW loss, the gradient of the GW term at a plan ``T`` is
``-2 A1 T A2^T`` plus terms separable in ``i`` and ``j`` (absorbed by the
OT dual potentials), so one proximal step of entropic FGW is a Sinkhorn solve
with the cost

.. math:: C_{ij} = (1 - \\alpha)\\,(1 - s_{ij}) - \\alpha\\, G_{ij}, \\qquad
          G_{ij} = \\frac{1}{\\sqrt{d_i d_j}} \\sum_{k \\in N(i)} \\sum_{l \\in N(j)} \\hat T_{kl}

where ``\\hat T`` is the row-normalised plan plus the seed pairs (mass 1). We
evaluate ``G`` only on the candidate edges (``O(edges * degree)``) and iterate
``iterations`` times: each round, entities whose neighbourhoods agree under
the current alignment gain, which is where a names-only or structure-only
score leaves ties. ``method="pot"`` instead runs POT's dense entropic FGW
(``ot.gromov.entropic_fused_gromov_wasserstein``) on the queries x pool, for
small problems and as the reference.
"""

from __future__ import annotations

import logging

import numpy as np

from ..errors import ConfigError

__all__ = ["fgw_refine", "neighbour_agreement", "adjacency"]

log = logging.getLogger(__name__)


def adjacency(samples, n: int):
    """Symmetric binary adjacency (CSR, float32) of 2-member samples; larger samples as cliques' stars."""
    import scipy.sparse as sp

    if samples is None or len(samples) == 0:
        return sp.csr_matrix((n, n), dtype=np.float32)
    sizes = samples.sizes
    first = np.repeat(samples.members[samples.indptr[:-1]], sizes)
    other = samples.members
    keep = first != other
    r = np.concatenate([first[keep], other[keep]])
    c = np.concatenate([other[keep], first[keep]])
    A = sp.csr_matrix((np.ones(len(r), np.float32), (r, c)), shape=(n, n))
    A.data[:] = 1.0
    return A


def _support(P):
    """Symmetric binary support (CSR, float32) of a recovered conditional ``P``."""
    import scipy.sparse as sp

    P = sp.csr_matrix(P)
    A = ((P + P.T) > 0).astype(np.float32).tocsr()
    A.setdiag(0)
    A.eliminate_zeros()
    return A


def neighbour_agreement(A1, A2, T, rows, cols):
    """``G[e] = sum_{k in N(rows[e]), l in N(cols[e])} T[k, l] / sqrt(d_i d_j)`` for each edge ``e``.

    ``A1`` (n1 x n1), ``A2`` (n2 x n2) binary CSR; ``T`` (n1 x n2) sparse plan.
    Computed as ``M = A1 @ T`` (sparse) and, per edge, the sum of ``M[i, l]`` over the
    neighbours ``l`` of ``j``, by a sorted-key lookup: nothing dense.
    """
    import scipy.sparse as sp

    M = (A1 @ T).tocsr()
    M.sum_duplicates()
    n2 = M.shape[1]
    mrow = np.repeat(np.arange(M.shape[0], dtype=np.int64), np.diff(M.indptr))
    mkey = mrow * n2 + M.indices.astype(np.int64)  # sorted: CSR rows in order, columns sorted
    order = np.argsort(mkey, kind="stable")
    mkey, mval = mkey[order], M.data[order]
    A2 = sp.csr_matrix(A2)
    deg2 = np.diff(A2.indptr)
    deg1 = np.diff(sp.csr_matrix(A1).indptr)
    out = np.zeros(len(rows), np.float64)
    step = 1 << 18
    for s in range(0, len(rows), step):
        r, c = rows[s:s + step], cols[s:s + step]
        cnt = deg2[c]
        e_of = np.repeat(np.arange(len(r)), cnt)
        starts = A2.indptr[c]
        offs = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        nb = A2.indices[np.repeat(starts, cnt) + offs]
        q = np.repeat(r, cnt).astype(np.int64) * n2 + nb
        pos = np.searchsorted(mkey, q)
        pos = np.minimum(pos, len(mkey) - 1)
        hit = mkey[pos] == q if len(mkey) else np.zeros(len(q), bool)
        vals = np.where(hit, mval[pos], 0.0)
        out[s:s + step] = np.bincount(e_of, vals, minlength=len(r))
    return out / np.sqrt(np.maximum(deg1[rows], 1) * np.maximum(deg2[cols], 1))


def fgw_refine(dataset, cfg, features, struct, result, *, alpha: float = 0.3, iterations: int = 3,
               reg: float | None = None, num_iter_max: int | None = None, seed_mass: float = 1.0,
               method: str = "sparse", rank_by: str = "ot"):
    """Refiner (``matching.refine: fgw``): re-score the candidates by fused GW.

    Parameters
    ----------
    alpha : float in [0, 1], default 0.3
        Weight of the structure (GW) term against the feature cost.
    iterations : int, default 3
        Proximal FGW rounds (each a sparse Sinkhorn solve).
    reg, num_iter_max : optional
        Sinkhorn settings; default ``matching.ot``'s.
    seed_mass : float, default 1.0
        Mass of the train pairs in the plan the structure term reads.
    method : {"sparse", "pot"}
        ``pot``: POT's dense entropic FGW on queries x pool (small problems only).
    """
    from ..pipeline import MatchResult, _fused
    from . import decode, sinkhorn

    if not 0 <= alpha <= 1:
        raise ConfigError(f"The 'alpha' option of the fgw refiner must be in [0, 1]. Got {alpha!r} instead.")
    if method not in ("sparse", "pot"):
        raise ConfigError(f"The 'method' option of the fgw refiner must be 'sparse' or 'pot'. Got {method!r}.")
    mc = cfg.matching
    reg = mc.ot.reg if reg is None else float(reg)
    num_iter_max = mc.ot.num_iter_max if num_iter_max is None else int(num_iter_max)
    query, pool = result.query, result.pool
    nL, nR = len(dataset.left), len(dataset.right)
    if struct is not None and "P_left" in struct:
        # the hypergraph the masked model recovered (its thresholded support), not the raw samples
        A1, A2 = (_support(struct["P_left"]), _support(struct["P_right"]))
    else:
        A1 = adjacency(dataset.left_samples, nL)
        A2 = adjacency(dataset.right_samples, nR)
    pool_pos = np.full(nR, -1, np.int64)
    pool_pos[pool] = np.arange(len(pool))
    ids = result.cand_ids  # right rows, -1 pad
    valid = ids >= 0
    rows = np.repeat(np.arange(len(query)), ids.shape[1])[valid.ravel()]
    cols_r = ids[valid]  # right entity rows
    cols = pool_pos[cols_r]
    sim = _edge_similarity(features, struct, cfg, query[rows], cols_r)
    if method == "pot":
        XL, XR = _fused(features, struct, cfg)
        return _pot_fgw(dataset, cfg, result, A1, A2, XL, XR, alpha, reg, num_iter_max)
    # the plan lives on the pool entities that are somebody's candidate (compact column index)
    covered, cols_c = np.unique(cols, return_inverse=True)
    a = np.full(len(query), 1.0 / len(query))
    b = np.full(len(covered), 1.0 / len(covered))
    import scipy.sparse as sp

    seeds = dataset.train
    post = None
    G = np.zeros(len(rows))
    log_iters = []
    for it in range(iterations + 1):
        if it > 0:
            T = sp.csr_matrix((np.concatenate([post, np.full(len(seeds), seed_mass)]),
                               (np.concatenate([query[rows], seeds.left]),
                                np.concatenate([cols_r, seeds.right]))), shape=(nL, nR))
            G = neighbour_agreement(A1, A2, T, query[rows], cols_r)
        cost = (1 - alpha) * (1.0 - sim) - alpha * G
        res = sinkhorn(a, b, rows, cols_c, cost - cost.min(), reg=reg, num_iter_max=num_iter_max,
                       stop_thr=mc.ot.stop_thr, warn=False)
        P = res.to_scipy().tocsr()
        post = np.asarray(P[rows, cols_c]).ravel() * len(query)
        log_iters.append({"iter": it, "ot_err": res.log["err"], "n_iter": res.log["n_iter"]})
    # re-rank each query's candidates
    score_full = np.full(ids.shape, -np.inf, np.float64)
    key = post if rank_by == "ot" else -cost
    tie = -cost
    flat = np.flatnonzero(valid.ravel())
    sf = score_full.ravel()
    sf[flat] = key + 1e-9 * tie
    order = np.argsort(-score_full, axis=1, kind="stable")
    new_ids = np.take_along_axis(ids, order, 1)
    post_full = np.zeros(ids.shape)
    post_full.ravel()[flat] = post
    new_scores = np.take_along_axis(np.where(valid, post_full, -np.inf), order, 1).astype(np.float32)
    assign = decode(res.rows, res.cols, res.plan, res.shape, method=mc.decode)
    match = np.where(assign >= 0, pool[covered[np.maximum(assign, 0)]], -1)
    Pf = res.to_scipy()
    confidence = np.where(assign >= 0, np.asarray(Pf[np.arange(len(query)), np.maximum(assign, 0)]).ravel()
                          * len(query), 0.0).astype(np.float32)
    similarity = np.where(match >= 0, _edge_similarity(features, struct, cfg, query, np.maximum(match, 0)), np.nan)
    ot_log = {**result.ot_log, "fgw": {"alpha": alpha, "iterations": log_iters}}
    return MatchResult(query, pool, new_ids, new_scores, match, confidence, similarity.astype(np.float32), ot_log)


def _edge_similarity(features, struct, cfg, li, rj, chunk=32768):
    """Fused similarity (as :func:`align.pipeline._fused`'s inner product) of pairs (li[e], rj[e]),
    block by block, without materialising the fused matrices."""
    mc = cfg.matching
    blocks = []
    if mc.feature_weight > 0:
        blocks.append((mc.feature_weight, features["left"], features["right"]))
    if mc.structure_weight > 0:
        blocks.append((mc.structure_weight, struct["left"], struct["right"]))
    from .ot import edge_scores

    out = np.zeros(len(li), np.float64)
    for w, L, R in blocks:
        out += w * edge_scores(L, R, li, rj, chunk=chunk)
    return out


def _pot_fgw(dataset, cfg, result, A1, A2, XL, XR, alpha, reg, num_iter_max):
    """Dense POT entropic FGW between the queries and the pool (reference; small problems)."""
    import ot

    from ..pipeline import MatchResult
    from . import decode

    q, p = result.query, result.pool
    if len(q) * len(p) > 4_000_000:
        raise ConfigError(f"The fgw refiner's method 'pot' is dense: {len(q)} x {len(p)} is too large; "
                          "use method: sparse.")
    M = 1.0 - XL[q] @ XR[p].T
    C1 = A1[q][:, q].toarray().astype(np.float64)
    C2 = A2[p][:, p].toarray().astype(np.float64)
    a = np.full(len(q), 1.0 / len(q))
    b = np.full(len(p), 1.0 / len(p))
    T = ot.gromov.entropic_fused_gromov_wasserstein(M, C1, C2, a, b, loss_fun="square_loss", epsilon=reg,
                                                    alpha=alpha, max_iter=min(num_iter_max, 50))
    T = np.asarray(T)
    k = result.cand_ids.shape[1]
    order = np.argsort(-T, axis=1)[:, :k]
    ids = p[order]
    scores = np.take_along_axis(T, order, 1) * len(q)
    r, c = np.nonzero(T > 0)
    assign = decode(r, c, T[r, c], T.shape, method=cfg.matching.decode)
    match = np.where(assign >= 0, p[np.maximum(assign, 0)], -1)
    conf = np.array([T[i, j] * len(q) if j >= 0 else 0.0 for i, j in enumerate(assign)], np.float32)
    sim = np.where(match >= 0, np.einsum("ij,ij->i", XL[q], XR[np.maximum(match, 0)]), np.nan)
    return MatchResult(q, p, ids, scores.astype(np.float32), match, conf, sim.astype(np.float32),
                       {**result.ot_log, "fgw": {"alpha": alpha, "method": "pot"}})
