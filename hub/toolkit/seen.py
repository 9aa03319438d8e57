"""A bounded set of identifiers already handled, kept in a source checkpoint."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

__all__ = ["SeenIds"]


class SeenIds:
    """Remembers the last ``limit`` ids in arrival order; the oldest are forgotten first."""

    def __init__(self, ids: Iterable[str] = (), limit: int = 5000) -> None:
        self.limit = max(1, limit)
        self._ids: OrderedDict[str, None] = OrderedDict()
        for item in ids:
            self.add(str(item))

    def __contains__(self, item: object) -> bool:
        return item in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, item: str) -> None:
        """Remember ``item`` (moving it to the newest end)."""
        self._ids[item] = None
        self._ids.move_to_end(item)
        while len(self._ids) > self.limit:
            self._ids.popitem(last=False)

    def to_list(self) -> list[str]:
        """The ids, oldest first (a JSON-friendly checkpoint value)."""
        return list(self._ids)

    def discard(self, item: str) -> None:
        """Forget ``item`` (when storing what it stood for failed)."""
        self._ids.pop(item, None)
