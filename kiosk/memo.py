"""Textual's and Rich's memo caches emptied at each page change: for a screen with its process
to itself.

Textual and Rich memoise some fifty functions with :func:`functools.lru_cache` (the width of a
string in cells, styles combined, colours parsed and blended, region arithmetic…), each up to
1,024–16,384 entries. An app whose text stays the same fills them once; a wall's text keeps
changing (the time of the data, the figures, the clock), so they filled through the day with
entries seldom asked for again, and what they held stayed in the wall's memory
(``bench_kiosk --soak``, 35 rotations: 2,000 entries and still rising against ~250 emptied at
each page; 0.4 MiB less resident). Emptied as a page is left, they are filled again by what the
next page draws: the same answers, a few hundred entries recomputed a page. Process-wide: only a
kiosk with its process to itself (``panneau kiosk``) does it.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["clear_memo_caches", "memo_caches"]

#: Whose memo caches: the packages that draw the screen.
_PACKAGES = ("textual", "rich")

_found: dict[int, Any] = {}
_modules_seen = 0


def _memoised(value: Any) -> Any | None:
    """The bounded ``lru_cache`` wrapper ``value`` is or holds (a static or class method), or
    None. Unbounded caches (``functools.cache``) are left: they hold what is loaded once (Rich's
    table of character widths), not what is drawn."""
    function = value.__func__ if isinstance(value, staticmethod | classmethod) else value
    info = getattr(function, "cache_info", None)
    if not (callable(info) and callable(getattr(function, "cache_clear", None))):
        return None
    try:
        return function if info().maxsize is not None else None
    except TypeError:  # a cache_info that is not functools'
        return None


def memo_caches() -> list[Any]:
    """The ``lru_cache`` functions and methods of Textual's and Rich's loaded modules (looked
    for again only when modules were loaded since)."""
    global _modules_seen
    if len(sys.modules) != _modules_seen:
        _modules_seen = len(sys.modules)
        for name, module in list(sys.modules.items()):
            if module is None or name.partition(".")[0] not in _PACKAGES:
                continue
            for value in list(vars(module).values()):
                members = vars(value).values() if isinstance(value, type) else ()
                for candidate in (value, *members):
                    if (function := _memoised(candidate)) is not None:
                        _found[id(function)] = function
    return list(_found.values())


def clear_memo_caches() -> int:
    """Empty every memo cache of :func:`memo_caches`; returns the entries dropped."""
    dropped = 0
    for function in memo_caches():
        dropped += function.cache_info().currsize
        function.cache_clear()
    return dropped
