"""Top-k candidate search with FAISS, block by block.

Exact search (``index="Flat"``) scans the database in blocks and merges each
block's top-k into a running :class:`faiss.ResultHeap`, as ``faiss.contrib``
does, so memory is bounded by ``block_size * k``, never by ``m * n``. Any other
``index`` is an ``index_factory`` string (``"HNSW32"``, ``"IVF1024,Flat"``...)
for approximate search on large sets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError, DataError
from .._validation import check_int

__all__ = ["Candidates", "knn", "csls_knn"]


@dataclass
class Candidates:
    """Top-k right candidates of each query, best first.

    Attributes
    ----------
    ids : ndarray of int64, shape (m, k)
        Rows of the database; -1 where fewer than k exist.
    scores : ndarray of float32, shape (m, k)
        Similarity of each candidate (higher is better).
    """

    ids: np.ndarray
    scores: np.ndarray

    @property
    def k(self) -> int:
        return self.ids.shape[1]

    def to_edges(self):
        """(rows, cols, scores) of the valid entries, flattened."""
        valid = self.ids >= 0
        rows = np.repeat(np.arange(self.ids.shape[0]), self.ids.shape[1])[valid.ravel()]
        return rows, self.ids[valid], self.scores[valid]


def _as_f32(x, name):
    x = np.ascontiguousarray(np.asarray(x, dtype=np.float32))
    if x.ndim != 2:
        raise DataError(f"{name} must be a 2-D array (n, d); got shape {x.shape}.")
    if not np.isfinite(x).all():
        raise DataError(f"{name} contains NaN or inf.")
    return x


def knn(queries, database, *, k: int, index: str = "Flat", block_size: int = 16384,
        nprobe: int | None = None, seed: int = 0) -> Candidates:
    """Inner-product top-k of each query row among the database rows.

    Parameters
    ----------
    queries : array-like, shape (m, d)
    database : array-like, shape (n, d)
    k : int
        Neighbours per query; capped at n.
    index : str, default "Flat"
        ``"Flat"`` for exact block-wise search, else a FAISS ``index_factory``
        string (inner-product metric).
    block_size : int, default 16384
        Database rows per block in exact search.
    nprobe : int, optional
        For IVF indexes, lists visited per query.

    Returns
    -------
    Candidates
        ``ids``/``scores`` of shape (m, min(k, n)).
    """
    import faiss

    check_int("k", k, 1)
    q = _as_f32(queries, "queries")
    db = _as_f32(database, "database")
    if q.shape[1] != db.shape[1]:
        raise DataError(f"Dimension mismatch: queries have d={q.shape[1]}, database d={db.shape[1]}.")
    if len(db) == 0 or len(q) == 0:
        raise DataError("Empty queries or database for the k-NN search.")
    k = int(min(k, len(db)))
    if index == "Flat":
        heap = faiss.ResultHeap(len(q), k, keep_max=True)
        for s in range(0, len(db), block_size):
            blk = db[s:s + block_size]
            kb = min(k, len(blk))
            d, i = faiss.knn(q, blk, kb, metric=faiss.METRIC_INNER_PRODUCT)
            if kb < k:  # pad so the heap sees k columns
                d = np.pad(d, ((0, 0), (0, k - kb)), constant_values=-np.inf)
                i = np.pad(i, ((0, 0), (0, k - kb)), constant_values=-1)
            heap.add_result(d, np.where(i >= 0, i + s, -1))
        heap.finalize()
        return Candidates(heap.I.astype(np.int64), heap.D.astype(np.float32))
    try:
        idx = faiss.index_factory(db.shape[1], index, faiss.METRIC_INNER_PRODUCT)
    except RuntimeError:
        raise ConfigError(f"Invalid FAISS index_factory string {index!r}.") from None
    if not idx.is_trained:
        rng = np.random.default_rng(seed)
        train = db if len(db) <= 100_000 else db[rng.choice(len(db), 100_000, replace=False)]
        idx.train(train)
    idx.add(db)
    if nprobe is not None and hasattr(idx, "nprobe"):
        idx.nprobe = nprobe
    else:
        try:
            faiss.extract_index_ivf(idx).nprobe = nprobe or 16
        except RuntimeError:
            pass
    d, i = idx.search(q, k)
    return Candidates(i.astype(np.int64), d.astype(np.float32))


def csls_knn(queries, database, *, k: int, csls_k: int = 10, candidate_k: int | None = None,
             **knn_kwargs) -> Candidates:
    """Top-k by cross-domain similarity local scaling (Conneau et al., 2018).

    ``csls(x, y) = 2 cos(x, y) - r_db(x) - r_q(y)`` where ``r_db(x)`` is the mean
    similarity of ``x`` to its ``csls_k`` nearest database rows and ``r_q(y)``
    that of ``y`` to its nearest queries. It demotes "hub" rows that are close
    to everything. Candidates are first retrieved by cosine (``candidate_k``,
    default ``4 * k``) and then re-ranked, so no dense matrix is formed.
    """
    q = _as_f32(queries, "queries")
    db = _as_f32(database, "database")
    r_q = knn(q, db, k=csls_k, **knn_kwargs).scores.mean(1)
    r_db = knn(db, q, k=csls_k, **knn_kwargs).scores.mean(1)
    cand = knn(q, db, k=candidate_k or 4 * k, **knn_kwargs)
    valid = cand.ids >= 0
    s = 2 * cand.scores - r_q[:, None] - np.where(valid, r_db[np.maximum(cand.ids, 0)], 0)
    s = np.where(valid, s, -np.inf)
    order = np.argsort(-s, axis=1, kind="stable")[:, : min(k, cand.k)]
    return Candidates(np.take_along_axis(cand.ids, order, 1),
                      np.take_along_axis(s, order, 1).astype(np.float32))
