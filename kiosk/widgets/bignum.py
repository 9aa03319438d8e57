"""Big numbers that grow with their box: a 3×5 block font.

Textual's ``Digits`` is always three rows tall. This font scales by whole pixels to the
largest size the widget's region allows, so a figure fills its tile on a TV and still fits at
80×24. Pixels are square: with half blocks (``▀ ▄ █``) one cell is one pixel wide and two
pixels tall; without them (Linux console fonts have ``█`` but not ``▀ ▄``) a pixel is two
full-block cells wide and one tall.
"""

from __future__ import annotations

from typing import Protocol

from rich.segment import Segment
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

__all__ = ["BigNumber", "Figure", "ScaleGroup", "ScaleMember", "render_big"]

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


class Figure:
    """A value in the block font in a box of cells: centred rows, built once per value, box
    and scale cap. Drawn by :class:`BigNumber` and by a KPI tile (which draws its figure
    itself, with its label, rather than holding a ``BigNumber``)."""

    def __init__(self, value: str = "", *, half_blocks: bool = True) -> None:
        self.value = value
        self.half_blocks = half_blocks
        self._lines: list[str] = []
        #: What the rows were last built for: (value, width, height, cap).
        self.key: tuple | None = None

    def natural_scale(self, width: int, height: int) -> int:
        """The scale the value would get alone in a box of ``width``×``height`` cells."""
        return _scale_for(self.value, width, height, self.half_blocks)

    def lines(self, width: int, height: int, cap: int | None) -> list[str]:
        """``height`` rows of ``width`` cells: the figure centred, at most at scale ``cap``."""
        key = (self.value, width, height, cap)
        if key != self.key:
            self.key = key
            lines = render_big(self.value, width, height, self.half_blocks, cap)[:height]
            top = max(0, (height - len(lines)) // 2)
            rows = [" " * width] * top + [line.center(width)[:width] for line in lines]
            self._lines = rows + [" " * width] * (height - len(rows))
        return self._lines


class ScaleMember(Protocol):
    """What a :class:`ScaleGroup` needs of a figure it sizes."""

    group: ScaleGroup | None

    def natural_scale(self) -> int: ...

    def has_figure_box(self) -> bool: ...

    def refresh(self) -> object: ...


class ScaleGroup:
    """Big numbers drawn at one size: the smallest scale any of them would get alone.

    Worked out when a member draws, from every member's value and size as the layout just set
    them, so the first frame a figure appears in already has its final size (a cap set after
    the next refresh drew the figures of a new page as one-line text for a frame or more).
    """

    def __init__(self) -> None:
        self.members: list[ScaleMember] = []
        self._cap: int | None = None
        self._stale = True

    def set_members(self, members: list[ScaleMember]) -> None:
        for member in self.members:
            if member not in members:
                member.group = None
                member.refresh()
        self.members = members
        self._stale = True
        for member in members:
            member.group = self
            member.refresh()

    def cap(self) -> int | None:
        """The shared scale, ``None`` before any member has a size."""
        if self._stale:
            self._stale = False
            self._cap = min((m.natural_scale() for m in self.members if m.has_figure_box()),
                            default=None)
        return self._cap

    def resized(self) -> None:
        """A member got a new size (called during layout, before anything is drawn)."""
        self._stale = True

    def value_changed(self) -> None:
        """A member's value changed: if that moves the cap, every member draws again (the
        changed member repaints itself anyway)."""
        before, self._stale = self._cap, True
        if self.cap() != before:
            for member in self.members:
                member.refresh()


class ScaledWidget(Widget):
    """A widget whose big figure shares its group's scale and whose drawn rows are kept
    until its figure or its colours change (:class:`BigNumber`, the KPI tile)."""

    group: ScaleGroup | None
    _drawn_for: tuple | None

    def _size_updated(self, size, virtual_size, container_size, layout: bool = True) -> bool:
        # Textual sets a widget's size here, during layout and before drawing; the group's
        # cap must follow in the same frame (on_resize would only come after it is drawn).
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        if changed and self.group is not None:
            self.group.resized()
        return changed

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn_for = None  # colours changed: the rows are built again


class BigNumber(ScaledWidget):
    """A value in the block font, centred and as large as the region allows (capped by its
    :class:`ScaleGroup`, if any). Its rows are built once per value, size, cap and style."""

    DEFAULT_CSS = """
    BigNumber { width: 1fr; height: 1fr; min-height: 3; }
    """

    value: reactive[str] = reactive("")

    def __init__(self, value: str = "", *, half_blocks: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.half_blocks = half_blocks
        self.group: ScaleGroup | None = None
        self.figure = Figure(value, half_blocks=half_blocks)
        self.set_reactive(BigNumber.value, value)
        self._strips: list[Strip] = []
        self._drawn_for: tuple | None = None

    def watch_value(self, value: str) -> None:
        self.figure.value = value
        if self.group is not None:
            self.group.value_changed()

    def natural_scale(self) -> int:
        """The scale the value would get alone in this region."""
        return self.figure.natural_scale(*self.content_size)

    def has_figure_box(self) -> bool:
        return bool(self.display and self.content_size.area)

    def lines(self) -> list[str]:
        """The text rows as drawn now: the figure centred in the region, at the shared scale."""
        cap = self.group.cap() if self.group is not None else None
        return self.figure.lines(*self.content_size, cap)

    def render_line(self, y: int) -> Strip:
        """One row of the centred big text, in the widget's colour."""
        lines = self.lines()
        if self._drawn_for != self.figure.key:
            self._drawn_for = self.figure.key
            width = self.content_size.width
            style = self.rich_style
            self._strips = [Strip([Segment(row, style)], width) for row in lines]
        return self._strips[y] if y < len(self._strips) else Strip.blank(
            self.content_size.width, self.rich_style)
