"""Exceptions raised by ``align``.

Every error meant for a user derives from :class:`AlignError`, so the CLI can
turn it into a one-line message and exit code 2 without a traceback.
"""

from __future__ import annotations

__all__ = ["AlignError", "ConfigError", "DataError"]


class AlignError(ValueError):
    """Base class of the errors ``align`` raises for bad input."""


class ConfigError(AlignError):
    """A configuration value or key is invalid."""


class DataError(AlignError):
    """A data file is missing, unreadable or inconsistent.

    Parameters
    ----------
    message : str
        What is wrong.
    path : str or os.PathLike, optional
        The offending file.
    line : int, optional
        1-based line number inside ``path``.
    """

    def __init__(self, message: str, *, path=None, line: int | None = None):
        where = ""
        if path is not None:
            where = f"{path}"
            if line is not None:
                where += f":{line}"
            where += ": "
        super().__init__(where + message)
        self.path = path
        self.line = line
