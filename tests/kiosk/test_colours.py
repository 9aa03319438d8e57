"""16-colour rendering: on the Linux console every cell must use the console's own colours."""

from __future__ import annotations

import pytest
from kiosk_data import T0, alert_values, base_values, fixed_clock, normal_values, view_of
from rich.color import ColorType

from panneau.hub.freshness import Link
from panneau.kiosk.app import KioskApp, pick_colors


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
