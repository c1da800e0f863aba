"""Character n-gram encoder for names in any script (no model, no download).

Each text is lower-cased, Unicode-normalised (NFKC, accents optionally
stripped) and padded with spaces; its character n-grams (``ngram_range``) are
counted, weighted by ``1 + log(tf)`` (times an IDF when a corpus is given), and
hashed into ``dim`` signed buckets (a count sketch: each n-gram goes to one
bucket with a +/-1 sign from a fixed hash). The sketch is a fixed linear map, so
inner products are preserved in expectation, every shard and both sides land
in one shared space, and the output depends on nothing but the text and the
parameters: the encoder is deterministic and stateless, whatever the sharding.

``corpus`` (files with one text per line; for a tab-separated line the last
column) fits an IDF over n-grams once; without it, IDF is off.
"""

from __future__ import annotations

import functools
import math
import unicodedata
import zlib
from collections import Counter
from pathlib import Path

import numpy as np

from ..errors import ConfigError, DataError
from .base import Encoder

__all__ = ["CharNgramEncoder", "char_ngrams", "normalize_text"]


def normalize_text(text: str, *, strip_accents: bool = True) -> str:
    t = unicodedata.normalize("NFKC", str(text)).lower()
    if strip_accents:
        t = "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c))
    t = "".join(c if (c.isalnum() or c.isspace()) else " " for c in t)
    return " ".join(t.split())


def char_ngrams(text: str, lo: int, hi: int) -> Counter:
    """Counts of the character n-grams, lo <= n <= hi, of `` text `` (space padded)."""
    t = f" {text} "
    c = Counter()
    for n in range(lo, hi + 1):
        for i in range(len(t) - n + 1):
            g = t[i:i + n]
            if g.strip():
                c[g] += 1
    return c


@functools.lru_cache(maxsize=1 << 20)
def _bucket(gram: str, dim: int, seed: int):
    h = zlib.crc32(gram.encode("utf-8"), seed & 0xFFFFFFFF)
    return h % dim, 1.0 if (h >> 31) & 1 == 0 else -1.0


@functools.lru_cache(maxsize=4)
def _idf(corpus: tuple, lo: int, hi: int, strip_accents: bool):
    df, n_docs = Counter(), 0
    for path in corpus:
        p = Path(path)
        if not p.is_file():
            raise DataError("n-gram IDF corpus file not found.", path=p)
        with open(p, encoding="utf-8") as fh:
            for line in fh:
                text = line.rstrip("\n").rsplit("\t", 1)[-1]
                if text.strip():
                    df.update(char_ngrams(normalize_text(text, strip_accents=strip_accents), lo, hi).keys())
                    n_docs += 1
    if n_docs == 0:
        raise DataError(f"The n-gram IDF corpus {list(corpus)} has no lines.")
    return {g: math.log((1 + n_docs) / (1 + c)) + 1.0 for g, c in df.items()}, math.log(1 + n_docs) + 1.0


class CharNgramEncoder(Encoder):
    """Hashed TF(-IDF) character n-grams, projected by a count sketch.

    Parameters
    ----------
    ngram_range : [int, int], default [1, 3]
    dim : int, default 2048
        Sketch width (output dimension).
    strip_accents : bool, default True
    length_weight : float, default 0.5
        n-grams of length ``n`` are weighted ``n ** length_weight`` (longer
        n-grams are more specific).
    corpus : str or list of str, optional
        Text files to fit an IDF on (same for every shard and side).
    seed : int, default 0
        Hash seed.
    """

    name = "char_ngram"

    def __init__(self, *, ngram_range=(1, 3), dim: int = 2048, strip_accents: bool = True,
                 length_weight: float = 0.5, corpus=None, seed: int = 0):
        try:
            lo, hi = (int(x) for x in ngram_range)
        except (TypeError, ValueError):
            raise ConfigError(f"The 'ngram_range' parameter must be [lo, hi]. Got {ngram_range!r} instead.") from None
        if not (1 <= lo <= hi <= 8):
            raise ConfigError(f"The 'ngram_range' parameter needs 1 <= lo <= hi <= 8. Got {ngram_range!r} instead.")
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 8:
            raise ConfigError(f"The 'dim' parameter must be an int >= 8. Got {dim!r} instead.")
        self.lo, self.hi, self.dim = lo, hi, dim
        self.strip_accents = bool(strip_accents)
        self.length_weight = float(length_weight)
        self.corpus = None if corpus is None else tuple([corpus] if isinstance(corpus, str) else corpus)
        self.seed = int(seed)

    def config_key(self):
        return {"name": self.name, "ngram_range": [self.lo, self.hi], "dim": self.dim,
                "strip_accents": self.strip_accents, "length_weight": self.length_weight,
                "corpus": self.corpus, "seed": self.seed}

    def transform_texts(self, texts) -> np.ndarray:
        idf, idf_max = (None, None) if self.corpus is None else _idf(self.corpus, self.lo, self.hi,
                                                                     self.strip_accents)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for r, text in enumerate(texts):
            grams = char_ngrams(normalize_text(text, strip_accents=self.strip_accents), self.lo, self.hi)
            for g, tf in grams.items():
                w = (1.0 + math.log(tf)) * len(g) ** self.length_weight
                if idf is not None:
                    w *= idf.get(g, idf_max)
                b, s = _bucket(g, self.dim, self.seed)
                out[r, b] += s * w
        return out

    def _encode(self, entities):
        texts = entities.payloads if entities.payloads is not None else entities.ids
        out = self.transform_texts(texts)
        empty = ~out.any(1)
        if empty.any():  # a name with no characters: a fixed tiny vector, not NaN
            out[empty, 0] = 1e-6
        return out
