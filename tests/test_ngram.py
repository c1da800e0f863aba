"""Character n-gram encoder: deterministic, shard-invariant, one space for both sides, any script."""

from __future__ import annotations

import numpy as np
import pytest

from align.datasets.types import EntitySet
from align.errors import ConfigError
from align.perception import make_encoder
from align.perception.ngram import CharNgramEncoder, normalize_text


def _es(texts, name="left"):
    return EntitySet([f"{name}{i}" for i in range(len(texts))], "kg", payloads=texts, name=name)


def test_deterministic_and_shard_invariant():
    texts = ["Kim Dae-jung", "Abdullah Gül", "金大中", "national front france", ""]
    enc = make_encoder("char_ngram", dim=256)
    whole = enc.encode(_es(texts))
    parts = np.vstack([make_encoder("char_ngram", dim=256).encode(_es(texts[:2])),
                       make_encoder("char_ngram", dim=256).encode(_es(texts[2:]))])
    np.testing.assert_array_equal(whole, parts)
    assert whole.shape == (5, 256) and np.isfinite(whole).all()
    np.testing.assert_allclose(np.linalg.norm(whole, axis=1), 1, rtol=1e-5)


def test_similar_names_are_close_across_sides():
    left = ["abdullah gul", "kim dae jung", "songshan district taiwan", "金大中"]
    right = ["Abdullah_Gül", "Kim Dae-jung", "Songshan District, Taipei", "金大中 总统"]
    enc = CharNgramEncoder(ngram_range=(1, 3), dim=1024)
    L, R = enc.encode(_es(left)), enc.encode(_es(right, "right"))
    S = L @ R.T
    assert (S.argmax(1) == np.arange(4)).all()
    assert normalize_text("Abdullah_Gül") == "abdullah gul"


def test_idf_corpus(tmp_path):
    corpus = tmp_path / "names.txt"
    corpus.write_text("1\tthe city of a\n2\tthe city of b\n3\tthe river c\n", encoding="utf-8")
    enc = CharNgramEncoder(dim=512, corpus=str(corpus))
    L = enc.encode(_es(["the city of paris", "the city of rome"]))
    R = enc.encode(_es(["paris", "rome"], "right"))
    assert ((L @ R.T).argmax(1) == [0, 1]).all()


def test_bad_options():
    with pytest.raises(ConfigError, match="ngram_range"):
        CharNgramEncoder(ngram_range=(3, 1))
    with pytest.raises(ConfigError, match="dim"):
        CharNgramEncoder(dim=2)
