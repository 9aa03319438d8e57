"""The banner: freshness warnings, alerts, manager messages and insights, one line each."""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.reactive import reactive
from textual.widgets import Static

from panneau.kiosk.model import Notice
from panneau.kiosk.widgets.pack import figure_parts, pack_glued

__all__ = ["Banner", "NoticeLine"]

_WORDS = {"stale": "STALE", "alert": "ALERT", "warn": "WARN", "message": "MESSAGE",
          "insight": "NOTE"}


class NoticeLine(Static):
    """One notice, wrapped to its width keeping each part whole: an alert line breaks after a
    figure's comma, never between its name and its window (``Calls waiting ·`` / ``now``),
    and no line breaks between a number and its unit (``15`` / ``min``)."""

    DEFAULT_CSS = "NoticeLine { height: auto; }"

    def __init__(self, parts: tuple[str, ...], **kwargs) -> None:
        super().__init__(markup=False, **kwargs)
        self.parts = parts

    def lines(self, width: int) -> list[str]:
        return pack_glued(self.parts, width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Text:
        return Text("\n".join(self.lines(self.content_size.width)))


class Banner(Vertical):
    """Lines of notices, most urgent first; at most ``max_lines``, the last then saying what
    it leaves out ("+3 more: 2 MESSAGE, NOTE")."""

    notices: reactive[tuple[Notice, ...]] = reactive((), recompose=True)

    def __init__(self, max_lines: int = 3, **kwargs) -> None:
        super().__init__(**kwargs)
        self.max_lines = max_lines

    def compose(self) -> ComposeResult:
        shown = self.notices
        if len(shown) > self.max_lines:
            shown = shown[: self.max_lines - 1]
        for notice in shown:
            word = _WORDS.get(notice.kind, notice.kind.upper())
            parts = figure_parts(notice.text) if notice.kind in ("alert", "warn") else [
                notice.text]
            yield NoticeLine((f"{word}  {parts[0]}", *parts[1:]),
                             classes=f"notice -{notice.kind}")
        hidden = self.notices[len(shown):]
        if hidden:  # say what is left out: a manager's message must not go unnoticed
            counts = Counter(_WORDS.get(n.kind, n.kind.upper()) for n in hidden)
            kinds = ", ".join(word if n == 1 else f"{n} {word}" for word, n in counts.items())
            yield Static(f"+{len(hidden)} more: {kinds}", classes="notice -more", markup=False)

    def watch_notices(self, notices: tuple[Notice, ...]) -> None:
        self.display = bool(notices)
