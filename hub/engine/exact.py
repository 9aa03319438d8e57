"""Durations the tallies can sum exactly, in any order.

Float addition is not associative: the same durations added in another order may differ in
the last bits. The tallies add them in orders that depend on when the engine was advanced and
saved — by scope tuple within an open minute, spread over their scopes at whichever read or
fold comes first, and running window totals that add and take out whole minutes, or rebuild
from buckets after a jump — so a hub restored from its saved state and fed the journal's tail
could show ``25.033233995224464`` where a full replay shows ``25.03323399522446``
(``benchmarks/bench_restart.py``).

Sums of multiples of :data:`GRID_S` (``2**-22`` s, about 0.24 µs) are exact while below
``2**31`` s (68 years): every partial sum is representable, so no addition or subtraction ever
rounds and the order does not matter. Agent time already is on that grid: it comes from
differences of epoch times, whose own resolution is ``2**-22`` s from 2004 to 2038 (and a
multiple of it after). Durations an event carries (waits, talk, wrap-up), a ticket's hours and
minutes and a CES score are put on it with :func:`exact` before they are added: each is moved by
at most ``2**-23`` of its unit, far below any source's resolution. Counts are whole numbers,
exact too.
"""

from __future__ import annotations

from typing import Final

__all__ = ["GRID_S", "SNAP", "exact"]

#: The grid every summed duration lies on (seconds; for ticket sums, hours and minutes).
GRID_S = 2.0**-22
#: ``x + SNAP`` lies in ``[2**30, 2**31)`` for ``|x| < 2**29``, where floats are exactly the
#: multiples of ``GRID_S``: the addition rounds ``x`` to the grid (to nearest, ties to even)
#: and the subtraction is exact. (The busiest call handlers inline :func:`exact` as
#: ``(x + SNAP) - SNAP``: in pure Python a function call costs more than the two operations.)
SNAP: Final = 1610612736.0  # 1.5 * 2**30


def exact(value: float) -> float:
    """``value`` on the :data:`GRID_S` grid (the nearest multiple; two float operations)."""
    return (value + SNAP) - SNAP
