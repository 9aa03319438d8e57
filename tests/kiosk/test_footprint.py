"""What a wall holds in memory: the panel's blank containers draw all their equal lines as one
strip, so Textual's compositor keeps one set of pieces of it per set of tile edges."""

from __future__ import annotations

from helpers import wait_for
from kiosk_data import fixed_clock, normal_values, view_of
from textual.geometry import Region

from panneau.kiosk.app import KioskApp
from panneau.kiosk.screens.panel import SharedLines, TileGrid


async def test_the_screen_and_the_tile_grid_draw_their_blank_lines_as_one_strip():
    app = KioskApp(view=view_of(normal_values()), clock=fixed_clock)
    async with app.run_test(size=(160, 45)) as pilot:
        grid = app.panel.query_one("#tiles", TileGrid)
        await wait_for(pilot, lambda: len(app.panel.tiles()) == 5 and grid.region.height > 10)
        await pilot.pause()
        for widget in (app.panel, grid):
            region = Region(0, 0, *widget.region.size)
            lines = widget.render_lines(region)
            assert len(lines) == widget.region.height
            assert len({id(line) for line in lines}) == 1, widget
            # the same lines as Textual draws them, one strip each
            drawn = super(SharedLines, widget).render_lines(region)
            assert lines == drawn
            assert len({id(line) for line in drawn}) > 1
        # the compositor cut the shared line at the tiles' edges once, not once a line
        pieces = grid.render_lines(Region(0, 0, *grid.region.size))[0]._divide_cache
        assert 0 < len(pieces) <= 2
