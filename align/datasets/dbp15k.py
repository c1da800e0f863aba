"""Loader for the DBP15K knowledge-graph layout (GCN-Align / JAPE / RREA releases).

A dataset folder holds two knowledge graphs and the gold pairs between them,
tab-separated UTF-8 (see ``/work/shared/data/README.md``):

* ``ent_ids_1`` / ``ent_ids_2`` - ``id  URI`` per entity of side 1 / side 2;
* ``rel_ids_1`` / ``rel_ids_2`` - ``id  URI`` per relation (optional);
* ``triples_1`` / ``triples_2`` - ``head  relation  tail`` per fact;
* pair files (``sup_ent_ids``, ``test_ent_ids``, ``ref_ent_ids``) - ``id1  id2``;
* ``translated_names.json`` - ``[[id, [token, ...]], ...]`` (optional).

Side 1 becomes the left :class:`EntitySet` and side 2 the right one, both of
modality ``"kg"``, with entity names as payloads. Each triple becomes a
2-member :class:`HyperedgeSamples` sample ``{head, tail}`` (in that order)
labelled with its relation, so a model can use relations as tokens.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import numpy as np

from ..errors import DataError
from .folder import resolve_file
from .types import AlignmentDataset, Correspondences, EntitySet, HyperedgeSamples

__all__ = ["load_dbp15k", "uri_name", "NO_PAIRS"]

#: ``train_pairs`` / ``test_pairs`` values meaning "no such pairs" (e.g. unsupervised).
NO_PAIRS = ("none", "")


def uri_name(uri: str) -> str:
    """Human-readable name from a URI: its last segment, percent-decoded, ``_`` as spaces."""
    seg = uri.rstrip("/").rsplit("/", 1)[-1]
    return unquote(seg).replace("_", " ").strip() or uri


def _lines(path: Path):
    """(line number, stripped columns) of the non-empty lines of a TSV file."""
    try:
        fh = open(path, encoding="utf-8")
    except FileNotFoundError:
        raise DataError("File not found.", path=path) from None
    with fh:
        try:
            for lineno, line in enumerate(fh, start=1):
                line = line.rstrip("\r\n")
                if not line.strip():
                    continue
                yield lineno, [c.strip() for c in line.split("\t")]
        except UnicodeDecodeError as exc:
            raise DataError(f"Not UTF-8 text ({exc.reason}).", path=path) from None


def _read_ids(path: Path, what: str, seen_elsewhere: dict | None = None):
    """``id  URI`` lines -> (ids, uris); duplicates and bad lines name file:line."""
    ids, uris, first = [], [], {}
    for lineno, cols in _lines(path):
        if len(cols) < 2 or not cols[0] or not cols[1]:
            raise DataError(f"Expected 2 tab-separated columns (id, URI) for a {what}; got {len(cols)}: "
                            f"{chr(9).join(cols)!r}.", path=path, line=lineno)
        eid = cols[0]
        if eid in first:
            raise DataError(f"Duplicate {what} id {eid!r} (first on line {first[eid]}).", path=path, line=lineno)
        if seen_elsewhere is not None and eid in seen_elsewhere:
            other, oline = seen_elsewhere[eid]
            raise DataError(f"Duplicate {what} id {eid!r}: also on {other}:{oline} (ids must be unique "
                            "across both sides).", path=path, line=lineno)
        first[eid] = lineno
        ids.append(eid)
        uris.append(cols[1])
    if not ids:
        raise DataError(f"No {what}s in the file.", path=path)
    return ids, uris, first


def _read_triples(path: Path, ents: EntitySet, other: EntitySet, rel_index: dict | None,
                  rel_names: list) -> HyperedgeSamples:
    heads, tails, rels = [], [], []
    rel_index = dict(rel_index) if rel_index is not None else None
    lookup = {} if rel_index is None else rel_index
    ix = ents._index
    for lineno, cols in _lines(path):
        if len(cols) != 3 or not all(cols):
            raise DataError(f"Expected 3 tab-separated columns (head, relation, tail); got {len(cols)}.",
                            path=path, line=lineno)
        h, r, t = cols
        for role, e in (("head", h), ("tail", t)):
            if e not in ix:
                hint = f" (it is a {other.name} entity)" if e in other._index else ""
                raise DataError(f"Unknown {role} entity id {e!r}: not in {ents.source}{hint}.",
                                path=path, line=lineno)
        if r not in lookup:
            if rel_index is not None:
                raise DataError(f"Unknown relation id {r!r}: not in the relation ids file.",
                                path=path, line=lineno)
            lookup[r] = len(rel_names)
            rel_names.append(r)
        heads.append(ix[h])
        tails.append(ix[t])
        rels.append(lookup[r])
    n = len(heads)
    members = np.empty(2 * n, dtype=np.int64)
    members[0::2] = heads
    members[1::2] = tails
    return HyperedgeSamples(indptr=np.arange(0, 2 * n + 1, 2, dtype=np.int64), members=members,
                            n_entities=len(ents), relations=np.asarray(rels, dtype=np.int64),
                            relation_names=list(rel_names))


def _read_pairs(path: Path, left: EntitySet, right: EntitySet) -> Correspondences:
    li, ri, seen_l, seen_r = [], [], {}, {}
    for lineno, cols in _lines(path):
        if len(cols) != 2 or not all(cols):
            raise DataError(f"Expected 2 tab-separated columns (side-1 id, side-2 id); got {len(cols)}.",
                            path=path, line=lineno)
        for e, es, other, col in ((cols[0], left, right, 1), (cols[1], right, left, 2)):
            if e not in es._index:
                hint = f" (it is a {other.name} entity: columns swapped?)" if e in other._index else ""
                raise DataError(f"Unknown entity id {e!r} in column {col}: not in {es.source}{hint}.",
                                path=path, line=lineno)
        for e, seen, side in ((cols[0], seen_l, "side-1"), (cols[1], seen_r, "side-2")):
            if e in seen:
                raise DataError(f"The {side} entity {e!r} is paired twice (first on line {seen[e]}).",
                                path=path, line=lineno)
            seen[e] = lineno
        li.append(left._index[cols[0]])
        ri.append(right._index[cols[1]])
    return Correspondences(np.asarray(li, dtype=np.int64), np.asarray(ri, dtype=np.int64))


def _translated(path: Path, sides: list[dict]) -> dict:
    """``translated_names.json`` -> {id: name}; ids must be known on a side."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"Invalid JSON: {exc.msg}.", path=path, line=exc.lineno) from None
    if not isinstance(data, list):
        raise DataError("Expected a JSON list of [id, [token, ...]] entries.", path=path)
    out = {}
    for n, item in enumerate(data):
        if (not isinstance(item, (list, tuple)) or len(item) != 2 or not isinstance(item[1], (list, tuple))
                or not all(isinstance(tok, str) for tok in item[1])):
            raise DataError(f"Entry {n} is not [id, [token, ...]]: {str(item)[:80]!r}.", path=path)
        eid = str(item[0])
        if not any(eid in s for s in sides):
            raise DataError(f"Entry {n} names unknown entity id {eid!r}.", path=path)
        name = " ".join(tok for tok in item[1] if tok).strip()
        if name:
            out[eid] = name
    return out


def _names_file(path: Path, sides: list[dict]) -> dict:
    out = {}
    for lineno, cols in _lines(path):
        if len(cols) < 2 or not cols[0]:
            raise DataError("Expected 2 tab-separated columns (id, name).", path=path, line=lineno)
        if not any(cols[0] in s for s in sides):
            raise DataError(f"Unknown entity id {cols[0]!r}.", path=path, line=lineno)
        if cols[1]:
            out[cols[0]] = cols[1]
    return out


def load_dbp15k(root, *, train_pairs: str = "sup_ent_ids", test_pairs: str = "test_ent_ids",
                names: str = "translated") -> AlignmentDataset:
    """Load a DBP15K-layout folder into an :class:`AlignmentDataset`.

    Parameters
    ----------
    root : path-like
        The folder (e.g. ``.../dbp15k/zh_en``).
    train_pairs, test_pairs : str
        Pair files, relative to ``root`` or absolute; ``"none"`` (or ``""``)
        for no pairs (``train_pairs="none"``: the unsupervised setting).
    names : str
        ``"uri"``: the last URI segment; ``"translated"``: the tokens of
        ``translated_names.json`` joined by spaces, falling back to the URI
        name where an entity has none (or the file is absent); otherwise a
        path to an ``id<TAB>name`` file (URI fallback where missing).

    Raises
    ------
    DataError
        Naming ``file:line`` for malformed lines, ids unknown to
        ``ent_ids_*``, duplicate ids and twice-paired entities.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataError("Dataset folder not found.", path=root)
    ent_paths = [resolve_file(root, f"ent_ids_{s}", f"side-{s} entity ids") for s in (1, 2)]
    ids1, uris1, first1 = _read_ids(ent_paths[0], "entity")
    where1 = {e: (ent_paths[0], ln) for e, ln in first1.items()}
    ids2, uris2, first2 = _read_ids(ent_paths[1], "entity", seen_elsewhere=where1)

    if names == "uri":
        table = {}
    elif names == "translated":
        p = root / "translated_names.json"
        table = _translated(p, [first1, first2]) if p.is_file() else {}
    else:
        table = _names_file(resolve_file(root, names, "names"), [first1, first2])
    payload1 = [table.get(e) or uri_name(u) for e, u in zip(ids1, uris1)]
    payload2 = [table.get(e) or uri_name(u) for e, u in zip(ids2, uris2)]
    left = EntitySet(ids1, "kg", payloads=payload1, name="left", source=str(ent_paths[0]))
    right = EntitySet(ids2, "kg", payloads=payload2, name="right", source=str(ent_paths[1]))

    samples = []
    for s, es, other in ((1, left, right), (2, right, left)):
        rel_index, rel_names = None, []
        rp = root / f"rel_ids_{s}"
        if rp.is_file():
            rids, ruris, _ = _read_ids(rp, "relation")
            rel_index = {r: n for n, r in enumerate(rids)}
            rel_names = [uri_name(u) for u in ruris]
        samples.append(_read_triples(resolve_file(root, f"triples_{s}", f"side-{s} triples"), es, other,
                                     rel_index, rel_names))

    def pairs(spec, what):
        if spec is None or str(spec).strip().lower() in NO_PAIRS:
            return Correspondences.empty()
        return _read_pairs(resolve_file(root, spec, what), left, right)

    train = pairs(train_pairs, "train pairs")
    test = pairs(test_pairs, "test pairs")
    return AlignmentDataset(left=left, right=right, left_samples=samples[0], right_samples=samples[1],
                            train=train, test=test, name=f"dbp15k/{root.name}", root=root,
                            meta={"format": "dbp15k", "names": names, "train_pairs": train_pairs,
                                  "test_pairs": test_pairs})
