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
        # kept, not looked up at each draw: Textual caches lookups under a count of changes
        # that keeps moving on a wall (see PanelScreen), and stale entries pile up
        self._label = Static(classes="trend-label", markup=False)
        self._spark = Sparkline(classes="spark") if spark else None

    def compose(self) -> ComposeResult:
        yield self._label
        if self._spark is not None:
            yield self._spark

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
        if self._spark is not None:
            self._spark.data = list(data)
        elif data:
            first, last, low, high = (format_value(self.kpi, v)
                                      for v in (data[0], data[-1], min(data), max(data)))
            label += f": from {first} to {last} (low {low}, high {high})"
        self._label.update(label)
