"""``panneau console``: the manager's screen, fed by the hub (see :mod:`panneau.hub.screenapp`)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType

from panneau.console.figure_form import FORM_REF, FigureForm, teams_of
from panneau.console.model import agent_day, build_console, stale_rule
from panneau.console.scorecard import ScorecardScreen
from panneau.console.screen import AgentDayScreen, ConsoleScreen
from panneau.hub.chart_asks import charts_due
from panneau.hub.charts import CHART_DAY_REF, build_charts, chart_refs, history_frames, zone_of
from panneau.hub.freshness import freshness
from panneau.hub.screenapp import HubApp, HubLike

__all__ = ["ConsoleApp"]


class ConsoleApp(HubApp):
    """Every figure and agent; send messages and see who has read them."""

    CSS_PATH = "console.tcss"
    ROLES = ("manager",)
    TITLE = "Panneau console"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "scorecard", "Objectives & scorecard"),
        Binding("f6", "enter_figure", "Enter a figure")]
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (120, "-wide")]

    def __init__(self, client: HubLike | None = None, *, stale_after_s: float = 30.0,
                 tick_s: float = 1.0, charts_every_s: float = 60.0, **options: Any) -> None:
        """``options``: ``view``, ``link``, ``clock`` of :class:`HubApp`; the Charts tab asks
        for its series when shown, then when they can have changed, at most once per
        ``charts_every_s`` of the wall clock while it is."""
        super().__init__(client, tick_s=tick_s, **options)
        self.stale_after_s = stale_after_s
        self.charts_every_s = charts_every_s
        #: The ``series`` answers of the chart requests, by ref (tests may set them).
        self.chart_answers: dict[str, dict[str, Any]] = {}
        self._charts_asked: tuple[str, float] | None = None  # (scope, when: the wall's)
        self._answers_scope: str | None = None  # whose series chart_answers hold
        self._charts_due = False  # the tab was just shown: ask at the next refresh

    def action_scorecard(self) -> None:
        """Show the objectives and the balanced scorecard (F2 or Escape goes back)."""
        if not isinstance(self.screen, ScorecardScreen):
            self.push_screen(ScorecardScreen())
            self.call_after_refresh(self.refresh_model)

    def action_enter_figure(self) -> None:
        """Open the form for a figure no source holds (F6; Escape closes it)."""
        if not isinstance(self.screen, FigureForm):
            self.push_screen(FigureForm(teams_of(self.view)), self._figure_entered)

    def _figure_entered(self, entered: str | None) -> None:
        if entered is not None:
            self.notify(f"entered: {entered}", timeout=8)

    @on(FigureForm.Submitted)
    async def send_figure(self, message: FigureForm.Submitted) -> None:
        """Send the form's entry; the hub's ``ok`` or ``error`` goes back to the form."""
        if not await self.send_frame(message.frame) and isinstance(self.screen, FigureForm):
            self.screen.answered("error", {"reason": "not connected to the hub, nothing "
                                                     "entered: try again"})

    def get_default_screen(self) -> ConsoleScreen:
        return ConsoleScreen()

    def refresh_model(self) -> None:
        """Recompute the rows and the status line (nothing once the app shuts down: a late
        frame's handler may still call this after the screens are gone)."""
        if not self.is_running:
            return
        screen = self.screen
        stale = stale_rule(self.view, self.link)
        if isinstance(screen, ScorecardScreen):
            screen.show(self.view, stale)
        if isinstance(screen, AgentDayScreen):
            screen.show(agent_day(self.view, screen.agent))
        if not isinstance(screen, ConsoleScreen):
            return
        now = self.clock()
        screen.model = build_console(self.view, now, screen.family, screen.team, stale)
        if screen.charts_shown:
            self._charts(screen, now)
        fresh = freshness(self.view, self.link, now, self.stale_after_s)
        who = self.view.meta.get("identity") or "manager"
        mark = "● live" if fresh.level == "live" else f"⚠ {fresh.text}"
        screen.status = f"Panneau console · {who} · {mark}"

    def _charts(self, screen: ConsoleScreen, now: float) -> None:
        """Draw the charts; ask for their series when the tab was just shown, the scope
        changed or they can have changed, at most once per ``charts_every_s`` of the wall
        clock (:func:`charts_due`; a tick before the tab's ChartsShown is handled asks
        nothing: the shown tab would ask a second time)."""
        scope = screen.chart_scope
        if self._answers_scope not in (None, scope):  # never another scope's series
            self.chart_answers = {}
        self._answers_scope = scope
        asked, wall = self._charts_asked, self.wall()
        zone = zone_of(self.view.meta.get("timezone"))
        if self._charts_due or (asked is not None and (asked[0] != scope or charts_due(
                self.view, scope, self.chart_answers, now, zone, asked_at=asked[1], wall=wall,
                every_s=self.charts_every_s))):
            self._charts_asked, self._charts_due = (scope, wall), False
            for frame in history_frames(scope, now, zone):
                self.send_frame_or_say(frame)
        screen.charts = build_charts(self.view, scope, self.chart_answers, agents=True,
                                     team=screen.team)

    @on(ConsoleScreen.ChartsShown)
    def charts_shown(self) -> None:
        self._charts_due = True
        self.call_after_refresh(self.refresh_model)

    @on(ConsoleScreen.Send)
    def send_message(self, message: ConsoleScreen.Send) -> None:
        """The manager sent a message or a comment: pass its frame to the hub."""
        self.send_frame_or_say(message.frame)

    @on(ConsoleScreen.Changed)
    def rebuild(self) -> None:
        self.refresh_model()

    @on(ConsoleScreen.OpenAgent)
    def open_agent(self, message: ConsoleScreen.OpenAgent) -> None:
        """Show one agent's day (Escape goes back)."""
        self.push_screen(AgentDayScreen(message.agent))
        self.call_after_refresh(self.refresh_model)

    @work(group="send")
    async def send_frame_or_say(self, frame: dict[str, Any]) -> None:
        """Send a frame; the hub answers ``ok``, ``series`` or ``error``. Chart requests
        are not told about: the charts say there is no history yet."""
        if not await self.send_frame(frame) and frame["type"] != "history":
            what = "comment" if frame["type"] == "annotate" else "message"
            self.notify(f"not connected to the hub: {what} not sent", severity="error")

    def on_hub_app_frame_received(self, message: HubApp.FrameReceived) -> None:
        ref = message.frame.get("ref")
        if ref == FORM_REF and isinstance(self.screen, FigureForm):
            self.screen.answered(message.kind, message.frame)
        elif message.kind == "series" and ref in chart_refs():
            scope = f"{self._answers_scope}/"
            if all(key.startswith(scope) for key in message.frame.get("series") or {}):
                self.chart_answers[ref] = message.frame  # not a late answer for another scope
                self.refresh_model()
        elif message.kind == "error" and ref in chart_refs():
            if ref == CHART_DAY_REF:
                self.notify(f"charts: {message.frame.get('reason')}", severity="warning")
        elif message.kind == "error":
            self.notify(f"hub refused: {message.frame.get('reason')}", severity="error")
        elif message.kind == "ok" and message.frame.get("removed") is False:
            self.notify(f"no annotation {message.frame.get('id')}", severity="warning")
        elif message.kind == "ok":
            self.notify(f"sent ({message.frame.get('id')})", timeout=3)
