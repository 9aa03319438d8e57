"""Off hours: a dim clock instead of figures, so the TV does not burn in."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Digits, Static

__all__ = ["ClockScreen"]


class ClockScreen(Screen):
    """A big, dim HH:MM and the date; the block moves a little each minute."""

    def compose(self) -> ComposeResult:
        with Middle(id="clock-box"):
            with Center():
                yield Digits(id="clock-time")
            with Center():
                yield Static(id="clock-date", markup=False)

    def show_time(self, time_text: str, date_text: str, minute: int) -> None:
        """Set the time; the offset (0-3 cells) shifts with the minute against burn-in."""
        self.query_one("#clock-time", Digits).update(time_text)
        self.query_one("#clock-date", Static).update(date_text)
        self.query_one("#clock-box").styles.offset = (minute % 4, minute % 3)
