"""Send each audience its view: a snapshot on connect, then deltas with ``seq`` and ``epoch``.

Rules kept here (see websockets' "broadcast" topic for the trade-off):

- One view per *audience* (manager, a team's kiosk, one agent), diffed once per publish tick;
  the delta frame is encoded once and written to every connection of that audience.
- Writes never wait: a frame goes into the connection's write buffer at once (like
  ``websockets.broadcast``). A connection whose unsent bytes exceed
  ``hub.client_buffer_bytes`` is dropped (close 4008): a client that does not read never
  slows the others, and never makes the hub hold unbounded memory.
- The last ``hub.resume_history`` deltas of each audience are kept: a client that reconnects
  with the same ``epoch`` and a ``seq`` still covered gets exactly the deltas it missed;
  otherwise a fresh snapshot. An audience without clients is kept for ``idle_keep_s`` so its
  screens can resume, then forgotten.
- The hub calls :meth:`Publisher.publish` at most ``hub.max_frames_per_s`` times a second:
  bursts of events between two ticks coalesce into one delta per audience.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast
from websockets.protocol import State

from panneau.hub import wire
from panneau.hub.server.metrics import Metrics
from panneau.hub.server.views import Audience
from panneau.hub.view import diff

__all__ = ["AudienceState", "Client", "Publisher"]

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Client:
    """One accepted connection."""

    conn: ServerConnection
    audience: Audience
    label: str = ""
    dropped: bool = False


@dataclass
class AudienceState:
    """The last view sent to an audience, its seq, recent deltas and its connections."""

    view: dict[str, Any]
    seq: int = 0
    history: deque[tuple[int, bytes]] = field(default_factory=deque)
    clients: set[Client] = field(default_factory=set)
    idle_since: float | None = None


class Publisher:
    """Per-audience diffing, resume buffers and non-blocking writes."""

    def __init__(self, *, epoch: str, build: Callable[[Audience], dict[str, Any]],
                 metrics: Metrics, resume_history: int, buffer_bytes: int,
                 idle_keep_s: float = 300.0) -> None:
        self.epoch, self.build, self.metrics = epoch, build, metrics
        self.resume_history, self.buffer_bytes = resume_history, buffer_bytes
        self.idle_keep_s = idle_keep_s
        self.audiences: dict[Audience, AudienceState] = {}
        self._drops: set[asyncio.Task] = set()

    # --- connections -----------------------------------------------------------------

    def attach(self, client: Client, epoch: str | None, seq: int | None,
               status: dict[str, Any]) -> str:
        """Send the snapshot (or missed deltas) then ``status``; returns what was sent."""
        state = self.audiences.get(client.audience)
        if state is None:
            state = self.audiences[client.audience] = AudienceState(self.build(client.audience))
        missed = self._missed(state, epoch, seq)
        if missed is None:
            sent = "snapshot"
            self.write([client], wire.encode({"type": "snapshot", "v": wire.VERSION,
                                              "epoch": self.epoch, "seq": state.seq,
                                              "view": state.view}), "snapshot")
        else:
            sent = f"resume ({len(missed)} deltas)"
            for data in missed:
                self.write([client], data, "delta")
        self.write([client], wire.encode({"type": "status", "sources": status}), "status")
        if client.dropped:
            return "dropped"
        state.clients.add(client)
        state.idle_since = None
        return sent

    def _missed(self, state: AudienceState, epoch: str | None, seq: int | None
                ) -> list[bytes] | None:
        if epoch != self.epoch or seq is None or seq > state.seq:
            return None
        if seq == state.seq:
            return []
        if not state.history or state.history[0][0] > seq + 1:
            return None
        return [data for s, data in state.history if s > seq]

    def detach(self, client: Client) -> None:
        state = self.audiences.get(client.audience)
        if state is not None:
            state.clients.discard(client)
            if not state.clients:
                state.idle_since = time.monotonic()

    def clients(self) -> Iterable[Client]:
        for state in self.audiences.values():
            yield from state.clients

    # --- publishing ------------------------------------------------------------------

    def publish(self) -> int:
        """Rebuild every kept audience's view and send the deltas; returns frames built."""
        built, now = 0, time.monotonic()
        for audience, state in list(self.audiences.items()):
            if state.idle_since is not None and now - state.idle_since > self.idle_keep_s:
                del self.audiences[audience]
                continue
            new = self.build(audience)
            delta = diff(state.view, new)
            if not delta:
                continue
            state.seq += 1
            state.view = new
            data = wire.encode({"type": "delta", "epoch": self.epoch, "seq": state.seq,
                                "set": delta.set, "unset": delta.unset})
            state.history.append((state.seq, data))
            while len(state.history) > self.resume_history:
                state.history.popleft()
            self.write(state.clients, data, "delta")
            built += 1
        return built

    def send(self, frame: dict[str, Any], audiences: Callable[[Audience], bool]) -> None:
        """Send a frame outside the view (message, alert) to the audiences it is for."""
        data = wire.encode(frame)
        for audience, state in self.audiences.items():
            if state.clients and audiences(audience):
                self.write(state.clients, data, frame["type"])

    def send_each(self, make: Callable[[Audience], dict[str, Any] | None]) -> None:
        """Send a frame built per audience (``None``: nothing for that audience)."""
        for audience, state in self.audiences.items():
            if state.clients:
                frame = make(audience)
                if frame is not None:
                    self.write(state.clients, wire.encode(frame), frame["type"])

    def write(self, clients: Iterable[Client], data: bytes, kind: str) -> None:
        """Write without waiting; drop any connection whose buffer is over the limit."""
        clients = [c for c in clients if not c.dropped and c.conn.protocol.state is State.OPEN]
        broadcast([c.conn for c in clients], data)
        self.metrics.frames_sent[kind] += len(clients)
        self.metrics.bytes_sent += len(data) * len(clients)
        for client in clients:
            transport = client.conn.transport
            if transport is not None and transport.get_write_buffer_size() > self.buffer_bytes:
                self.drop(client, wire.CLOSE_TOO_SLOW, "client too slow")

    def drop(self, client: Client, code: int, reason: str) -> None:
        """Forget a connection now and close it (aborting if the close cannot get through)."""
        client.dropped = True
        self.detach(client)
        self.metrics.clients_dropped[reason] += 1
        log.warning("dropping %s client %s: %s", client.audience.key,
                    client.conn.remote_address, reason)
        task = asyncio.get_running_loop().create_task(self._close(client.conn, code, reason))
        self._drops.add(task)
        task.add_done_callback(self._drops.discard)

    @staticmethod
    async def _close(conn: ServerConnection, code: int, reason: str) -> None:
        try:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(code, reason), 2.0)
        finally:
            if conn.transport is not None:
                conn.transport.abort()
