"""The masked model on a knowledge graph, with a relation-aware readout.

**Joint hypergraph.** The vocabulary holds every entity of both sides and one
token per relation and direction (``r`` and its inverse ``r^-1``) of each
side. A triple ``(h, r, t)`` contributes the 2-hyperedges ``{h, t}``,
``{h, r}`` and ``{t, r^-1}``; the seeds join the sides (swapped in for their
counterparts, as in :class:`~align.model.masked.MaskedHypergraphModel`).

**Estimators of the conditionals.** The readout needs, per side, the recovered
conditionals ``p(j | i)`` (entity -> entity), ``p(r | i)`` (entity ->
relation) and ``p(i | r)`` (relation -> entity) of the model with one member
visible:

* ``estimator="count"`` - the model at its optimum. For 2-hyperedges the
  masked cross-entropy is minimised exactly by the empirical conditionals
  (Chen et al., 2024), so this is the closed-form fit; no SGD, milliseconds.
* ``estimator="masked"`` - train :class:`MaskedHypergraphModel` (CBOW, full
  softmax) on these hyperedges and read its conditionals on the observed
  support (softmax of ``<u_i, v_j> + b_j`` over the edges of row ``i``),
  optionally blended with the counts (``blend``). Slower; the low-rank model
  smooths the weights of high-degree rows.

**Readout: three-view label propagation** (as LightEA, Mao et al. 2022, but
through the recovered conditionals). Anchor pairs share a random label
(Gaussian, nearly orthogonal in ``ent_dim`` dims); with names, every entity's
name embedding is appended to its label. ``depth`` rounds of

.. math:: x_R \\leftarrow \\mathrm{norm}(P_{re} x_E),\\qquad
          x_E \\leftarrow \\mathrm{norm}(s\\,x_E + P_{ee} x_E + P_{er} x_R)

give entity and relation signatures (all rounds concatenated). The
relation-aware part sums, over the triples at ``i``, the outer product of the
relation's signature (projected to ``rel_dim``) and the neighbour's signature
(projected to ``mini_dim``): two entities match when they reach matching
neighbours *through matching relations*. Cost is ``O(triples * rel_dim *
mini_dim)``; nothing is ``n x n``.

Without seeds (the unsupervised setting) the anchors are pseudo-seeds: pairs
that are mutual nearest neighbours by name embedding with cosine at least
``pseudo_min_sim``.
"""

from __future__ import annotations

import json
import logging

import numpy as np

from ..errors import ConfigError, DataError

__all__ = ["KGMaskedModel", "pseudo_seeds"]

log = logging.getLogger(__name__)

_READOUT_DEFAULTS = dict(depth=2, ent_dim=512, rel_dim=256, mini_dim=16, self_weight=2.0, relation_weight=1.0,
                         entity_weight=1.0, tensor_weight=1.0, name_weight=1.0, label_weight=1.0,
                         pseudo_min_sim=0.5, readout_seed=None,
                         binary_relations=False)


def _l2n(x):
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(n, 1e-12)).astype(np.float32, copy=False)


def _row_normalize(M):
    import scipy.sparse as sp

    M = sp.csr_matrix(M, dtype=np.float32)
    s = np.asarray(M.sum(1)).ravel()
    return (sp.diags((1.0 / np.maximum(s, 1e-12)).astype(np.float32)) @ M).tocsr()


def _triples(samples):
    """(head, relation, tail) arrays from 2-member samples; larger samples become stars."""
    sizes = samples.sizes
    if (sizes == 2).all():
        h, t = samples.members[0::2], samples.members[1::2]
        return h.copy(), samples.relations.copy(), t.copy()
    hs, rs, ts = [], [], []
    for s in range(len(samples)):
        m = samples.sample(s)
        for x in m[1:]:
            hs.append(m[0]); rs.append(samples.relations[s]); ts.append(x)
    return np.asarray(hs, np.int64), np.asarray(rs, np.int64), np.asarray(ts, np.int64)


def pseudo_seeds(fl, fr, *, min_sim: float = 0.5):
    """Mutual nearest neighbours by cosine of ``fl``/``fr`` with similarity >= ``min_sim``."""
    from ..matching import knn

    f = knn(fl, fr, k=1)
    b = knn(fr, fl, k=1)
    i = np.arange(len(fl))
    j = f.ids[:, 0]
    keep = (j >= 0) & (b.ids[np.maximum(j, 0), 0] == i) & (f.scores[:, 0] >= min_sim)
    return i[keep], j[keep]


class KGMaskedModel:
    """Masked model over a joint KG hypergraph with a relation-aware structure readout.

    Parameters
    ----------
    estimator : {"count", "masked"}, default "count"
        How the conditionals are recovered (see the module docs).
    blend : float, default 0.0
        With ``estimator="masked"``, weight of the counts in the readout
        conditionals (0: the model's alone).
    depth, ent_dim, rel_dim, mini_dim : int
        Propagation rounds, anchor-label width, relation-signature width and
        neighbour-signature width of the relation-aware part.
    self_weight : float, default 1.0
        Weight of an entity's own signature in each round.
    entity_weight, tensor_weight : float
        Weights of the propagated signatures and the relation-aware part in
        the output (inner product = weighted sum of the two cosines).
    name_weight, label_weight : float
        With features, the weights of the name embedding and of the anchor
        label in each entity's initial signature.
    pseudo_min_sim : float, default 0.5
        Without seeds: name cosine needed for a mutual-NN pseudo-seed.
    dim, epochs, batch_size, lr, swap_prob, ... :
        The masked model's (used by ``estimator="masked"``).
    """

    def __init__(self, *, dim: int = 64, epochs: int = 0, batch_size: int = 2048, lr: float = 0.01,
                 swap_prob: float = 0.0, pair_edges: bool = False, feature_scale: float = 0.0,
                 max_size: int = 8, seed: int = 0, progress: bool = False, device: str = "cpu",
                 estimator: str = "count", blend: float = 0.0, **readout):
        unknown = sorted(set(readout) - set(_READOUT_DEFAULTS))
        if unknown:
            raise TypeError(f"unexpected option {unknown[0]!r}; expected one of "
                            f"{sorted(set(_READOUT_DEFAULTS) | {'estimator', 'blend'})}")
        if estimator not in ("count", "masked"):
            raise ConfigError(f"The 'estimator' option must be 'count' or 'masked'. Got {estimator!r} instead.")
        self.masked_params = dict(dim=dim, epochs=epochs, batch_size=batch_size, lr=lr, swap_prob=swap_prob,
                                  pair_edges=pair_edges, feature_scale=0.0, max_size=max_size, seed=seed,
                                  progress=progress, device=device)
        self.feature_scale = feature_scale
        self.estimator = estimator
        self.blend = float(blend)
        self.seed = seed
        self.readout = {**_READOUT_DEFAULTS, **readout}
        for k in ("depth", "ent_dim", "rel_dim", "mini_dim"):
            v = self.readout[k]
            if isinstance(v, bool) or not isinstance(v, int) or v < (0 if k == "depth" else 1):
                raise ConfigError(f"The model option {k!r} must be a positive int. Got {v!r} instead.")

    # ------------------------------------------------------------------ fit
    def fit(self, *, n_left, n_right, left_samples=None, right_samples=None, train_pairs=None,
            left_features=None, right_features=None) -> "KGMaskedModel":
        if left_samples is None or right_samples is None:
            raise DataError("The KG model needs triples (hyperedge samples) on both sides.")
        self.n_ = {"left": int(n_left), "right": int(n_right)}
        self.triples_ = {}
        self.n_rel_ = {}
        for side, smp in (("left", left_samples), ("right", right_samples)):
            h, r, t = _triples(smp)
            if (r < 0).any():  # unlabelled samples share one relation
                r = np.where(r < 0, r.max(initial=-1) + 1, r)
            self.triples_[side] = (h, r, t)
            self.n_rel_[side] = int(r.max(initial=-1)) + 1
        self.features_ = {"left": left_features, "right": right_features} if (
            self.feature_scale > 0 and left_features is not None and right_features is not None) else None
        self.conditionals_ = {s: self._count_conditionals(s) for s in ("left", "right")}
        if self.estimator == "masked" and self.masked_params["epochs"] > 0:
            self._fit_masked(train_pairs)
        return self

    def _edges(self, side):
        """Entity-entity (both directions) and entity-relation-token edges of one side."""
        h, r, t = self.triples_[side]
        R = self.n_rel_[side]
        ee_r = np.concatenate([h, t]); ee_c = np.concatenate([t, h])
        # token r is what a tail receives and aggregates the heads, r^-1 the reverse:
        # entity -> relation on (t, r), (h, r^-1); relation -> entity on (r, h), (r^-1, t)
        er_r = np.concatenate([t, h]); er_c = np.concatenate([r, r + R])
        re_r = np.concatenate([r, r + R]); re_c = np.concatenate([h, t])
        return ee_r, ee_c, er_r, er_c, re_r, re_c

    def _count_conditionals(self, side):
        import scipy.sparse as sp

        n, R = self.n_[side], self.n_rel_[side]
        ee_r, ee_c, er_r, er_c, re_r, re_c = self._edges(side)
        one = np.ones(len(ee_r), np.float32)
        A = sp.csr_matrix((one, (ee_r, ee_c)), shape=(n, n))
        A.setdiag(0)
        A.eliminate_zeros()
        B = sp.csr_matrix((one, (er_r, er_c)), shape=(n, 2 * R))
        C = sp.csr_matrix((one, (re_r, re_c)), shape=(2 * R, n))
        if self.readout["binary_relations"]:
            B.data[:] = 1.0
            C.data[:] = 1.0
        return {"ee": _row_normalize(A), "er": _row_normalize(B), "re": _row_normalize(C)}

    def _fit_masked(self, train_pairs):
        """Train the CBOW masked model on the pair hyperedges; read its conditionals on the support."""
        from ..datasets.types import HyperedgeSamples
        from .masked import MaskedHypergraphModel

        sides = {}
        for side in ("left", "right"):
            n, R = self.n_[side], self.n_rel_[side]
            ee_r, ee_c, er_r, er_c, re_r, re_c = self._edges(side)
            half = len(ee_r) // 2
            # relation tokens follow the side's entities
            a = np.concatenate([ee_r[:half], er_r, re_c])
            b = np.concatenate([ee_c[:half], er_c + n, re_r + n])
            members = np.empty(2 * len(a), np.int64)
            members[0::2], members[1::2] = a, b
            sides[side] = HyperedgeSamples(np.arange(0, len(members) + 1, 2), members, n + 2 * R)
        mm = MaskedHypergraphModel(**self.masked_params)
        nl = self.n_["left"] + 2 * self.n_rel_["left"]
        mm.fit(n_left=nl, n_right=self.n_["right"] + 2 * self.n_rel_["right"],
               left_samples=sides["left"], right_samples=sides["right"], train_pairs=train_pairs)
        self.loss_history_ = list(mm.loss_history_)
        for side, off in (("left", 0), ("right", nl)):
            n = self.n_[side]
            cond = self.conditionals_[side]
            for key, (src, dst) in {"ee": (0, 0), "er": (0, n), "re": (n, 0)}.items():
                C = cond[key].tocoo()
                logit = (np.einsum("ij,ij->i", mm.in_emb_[off + src + C.row], mm.out_emb_[off + dst + C.col])
                         + mm.out_bias_[off + dst + C.col])
                M = _support_softmax(C.row, C.col, logit, C.shape)
                cond[key] = (M * (1 - self.blend) + cond[key] * self.blend).tocsr() if self.blend else M

    # -------------------------------------------------------------- readout
    def cross_side_structure(self, anchors, cfg, *, previous=None) -> dict:
        """Relation-aware signatures of both sides, comparable by inner product."""
        o = self.readout
        seed = cfg.seed if o["readout_seed"] is None else o["readout_seed"]
        rng = np.random.default_rng(seed)
        al, ar = np.asarray(anchors.left, np.int64), np.asarray(anchors.right, np.int64)
        feats = self.features_
        if len(al) == 0:
            if feats is None:
                raise DataError("Structure needs known pairs (train pairs) to compare the two sides, and "
                                "there are none; give seeds, or names (model.feature_scale > 0) for pseudo-seeds.")
            al, ar = pseudo_seeds(feats["left"], feats["right"], min_sim=o["pseudo_min_sim"])
            log.info("kg readout: %d pseudo-seeds from names", len(al))
            if len(al) == 0:
                raise DataError(f"No pseudo-seeds: no mutual nearest names with cosine >= {o['pseudo_min_sim']}.")
        labels = _l2n(rng.standard_normal((len(al), o["ent_dim"])).astype(np.float32))
        proj_rel = None
        out, n_anchor = {}, len(al)
        for side, idx in (("left", al), ("right", ar)):
            x = np.zeros((self.n_[side], o["ent_dim"]), np.float32)
            x[idx] = labels
            if feats is not None:
                x = np.hstack([o["label_weight"] * x, o["name_weight"] * _l2n(np.asarray(feats[side]))])
            out[side] = self._propagate(side, x)
        # shared random projections (same matrices both sides): relation signatures to rel_dim, and
        # for each of those dims its own projection of the neighbour signature to mini_dim
        d_e = out["left"][0].shape[1]
        d_r = out["left"][1].shape[1]
        proj_rel = _l2n(rng.standard_normal((d_r, o["rel_dim"])).astype(np.float32))
        proj_ent = np.concatenate([_l2n(rng.standard_normal((d_e, o["mini_dim"])).astype(np.float32))
                                   for _ in range(o["rel_dim"])], axis=1)
        res = {}
        for side in ("left", "right"):
            ent, rel = out[side]
            blocks = []
            if o["entity_weight"] > 0:
                blocks.append(np.sqrt(o["entity_weight"]) * ent)
            if o["tensor_weight"] > 0:
                tb = self._tensor(side, ent, proj_ent, rel @ proj_rel)
                blocks.append(tb if len(blocks) == 0 else np.sqrt(o["tensor_weight"]) * tb)
                del tb
            res[side] = _l2n(np.hstack(blocks)) if len(blocks) > 1 else _l2n(blocks[0])
        res["n_anchors"] = n_anchor
        return res

    def _propagate(self, side, x):
        o = self.readout
        c = self.conditionals_[side]
        R = 2 * self.n_rel_[side]
        ent = _l2n(x)
        rel = np.zeros((R, ent.shape[1]), np.float32)
        ents, rels = [ent], [rel]
        for _ in range(o["depth"]):
            new_rel = _l2n(c["re"] @ ent)
            ent = _l2n(o["self_weight"] * ent + c["ee"] @ ent + o["relation_weight"] * (c["er"] @ rel))
            rel = new_rel
            ents.append(ent)
            rels.append(rel)
        return _l2n(np.hstack(ents)), _l2n(np.hstack(rels))

    def _tensor(self, side, ent, proj_ent, rel_small):
        """Relation-aware part, (n, rel_dim * mini_dim), L2-normalised.

        ``F[i, a, :] = sum over triples (i, r, j) of rel_small[r, a] * (ent[j] @ W_a)``: the
        neighbour signature seen through relation dimension ``a``, each ``a`` with its own
        random projection ``W_a`` (the columns of ``proj_ent``). Triples are taken in both
        directions (``r^-1`` for the reverse), each distinct (i, r, j) once.
        """
        import torch

        h, r, t = self.triples_[side]
        R = self.n_rel_[side]
        src = np.concatenate([h, t])
        rel = np.concatenate([r, r + R])
        dst = np.concatenate([t, h])
        n = self.n_[side]
        key = np.unique((src * (2 * R) + rel) * n + dst)
        src, rem = key // (2 * R * n), key % (2 * R * n)
        rel, dst = rem // n, rem % n
        dr = rel_small.shape[1]
        dm = proj_ent.shape[1] // dr
        EW = torch.from_numpy(np.ascontiguousarray(ent @ proj_ent, dtype=np.float32))
        Rm = torch.from_numpy(np.ascontiguousarray(rel_small, dtype=np.float32))
        out = torch.zeros((n, dr * dm), dtype=torch.float32)
        step = max(1, (1 << 24) // (dr * dm))
        for s in range(0, len(src), step):
            sl = slice(s, s + step)
            o = Rm[torch.from_numpy(rel[sl])].repeat_interleave(dm, dim=1) * EW[torch.from_numpy(dst[sl])]
            out.index_add_(0, torch.from_numpy(src[sl]), o)
        del EW
        out.div_(out.norm(dim=1, keepdim=True).clamp_(min=1e-12))  # in place: no second copy
        return out.numpy()

    # -------------------------------------------------------- other readouts
    def structure_embeddings(self, side: str) -> np.ndarray:
        raise ConfigError("The KG model has no per-entity embeddings; use its cross-side readout.")

    # ------------------------------------------------------------- persistence
    def state(self) -> dict:
        st = {"n": np.array([self.n_["left"], self.n_["right"]], np.int64),
              "n_rel": np.array([self.n_rel_["left"], self.n_rel_["right"]], np.int64),
              "params": np.array(json.dumps({"readout": self.readout, "estimator": self.estimator,
                                             "blend": self.blend, "feature_scale": self.feature_scale,
                                             "seed": self.seed}))}
        for side in ("left", "right"):
            for k, a in zip("hrt", self.triples_[side]):
                st[f"{side}_{k}"] = a
            for key, M in self.conditionals_[side].items():
                st[f"{side}_{key}_data"], st[f"{side}_{key}_indices"], st[f"{side}_{key}_indptr"] = (
                    M.data, M.indices, M.indptr)
            if self.features_ is not None:
                st[f"{side}_features"] = np.asarray(self.features_[side], np.float32)
        return st

    @classmethod
    def from_state(cls, state, **params) -> "KGMaskedModel":
        import scipy.sparse as sp

        p = json.loads(str(state["params"]))
        m = cls(estimator=p["estimator"], blend=p["blend"], feature_scale=p["feature_scale"], seed=p["seed"],
                **p["readout"])
        n, nr = state["n"], state["n_rel"]
        m.n_ = {"left": int(n[0]), "right": int(n[1])}
        m.n_rel_ = {"left": int(nr[0]), "right": int(nr[1])}
        m.triples_, m.conditionals_ = {}, {}
        for side in ("left", "right"):
            m.triples_[side] = tuple(np.asarray(state[f"{side}_{k}"]) for k in "hrt")
            ns, R2 = m.n_[side], 2 * m.n_rel_[side]
            shapes = {"ee": (ns, ns), "er": (ns, R2), "re": (R2, ns)}
            m.conditionals_[side] = {
                key: sp.csr_matrix((state[f"{side}_{key}_data"], state[f"{side}_{key}_indices"],
                                    state[f"{side}_{key}_indptr"]), shape=shp)
                for key, shp in shapes.items()}
        m.features_ = ({s: np.asarray(state[f"{s}_features"]) for s in ("left", "right")}
                       if "left_features" in state else None)
        return m


def _support_softmax(rows, cols, logit, shape):
    """Row-wise softmax of ``logit`` over the given sparse support (CSR, float32)."""
    import scipy.sparse as sp

    order = np.lexsort((cols, rows))
    rows, cols, logit = rows[order], cols[order], logit[order].astype(np.float64)
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    mx = np.maximum.reduceat(logit, starts)
    e = np.exp(logit - np.repeat(mx, np.diff(np.append(starts, len(logit)))))
    s = np.add.reduceat(e, starts)
    e /= np.repeat(s, np.diff(np.append(starts, len(logit))))
    return sp.csr_matrix((e.astype(np.float32), (rows, cols)), shape=shape)
