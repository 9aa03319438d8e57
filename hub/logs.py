"""Logging set up once, for the command line: stderr, one format, a level."""

from __future__ import annotations

import logging
import sys

__all__ = ["LEVELS", "setup_logging"]

LEVELS = ("debug", "info", "warning", "error")


def setup_logging(level: str = "info", stream=None) -> None:
    """Send log records to stderr (or ``stream``) at ``level``; idempotent."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_panneau", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    handler._panneau = True  # type: ignore[attr-defined]
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
    )
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper()))


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of each record."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass
