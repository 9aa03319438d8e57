"""Screenshots of a focused input do not depend on when the cursor blinked (tests/conftest.py)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Input

from tests.helpers import wait_for


class OneInput(App):
    def compose(self) -> ComposeResult:
        yield Input(placeholder="a message", id="text")


async def blinked_off(pilot) -> None:
    """Wait until the focused input's cursor is in its hidden half of a blink."""
    field = pilot.app.query_one(Input)
    field.focus()
    await wait_for(pilot, lambda: field.has_focus and not field._cursor_visible)


def test_a_screenshot_taken_while_the_cursor_is_blinked_off_shows_it(snap_compare):
    assert snap_compare(OneInput(), terminal_size=(30, 3), run_before=blinked_off)
