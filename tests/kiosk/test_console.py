"""The Linux console: in 16-colour mode every character drawn must exist in its fonts.

Terminus console fonts (console-setup) carry ASCII, Latin-1, the box-drawing block and only
``█ ░ ▒`` of the block elements (no ``▀ ▄``, no sparkline eighths, no ✓ ✖ ○).
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import pytest
from chart_data import answers
from kiosk_data import (
    T0,
    alert_values,
    base_values,
    fixed_clock,
    normal_values,
    trends_values,
    view_of,
)

from panneau.hub.freshness import Link
from panneau.kiosk.app import KioskApp

CONSOLE_SAFE = (
    {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xA0, 0x100)}
    | {chr(c) for c in range(0x2500, 0x2580)} | set("█░▒—…↑↓")
)
FONT = Path("/usr/share/consolefonts/Uni3-TerminusBold32x16.psf.gz")

CASES = {
    "alert": (alert_values(), None, False),
    "stale-trend": (normal_values(), Link(False, lost_at=T0 - 60), True),
    "no-data": (base_values(), None, False),
    "off-hours": (base_values(schedule={"on": "08:00", "off": "09:00"}), None, False),
    "trends": (trends_values(), None, False),
}


async def drawn_characters(values, fresh, second_page: bool, colors: str) -> set[str]:
    app = KioskApp(view=view_of(values), link=fresh, clock=fixed_clock, colors=colors)
    app.chart_answers = answers(now=T0)  # the Trends page's series
    async with app.run_test(size=(100, 30)) as pilot:
        app.stop_flash()
        if second_page:
            app.next_page()
        await pilot.pause()
        return {ch for strip in app.screen._compositor.render_strips() for seg in strip
                for ch in seg.text}


@pytest.mark.parametrize("case", CASES)
async def test_sixteen_colour_mode_draws_only_console_font_characters(case):
    drawn = await drawn_characters(*CASES[case], colors="16")
    assert drawn - CONSOLE_SAFE == set()


async def test_full_mode_uses_characters_consoles_lack():
    """The check above can fail: the full mode draws ▀ ▄, sparkline bars and ✓."""
    drawn = await drawn_characters(*CASES["stale-trend"], colors="full")
    assert drawn - CONSOLE_SAFE


def font_characters(path: Path) -> set[str]:
    """The characters a PSF2 console font maps (its Unicode table)."""
    data = gzip.decompress(path.read_bytes())
    assert data[:4] == b"\x72\xb5\x4a\x86", "not a PSF2 font"
    header_size, _flags, count, glyph_size = struct.unpack("<4I", data[8:24])
    table = data[header_size + count * glyph_size:]
    return {ch for entry in table.split(b"\xff")
            for ch in entry.split(b"\xfe")[0].decode("utf-8", "replace")}


@pytest.mark.skipif(not FONT.exists(), reason=f"{FONT} not installed (console-setup)")
async def test_the_documented_console_font_has_every_character_drawn():
    drawn = set()
    for case in CASES.values():
        drawn |= await drawn_characters(*case, colors="16")
    font = font_characters(FONT)
    assert drawn - font == set()
    assert not set("▀▄✓✖○") & font  # why the 16-colour mode avoids them
