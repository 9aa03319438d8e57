"""Blank containers drawn as one line: less for Textual's compositor to keep per frame.

Textual's compositor cuts each line a widget draws at the edges of the widgets over it and
keeps the pieces, with their caches, in the line's :class:`~textual.strip.Strip`; a widget's
styles cache keeps each line it drew, with the strips it made on the way. A screen or a grid
behind a wall's tiles or a board's charts draws nothing but its background, yet held a strip
per line and a set of pieces per line — some 500 strips, about 0.5 MiB of a wall panel.
"""

from __future__ import annotations

from textual.geometry import Region
from textual.strip import Strip

__all__ = ["SharedLines"]


class SharedLines:
    """Mixed into a container class (before it, ``class G(SharedLines, Grid)``): without a
    border or an outline, every line of the container is the same, so it is drawn once (as
    Textual draws it) and that one strip stands for every line; the compositor then keeps one
    set of pieces per set of edges. With a border or an outline, drawn as usual. (Textual's
    own ``BLANK`` does the same but gives the blank cells a foreground colour: not the same
    screen.)"""

    def render_lines(self, crop: Region) -> list[Strip]:
        styles = self.styles  # type: ignore[attr-defined]
        if crop.height < 2 or any(edge[0] not in ("", "none")
                                  for edge in (*styles.border, *styles.outline)):
            return super().render_lines(crop)  # type: ignore[misc]
        line = super().render_lines(Region(crop.x, crop.y, crop.width, 1))  # type: ignore[misc]
        return line * crop.height
