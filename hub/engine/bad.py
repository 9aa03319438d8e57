"""Counting what the engine could not use, by kind (``snapshot.bad_events``)."""

from __future__ import annotations

import math

__all__ = ["BadEvents", "is_duration"]


class BadEvents(dict[str, int]):
    """``{kind: count}`` of refused or doubtful events."""

    def note(self, kind: str) -> None:
        """Count one more event of ``kind``."""
        self[kind] = self.get(kind, 0) + 1

    def load_data(self, data: dict[str, int]) -> None:
        """Replace the counts (from a saved state)."""
        self.clear()
        self.update(data)


def is_duration(value: object) -> bool:
    """A finite, non-negative number of seconds (or minutes)."""
    return isinstance(value, int | float) and math.isfinite(value) and value >= 0
