"""Perception mappings on open_clip's image and text towers.

``pretrained`` is an open_clip tag (downloaded by open_clip when online), a
local checkpoint path, or ``None`` for random initialisation. The bundled
``align-tiny-clip`` config builds a small random-init model with no download;
it exercises the real code path but its features carry no meaning.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

from ..errors import ConfigError, DataError
from .._validation import check_int
from .base import Encoder

__all__ = ["OpenClipImageEncoder", "OpenClipTextEncoder", "register_bundled_configs", "load_open_clip"]

_CONFIG_DIR = Path(__file__).with_name("model_configs")


@functools.lru_cache(maxsize=1)
def register_bundled_configs() -> None:
    """Register the JSON configs in ``align/perception/model_configs`` with open_clip."""
    import open_clip

    open_clip.add_model_config(_CONFIG_DIR)


@functools.lru_cache(maxsize=4)
def load_open_clip(model: str, pretrained: str | None, device: str):
    """Build (model, preprocess, tokenizer) once per (model, pretrained, device)."""
    import open_clip

    register_bundled_configs()
    if model not in open_clip.list_models():
        raise ConfigError(
            f"Unknown open_clip model {model!r}; see open_clip.list_models() "
            f"(bundled here: {sorted(p.stem for p in _CONFIG_DIR.glob('*.json'))})."
        )
    if pretrained:
        tags = open_clip.list_pretrained_tags_by_model(model)
        if pretrained not in tags and not os.path.isfile(pretrained):
            raise ConfigError(
                f"The 'pretrained' value {pretrained!r} for {model!r} is neither a known tag "
                f"({tags or 'none'}) nor an existing checkpoint file."
            )
    try:
        net, _, preprocess = open_clip.create_model_and_transforms(
            model, pretrained=pretrained or None, device=device
        )
    except RuntimeError as exc:  # open_clip reports failed loads/downloads this way
        raise ConfigError(f"open_clip could not load {model!r} with pretrained={pretrained!r}: {exc}") from None
    net.eval()
    tokenizer = open_clip.get_tokenizer(model)
    return net, preprocess, tokenizer


class _OpenClipBase(Encoder):
    def __init__(self, *, model: str = "align-tiny-clip", pretrained: str | None = None,
                 batch_size: int = 64, device: str = "cpu", seed: int = 0, progress: bool = False):
        check_int("batch_size", batch_size, 1)
        self.model = model
        self.pretrained = pretrained
        self.batch_size = batch_size
        self.device = device
        self.seed = seed
        self.progress = progress

    def _net(self):
        import torch

        # Random-init weights depend on the global RNG; seed it so runs repeat.
        torch.manual_seed(self.seed)
        return load_open_clip(self.model, self.pretrained, self.device)

    def config_key(self):
        return {"name": self.name, "model": self.model, "pretrained": self.pretrained, "seed": self.seed}

    def _batches(self, n):
        from tqdm.auto import tqdm

        starts = range(0, n, self.batch_size)
        return tqdm(starts, desc=f"{self.name}", disable=not self.progress, leave=False)


class OpenClipImageEncoder(_OpenClipBase):
    """Embed image entities with open_clip's image tower.

    Parameters
    ----------
    model : str
        open_clip model name, e.g. ``"ViT-B-32"`` or the bundled ``"align-tiny-clip"``.
    pretrained : str, optional
        open_clip tag (e.g. ``"laion2b_s34b_b79k"``) or a checkpoint file path.
    batch_size : int, default 64
    device : str, default "cpu"
    """

    name = "open_clip_image"

    def _encode(self, entities):
        import torch
        from PIL import Image

        if entities.modality != "image":
            raise ConfigError(f"open_clip_image needs an image entity set; {entities.name} is {entities.modality!r}.")
        net, preprocess, _ = self._net()
        out = []
        with torch.inference_mode():
            for s in self._batches(len(entities)):
                ims = []
                for eid, p in zip(entities.ids[s:s + self.batch_size], entities.payloads[s:s + self.batch_size]):
                    try:
                        with Image.open(p) as im:
                            ims.append(preprocess(im.convert("RGB")))
                    except Exception as exc:
                        raise DataError(f"Cannot read the image of entity {eid!r}: {exc}", path=p) from None
                x = torch.stack(ims).to(self.device)
                out.append(net.encode_image(x, normalize=True).float().cpu().numpy())
        return np.concatenate(out)


class OpenClipTextEncoder(_OpenClipBase):
    """Embed text entities (their payload strings) with open_clip's text tower.

    Parameters
    ----------
    model, pretrained, batch_size, device : see :class:`OpenClipImageEncoder`.
    template : str, default "{}"
        Format string applied to each text, e.g. ``"a flag of {}"``.
    """

    name = "open_clip_text"

    def __init__(self, *, template: str = "{}", **kwargs):
        super().__init__(**kwargs)
        if "{}" not in template:
            raise ConfigError(f"The 'template' parameter must contain '{{}}'. Got {template!r} instead.")
        self.template = template

    def config_key(self):
        return {**super().config_key(), "template": self.template}

    def _encode(self, entities):
        import torch

        texts = entities.payloads if entities.payloads is not None else entities.ids
        net, _, tokenizer = self._net()
        out = []
        with torch.inference_mode():
            for s in self._batches(len(entities)):
                toks = tokenizer([self.template.format(t) for t in texts[s:s + self.batch_size]])
                out.append(net.encode_text(toks.to(self.device), normalize=True).float().cpu().numpy())
        return np.concatenate(out)
