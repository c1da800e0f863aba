"""Typed containers that flow between the pipeline's stages.

* :class:`EntitySet` - one side's entities: unique ids, a modality and payloads
  (image paths, texts) or precomputed embeddings.
* :class:`HyperedgeSamples` - samples of hyperedges, i.e. sets of entities seen
  together, stored in CSR form (``indptr``/``members``) with relation labels and
  counts.
* :class:`Correspondences` - known left/right pairs, by row index.
* :class:`AlignmentDataset` - both sides, their samples and the train/test pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..errors import DataError

__all__ = [
    "MODALITIES",
    "EntitySet",
    "HyperedgeSamples",
    "Correspondences",
    "AlignmentDataset",
]

MODALITIES = ("image", "text", "kg")


@dataclass(eq=False)
class EntitySet:
    """The entities of one side.

    Parameters
    ----------
    ids : sequence of str, shape (n,)
        Unique, non-empty entity ids.
    modality : {"image", "text", "kg"}
        How the entities are perceived.
    payloads : sequence, shape (n,), optional
        Per-entity raw data: an image path (``image``) or a text (``text``, ``kg``).
    embeddings : ndarray of shape (n, d), optional
        Precomputed embeddings, row ``i`` for ``ids[i]``. Must be finite.
    name : str
        Side name used in messages, e.g. ``"left"``.
    source : str, optional
        File the ids were read from, used in messages.
    """

    ids: Sequence[str]
    modality: str
    payloads: Sequence | None = None
    embeddings: np.ndarray | None = None
    name: str = "entities"
    source: str | None = None
    _index: dict = field(default=None, init=False, repr=False)

    def __post_init__(self):
        self.ids = [str(i) for i in self.ids]
        where = self.source or self.name
        if self.modality not in MODALITIES:
            raise DataError(
                f"Unknown modality {self.modality!r} for {self.name}; expected one of {MODALITIES}."
            )
        if len(self.ids) == 0:
            raise DataError(f"The entity set {self.name!r} is empty.", path=self.source)
        index = {}
        for i, e in enumerate(self.ids):
            if not e:
                raise DataError(f"Empty entity id at row {i + 1} of {self.name}.", path=self.source)
            if e in index:
                raise DataError(f"Duplicate entity id {e!r} in {where}.", path=None)
            index[e] = i
        self._index = index
        if self.payloads is not None:
            self.payloads = list(self.payloads)
            if len(self.payloads) != len(self.ids):
                raise DataError(
                    f"{self.name}: {len(self.payloads)} payloads for {len(self.ids)} ids."
                )
        if self.embeddings is not None:
            emb = np.asarray(self.embeddings)
            if emb.ndim != 2 or emb.shape[0] != len(self.ids):
                raise DataError(
                    f"{self.name}: embeddings of shape {emb.shape} do not match "
                    f"{len(self.ids)} ids; expected ({len(self.ids)}, d)."
                )
            bad = ~np.isfinite(emb).all(axis=1)
            if bad.any():
                first = int(np.flatnonzero(bad)[0])
                raise DataError(
                    f"{self.name}: embedding of id {self.ids[first]!r} (row {first}) is not "
                    f"finite (NaN or inf); {int(bad.sum())} such rows."
                )
            self.embeddings = emb.astype(np.float32, copy=False)

    def __len__(self) -> int:
        return len(self.ids)

    def index_of(self, entity_id: str, *, where: str | None = None, line: int | None = None) -> int:
        """Row of ``entity_id``; a :class:`DataError` naming it if unknown."""
        try:
            return self._index[entity_id]
        except KeyError:
            raise DataError(
                f"Unknown {self.name} entity id {entity_id!r}.", path=where, line=line
            ) from None

    def indices(self, ids: Iterable[str], *, where: str | None = None) -> np.ndarray:
        return np.fromiter((self.index_of(e, where=where) for e in ids), dtype=np.int64)


@dataclass(eq=False)
class HyperedgeSamples:
    """Samples of hyperedges over one :class:`EntitySet`, in CSR layout.

    Sample ``s`` has members ``members[indptr[s]:indptr[s + 1]]`` (row indices
    into the entity set), relation ``relations[s]`` (an index into
    ``relation_names``, or -1 for none) and multiplicity ``counts[s]``.

    Parameters
    ----------
    indptr : ndarray of int64, shape (n_samples + 1,)
    members : ndarray of int64, shape (nnz,)
    n_entities : int
        Size of the entity set the members index.
    relations : ndarray of int64, shape (n_samples,), optional
    relation_names : list of str, optional
    counts : ndarray of int64, shape (n_samples,), optional
        Defaults to ones.
    texts : list of str, optional
        The surface form of each sample (e.g. a sentence), kept for reports.
    """

    indptr: np.ndarray
    members: np.ndarray
    n_entities: int
    relations: np.ndarray | None = None
    relation_names: list = field(default_factory=list)
    counts: np.ndarray | None = None
    texts: list | None = None

    def __post_init__(self):
        self.indptr = np.asarray(self.indptr, dtype=np.int64)
        self.members = np.asarray(self.members, dtype=np.int64)
        n = len(self.indptr) - 1
        if n < 0 or self.indptr[0] != 0 or self.indptr[-1] != len(self.members):
            raise DataError("Malformed samples: indptr does not span members.")
        if np.any(np.diff(self.indptr) < 1):
            raise DataError("Malformed samples: every sample needs at least one entity.")
        if len(self.members) and (self.members.min() < 0 or self.members.max() >= self.n_entities):
            raise DataError("Malformed samples: a member index is out of range.")
        if self.relations is None:
            self.relations = np.full(n, -1, dtype=np.int64)
        self.relations = np.asarray(self.relations, dtype=np.int64)
        if self.counts is None:
            self.counts = np.ones(n, dtype=np.int64)
        self.counts = np.asarray(self.counts, dtype=np.int64)
        if len(self.relations) != n or len(self.counts) != n:
            raise DataError("Malformed samples: relations/counts length differs from samples.")

    @classmethod
    def from_lists(
        cls,
        samples: Sequence[Sequence[int]],
        n_entities: int,
        *,
        relations: Sequence[str | None] | None = None,
        counts: Sequence[int] | None = None,
        texts: Sequence[str] | None = None,
    ) -> "HyperedgeSamples":
        """Build from a list of member-index lists (and optional relation names)."""
        lengths = np.fromiter((len(s) for s in samples), dtype=np.int64, count=len(samples))
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        members = (
            np.concatenate([np.asarray(s, dtype=np.int64) for s in samples])
            if len(samples)
            else np.zeros(0, dtype=np.int64)
        )
        rel_codes, names = None, []
        if relations is not None:
            lookup: dict[str, int] = {}
            rel_codes = np.empty(len(samples), dtype=np.int64)
            for i, r in enumerate(relations):
                if r is None:
                    rel_codes[i] = -1
                else:
                    rel_codes[i] = lookup.setdefault(str(r), len(lookup))
            names = list(lookup)
        return cls(
            indptr=indptr,
            members=members,
            n_entities=n_entities,
            relations=rel_codes,
            relation_names=names,
            counts=None if counts is None else np.asarray(counts),
            texts=None if texts is None else list(texts),
        )

    def __len__(self) -> int:
        return len(self.indptr) - 1

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(self.indptr)

    def sample(self, s: int) -> np.ndarray:
        return self.members[self.indptr[s] : self.indptr[s + 1]]

    def degree(self) -> np.ndarray:
        """How often each entity occurs, weighted by counts, shape (n_entities,)."""
        rep = np.repeat(self.counts, self.sizes)
        return np.bincount(self.members, weights=rep, minlength=self.n_entities)


@dataclass(eq=False)
class Correspondences:
    """Known left/right pairs, as row indices into the two entity sets.

    Parameters
    ----------
    left, right : ndarray of int64, shape (n_pairs,)
    """

    left: np.ndarray
    right: np.ndarray

    def __post_init__(self):
        self.left = np.asarray(self.left, dtype=np.int64).reshape(-1)
        self.right = np.asarray(self.right, dtype=np.int64).reshape(-1)
        if self.left.shape != self.right.shape:
            raise DataError("Correspondences: left and right differ in length.")

    def __len__(self) -> int:
        return len(self.left)

    @classmethod
    def empty(cls) -> "Correspondences":
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64))


@dataclass(eq=False)
class AlignmentDataset:
    """Everything one alignment job reads: two sides, their samples and pairs."""

    left: EntitySet
    right: EntitySet
    left_samples: HyperedgeSamples | None
    right_samples: HyperedgeSamples | None
    train: Correspondences
    test: Correspondences
    name: str = "dataset"
    root: Path | None = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        for side, es, smp in (("left", self.left, self.left_samples), ("right", self.right, self.right_samples)):
            if smp is not None and smp.n_entities != len(es):
                raise DataError(f"{side} samples index {smp.n_entities} entities, the set has {len(es)}.")
        for split, c in (("train", self.train), ("test", self.test)):
            if len(c) and (c.left.max() >= len(self.left) or c.right.max() >= len(self.right)):
                raise DataError(f"{split} pairs index past the entity sets.")
        _check_one_to_one(self, self.train, "train")
        _check_one_to_one(self, self.test, "test")
        overlap = np.intersect1d(self.train.left, self.test.left)
        if len(overlap):
            raise DataError(
                f"Left entity {self.left.ids[overlap[0]]!r} is in both the train and the test pairs."
            )

    def summary(self) -> dict:
        return {
            "name": self.name,
            "left": {"modality": self.left.modality, "entities": len(self.left),
                     "samples": 0 if self.left_samples is None else len(self.left_samples)},
            "right": {"modality": self.right.modality, "entities": len(self.right),
                      "samples": 0 if self.right_samples is None else len(self.right_samples)},
            "train_pairs": len(self.train),
            "test_pairs": len(self.test),
        }


def _check_one_to_one(ds: AlignmentDataset, c: Correspondences, split: str) -> None:
    for side, idx, es in (("left", c.left, ds.left), ("right", c.right, ds.right)):
        u, cnt = np.unique(idx, return_counts=True)
        if (cnt > 1).any():
            dup = es.ids[u[cnt > 1][0]]
            raise DataError(f"The {side} entity {dup!r} appears in more than one {split} pair.")
