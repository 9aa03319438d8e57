"""Off hours: a dim clock instead of figures, so the TV does not burn in."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from panneau.kiosk.schedule import night_shift
from panneau.kiosk.widgets import BigNumber

__all__ = ["ClockScreen"]


class ClockScreen(Screen):
    """A big, dim HH:MM, the date and why (the opening hours); the block moves each minute."""

    def compose(self) -> ComposeResult:
        with Vertical(id="clock-box"):
            yield BigNumber(id="clock-time", half_blocks=self.half_blocks)
            yield Static(id="clock-date", markup=False)
            yield Static(id="clock-note", markup=False)

    def __init__(self, half_blocks: bool = True) -> None:
        super().__init__()
        self.half_blocks = half_blocks
        self._shown = ("", "", 0, "")

    def on_mount(self) -> None:
        self.show_time(*self._shown)

    def show_time(self, time_text: str, date_text: str, minute: int, note: str = "") -> None:
        """Set the time and the note under it; the offset (0-3 cells) shifts with the minute
        against burn-in."""
        self._shown = (time_text, date_text, minute, note)
        if not self.children:
            return  # drawn on mount
        self.query_one("#clock-time", BigNumber).value = time_text
        self.query_one("#clock-date", Static).update(date_text)
        self.query_one("#clock-note", Static).update(note)
        self.query_one("#clock-box").styles.offset = night_shift(minute)
