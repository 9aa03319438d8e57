"""The kiosk's Objectives and Scorecard pages: one board drawn from the hub's goal entries."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from panneau.hub.display import SYMBOLS, Symbols
from panneau.hub.goals_display import (
    objectives_table,
    pulse_line,
    scorecard_period,
    scorecard_table,
)

__all__ = ["GoalsBoard"]


class GoalsBoard(Widget):
    """Objectives (``kind = "objectives"``) or the team's scorecard (``"scorecard"``)."""

    DEFAULT_CSS = """
    GoalsBoard { height: 1fr; padding: 1 2; display: none; }
    GoalsBoard.-shown { display: block; }
    """

    kind: reactive[str] = reactive("objectives")
    goals: reactive[tuple[Any, ...]] = reactive((), always_update=True)
    #: The doubtful figures (:attr:`panneau.kiosk.model.PageView.stale_goals`): greyed,
    #: ``◌ stale``.
    stale: reactive[frozenset[tuple[str | None, str]]] = reactive(frozenset())

    def __init__(self, symbols: Symbols = SYMBOLS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.symbols = symbols

    def _stale(self, kpi: str, scope: str | None) -> bool:
        return (scope, kpi) in self.stale

    def render(self) -> RenderableType:
        if self.kind == "scorecard":
            if not self.goals:
                return Text("No scorecard figures yet.", style="grey50")
            heading = Text(scorecard_period(self.goals[0]), style="bold")
            card = scorecard_table(self.goals[0], self.symbols, stale=self._stale)
            if len(self.goals) > 1:  # the team's satisfaction pulse
                return Group(heading, card, Text(""), pulse_line(self.goals[1]))
            return Group(heading, card)
        return objectives_table(self.goals, self.symbols,
                                bar_width=20 if self.size.width >= 120 else 10, stale=self._stale)
