"""End to end: synthetic worlds (exact answers), the demo in reduced form, files, resume."""

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from align.config import config_from_dict, load_config
from align.pipeline import run

from conftest import ROOT, permuted_dataset, random_world

FAST = {"quiet": True, "model": {"epochs": 40, "lr": 0.05}, "matching": {"k": 20}, "output": {"report": False}}


@pytest.mark.parametrize("n, seed", [(60, 1), (100, 2)])
def test_noise_free_synthetic_alignment_is_exact(n, seed):
    """Both sides are one hypergraph under a random permutation: structure alone gets every pair."""
    ds = permuted_dataset(random_world(n, 5, seed=seed, n_groups=n // 10), n, seed=seed, repeats=5)
    r = run(config_from_dict(FAST), dataset=ds)
    assert r.metrics["hits@1"] == 1.0
    assert r.metrics["assignment_accuracy"] == 1.0
    assert r.metrics["n_test"] == n - round(0.3 * n)


def test_symmetric_world_cannot_be_aligned_by_structure():
    """A cycle has automorphisms (rotations, reflections): with no seed on it, it stays ambiguous."""
    n = 30
    world = [(i, (i + 1) % n) for i in range(n)]
    ds = permuted_dataset(world, n, seed=0, repeats=5, train_frac=0.0)
    cfg = config_from_dict({**FAST, "matching": {"k": 20, "structure_weight": 0.0, "feature_weight": 1.0}})
    # no features either: the run must refuse rather than report a meaningless number
    with pytest.raises(Exception, match="feature_weight > 0 needs encoders|known pairs"):
        run(cfg, dataset=ds)


def test_features_only_and_fusion():
    n = 80
    ds = permuted_dataset(random_world(n, 4, seed=3), n, seed=3, repeats=3, features=True, noise=0.05)
    feat = {**FAST, "perception": {"left": {"encoder": "precomputed"}, "right": {"encoder": "precomputed"}},
            "model": {"enabled": False}, "matching": {"k": 20, "feature_weight": 1.0, "structure_weight": 0.0}}
    r = run(config_from_dict(feat), dataset=ds)
    assert r.metrics["hits@1"] == 1.0  # small noise on shared features: exact
    both = {**feat, "model": {"epochs": 30, "lr": 0.05},
            "matching": {"k": 20, "feature_weight": 0.5, "structure_weight": 0.5}}
    assert run(config_from_dict(both), dataset=ds).metrics["hits@1"] == 1.0


def _read_csv(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_demo_reduced_end_to_end_via_cli(tmp_path):
    out = tmp_path / "demo"
    cmd = [sys.executable, "-m", "align", "run", str(ROOT / "configs" / "demo.yaml"), "--out", str(out),
           "--quiet", "--set", "model.epochs=15", "--set", "matching.self_training_rounds=1",
           "--set", f"data.root={ROOT / 'data' / 'countries'}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for f in ("alignment.csv", "candidates.csv", "metrics.json", "config.yaml", "report.html"):
        assert (out / f).exists(), f
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n_test"] == 175
    for k in ("hits@1", "hits@10", "mrr"):
        assert 0.0 <= metrics[k] <= 1.0
    assert metrics["hits@1"] > 0.2  # far above chance (1/175) even with 15 epochs
    align_rows = _read_csv(out / "alignment.csv")
    assert list(align_rows[0]) == ["left_id", "right_id", "score"]
    rights = [r["right_id"] for r in align_rows]
    assert len(rights) == len(set(rights)) == 175  # one-to-one
    assert all(0.0 <= float(r["score"]) <= 1.0 + 1e-6 for r in align_rows)
    cand = _read_csv(out / "candidates.csv")
    assert list(cand[0]) == ["left_id", "rank", "right_id", "score"]
    # the saved config is the resolved one, and loads back
    saved = load_config(out / "config.yaml")
    assert saved.model.epochs == 15
    # metrics.json are the true metrics of candidates.csv
    proc = subprocess.run([sys.executable, "-m", "align", "evaluate", "--candidates", str(out / "candidates.csv"),
                           "--gold", str(ROOT / "data" / "countries" / "pairs" / "test.csv")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    recomputed = json.loads(proc.stdout)
    for k in ("hits@1", "hits@10", "mrr", "n_test"):
        assert recomputed[k] == pytest.approx(metrics[k], abs=1e-12)
    assert "<img src=\"data:image/png;base64," in (out / "report.html").read_text()


def test_resume_skips_finished_stages(tmp_path, monkeypatch):
    n = 60
    ds = permuted_dataset(random_world(n, 4, seed=5), n, seed=5, repeats=3)
    cfg = config_from_dict(FAST)
    first = run(cfg, dataset=ds, out_dir=tmp_path)
    assert (tmp_path / "stages" / "model.json").exists()
    from align import pipeline

    def boom(*a, **k):
        raise AssertionError("the model stage should have been reused")

    monkeypatch.setattr(pipeline, "fit", boom)
    again = run(cfg, dataset=ds, out_dir=tmp_path)
    assert again.metrics["hits@1"] == first.metrics["hits@1"]
    # a changed model config invalidates the record
    cfg2 = config_from_dict({**FAST, "model": {"epochs": 41, "lr": 0.05}})
    with pytest.raises(AssertionError, match="should have been reused"):
        run(cfg2, dataset=ds, out_dir=tmp_path)
    # a damaged record is recomputed, not trusted
    monkeypatch.undo()
    (tmp_path / "stages" / "model.npz").write_bytes(b"garbage")
    assert run(cfg, dataset=ds, out_dir=tmp_path).metrics["hits@1"] == first.metrics["hits@1"]


def test_embedding_resumes_per_shard(tmp_path):
    n = 40
    ds = permuted_dataset(random_world(n, 4, seed=6), n, seed=6, repeats=2, features=True)
    cfg = config_from_dict({**FAST, "perception": {"left": {"encoder": "precomputed"},
                                                   "right": {"encoder": "precomputed"}, "shard_size": 16}})
    from align.pipeline import embed

    out = embed(ds, cfg, out_dir=tmp_path)
    shards = sorted((tmp_path / "stages").glob("embed_left_*/shard_*.npy"))
    assert len(shards) == 3  # 16 + 16 + 8
    shards[1].unlink()  # as if killed while writing shard 1
    again = embed(ds, cfg, out_dir=tmp_path)
    np.testing.assert_array_equal(again["left"], out["left"])
    assert shards[1].exists()
