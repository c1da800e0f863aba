"""Loader for the ``align`` dataset folder format (documented in ``data/README.md``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .._io import iter_csv
from ..errors import DataError
from .types import AlignmentDataset, Correspondences, EntitySet, HyperedgeSamples

__all__ = ["load_folder", "read_entities", "read_samples", "read_pairs"]


def resolve_file(root: Path, rel, what: str) -> Path:
    """``rel`` against ``root`` (unless absolute); a DataError naming it if it is not a file."""
    p = Path(rel)
    if not p.is_absolute():
        p = root / p
    if not p.is_file():
        raise DataError(f"{what} file not found.", path=p)
    return p


def load_folder(root, *, check_images: bool = True) -> AlignmentDataset:
    """Load a dataset folder into an :class:`AlignmentDataset`.

    Parameters
    ----------
    root : path-like
        Folder holding ``dataset.yaml``.
    check_images : bool, default True
        Open every image payload once, so a corrupt file fails here, naming it,
        rather than halfway through embedding.
    """
    import yaml

    root = Path(root)
    spec_path = root / "dataset.yaml"
    if not root.is_dir():
        raise DataError("Dataset folder not found.", path=root)
    if not spec_path.exists():
        raise DataError("Dataset description not found (expected dataset.yaml).", path=spec_path)
    try:
        spec = yaml.safe_load(spec_path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DataError(f"Invalid YAML: {exc}".splitlines()[0], path=spec_path) from None
    for key in ("left", "right"):
        if key not in spec:
            raise DataError(f"Missing the {key!r} section.", path=spec_path)
    sides = {}
    for key in ("left", "right"):
        sec = spec[key]
        if "entities" not in sec:
            raise DataError(f"Missing {key}.entities.", path=spec_path)
        modality = sec.get("modality", "text")
        ent_path = resolve_file(root, sec["entities"], f"{key} entities")
        ids, payloads = read_entities(ent_path)
        embeddings = None
        if sec.get("embeddings"):
            emb_path = resolve_file(root, sec["embeddings"], f"{key} embeddings")
            embeddings = load_npy(emb_path)
        if modality == "image":
            payloads = [str(resolve_file(root, p, f"{key} image")) for p in payloads]
        es = EntitySet(ids, modality, payloads=payloads, embeddings=embeddings, name=key,
                       source=str(ent_path))
        if modality == "image" and check_images:
            check_image_files(es)
        smp = None
        if sec.get("samples"):
            smp = read_samples(resolve_file(root, sec["samples"], f"{key} samples"), es)
        sides[key] = (es, smp)
    left, right = sides["left"][0], sides["right"][0]
    pairs = spec.get("pairs") or {}
    train = test = Correspondences.empty()
    if pairs.get("train"):
        train = read_pairs(resolve_file(root, pairs["train"], "train pairs"), left, right)
    if pairs.get("test"):
        test = read_pairs(resolve_file(root, pairs["test"], "test pairs"), left, right)
    return AlignmentDataset(
        left=left, right=right,
        left_samples=sides["left"][1], right_samples=sides["right"][1],
        train=train, test=test,
        name=str(spec.get("name", root.name)), root=root,
        meta={k: spec[k] for k in ("seed", "description") if k in spec},
    )


def load_npy(path) -> np.ndarray:
    try:
        arr = np.load(path, allow_pickle=False)
    except Exception as exc:  # numpy raises several types for a bad file
        raise DataError(f"Cannot read embeddings: {exc}", path=path) from None
    if arr.ndim != 2:
        raise DataError(f"Embeddings must be 2-D (n, d); got shape {arr.shape}.", path=path)
    return arr


def read_entities(path) -> tuple[list[str], list[str]]:
    """Read an ``id,payload`` CSV; return ids and payloads (duplicates named by line)."""
    ids, payloads, seen = [], [], {}
    for lineno, row in iter_csv(path, ("id", "payload")):
        eid = row[0].strip()
        if not eid:
            raise DataError("Empty entity id.", path=path, line=lineno)
        if eid in seen:
            raise DataError(f"Duplicate entity id {eid!r} (first on line {seen[eid]}).",
                            path=path, line=lineno)
        seen[eid] = lineno
        ids.append(eid)
        payloads.append(row[1])
    if not ids:
        raise DataError("No entities (the set is empty).", path=path)
    return ids, payloads


def read_samples(path, entities: EntitySet) -> HyperedgeSamples:
    """Read a samples JSONL file: ``{"entities": [...], "relation": ..., "count": ..., "text": ...}``."""
    samples, relations, counts, texts = [], [], [], []
    any_text = False
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"Invalid JSON: {exc.msg}.", path=path, line=lineno) from None
            members = obj.get("entities") if isinstance(obj, dict) else None
            if not isinstance(members, list) or not members:
                raise DataError("Expected a non-empty 'entities' list.", path=path, line=lineno)
            idx = [entities.index_of(str(m), where=str(path), line=lineno) for m in members]
            if len(set(idx)) != len(idx):
                raise DataError("A sample names the same entity twice.", path=path, line=lineno)
            count = obj.get("count", 1)
            if not isinstance(count, int) or count < 1:
                raise DataError(f"'count' must be an int >= 1; got {count!r}.", path=path, line=lineno)
            samples.append(idx)
            relations.append(obj.get("relation"))
            counts.append(count)
            texts.append(obj.get("text"))
            any_text = any_text or obj.get("text") is not None
    if not samples:
        raise DataError("No samples in the file.", path=path)
    return HyperedgeSamples.from_lists(samples, len(entities), relations=relations, counts=counts,
                                      texts=texts if any_text else None)


def read_pairs(path, left: EntitySet, right: EntitySet) -> Correspondences:
    """Read a ``left_id,right_id`` CSV into :class:`Correspondences`."""
    li, ri = [], []
    for lineno, row in iter_csv(path, ("left_id", "right_id")):
        li.append(left.index_of(row[0].strip(), where=str(path), line=lineno))
        ri.append(right.index_of(row[1].strip(), where=str(path), line=lineno))
    return Correspondences(np.array(li, dtype=np.int64), np.array(ri, dtype=np.int64))


def check_image_files(es: EntitySet) -> None:
    """Open every image once (header and pixels), naming the first unreadable one."""
    from PIL import Image

    for eid, p in zip(es.ids, es.payloads):
        try:
            with Image.open(p) as im:
                im.load()
        except FileNotFoundError:
            raise DataError(f"Image of entity {eid!r} not found.", path=p) from None
        except Exception as exc:
            raise DataError(f"Cannot read the image of entity {eid!r}: {exc}", path=p) from None
