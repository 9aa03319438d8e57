"""Give the C heap's free pages back to the system: for a screen with its process to itself.

Python takes what it needs beyond its small-object pools (lists and dicts of a few hundred
items, long strings, the hub's frames) from the C library's ``malloc``. glibc keeps what is
freed for the next request and returns memory to the system only from the top of its heap; a
wall that draws page after page all day leaves holes below objects that live on, and its
resident memory crept up by some 25 KiB a page rotation (``bench_kiosk --soak``: glibc's free
space 0.8 -> 1.6 MiB in 70 rotations, still rising). ``malloc_trim(0)`` hands every whole free
page back (the holes stay usable: the pages come back zeroed when written again); it takes
about a tenth of a millisecond on a wall's heap. Elsewhere than glibc (musl, macOS) nothing is
done.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

__all__ = ["release_free_memory"]

_trim: Callable[[int], int] | None = None
_looked = False


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None (loaded on first use: ``ctypes`` costs ~0.3 MiB,
    nothing a wall pays before it needs it)."""
    global _trim, _looked
    if not _looked:
        _looked = True
        if sys.platform.startswith("linux"):
            import ctypes

            try:
                _trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
            except OSError:
                _trim = None
    return _trim


def release_free_memory() -> bool:
    """Return the C heap's whole free pages to the system; False where that cannot be done."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
