"""Job configuration: nested dataclasses, loaded from YAML, with ``--set`` overrides.

Unknown keys are errors (a typo must not silently fall back to a default), and
every value is type-checked against its field, so a config file fails on load,
not an hour into a batch job. Encoder sections (``perception.left`` /
``perception.right``) are the exception: besides ``encoder`` they pass their
keys to the encoder's constructor, which validates them.
"""

from __future__ import annotations

import copy
import dataclasses
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = [
    "Config", "DataConfig", "PerceptionConfig", "ModelConfig", "StructureConfig",
    "MatchingConfig", "OTConfig", "OutputConfig", "EngineConfig",
    "load_config", "config_from_dict", "config_to_dict", "apply_overrides", "parse_set",
]


@dataclass
class DataConfig:
    """Where the entities, samples and pairs come from."""

    format: str = "folder"
    root: str | None = None
    train_pairs: str | None = None
    test_pairs: str | None = None
    names: str | None = None
    check_images: bool = True


@dataclass
class PerceptionConfig:
    """One encoder per side: ``{"encoder": name, **kwargs}``."""

    left: dict = field(default_factory=lambda: {"encoder": "none"})
    right: dict = field(default_factory=lambda: {"encoder": "none"})
    shard_size: int = 2048


@dataclass
class ModelConfig:
    """The masked cross-modal model (see :class:`align.model.MaskedHypergraphModel`).

    ``name`` picks a registered model (:data:`align.registry.MODELS`);
    ``options`` are extra keyword arguments for it.
    """

    enabled: bool = True
    name: str = "masked"
    options: dict = field(default_factory=dict)
    dim: int = 64
    epochs: int = 60
    batch_size: int = 512
    lr: float = 0.02
    swap_prob: float = 0.5
    pair_edges: bool = False
    feature_scale: float = 0.0
    max_size: int = 8
    device: str = "cpu"


@dataclass
class StructureConfig:
    """Reading the joint hypergraph out of the model, and comparing structures across sides."""

    top_k: int = 32
    threshold: float = 0.02
    hops: int = 3
    projection_dim: int = 512
    embedding_weight: float = 0.5


@dataclass
class OTConfig:
    """Entropic OT on the candidate graph.

    ``support_rounds``: after a solve, search the candidates again by the score
    the plan ranks by (similarity plus the dual potential of the other side),
    add them to the support and solve again; this recovers the pairs a plain
    top-k misses (see :func:`align.matching.knn_sinkhorn`).
    """

    enabled: bool = True
    reg: float = 0.05
    method: str = "sparse_log"
    num_iter_max: int = 5000
    stop_thr: float = 1e-6
    support_rounds: int = 1


@dataclass
class MatchingConfig:
    """Candidates, score fusion, OT and decoding."""

    feature_weight: float = 0.0
    structure_weight: float = 1.0
    k: int = 50
    index: str = "Flat"
    csls: bool = False
    ot: OTConfig = field(default_factory=OTConfig)
    refine: str = "none"
    refine_options: dict = field(default_factory=dict)
    decode: str = "hungarian"
    rank_by: str = "ot"
    self_training_rounds: int = 0
    self_training_min_score: float = 0.5


@dataclass
class OutputConfig:
    dir: str = "runs/align"
    report: bool = True


@dataclass
class EngineConfig:
    name: str = "local"
    address: str | None = None
    num_cpus: int | None = None


@dataclass
class Config:
    """A whole alignment job."""

    name: str = "align"
    seed: int = 0
    data: DataConfig = field(default_factory=DataConfig)
    perception: PerceptionConfig = field(default_factory=PerceptionConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    structure: StructureConfig = field(default_factory=StructureConfig)
    matching: MatchingConfig = field(default_factory=MatchingConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)
    ks: list = field(default_factory=lambda: [1, 10])
    quiet: bool = False


def _check_value(value, tp, key):
    origin = typing.get_origin(tp)
    if tp is Any:
        return value
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        for a in args:
            if a is type(None):
                continue
            try:
                return _check_value(value, a, key)
            except ConfigError:
                pass
        raise ConfigError(f"The {key!r} parameter must be {_tname(tp)}. Got {value!r} instead.")
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif tp is str:
        if isinstance(value, str):
            return value
    elif tp is dict or origin is dict:
        if isinstance(value, dict):
            return dict(value)
    elif tp is list or origin is list:
        if isinstance(value, list):
            return list(value)
    raise ConfigError(f"The {key!r} parameter must be {_tname(tp)}. Got {value!r} instead.")


def _tname(tp):
    if typing.get_origin(tp) is typing.Union or str(typing.get_origin(tp)) == "<class 'types.UnionType'>":
        return " or ".join(_tname(a) for a in typing.get_args(tp))
    return {bool: "a bool", int: "an int", float: "a float", str: "a string", dict: "a mapping",
            list: "a list", type(None): "null"}.get(tp, str(tp))


def _build(cls, data: dict, prefix: str):
    if not isinstance(data, dict):
        raise ConfigError(f"The {prefix or 'config'!r} section must be a mapping. Got {data!r} instead.")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        key = f"{prefix}.{unknown[0]}" if prefix else unknown[0]
        raise ConfigError(f"Unknown config key {key!r}; expected one of {sorted(names)}.")
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        key = f"{prefix}.{f.name}" if prefix else f.name
        tp = hints[f.name]
        if dataclasses.is_dataclass(tp):
            kwargs[f.name] = _build(tp, data[f.name] or {}, key)
        else:
            kwargs[f.name] = _check_value(data[f.name], tp, key)
    return cls(**kwargs)


def config_from_dict(data: dict | None) -> Config:
    """Validate a plain mapping into a :class:`Config`."""
    cfg = _build(Config, data or {}, "")
    for side in ("left", "right"):
        spec = getattr(cfg.perception, side)
        if "encoder" not in spec:
            raise ConfigError(f"The 'perception.{side}' section needs an 'encoder' name.")
    return cfg


def config_to_dict(cfg: Config) -> dict:
    return dataclasses.asdict(cfg)


def parse_set(item: str) -> tuple[str, Any]:
    """Parse one ``key.path=value`` override; the value is read as YAML."""
    import yaml

    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"Invalid --set {item!r}; expected KEY=VALUE, e.g. model.epochs=10.")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        value = raw
    return key.strip(), value


def apply_overrides(data: dict, overrides) -> dict:
    """Apply ``(dotted_key, value)`` pairs to a nested mapping (copied)."""
    data = copy.deepcopy(data)
    for key, value in overrides:
        node = data
        parts = key.split(".")
        for p in parts[:-1]:
            nxt = node.get(p)
            if nxt is None:
                nxt = node[p] = {}
            if not isinstance(nxt, dict):
                raise ConfigError(f"Cannot set {key!r}: {p!r} is not a section.")
            node = nxt
        node[parts[-1]] = value
    return data


def load_config(path=None, overrides=(), *, base: dict | None = None) -> Config:
    """Load a YAML config file, apply ``--set`` overrides and validate.

    Relative ``data.root`` paths are resolved against the current directory, as
    a user typing the command expects; the resolved config is what gets saved.
    """
    import yaml

    data = dict(base or {})
    if path is not None:
        p = Path(path)
        if not p.exists():
            raise ConfigError(f"Config file not found: {p}")
        try:
            loaded = yaml.safe_load(p.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigError(f"{p}: invalid YAML: {str(exc).splitlines()[0]}") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{p}: the top level must be a mapping.")
        data.update(loaded or {})
    data = apply_overrides(data, [parse_set(o) if isinstance(o, str) else o for o in overrides])
    return config_from_dict(data)
