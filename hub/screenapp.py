"""The Textual app every screen builds on: fed by a hub client, one reconnect loop, one link.

The kiosk, the overlay and the console are :class:`HubApp` subclasses. The base keeps:

- **the data**: a hub client (:class:`panneau.hub.client.HubClient`, or anything shaped like
  :class:`HubLike`) followed in one worker; without a client the app draws the view it was
  given, which is how tests and snapshots feed fixed data (:meth:`HubApp.set_view`);
- **the link** (:class:`panneau.hub.freshness.Link`): connecting, connected, lost since when,
  refused — the one freshness model every screen reads;
- **the clock**, injected so times and staleness are reproducible: :attr:`HubApp.wall`, the
  machine's clock, and :meth:`HubApp.clock`, the hub's time every time of day a screen shows
  and every duration, expiry and age is worked out against: the same, unless the hub's clock
  runs faster (``meta.clock_speed``: a demo, a trial), whose times (an agent's state
  ``since``, a message's ``expires``, an alert's) then run ahead of the wall clock (an
  overlay's "On call 0:00" stood still while the hub's call went on; a kiosk's top bar read
  the wall's 02:17 beside an alert "since 02:27").

A subclass draws in :meth:`HubApp.refresh_model`, called after each hub update, after
:meth:`HubApp.set_view`, and every ``tick_s`` seconds when it has a tick (the overlay and the
console show running durations; the kiosk arms its own one-shot timers instead). Frames that
are not view updates (``ok``, ``error``, ``message``, ``alert``, ``status``…) arrive as a
:class:`HubApp.FrameReceived` message. Screens ask their app for things by posting their own
messages (Textual's idiom), never by calling it.

The hub client reconnects by itself; should it ever fail, the worker marks the link lost and
starts it again after ``CLIENT_RESTART_S`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from textual import work
from textual.app import App
from textual.message import Message

from panneau.hub.freshness import WRONG_ROLE, Link, Seen, hub_time, wrong_role
from panneau.hub.view import ViewState

if TYPE_CHECKING:  # the client (websockets, TLS) is imported by whoever makes one: a screen
    # drawing a view it was given (tests, snapshots, bench_kiosk) never loads it
    from panneau.hub.client import Update

__all__ = ["HubApp", "HubLike"]

log = logging.getLogger(__name__)


class HubLike(Protocol):
    """What a screen needs from a hub client (see :class:`panneau.hub.client.HubClient`)."""

    view: ViewState
    connected: bool
    last_frame_at: float | None

    def updates(self) -> AsyncIterator[Update]: ...

    async def send(self, frame: dict[str, Any]) -> None: ...


class HubApp(App[None]):
    """A screen app fed by the hub (see the module docstring)."""

    ENABLE_COMMAND_PALETTE = False
    #: The token roles the screen is made for (empty: any); a token of another role is shown
    #: as refused (``Link.rejected``, code :data:`~panneau.hub.freshness.WRONG_ROLE`).
    ROLES: ClassVar[tuple[str, ...]] = ()
    #: Seconds before a failed hub client is started again.
    CLIENT_RESTART_S: ClassVar[float] = 5.0

    class FrameReceived(Message):
        """A hub frame that is not a view update: ``ok``, ``error``, ``message``, ``alert``…"""

        def __init__(self, kind: str, frame: dict[str, Any]) -> None:
            super().__init__()
            self.kind = kind
            self.frame = frame

    def __init__(
        self,
        client: HubLike | None = None,
        *,
        view: ViewState | None = None,
        link: Link | None = None,
        clock: Callable[[], float] = time.time,
        tick_s: float | None = None,
        ansi_color: bool = False,
    ) -> None:
        """``link`` defaults to connecting with a client, to connected without one."""
        super().__init__(ansi_color=ansi_color)
        self.client = client
        self._view = view if view is not None else ViewState()
        self.link = link if link is not None else Link(connected=client is None)
        self.wall = clock
        self.tick_s = tick_s
        self._as_of_seen: Seen | None = None  # what hub_time carries between readings

    def clock(self) -> float:
        """The hub's time: :attr:`wall`, or with a hub whose clock runs faster
        (``meta.clock_speed``), the figures' time moved on at that speed
        (:func:`~panneau.hub.freshness.hub_time`)."""
        now, self._as_of_seen = hub_time(self.view.meta, self.wall(), self._as_of_seen)
        return now

    @property
    def view(self) -> ViewState:
        """The view drawn: the client's when there is one."""
        return self.client.view if self.client is not None else self._view

    def on_mount(self) -> None:
        self.refresh_model()
        if self.tick_s:
            self.set_interval(self.tick_s, self._redraw)
        if self.client is not None:
            self.follow_hub()

    def refresh_model(self) -> None:
        """Recompute what is drawn from :attr:`view`, :attr:`link` and the clock (subclasses)."""
        raise NotImplementedError

    def _redraw(self) -> None:
        """:meth:`refresh_model` from a tick or a hub update, unless the app is shutting down:
        its screens are gone first, while a tick or an update may still come."""
        if self.is_running:
            self.refresh_model()

    def set_view(self, view: ViewState, link: Link | None = None) -> None:
        """Fixed data in (without a client), and optionally a new link state; redraws."""
        self._view = view
        if link is not None:
            self.link = link
        self.refresh_model()

    # -- the hub ---------------------------------------------------------------------------

    @work(exclusive=True, group="hub")
    async def follow_hub(self) -> None:
        """Follow the hub client's updates until it is closed, restarting it should it fail."""
        assert self.client is not None
        while True:
            try:
                async for update in self.client.updates():
                    self._note(update)
                return  # the client was closed
            except Exception:
                log.exception("the hub client failed; starting it again")
                if self.link.connected:
                    self.link = replace(self.link, connected=False, lost_at=self.clock())
                    self._redraw()
                await asyncio.sleep(self.CLIENT_RESTART_S)

    def _note(self, update: Update) -> None:
        """Keep the link in step with one update, then redraw or pass the frame on."""
        frame = update.frame or {}
        last = getattr(self.client, "last_frame_at", None)
        link = replace(self.link, last_frame_at=last)
        if update.kind == "connected":
            link = replace(link, connected=True, rejected=None, rejected_code=None, lost_at=None)
        elif update.kind == "disconnected" and link.connected:
            link = replace(link, connected=False, lost_at=self.clock())
        elif update.kind == "rejected":
            reason = str(frame.get("reason") or "token refused")
            code = frame.get("code")
            link = replace(link, connected=False, rejected=reason,
                           rejected_code=code if isinstance(code, int) else None)
        if update.kind == "snapshot" and self.ROLES:  # the view's role comes with it
            problem = wrong_role(self.view, self.ROLES)
            if problem is not None:
                link = replace(link, rejected=problem, rejected_code=WRONG_ROLE)
            elif link.rejected_code == WRONG_ROLE:  # the hub gave the token another role
                link = replace(link, rejected=None, rejected_code=None)
        self.link = link
        if update.kind not in ("connected", "disconnected", "rejected", "snapshot", "delta"):
            self.post_message(self.FrameReceived(update.kind, frame))
        self._redraw()

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
