"""The banner: freshness warnings, alerts, manager messages and insights, one line each."""

from __future__ import annotations

from collections import Counter

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static

from panneau.kiosk.model import Notice

__all__ = ["Banner"]

_WORDS = {"stale": "STALE", "alert": "ALERT", "warn": "WARN", "message": "MESSAGE",
          "insight": "NOTE"}


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
            yield Static(f"{_WORDS.get(notice.kind, notice.kind.upper())}  {notice.text}",
                         classes=f"notice -{notice.kind}", markup=False)
        hidden = self.notices[len(shown):]
        if hidden:  # say what is left out: a manager's message must not go unnoticed
            counts = Counter(_WORDS.get(n.kind, n.kind.upper()) for n in hidden)
            kinds = ", ".join(word if n == 1 else f"{n} {word}" for word, n in counts.items())
            yield Static(f"+{len(hidden)} more: {kinds}", classes="notice -more", markup=False)

    def watch_notices(self, notices: tuple[Notice, ...]) -> None:
        self.display = bool(notices)
