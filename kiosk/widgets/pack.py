"""Lines of text that keep their parts whole: a figure's name with its window, a comparison."""

from __future__ import annotations

import re
import textwrap

from rich.cells import cell_len

__all__ = ["figure_parts", "pack", "pack_glued"]

#: Where an alert line may break: after a figure's comma, before "and 3 more" and "(since".
_BREAKS = re.compile(r"(?<=,) | (?=and \d+ more)| (?=\(since )")
#: A number and the word after it (``15 min``, ``79 %``, ``2 NOTE``) stay on one line.
_GLUED = re.compile(r"(?<=\d) (?=\S)")
_NBSP = "\u00a0"  # not a break for textwrap (which breaks at ASCII whitespace only)


def figure_parts(text: str) -> list[str]:
    """``Abandon rate · 15m, Calls waiting · now (since 11:53)`` as the parts a banner line
    keeps whole: ``Abandon rate · 15m,`` ``Calls waiting · now`` ``(since 11:53)``."""
    return [part for part in _BREAKS.split(text) if part]


def pack(parts: list[str] | tuple[str, ...], width: int, sep: str = " ") -> list[str]:
    """``parts`` on lines of ``width`` cells, ``sep`` apart, each kept whole on one line
    unless it is longer than a line itself: that one wraps at its spaces."""
    lines: list[str] = []
    for part in parts:
        joined = f"{lines[-1]}{sep}{part}" if lines else part
        if lines and cell_len(joined) <= width:
            lines[-1] = joined
        else:
            lines += textwrap.wrap(part, max(1, width)) or [""]
    return lines


def pack_glued(parts: list[str] | tuple[str, ...], width: int) -> list[str]:
    """:func:`pack`, never breaking a line between a number and the word after it
    (``… the last 15`` / ``min)``)."""
    glued = [_GLUED.sub(_NBSP, part) for part in parts]
    return [line.replace(_NBSP, " ") for line in pack(glued, width)]
