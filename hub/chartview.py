"""Textual widgets that draw :mod:`panneau.hub.charts`: plotext plots and a CSAT gauge.

Each plot is rebuilt at its own size when drawn, so the x labels thin out and the half-hour
bars keep to the latest that fit (readable at 80×24). Series are told apart by their marker
and the legend as well as by colour, and the colours are the terminal's named ones (green,
red, cyan…), so a 16-colour console draws them as it draws the rest of the screen. Target
lines are ``─`` rows in the colour of the line they belong to. With symbols that have
no partial blocks (the kiosk's 16-colour mode, for the Linux console's fonts) the curves are
drawn with ``*`` and ``x`` instead of braille and dots; bars, axes and the gauge use only
``█ ░`` and box-drawing characters, which those fonts have.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import Grid, Vertical
from textual.reactive import reactive
from textual.widget import Widget
from textual_plotext import PlotextPlot

from panneau.hub.charts import Chart, Charts
from panneau.hub.display import SYMBOLS, Symbols, format_value
from panneau.hub.sharedlines import SharedLines

__all__ = ["ChartBoard", "ChartPlot", "GaugeBar", "PlotGrid"]

#: Colour and marker of each series of a chart, in order.
_STYLES = (("green", "braille"), ("red", "dot"))
_SAFE_MARKERS = ("*", "x")
#: How a marker looks in a title ("braille" draws dots of several shapes).
_MARK_SAMPLES = {"braille": "⠒", "dot": "•"}


def _nice_range(values: list[float]) -> tuple[float, float]:
    """Whole-number bounds around ``values`` with a little room, from 0 for small ones."""
    low, high = min(values), max(values)
    pad = max((high - low) * 0.1, 1.0)
    low = 0.0 if low - pad < 0 or low < (high - low) else float(int(low - pad))
    return low, float(int(high + pad) + 1)


def _ticks(low: float, high: float) -> list[float]:
    """Three or four round ticks between ``low`` and ``high``."""
    span = high - low
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000, 10 ** 9)
                if span / s <= 4)
    first = -(-low // step) * step
    return [float(first + i * step) for i in range(int((high - first) // step) + 1)]
_BAR_COLORS = ("cyan", "green")
#: Bars are drawn at most this wide: the first half hours of a day (or of a fresh hub) stand
#: at the left as narrow bars, the rest of the day to come, rather than one bar across it all.
_MIN_SLOTS = 6
#: Marks of stacked counts' series (calls, tickets): told apart without colour too.
_STACK_MARKS = ("█", "▒")
#: Stacked calls: answered at the bottom, not answered on top.
_STACK_COLORS = ("green", "red")
_STATE_STYLES = {"ok": "green", "warn": "bold yellow", "alert": "bold red"}


def _every(labels: tuple[str, ...], room: int) -> tuple[list[int], list[str]]:
    """At most ``room`` evenly spread x ticks."""
    if not labels:
        return [], []
    step = max(1, -(-len(labels) // max(1, room)))
    picked = list(range(0, len(labels), step))
    return [i + 1 for i in picked], [labels[i] for i in picked]


def share_bars(chart: Chart, width: int, height: int) -> Text:
    """Shares out of 100 % as one line each, ``name n% ███░░░``: the bar's cells are exactly
    its share of the width (plotext puts a few bars on rows of their own in a small plot,
    out of step with their names), the ``░`` rest shows the whole. The largest that fit, a
    line apart when there is room."""
    labels = chart.labels[:max(1, height)]
    gap = "\n\n" if height >= 2 * len(labels) else "\n"
    pad = max(len(label) for label in labels)
    room = max(4, width - pad - 2)
    out = Text()
    for i, (label, share) in enumerate(zip(labels, chart.lines[0].values, strict=False)):
        filled = min(room, round(room * (share or 0.0) / 100))
        out.append((gap if i else "") + label.rjust(pad) + " ")
        out.append("█" * filled, _BAR_COLORS[0])
        out.append("░" * (room - filled), "dim")
    return out


def stacked_bars(chart: Chart, width: int, height: int) -> Text:
    """Counts as one line each, ``name 21+7 ████▒▒``: each series' cells in its colour and
    mark, the largest total across the width; the first names that fit, a line apart when
    there is room. (plotext put a tight plot's bars on rows out of step with their names:
    one agent's bar beside another's name, every other bar left out.)"""
    labels = chart.labels[:max(1, height)]
    rows = [[line.values[i] or 0.0 for line in chart.lines] for i in range(len(labels))]
    top = max((sum(row) for row in rows), default=0.0) or 1.0
    gap = "\n\n" if height >= 2 * len(labels) else "\n"
    pad = max(len(label) for label in labels)
    room = max(4, width - pad - 2)
    out = Text()
    for i, (label, values) in enumerate(zip(labels, rows, strict=True)):
        out.append((gap if i else "") + label.rjust(pad) + " ")
        done, total = 0, 0.0
        for j, value in enumerate(values):  # cumulative ends: no rounding drift
            total += value
            end = round(room * total / top)
            out.append(_STACK_MARKS[j % 2] * (end - done), _BAR_COLORS[j % 2])
            done = end
    return out


class ChartPlot(PlotextPlot):
    """One curve or bar chart (:class:`Chart`), drawn at the widget's size; its title sits
    in the top border (plotext leaves its own title out of small plots)."""

    DEFAULT_CSS = """
    ChartPlot { border-top: blank; border-title-align: center; border-title-style: bold; }
    """

    chart: reactive[Chart | None] = reactive(None)

    def __init__(self, *, safe: bool = False, id: str | None = None) -> None:
        """``safe``: only characters the Linux console's fonts have (see the module doc),
        and the terminal's own colours for the canvas, axes and ticks (the ``auto`` theme
        mixes them from the Textual theme, which on a 16-colour theme draws black on black)."""
        super().__init__(id=id)
        self.safe = safe
        if safe:
            self.set_reactive(ChartPlot.theme, "textual-default")

    def render(self) -> RenderResult:
        chart = self.chart
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        self.border_title = self._fit(chart.title, chart.short) if chart else ""
        if chart is None or chart.empty:
            return Text(chart.empty if chart else "", style="dim")
        width = max(self.size.width, 20)
        if chart.kind == "hbars" and chart.unit == "pct" and len(chart.lines) == 1:
            return share_bars(chart, width, self.size.height)
        if chart.kind == "hbars":
            self.border_title = self._fit(
                f"{chart.title} · " + " ".join(
                    f"{mark} {line.label.split()[0]}"  # "█ calls ▒ tickets"
                    for mark, line in zip(_STACK_MARKS, chart.lines, strict=False)),
                chart.title, chart.short)
            return stacked_bars(chart, width, self.size.height)
        if chart.kind == "curve":
            self._curve(chart, width)
        else:
            self._bars(chart, width)
        text = super().render()
        plt.clear_data()  # the canvas just built (some 50 KiB a plot) is not kept until the
        plt.clear_figure()  # next draw: Textual keeps the lines drawn from the text
        return text

    def _fit(self, *titles: str) -> str:
        """The first of ``titles`` that fits in the top border, else the last one given."""
        given = [t for t in titles if t]
        room = self.size.width - 2
        return next((t for t in given if len(t) <= room), given[-1] if given else "")

    def _curve(self, chart: Chart, width: int) -> None:
        """Each line on its own y axis (the first left, the second right), scaled to its
        values and its target; the title says which marker is which (plotext's legend
        would hide the top of the lines and mark the sides with characters consoles lack)."""
        plt = self.plt
        keys = []
        for i, (line, (color, marker)) in enumerate(zip(chart.lines, _STYLES, strict=False)):
            side = "left" if i == 0 else "right"
            marker = _SAFE_MARKERS[i] if self.safe else marker
            points = [(x + 1, v) for x, v in enumerate(line.values) if v is not None]
            target = chart.targets[i][1] if i < len(chart.targets) else None
            values = [v for _, v in points] + ([target] if target is not None else [])
            if not values:
                continue
            if len(chart.lines) > 1:
                sample = _MARK_SAMPLES.get(marker, marker)
                keys.append(f"{line.label} {sample}" + (" right" if i else ""))
            if target is not None:  # plotted, under the line: plotext's hline ignores yside
                span = [0.5, len(chart.labels) + 0.5]
                plt.plot(span, [target, target], color=color, marker="─", yside=side)
            if points:
                plt.plot([p[0] for p in points], [p[1] for p in points], color=color,
                         marker=marker, yside=side)
            low, high = _nice_range(values)
            plt.ylim(low, high, yside=side)
            plt.yticks(_ticks(low, high), yside=side)
        if any(t is not None for _, t in chart.targets):
            keys.append("─ target")
        self.border_title = self._fit(" · ".join(k for k in (chart.title, *keys) if k),
                                      chart.title, chart.short)
        plt.xlim(0.5, len(chart.labels) + 0.5)
        plt.xticks(*_every(chart.labels, (width - 12) // 9))

    def _bars(self, chart: Chart, width: int) -> None:
        """One bar per slot, its series stacked (first at the bottom); the latest slots that
        fit (four columns a slot: narrower, plotext's rounding joins neighbouring bars)."""
        fit = max(3, (width - 8) // 4)
        start = max(0, len(chart.labels) - fit)
        labels = chart.labels[start:]
        values = [[v or 0.0 for v in line.values[start:]] for line in chart.lines]
        self.border_title = self._fit(
            f"{chart.title}: {' + '.join(line.label for line in chart.lines)}", chart.title,
            chart.short)
        self.plt.stacked_bar(list(range(1, len(labels) + 1)), values,
                             color=list(_STACK_COLORS[:len(values)]), width=0.6)
        if len(labels) < _MIN_SLOTS:
            self.plt.xlim(0.5, _MIN_SLOTS + 0.5)
        top = max((sum(column) for column in zip(*values, strict=True)), default=0.0)
        self.plt.yticks(_ticks(0.0, _nice_range([0.0, top])[1]))
        self.plt.xticks(*_every(labels, (width - 8) // 9))


class GaugeBar(Widget):
    """A value out of 100 as a bar with its target mark, its state and its n."""

    DEFAULT_CSS = """
    GaugeBar { height: 2; padding: 0 1; }
    """
    chart: reactive[Chart | None] = reactive(None)

    def __init__(self, symbols: Symbols = SYMBOLS, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.symbols = symbols

    def render(self) -> RenderResult:
        chart = self.chart
        if chart is None:
            return ""
        if chart.value is None:
            return Text(f"{chart.title}\n{chart.empty}", style="dim")
        target = chart.targets[0][1] if chart.targets else None
        head = Text(f"{chart.title}  ", style="bold")
        state = chart.state if chart.state in _STATE_STYLES else None
        mark = f"{self.symbols.state(state)} " if state else ""
        head.append(f"{mark}{format_value('csat_pct', chart.value)}",
                    style=_STATE_STYLES.get(state or "", "bold"))
        if target is not None:
            head.append(f"   target {format_value('csat_pct', target)}")
        if chart.n is not None:
            head.append(f"   n = {chart.n:g}")
        width = max(10, self.size.width - 12)
        filled = round(width * min(100.0, max(0.0, chart.value)) / 100)
        cells = ["█"] * filled + ["░"] * (width - filled)
        tick = min(width - 1, round(width * target / 100)) if target is not None else None
        bar = Text("0 │", style="dim")
        for i, cell in enumerate(cells):
            bar.append("┃" if i == tick else cell,
                       "bold" if i == tick else _STATE_STYLES.get(state or "", "cyan"))
        bar.append("│ 100", style="dim")
        return Text("\n").join([head, bar])


class PlotGrid(SharedLines, Grid):
    """The grid of a board's plots (its blank lines drawn as one: :class:`SharedLines`)."""


class ChartBoard(Vertical):
    """Every chart of a :class:`Charts`: the gauge above a grid of plots (its columns and
    row heights set by the screen's CSS)."""

    DEFAULT_CSS = """
    ChartBoard { height: auto; }
    ChartBoard > Grid { grid-size: 1; grid-gutter: 0 1; height: auto; grid-rows: 11; }
    """
    PLOTS: ClassVar[tuple[str, ...]] = ("intraday", "per_half_hour", "per_agent", "resolution",
                                        "channels", "types")

    def __init__(self, symbols: Symbols = SYMBOLS, *, agents: bool = False,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.symbols, self.agents = symbols, agents
        # kept, not looked up at each draw: Textual caches a lookup under a count of the
        # board's changes, which each draw moves, so a wall's stale entries piled up
        self._gauge = GaugeBar(symbols, id="chart-csat")

    def compose(self) -> ComposeResult:
        yield self._gauge
        with PlotGrid(id="chart-plots"):
            for name in self.PLOTS:
                if name != "per_agent" or self.agents:
                    yield ChartPlot(safe=not self.symbols.partial_blocks,
                                    id=f"chart-{name.replace('_', '-')}")

    def show(self, charts: Charts) -> None:
        """Draw ``charts`` (a plot without its chart stays as it was)."""
        for name in self.PLOTS:
            chart = getattr(charts, name)
            if chart is not None:
                for plot in self.query(f"#chart-{name.replace('_', '-')}").results(ChartPlot):
                    plot.chart = chart
        self._gauge.chart = charts.csat
