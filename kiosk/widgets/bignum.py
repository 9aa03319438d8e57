"""Big numbers that grow with their box: a 3×5 block font.

Textual's ``Digits`` is always three rows tall. This font scales by whole pixels to the
largest size the widget's region allows, so a figure fills its tile on a TV and still fits at
80×24. Pixels are square: with half blocks (``▀ ▄ █``) one cell is one pixel wide and two
pixels tall; without them (Linux console fonts have ``█`` but not ``▀ ▄``) a pixel is two
full-block cells wide and one tall.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

__all__ = ["BigNumber", "render_big"]

_FONT_ROWS = 5
#: Each glyph: five rows of pixels, ``#`` on.
_FONT: dict[str, tuple[str, ...]] = {
    "0": ("###", "#.#", "#.#", "#.#", "###"),
    "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"),
    "3": ("###", "..#", ".##", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"),
    "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"),
    "7": ("###", "..#", ".#.", ".#.", ".#."),
    "8": ("###", "#.#", "###", "#.#", "###"),
    "9": ("###", "#.#", "###", "..#", "###"),
    ":": (".", "#", ".", "#", "."),
    ".": (".", ".", ".", ".", "#"),
    "-": ("...", "...", "###", "...", "..."),
    "+": ("...", ".#.", "###", ".#.", "..."),
    "%": ("#.#", "..#", ".#.", "#..", "#.#"),
    "m": (".....", ".....", "####.", "#.#.#", "#.#.#"),
    "h": ("#..", "#..", "###", "#.#", "#.#"),
    " ": ("..", "..", "..", "..", ".."),
}
_HALF = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def _pixels(text: str) -> list[str]:
    """The text's unscaled pixel rows (one blank column between glyphs)."""
    glyphs = [_FONT.get(ch, _FONT[" "]) for ch in text]
    return [".".join(g[row] for g in glyphs) for row in range(_FONT_ROWS)]


#: Scale as if every value were at least this many pixels wide (three digits), so one-digit
#: and three-digit figures on a page come out the same size.
_MIN_PIXEL_WIDTH = 11


def _scale_for(text: str, width: int, height: int, half: bool) -> int:
    if not text:
        return 0
    pixel_width = max(_MIN_PIXEL_WIDTH, len(_pixels(text)[0])) * (1 if half else 2)
    by_width = width // pixel_width
    by_height = (2 * height if half else height) // _FONT_ROWS
    return max(0, min(by_width, by_height))


def render_big(text: str, width: int, height: int, half_blocks: bool = True,
               max_scale: int | None = None) -> list[str]:
    """Lines of ``text`` at the largest scale fitting ``width``×``height`` cells.

    Too small for the font: the plain text (cropped), or nothing without a row.
    """
    scale = _scale_for(text, width, height, half_blocks)
    if max_scale is not None:
        scale = min(scale, max_scale)
    if scale == 0:
        return [text[:width]] if height else []
    across = scale if half_blocks else 2 * scale
    rows = [
        "".join(pixel * across for pixel in row)
        for row in _pixels(text)
        for _ in range(scale)
    ]
    if not half_blocks:
        return [row.replace("#", "█").replace(".", " ") for row in rows]
    if len(rows) % 2:
        rows.append("." * len(rows[0]))
    return [
        "".join(_HALF[top == "#", bottom == "#"] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(rows[::2], rows[1::2], strict=True)
    ]


class BigNumber(Widget):
    """A value in the block font, centred and as large as the region allows."""

    DEFAULT_CSS = """
    BigNumber { width: 1fr; height: 1fr; min-height: 3; }
    """

    value: reactive[str] = reactive("")
    max_scale: reactive[int | None] = reactive(None)
    """Cap set by the screen so that the figures of one page share one size."""

    def __init__(self, value: str = "", *, half_blocks: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.half_blocks = half_blocks
        self.set_reactive(BigNumber.value, value)
        self._lines: list[str] | None = None

    def watch_value(self) -> None:
        self._lines = None

    def watch_max_scale(self) -> None:
        self._lines = None

    def natural_scale(self) -> int:
        """The scale the value would get alone in this region."""
        width, height = self.content_size
        return _scale_for(self.value, width, height, self.half_blocks)

    def on_resize(self) -> None:
        self._lines = None

    def _layout(self) -> list[str]:
        if self._lines is None:
            width, height = self.content_size
            lines = render_big(self.value, width, height, self.half_blocks, self.max_scale)
            top = max(0, (height - len(lines)) // 2)
            self._lines = [" " * width] * top + [line.center(width) for line in lines]
        return self._lines

    def render_line(self, y: int) -> Strip:
        """One row of the centred big text, in the widget's colour."""
        width = self.content_size.width
        lines = self._layout()
        text = lines[y] if y < len(lines) else ""
        return Strip([Segment(text.ljust(width)[:width], self.rich_style)], width)
