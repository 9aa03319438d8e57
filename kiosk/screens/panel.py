"""The figures panel: top bar, banner, a grid of KPI tiles, the trend line, bottom bar."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.screen import Screen

from panneau.hub.display import SYMBOLS, Symbols
from panneau.kiosk.model import Notice, PageView
from panneau.kiosk.widgets import Banner, BigNumber, BottomBar, KpiTile, TopBar, TrendLine

__all__ = ["PanelScreen"]


def _columns(count: int) -> int:
    """Tiles per row: 2×2 for four, otherwise up to three a row."""
    return 2 if count in (2, 4) else min(max(count, 1), 3)


class PanelScreen(Screen):
    """Shows one :class:`PageView` at a time; the app decides which and when."""

    def __init__(self, symbols: Symbols = SYMBOLS) -> None:
        super().__init__()
        self.symbols = symbols
        self._kpis: tuple[str, ...] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="head"):
            yield TopBar(id="top")
            yield Banner(id="banner")
        yield Grid(id="tiles")
        yield TrendLine(id="trend", spark=self.symbols.partial_blocks)
        yield BottomBar(id="bottom")

    def show_page(self, page: PageView) -> None:
        """Draw a page: tiles are reused when the page holds the same KPIs."""
        grid = self.query_one("#tiles", Grid)
        kpis = tuple(t.kpi for t in page.tiles)
        if kpis == self._kpis:
            for widget, tile in zip(grid.query(KpiTile), page.tiles, strict=True):
                widget.tile = tile
        else:
            self._kpis = kpis
            grid.remove_children()
            grid.styles.grid_size_columns = _columns(len(page.tiles))
            grid.mount_all(KpiTile(t, self.symbols) for t in page.tiles)
        trend = self.query_one(TrendLine)
        trend.display = bool(page.spec.trend)
        trend.kpi = page.spec.trend or ""
        trend.label = page.trend_label + (" (stale)" if page.stale_trend else "")
        trend.data = page.trend
        trend.set_class(page.stale_trend, "-stale")
        self.set_class(page.spec.is_alert, "-alert-page")
        self.call_after_refresh(self.same_size_figures)

    def on_resize(self) -> None:
        self.call_after_refresh(self.same_size_figures)

    def same_size_figures(self) -> None:
        """Cap every figure of the page at the smallest one's scale, so they match."""
        numbers = list(self.query(BigNumber))
        if numbers:
            cap = min(n.natural_scale() for n in numbers)
            for number in numbers:
                number.max_scale = cap

    def show_notices(self, notices: list[Notice]) -> None:
        """Set the banner lines."""
        self.query_one(Banner).notices = tuple(notices)

    def show_bars(self, *, team: str, title: str, clock: str, as_of: str, pages: str) -> None:
        """Fill the top and bottom bars."""
        top = self.query_one(TopBar)
        top.team, top.title, top.clock = team, title, clock
        bottom = self.query_one(BottomBar)
        bottom.as_of, bottom.pages = as_of, pages

    def flash(self, kpis: set[str], on: bool) -> None:
        """Flash (or stop flashing) the tiles of these KPIs."""
        for widget in self.query(KpiTile):
            if widget.tile is not None and widget.tile.kpi in kpis:
                widget.flash = on
