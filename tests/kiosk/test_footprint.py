"""What a wall holds in memory: blank containers (the screen, the tile grid, the Trends page's
plot grid) draw their lines as one strip, so Textual's compositor keeps one set of pieces of
it per set of tile edges, and a tile keeps no strip of its own. What is drawn stays the same
(the snapshot tests hold every screen cell for cell)."""

from __future__ import annotations

from chart_data import answers
from helpers import wait_for
from kiosk_data import T0, fixed_clock, normal_values, trends_values, view_of
from textual.app import App, ComposeResult
from textual.containers import Grid
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Static

from panneau.hub.chartview import PlotGrid
from panneau.hub.sharedlines import SharedLines
from panneau.kiosk.app import KioskApp
from panneau.kiosk.model import page_specs
from panneau.kiosk.screens.panel import TileGrid


def drawn_as_one(widget: Widget) -> None:
    """``widget`` draws every line as one strip, the line Textual draws for each of them."""
    region = Region(0, 0, *widget.region.size)
    lines = widget.render_lines(region)
    assert len(lines) == widget.region.height > 1
    assert len({id(line) for line in lines}) == 1, widget
    own = super(SharedLines, widget).render_lines(region)  # as Textual draws it
    assert lines == own
    assert len({id(line) for line in own}) > 1


async def test_the_screen_and_the_tile_grid_draw_their_blank_lines_as_one_strip():
    app = KioskApp(view=view_of(normal_values()), clock=fixed_clock)
    async with app.run_test(size=(160, 45)) as pilot:
        grid = app.panel.query_one("#tiles", TileGrid)
        await wait_for(pilot, lambda: len(app.panel.tiles()) == 5 and grid.region.height > 10)
        await pilot.pause()
        drawn_as_one(app.panel)
        drawn_as_one(grid)
        # the compositor cut the shared line at the tiles' edges once, not once a line
        pieces = grid.render_lines(Region(0, 0, *grid.region.size))[0]._divide_cache
        assert 0 < len(pieces) <= 2
        # a tile keeps its rows as text, not strips (Textual keeps the finished lines)
        tile = app.panel.tiles()[0]
        assert tile.rows() and not [v for v in vars(tile).values()
                                    if isinstance(v, list) and v and hasattr(v[0], "divide")]


async def test_the_trends_page_plot_grid_draws_its_blank_lines_as_one_strip():
    app = KioskApp(view=view_of(trends_values()), clock=fixed_clock)
    app.chart_answers = answers(now=T0)
    async with app.run_test(size=(160, 45)) as pilot:
        plots = app.panel.query_one("#chart-plots", PlotGrid)
        await wait_for(pilot, lambda: plots.region.height > 10)
        await pilot.pause()
        drawn_as_one(plots)


class Bordered(SharedLines, Grid):
    DEFAULT_CSS = "Bordered { border: round red; height: 6; }"


async def test_a_container_with_a_border_is_drawn_line_by_line():
    class Boxed(App[None]):
        def compose(self) -> ComposeResult:
            with Bordered():
                yield Static("x")

    app = Boxed()
    async with app.run_test(size=(20, 8)) as pilot:
        await pilot.pause()
        box = app.query_one(Bordered)
        region = Region(0, 0, *box.region.size)
        lines = box.render_lines(region)
        assert lines == super(SharedLines, box).render_lines(region)
        assert lines[0] != lines[1]  # the top border, then a side
        assert len({id(line) for line in lines}) > 2


def _lookups_kept(app: App) -> int:
    """Entries of Textual's lookup caches (``query_one``) over every node of the app."""
    return sum(len(node._query_one_cache) for node in (app, *app._registry))


async def test_a_wall_rotating_all_day_keeps_no_more_lookups_than_after_one_rotation():
    """Textual caches ``query_one`` under a count of the node's changes; a page change shows
    and hides parts of the screen (a change each), so every lookup at each page added an entry
    that could never be used again, up to 1,024 a node. The wall keeps its parts instead.

    Two rotations after the first (six page changes, the Trends page twice) tell the cases
    apart: about 8 entries a page without the kept parts (some 48), none with them. Drawing
    the Trends page is most of the test's time: 24 changes overran the 300 s timeout on a
    loaded machine."""
    app = KioskApp(view=view_of(trends_values()), clock=fixed_clock)
    app.chart_answers = answers(now=T0)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: app.panel.tiles() or app.page_title == "Trends", 30)

        async def rotate(times: int) -> None:
            for _ in range(times):
                title = app.page_title
                app.next_page()
                await wait_for(pilot, lambda t=title: app.page_title != t, 30)
                await pilot.pause()

        pages = len(page_specs(app.view))
        assert pages == 3  # Trends and two pages of tiles
        await rotate(pages)  # each page once
        after_one = _lookups_kept(app)
        await rotate(2 * pages)
        # not one entry a page change (a lookup made once, late under load, may land after
        # the first count; without the kept parts it was ~8 a page)
        assert _lookups_kept(app) - after_one < 2 * pages
