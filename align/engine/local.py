"""The default engine: runs every call in this process, in order."""

from __future__ import annotations

__all__ = ["LocalEngine"]


class LocalEngine:
    name = "local"

    def map(self, fn, items, *, desc: str = "", progress: bool = False) -> list:
        from tqdm.auto import tqdm

        return [fn(it) for it in tqdm(list(items), desc=desc, disable=not progress or len(items) < 2,
                                      leave=False)]

    def close(self) -> None:
        pass
