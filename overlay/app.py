"""The overlay app: an agent's compact screen, fed by the hub (:mod:`panneau.hub.screenapp`)."""

from __future__ import annotations

from typing import Any

from textual import work

from panneau.hub.screenapp import HubApp, HubLike
from panneau.overlay.model import OverlayModel, build_model
from panneau.overlay.screen import OverlayScreen

__all__ = ["OverlayApp"]


class OverlayApp(HubApp):
    """An agent's compact overlay."""

    CSS_PATH = "overlay.tcss"
    ROLES = ("agent",)
    TITLE = "Panneau overlay"

    def __init__(
        self,
        client: HubLike | None = None,
        *,
        stale_after_s: float = 30.0,
        one_line: bool = False,
        tick_s: float = 1.0,
        **options: Any,
    ) -> None:
        """``options``: ``view``, ``link``, ``clock`` of :class:`HubApp`."""
        super().__init__(client, tick_s=tick_s, **options)
        self.stale_after_s = stale_after_s
        self.acked_here: set[str] = set()
        self.pulse_answered = False
        self.overlay = OverlayScreen(one_line=one_line)

    def get_default_screen(self) -> OverlayScreen:
        return self.overlay

    def build(self) -> OverlayModel:
        """The model at the injected clock's now."""
        ask = self.view.values.get("pulse:ask")
        if isinstance(ask, dict) and ask.get("answered"):
            self.pulse_answered = False  # the hub knows now; a new period asks again
        return build_model(self.view, self.clock(), self.link, acked_here=self.acked_here,
                           stale_after_s=self.stale_after_s,
                           pulse_answered=self.pulse_answered)

    def refresh_model(self) -> None:
        """Recompute the model; widgets redraw only when it changed."""
        self.overlay.model = self.build()

    def on_overlay_screen_acknowledge(self, message: OverlayScreen.Acknowledge) -> None:
        """The agent acknowledged a message: mark it read here, then tell the hub."""
        self.acked_here.add(message.message_id)
        self.refresh_model()
        if self.client is not None:
            self.send_ack(message.message_id)

    def on_overlay_screen_pulse_answer(self, message: OverlayScreen.PulseAnswer) -> None:
        """The agent answered the pulse: hide the question, then tell the hub."""
        self.pulse_answered = True
        self.refresh_model()
        self.send_pulse(message.score, message.comment)

    @work(group="pulse")
    async def send_pulse(self, score: int, comment: str | None = None) -> None:
        """Send ``pulse_answer{score, comment?}``; if it cannot go, the question comes back."""
        frame: dict[str, Any] = {"type": "pulse_answer", "score": score}
        if comment:
            frame["comment"] = comment
        if not await self.send_frame(frame):
            self.pulse_answered = False
            self.refresh_model()

    @work(group="ack")
    async def send_ack(self, message_id: str) -> None:
        """Send ``ack{message_id}``; on failure the message waits again."""
        if not await self.send_frame({"type": "ack", "message_id": message_id}):
            self.acked_here.discard(message_id)
            self.refresh_model()
