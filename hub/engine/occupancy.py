"""Every scope's occupancy in each window, read for all scopes at once when the windows move,
and worked out ahead of a minute's turn.

At a minute's turn occupancy moves in every window of every scope with agent time (2,244
windows at 500 agents): the windows' end column of integrals is new, their start columns were
read before (:meth:`~panneau.hub.engine.levels.Levels.windows`). A tick in the last
:data:`LEAD_S` seconds of a minute works the next minute's table out ahead (:meth:`Occupancy.
look_ahead`), from the end column the turn reads were no agent to change before it
(:meth:`~panneau.hub.engine.levels.Levels.column_ahead`). The turn reads its columns as ever
and takes that table but for the scopes whose end integrals differ from those worked out
ahead, worked out again: each value is :func:`occupancy_column` of the same four integrals,
so the table is the one a whole read gives, to the last bit. A turn whose read is not the one
worked out for (another minute, day or load of the integrals, other start columns, a scope
added since) reads the table whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from panneau.hub.engine.kpis import occupancy_column
from panneau.hub.engine.levels import Levels

__all__ = ["LEAD_S", "Occupancy"]

#: A tick this close to the end of its minute (seconds) works the turn's table out ahead: a
#: hub's clock ticks run just after each whole second, the last one at about 59 s.
LEAD_S: Final = 1.5

_Columns = list[tuple[Sequence[float], ...]]
_Table = dict[str, tuple[float | None, ...]]


def _table(scopes: Iterable[str], columns: _Columns) -> _Table:
    """Every scope's occupancy in each window, from the windows' columns (see
    :meth:`~panneau.hub.engine.levels.Levels.windows`)."""
    return dict(zip(scopes, zip(*(occupancy_column(*column)  # noqa: B905
                                  for column in columns))))


class Occupancy:
    """The occupancy table of the last read, what it was read at, and one worked out ahead."""

    def __init__(self) -> None:
        self.table: _Table = {}
        self.at: tuple[int, ...] = ()
        #: ``(at, scopes, columns, table)`` worked out ahead for the read at ``at``.
        self._ahead: tuple[tuple[int, ...], list[str], _Columns, _Table] | None = None

    def read(self, levels: Levels, at: tuple[int, ...], cursor: int, first: int, end: int
             ) -> _Table:
        """The table for windows ending at minute ``cursor`` and the day's minutes ``[first,
        end)``, read when ``at`` (what identifies the read) changed, else the last one."""
        if at != self.at:
            scopes, columns = levels.windows(cursor, first, end)
            ahead, self._ahead = self._ahead, None
            table = _reuse(ahead, columns) if ahead is not None and ahead[0] == at else None
            self.table = _table(scopes, columns) if table is None else table
            self.at = at
        return self.table

    def look_ahead(self, levels: Levels, at: tuple[int, ...], first: int, end: int) -> None:
        """Work out the table of the read at ``at``: the windows ending at the minute after
        the open one, the day's minutes ``[first, end)``."""
        scopes, columns = levels.windows(levels.minute + 1, first, end, ahead=True)
        names = list(scopes)
        self._ahead = (at, names, columns, _table(names, columns))


def _reuse(ahead: tuple[tuple[int, ...], list[str], _Columns, _Table], columns: _Columns
           ) -> _Table | None:
    """The table worked out ahead, the scopes whose end integrals differ in ``columns`` worked
    out again; None when ``columns`` are not those it was worked out for but their end."""
    _, names, before, table = ahead
    end_w, end_b, was_w, was_b = columns[0][0], columns[0][2], before[0][0], before[0][2]
    if len(columns) != len(before) or len(end_w) != len(names) or len(was_w) != len(names):
        return None
    for (col_w, start_w, col_b, start_b), (col_w0, start_w0, col_b0, start_b0) in zip(  # noqa: B905
            columns, before):
        if (col_w is not end_w or col_b is not end_b or col_w0 is not was_w
                or col_b0 is not was_b or start_w is not start_w0 or start_b is not start_b0):
            return None
    if end_w == was_w and end_b == was_b:
        return table
    table = dict(table)
    n = len(columns)
    for i, (w, w0, b, b0) in enumerate(zip(end_w, was_w, end_b, was_b)):  # noqa: B905
        if w != w0 or b != b0:
            table[names[i]] = tuple(occupancy_column([w] * n, [c[1][i] for c in columns],
                                                     [b] * n, [c[3][i] for c in columns]))
    return table
