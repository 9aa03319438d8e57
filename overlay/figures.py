"""Lay the agent's figures out in the space there is: a table when wide, columns when not."""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil

from rich.text import Text

from panneau.overlay.fmt import MARKS, TREND_ARROWS
from panneau.overlay.lines import STALE_MARK, Paint, greyed
from panneau.overlay.model import Figure

__all__ = ["figure_lines"]

#: Below this width a figure uses a 4-letter label: the layout makes no more columns than
#: cells of this width fit (what does not fit is counted, ``+2 more``), so only a screen
#: narrower than one such cell gets those.
_SHORT_CELL = 17
#: From this width (and one row per figure) each figure gets its target and last-week delta,
#: with labels of up to ``_LABEL_W`` characters; longer labels widen the table (all its
#: values end in one column).
_TABLE_WIDTH = 44
_LABEL_W = 10

_TREND_STYLE = {"better": "ahead", "worse": "behind", "same": "dim"}


def _marks(fig: Figure, paint: Paint) -> Text:
    """Target mark and trend arrow; the stale symbol first when the figure is stale."""
    if fig.stale:
        return Text(STALE_MARK + TREND_ARROWS.get(fig.trend or "", " "), style=paint(None))
    text = Text(MARKS.get(fig.mark or "", " "), style=paint(fig.mark))
    return text.append(TREND_ARROWS.get(fig.trend or "", " "),
                       style=paint(_TREND_STYLE.get(fig.trend or "")))


def _table_line(fig: Figure, paint: Paint, label_w: int) -> Text:
    paint = greyed(paint, fig.stale)
    line = Text(f"{fig.label:<{label_w}}{fig.text:>7} ", style=paint(None))
    line.append(_marks(fig, paint))
    if fig.target_text:
        line.append(f" target {fig.target_text:<6}", style=paint("dim"))
    else:
        line.append(" " * 14)
    if fig.trend_text:
        line.append(f" last wk {fig.trend_text}", style=paint("dim"))
    return line


def _label(fig: Figure, width: int) -> str:
    return fig.label if width >= _SHORT_CELL else fig.label[:4]


def _cell(fig: Figure, width: int, paint: Paint, label_w: int, value_w: int) -> Text:
    """``label value ✓↑`` in ``width`` cells; ``value_w`` holds a space before the value, so a
    label too long for the cell is cut (``…``) and never runs into its value."""
    paint = greyed(paint, fig.stale)
    label = _label(fig, width)
    if len(label) > label_w:
        label = label[:max(0, label_w - 1)] + "…"
    cell = Text(f"{label:<{label_w}}{fig.text:>{value_w}} ", style=paint(None))
    cell.append(_marks(fig, paint))
    cell.truncate(max(0, width - 1))
    cell.pad_right(width - cell.cell_len)
    return cell


def _column(figures: Sequence[Figure], width: int, paint: Paint) -> list[Text]:
    """One column of cells sharing their label and value widths: values end in one place
    (the old fixed ``label:<9 value:>6`` where the cell has room, never wider than it)."""
    value_w = 1 + max(len(f.text) for f in figures)
    longest = max(len(_label(f, width)) for f in figures)
    label_w = min(max(1, width - value_w - 3), max(longest, 9 if width >= _SHORT_CELL else 0))
    value_w = max(value_w, min(6, width - label_w - 3))
    return [_cell(f, width, paint, label_w, value_w) for f in figures]


def figure_lines(figures: Sequence[Figure], width: int, height: int, paint: Paint) -> list[Text]:
    """One :class:`Text` per screen line, fitting ``width`` × ``height`` (figures without
    data are left out)."""
    shown = [f for f in figures if f.value is not None]
    if not shown or width <= 0 or height <= 0:
        return []
    label_w = max(_LABEL_W, *(len(f.label) for f in shown))
    if width >= _TABLE_WIDTH + label_w - _LABEL_W and height >= len(shown):
        return [_table_line(f, paint, label_w) for f in shown]
    cols, more = ceil(len(shown) / height), 0
    if cols > max(1, width // _SHORT_CELL):  # narrower cells would cut labels to 4 letters
        cols = max(1, width // _SHORT_CELL)
        more = len(shown) - (cols * height - 1)  # the last cell says how many are left out
        shown = shown[:cols * height - 1]
    rows = ceil((len(shown) + (more > 0)) / cols)
    cell_w = width // cols
    columns = [_column(shown[col * rows:(col + 1) * rows], cell_w, paint) for col in range(cols)]
    if more:
        columns[-1].append(Text(f"+{more} more", style=paint("dim")))
    lines = []
    for row in range(rows):
        line = Text()
        for cells in columns:
            if row < len(cells):
                line.append(cells[row])
        lines.append(line)
    return lines
