"""The console's objectives and balanced-scorecard screen (F2): one scope at a time, then every
objective and the agents' satisfaction pulse of each team (aggregate and unattributed
comments, as the hub sends them to managers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from panneau.console.model import StaleRule
from panneau.hub.goals_display import objectives_table, pulse_table, scorecard_table
from panneau.hub.view import ViewState

__all__ = ["ScorecardScreen", "scorecard_scopes"]


def scorecard_scopes(view: ViewState) -> list[str]:
    """The scopes the view holds a scorecard for: site first, then teams by name."""
    scopes = [key.id for key, value in view.keys("scorecard") if isinstance(value, Mapping)]
    return sorted(scopes, key=lambda s: (s != "site", s))


class ScorecardScreen(Screen[None]):
    """The scorecard of one scope (←/→ or Tab change it) and every objective."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f2", "app.pop_screen", "Back"),
        Binding("right,tab", "scope(1)", "Next scope"),
        Binding("left,shift+tab", "scope(-1)", "Previous scope"),
    ]

    DEFAULT_CSS = """
    ScorecardScreen #title { height: 1; background: $panel; text-style: bold; padding: 0 1; }
    ScorecardScreen #body { padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.scope_index = 0
        self.view = ViewState()
        self.stale: StaleRule = lambda kpi, scope: False

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with VerticalScroll():
            yield Static(id="body")

    def show(self, view: ViewState, stale: StaleRule | None = None) -> None:
        """Draw from a manager view; a figure ``stale`` says is doubtful is greyed and reads
        ``◌ stale``, as on the wall."""
        self.view = view
        if stale is not None:
            self.stale = stale
        scopes = scorecard_scopes(view)
        title, parts = "Objectives & scorecard", []
        if scopes:
            self.scope_index %= len(scopes)
            card: Mapping[str, Any] = view.values[f"scorecard:{scopes[self.scope_index]}"]
            title = (f"Scorecard · {scopes[self.scope_index]} · {card.get('period')}  "
                     f"({self.scope_index + 1}/{len(scopes)}, ←/→)")
            parts.append(scorecard_table(card, stale=self.stale))
        else:
            parts.append(Text("No scorecard figures yet.", style="grey50"))
        objectives = [v for _, v in sorted(
            ((int(k.id) if k.id.isdigit() else 0, v) for k, v in view.keys("objective")
             if isinstance(v, Mapping)), key=lambda kv: kv[0])]
        parts += [Text(""), Text("Objectives", style="bold"),
                  objectives_table(objectives, stale=self.stale)]
        pulses = sorted((key, value) for key, value in view.items("pulse:team:")
                        if isinstance(value, Mapping))
        if pulses:
            parts += [Text(""), Text("Agent satisfaction pulse (anonymous)", style="bold"),
                      pulse_table(pulses)]
        self.query_one("#title", Static).update(title)
        self.query_one("#body", Static).update(Group(*parts))

    def action_scope(self, step: int) -> None:
        """Show the next (or previous) scope's scorecard."""
        self.scope_index += step
        self.show(self.view)
