"""FAISS candidates against brute force; OT marginals and agreement with POT; decoding optimality."""

import numpy as np
import pytest

from align.errors import ConfigError, DataError
from align.matching import csls_knn, decode, knn, knn_sinkhorn, sinkhorn


def _data(m=120, n=150, d=16, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, d)).astype(np.float32), rng.standard_normal((n, d)).astype(np.float32)


@pytest.mark.parametrize("block_size", [7, 64, 100000])
def test_blockwise_knn_equals_brute_force(block_size):
    q, db = _data()
    cand = knn(q, db, k=10, block_size=block_size)
    sims = q @ db.T
    ref = np.argsort(-sims, axis=1, kind="stable")[:, :10]
    np.testing.assert_array_equal(cand.ids, ref)
    np.testing.assert_allclose(cand.scores, np.take_along_axis(sims, ref, 1), rtol=1e-5, atol=1e-5)


def test_knn_k_larger_than_database_and_bad_inputs():
    q, db = _data(5, 3)
    assert knn(q, db, k=10).ids.shape == (5, 3)
    with pytest.raises(ConfigError, match=r"The 'k' parameter must be an int >= 1. Got 0 instead."):
        knn(q, db, k=0)
    with pytest.raises(DataError, match="Dimension mismatch"):
        knn(q, db[:, :4], k=2)
    bad = q.copy()
    bad[0, 0] = np.nan
    with pytest.raises(DataError, match="NaN"):
        knn(bad, db, k=2)
    with pytest.raises(ConfigError, match="Invalid FAISS index_factory string 'Bogus'"):
        knn(q, db, k=2, index="Bogus")


def test_approximate_index_finds_most_neighbours():
    q, db = _data(200, 2000, 32)
    exact = knn(q, db, k=10)
    approx = knn(q, db, k=10, index="HNSW32")
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact.ids, approx.ids)])
    assert recall > 0.9


def test_csls_demotes_hubs():
    rng = np.random.default_rng(1)
    db = rng.standard_normal((50, 8)).astype(np.float32)
    hub = db.mean(0, keepdims=True) * 0 + 1.0
    db = np.vstack([db, hub / np.linalg.norm(hub)]).astype(np.float32)
    db /= np.linalg.norm(db, axis=1, keepdims=True)
    q = db[:50] + 0.3 * rng.standard_normal((50, 8)).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    plain = knn(q, db, k=1).ids[:, 0]
    csls = csls_knn(q, db, k=1, csls_k=5).ids[:, 0]
    assert (csls == np.arange(50)).mean() >= (plain == np.arange(50)).mean()


def _support(m, n, k, seed=0):
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(m), k)
    cols = np.concatenate([rng.choice(n, k, replace=False) for _ in range(m)])
    # make sure every column has an edge, and a full matching exists
    rows = np.concatenate([rows, np.arange(min(m, n))])
    cols = np.concatenate([cols, np.arange(min(m, n))])
    return rows, cols, rng.random(len(rows))


@pytest.mark.parametrize("reg", [0.05, 0.2])
def test_sparse_sinkhorn_marginals(reg):
    m = n = 200
    rows, cols, cost = _support(m, n, 15)
    a = np.full(m, 1 / m)
    b = np.random.default_rng(3).random(n)
    b /= b.sum()
    res = sinkhorn(a, b, rows, cols, cost, reg=reg, num_iter_max=20000, stop_thr=1e-9)
    r, c = res.marginals()
    assert res.log["converged"]
    np.testing.assert_allclose(r, a, atol=1e-5)
    np.testing.assert_allclose(c, b, atol=1e-5)
    assert (res.plan >= 0).all()


def test_sparse_sinkhorn_matches_pot_dense():
    m, n = 60, 60
    rows, cols, cost = _support(m, n, 60)  # full support: both solve the same problem
    a = np.full(m, 1 / m)
    b = np.full(n, 1 / n)
    ours = sinkhorn(a, b, rows, cols, cost, reg=0.1, stop_thr=1e-10, num_iter_max=5000)
    pot = sinkhorn(a, b, rows, cols, cost, reg=0.1, method="pot_log", stop_thr=1e-10, num_iter_max=5000)
    np.testing.assert_allclose(ours.to_scipy().toarray(), pot.to_scipy().toarray(), atol=1e-8)


def test_sinkhorn_warns_when_not_converged_and_checks_input():
    rows, cols, cost = _support(50, 50, 5)
    a = np.full(50, 1 / 50)
    with pytest.warns(UserWarning, match="increase num_iter_max or reg"):
        sinkhorn(a, a, rows, cols, cost, reg=0.001, num_iter_max=3)
    with pytest.raises(DataError, match="Marginals differ in mass"):
        sinkhorn(a, a * 2, rows, cols, cost)
    with pytest.raises(ConfigError, match="Unknown Sinkhorn method 'exact'"):
        sinkhorn(a, a, rows, cols, cost, method="exact")
    with pytest.raises(DataError, match="has no candidate edge"):
        sinkhorn(np.full(51, 1 / 51), np.full(50, 1 / 50), rows, cols, cost)


def test_hungarian_decoding_is_optimal():
    from scipy.optimize import linear_sum_assignment

    rng = np.random.default_rng(0)
    W = rng.random((40, 40))
    rows, cols = np.nonzero(np.ones_like(W))
    match = decode(rows, cols, W[rows, cols] - 0.5, W.shape, method="hungarian")
    r, c = linear_sum_assignment(-W)
    assert np.isclose(W[np.arange(40), match].sum(), W[r, c].sum())
    assert len(set(match)) == 40


def test_greedy_decoding_and_fallback():
    rows = np.array([0, 0, 1])
    cols = np.array([0, 1, 0])
    w = np.array([0.9, 0.5, 0.8])
    assert decode(rows, cols, w, (2, 2), method="greedy").tolist() == [0, -1]
    # rows 0 and 1 both only reach column 0: no full matching, greedy fallback warns
    with pytest.warns(UserWarning, match="no full matching"):
        m = decode(np.array([0, 1]), np.array([0, 0]), np.array([0.9, 0.8]), (2, 2))
    assert m.tolist() == [0, -1]
    with pytest.raises(ConfigError, match="Unknown decoding method"):
        decode(rows, cols, w, (2, 2), method="auction")


def _hub_problem(n=120, hubs=10, seed=0):
    """Similarities where every raw top-5 (both directions) is a hub, never the true pair.

    ``XL @ XR.T == S`` exactly (``XR`` is the identity). The true pairs are the diagonal
    (0.8); the first ``hubs`` columns and rows are close to everything (0.85-0.9).
    """
    rng = np.random.default_rng(seed)
    S = 0.1 * rng.random((n, n))
    S[np.arange(n), np.arange(n)] = 0.8
    S[:, :hubs] = 0.85 + 0.05 * rng.random((n, hubs))
    S[:hubs, :] = 0.85 + 0.05 * rng.random((hubs, n))
    S[np.arange(hubs), np.arange(hubs)] = 0.95
    return S.astype(np.float32), np.eye(n, dtype=np.float32)


def test_support_rounds_recover_the_dense_plan_that_plain_top_k_misses():
    import ot

    n, hubs, reg = 120, 10, 0.05
    XL, XR = _hub_problem(n, hubs)
    u = np.full(n, 1.0 / n)
    dense = ot.sinkhorn(u, u, 1.0 - XL.astype(np.float64), reg, method="sinkhorn_log",
                        numItermax=5000, stopThr=1e-10)
    non_hub = np.arange(hubs, n)
    assert (dense.argmax(1)[non_hub] == non_hub).all()  # the dense plan finds the true pairs

    plain = knn_sinkhorn(XL, XR, k=5, reg=reg, support_rounds=0, num_iter_max=2000, stop_thr=1e-9, warn=False)
    P0 = plain.result.to_scipy().toarray()
    assert P0[non_hub, non_hub].max() == 0          # no true pair is in the plain support
    assert plain.result.log["err"] > 0.5             # and it cannot carry the marginals

    grown = knn_sinkhorn(XL, XR, k=5, reg=reg, support_rounds=1, num_iter_max=2000, stop_thr=1e-9)
    P1 = grown.result.to_scipy().toarray()
    ra, ca = grown.result.marginals()
    np.testing.assert_allclose(ra, u, atol=1e-5 / n)
    np.testing.assert_allclose(ca, u, atol=1e-5 / n)
    assert (P1.argmax(1)[non_hub] == non_hub).all()
    assert (grown.ranked.ids[non_hub, 0] == non_hub).all()  # ranked by similarity + potential
    assert (grown.first.ids[non_hub, 0] < hubs).all()        # the first search: hubs on top
    np.testing.assert_allclose(P1, dense, atol=2e-4)          # close to the dense plan everywhere
    assert [r["edges"] for r in grown.rounds] == sorted(r["edges"] for r in grown.rounds)
    assert len(grown.rounds) == 2


def test_knn_sinkhorn_spare_column_is_used_in_place_and_restored():
    XL, XR = _hub_problem(60, 5)
    L = np.hstack([XL, np.zeros((60, 1), np.float32)])
    R = np.hstack([XR, np.zeros((60, 1), np.float32)])
    a = knn_sinkhorn(L, R, k=5, reg=0.05, support_rounds=2, spare_column=True, num_iter_max=2000, warn=False)
    b = knn_sinkhorn(XL, XR, k=5, reg=0.05, support_rounds=2, num_iter_max=2000, warn=False)
    assert (L[:, -1] == 0).all() and (R[:, -1] == 0).all()
    np.testing.assert_array_equal(a.result.rows, b.result.rows)
    np.testing.assert_allclose(a.result.plan, b.result.plan, rtol=1e-6, atol=1e-12)
    with pytest.raises(ConfigError, match="'support_rounds' parameter must be an int >= 0. Got -1"):
        knn_sinkhorn(XL, XR, k=5, support_rounds=-1)


def test_sinkhorn_warm_start_reaches_the_same_plan():
    rng = np.random.default_rng(3)
    m = n = 40
    rows = np.repeat(np.arange(m), 8)
    cols = rng.integers(0, n, len(rows))
    rows, cols = np.concatenate([rows, np.arange(m)]), np.concatenate([cols, np.arange(n)])
    cost = rng.random(len(rows))
    u = np.full(m, 1.0 / m)
    cold = sinkhorn(u, u, rows, cols, cost, reg=0.1, num_iter_max=20000, stop_thr=1e-12, warn=False)
    warm = sinkhorn(u, u, rows, cols, cost, reg=0.1, num_iter_max=20000, stop_thr=1e-12, warn=False,
                    init_duals=(cold.f, cold.g))
    np.testing.assert_allclose(warm.plan, cold.plan, atol=1e-9)
    assert warm.log["n_iter"] <= 10  # from the optimum's potentials: converged at the first check
    with pytest.raises(DataError, match=r"init_duals\[1\] must be a finite array of shape \(40,\)"):
        sinkhorn(u, u, rows, cols, cost, reg=0.1, init_duals=(cold.f, cold.g[:5]))
