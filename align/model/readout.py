"""Comparing the two sides' recovered structures through known pairs.

Each side's recovered conditional ``P[i, j] = p(j | i)`` (a sparse row-stochastic
matrix read out of the masked model) is a random walk over that side's
hypergraph. Starting the walk from the anchors (entities with a known
counterpart, which share one label across sides) gives every entity an
*anchor signature*: its ``h``-hop probability of reaching each anchor, for
``h = 1..hops``. Two entities that play the same role in the same world have the
same signature whatever modality they were seen in, so the cosine of signatures
is a cross-side score that needs no features.

With many anchors the one-hot anchor labels are replaced by a shared Gaussian
random projection (Johnson-Lindenstrauss), so signatures stay ``(n, d)`` with
``d = projection_dim`` instead of ``(n, n_anchors)``.
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError

__all__ = ["sparsify_conditional", "anchor_signatures"]


def sparsify_conditional(P, *, threshold: float = 0.0):
    """Drop entries below ``threshold`` and renormalise rows (a support threshold).

    Parameters
    ----------
    P : scipy.sparse matrix, shape (n, n)
        Row-stochastic conditional.
    threshold : float
        Entries ``p(j | i) < threshold`` are treated as noise of the readout and
        removed; a row that would empty keeps its largest entry.
    """
    import scipy.sparse as sp

    P = sp.csr_matrix(P, dtype=np.float32, copy=True)
    if threshold > 0 and P.nnz:
        keep = P.data >= threshold
        # keep each row's maximum so no entity is cut off
        row_of = np.repeat(np.arange(P.shape[0]), np.diff(P.indptr))
        rmax = np.zeros(P.shape[0], np.float32)
        np.maximum.at(rmax, row_of, P.data)
        keep |= P.data >= rmax[row_of]
        P.data = np.where(keep, P.data, 0).astype(np.float32)
        P.eliminate_zeros()
    s = np.asarray(P.sum(1)).ravel()
    return sp.diags(1.0 / np.maximum(s, 1e-12)).astype(np.float32) @ P


def anchor_signatures(P_left, P_right, anchors_left, anchors_right, *, hops: int = 3,
                      projection_dim: int = 512, seed: int = 0):
    """Multi-hop anchor signatures of both sides.

    Parameters
    ----------
    P_left : scipy.sparse matrix, shape (n_left, n_left)
        Row-stochastic within-side conditional of the left side.
    P_right : scipy.sparse matrix, shape (n_right, n_right)
    anchors_left, anchors_right : ndarray of int, shape (a,)
        Known pairs ``(anchors_left[t], anchors_right[t])``.
    hops : int, default 3
    projection_dim : int, default 512
        Above this many anchors, labels are a shared random projection.

    Returns
    -------
    sig_left : ndarray of float32, shape (n_left, hops * d)
    sig_right : ndarray of float32, shape (n_right, hops * d)
        Each hop block L2-normalised, the whole row L2-normalised.
    """
    from ..perception.base import l2_normalize

    anchors_left = np.asarray(anchors_left, dtype=np.int64)
    anchors_right = np.asarray(anchors_right, dtype=np.int64)
    if len(anchors_left) != len(anchors_right):
        raise DataError("anchors_left and anchors_right differ in length.")
    if len(anchors_left) == 0:
        raise DataError("Structure signatures need at least one known pair (seed).")
    a = len(anchors_left)
    if a > projection_dim:
        rng = np.random.default_rng(seed)
        labels = (rng.standard_normal((a, projection_dim)) / np.sqrt(projection_dim)).astype(np.float32)
    else:
        labels = np.eye(a, dtype=np.float32)
    out = []
    for P, anchors in ((P_left, anchors_left), (P_right, anchors_right)):
        x = np.zeros((P.shape[0], labels.shape[1]), dtype=np.float32)
        x[anchors] = labels
        blocks = []
        for _ in range(hops):
            x = np.asarray(P @ x, dtype=np.float32)
            blocks.append(l2_normalize(x))
        out.append(l2_normalize(np.concatenate(blocks, axis=1)))
    return out[0], out[1]
