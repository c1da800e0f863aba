"""Shared fixtures: small synthetic worlds and dataset folders written on the fly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from align.datasets import AlignmentDataset, Correspondences, EntitySet, HyperedgeSamples

ROOT = Path(__file__).resolve().parents[1]


def random_world(n: int, avg_degree: float, seed: int, n_groups: int = 0):
    """A connected random graph (edges) plus optional random 3-4 member groups."""
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n)
    edges = {tuple(sorted((int(perm[i]), int(perm[rng.integers(0, i)])))) for i in range(1, n)}  # spanning tree
    while len(edges) < n * avg_degree / 2:
        a, b = rng.choice(n, 2, replace=False)
        edges.add(tuple(sorted((int(a), int(b)))))
    groups = [tuple(sorted(rng.choice(n, rng.integers(3, 5), replace=False).tolist())) for _ in range(n_groups)]
    return sorted(edges) + groups


def permuted_dataset(world, n: int, *, seed: int = 0, train_frac: float = 0.3, repeats: int = 5,
                     features: bool = False, noise: float = 0.0) -> AlignmentDataset:
    """Both sides see the same hyperedges; the right side's ids are a secret permutation.

    Noise-free (``noise=0``): every hyperedge is observed exactly ``repeats`` times
    on each side.
    """
    rng = np.random.default_rng(seed)
    sigma = rng.permutation(n)  # left i  <->  right sigma[i]
    left_samples = [list(e) for e in world for _ in range(repeats)]
    right_samples = [[int(sigma[v]) for v in e] for e in world for _ in range(repeats)]
    emb_l = emb_r = None
    if features:
        base = rng.standard_normal((n, 16)).astype(np.float32)
        emb_l = base
        emb_r = np.empty_like(base)
        emb_r[sigma] = base + noise * rng.standard_normal(base.shape).astype(np.float32)
    left = EntitySet([f"L{i}" for i in range(n)], "kg", embeddings=emb_l, name="left")
    right = EntitySet([f"R{i}" for i in range(n)], "kg", embeddings=emb_r, name="right")
    order = rng.permutation(n)
    k = int(round(train_frac * n))
    tr, te = order[:k], order[k:]
    return AlignmentDataset(
        left, right,
        HyperedgeSamples.from_lists(left_samples, n),
        HyperedgeSamples.from_lists(right_samples, n),
        Correspondences(tr, sigma[tr]), Correspondences(te, sigma[te]),
        name="synthetic",
    )


def write_folder(root: Path, *, left_rows, right_rows, left_samples=(), right_samples=(),
                 train=(), test=(), left_modality="text", right_modality="text", images=None):
    """Write a dataset folder in the documented format and return its path."""
    root.mkdir(parents=True, exist_ok=True)
    for side, rows in (("left", left_rows), ("right", right_rows)):
        (root / side).mkdir(exist_ok=True)
        with open(root / side / "entities.csv", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "payload"])
            w.writerows(rows)
    for side, samples in (("left", left_samples), ("right", right_samples)):
        with open(root / side / "samples.jsonl", "w") as fh:
            for s in samples:
                fh.write((s if isinstance(s, str) else json.dumps(s)) + "\n")
    (root / "pairs").mkdir(exist_ok=True)
    for split, pairs in (("train", train), ("test", test)):
        with open(root / "pairs" / f"{split}.csv", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["left_id", "right_id"])
            w.writerows(pairs)
    (root / "dataset.yaml").write_text(
        "name: tiny\n"
        f"left: {{modality: {left_modality}, entities: left/entities.csv, samples: left/samples.jsonl}}\n"
        f"right: {{modality: {right_modality}, entities: right/entities.csv, samples: right/samples.jsonl}}\n"
        "pairs: {train: pairs/train.csv, test: pairs/test.csv}\n"
    )
    return root


@pytest.fixture
def tiny_folder(tmp_path):
    """A valid 4-entity text/text dataset folder."""
    return write_folder(
        tmp_path / "ds",
        left_rows=[("a", "alpha"), ("b", "beta"), ("c", "gamma"), ("d", "delta")],
        right_rows=[("w", "ALPHA"), ("x", "BETA"), ("y", "GAMMA"), ("z", "DELTA")],
        left_samples=[{"entities": ["a", "b"]}, {"entities": ["b", "c", "d"], "relation": "r"}],
        right_samples=[{"entities": ["w", "x"]}, {"entities": ["x", "y", "z"], "relation": "r"}],
        train=[("a", "w")], test=[("b", "x"), ("c", "y")],
    )
