"""Lay the agent's figures out in the space there is: a table when wide, columns when not."""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil

from rich.text import Text

from panneau.overlay.fmt import MARKS, TREND_ARROWS
from panneau.overlay.lines import STALE_MARK, Paint, greyed
from panneau.overlay.model import Figure

__all__ = ["figure_lines"]

#: Below this width a figure uses a 4-letter label.
_SHORT_CELL = 17
#: From this width (and one row per figure) each figure gets its target and last-week delta.
_TABLE_WIDTH = 44

_TREND_STYLE = {"better": "ahead", "worse": "behind", "same": "dim"}


def _marks(fig: Figure, paint: Paint) -> Text:
    """Target mark and trend arrow; the stale symbol first when the figure is stale."""
    if fig.stale:
        return Text(STALE_MARK + TREND_ARROWS.get(fig.trend or "", " "), style=paint(None))
    text = Text(MARKS.get(fig.mark or "", " "), style=paint(fig.mark))
    return text.append(TREND_ARROWS.get(fig.trend or "", " "),
                       style=paint(_TREND_STYLE.get(fig.trend or "")))


def _table_line(fig: Figure, paint: Paint) -> Text:
    paint = greyed(paint, fig.stale)
    line = Text(f"{fig.label:<10}{fig.text:>7} ", style=paint(None)).append(_marks(fig, paint))
    if fig.target_text:
        line.append(f" target {fig.target_text:<6}", style=paint("dim"))
    else:
        line.append(" " * 14)
    if fig.trend_text:
        line.append(f" last wk {fig.trend_text}", style=paint("dim"))
    return line


def _cell(fig: Figure, width: int, paint: Paint) -> Text:
    paint = greyed(paint, fig.stale)
    label = fig.label if width >= _SHORT_CELL else fig.label[:4]
    value_w = max(1, min(6, width - len(label) - 3))
    cell = Text(f"{label:<{len(label) if width < _SHORT_CELL else 9}}{fig.text:>{value_w}} ",
                style=paint(None))
    cell.append(_marks(fig, paint))
    cell.truncate(max(0, width - 1))
    cell.pad_right(width - cell.cell_len)
    return cell


def figure_lines(figures: Sequence[Figure], width: int, height: int, paint: Paint) -> list[Text]:
    """One :class:`Text` per screen line, fitting ``width`` × ``height`` (figures without
    data are left out)."""
    shown = [f for f in figures if f.value is not None]
    if not shown or width <= 0 or height <= 0:
        return []
    if width >= _TABLE_WIDTH and height >= len(shown):
        return [_table_line(f, paint) for f in shown]
    cols = ceil(len(shown) / height)
    rows = ceil(len(shown) / cols)
    cell_w = width // cols
    lines = []
    for row in range(rows):
        line = Text()
        for col in range(cols):
            index = col * rows + row
            if index < len(shown):
                line.append(_cell(shown[index], cell_w, paint))
        lines.append(line)
    return lines
