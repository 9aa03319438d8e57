"""The overlay app: follows the hub in a worker and redraws the model every tick.

Data comes from a hub client (``hub.client.HubClient`` or anything with the same shape,
:class:`HubLike`); without one the app draws the view it was given, which is how the
snapshot tests feed it fixed data. The clock is injected so time in state and staleness
are reproducible.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

from textual import work
from textual.app import App

from hub.view import ViewState
from overlay.model import Link, OverlayModel, build_model
from overlay.screen import OverlayScreen

__all__ = ["HubLike", "OverlayApp"]

log = logging.getLogger(__name__)


class HubLike(Protocol):
    """What the overlay needs from a hub client (see ``hub.client.HubClient``)."""

    view: ViewState
    connected: bool
    last_frame_at: float | None

    def updates(self) -> AsyncIterator[Any]: ...

    async def send(self, frame: dict[str, Any]) -> None: ...


class OverlayApp(App[None]):
    """An agent's compact overlay."""

    CSS_PATH = "overlay.tcss"
    TITLE = "Panneau overlay"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        client: HubLike | None = None,
        *,
        view: ViewState | None = None,
        link: Link | None = None,
        clock: Callable[[], float] = time.time,
        stale_after_s: float = 30.0,
        one_line: bool = False,
        tick_s: float = 1.0,
    ) -> None:
        super().__init__()
        self.client = client
        self._view = view if view is not None else ViewState()
        self._link = link or Link()
        self.clock = clock
        self.stale_after_s = stale_after_s
        self.tick_s = tick_s
        self.acked_here: set[str] = set()
        self.rejected: str | None = None
        self.overlay = OverlayScreen(one_line=one_line)

    def get_default_screen(self) -> OverlayScreen:
        return self.overlay

    @property
    def view(self) -> ViewState:
        """The view drawn: the client's when there is one."""
        return self.client.view if self.client is not None else self._view

    def link(self) -> Link:
        """The connection state now."""
        if self.client is None:
            return self._link
        return Link(self.client.connected, self.client.last_frame_at, self.rejected)

    def on_mount(self) -> None:
        self.refresh_model()
        self.set_interval(self.tick_s, self.refresh_model)
        if self.client is not None:
            self.follow_hub()

    def build(self) -> OverlayModel:
        """The model at the injected clock's now."""
        return build_model(self.view, self.clock(), self.link(), acked_here=self.acked_here,
                           stale_after_s=self.stale_after_s)

    def refresh_model(self) -> None:
        """Recompute the model; widgets redraw only when it changed."""
        self.overlay.model = self.build()

    @work(exclusive=True, group="hub")
    async def follow_hub(self) -> None:
        """Follow the hub's updates (the client reconnects by itself)."""
        assert self.client is not None
        async for update in self.client.updates():
            if update.kind == "rejected":
                frame = update.frame or {}
                self.rejected = str(frame.get("reason") or "token refused")
            elif update.kind in ("connected", "snapshot"):
                self.rejected = None
            self.refresh_model()

    def acknowledge(self) -> str | None:
        """Acknowledge the newest waiting message; returns its id (``None``: nothing to do)."""
        waiting = [m for m in self.overlay.model.messages if not m.acked]
        if not waiting:
            return None
        message_id = waiting[0].id
        self.acked_here.add(message_id)
        self.refresh_model()
        if self.client is not None:
            self.send_ack(message_id)
        return message_id

    @work(group="ack")
    async def send_ack(self, message_id: str) -> None:
        """Send ``ack{message_id}``; on failure the message waits again."""
        assert self.client is not None
        try:
            await self.client.send({"type": "ack", "message_id": message_id})
        except Exception as exc:  # offline or closed: let the agent press again later
            log.warning("could not acknowledge message %s: %s", message_id, exc)
            self.acked_here.discard(message_id)
            self.refresh_model()
