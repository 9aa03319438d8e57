"""A KPI tile: a big number, a label with a state symbol, and arrows versus the past."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static

from panneau.hub.display import SYMBOLS, Symbols
from panneau.kiosk.model import Tile
from panneau.kiosk.widgets.bignum import BigNumber

__all__ = ["KpiTile"]

_STATE_WORDS = {"ok": "", "warn": "WARN", "alert": "ALERT", "none": "", "nodata": "no data"}
_REF_NAMES = {"yesterday": "yesterday", "last_week": "last week"}
_STATES = ("ok", "warn", "alert", "none", "nodata")


class KpiTile(Vertical):
    """One figure. State shows as a CSS class (colour) *and* a symbol and word (shape)."""

    tile: reactive[Tile | None] = reactive(None, init=False, repaint=False)
    flash: reactive[bool] = reactive(False, init=False)

    def __init__(self, tile: Tile | None, symbols: Symbols = SYMBOLS, **kwargs) -> None:
        super().__init__(**kwargs)
        self.symbols = symbols
        self._shown: dict[str, str] = {}
        self.number = BigNumber(classes="value", half_blocks=symbols.partial_blocks)
        self.set_reactive(KpiTile.tile, tile)

    def compose(self) -> ComposeResult:
        yield Static(classes="head")
        yield self.number
        yield Static(classes="refs")

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

    def _refs(self, tile: Tile) -> str:
        sym = self.symbols
        parts = []
        for name, direction, _better, delta in tile.refs:
            arrow = {1: sym.up, -1: sym.down, 0: sym.same}[direction]
            parts.append(f"{arrow}{delta} {_REF_NAMES.get(name, name)}")
        if tile.note:  # a manager's comment on this figure
            parts.append(f"{'✎' if sym.partial_blocks else 'note:'} {tile.note}")
        return "  ".join(parts)

    def watch_tile(self, tile: Tile | None) -> None:
        if tile is None or not self.children:
            return
        self._text(".head", self._head(tile))
        self.number.value = tile.text
        self._text(".refs", self._refs(tile))
        for state in _STATES:
            self.set_class(tile.state == state, f"-{state}")
        self.set_class(tile.stale, "-stale")

    def _text(self, selector: str, text: str) -> None:
        """Update a line when it changes; re-lay out only when its length does (it may wrap)."""
        old = self._shown.get(selector)
        if old != text:
            self._shown[selector] = text
            same_length = old is not None and len(old) == len(text)
            self.query_one(selector, Static).update(text, layout=not same_length)

    def watch_flash(self, flash: bool) -> None:
        self.set_class(flash, "-flash")
