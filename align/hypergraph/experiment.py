"""One recovery experiment: a world, its samples, every estimator, optional alignment."""

from __future__ import annotations

import logging
import time

from .._validation import check_int
from ..errors import ConfigError
from .alignment import alignment_accuracy, automorphism_classes, gw_align
from .estimators import METHODS, estimate, fit_masked
from .generators import GRAPHS, make_hypergraph
from .metrics import recovery_metrics
from .sampling import sample_modalities

__all__ = ["run_recovery"]

log = logging.getLogger(__name__)


def run_recovery(*, graph: str, n: int, samples: int, seed: int = 0, kappa: float = 2.0, k: int = 3,
                 modalities: int = 1, noise: float = 0.0, model: str = "table", mask: str = "one",
                 n_init: int = 8) -> dict:
    """Recover a world with every estimator (and align two modalities if asked).

    Parameters
    ----------
    graph : str
        One of :data:`~.generators.GRAPHS`.
    n : int
        Entities.
    samples : int
        Samples ``N`` per modality.
    seed : int
        Seeds the world (random families), the samples and the model.
    kappa : float
        Weight ratio of ``star-kappa``.
    k : int
        Hyperedge size of ``kuniform``.
    modalities : {1, 2}
        With 2, a second modality is recovered too and aligned to the first by GW.
    noise : float
        Token noise ``epsilon``.
    model, mask : str
        Masked model and masking (see :func:`~.estimators.fit_masked`).
    n_init : int
        GW restarts per structure matrix.

    Returns
    -------
    dict
        ``{"graph", "n", "samples", "seed", "n_edges", "estimators": {method: {"l1_weighted",
        "l1_unweighted", "edge_precision", "edge_recall", "edge_f1", "wall_s"}}}`` plus
        ``"alignment": {"hits@1", "hits@1_up_to_automorphism", "wall_s"}`` with 2 modalities.
        Masked ``wall_s`` includes the shared model training.
    """
    if graph not in GRAPHS:
        raise ConfigError(f"The 'graph' parameter must be one of {GRAPHS}. Got {graph!r} instead.")
    check_int("n", n, 3)
    check_int("samples", samples, 1)
    check_int("modalities", modalities, 1, 2)
    check_int("seed", seed, 0)
    world = make_hypergraph(graph, n=n, seed=seed, kappa=kappa, k=k)
    views = sample_modalities(world, samples, n_modalities=modalities, seed=seed + 1, noise=noise)
    out = {"graph": graph, "n": int(n), "samples": int(samples), "seed": int(seed),
           "n_edges": len(world), "estimators": {}}
    recovered = []
    for v, (smp, bij) in enumerate(views):
        truth = world.relabel(bij)
        t0 = time.perf_counter()
        est = {"count": estimate(smp, method="count")}
        t_count = time.perf_counter() - t0
        t0 = time.perf_counter()
        fitted = fit_masked(smp, model=model, seed=seed, **({"mask": mask} if model == "table" else {}))
        t_fit = time.perf_counter() - t0
        walls = {"count": t_count}
        for method in METHODS[1:]:
            t0 = time.perf_counter()
            est[method] = estimate(smp, method=method, model=fitted)
            walls[method] = t_fit + time.perf_counter() - t0
        if v == 0:
            for method in METHODS:
                out["estimators"][method] = {**recovery_metrics(truth, est[method]),
                                             "wall_s": walls[method]}
        recovered.append(est["masked_global"])
    if modalities == 2:
        t0 = time.perf_counter()
        match = gw_align(recovered[0], recovered[1], seed=seed, n_init=n_init)
        acc = alignment_accuracy(match, views[0][1], views[1][1], automorphism_classes(world))
        out["alignment"] = {**acc, "wall_s": time.perf_counter() - t0}
    return out
