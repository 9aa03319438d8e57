"""A KPI tile: a label with a state symbol, a big number, and arrows versus the past.

One widget draws the whole tile (its lines through :meth:`KpiTile.render_line`): Textual's
compositor cuts every screen line at each widget's edges and keeps each piece with its caches,
so a tile of three child widgets cost a wall about 2,000 more strips (some 2 MiB) than a tile
drawn by itself. The border and padding stay CSS (drawn around the content by Textual). The
tile keeps its rows as text and style and makes a line's strip when Textual asks for it:
Textual's styles cache keeps the finished line (with the border); a strip kept by the tile
as well would keep, besides itself, the strips Textual derives from it on the way (about 40
strips a tile).
"""

from __future__ import annotations

import re
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.reactive import reactive
from textual.strip import Strip

from panneau.hub.display import SYMBOLS, Symbols
from panneau.kiosk.model import Tile
from panneau.kiosk.widgets.bignum import Figure, ScaledWidget, ScaleGroup
from panneau.kiosk.widgets.pack import pack

__all__ = ["KpiTile"]

_STATE_WORDS = {"ok": "", "warn": "WARN", "alert": "ALERT", "none": "", "nodata": "no data"}
_REF_NAMES = {"yesterday": "yesterday", "last_week": "last week"}
_STATES = ("ok", "warn", "alert", "none", "nodata")
_STATE_WORD_AT_END = re.compile(r" (WARN|ALERT|STALE|no data)$")
#: Rows the big number keeps before the comparisons under it give way.
_MIN_FIGURE_ROWS = 3
_BOLD = Style(bold=True)


def _centred(text: str, width: int) -> str:
    """``text`` centred in ``width`` cells, cut with an ellipsis when too long."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
    pad = width - cell_len(text)
    return " " * (pad // 2) + text + " " * (pad - pad // 2)


def _fit_head(head: str, width: int) -> str:
    """``head`` in ``width`` cells. Too long, the KPI's name gives way first (``! SL (all c… ·
    billing 30m WARN``), then the state word (the symbol, colour and border still say it):
    tiles of one KPI in several scopes or windows (the Alert page) stay told apart by what
    follows its `` · ``."""
    if cell_len(head) <= width:
        return head
    symbol, _, rest = head.partition(" ")
    name, sep, where = rest.partition(" · ")
    if not sep:
        return head
    for tail in (where, _STATE_WORD_AT_END.sub("", where)):
        room = width - cell_len(f"{symbol}  · {tail}")
        if cell_len(name) <= room:
            return f"{symbol} {name} · {tail}"
        if room >= 4:
            return f"{symbol} {set_cell_size(name, room - 1)}… · {tail}"
    return head


class KpiTile(ScaledWidget):
    """One figure. State shows as a CSS class (colour) *and* a symbol and word (shape).

    Rows, inside the border: the head (state symbol, label, state word), the figure in the
    block font (as large as the rows left allow, capped by the page's :class:`ScaleGroup`),
    then the comparisons and a manager's note, wrapped and centred. Colours come from the
    stylesheet: the tile's own colour (head and figure), ``kpi-tile--value`` and
    ``kpi-tile--refs``.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"kpi-tile--value", "kpi-tile--refs"}

    tile: reactive[Tile | None] = reactive(None, init=False, repaint=False)
    flash: reactive[bool] = reactive(False, init=False)

    def __init__(self, tile: Tile | None, symbols: Symbols = SYMBOLS, **kwargs) -> None:
        super().__init__(**kwargs)
        self.symbols = symbols
        self.group: ScaleGroup | None = None
        self.number = Figure(half_blocks=symbols.partial_blocks)
        self.head = ""
        self.refs: tuple[str, ...] = ()
        self._rows: list[tuple[str, Style]] = []
        self._drawn_for: tuple | None = None
        self.set_reactive(KpiTile.tile, tile)

    def on_mount(self) -> None:
        self.watch_tile(self.tile)

    def _head(self, tile: Tile) -> str:
        sym = self.symbols
        words = [sym.state(tile.state), tile.label]
        if tile.stale:
            words += [sym.stale, "STALE"]
        elif _STATE_WORDS[tile.state]:
            words.append(_STATE_WORDS[tile.state])
        return " ".join(words)

    def _refs(self, tile: Tile) -> tuple[str, ...]:
        """The comparisons (``↓-2 yesterday``), then a manager's note, each on its own."""
        sym = self.symbols
        parts = []
        for name, direction, _better, delta in tile.refs:
            arrow = {1: sym.up, -1: sym.down, 0: sym.same}[direction]
            parts.append(f"{arrow}{delta} {_REF_NAMES.get(name, name)}")
        if tile.note:  # a manager's comment on this figure
            parts.append(f"{'✎' if sym.partial_blocks else 'note:'} {tile.note}")
        return tuple(parts)

    def watch_tile(self, tile: Tile | None) -> None:
        if tile is None:
            return
        for state in _STATES:
            self.set_class(tile.state == state, f"-{state}")
        self.set_class(tile.stale, "-stale")
        shown = (self.head, self.refs, self.number.value)
        self.head, self.refs, self.number.value = self._head(tile), self._refs(tile), tile.text
        if shown != (self.head, self.refs, self.number.value):
            self.refresh()
            if self.group is not None and shown[1:] != (self.refs, self.number.value):
                self.group.value_changed()

    def watch_flash(self, flash: bool) -> None:
        self.set_class(flash, "-flash")

    # -- the figure's box, for the page's ScaleGroup --------------------------------------

    def _ref_lines(self, width: int, height: int) -> list[str]:
        """The comparisons wrapped to ``width``, as many as leave the figure its rows; a
        blank row without any, so the figures of a row of tiles stand level."""
        room = max(0, height - 1 - _MIN_FIGURE_ROWS)
        return (pack(self.refs, max(1, width), sep="  ") or [""])[:room]

    def _figure_box(self) -> tuple[int, int]:
        width, height = self.content_size
        return width, max(0, height - 1 - len(self._ref_lines(width, height)))

    def natural_scale(self) -> int:
        """The scale the figure would get alone in the rows it has."""
        return self.number.natural_scale(*self._figure_box())

    def has_figure_box(self) -> bool:
        return bool(self.display and self.tile is not None and all(self._figure_box()))

    # -- drawing -------------------------------------------------------------------------

    def rows(self) -> list[str]:
        """The tile's text rows inside its border: head, figure, comparisons."""
        width, height = self.content_size
        if not height:
            return []
        refs = self._ref_lines(width, height)
        cap = self.group.cap() if self.group is not None else None
        figure = self.number.lines(width, max(0, height - 1 - len(refs)), cap)
        return [_centred(_fit_head(self.head, width), width), *figure,
                *(_centred(r, width) for r in refs)]

    def render_line(self, y: int) -> Strip:
        """One row of the tile, in its colours (its text and style worked out once per text,
        size, cap and style)."""
        width, height = self.content_size
        cap = self.group.cap() if self.group is not None else None
        key = (self.head, self.refs, self.number.value, width, height, cap)
        if key != self._drawn_for:
            self._drawn_for = key
            base = self.rich_style
            value = self.get_component_rich_style("kpi-tile--value")
            refs = self.get_component_rich_style("kpi-tile--refs")
            styles = [base + _BOLD] + [value] * (height - 1)
            rows = self.rows()
            styles[len(rows) - len(self._ref_lines(width, height)):] = [refs] * height
            self._rows = list(zip(rows, styles, strict=False))
        if y < len(self._rows):
            return Strip([Segment(*self._rows[y])], width)
        return Strip.blank(width, self.rich_style)
