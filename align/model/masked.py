"""The masked cross-modal model: one joint hypergraph over both sides' entities.

The vocabulary is every entity of the left side followed by every entity of the
right side. A training example is one hyperedge sample with one member hidden;
the model predicts the hidden member from the mean embedding of the visible ones
(a CBOW-style masked model), with a softmax over the whole vocabulary:

.. math::  p(j \\mid C) = \\mathrm{softmax}_j\\big(\\langle \\tfrac1{|C|}\\sum_{i \\in C} u_i, v_j\\rangle + b_j\\big)

Input embeddings ``u`` start from the perception embeddings through one learned
projection per modality, plus a free per-entity part; output embeddings ``v``
are free. With one entity visible, ``p(j | i)`` is the conditional the paper's
recovery theorem reads the hypergraph from.

**How the known pairs join the sides.** Each member of a sample that has a
known counterpart is, with probability ``swap_prob``, replaced by that
counterpart when the batch is drawn. A left entity then learns to predict and be
predicted by the right anchors of its neighbourhood, so entities with the same
relations on both sides are pushed to the same place. We prefer swapping to
adding ``{left, right}`` 2-hyperedges: a pair edge only ties the seed pair
itself, whereas a swap puts the anchors inside the other side's contexts, which
is what propagates the alignment to the entities that are *not* seeds. Pair
edges remain available (``pair_edges=True``).

References
----------
Chen, Fang, Lin, Liu. "Relational Learning in Pre-Trained Models: A Theory from
Hypergraph Recovery Perspective." ICML 2024.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError, DataError
from .._validation import check_float, check_int

__all__ = ["MaskedHypergraphModel", "JointVocabulary"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JointVocabulary:
    """Token layout: left entities ``[0, n_left)``, right entities ``[n_left, n_left + n_right)``."""

    n_left: int
    n_right: int

    @property
    def size(self) -> int:
        return self.n_left + self.n_right

    def right_token(self, idx):
        return np.asarray(idx) + self.n_left


def _pad(samples, offset: int, max_size: int, rng: np.random.Generator) -> np.ndarray:
    """CSR samples -> (n, max_size) token matrix padded with -1; larger samples are subsampled."""
    sizes = samples.sizes
    rows = np.repeat(np.arange(len(sizes)), samples.counts)  # expand multiplicities
    out = np.full((len(rows), max_size), -1, dtype=np.int64)
    for r, s in enumerate(rows):
        m = samples.members[samples.indptr[s]:samples.indptr[s + 1]]
        if len(m) > max_size:
            m = rng.choice(m, size=max_size, replace=False)
        out[r, : len(m)] = m + offset
    return out


class MaskedHypergraphModel:
    """Masked model over the joint vocabulary of two entity sets.

    Parameters
    ----------
    dim : int, default 64
        Embedding dimension.
    epochs : int, default 40
        Passes over the (expanded) samples.
    batch_size : int, default 512
    lr : float, default 0.02
        Adam learning rate.
    swap_prob : float, default 0.5
        Probability that a member with a known counterpart is swapped for it.
    pair_edges : bool, default False
        Also train on the 2-hyperedges ``{left, right}`` of the known pairs.
    feature_scale : float, default 1.0
        Weight of the projected perception embedding in the input embedding;
        0 ignores features (structure only).
    max_size : int, default 8
        Larger samples are subsampled to this many members.
    seed : int, default 0
    progress : bool, default False
        Show a tqdm bar over epochs.
    device : str, default "cpu"
    num_threads : int or None, default 1
        Torch intra-op threads while training (restored afterwards). One
        thread is fastest for this model's small matrix products: with more,
        thread synchronisation dominates, badly so on a loaded machine.
        ``None`` keeps torch's setting.

    Attributes
    ----------
    vocab_ : JointVocabulary
    in_emb_, out_emb_ : ndarray of shape (n_tokens, dim)
        Learned input and output embeddings (float32).
    loss_history_ : list of float
        Mean training loss per epoch.
    """

    def __init__(self, *, dim: int = 64, epochs: int = 40, batch_size: int = 512, lr: float = 0.02,
                 swap_prob: float = 0.5, pair_edges: bool = False, feature_scale: float = 1.0,
                 max_size: int = 8, seed: int = 0, progress: bool = False, device: str = "cpu",
                 num_threads: int | None = 1):
        check_int("dim", dim, 1)
        check_int("epochs", epochs, 0)
        check_int("batch_size", batch_size, 1)
        check_int("max_size", max_size, 2)
        check_float("lr", lr, 0.0, 10.0)
        check_float("swap_prob", swap_prob, 0.0, 1.0)
        check_float("feature_scale", feature_scale, 0.0, 1e6)
        self.dim = dim
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.swap_prob = swap_prob
        self.pair_edges = pair_edges
        self.feature_scale = feature_scale
        self.max_size = max_size
        self.seed = seed
        self.progress = progress
        self.device = device
        self.num_threads = num_threads

    # ------------------------------------------------------------------ fit
    def fit(self, *, n_left: int, n_right: int, left_samples=None, right_samples=None,
            train_pairs=None, left_features=None, right_features=None) -> "MaskedHypergraphModel":
        """Train on both sides' samples, joined by the known pairs.

        Parameters
        ----------
        n_left, n_right : int
            Sizes of the two entity sets.
        left_samples, right_samples : HyperedgeSamples, optional
            Member indices are rows of the respective entity set.
        train_pairs : Correspondences, optional
            Known pairs (seeds).
        left_features, right_features : ndarray of shape (n_left, d_l) / (n_right, d_r), optional
            Perception embeddings that initialise the input embeddings.

        Returns
        -------
        self
        """
        import torch

        previous = torch.get_num_threads()
        if self.num_threads is not None:
            torch.set_num_threads(self.num_threads)
        try:
            return self._fit(n_left, n_right, left_samples, right_samples, train_pairs,
                             left_features, right_features)
        finally:
            torch.set_num_threads(previous)

    def _fit(self, n_left, n_right, left_samples, right_samples, train_pairs, left_features,
             right_features):
        import torch
        from tqdm.auto import tqdm

        vocab = JointVocabulary(int(n_left), int(n_right))
        rng = np.random.default_rng(self.seed)
        torch.manual_seed(self.seed)
        parts = []
        if left_samples is not None and len(left_samples):
            parts.append(_pad(left_samples, 0, self.max_size, rng))
        if right_samples is not None and len(right_samples):
            parts.append(_pad(right_samples, vocab.n_left, self.max_size, rng))
        counterpart = np.full(vocab.size, -1, dtype=np.int64)
        if train_pairs is not None and len(train_pairs):
            counterpart[train_pairs.left] = vocab.right_token(train_pairs.right)
            counterpart[vocab.right_token(train_pairs.right)] = train_pairs.left
            if self.pair_edges:
                pe = np.full((len(train_pairs), self.max_size), -1, dtype=np.int64)
                pe[:, 0] = train_pairs.left
                pe[:, 1] = vocab.right_token(train_pairs.right)
                parts.append(pe)
        if not parts:
            raise DataError("The masked model needs hyperedge samples on at least one side.")
        width = max(p.shape[1] for p in parts)
        data = np.concatenate([np.pad(p, ((0, 0), (0, width - p.shape[1])), constant_values=-1) for p in parts])
        data = data[(data >= 0).sum(1) >= 2]  # a sample needs a visible entity and a hidden one
        if len(data) == 0:
            raise DataError("Every hyperedge sample has a single entity; the masked model needs >= 2.")

        self.vocab_ = vocab
        net = _Net(vocab, self.dim, left_features, right_features, self.feature_scale).to(self.device)
        opt = torch.optim.Adam(net.parameters(), lr=self.lr)
        # Linear decay to zero: the last epochs average out minibatch noise, so
        # the readout is a converged estimate rather than a snapshot of SGD.
        steps = self.epochs * ((len(data) + self.batch_size - 1) // self.batch_size)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: max(0.0, 1.0 - t / max(steps, 1)))
        tokens = torch.from_numpy(data).to(self.device)
        cp = torch.from_numpy(counterpart).to(self.device)
        gen = torch.Generator(device="cpu").manual_seed(self.seed)
        self.loss_history_ = []
        bar = tqdm(range(self.epochs), desc="masked model", disable=not self.progress, leave=False,
                   mininterval=1.0)
        for _ in bar:
            perm = torch.randperm(len(tokens), generator=gen)
            total, n_seen = 0.0, 0
            for s in range(0, len(tokens), self.batch_size):
                batch = tokens[perm[s:s + self.batch_size]].clone()
                batch = _swap(batch, cp, self.swap_prob, gen)
                target, ctx = _mask_one(batch, gen)
                loss = net.loss(ctx, target)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
                total += float(loss.detach()) * len(batch)
                n_seen += len(batch)
            self.loss_history_.append(total / n_seen)
            bar.set_postfix(loss=f"{self.loss_history_[-1]:.3f}", refresh=False)
        with torch.inference_mode():
            self.in_emb_ = net.input_embeddings().float().cpu().numpy()
            self.out_emb_ = net.out.weight.detach().float().cpu().numpy()
            self.out_bias_ = net.bias.detach().float().cpu().numpy()
        return self

    # -------------------------------------------------------------- readout
    def _check_fitted(self):
        if not hasattr(self, "in_emb_"):
            raise ConfigError("This MaskedHypergraphModel is not fitted yet; call fit() first.")

    def conditional(self, context, *, restrict=None, batch_size: int = 1024) -> np.ndarray:
        """Predicted distribution of the hidden entity given visible ones.

        Parameters
        ----------
        context : array-like of int, shape (m, c)
            Visible tokens per probe; -1 pads.
        restrict : array-like of int, shape (t,), optional
            Renormalise over these tokens only (e.g. one side).

        Returns
        -------
        ndarray of shape (m, n_tokens) or (m, t), float32, rows sum to 1.
        """
        self._check_fitted()
        ctx = np.atleast_2d(np.asarray(context, dtype=np.int64))
        out_emb, bias = self.out_emb_, self.out_bias_
        if restrict is not None:
            restrict = np.asarray(restrict, dtype=np.int64)
            out_emb, bias = out_emb[restrict], bias[restrict]
        res = np.empty((len(ctx), len(out_emb)), dtype=np.float32)
        for s in range(0, len(ctx), batch_size):
            c = ctx[s:s + batch_size]
            valid = c >= 0
            h = (self.in_emb_[np.where(valid, c, 0)] * valid[..., None]).sum(1)
            h /= np.maximum(valid.sum(1, keepdims=True), 1)
            logits = h @ out_emb.T + bias
            logits -= logits.max(1, keepdims=True)
            p = np.exp(logits)
            res[s:s + batch_size] = p / p.sum(1, keepdims=True)
        return res

    def within_side_conditional(self, side: str, *, top_k: int = 32, batch_size: int = 1024):
        """Sparse within-side conditional ``P[i, j] = p(j | i)``, one entity visible.

        The model's prediction for a probe with only ``i`` visible, restricted
        to the same side, without ``j = i``, renormalised, keeping each row's
        ``top_k`` entries. Shape (n_side, n_side), ``scipy.sparse.csr_matrix``,
        rows sum to 1. Never forms the dense ``n x n`` matrix beyond one batch.
        """
        import scipy.sparse as sp

        self._check_fitted()
        if side not in ("left", "right"):
            raise ConfigError(f"The 'side' parameter must be 'left' or 'right'. Got {side!r} instead.")
        lo, hi = (0, self.vocab_.n_left) if side == "left" else (self.vocab_.n_left, self.vocab_.size)
        n = hi - lo
        k = min(top_k, n - 1)
        if k < 1:
            return sp.csr_matrix((n, n), dtype=np.float32)
        toks = np.arange(lo, hi)
        rows, cols, vals = [], [], []
        for s in range(0, n, batch_size):
            p = self.conditional(toks[s:s + batch_size, None], restrict=toks)
            np.put_along_axis(p, np.arange(s, s + len(p))[:, None], 0.0, axis=1)
            top = np.argpartition(-p, k - 1, axis=1)[:, :k]
            v = np.take_along_axis(p, top, 1)
            rows.append(np.repeat(np.arange(s, s + len(p)), k))
            cols.append(top.ravel())
            vals.append((v / np.maximum(v.sum(1, keepdims=True), 1e-30)).ravel())
        return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                             shape=(n, n), dtype=np.float32)

    def within_side_weights(self, side: str, *, top_k: int = 32):
        """Sparse symmetric within-side hypergraph weights (a distribution over pairs).

        ``W[i, j]`` is proportional to ``(p(j | i) + p(i | j)) / 2`` on the
        :meth:`within_side_conditional` support, normalised to sum to 1.
        """
        P = self.within_side_conditional(side, top_k=top_k)
        W = (P + P.T) * 0.5
        total = W.sum()
        return (W / total).tocsr() if total > 0 else W.tocsr()

    def structure_embeddings(self, side: str) -> np.ndarray:
        """Per-entity structural embeddings for cross-side scoring, shape (n_side, 2*dim).

        The concatenation of input and output embeddings, centred per side and
        L2-normalised: two entities with the same conditional behaviour in the
        joint hypergraph (the same role) get cosine close to 1.
        """
        from ..perception.base import l2_normalize

        self._check_fitted()
        sl = slice(0, self.vocab_.n_left) if side == "left" else slice(self.vocab_.n_left, self.vocab_.size)
        if side not in ("left", "right"):
            raise ConfigError(f"The 'side' parameter must be 'left' or 'right'. Got {side!r} instead.")
        parts = []
        for e in (self.in_emb_[sl], self.out_emb_[sl]):
            e = e - e.mean(0, keepdims=True)
            parts.append(l2_normalize(e))
        return l2_normalize(np.concatenate(parts, axis=1))

    def state(self) -> dict:
        """Arrays that fully describe the fitted readout (for saving)."""
        self._check_fitted()
        return {"in_emb": self.in_emb_, "out_emb": self.out_emb_, "out_bias": self.out_bias_,
                "n_left": np.int64(self.vocab_.n_left), "n_right": np.int64(self.vocab_.n_right),
                "loss_history": np.asarray(self.loss_history_, dtype=np.float32)}

    @classmethod
    def from_state(cls, state, **params) -> "MaskedHypergraphModel":
        m = cls(**params)
        m.vocab_ = JointVocabulary(int(state["n_left"]), int(state["n_right"]))
        m.in_emb_ = np.asarray(state["in_emb"])
        m.out_emb_ = np.asarray(state["out_emb"])
        m.out_bias_ = np.asarray(state["out_bias"])
        m.loss_history_ = list(np.asarray(state["loss_history"]))
        return m


def _swap(batch, cp, prob, gen):
    import torch

    if prob <= 0:
        return batch
    valid = batch >= 0
    partner = torch.where(valid, cp[batch.clamp(min=0)], torch.full_like(batch, -1))
    u = torch.rand(batch.shape, generator=gen)
    do = (partner >= 0) & (u < prob)
    return torch.where(do, partner, batch)


def _mask_one(batch, gen):
    """Pick one real member per row as target; the rest (minus padding) is context."""
    import torch

    valid = batch >= 0
    score = torch.rand(batch.shape, generator=gen) + valid.float()  # valid entries win
    pos = score.argmax(1)
    target = batch.gather(1, pos[:, None]).squeeze(1)
    ctx = batch.clone()
    ctx.scatter_(1, pos[:, None], -1)
    return target, ctx


class _Net:
    """Torch parameters of the model (kept out of the public class to keep torch lazy)."""

    def __new__(cls, vocab, dim, left_features, right_features, feature_scale):
        import torch
        from torch import nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.free = nn.Embedding(vocab.size, dim)
                nn.init.normal_(self.free.weight, std=0.1)
                self.out = nn.Embedding(vocab.size, dim)
                nn.init.normal_(self.out.weight, std=0.1)
                self.bias = nn.Parameter(torch.zeros(vocab.size))
                self.proj = nn.ModuleDict()
                self.feats = {}
                for side, f in (("left", left_features), ("right", right_features)):
                    if f is None or feature_scale == 0:
                        continue
                    f = torch.as_tensor(np.asarray(f, dtype=np.float32))
                    self.register_buffer(f"feat_{side}", f)
                    self.proj[side] = nn.Linear(f.shape[1], dim, bias=False)
                    nn.init.normal_(self.proj[side].weight, std=1.0 / np.sqrt(f.shape[1]))

            def input_embeddings(self):
                e = self.free.weight
                extra = []
                for side in ("left", "right"):
                    if side in self.proj:
                        extra.append(feature_scale * self.proj[side](getattr(self, f"feat_{side}")))
                    else:
                        n = vocab.n_left if side == "left" else vocab.n_right
                        extra.append(e.new_zeros(n, dim))
                return e + torch.cat(extra)

            def loss(self, ctx, target):
                emb = self.input_embeddings()
                valid = ctx >= 0
                h = (emb[ctx.clamp(min=0)] * valid[..., None]).sum(1) / valid.sum(1, keepdim=True).clamp(min=1)
                logits = h @ self.out.weight.T + self.bias
                return nn.functional.cross_entropy(logits, target)

        return Net()
