"""The overlay's pulse line: the team's satisfaction question until the agent answers it.

The question comes from :func:`panneau.overlay.goals.pulse_question`. The agent presses 1
to 5, may add a comment (:class:`PulseComment`: Enter sends, Escape takes the answer back);
the app sends a ``pulse_answer`` frame and the hub stores the score and comment without the
agent (docs/hub.md, "Satisfaction pulse"). The hub's ``pulse:ask`` says whether this agent has
answered in the current period; nothing else about answers reaches the overlay.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from panneau.overlay.widgets import OverlayWidget

__all__ = ["MAX_COMMENT_CHARS", "PulseComment", "PulseLine"]

#: The hub refuses longer comments (panneau.hub.server.pulse).
MAX_COMMENT_CHARS = 500


class PulseLine(OverlayWidget):
    """``Pulse 1-5 How was your week?  (anonymous)``: hidden when there is nothing to ask."""

    DEFAULT_CSS = """
    PulseLine { display: none; }
    PulseLine.-shown { display: block; }
    """

    def watch_model(self) -> None:
        self.set_class(bool(self.model.pulse_question), "-shown")

    def render(self) -> Text:
        line = Text("Pulse 1-5 ", style=self.paint("strong"))
        line.append(self.model.pulse_question)
        line.append("  (anonymous)", style=self.paint("dim"))
        line.no_wrap, line.overflow = True, "ellipsis"
        return line


class PulseComment(ModalScreen[str | None]):
    """After a score: an optional comment. Enter sends (the comment, maybe empty), Escape takes
    the answer back (nothing is sent, the question stays). Closes with the comment, or
    ``None`` when taken back."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "take_back", "Take back")]

    DEFAULT_CSS = """
    PulseComment { align: center middle; }
    PulseComment > Vertical {
        width: 100%; max-width: 72; height: auto; border: round $primary;
        background: $surface; padding: 0 1;
    }
    PulseComment Static { height: auto; }
    PulseComment #pulse-note { color: $text-muted; }
    """

    def __init__(self, score: int, question: str) -> None:
        super().__init__()
        self.score, self.question = score, question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text.assemble((f"Pulse {self.score}/5 ", "bold"), self.question),
                         id="pulse-title")
            yield Input(placeholder="a comment? (optional)", max_length=MAX_COMMENT_CHARS,
                        id="pulse-comment", compact=True)
            yield Static("Anonymous: your name is never stored. Managers read comments "
                         "unsigned, once enough of your team have answered. Enter sends, "
                         "Esc takes it back.", id="pulse-note")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def send(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_take_back(self) -> None:
        self.dismiss(None)
