"""The overlay's only screen: its widgets, its keys, and the one-line mode."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen

from panneau.overlay.model import OverlayModel
from panneau.overlay.objective import ObjectiveLine
from panneau.overlay.pulse import PulseComment, PulseLine
from panneau.overlay.widgets import (
    AlertBar,
    FiguresPanel,
    MessageBar,
    OneLine,
    QueueBar,
    StateBar,
    TeamLine,
)

__all__ = ["OverlayScreen"]


class OverlayScreen(Screen[None]):
    """The agent's figures, the team queue, alerts and messages; ``o`` folds it to one line."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "acknowledge", "Acknowledge"),
        Binding("o", "toggle_one_line", "One line"),
        Binding("q", "app.quit", "Quit"),
        *(Binding(str(n), f"pulse({n})", show=False) for n in range(1, 6)),
    ]

    class PulseAnswer(Message):
        """The agent answered the satisfaction pulse with ``score`` and maybe a ``comment``
        (the app tells the hub)."""

        def __init__(self, score: int, comment: str | None = None) -> None:
            super().__init__()
            self.score = score
            self.comment = comment

    class Acknowledge(Message):
        """The agent acknowledged the message ``message_id`` (the app tells the hub)."""

        def __init__(self, message_id: str) -> None:
            super().__init__()
            self.message_id = message_id

    model: reactive[OverlayModel] = reactive(OverlayModel)
    one_line: reactive[bool] = reactive(False)

    def __init__(self, one_line: bool = False) -> None:
        super().__init__()
        self.set_reactive(OverlayScreen.one_line, one_line)

    def compose(self) -> ComposeResult:
        bind = OverlayScreen.model
        with Vertical(id="full"):
            yield QueueBar().data_bind(bind)
            yield StateBar().data_bind(bind)
            yield AlertBar().data_bind(bind)
            yield FiguresPanel().data_bind(bind)
            yield TeamLine().data_bind(bind)
            yield ObjectiveLine().data_bind(bind)
            yield PulseLine().data_bind(bind)
            yield MessageBar().data_bind(bind)
        yield OneLine().data_bind(bind)

    def on_mount(self) -> None:
        self.set_class(self.one_line, "-one-line")

    def watch_one_line(self, one_line: bool) -> None:
        self.set_class(one_line, "-one-line")

    def action_pulse(self, score: int) -> None:
        """Answer the pulse question shown (keys 1-5, then an optional comment); nothing when
        none is asked."""
        if self.model.pulse_question:
            def answered(comment: str | None) -> None:
                if comment is not None:  # None: taken back with Escape
                    self.post_message(self.PulseAnswer(score, comment or None))

            self.app.push_screen(PulseComment(score, self.model.pulse_question), answered)

    def action_toggle_one_line(self) -> None:
        """Switch between the full overlay and the one-line mode."""
        self.one_line = not self.one_line

    def action_acknowledge(self) -> None:
        """Acknowledge the newest message waiting, if any (the app sends it to the hub)."""
        waiting = [m for m in self.model.messages if not m.acked]
        if waiting:
            self.post_message(self.Acknowledge(waiting[0].id))
