"""``panneau console``: the manager's screen, fed by the hub (see :mod:`panneau.overlay.hubapp`)."""

from __future__ import annotations

from typing import Any

from textual import work

from panneau.console.model import build_console, parse_send
from panneau.console.screen import ConsoleScreen
from panneau.overlay.hubapp import HubApp
from panneau.overlay.model import freshness

__all__ = ["ConsoleApp"]


class ConsoleApp(HubApp):
    """Every figure and agent; send messages and see who has read them."""

    CSS_PATH = "console.tcss"
    TITLE = "Panneau console"
    stale_after_s = 30.0

    def get_default_screen(self) -> ConsoleScreen:
        return ConsoleScreen()

    def refresh_model(self) -> None:
        """Recompute the rows and the status line."""
        screen = self.screen
        if not isinstance(screen, ConsoleScreen):
            return
        now = self.clock()
        screen.model = build_console(self.view, now)
        fresh = freshness(self.view, self.link(), now, self.stale_after_s)
        who = self.view.meta.get("identity") or "manager"
        mark = "● live" if fresh.level == "live" else f"⚠ {fresh.text}"
        screen.status = f"Panneau console · {who} · {mark}"

    def send_line(self, line: str) -> bool:
        """Send what the manager typed; ``False`` (and a notice) when it is not a message."""
        try:
            frame = parse_send(line)
        except ValueError as exc:
            self.notify(str(exc), severity="warning")
            return False
        self.send_message(frame)
        return True

    @work(group="send")
    async def send_message(self, frame: dict[str, Any]) -> None:
        """Send a ``send_message`` frame; the hub answers ``ok`` or ``error``."""
        if not await self.send_frame(frame):
            self.notify("not connected to the hub: message not sent", severity="error")

    def on_hub_frame(self, kind: str, frame: dict[str, Any]) -> None:
        if kind == "error":
            self.notify(f"hub refused: {frame.get('reason')}", severity="error")
        elif kind == "ok":
            self.notify(f"sent ({frame.get('id')})", timeout=3)
