"""The block font: scale to the region, half blocks or full blocks, fall back to text."""

from __future__ import annotations

from panneau.kiosk.widgets.bignum import render_big


def test_half_blocks_at_scale_one():
    assert render_big("1", 11, 3) == ["▄█ ", " █ ", "▀▀▀"]


def test_grows_with_the_region_and_keeps_square_pixels():
    small, large = render_big("42", 22, 6), render_big("42", 44, 12)
    assert (len(small[0]), len(small)) == (14, 5)  # scale 2: 7 px wide, 10 px = 5 rows
    assert (len(large[0]), len(large)) == (28, 10)  # scale 4


def test_full_blocks_use_two_cells_per_pixel_and_only_full_blocks():
    lines = render_big("7", 22, 5, half_blocks=False)
    assert len(lines) == 5 and len(lines[0]) == 6
    assert set("".join(lines)) <= {"█", " "}


def test_cap_and_fallback():
    assert len(render_big("8", 100, 100, max_scale=1)) == 3
    assert render_big("12:05", 4, 2) == ["12:0"]  # too small for the font: plain text
    assert render_big("1", 10, 0) == []
