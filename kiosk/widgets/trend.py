"""The trend line under the figures: a label and a sparkline of the hub's history."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Sparkline, Static

from panneau.hub.display import format_value

__all__ = ["TrendLine"]


class TrendLine(Vertical):
    """Hidden when the page has no trend; greyed (``-stale``) when its source is stale.

    Without ``spark`` (console fonts lack ``▁…▇``) the line reads first / low / high / last.
    """

    data: reactive[tuple[float, ...]] = reactive((), init=False)
    label: reactive[str] = reactive("", init=False)
    kpi: str = ""

    def __init__(self, *, spark: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.spark = spark

    def compose(self) -> ComposeResult:
        yield Static(classes="trend-label", markup=False)
        if self.spark:
            yield Sparkline(classes="spark")

    def on_mount(self) -> None:
        self._draw()

    def watch_label(self) -> None:
        self._draw()

    def watch_data(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if not self.children:
            return
        data = self.data
        label = self.label
        if self.spark:
            self.query_one(Sparkline).data = list(data)
        elif data:
            first, last, low, high = (format_value(self.kpi, v)
                                      for v in (data[0], data[-1], min(data), max(data)))
            label += f": from {first} to {last} (low {low}, high {high})"
        self.query_one(".trend-label", Static).update(label)
