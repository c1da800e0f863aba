"""Tests of align.hypergraph: worlds, sampling, estimators, metrics, identifiability, CLI."""

import json

import numpy as np
import pytest

from align.datasets.types import HyperedgeSamples
from align.errors import ConfigError
from align.hypergraph import (WeightedHypergraph, alignment_accuracy, automorphism_classes, chain,
                              count_estimate, edge_scores, estimate, fit_masked, gnm, gw_align,
                              k_uniform, l1_unweighted, l1_weighted, line_graph_diameter, mixed,
                              recovery_metrics, sample_hyperedges, sample_modalities, star,
                              star_kappa, x_graph)


def exact_samples(hg, scale=1000):
    """The infinite-sample limit: every hyperedge once, with count ∝ weight."""
    counts = np.round(hg.weights / hg.weights.min() * scale).astype(np.int64)
    return HyperedgeSamples.from_lists(hg.edges(), hg.n, counts=counts)


# ------------------------------------------------------------------ worlds
def test_line_graph_diameters_of_the_paper_families():
    assert line_graph_diameter(star(20)) == 1
    assert line_graph_diameter(chain(20)) == 18
    assert line_graph_diameter(x_graph(20)) == 9
    for g in (star(20), chain(20), x_graph(20)):
        assert g.n == 20 and len(g) == 19 and np.allclose(g.weights, 1 / 19)
    assert sorted(np.bincount(x_graph(20).members)[:1].tolist()) == [4]  # centre has 4 arms


def test_generators_weights_and_connectivity():
    g = gnm(30, seed=3)
    assert len(g) == round(0.2 * 30 * 29 / 2) and line_graph_diameter(g) > 0
    assert set(np.round(g.weights / g.weights.min(), 6)) <= {1.0, 3.0}
    assert np.isclose(g.weights.sum(), 1.0)
    sk = star_kappa(20, kappa=3, seed=1)
    assert set(np.round(sk.weights / sk.weights.min(), 6)) == {1.0, 3.0}
    assert (k_uniform(20, k=4, m=30, seed=0).sizes == 4).all()
    assert set(mixed(20, sizes=(2, 3), m=40, seed=0).sizes.tolist()) == {2, 3}
    assert gnm(30, seed=3).as_dict() == gnm(30, seed=3).as_dict()
    with pytest.raises(ConfigError, match="'n' parameter"):
        star(2)


def test_sampler_bijection_shuffle_and_noise():
    g = chain(10)
    s, pi = sample_hyperedges(g, 5000, seed=0)
    assert sorted(pi.tolist()) == list(range(10)) and len(s) == 5000
    inv = np.argsort(pi)
    truth = set(g.edges())
    firsts = set()
    for t in range(200):
        m = s.sample(t)
        assert tuple(sorted(inv[m].tolist())) in truth
        firsts.add(int(inv[m][0]) < int(inv[m][1]))
    assert firsts == {True, False}  # member order is shuffled
    s2, pi2 = sample_hyperedges(g, 5000, seed=0)
    assert np.array_equal(s.members, s2.members) and np.array_equal(pi, pi2)
    noisy, _ = sample_hyperedges(g, 20000, seed=0, noise=0.3, permute=False)
    bad = sum(tuple(sorted(noisy.sample(t).tolist())) not in truth for t in range(2000))
    assert 0.35 < bad / 2000 < 0.6  # 1 - 0.7^2 = 0.51, minus lucky replacements
    (a, pa), (b, pb) = sample_modalities(g, 100, seed=1)
    assert not np.array_equal(pa, pb)


# -------------------------------------------------------------- estimators
@pytest.mark.parametrize("world", [gnm(12, seed=0), star_kappa(8, kappa=3, seed=0), k_uniform(10, k=3, m=12, seed=0),
                                   mixed(10, sizes=(2, 3), m=14, seed=1)])
def test_count_is_exact_in_the_infinite_sample_limit(world):
    est = count_estimate(exact_samples(world))
    assert est.as_dict().keys() == world.as_dict().keys()
    assert l1_weighted(world, est) < 1e-12


@pytest.mark.parametrize("world", [star_kappa(6, kappa=3, seed=0), chain(6), gnm(8, seed=1)])
def test_masked_readouts_recover_the_exact_distribution(world):
    smp = exact_samples(world)
    model = fit_masked(smp, mask="all")
    for method in ("masked_paper", "masked_global"):
        est = estimate(smp, method=method, model=model)
        assert l1_unweighted(world, est) == 0
        assert l1_weighted(world, est) < 1e-4, method


def test_masked_readout_recovers_hyperedges_exactly():
    world = k_uniform(10, k=3, m=12, seed=0)
    smp = exact_samples(world)
    est = estimate(smp, method="masked_global", mask="all")
    assert l1_unweighted(world, est) == 0 and l1_weighted(world, est) < 1e-3


def test_masked_readout_from_samples_tiny_graph():
    # expected count error sum_e sqrt(2 w_e / (pi N)) = 0.013 at N = 20000; tolerance 0.03
    world = chain(6)
    smp, pi = sample_hyperedges(world, 20000, seed=4)
    truth = world.relabel(pi)
    c = l1_weighted(truth, estimate(smp, method="count"))
    model = fit_masked(smp, seed=0)
    g = l1_weighted(truth, estimate(smp, method="masked_global", model=model))
    p = l1_weighted(truth, estimate(smp, method="masked_paper", model=model))
    assert c < 0.03 and g < 0.03 and p < 0.06
    assert recovery_metrics(truth, estimate(smp, method="masked_global", model=model))["edge_f1"] == 1.0


def test_estimate_rejects_bad_input():
    smp = exact_samples(chain(5))
    with pytest.raises(ConfigError, match="'method' parameter"):
        estimate(smp, method="magic")
    with pytest.raises(ConfigError, match="'mask' parameter"):
        estimate(smp, method="masked_global", mask="some")
    with pytest.raises(ConfigError, match="'model' parameter"):
        estimate(smp, method="masked_global", model="bert")


# ----------------------------------------------------------------- metrics
def test_metrics_match_hand_computed_values():
    true = WeightedHypergraph.from_dict({(0, 1): 1.0, (1, 2): 1.0}, n=4)
    est = WeightedHypergraph.from_dict({(0, 1): 3.0, (0, 2): 2.0}, n=4)
    # w: {01: .5, 12: .5} vs {01: .6, 02: .4}: |.5-.6| + |.5-0| + |0-.4| = 1.0
    assert l1_weighted(true, est) == pytest.approx(1.0)
    assert l1_unweighted(true, est) == 2
    assert edge_scores(true, est) == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5})
    W, Wh = true.adjacency(), est.adjacency()
    assert np.abs(W - Wh).sum() / 2 == pytest.approx(l1_weighted(true, est))
    A, Ah = true.adjacency(weighted=False), est.adjacency(weighted=False)
    assert np.abs(A - Ah).sum() / 2 == l1_unweighted(true, est)
    assert l1_weighted(true, true) == 0 and edge_scores(true, true)["f1"] == 1.0


# ----------------------------------------------------- identifiability
def _classes_as_sets(labels):
    return sorted(sorted(np.flatnonzero(labels == c).tolist()) for c in np.unique(labels))


def test_automorphism_classes():
    assert _classes_as_sets(automorphism_classes(star(6))) == [[0], [1, 2, 3, 4, 5]]
    assert _classes_as_sets(automorphism_classes(chain(6))) == [[0, 5], [1, 4], [2, 3]]
    assert _classes_as_sets(automorphism_classes(chain(5))) == [[0, 4], [1, 3], [2]]
    spider = WeightedHypergraph.from_edges([(0, 1), (0, 2), (2, 3), (0, 4), (4, 5), (5, 6)], n=7)
    assert len(np.unique(automorphism_classes(spider))) == 7  # arms 1, 2, 3: asymmetric
    weighted = WeightedHypergraph.from_edges([(0, 1), (1, 2)], [1.0, 2.0], n=3)
    assert len(np.unique(automorphism_classes(weighted))) == 3  # weights break the mirror
    assert len(np.unique(automorphism_classes(x_graph(20)))) == 10  # 3 arms of 5 alike, 1 of 4


def test_alignment_accuracy_bookkeeping():
    b1, b2 = np.array([2, 0, 1]), np.array([1, 2, 0])
    perfect = b2[np.argsort(b1)]  # token a -> entity -> token
    assert alignment_accuracy(perfect, b1, b2)["hits@1"] == 1.0
    swapped = perfect[[1, 0, 2]]  # tokens 0, 1 (entities 1, 2) trade matches
    res = alignment_accuracy(swapped, b1, b2, classes=np.array([0, 1, 1]))
    assert res == pytest.approx({"hits@1": 1 / 3, "hits@1_up_to_automorphism": 1.0})
    res = alignment_accuracy(swapped, b1, b2, classes=np.array([0, 0, 1]))
    assert res == pytest.approx({"hits@1": 1 / 3, "hits@1_up_to_automorphism": 1 / 3})


def test_gw_alignment_succeeds_on_asymmetric_and_fails_on_star():
    world = gnm(15, density=0.3, seed=2)
    classes = automorphism_classes(world)
    assert len(np.unique(classes)) == 15
    (s1, b1), (s2, b2) = sample_modalities(world, 100000, seed=0)
    h1, h2 = estimate(s1, method="masked_global"), estimate(s2, method="masked_global")
    assert alignment_accuracy(gw_align(h1, h2, seed=0), b1, b2, classes)["hits@1"] == 1.0

    world = star(12)
    classes = automorphism_classes(world)
    (s1, b1), (s2, b2) = sample_modalities(world, 100000, seed=0)
    h1, h2 = estimate(s1, method="masked_global"), estimate(s2, method="masked_global")
    res = alignment_accuracy(gw_align(h1, h2, seed=0), b1, b2, classes)
    assert res["hits@1"] < 0.5 and res["hits@1_up_to_automorphism"] == 1.0


# --------------------------------------------------------------------- CLI
def test_cli_writes_the_json_schema(tmp_path):
    from click.testing import CliRunner

    from align.hypergraph.cli import recover_command

    out = tmp_path / "run"
    r = CliRunner().invoke(recover_command, ["--graph", "star", "--n", "8", "--samples", "3000",
                                             "--seed", "1", "--modalities", "2", "--out", str(out)])
    assert r.exit_code == 0, r.output
    doc = json.loads((out / "recovery.json").read_text())
    assert (doc["graph"], doc["n"], doc["samples"]) == ("star", 8, 3000)
    assert set(doc["estimators"]) == {"count", "masked_paper", "masked_global"}
    for v in doc["estimators"].values():
        assert {"l1_weighted", "l1_unweighted", "edge_f1", "wall_s"} <= set(v)
    assert set(doc["alignment"]) == {"hits@1", "hits@1_up_to_automorphism"}
    assert doc["alignment"]["hits@1_up_to_automorphism"] == 1.0
    assert "masked_global" in r.output and not list(out.glob("*.tmp"))

    r = CliRunner().invoke(recover_command, ["--graph", "kuniform", "--n", "12", "--samples", "2000",
                                             "--k", "3", "--quiet", "--out", str(out)])
    assert r.exit_code == 0 and r.output == ""
    assert json.loads((out / "recovery.json").read_text())["k"] == 3

    r = CliRunner().invoke(recover_command, ["--graph", "star", "--n", "2", "--out", str(out)])
    assert isinstance(r.exception, ConfigError) and "'n' parameter" in str(r.exception)
    r = CliRunner().invoke(recover_command, ["--graph", "star-kappa", "--kappa", "0.5", "--out", str(out)])
    assert isinstance(r.exception, ConfigError)
