"""The weighted hypergraph of a world: entities, hyperedges and their weights."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from ..errors import DataError

__all__ = ["WeightedHypergraph"]


@dataclass(eq=False)
class WeightedHypergraph:
    """A weighted hypergraph over entities ``0 .. n - 1``, stored as CSR incidence.

    Hyperedge ``e`` has members ``members[indptr[e]:indptr[e + 1]]`` (sorted,
    distinct) and weight ``weights[e]``. Weights are normalised to a
    distribution over hyperedges (they sum to 1); hyperedges are unique and kept
    in lexicographic order of (size, members).

    Parameters
    ----------
    n : int
        Number of entities.
    indptr : ndarray of int64, shape (n_edges + 1,)
    members : ndarray of int64, shape (nnz,)
    weights : ndarray of float64, shape (n_edges,)
        Positive; normalised on construction.
    """

    n: int
    indptr: np.ndarray
    members: np.ndarray
    weights: np.ndarray

    def __post_init__(self):
        self.indptr = np.asarray(self.indptr, dtype=np.int64)
        self.members = np.asarray(self.members, dtype=np.int64)
        self.weights = np.asarray(self.weights, dtype=np.float64)
        m = len(self.indptr) - 1
        if m < 0 or self.indptr[0] != 0 or self.indptr[-1] != len(self.members):
            raise DataError("Malformed hypergraph: indptr does not span members.")
        if len(self.weights) != m:
            raise DataError(f"Malformed hypergraph: {len(self.weights)} weights for {m} hyperedges.")
        if np.any(np.diff(self.indptr) < 1):
            raise DataError("Malformed hypergraph: every hyperedge needs at least one member.")
        if len(self.members) and (self.members.min() < 0 or self.members.max() >= self.n):
            raise DataError("Malformed hypergraph: a member index is out of range.")
        if m and (not np.all(np.isfinite(self.weights)) or np.any(self.weights <= 0)):
            raise DataError("Malformed hypergraph: weights must be finite and > 0.")
        total = self.weights.sum()
        if m:
            self.weights = self.weights / total

    # ------------------------------------------------------------ building
    @classmethod
    def from_edges(cls, edges: Iterable[Sequence[int]], weights: Sequence[float] | None = None,
                   *, n: int) -> "WeightedHypergraph":
        """Build from member lists; duplicates are merged (their weights add).

        Parameters
        ----------
        edges : iterable of sequences of int
            Members of each hyperedge (any order; repeated members are an error).
        weights : sequence of float, shape (n_edges,), optional
            Defaults to uniform.
        n : int
            Number of entities.
        """
        edges = [tuple(sorted(int(v) for v in e)) for e in edges]
        if weights is None:
            weights = np.ones(len(edges))
        weights = np.asarray(weights, dtype=np.float64)
        if len(weights) != len(edges):
            raise DataError(f"{len(weights)} weights for {len(edges)} hyperedges.")
        acc: dict[tuple, float] = {}
        for e, w in zip(edges, weights):
            if len(set(e)) != len(e):
                raise DataError(f"Hyperedge {e} repeats a member.")
            acc[e] = acc.get(e, 0.0) + float(w)
        keys = sorted(acc, key=lambda e: (len(e), e))
        sizes = np.fromiter((len(e) for e in keys), dtype=np.int64, count=len(keys))
        indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        members = (np.fromiter((v for e in keys for v in e), dtype=np.int64, count=int(sizes.sum()))
                   if keys else np.zeros(0, np.int64))
        return cls(n=int(n), indptr=indptr, members=members,
                   weights=np.fromiter((acc[e] for e in keys), dtype=np.float64, count=len(keys)))

    @classmethod
    def from_dict(cls, weights: dict, *, n: int) -> "WeightedHypergraph":
        """Build from ``{sorted member tuple: weight}``."""
        return cls.from_edges(list(weights), list(weights.values()), n=n)

    # ------------------------------------------------------------- access
    def __len__(self) -> int:
        return len(self.indptr) - 1

    @property
    def n_edges(self) -> int:
        return len(self)

    @property
    def sizes(self) -> np.ndarray:
        """Hyperedge sizes, shape (n_edges,)."""
        return np.diff(self.indptr)

    def edge(self, e: int) -> tuple:
        return tuple(int(v) for v in self.members[self.indptr[e]:self.indptr[e + 1]])

    def edges(self) -> list:
        """Hyperedges as sorted tuples, shape (n_edges,)."""
        return [self.edge(e) for e in range(len(self))]

    def as_dict(self) -> dict:
        """``{sorted member tuple: weight}``."""
        return dict(zip(self.edges(), self.weights.tolist()))

    def incidence(self):
        """Sparse incidence matrix, ``scipy.sparse.csr_matrix`` of shape (n_edges, n)."""
        import scipy.sparse as sp

        data = np.ones(len(self.members))
        return sp.csr_matrix((data, self.members, self.indptr), shape=(len(self), self.n))

    def degree(self) -> np.ndarray:
        """Weighted degree ``d_i = sum_{e ∋ i} w_e``, shape (n,)."""
        return np.bincount(self.members, weights=np.repeat(self.weights, self.sizes), minlength=self.n)

    def adjacency(self, *, weighted: bool = True) -> np.ndarray:
        """Clique expansion ``W[i, j] = sum_{e ∋ i, j} w_e`` (zero diagonal), shape (n, n).

        For a pairwise graph ``W`` holds each edge weight at ``(i, j)`` and
        ``(j, i)``, so ``W.sum() == 2``.
        """
        inc = self.incidence()
        if weighted:
            import scipy.sparse as sp

            inc_w = sp.diags(self.weights) @ inc
            a = (inc.T @ inc_w).toarray()
        else:
            a = (inc.T @ inc).toarray()
            a = (a > 0).astype(np.float64)
        np.fill_diagonal(a, 0.0)
        return a

    def relabel(self, mapping) -> "WeightedHypergraph":
        """The same hypergraph with entity ``i`` renamed ``mapping[i]``.

        Parameters
        ----------
        mapping : array-like of int, shape (n,)
            A bijection of ``0 .. n - 1`` (e.g. a perception mapping).
        """
        mapping = np.asarray(mapping, dtype=np.int64)
        if mapping.shape != (self.n,) or not np.array_equal(np.sort(mapping), np.arange(self.n)):
            raise DataError(f"relabel needs a permutation of 0..{self.n - 1}.")
        return WeightedHypergraph.from_edges([mapping[list(e)] for e in self.edges()],
                                             self.weights, n=self.n)

    def __repr__(self) -> str:
        sizes = sorted(set(self.sizes.tolist()))
        return f"WeightedHypergraph(n={self.n}, n_edges={len(self)}, sizes={sizes})"
