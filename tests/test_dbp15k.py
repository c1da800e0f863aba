"""DBP15K loader (on a small file set written here), KG structure model and matching."""

from __future__ import annotations

import json

import numpy as np
import pytest

from align.datasets.dbp15k import load_dbp15k, uri_name
from align.errors import DataError


def _write(d, name, lines):
    (d / name).write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def _small(tmp_path, n=6):
    """A two-side KG: side 1 ids 0..n-1, side 2 ids 100..100+n-1, entity i <-> 100+i."""
    d = tmp_path / "kg"
    d.mkdir()
    _write(d, "ent_ids_1", [f"{i}\thttp://zh.dbpedia.org/resource/E{i}_x" for i in range(n)])
    _write(d, "ent_ids_2", [f"{100 + i}\thttp://dbpedia.org/resource/Thing_{i}" for i in range(n)])
    _write(d, "rel_ids_1", ["0\thttp://zh.dbpedia.org/property/p", "1\thttp://zh.dbpedia.org/property/q"])
    _write(d, "rel_ids_2", ["10\thttp://dbpedia.org/ontology/p"])
    _write(d, "triples_1", [f"{i}\t{i % 2}\t{(i + 1) % n}" for i in range(n)])
    _write(d, "triples_2", [f"{100 + i}\t10\t{100 + (i + 1) % n}" for i in range(n)])
    _write(d, "sup_ent_ids", ["0\t100", "1\t101"])
    _write(d, "test_ent_ids", [f"{i}\t{100 + i}" for i in range(2, n)])
    (d / "translated_names.json").write_text(json.dumps([[0, ["zero", "thing"]], [101, ["one"]]]))
    return d


def test_loads_small_dataset(tmp_path):
    d = _small(tmp_path)
    ds = load_dbp15k(d)
    assert ds.left.ids[:2] == ["0", "1"] and ds.right.ids[0] == "100"
    assert ds.left.modality == ds.right.modality == "kg"
    assert len(ds.train) == 2 and len(ds.test) == 4
    # translated names where present, else the URI's last segment
    assert ds.left.payloads[0] == "zero thing" and ds.left.payloads[1] == "E1 x"
    assert ds.right.payloads[1] == "one" and ds.right.payloads[0] == "Thing 0"
    assert load_dbp15k(d, names="uri").left.payloads[0] == "E0 x"
    s = ds.left_samples
    assert len(s) == 6 and list(s.sample(0)) == [0, 1]
    assert s.relation_names[s.relations[1]] == "q"
    assert ds.right_samples.relation_names == ["p"]
    # a names file id<TAB>name
    _write(d, "names.tsv", ["2\tzwei"])
    assert load_dbp15k(d, names=str(d / "names.tsv")).left.payloads[2] == "zwei"
    # no seeds (unsupervised)
    assert len(load_dbp15k(d, train_pairs="none").train) == 0
    assert uri_name("http://dbpedia.org/resource/Caf%C3%A9_de_Flore") == "Café de Flore"


@pytest.mark.parametrize("fname, lines, needle", [
    ("ent_ids_1", ["0\thttp://a/E0", "1"], "ent_ids_1:2: Expected 2 tab-separated columns"),
    ("ent_ids_1", ["0\thttp://a/E0", "0\thttp://a/E1"], "ent_ids_1:2: Duplicate entity id '0' (first on line 1)"),
    ("ent_ids_2", ["100\thttp://b/T", "0\thttp://b/U"], "ent_ids_2:2: Duplicate entity id '0': also on"),
    ("triples_1", ["0\t0\t1", "0\t0"], "triples_1:2: Expected 3 tab-separated columns"),
    ("triples_1", ["0\t0\t1", "0\t0\t77"], "triples_1:2: Unknown tail entity id '77'"),
    ("triples_1", ["0\t9\t1"], "triples_1:1: Unknown relation id '9'"),
    ("triples_2", ["100\t10\t0"], "triples_2:1: Unknown tail entity id '0'"),
    ("sup_ent_ids", ["0\t100", "1\t555"], "sup_ent_ids:2: Unknown entity id '555' in column 2"),
    ("sup_ent_ids", ["100\t0"], "columns swapped?"),
    ("test_ent_ids", ["2\t102", "2\t103"], "test_ent_ids:2: The side-1 entity '2' is paired twice"),
    ("test_ent_ids", ["2\t102 x\textra"], "test_ent_ids:1: Expected 2 tab-separated columns"),
])
def test_bad_files_name_file_and_line(tmp_path, fname, lines, needle):
    d = _small(tmp_path)
    _write(d, fname, lines)
    with pytest.raises(DataError) as exc:
        load_dbp15k(d)
    assert needle in str(exc.value), str(exc.value)


def test_missing_files_and_bad_json(tmp_path):
    d = _small(tmp_path)
    with pytest.raises(DataError, match="not found"):
        load_dbp15k(d, train_pairs="nope")
    (d / "translated_names.json").write_text("[[0, [\"a\"]], [999, [\"b\"]]]")
    with pytest.raises(DataError, match="unknown entity id '999'"):
        load_dbp15k(d)
    (d / "translated_names.json").write_text("[[0, ")
    with pytest.raises(DataError, match="Invalid JSON"):
        load_dbp15k(d)
    (d / "triples_2").unlink()
    with pytest.raises(DataError, match="side-2 triples file not found"):
        load_dbp15k(d, names="uri")


def test_cli_exits_2_on_bad_data(tmp_path):
    from click.testing import CliRunner

    from align.cli import cli

    d = _small(tmp_path)
    _write(d, "sup_ent_ids", ["0\t100", "1\t999"])
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"data:\n  format: dbp15k\n  root: {d}\n  names: uri\n")
    res = CliRunner().invoke(cli, ["run", str(cfg), "--out", str(tmp_path / "out"), "--quiet"])
    assert res.exit_code == 2, res.output
    assert "sup_ent_ids:2: Unknown entity id '999'" in res.output


# ------------------------------------------------------------------ matching on synthetic graphs
def _permuted_graph(tmp_path, n=400, m=2400, n_rel=8, seed=0):
    """A random KG (side 1) and a relabelled, permuted copy (side 2), written in the DBP15K layout."""
    rng = np.random.default_rng(seed)
    h = rng.integers(0, n, m)
    t = rng.integers(0, n, m)
    keep = h != t
    h, t = h[keep], t[keep]
    r = rng.integers(0, n_rel, len(h))
    perm = rng.permutation(n)  # side-1 entity i is side-2 entity 10000 + perm[i]
    d = tmp_path / "synthetic"
    d.mkdir()
    _write(d, "ent_ids_1", [f"{i}\thttp://a/e{i}" for i in range(n)])
    _write(d, "ent_ids_2", [f"{10000 + i}\thttp://b/x{i}" for i in range(n)])
    _write(d, "rel_ids_1", [f"{i}\thttp://a/r{i}" for i in range(n_rel)])
    _write(d, "rel_ids_2", [f"{100 + i}\thttp://b/r{i}" for i in range(n_rel)])
    _write(d, "triples_1", [f"{a}\t{c}\t{b}" for a, c, b in zip(h, r, t)])
    _write(d, "triples_2", [f"{10000 + perm[a]}\t{100 + c}\t{10000 + perm[b]}" for a, c, b in zip(h, r, t)])
    order = rng.permutation(n)
    n_train = int(0.3 * n)
    _write(d, "sup_ent_ids", [f"{i}\t{10000 + perm[i]}" for i in order[:n_train]])
    _write(d, "test_ent_ids", [f"{i}\t{10000 + perm[i]}" for i in order[n_train:]])
    return d


def _structure_cfg(root, **matching):
    return {
        "seed": 0, "quiet": True,
        "data": {"format": "dbp15k", "root": str(root), "names": "uri"},
        "model": {"name": "kg", "options": {"ent_dim": 128, "rel_dim": 32, "mini_dim": 8,
                                            "binary_relations": True, "entity_weight": 0.0}},
        "matching": {"feature_weight": 0.0, "structure_weight": 1.0, "k": 20, "decode": "greedy",
                     "ot": {"reg": 0.01, "num_iter_max": 300}, **matching},
        "output": {"report": False},
    }


def test_structure_only_on_permuted_copy(tmp_path):
    from align.pipeline import run

    root = _permuted_graph(tmp_path)
    res = run(_structure_cfg(root), progress=False)
    assert res.metrics["hits@1"] >= 0.95, res.metrics
    # fused-GW refinement and self-training keep it there, and the CLI writes the outputs
    res2 = run(_structure_cfg(root, refine="fgw", self_training_rounds=1), out_dir=tmp_path / "out",
               progress=False)
    assert res2.metrics["hits@1"] >= 0.95 and "non_iterative" in res2.metrics
    for f in ("alignment.csv", "candidates.csv", "metrics.json", "config.yaml"):
        assert (tmp_path / "out" / f).exists()


def test_kg_model_state_roundtrip(tmp_path):
    from align.config import config_from_dict
    from align.model.kg import KGMaskedModel
    from align.pipeline import fit, load_data, structure

    cfg = config_from_dict(_structure_cfg(_permuted_graph(tmp_path, n=120, m=600)))
    ds = load_data(cfg)
    m = fit(ds, cfg)
    a = structure(m, cfg, ds.train)
    b = structure(KGMaskedModel.from_state(m.state()), cfg, ds.train)
    np.testing.assert_allclose(a["left"], b["left"], atol=1e-6)


def test_unsupervised_pseudo_seeds_from_names(tmp_path):
    from align.pipeline import run

    root = _permuted_graph(tmp_path, n=200, m=1200)
    # names: side 2 carries the side-1 entity's name (a noisy copy), so names give pseudo-seeds
    perm = {}
    for line in (root / "sup_ent_ids").read_text().splitlines() + (root / "test_ent_ids").read_text().splitlines():
        a, b = line.split("\t")
        perm[a] = b
    _write(root, "names.tsv", [f"{a}\tentity number {a}" for a in perm] +
           [f"{b}\tentity numbr {a}" for a, b in perm.items()])
    cfg = _structure_cfg(root, feature_weight=1.0)
    cfg["data"].update(names="names.tsv", train_pairs="none")
    cfg["perception"] = {"left": {"encoder": "char_ngram", "dim": 512},
                         "right": {"encoder": "char_ngram", "dim": 512}}
    cfg["model"]["feature_scale"] = 1.0
    res = run(cfg, progress=False)
    assert res.metrics["hits@1"] >= 0.9, res.metrics


def test_neighbour_agreement_equals_the_dense_product():
    import scipy.sparse as sp

    from align.matching.fgw import neighbour_agreement

    rng = np.random.default_rng(1)
    n1, n2 = 30, 25
    A1 = sp.random(n1, n1, density=0.15, random_state=1, format="csr")
    A1 = ((A1 + A1.T) > 0).astype(np.float32).tocsr()
    A2 = sp.random(n2, n2, density=0.2, random_state=2, format="csr")
    A2 = ((A2 + A2.T) > 0).astype(np.float32).tocsr()
    T = sp.random(n1, n2, density=0.1, random_state=3, format="csr")
    rows = rng.integers(0, n1, 200)
    cols = rng.integers(0, n2, 200)
    dense = (A1 @ T @ A2.T).toarray()
    d1 = np.maximum(np.asarray(A1.sum(1)).ravel(), 1)
    d2 = np.maximum(np.asarray(A2.sum(1)).ravel(), 1)
    want = dense[rows, cols] / np.sqrt(d1[rows] * d2[cols])
    np.testing.assert_allclose(neighbour_agreement(A1, A2, T, rows, cols), want, rtol=1e-5, atol=1e-7)


def test_fgw_dense_pot_reference_agrees_with_the_sparse_refiner(tmp_path):
    from align.pipeline import run

    root = _permuted_graph(tmp_path, n=120, m=700)
    sparse = run(_structure_cfg(root, refine="fgw", refine_options={"alpha": 0.3, "iterations": 2}),
                 progress=False)
    pot = run(_structure_cfg(root, refine="fgw", refine_options={"alpha": 0.3, "method": "pot"}),
              progress=False)
    assert sparse.metrics["hits@1"] >= 0.9, sparse.metrics
    assert pot.metrics["hits@1"] >= 0.9, pot.metrics
    agree = np.mean(sparse.match.cand_ids[:, 0] == pot.match.cand_ids[:, 0])
    assert agree >= 0.9, agree
