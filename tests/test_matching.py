"""FAISS candidates against brute force; OT marginals and agreement with POT; decoding optimality."""

import numpy as np
import pytest

from align.errors import ConfigError, DataError
from align.matching import csls_knn, decode, knn, sinkhorn


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
