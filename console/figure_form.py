"""The console's form for the figures no source holds (F6): training hours, complaints, costs…

The form checks what it can before sending (:func:`panneau.hub.figure_entry.figure_frame`, the
same check as ``panneau input``) and says what is wrong under the fields; a good entry goes to
the hub as an ``enter_figure`` frame and the form waits for its answer: ``ok`` closes it (the
app tells the new entry id), an ``error`` (an unknown team, an entry already corrected…) is
shown in the form with everything typed kept, so nothing is lost.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from panneau.hub.engine.inputs import FIGURES
from panneau.hub.figure_entry import figure_frame
from panneau.hub.view import ViewState

__all__ = ["FORM_REF", "FigureForm", "teams_of"]

#: The ``ref`` of the form's ``enter_figure`` frames: the hub's answer is routed back here.
FORM_REF = "console-figure"
_FIELDS = ("amount", "day", "category", "corrects")


def teams_of(view: ViewState) -> list[str]:
    """The team ids a manager's view knows (from figures, scorecards or pulse), sorted."""
    teams = {k.scope.partition(":")[2] for k, _ in view.keys("kpi")
             if k.scope.startswith("team:")}
    for prefix in ("scorecard:team:", "pulse:team:"):
        teams.update(key for key, _ in view.items(prefix))
    return sorted(teams)


class FigureForm(ModalScreen[str | None]):
    """Figure, amount, team, day, category and the entry it corrects; Enter sends. It closes
    with what was entered, or ``None`` when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    DEFAULT_CSS = """
    FigureForm { align: center middle; }
    FigureForm #form {
        width: 76; max-width: 100%; height: auto; padding: 0 1;
        border: round $primary; background: $surface;
    }
    FigureForm #form-title { text-style: bold; height: 1; }
    FigureForm Grid { grid-size: 2; grid-columns: 11 1fr; grid-rows: 1; height: auto;
                      grid-gutter: 0 1; }
    FigureForm Label { color: $text-muted; }
    FigureForm #problem { height: 2; }
    FigureForm Horizontal { height: 1; align-horizontal: right; }
    FigureForm Button { margin-left: 2; }
    """

    class Submitted(Message):
        """A checked entry to send: ``frame`` is its ``enter_figure`` frame."""

        def __init__(self, frame: dict[str, Any]) -> None:
            super().__init__()
            self.frame = frame

    def __init__(self, teams: list[str]) -> None:
        super().__init__()
        self.teams = teams
        self.sending = False
        self.sent: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        figures = [(f"{name} · {spec.help.replace(' (--category)', '')}", name)
                   for name, spec in FIGURES.items()]
        with Vertical(id="form"):
            yield Static("Enter a figure no source holds (journalled with your name)",
                         id="form-title")
            with Grid():
                yield Label("Figure")
                yield Select(figures, prompt="choose one", id="figure", compact=True)
                yield Label("Amount")
                yield Input(placeholder="0 or more (counts: whole numbers)", id="amount",
                            compact=True)
                yield Label("For")
                yield Select([("the whole site", ""), *((f"team {t}", t) for t in self.teams)],
                             value="", allow_blank=False, id="team", compact=True)
                yield Label("Day")
                yield Input(placeholder="YYYY-MM-DD (empty: today)", id="day", compact=True)
                yield Label("Category")
                yield Input(placeholder="optional (complaints: billing, delay…)",
                            id="category", compact=True)
                yield Label("Corrects")
                yield Input(placeholder="optional: the entry id this one replaces",
                            id="corrects", compact=True)
            yield Static(id="problem")
            with Horizontal():
                yield Button("Enter", id="send", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#figure", Select).focus()

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def say(self, text: str, style: str = "bold red") -> None:
        """Show a problem (or progress) under the fields."""
        self.query_one("#problem", Static).update(Text(text, style=style))

    def frame(self) -> dict[str, Any]:
        """The entry as a frame; ``ValueError`` naming what is wrong."""
        figure = self.query_one("#figure", Select).value
        if not isinstance(figure, str):
            raise ValueError("choose a figure")
        if not self._value("amount").strip():
            raise ValueError("give an amount")
        team = self.query_one("#team", Select).value
        return figure_frame(figure, self._value("amount"),
                            team=team if isinstance(team, str) else None,
                            day=self._value("day"), category=self._value("category"),
                            corrects=self._value("corrects"))

    @on(Button.Pressed, "#send")
    @on(Input.Submitted)
    def submit(self) -> None:
        """Check the fields; send a good entry, say what is wrong with a bad one."""
        if self.sending:
            return
        try:
            frame = self.frame()
        except ValueError as exc:
            self.say(str(exc))
            return
        self.sending, self.sent = True, frame
        self.say("sending…", "italic")
        self.post_message(self.Submitted({**frame, "ref": FORM_REF}))

    def answered(self, kind: str, frame: dict[str, Any]) -> None:
        """The hub's answer: ``ok`` closes the form saying what was entered (with the new
        entry id, for a correction later), else say why it was refused."""
        self.sending = False
        if kind == "ok":
            sent = self.sent
            team = f"team {sent['team']}" if sent.get("team") else "the site"
            self.dismiss(f"{sent['figure']} {sent['amount']} for {team}"
                         f" (entry {frame.get('id')})")
        else:
            self.say(f"the hub refused it: {frame.get('reason')}")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
