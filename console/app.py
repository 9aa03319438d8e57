"""``panneau console``: the manager's screen, fed by the hub (see :mod:`panneau.hub.screenapp`)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType

from panneau.console.model import agent_day, build_console
from panneau.console.scorecard import ScorecardScreen
from panneau.console.screen import AgentDayScreen, ConsoleScreen
from panneau.hub.freshness import freshness
from panneau.hub.screenapp import HubApp, HubLike

__all__ = ["ConsoleApp"]


class ConsoleApp(HubApp):
    """Every figure and agent; send messages and see who has read them."""

    CSS_PATH = "console.tcss"
    TITLE = "Panneau console"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "scorecard", "Objectives & scorecard")]

    def __init__(self, client: HubLike | None = None, *, stale_after_s: float = 30.0,
                 tick_s: float = 1.0, **options: Any) -> None:
        """``options``: ``view``, ``link``, ``clock`` of :class:`HubApp`."""
        super().__init__(client, tick_s=tick_s, **options)
        self.stale_after_s = stale_after_s

    def action_scorecard(self) -> None:
        """Show the objectives and the balanced scorecard (F2 or Escape goes back)."""
        if not isinstance(self.screen, ScorecardScreen):
            self.push_screen(ScorecardScreen())
            self.call_after_refresh(self.refresh_model)

    def get_default_screen(self) -> ConsoleScreen:
        return ConsoleScreen()

    def refresh_model(self) -> None:
        """Recompute the rows and the status line."""
        screen = self.screen
        if isinstance(screen, ScorecardScreen):
            screen.show(self.view)
        if isinstance(screen, AgentDayScreen):
            screen.show(agent_day(self.view, screen.agent))
        if not isinstance(screen, ConsoleScreen):
            return
        now = self.clock()
        screen.model = build_console(self.view, now, screen.family, screen.team)
        fresh = freshness(self.view, self.link, now, self.stale_after_s)
        who = self.view.meta.get("identity") or "manager"
        mark = "● live" if fresh.level == "live" else f"⚠ {fresh.text}"
        screen.status = f"Panneau console · {who} · {mark}"

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
        """Send a ``send_message`` or ``annotate`` frame; the hub answers ``ok`` or ``error``."""
        if not await self.send_frame(frame):
            what = "comment" if frame["type"] == "annotate" else "message"
            self.notify(f"not connected to the hub: {what} not sent", severity="error")

    def on_hub_app_frame_received(self, message: HubApp.FrameReceived) -> None:
        if message.kind == "error":
            self.notify(f"hub refused: {message.frame.get('reason')}", severity="error")
        elif message.kind == "ok":
            self.notify(f"sent ({message.frame.get('id')})", timeout=3)
