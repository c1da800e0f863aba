"""Atomic file writes: write to a temporary file beside the target, then rename.

A reader never sees a half-written file, and a killed job leaves either the old
file or the new one, which is what lets stages be skipped on resume.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

__all__ = ["iter_csv", "atomic_path", "write_json", "write_csv", "save_npz", "save_npy", "write_text"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path; on success rename it onto ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix + ".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text(path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path, obj) -> None:
    write_text(path, json.dumps(obj, indent=2, sort_keys=False, default=_json_default) + "\n")


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serialisable")


def write_csv(path, header: Sequence[str], rows: Iterable[Sequence]) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)


def save_npz(path, **arrays) -> None:
    # Through a file handle: given a name, np.savez would append ".npz" to it.
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)


def save_npy(path, array) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.save(fh, array)


def iter_csv(path, header: Sequence[str]) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line_number, row)`` of a CSV whose first columns must be ``header``.

    Blank rows are skipped; a row with fewer columns than ``header`` is a
    :class:`~align.errors.DataError` naming the file and line, as is a wrong header.
    """
    from .errors import DataError

    want = list(header)
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        got = next(reader, None)
        if got is None or [h.strip() for h in got[:len(want)]] != want:
            raise DataError(f"Expected the header {','.join(want)!r}; got {got!r}.", path=path, line=1)
        for lineno, row in enumerate(reader, start=2):
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) < len(want):
                raise DataError(f"Expected {len(want)} columns ({','.join(want)}); got {len(row)}.",
                                path=path, line=lineno)
            yield lineno, row
