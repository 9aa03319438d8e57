"""The overlay's objective line (the text comes from :mod:`panneau.overlay.goals`)."""

from __future__ import annotations

from rich.text import Text

from panneau.overlay.widgets import OverlayWidget

__all__ = ["ObjectiveLine"]

_PAINT = {"achieved": "ok", "on track": "ok", "at risk": "warn", "no data": "dim"}


class ObjectiveLine(OverlayWidget):
    """One line under the team's figures; hidden when the agent's view holds no objective."""

    DEFAULT_CSS = """
    ObjectiveLine { display: none; }
    ObjectiveLine.-shown { display: block; }
    """

    def watch_model(self) -> None:
        self.set_class(bool(self.model.objective), "-shown")

    def render(self) -> Text:
        model = self.model
        line = Text(model.objective, style=self.paint(_PAINT.get(model.objective_status)))
        line.no_wrap, line.overflow = True, "ellipsis"
        return line
