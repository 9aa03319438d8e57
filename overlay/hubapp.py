"""The part the overlay and the console share: a Textual app fed by a hub client.

Data comes from a hub client (``panneau.hub.client.HubClient`` or anything with the same shape,
:class:`HubLike`); without one the app draws the view it was given, which is how snapshot
tests feed fixed data. The clock is injected so times and staleness are reproducible.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

from textual import work
from textual.app import App

from panneau.hub.view import ViewState
from panneau.overlay.model import Link

__all__ = ["HubApp", "HubLike"]

log = logging.getLogger(__name__)


class HubLike(Protocol):
    """What a screen needs from a hub client (see ``panneau.hub.client.HubClient``)."""

    view: ViewState
    connected: bool
    last_frame_at: float | None

    def updates(self) -> AsyncIterator[Any]: ...

    async def send(self, frame: dict[str, Any]) -> None: ...


class HubApp(App[None]):
    """Follows the hub in a worker and calls :meth:`refresh_model` on each update and tick."""

    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        client: HubLike | None = None,
        *,
        view: ViewState | None = None,
        link: Link | None = None,
        clock: Callable[[], float] = time.time,
        tick_s: float = 1.0,
    ) -> None:
        super().__init__()
        self.client = client
        self._view = view if view is not None else ViewState()
        self._link = link or Link()
        self.clock = clock
        self.tick_s = tick_s
        self.rejected: str | None = None

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

    def refresh_model(self) -> None:
        """Recompute what is drawn (subclasses)."""
        raise NotImplementedError

    def on_hub_frame(self, kind: str, frame: dict[str, Any]) -> None:
        """A frame other than view updates arrived (``ok``, ``error``...); subclasses may care."""

    @work(exclusive=True, group="hub")
    async def follow_hub(self) -> None:
        """Follow the hub's updates (the client reconnects by itself)."""
        assert self.client is not None
        async for update in self.client.updates():
            if update.kind == "rejected":
                self.rejected = str((update.frame or {}).get("reason") or "token refused")
            elif update.kind in ("connected", "snapshot"):
                self.rejected = None
            self.on_hub_frame(update.kind, update.frame or {})
            self.refresh_model()

    async def send_frame(self, frame: dict[str, Any]) -> bool:
        """Send a frame to the hub; ``False`` (logged) when there is no connection."""
        if self.client is None:
            return False
        try:
            await self.client.send(frame)
        except Exception as exc:  # offline or closed: the caller tells the user
            log.warning("could not send %s: %s", frame.get("type"), exc)
            return False
        return True
