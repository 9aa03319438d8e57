"""The websockets side of the hub: hello + token first, then frames; GET /healthz, /metrics.

Rules kept here:

- Nothing is sent before a valid ``hello``. No hello within ``hub.auth_timeout_s`` → close 4002;
  unknown token (or a ``reporting`` one, for the HTTP API only) → 4001; wrong ``v`` → 4004;
  a frame that is not a valid client frame → 4003;
  a frame over ``hub.max_frame_bytes`` → 1009 (websockets enforces ``max_size``). Each close is
  logged with the peer address; other connections are not affected.
- When the configured tokens change (reload on file change or SIGHUP, :meth:`WsServer.use_tokens`),
  a session whose token is gone is closed (4005 ``token revoked``), and a session whose token
  now gives another audience (role, team, agent, label) is moved to it with a fresh snapshot.
- Tokens are compared as SHA-256 digests (``token_sha256`` in the config, or the digest of
  ``token``), with a constant-time comparison. A token is never logged, nor sent to any client.
- An address that sent ``hub.auth_fail_limit`` unknown tokens within ``hub.auth_fail_window_s``
  is refused with HTTP 429 before the handshake for ``hub.auth_ban_s`` (logged once, counted in
  /metrics; panneau.hub.server.throttle). Unknown tokens on the reporting API (HTTP port) count
  towards the same ban, which refuses that API too. Its open connections and other addresses go on.
- With TLS (panneau.hub.server.tls) the same rules hold over ``wss://``.
- ``GET /healthz`` (JSON) and ``GET /metrics`` (Prometheus text) are answered from
  ``process_request`` on the same port, without a websocket handshake.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import hmac
import json
import logging
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from panneau.hub import wire
from panneau.hub.config.schema import Config, Token
from panneau.hub.server.publisher import Client, Publisher
from panneau.hub.server.throttle import AuthThrottle
from panneau.hub.server.views import Audience

__all__ = ["TokenTable", "WsServer", "http_response"]

log = logging.getLogger(__name__)


class TokenTable:
    """The configured tokens, by SHA-256 digest."""

    def __init__(self, tokens: list[Token]) -> None:
        self.entries: list[tuple[bytes, Token]] = []
        for t in tokens:
            digest = (bytes.fromhex(t.token_sha256) if t.token_sha256
                      else hashlib.sha256((t.token or "").encode()).digest())
            self.entries.append((digest, t))

    @staticmethod
    def digest(presented: str) -> bytes:
        """The SHA-256 digest a presented token is known by."""
        return hashlib.sha256(presented.encode()).digest()

    def lookup(self, presented: str | bytes) -> Token | None:
        """The token entry matching ``presented`` (a token, or its digest), or ``None``."""
        digest = presented if isinstance(presented, bytes) else self.digest(presented)
        found = None
        for known, entry in self.entries:  # no early exit: same time for every token
            if hmac.compare_digest(known, digest):
                found = entry
        return found


def audience_of(token: Token) -> Audience:
    """The audience a token's role and identity give."""
    if token.role == "kiosk":
        return Audience("kiosk", team=token.team, scope=token.scope)
    if token.role == "agent":
        return Audience("agent", agent=token.agent)
    return Audience("manager", label=token.label or None)


def http_response(status: int, body: str, content_type: str) -> Response:
    """A plain HTTP response for ``process_request``."""
    headers = Headers([("Content-Type", content_type), ("Cache-Control", "no-store")])
    return Response(status, HTTPStatus(status).phrase, headers, body.encode())


def limit_kernel_buffer(conn: ServerConnection, size: int) -> None:
    """Cap the socket's kernel send buffer too, so a non-reading client is noticed early.

    Linux grows a socket's send buffer up to several MB by itself; the hub's own limit
    (``client_buffer_bytes``) only counts bytes the kernel has not taken yet.
    """
    sock = conn.transport.get_extra_info("socket") if conn.transport else None
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size)


def forget_handshake(conn: ServerConnection) -> None:
    """Drop what websockets keeps of a connection that the hub never reads again.

    The opening handshake's request and response stay on the connection for its whole life,
    with their header maps: about 3.3 KiB a connection (tracemalloc, the bench_hub clients'
    headers), a sixth of a screen's share of the hub. The response goes; the request stays
    (websockets takes a connection without one for one still in its handshake, and its
    parser holds it anyway) with its headers emptied in place. Its queue of drain waiters
    becomes a list (below).
    """
    if conn.request is not None:
        conn.request.headers.clear()
    conn.response = None
    # websockets' queue of writers waiting for a paused transport is a deque (624 bytes
    # even empty) of which it only appends, removes and iterates: a list does that in 56
    waiters = getattr(conn, "drain_waiters", None)
    if isinstance(waiters, collections.deque) and not waiters:
        conn.drain_waiters = []


def _address(conn: ServerConnection) -> str:
    """The peer's IP address (without the port)."""
    peer = conn.remote_address
    return str(peer[0]) if peer else "?"


#: The body of the 429 a banned address gets (websocket handshake and reporting API alike).
REFUSED_TEXT = "too many failed tokens from this address; retry later"

FrameHandler = Callable[[Client, dict[str, Any]], Awaitable[None]]


class WsServer:
    """Accepts screens, authenticates them and hands their frames to the hub."""

    #: The hub pings each client this often and drops it (1011) without a pong in time.
    PING_INTERVAL_S = 20.0
    PING_TIMEOUT_S = 20.0

    def __init__(self, config: Config, publisher: Publisher, on_frame: FrameHandler,
                 status_for: Callable[[Audience], dict[str, Any]],
                 health: Callable[[], dict[str, Any]], metrics_text: Callable[[], str]) -> None:
        self.settings = config.hub
        self.tokens = TokenTable(config.tokens)
        self.publisher, self.on_frame, self.status_for = publisher, on_frame, status_for
        self.health, self.metrics_text = health, metrics_text
        self.server: Server | None = None
        hub = config.hub
        self.throttle = AuthThrottle(hub.auth_fail_limit, hub.auth_fail_window_s, hub.auth_ban_s,
                                     time.monotonic)

    async def start(self, host: str, port: int, tls: ssl.SSLContext | None = None) -> int:
        """Listen (over TLS with ``tls``); returns the bound port."""
        self.server = await serve(
            self.handler, host, port, process_request=self.process_request,
            max_size=self.settings.max_frame_bytes, compression=None,
            ping_interval=self.PING_INTERVAL_S, ping_timeout=self.PING_TIMEOUT_S,
            close_timeout=2, ssl=tls)
        return self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close(close_connections=True)
            await asyncio.wait_for(self.server.wait_closed(), 5)

    def use_tokens(self, tokens: TokenTable) -> None:
        """Take a reloaded token table and apply it to the sessions already open: one whose
        token is gone (or is now a ``reporting`` one) is closed with 4005; one whose token now
        gives another audience gets that audience's snapshot on the same connection."""
        self.tokens = tokens
        for client in list(self.publisher.clients()):
            token = tokens.lookup(client.token)
            if token is None or token.role == "reporting":
                self.publisher.drop(client, wire.CLOSE_TOKEN_REVOKED,
                                    wire.CLOSE_REASONS[wire.CLOSE_TOKEN_REVOKED])
                continue
            audience, label = audience_of(token), token.label or ""
            if audience != client.audience:
                old = client.audience.key
                sent = self.publisher.rescope(client, audience, label, self.status_for(audience))
                log.info("%s: its token now gives %s instead of %s (%s)",
                         client.conn.remote_address, audience.key, old, sent)
            client.label = label

    def address_refused(self, address: str) -> bool:
        """True (and counted) while ``address`` is banned after failed tokens, on either port."""
        if not self.throttle.is_banned(address):
            return False
        self.publisher.metrics.auth_refused += 1
        return True

    def auth_failed(self, address: str) -> None:
        """Count an unknown token from ``address`` (either port); log once when it gets banned."""
        self.publisher.metrics.auth_failures += 1
        if self.throttle.fail(address):
            self.publisher.metrics.auth_bans += 1
            s = self.settings
            log.warning("refusing %s for %g s: %d unknown tokens within %g s", address,
                        s.auth_ban_s, s.auth_fail_limit, s.auth_fail_window_s)

    def process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        if self.address_refused(_address(conn)):
            return http_response(429, REFUSED_TEXT + "\n", "text/plain")
        path = request.path.split("?", 1)[0]
        if path == "/healthz":
            return http_response(200, json.dumps(self.health()), "application/json")
        if path == "/metrics":
            return http_response(200, self.metrics_text(), "text/plain; version=0.0.4")
        return None

    async def _refuse(self, conn: ServerConnection, code: int, reason: str) -> None:
        log.warning("closing %s: %d %s", conn.remote_address, code, reason)
        self.publisher.metrics.clients_dropped[wire.CLOSE_REASONS.get(code, str(code))] += 1
        await conn.close(code, reason[:120])

    def refuse_action(self, client: Client, exc: wire.WireError) -> None:
        """Answer a malformed action frame with ``error``; the connection stays open."""
        reply: dict[str, Any] = {"type": "error", "reason": exc.reason}
        if exc.ref is not None:
            reply["ref"] = exc.ref
        self.publisher.write([client], wire.encode(reply), "error")

    async def handler(self, conn: ServerConnection) -> None:
        limit = self.settings.max_frame_bytes
        try:
            async with asyncio.timeout(self.settings.auth_timeout_s):
                data = await conn.recv()
            hello = wire.decode_client(data, limit)
        except TimeoutError:
            await self._refuse(conn, wire.CLOSE_AUTH_TIMEOUT,
                               f"no hello within {self.settings.auth_timeout_s:g} s")
            return
        except wire.WireError as exc:
            await self._refuse(conn, exc.code, exc.reason)
            return
        except ConnectionClosed:
            self._log_closed(conn)
            return
        if hello["type"] != "hello":
            await self._refuse(conn, wire.CLOSE_BAD_FRAME, "the first frame must be hello")
            return
        digest = TokenTable.digest(hello["token"])
        token = self.tokens.lookup(digest)
        if token is None:
            self.auth_failed(_address(conn))
            await self._refuse(conn, wire.CLOSE_BAD_TOKEN, "unknown token")
            return
        if token.role == "reporting":
            await self._refuse(conn, wire.CLOSE_BAD_TOKEN,
                               "a reporting token is for the HTTP API (/api/v1), not screens")
            return
        limit_kernel_buffer(conn, self.settings.client_buffer_bytes)
        forget_handshake(conn)
        client = Client(conn, audience_of(token), token.label or "", token=digest)
        sent = self.publisher.attach(client, hello.get("epoch"), hello.get("seq"),
                                     self.status_for(client.audience))
        log.info("%s connected as %s (%s)", conn.remote_address, client.audience.key, sent)
        try:
            async for data in conn:
                try:
                    frame = wire.decode_client(data, limit)
                except wire.WireError as exc:
                    if exc.action is None:
                        raise
                    self.refuse_action(client, exc)  # a known action, badly filled: answered
                    continue
                if frame["type"] == "hello":
                    raise wire.WireError(wire.CLOSE_BAD_FRAME, "hello sent twice")
                await self.on_frame(client, frame)
        except wire.WireError as exc:
            await self._refuse(conn, exc.code, exc.reason)
        except ConnectionClosed:
            self._log_closed(conn)
        finally:
            self.publisher.detach(client)
            log.info("%s (%s) disconnected", conn.remote_address, client.audience.key)

    def _log_closed(self, conn: ServerConnection) -> None:
        rcvd, sent = conn.protocol.close_rcvd, conn.protocol.close_sent
        by_hub = sent is not None and not conn.protocol.close_rcvd_then_sent  # not an echo
        if by_hub and sent.code in (wire.CLOSE_TOO_BIG, wire.CLOSE_KEEPALIVE):
            self.publisher.metrics.clients_dropped[wire.CLOSE_REASONS[sent.code]] += 1
            log.warning("closed %s: %d %s", conn.remote_address, sent.code, sent.reason)
        elif rcvd is None:
            log.debug("%s went away without closing", conn.remote_address)
