"""Reading ``candidates.csv`` and gold-pair files for ``align evaluate``."""

from __future__ import annotations

from .._io import iter_csv
from ..errors import DataError

__all__ = ["read_candidates_csv", "read_gold_csv"]


def read_candidates_csv(path) -> dict:
    """``{left_id: [right_id by rank]}`` from ``left_id,rank,right_id,score`` rows."""
    ranked: dict[str, dict[int, str]] = {}
    for lineno, row in iter_csv(path, ("left_id", "rank", "right_id")):
        try:
            rank = int(row[1])
        except ValueError:
            raise DataError(f"The rank {row[1]!r} is not an int.", path=path, line=lineno) from None
        if rank < 1:
            raise DataError(f"The rank must be >= 1; got {rank}.", path=path, line=lineno)
        slot = ranked.setdefault(row[0], {})
        if rank in slot:
            raise DataError(f"Duplicate rank {rank} for left id {row[0]!r}.", path=path, line=lineno)
        slot[rank] = row[2]
    if not ranked:
        raise DataError("No candidates in the file.", path=path)
    return {lid: [slot[r] for r in sorted(slot)] for lid, slot in ranked.items()}


def read_gold_csv(path) -> dict:
    """``{left_id: right_id}`` from a ``left_id,right_id`` file (duplicates are errors)."""
    gold: dict[str, str] = {}
    for lineno, row in iter_csv(path, ("left_id", "right_id")):
        if row[0] in gold:
            raise DataError(f"Duplicate left id {row[0]!r}.", path=path, line=lineno)
        gold[row[0]] = row[1]
    if not gold:
        raise DataError("No gold pairs in the file.", path=path)
    return gold
