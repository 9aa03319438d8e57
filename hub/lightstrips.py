"""Textual strips whose caches take memory once used: for a screen with its process to itself.

Every Textual :class:`~textual.strip.Strip` makes seven small caches as it is made (its
crops, divisions, styled copies…), each with a dict of its own; most strips never cache
anything, and a wall after one page rotation holds some 900 of them: 6,300 empty dicts,
0.4 MiB of its memory (``bench_kiosk``: 41.8 -> 41.4-41.5 MiB). :func:`lazy_strip_caches`
has the strips made from then on give each cache its dict at its first write; what a cache
holds and gives back is the same. Process-wide (it changes what ``textual.strip`` makes): only
``panneau kiosk`` calls it, before its app starts.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from textual import strip
from textual.cache import FIFOCache

__all__ = ["FirstWriteFIFOCache", "lazy_strip_caches"]

#: What a cache holds before its first write: nothing, and nothing may be put in it.
_NOTHING: MappingProxyType[Any, Any] = MappingProxyType({})


class FirstWriteFIFOCache(FIFOCache):
    """A :class:`~textual.cache.FIFOCache` that makes its dict at its first write (and drops
    it when cleared)."""

    __slots__ = ()

    def __init__(self, maxsize: int) -> None:  # FIFOCache's, but without the dict
        self._maxsize = maxsize
        self._cache = _NOTHING  # type: ignore[assignment]
        self.hits = 0
        self.misses = 0

    def set(self, key: Any, value: Any) -> None:
        if self._cache is _NOTHING:
            self._cache = {}
        super().set(key, value)

    __setitem__ = set

    def clear(self) -> None:
        self._cache = _NOTHING  # type: ignore[assignment]


def lazy_strip_caches() -> None:
    """Strips made from now on in this process make their caches' dicts on first write."""
    strip.FIFOCache = FirstWriteFIFOCache  # type: ignore[misc]
