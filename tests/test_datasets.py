"""The folder format loads into the typed objects, and bad input fails naming file, line and id."""

import numpy as np
import pytest

from align.datasets import EntitySet, HyperedgeSamples, load_folder
from align.errors import DataError

from conftest import ROOT, write_folder


def test_folder_loads(tiny_folder):
    ds = load_folder(tiny_folder)
    assert ds.left.ids == ["a", "b", "c", "d"]
    assert ds.right.payloads[2] == "GAMMA"
    assert len(ds.left_samples) == 2
    assert ds.left_samples.sample(1).tolist() == [1, 2, 3]
    assert ds.left_samples.relation_names == ["r"]
    assert ds.left_samples.relations.tolist() == [-1, 0]
    assert ds.train.left.tolist() == [0] and ds.train.right.tolist() == [0]
    assert ds.test.right.tolist() == [1, 2]


def test_bundled_demo_data_is_consistent():
    ds = load_folder(ROOT / "data" / "countries")
    assert len(ds.left) == len(ds.right) == 250
    assert ds.left.modality == "image" and ds.right.modality == "text"
    assert len(ds.train) + len(ds.test) == 250
    assert abs(len(ds.train) / 250 - 0.3) < 0.01
    # every left entity is in exactly one split, one-to-one
    assert len(set(ds.train.left) | set(ds.test.left)) == 250
    assert ds.right_samples.texts is not None and ds.right_samples.texts[0].endswith(".")


def _rows(*ids):
    return [(i, i.upper()) for i in ids]


@pytest.mark.parametrize("case, pattern", [
    ("dup_entity", r"entities\.csv:3: Duplicate entity id 'a'"),
    ("pair_unknown", r"train\.csv:2: Unknown right entity id 'nope'"),
    ("sample_unknown", r"samples\.jsonl:2: Unknown left entity id 'zz'"),
    ("sample_badjson", r"samples\.jsonl:1: Invalid JSON"),
    ("empty_left", r"entities\.csv: No entities"),
    ("dup_pair", r"left entity 'a' appears in more than one train pair"),
    ("train_test_overlap", r"'a' is in both the train and the test pairs"),
])
def test_bad_folders(tmp_path, case, pattern):
    kw = dict(left_rows=_rows("a", "b"), right_rows=_rows("x", "y"),
              left_samples=[{"entities": ["a", "b"]}], right_samples=[{"entities": ["x", "y"]}],
              train=[("a", "x")], test=[("b", "y")])
    if case == "dup_entity":
        kw["left_rows"] = _rows("a", "a")
    elif case == "pair_unknown":
        kw["train"] = [("a", "nope")]
    elif case == "sample_unknown":
        kw["left_samples"] = [{"entities": ["a", "b"]}, {"entities": ["a", "zz"]}]
    elif case == "sample_badjson":
        kw["left_samples"] = ['{"entities": [']
    elif case == "empty_left":
        kw["left_rows"] = []
    elif case == "dup_pair":
        kw["train"] = [("a", "x"), ("a", "y")]
        kw["test"] = []
    elif case == "train_test_overlap":
        kw["test"] = [("a", "y")]
    root = write_folder(tmp_path / case, **kw)
    with pytest.raises(DataError, match=pattern):
        load_folder(root)


def test_missing_folder_and_file(tmp_path):
    with pytest.raises(DataError, match="Dataset folder not found"):
        load_folder(tmp_path / "nope")
    root = write_folder(tmp_path / "ds", left_rows=_rows("a"), right_rows=_rows("x"),
                        left_samples=[{"entities": ["a"]}], right_samples=[{"entities": ["x"]}])
    (root / "pairs" / "test.csv").unlink()
    with pytest.raises(DataError, match=r"test\.csv: test pairs file not found"):
        load_folder(root)


def test_corrupt_image_is_named(tmp_path):
    from PIL import Image

    img_dir = tmp_path / "ds" / "left" / "img"
    img_dir.mkdir(parents=True)
    Image.new("RGB", (8, 8), "red").save(img_dir / "ok.png")
    (img_dir / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n not really a png")
    root = write_folder(tmp_path / "ds", left_rows=[("ok", "left/img/ok.png"), ("bad", "left/img/bad.png")],
                        right_rows=_rows("x", "y"), left_modality="image")
    with pytest.raises(DataError, match=r"bad\.png: Cannot read the image of entity 'bad'"):
        load_folder(root)
    root2 = write_folder(tmp_path / "ds2", left_rows=[("gone", "left/img/gone.png")],
                         right_rows=_rows("x"), left_modality="image")
    with pytest.raises(DataError, match=r"gone\.png: left image file not found"):
        load_folder(root2)


def test_entity_set_validation():
    with pytest.raises(DataError, match="Duplicate entity id 'x'"):
        EntitySet(["x", "y", "x"], "text")
    with pytest.raises(DataError, match="is empty"):
        EntitySet([], "text", name="right")
    with pytest.raises(DataError, match="Unknown modality 'audio'"):
        EntitySet(["x"], "audio")
    emb = np.ones((3, 4), np.float32)
    emb[1, 2] = np.nan
    with pytest.raises(DataError, match=r"embedding of id 'b' \(row 1\) is not finite"):
        EntitySet(["a", "b", "c"], "text", embeddings=emb)
    with pytest.raises(DataError, match=r"shape \(3, 4\) do not match 2 ids"):
        EntitySet(["a", "b"], "text", embeddings=np.ones((3, 4)))


def test_samples_csr_roundtrip():
    s = HyperedgeSamples.from_lists([[0, 1], [2, 1, 3]], 4, relations=["r", None], counts=[2, 1])
    assert s.indptr.tolist() == [0, 2, 5]
    assert s.sample(1).tolist() == [2, 1, 3]
    assert s.degree().tolist() == [2, 3, 1, 1]
    with pytest.raises(DataError, match="out of range"):
        HyperedgeSamples.from_lists([[0, 5]], 4)
