"""The connection a screen keeps to the hub: reconnects, resumes, keeps its view current.

Usage (kiosk, overlay, console, ``panneau message``)::

    client = HubClient("ws://127.0.0.1:8765", token)
    async for update in client.updates():      # runs until client.close()
        if update.kind in ("snapshot", "delta"):
            redraw(client.view)                # a panneau.hub.view.ViewState
        elif update.kind == "rejected":
            show(update.frame["reason"])       # bad token / version: it keeps retrying slowly

``updates()`` yields :class:`Update` with ``kind`` one of ``connected``, ``disconnected``,
``snapshot``, ``delta``, ``message``, ``alert``, ``status``, ``ok``, ``error``, ``rejected``,
``unreachable``; ``frame`` is the decoded hub frame (or ``{"code", "reason"}`` for connected /
disconnected / rejected, ``{"reason"}`` for unreachable: a connection attempt that failed before
the hub answered, e.g. refused). ``rejected`` also covers a hub refusing this address after too
many failed tokens (HTTP 429) and a TLS certificate that does not verify: for ``wss://`` URLs the
hub's certificate is checked against the system store or ``ca_file`` (:mod:`panneau.hub.tls`),
never skipped. Between connections it waits with exponential backoff and jitter; on reconnect it
sends the ``epoch`` and ``seq`` it holds so the hub sends only the missed deltas. A delta that
does not follow the held seq makes it reconnect for a fresh snapshot.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import sys
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import (
    ConnectionClosed,
    InvalidHandshake,
    InvalidMessage,
    InvalidStatus,
    InvalidURI,
)
from websockets.frames import Frame, Opcode
from websockets.protocol import State

from panneau.hub import wire
from panneau.hub.tls import check_hub_url, client_context, describe_failure
from panneau.hub.view import ViewState

__all__ = ["HubClient", "HubConnection", "Update", "backoff_delay"]

log = logging.getLogger(__name__)

#: Close codes after which retrying quickly is pointless: reported as ``rejected``.
REJECTED_CODES = frozenset({wire.CLOSE_BAD_TOKEN, wire.CLOSE_BAD_VERSION,
                            wire.CLOSE_TOKEN_REVOKED})
#: ``code`` of a ``rejected`` update when TLS failed (RFC 6455's reserved "TLS handshake" code;
#: never on the wire) and when the hub refused the address after failed tokens (HTTP status).
TLS_FAILED, ADDRESS_REFUSED = 1015, 429


@dataclass(frozen=True, slots=True)
class Update:
    """One thing that happened on the connection."""

    kind: str
    frame: dict[str, Any] = field(default_factory=dict)


def _proxy() -> Literal[True] | None:
    """websockets' default, the system's proxy settings (``True``), where there may be some:
    an ``*_proxy`` variable in the environment (all Linux has), or macOS and Windows (their
    own settings too); else ``None``, no proxy, so ``urllib.request`` is never loaded."""
    if sys.platform in ("darwin", "win32") or any(
            name.lower().endswith("_proxy") for name in os.environ):
        return True
    return None


def backoff_delay(attempt: int, low: float, high: float, rng: random.Random) -> float:
    """Exponential backoff with "equal jitter": between half and all of ``low * 2**attempt``."""
    ceiling = min(high, low * 2 ** min(attempt, 30))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


class HubConnection(ClientConnection):
    """websockets' client connection, each binary message handed to :meth:`next_message` as
    it is complete: no message queue and ``recv()`` per frame (websockets' assembler, its
    queue and futures were a tenth of what a screen spent on a frame before drawing it).
    Control frames (ping, pong, close) go through websockets as usual; text messages are
    not the protocol's and are dropped. Reading pauses while :data:`HIGH_WATER` messages wait
    (a screen that stops taking them is left to the hub's slow-client rule, as before).

    Once open, the frames are cut from the bytes read here (:meth:`_take`): an unmasked,
    final binary frame — every frame a hub sends but its pings and close — is handed on as
    its payload, without websockets' frame parser (a generator, three reads and a ``Frame``
    a frame: a fifth of a screen's CPU for a marker's delta); any other frame goes to
    websockets whole, so its parser only ever sees whole frames and stays in step. This
    starts only if websockets' parser waits at a frame's start once the handshake is done
    (it was given nothing after the response: a hub sends nothing before the hello);
    otherwise, or should websockets' insides be other than this expects, the connection
    stays on websockets' own path."""

    HIGH_WATER, LOW_WATER = 64, 16

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.messages: deque[bytes] = deque()
        self._parts: list[bytes] = []
        self._text = False  # the message under way is a text one (dropped)
        self._waiter: asyncio.Future[None] | None = None
        self._reading_paused = False
        self._cut: bool | None = None  # frames cut here (None: not known before the response)
        self._rest = b""  # the start of a frame not complete yet

    def data_received(self, data: bytes) -> None:
        if self._cut:
            self._take(data)
            return
        super().data_received(data)
        if self._cut is None and self.response is not None:
            self._cut = self.protocol.state is State.OPEN and self._at_frame_start()

    def _at_frame_start(self) -> bool:
        """Whether websockets' parser has nothing buffered and waits for a frame's first
        byte (in ``StreamReader.at_eof``, websockets 14–17; ``False`` if not found)."""
        reader = getattr(self.protocol, "reader", None)
        if reader is None or getattr(reader, "buffer", b"x"):
            return False
        gen = self.protocol.parser
        while getattr(gen, "gi_yieldfrom", None) is not None:
            gen = gen.gi_yieldfrom
        code = getattr(gen, "gi_code", None)
        return code is not None and code.co_name == "at_eof"

    def _take(self, data: bytes) -> None:
        """Cut the frames of ``data`` (after what is left of the last read): a message's
        payload straight to :attr:`messages`, any other frame to websockets."""
        if self._rest:
            data, self._rest = self._rest + data, b""
        end, at, took = len(data), 0, False
        messages = self.messages
        while end - at >= 2:
            first, size = data[at], data[at + 1]
            head, masked = 2, size & 0x80  # masked: no server may; websockets says so
            if masked:
                head, size = 6, size & 0x7F
            if size == 126:
                if end - at < head + 2:
                    break
                size = data[at + 2] << 8 | data[at + 3]
                head += 2
            elif size == 127:
                if end - at < head + 8:
                    break
                size = int.from_bytes(data[at + 2:at + 10])
                head += 8
            stop = at + head + size
            if stop > end:
                break
            if first == 0x82 and not masked and not self._parts:
                messages.append(data[at + head:stop])
                took = True
            else:  # ping, pong, close, text, fragments: websockets' own way
                super().data_received(data[at:stop])
                if self.protocol.state is not State.OPEN:  # closing: websockets to the end
                    self._cut = False
                    if stop < end:
                        super().data_received(data[stop:])
                    return
            at = stop
        if at < end:
            self._rest = data[at:]
        if took:
            if len(messages) >= self.HIGH_WATER and not self._reading_paused:
                self._reading_paused = True
                self.transport.pause_reading()
            self._wake()

    def process_event(self, event: Any) -> None:
        if self.response is None or not isinstance(event, Frame) or event.opcode not in (
                Opcode.BINARY, Opcode.TEXT, Opcode.CONT):
            super().process_event(event)  # the handshake's response, ping, pong, close
            return
        if event.opcode is not Opcode.CONT:
            self._text, self._parts = event.opcode is Opcode.TEXT, []
        if self._text:
            return
        data = event.data if type(event.data) is bytes else bytes(event.data)
        if not event.fin:
            self._parts.append(data)
            return
        if self._parts:
            data, self._parts = b"".join([*self._parts, data]), []
        self.messages.append(data)
        if len(self.messages) >= self.HIGH_WATER and not self._reading_paused:
            self._reading_paused = True
            self.transport.pause_reading()
        self._wake()

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self._wake()

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def next_message(self) -> bytes | None:
        """The next binary message; ``None`` once the connection is closed and all are
        taken."""
        messages = self.messages
        while not messages:
            if self.connection_lost_waiter.done():
                return None
            self._waiter = self.loop.create_future()
            await self._waiter
        if self._reading_paused and len(messages) <= self.LOW_WATER:
            self._reading_paused = False
            self.transport.resume_reading()
        return messages.popleft()


class HubClient:
    """A screen's connection to the hub (see the module docstring)."""

    def __init__(self, url: str, token: str, *, backoff_min: float = 0.5,
                 backoff_max: float = 30.0, open_timeout: float = 10.0,
                 rng: random.Random | None = None, ca_file: str | None = None,
                 client_cert: str | None = None) -> None:
        self.url, self.token = check_hub_url(url), token
        self._ssl = client_context(url, ca_file, client_cert)  # None for ws://
        self.backoff_min, self.backoff_max = backoff_min, backoff_max
        self.open_timeout = open_timeout
        self.view = ViewState()
        self.connected = False
        self.last_frame_at: float | None = None  # UTC epoch seconds of the last frame
        self.close_code: int | None = None
        self.close_reason = ""
        self._ws: HubConnection | None = None
        self._closing = False
        self._rng = rng or random.Random()

    async def send(self, frame: dict[str, Any]) -> None:
        """Send a client frame (``ack``, ``send_message``, ``annotate``); needs a connection."""
        if self._ws is None or not self.connected:
            raise ConnectionError("not connected to the hub")
        await self._ws.send(wire.encode(frame))

    async def disconnect(self) -> None:
        """Drop the current connection; ``updates()`` reconnects and resumes."""
        if self._ws is not None:
            await self._ws.close()

    async def close(self) -> None:
        """Stop: the ``updates()`` loop ends after the current connection closes."""
        self._closing = True
        if self._ws is not None:
            await self._ws.close()

    def _hello(self) -> dict[str, Any]:
        hello: dict[str, Any] = {"type": "hello", "v": wire.VERSION, "token": self.token}
        if self.view.epoch is not None:
            hello |= {"epoch": self.view.epoch, "seq": self.view.seq}
        return hello

    async def updates(self) -> AsyncIterator[Update]:
        """Connect, yield what happens, reconnect with backoff; ends after :meth:`close`."""
        attempt = 0
        while not self._closing:
            got_frame = False
            failure: dict[str, Any] | None = None
            try:
                async with connect(self.url, open_timeout=self.open_timeout,
                                   max_size=None, ssl=self._ssl, proxy=_proxy(),
                                   create_connection=HubConnection) as ws:
                    self._ws = ws
                    await ws.send(wire.encode(self._hello()))
                    while (data := await ws.next_message()) is not None:
                        update = self._receive(data)
                        if update is None:
                            continue
                        if not got_frame:
                            got_frame, self.connected, attempt = True, True, 0
                            yield Update("connected", {"url": self.url})
                        if update.kind == "resync":
                            break
                        yield update
            except (OSError, TimeoutError, ConnectionClosed, InvalidHandshake, InvalidURI) as exc:
                log.debug("hub connection to %s: %s", self.url, exc)
                if not got_frame:
                    failure = self._failure(exc)
            finally:
                ws, self._ws, self.connected = self._ws, None, False
            self.close_code = getattr(ws, "close_code", None) if ws else None
            self.close_reason = (getattr(ws, "close_reason", "") or "") if ws else ""
            info = {"code": self.close_code, "reason": self.close_reason}
            if self.close_code in REJECTED_CODES:
                yield Update("rejected", info)
                attempt = max(attempt, 5)
            elif failure is not None:
                yield Update(failure.pop("kind"), failure)
                if failure.get("code") is not None:
                    attempt = max(attempt, 5)
            elif got_frame:
                yield Update("disconnected", info)
            if self._closing:
                break
            await asyncio.sleep(backoff_delay(attempt, self.backoff_min, self.backoff_max,
                                              self._rng))
            attempt += 1

    def _failure(self, exc: BaseException) -> dict[str, Any] | None:
        """What to report when a connection attempt failed before the hub answered."""
        tls = describe_failure(self.url, exc)
        if tls is not None:
            return {"kind": "rejected", "code": TLS_FAILED, "reason": tls}
        if isinstance(exc, InvalidStatus) and exc.response.status_code == ADDRESS_REFUSED:
            body = (exc.response.body or b"").decode(errors="replace").strip()
            reason = body or "too many failed tokens from this address"
            return {"kind": "rejected", "code": ADDRESS_REFUSED, "reason": reason}
        if isinstance(exc, ConnectionRefusedError):
            return {"kind": "unreachable", "reason": f"connection refused by {self.url}"}
        if isinstance(exc, InvalidMessage) and self._ssl is None:
            return {"kind": "unreachable", "reason": f"{self.url}: no websocket answer (a hub "
                                                     "with a TLS certificate wants wss://)"}
        if isinstance(exc, OSError | TimeoutError | InvalidHandshake):
            return {"kind": "unreachable",
                    "reason": f"{self.url}: {str(exc) or type(exc).__name__}"}
        return None

    def _receive(self, data: bytes | str) -> Update | None:
        try:
            frame = wire.decode_hub(data)
        except wire.WireError as exc:  # a newer hub's frame type, or garbage: skip it
            log.debug("ignored a frame from the hub: %s", exc)
            return None
        self.last_frame_at = time.time()
        kind = frame["type"]
        if kind == "snapshot":
            self.view.apply_snapshot(frame["epoch"], frame["seq"], frame["view"])
        elif kind == "delta" and not self.view.apply_changes(
                frame["epoch"], frame["seq"], frame["set"], frame["unset"]):
            log.info("delta %s does not follow seq %s: asking for a snapshot",
                     frame["seq"], self.view.seq)
            self.view.epoch = None
            return Update("resync", frame)
        return Update(kind, frame)
