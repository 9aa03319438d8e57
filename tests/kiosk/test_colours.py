"""16-colour rendering: on the Linux console every cell must use the console's own colours."""

from __future__ import annotations

import pytest
from helpers import contrast
from kiosk_data import T0, alert_values, base_values, fixed_clock, normal_values, view_of
from rich.color import ColorType

from panneau.hub.freshness import Link
from panneau.kiosk.app import KioskApp, pick_colors
from panneau.kiosk.widgets.tile import KpiTile


def colour_types(app: KioskApp) -> set[ColorType]:
    """Every colour type used on screen (foreground and background)."""
    found = set()
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            style = segment.style
            if style is None:
                continue
            for colour in (style.color, style.bgcolor):
                if colour is not None:
                    found.add(colour.type)
    return found


@pytest.mark.parametrize("values,fresh", [
    (alert_values(), None),
    (normal_values(), Link(False, lost_at=T0 - 60)),
    (base_values(schedule={"on": "08:00", "off": "09:00"}), None),
], ids=["alert", "stale", "off-hours"])
async def test_sixteen_colour_mode_uses_only_ansi_colours(values, fresh):
    app = KioskApp(view=view_of(values), link=fresh, clock=fixed_clock, colors="16")
    async with app.run_test(size=(100, 30)) as pilot:
        app.stop_flash()
        await pilot.pause()
        assert colour_types(app) <= {ColorType.DEFAULT, ColorType.STANDARD}


async def test_full_colour_mode_is_not_limited():
    """The check above can fail: the full-colour theme uses RGB colours."""
    app = KioskApp(view=view_of(alert_values()), clock=fixed_clock)
    async with app.run_test(size=(100, 30)):
        assert ColorType.TRUECOLOR in colour_types(app)


def test_linux_console_picks_sixteen_colours():
    assert pick_colors("auto", term="linux") == "16"
    assert pick_colors("auto", term="xterm-256color") == "full"
    assert pick_colors("full", term="linux") == "full"


@pytest.mark.parametrize("colors", ["full", "16"])
async def test_the_comparisons_under_a_figure_are_as_bright_as_a_plain_figure(colors):
    """``↓-2 yesterday`` must read at a distance: in the colour of a figure without threshold
    (the screen's foreground, as on the browser wall), at least 7:1 on the background."""
    app = KioskApp(view=view_of(normal_values()), clock=fixed_clock, colors=colors)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        tiles = list(app.screen.query(KpiTile))
        compared = next(t for t in tiles if t.refs and not t.tile.stale)
        plain = next(t for t in tiles if t.tile.state == "none")
        refs = compared.get_component_rich_style("kpi-tile--refs")
        figure = plain.get_component_rich_style("kpi-tile--value")
        assert refs.color == figure.color
        ratio = contrast(refs.color.get_truecolor(), refs.bgcolor.get_truecolor())
        assert ratio >= 7, f"{compared.refs!r} at {ratio:.1f}:1"
