"""The figures panel: top bar, banner, a grid of KPI tiles, the trend line, bottom bar."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.screen import Screen
from textual.widget import NULL_SIZE, Widget, _RenderCache

from panneau.hub.charts import Charts
from panneau.hub.chartview import ChartBoard
from panneau.hub.display import SYMBOLS, Symbols
from panneau.hub.sharedlines import SharedLines
from panneau.kiosk.model import Notice, PageView
from panneau.kiosk.widgets import Banner, BottomBar, KpiTile, TopBar, TrendLine
from panneau.kiosk.widgets.bignum import ScaleGroup
from panneau.kiosk.widgets.goals import GoalsBoard

__all__ = ["PanelScreen", "chart_rows"]


_NO_LINES = _RenderCache(NULL_SIZE, [])


def _columns(count: int) -> int:
    """Tiles per row: 2×2 for four, otherwise up to three a row."""
    return 2 if count in (2, 4) else min(max(count, 1), 3)


def chart_rows(charts: Charts, height: int) -> tuple[int, int]:
    """Rows of the Trends page's two rows of plots in ``height`` rows: (the day's two charts,
    resolution per day and the ticket shares below).

    The bottom row gets what it shows — each share a line with a blank line between (the
    title above), the resolution curve two fifths of the height — and never more than half;
    the day's curves and bars, which stretch, get the rest. So a tall wall is filled even when
    the bottom has little to show (a fresh hub: no resolution yet, a ticket or two), and at
    80×24 the rows are still split in two halves.
    """
    shares = max((len(c.labels) for c in (charts.channels, charts.types) if not c.empty),
                 default=0)
    need = 1 + max(2 * shares, 2)  # the title row, then the lines (or a "no ticket" message)
    if not charts.resolution.empty:
        need = max(need, height * 2 // 5)
    bottom = min(height // 2, need)
    return height - bottom, bottom


def _release_lines(part: Widget) -> None:
    """Let a part of the screen going out of sight (the tiles, the Trends charts, a goals
    board) drop the lines it and its widgets keep drawn, before the next page is drawn: they
    are drawn again if it comes back (a page's tiles or plots, once a rotation), and the next
    page's lines take the memory they held instead of adding to it — a wall's memory is the
    most it ever held at once (Python keeps what it freed for its next objects)."""
    for widget in (part, *part.walk_children(Widget)):
        widget.refresh()  # Textual's lines of it dropped; drawn again when next shown
        widget._render_cache = _NO_LINES  # its content's lines: not kept either


class TileGrid(SharedLines, Grid):
    """The grid of the page's tiles (its blank lines drawn as one: :class:`SharedLines`)."""


class PanelScreen(SharedLines, Screen):
    """Shows one :class:`PageView` at a time; the app decides which and when. Its blank
    lines are drawn as one (:class:`SharedLines`)."""

    def __init__(self, symbols: Symbols = SYMBOLS) -> None:
        super().__init__()
        self.symbols = symbols
        self._kpis: tuple[str, ...] | None = None
        self.scale = ScaleGroup()
        self._charts: Charts | None = None
        self._chart_rows = ""
        # The parts, kept rather than looked up: Textual caches each lookup under the count of
        # the screen's changes, and every page change shows and hides parts (a change), so a
        # wall's lookups would pile up ~8 stale entries a page, to 1,024 (~0.3 MiB).
        self._top, self._banner = TopBar(id="top"), Banner(id="banner")
        self._grid = TileGrid(id="tiles")
        self._board = GoalsBoard(symbols, id="goals")
        self._chart_board = ChartBoard(symbols, id="trends")
        self._trend = TrendLine(id="trend", spark=symbols.partial_blocks)
        self._bottom = BottomBar(id="bottom")
        self._plots: Grid | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="head"):
            yield self._top
            yield self._banner
        yield self._grid
        yield self._board
        yield self._chart_board
        yield self._trend
        yield self._bottom

    def show_page(self, page: PageView, capacity: int = 0) -> None:
        """Draw a page in one frame: the tiles are kept and refilled, never re-mounted.

        ``capacity``: the most tiles any page has; tiles for them are mounted (hidden) ahead
        of need, so changing page only fills tiles, shows or hides them and re-lays the grid.
        """
        grid, board, charts, trend = self._grid, self._board, self._chart_board, self._trend
        for part, shown in ((grid, page.spec.kind == "figures"), (charts, page.charts is not None),
                            (trend, bool(page.spec.trend))):
            if part.display and not shown:
                _release_lines(part)
            part.display = shown
        goals = page.spec.kind in ("objectives", "scorecard")
        if board.has_class("-shown") and not goals:
            _release_lines(board)
        board.set_class(goals, "-shown")
        if goals:
            board.kind, board.stale, board.goals = page.spec.kind, page.stale_goals, page.goals
        self._charts = page.charts
        if page.charts is not None:
            charts.show(page.charts)
            self._lay_out_charts()
        pool = list(grid.query_children(KpiTile))
        missing = max(capacity, len(page.tiles)) - len(pool)
        if missing > 0:
            extra = [KpiTile(None, self.symbols) for _ in range(missing)]
            for tile in extra:
                tile.display = False
            grid.mount_all(extra)
            pool += extra
        shown = []
        for widget, tile in zip(pool, (*page.tiles, *[None] * len(pool)), strict=False):
            widget.display = tile is not None
            if tile is not None:
                widget.tile = tile
                shown.append(widget)
        kpis = tuple(t.kpi for t in page.tiles)
        if kpis != self._kpis:
            self._kpis = kpis
            grid.styles.grid_size_columns = _columns(len(page.tiles))
            self.scale.set_members(shown)
        trend.kpi = page.spec.trend or ""
        trend.label = page.trend_label + (" (stale)" if page.stale_trend else "")
        trend.data = page.trend
        trend.set_class(page.stale_trend, "-stale")
        self.set_class(page.spec.is_alert, "-alert-page")

    def _lay_out_charts(self) -> None:
        """Split the Trends page's plots between its two rows (:func:`chart_rows`)."""
        if self._plots is None:  # the board's plot grid, looked up once (see __init__)
            self._plots = self._chart_board.query_one("#chart-plots", Grid)
        plots = self._plots
        if self._charts is None or plots.size.height < 2:
            return
        rows = "{} {}".format(*chart_rows(self._charts, plots.size.height))
        if rows != self._chart_rows:
            self._chart_rows = rows
            plots.styles.grid_rows = rows

    def on_resize(self, event: events.Resize) -> None:
        """A new size: the Trends page's rows follow once laid out."""
        self.call_after_refresh(self._lay_out_charts)

    def tiles(self) -> list[KpiTile]:
        """The tiles of the page shown (hidden spare tiles left out)."""
        return [t for t in self.query(KpiTile) if t.display and t.tile is not None]

    def show_notices(self, notices: list[Notice]) -> None:
        """Set the banner lines."""
        self._banner.notices = tuple(notices)

    def show_bars(self, *, team: str, title: str, clock: str, as_of: str, pages: str) -> None:
        """Fill the top and bottom bars."""
        top, bottom = self._top, self._bottom
        top.team, top.title, top.clock = team, title, clock
        bottom.as_of, bottom.pages = as_of, pages

    def flash(self, kpis: set[str], on: bool) -> None:
        """Flash (or stop flashing) the tiles of these KPIs."""
        for widget in self.query(KpiTile):
            if widget.tile is not None and widget.tile.kpi in kpis:
                widget.flash = on
