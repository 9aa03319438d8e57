"""The overlay's pulse line: the team's satisfaction question until the agent answers it.

The question comes from :func:`panneau.overlay.goals.pulse_question`. The agent presses 1
to 5; the app sends a ``pulse_answer`` frame and the hub stores the
score without the agent (docs/hub.md, "Satisfaction pulse"). The hub's ``pulse:ask`` says
whether this agent has answered in the current period; nothing else about answers reaches
the overlay.
"""

from __future__ import annotations

from rich.text import Text

from panneau.overlay.widgets import OverlayWidget

__all__ = ["PulseLine"]


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
