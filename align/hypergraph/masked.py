"""A masked model of hyperedge samples that is as sample-efficient as counting.

**Why a dedicated model.** :class:`align.model.MaskedHypergraphModel` is a
CBOW model: the hidden member is predicted from the *mean* of the visible
members' embeddings through a ``dim``-dimensional bottleneck, trained by
minibatch Adam with a fresh random mask per epoch. For recovery that costs
efficiency three ways: the mean-of-embeddings context cannot represent an
arbitrary ``p(j | C)`` for ``|C| > 1``; minibatch noise leaves an optimisation
error that does not shrink with ``N``; and its output is never calibrated on
the empty context, so the readout has no handle on the row offsets (see
:mod:`align.hypergraph.estimators`). The benchmark measures this (``model="cbow"``).

:class:`MaskedTableModel` is the same masked-modeling objective with a
full-rank parameterisation: one row of logits over the whole vocabulary per
context ``C`` (a set of visible entities),

.. math::  p(j \\mid C) = \\mathrm{softmax}_j (T_{C, j}),

trained by minimising the masked cross-entropy with L-BFGS in float64. The
loss over ``N`` examples depends on the data only through the counts of
``(context, hidden)`` pairs, so training aggregates them first (exact, not an
approximation) and every L-BFGS step is one pass over a ``(n_contexts, n)``
table - seconds on two cores for ``n = 200`` and ``N = 10^5``. The objective is
convex in ``T``, so the optimum is the masked-modeling population solution the
paper's theorem reasons about, reached up to the optimiser's tolerance.

Masking: ``mask="one"`` hides one uniformly random member per sample (the
paper's setup); ``mask="all"`` hides every member in turn (the expectation of
the same loss over the mask position). With ``marginal=True`` each sample is
also shown fully masked, every member a target: that trains the empty-context
row ``p(j | ∅) ∝ sum_{e ∋ j} w_e``, the unigram marginal a BERT-style model
reads off an all-``[MASK]`` input.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError, DataError
from .._validation import check_int

__all__ = ["MaskedTableModel", "Probes", "masked_statistics", "CBOWProbe"]

log = logging.getLogger(__name__)

MASKS = ("one", "all")


def _rows_without_repeats(block: np.ndarray) -> np.ndarray:
    s = np.sort(block, axis=1)
    return (np.diff(s, axis=1) != 0).all(axis=1) if block.shape[1] > 1 else np.ones(len(block), bool)


@dataclass(eq=False)
class Probes:
    """What the readouts query from a fitted masked model.

    Parameters
    ----------
    contexts : list of tuple, shape (r,)
        Visible sets (sorted tuples).
    sizes : ndarray of int64, shape (r,)
        Size of the samples each row was probed with: ``len(C) + 1`` for the
        hide-one probes the hyperedges are read from, larger for the
        one-visible "pair" probes ``p(j | {i}, s)`` of size-``s`` samples.
    conditional : ndarray of shape (r, n)
        Row ``r`` is ``p(· | contexts[r], sizes[r])``.
    marginal : ndarray of shape (n,) or None
        ``p(· | ∅)`` from fully masked inputs.
    """

    contexts: list
    sizes: np.ndarray
    conditional: np.ndarray
    marginal: np.ndarray | None = None


def masked_statistics(samples, n: int, *, mask: str = "one", pair_probes: bool = True, seed=0):
    """Counts of ``(visible context, hidden member)`` pairs under a masking scheme.

    Each sample of size ``k`` gives hide-one examples (``k - 1`` visible, one
    target). With ``pair_probes`` a sample of size ``k >= 3`` also gives
    hide-all-but-one examples (one visible, each hidden member a target), keyed
    by ``k`` (a BERT input shows how many positions are masked). Samples that
    repeat a token (possible under perception noise) are not hyperedges of
    their size and are dropped; size-1 samples have no context.

    Parameters
    ----------
    samples : HyperedgeSamples
    n : int
        Vocabulary size.
    mask : {"one", "all"}
        ``"one"``: one uniformly random hidden (resp. visible) position per
        sample; ``"all"``: every position in turn.
    pair_probes : bool, default True
    seed : int or numpy.random.Generator

    Returns
    -------
    contexts : list of tuple, shape (n_contexts,)
    ctx_sizes : ndarray of int64, shape (n_contexts,)
    rows, targets : ndarray of int64, shape (nnz,)
        Context row and hidden token of each distinct pair.
    counts : ndarray of float64, shape (nnz,)
    unigram : ndarray of float64, shape (n,)
        How often each token is a member of a kept sample (weighted by counts).
    """
    if mask not in MASKS:
        raise ConfigError(f"The 'mask' parameter must be one of {MASKS}. Got {mask!r} instead.")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    sizes = samples.sizes
    contexts: list = []
    ctx_sizes: list = []
    rows_l, tgt_l, cnt_l = [], [], []
    unigram = np.zeros(n, dtype=np.float64)

    def add(ctx, target, mult, k):
        uctx, inv = np.unique(ctx, axis=0, return_inverse=True)
        key = inv.reshape(-1).astype(np.int64) * n + target
        ukey, kinv = np.unique(key, return_inverse=True)
        rows_l.append(ukey // n + len(contexts))
        tgt_l.append(ukey % n)
        cnt_l.append(np.bincount(kinv.reshape(-1), weights=mult))
        contexts.extend(tuple(int(v) for v in r) for r in uctx)
        ctx_sizes.extend([k] * len(uctx))

    for k in np.unique(sizes):
        k = int(k)
        idx = np.flatnonzero(sizes == k)
        block = samples.members[samples.indptr[idx][:, None] + np.arange(k)]
        mult = samples.counts[idx].astype(np.float64)
        keep = _rows_without_repeats(block)
        block, mult = block[keep], mult[keep]
        if len(block) == 0:
            continue
        unigram += np.bincount(block.ravel(), weights=np.repeat(mult, k), minlength=n)
        if k < 2:
            continue
        if mask == "one":
            pos = rng.integers(0, k, size=len(block))[:, None]
            b, mu = block, mult
        else:
            pos = np.tile(np.arange(k), len(block))[:, None]
            b, mu = np.repeat(block, k, axis=0), np.repeat(mult, k)
        single = np.take_along_axis(b, pos, 1)[:, 0]
        others = np.ones(b.shape, bool)
        np.put_along_axis(others, pos, False, axis=1)
        rest = b[others].reshape(len(b), k - 1)
        add(np.sort(rest, axis=1), single, mu, k)  # hide one: rest visible, single hidden
        if pair_probes and k >= 3:  # hide all but one: single visible, each of rest a target
            add(np.repeat(single, k - 1)[:, None], rest.ravel(), np.repeat(mu, k - 1), k)
    if not contexts:
        raise DataError("No sample has two or more distinct members; nothing to mask.")
    return (contexts, np.asarray(ctx_sizes, dtype=np.int64), np.concatenate(rows_l),
            np.concatenate(tgt_l), np.concatenate(cnt_l), unigram)


class MaskedTableModel:
    """Full-rank masked model ``p(j | C) = softmax(T_C)``, trained by L-BFGS.

    Parameters
    ----------
    mask : {"one", "all"}, default "one"
        Hide one random member per sample (the paper) or each member in turn.
    marginal : bool, default True
        Also train the empty-context row on fully masked samples.
    pair_probes : bool, default True
        Also train one-visible rows on samples of size >= 3 (see
        :func:`masked_statistics`); hypergraph readouts use them to weigh
        hyperedges that share no ``k - 1`` members.
    max_iter : int, default 200
        L-BFGS iterations.
    tol : float, default 1e-10
        Gradient tolerance (on the mean loss).
    seed : int, default 0

    Attributes
    ----------
    contexts_ : list of tuple, shape (n_contexts,)
        Visible sets with a learned row.
    context_sizes_ : ndarray of int64, shape (n_contexts,)
        Sample size each row is keyed by.
    conditional_ : ndarray of shape (n_contexts, n), float64
        ``p(j | contexts_[r])``; rows sum to 1.
    marginal_ : ndarray of shape (n,) or None
        ``p(j | ∅)``.
    loss_ : float
        Final mean masked cross-entropy.
    """

    def __init__(self, *, mask: str = "one", marginal: bool = True, pair_probes: bool = True,
                 max_iter: int = 200, tol: float = 1e-10, seed: int = 0):
        if mask not in MASKS:
            raise ConfigError(f"The 'mask' parameter must be one of {MASKS}. Got {mask!r} instead.")
        check_int("max_iter", max_iter, 1)
        self.mask = mask
        self.marginal = bool(marginal)
        self.pair_probes = bool(pair_probes)
        self.max_iter = int(max_iter)
        self.tol = float(tol)
        self.seed = seed

    def fit(self, samples, n: int | None = None) -> "MaskedTableModel":
        """Train on hyperedge samples over ``n`` tokens (default ``samples.n_entities``).

        Returns
        -------
        self
        """
        import torch

        n = samples.n_entities if n is None else int(n)
        contexts, ctx_sizes, rows, targets, counts, unigram = masked_statistics(
            samples, n, mask=self.mask, pair_probes=self.pair_probes, seed=self.seed)
        n_ctx = len(contexts)
        if self.marginal:  # the fully masked examples: one extra row
            nz = np.flatnonzero(unigram)
            rows = np.concatenate([rows, np.full(len(nz), n_ctx)])
            targets = np.concatenate([targets, nz])
            counts = np.concatenate([counts, unigram[nz]])
        n_rows = n_ctx + int(self.marginal)
        total = counts.sum()
        torch.manual_seed(self.seed)
        threads = torch.get_num_threads()
        # the tensors are small: intra-op threading costs far more than it saves
        torch.set_num_threads(1)
        try:
            p = self._train(torch, rows, targets, counts / total, n_rows, n)
        finally:
            torch.set_num_threads(threads)
        self.n_ = n
        self.contexts_ = contexts
        self.context_sizes_ = ctx_sizes
        self.conditional_ = p[:n_ctx]
        self.marginal_ = p[n_ctx] if self.marginal else None
        log.debug("masked table model: %d contexts, loss %.6f (excess %.2e)", n_ctx, self.loss_,
                  self.excess_loss_)
        return self

    def _train(self, torch, rows, targets, weights, n_rows, n):
        with torch.enable_grad():
            q = torch.zeros(n_rows, n, dtype=torch.float64)
            q.index_put_((torch.from_numpy(rows), torch.from_numpy(targets)),
                         torch.from_numpy(weights), accumulate=True)
            row_mass = q.sum(1, keepdim=True)
            # Rows are decoupled, so weighting each row by 1 / its mass leaves the
            # minimiser unchanged; it equalises curvature across rows (preconditioning).
            q_hat = q / row_mass.clamp_min(1e-300)
            logits = torch.zeros(n_rows, n, dtype=torch.float64, requires_grad=True)
            opt = torch.optim.LBFGS([logits], lr=1.0, max_iter=self.max_iter, history_size=20,
                                    tolerance_grad=self.tol, tolerance_change=1e-14,
                                    line_search_fn="strong_wolfe")

            def closure():
                opt.zero_grad()
                loss = -(q_hat * torch.log_softmax(logits, dim=1)).sum() / n_rows
                loss.backward()
                return loss

            opt.step(closure)
            with torch.no_grad():
                p = torch.softmax(logits, dim=1)
                self.loss_ = float(-(q * torch.log(p.clamp_min(1e-300))).sum())
                # entropy of the empirical conditionals: the optimum of the convex objective
                ent = float(-(q * torch.log(q_hat.clamp_min(1e-300))).sum())
        self.excess_loss_ = self.loss_ - ent
        return p.numpy()

    def probes(self) -> Probes:
        """The probe rows the readouts use (see :mod:`~.estimators`)."""
        if not hasattr(self, "conditional_"):
            raise ConfigError("This MaskedTableModel is not fitted yet; call fit() first.")
        return Probes(self.contexts_, self.context_sizes_, self.conditional_, self.marginal_)


class CBOWProbe:
    """Probe :class:`align.model.MaskedHypergraphModel` (trained on one side) like a table model.

    The contexts probed are the visible sets seen in training (one member
    hidden); there is no calibrated empty-context probe, so ``marginal`` is None.

    Parameters
    ----------
    **params
        Passed to :class:`align.model.MaskedHypergraphModel` (``feature_scale``
        is forced to 0: structure only).
    """

    def __init__(self, **params):
        params.setdefault("swap_prob", 0.0)
        params["feature_scale"] = 0.0
        self.params = params

    def fit(self, samples, n: int | None = None) -> "CBOWProbe":
        from ..model import MaskedHypergraphModel

        n = samples.n_entities if n is None else int(n)
        self.model_ = MaskedHypergraphModel(**self.params).fit(n_left=n, n_right=0, left_samples=samples)
        contexts, *_ = masked_statistics(samples, n, mask="all", pair_probes=False, seed=0)
        width = max(len(c) for c in contexts)
        ctx = np.full((len(contexts), width), -1, dtype=np.int64)
        for r, c in enumerate(contexts):
            ctx[r, :len(c)] = c
        self.contexts_ = contexts
        self.conditional_ = self.model_.conditional(ctx, restrict=np.arange(n)).astype(np.float64)
        self.n_ = n
        return self

    def probes(self):
        if not hasattr(self, "conditional_"):
            raise ConfigError("This CBOWProbe is not fitted yet; call fit() first.")
        return Probes(self.contexts_, np.array([len(c) + 1 for c in self.contexts_]),
                      self.conditional_, None)
