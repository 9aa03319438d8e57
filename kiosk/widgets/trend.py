"""The trend line under the figures: a label and a sparkline of the hub's history."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Sparkline, Static

__all__ = ["TrendLine"]


class TrendLine(Vertical):
    """Hidden when the page has no trend; greyed (``-stale``) when its source is stale."""

    data: reactive[tuple[float, ...]] = reactive((), init=False)
    label: reactive[str] = reactive("", init=False)

    def compose(self) -> ComposeResult:
        yield Static(classes="trend-label", markup=False)
        yield Sparkline(classes="spark")

    def on_mount(self) -> None:
        self.watch_label(self.label)
        self.watch_data(self.data)

    def watch_label(self, label: str) -> None:
        if self.children:
            self.query_one(".trend-label", Static).update(label)

    def watch_data(self, data: tuple[float, ...]) -> None:
        if self.children:
            self.query_one(Sparkline).data = list(data)
