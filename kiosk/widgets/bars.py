"""The top bar (team, page title, clock and date) and bottom bar ("as of", page n/m)."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Static

__all__ = ["BottomBar", "TopBar"]


class _Slots(Horizontal):
    """A row of text slots: each reactive named in ``SLOTS`` fills the Static of that class."""

    SLOTS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._widths: dict[str, int] = {}  # each slot's text width

    def compose(self) -> ComposeResult:
        for name in self.SLOTS:
            yield Static(classes=name.replace("_", "-"), markup=False)

    def on_mount(self) -> None:
        for name in self.SLOTS:
            self.watch(self, name, partial(self._fill, name))

    def _fill(self, name: str, text: str) -> None:
        """A new text in its slot; the screen is laid out again only when the slot's width
        changed (the clock and "as of" change every few seconds, never their width: a layout
        pass of the whole screen each time for nothing)."""
        width = cell_len(text)
        self.query_one(f".{name.replace('_', '-')}", Static).update(
            text, layout=width != self._widths.get(name, 0))
        self._widths[name] = width


class TopBar(_Slots):
    """Team name left, page title centre, time and date right."""

    SLOTS = ("team", "title", "clock")
    #: The cells of the clock's usual text (``Sat 28 Nov  13:59``): its share of the bar holds
    #: that at 80 columns; a longer one (a sped hub's, ``hub clock ×60 · …``) takes the room
    #: it needs (``-long-clock``) rather than wrap out of sight.
    CLOCK_CELLS: ClassVar[int] = 17
    team: reactive[str] = reactive("")
    title: reactive[str] = reactive("")
    clock: reactive[str] = reactive("")

    def _fill(self, name: str, text: str) -> None:
        if name == "clock":
            self.set_class(cell_len(text) > self.CLOCK_CELLS, "-long-clock")
        super()._fill(name, text)


class BottomBar(_Slots):
    """When the data is from, and which page of how many."""

    SLOTS = ("as_of", "pages")
    as_of: reactive[str] = reactive("")
    pages: reactive[str] = reactive("")
