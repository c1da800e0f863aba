"""HTML report with plots."""

from .html import write_report

__all__ = ["write_report"]
