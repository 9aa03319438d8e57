"""The top bar (team, page title, clock and date) and bottom bar ("as of", page n/m)."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Static

__all__ = ["BottomBar", "TopBar"]


class _Slots(Horizontal):
    """A row of text slots: each reactive named in ``SLOTS`` fills the Static of that class."""

    SLOTS: ClassVar[tuple[str, ...]] = ()

    def compose(self) -> ComposeResult:
        for name in self.SLOTS:
            yield Static(classes=name.replace("_", "-"), markup=False)

    def on_mount(self) -> None:
        for name in self.SLOTS:
            self.watch(self, name, partial(self._fill, name))

    def _fill(self, name: str, text: str) -> None:
        self.query_one(f".{name.replace('_', '-')}", Static).update(text)


class TopBar(_Slots):
    """Team name left, page title centre, time and date right."""

    SLOTS = ("team", "title", "clock")
    team: reactive[str] = reactive("")
    title: reactive[str] = reactive("")
    clock: reactive[str] = reactive("")


class BottomBar(_Slots):
    """When the data is from, and which page of how many."""

    SLOTS = ("as_of", "pages")
    as_of: reactive[str] = reactive("")
    pages: reactive[str] = reactive("")
