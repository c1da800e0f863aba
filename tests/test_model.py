"""The masked model recovers the conditionals of a known hypergraph; readout invariants."""

import numpy as np
import pytest

from align.datasets import Correspondences, HyperedgeSamples
from align.errors import ConfigError
from align.model import MaskedHypergraphModel, anchor_signatures, sparsify_conditional


def _samples_from_weights(edges, weights, n_samples, seed):
    rng = np.random.default_rng(seed)
    p = np.asarray(weights, float) / np.sum(weights)
    idx = rng.choice(len(edges), size=n_samples, p=p)
    return HyperedgeSamples.from_lists([list(edges[i]) for i in idx], 1 + max(max(e) for e in edges))


def test_recovers_pairwise_conditionals():
    """p(j | i) = w_ij / d_i on a small weighted graph, within 0.05 total variation per row."""
    edges = [(0, 1), (1, 2), (2, 3), (3, 0), (0, 2), (3, 4)]
    w = [1, 2, 1, 3, 1, 2]
    n = 5
    W = np.zeros((n, n))
    for (a, b), x in zip(edges, w):
        W[a, b] = W[b, a] = x
    truth = W / W.sum(1, keepdims=True)
    smp = _samples_from_weights(edges, w, 20000, seed=0)
    m = MaskedHypergraphModel(dim=16, epochs=15, lr=0.05, batch_size=1024, seed=0).fit(
        n_left=n, n_right=0, left_samples=smp)
    P = m.within_side_conditional("left", top_k=4).toarray()
    tv = 0.5 * np.abs(P - truth).sum(1)
    assert tv.max() < 0.05, tv
    assert np.allclose(P.sum(1), 1, atol=1e-5)


def test_fit_is_seeded_and_validates():
    smp = HyperedgeSamples.from_lists([[0, 1], [1, 2], [2, 0]] * 20, 3)
    a = MaskedHypergraphModel(dim=8, epochs=3, seed=7).fit(n_left=3, n_right=0, left_samples=smp)
    b = MaskedHypergraphModel(dim=8, epochs=3, seed=7).fit(n_left=3, n_right=0, left_samples=smp)
    np.testing.assert_array_equal(a.in_emb_, b.in_emb_)
    with pytest.raises(ConfigError, match=r"The 'dim' parameter must be an int >= 1. Got 0 instead."):
        MaskedHypergraphModel(dim=0)
    with pytest.raises(ConfigError, match=r"'swap_prob' parameter must be a float in the range \[0.0, 1.0\]"):
        MaskedHypergraphModel(swap_prob=1.5)
    with pytest.raises(ConfigError, match="not fitted"):
        MaskedHypergraphModel().conditional([[0]])


def test_state_roundtrip():
    smp = HyperedgeSamples.from_lists([[0, 1], [1, 2]] * 10, 3)
    m = MaskedHypergraphModel(dim=4, epochs=2).fit(n_left=3, n_right=0, left_samples=smp)
    m2 = MaskedHypergraphModel.from_state(m.state())
    np.testing.assert_allclose(m2.conditional([[0], [1]]), m.conditional([[0], [1]]))


def test_anchor_signatures_are_permutation_equivariant():
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    A = (rng.random((30, 30)) < 0.15).astype(float)
    A = np.triu(A, 1)
    A = A + A.T + np.eye(30) * 1e-3
    P = sparsify_conditional(sp.csr_matrix(A))
    perm = rng.permutation(30)
    Pp = sparsify_conditional(sp.csr_matrix(A[np.ix_(np.argsort(perm), np.argsort(perm))]))
    anchors = np.arange(5)
    for dim in (512, 3):  # one-hot labels, then the random projection
        sl, sr = anchor_signatures(P, Pp, anchors, perm[anchors], hops=3, projection_dim=dim)
        np.testing.assert_allclose(sl, sr[perm], atol=1e-5)


def test_sparsify_keeps_row_max_and_normalises():
    import scipy.sparse as sp

    P = sp.csr_matrix(np.array([[0, 0.9, 0.1], [0.01, 0, 0.02], [0.5, 0.5, 0]]))
    Q = sparsify_conditional(P, threshold=0.2).toarray()
    np.testing.assert_allclose(Q, [[0, 1, 0], [0, 0, 1], [0.5, 0.5, 0]], atol=1e-6)
