"""The ``asterisk_ami`` source: live queue state over the Asterisk Manager Interface.

The protocol is panoramisk's (login, actions, event parsing); this module only drives a
session: connect → ``Login`` → ``QueueStatus`` seed → live events, with a ``Ping`` every
``ping_interval_s`` to notice a dead link. When the link drops the source says ``down`` and
reconnects with exponential backoff (``reconnect_min_s`` doubling up to ``reconnect_max_s``),
then seeds again. panoramisk's own fixed-delay reconnect is switched off so that there is one
reconnect policy, here. Events are translated by :class:`~.ami_events.AmiTranslator`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass, field
from typing import Any

from panoramisk import Manager
from panoramisk.ami_protocol import AMIProtocol

from panneau.hub.config.validate import OptionProblems, negative, not_positive
from panneau.hub.sources import SourceContext, secret_from_env
from panneau.plugins.asterisk.ami_events import AmiTranslator, Mode

__all__ = ["AmiOptions", "AmiSource", "LoginRefused"]

_LOST = object()
_PING_UNANSWERED = object()

#: The ``Events:`` classes each mode needs: agent_state reads only QueueMember* (class agent).
EVENT_CLASSES: dict[str, str] = {"all": "call,agent", "agent_state": "agent"}


@dataclass
class AmiOptions:
    """Options of an ``asterisk_ami`` source (a ``manager.conf`` user with read=call,agent)."""

    username: str
    secret: str | None = None
    """Better left out of the file: then it is read from the ``secret_env`` variable (or the
    file ``<secret_env>_FILE`` names)."""
    secret_env: str = "ASTERISK_AMI_SECRET"
    host: str = "127.0.0.1"
    port: int = 5038
    emit: Mode = "all"
    """``all``: calls and agents (AMI is the only call source); ``agent_state``: only live
    device/pause state, to run beside an ``asterisk_queue_log`` source without double counts."""
    queues: list[str] = field(default_factory=list)
    """Only these queues (empty: every queue)."""
    events: str | None = None
    """The ``Events:`` classes asked for at login; by default what ``emit`` needs: ``call,agent``
    for ``all`` (Asterisk ≤ 11 sends Join/Leave as call), ``agent`` for ``agent_state``."""
    connect_timeout_s: float = 10.0
    ping_interval_s: float = 20.0
    reconnect_min_s: float = 1.0
    reconnect_max_s: float = 60.0
    leave_grace_s: float = 5.0
    """How long a caller who left the line may wait for its AgentConnect before counting as
    having left with a key."""

    def __post_init__(self) -> None:
        """What no AMI connection can run with, named by ``panneau config check``."""
        problems = {**not_positive(self, "connect_timeout_s", "ping_interval_s",
                                   "reconnect_min_s"),
                    **negative(self, "leave_grace_s")}
        if isinstance(self.port, int) and not 1 <= self.port <= 65535:
            problems["port"] = f"must be 1 to 65535, got {self.port}"
        if (isinstance(self.reconnect_max_s, int | float)
                and isinstance(self.reconnect_min_s, int | float)
                and self.reconnect_max_s < self.reconnect_min_s):
            problems["reconnect_max_s"] = (f"must be at least reconnect_min_s "
                                           f"({self.reconnect_min_s:g}), got "
                                           f"{self.reconnect_max_s:g}")
        if problems:
            raise OptionProblems(problems)


def _checkpoint(translator: AmiTranslator) -> dict[str, Any]:
    """AMI cannot resume; the checkpoint only remembers who is waiting (see ``seed``)."""
    return {"waiting": translator.waiting()[-1000:]}


class LoginRefused(Exception):
    """Asterisk answered the Login action with an error."""


class _Manager(Manager):
    """panoramisk's Manager, minus its own reconnect: a lost link is reported to ``on_lost``."""

    def __init__(self, on_lost, **config: Any) -> None:
        super().__init__(**config)
        self._on_lost = on_lost

    def connection_lost(self, exc: Exception | None) -> None:
        self._connected = False
        if self.pinger:
            self.pinger.cancel()
            self.pinger = None
        self._on_lost(exc)


class AmiSource:
    """Connects, seeds, follows; reconnects with backoff until cancelled."""

    def __init__(self, options: AmiOptions) -> None:
        self.options = options

    async def run(self, ctx: SourceContext) -> None:
        """Keep a session up until cancelled."""
        opts = self.options
        if not (opts.secret or secret_from_env(opts.secret_env, os.environ)):
            ctx.set_status("down", f"no AMI secret: set {opts.secret_env} or options.secret")
            raise ValueError(f"asterisk_ami {ctx.name}: no secret (set {opts.secret_env})")
        translator = AmiTranslator(ctx.name, opts.emit, opts.queues, opts.leave_grace_s)
        if isinstance(ctx.checkpoint, dict):
            translator.restore(ctx.checkpoint.get("waiting"))
        delay = opts.reconnect_min_s
        ctx.set_status("starting", f"connecting to {opts.host}:{opts.port}")
        while True:
            seeded = False
            try:
                async for _ in self._session(ctx, translator):
                    seeded, delay = True, opts.reconnect_min_s
                reason = "connection closed by Asterisk"
            except LoginRefused as exc:
                reason = f"login refused: {exc}"
            except (OSError, TimeoutError, ConnectionError) as exc:
                reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            ctx.set_status("down", f"{opts.host}:{opts.port}: {reason}; retry in {delay:g}s")
            ctx.log.warning("AMI %s:%s: %s", opts.host, opts.port, reason)
            await asyncio.sleep(delay)
            if not seeded:
                delay = min(delay * 2, opts.reconnect_max_s)

    async def _session(self, ctx: SourceContext, translator: AmiTranslator):
        """One connection: yields once seeded, then returns or raises when it ends."""
        opts = self.options
        loop = asyncio.get_running_loop()
        inbox: asyncio.Queue[Any] = asyncio.Queue()
        lost: asyncio.Future = loop.create_future()

        def on_lost(exc: Exception | None) -> None:
            inbox.put_nowait(_LOST)
            if not lost.done():
                lost.set_result(exc)

        manager = _Manager(on_lost, host=opts.host, port=opts.port,
                           username=opts.username,
                           secret=opts.secret or secret_from_env(opts.secret_env, os.environ) or "",
                           events=opts.events or EVENT_CLASSES[opts.emit],
                           ping_delay=10**9, loop=loop)
        manager.register_event("*", lambda _manager, message: inbox.put_nowait(message))
        pinger: asyncio.Task | None = None
        try:
            async with asyncio.timeout(opts.connect_timeout_s):
                transport, protocol = await loop.create_connection(AMIProtocol, opts.host,
                                                                   opts.port)
            connected = loop.create_future()
            connected.set_result((transport, protocol))
            manager.connection_made(connected)
            reply = await self._reply(manager.authenticated_future, lost)
            if not reply.success:
                raise LoginRefused(reply.message or "error")
            status = await self._reply(manager.send_action({"Action": "QueueStatus"}), lost)
            replies = status if isinstance(status, list) else [status]
            await ctx.emit(translator.seed(replies, ctx.now()), _checkpoint(translator))
            ctx.set_status("live", f"connected to {opts.host}:{opts.port}")
            yield
            pinger = asyncio.create_task(self._ping(ctx, manager, inbox))
            await self._follow(ctx, translator, inbox)
        finally:
            if pinger is not None:
                pinger.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pinger
            manager.close()

    async def _reply(self, answer: asyncio.Future, lost: asyncio.Future) -> Any:
        """The answer to an action, unless the link drops or it takes too long."""
        done, _ = await asyncio.wait({answer, lost}, timeout=self.options.connect_timeout_s,
                                     return_when=asyncio.FIRST_COMPLETED)
        if answer in done:
            return answer.result()
        if lost in done:
            raise ConnectionError("connection closed by Asterisk")
        raise TimeoutError(f"no answer within {self.options.connect_timeout_s:g}s")

    async def _follow(self, ctx: SourceContext, translator: AmiTranslator,
                      inbox: asyncio.Queue) -> None:
        """Translate events in batches until the link is lost."""
        while True:
            first = None
            # asyncio.timeout, not wait_for: wait_for of Python 3.11 can swallow a cancellation
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1.0):
                    first = await inbox.get()
            batch = [first] if first is not None else []
            while not inbox.empty() and len(batch) < 1000:
                batch.append(inbox.get_nowait())
            now = ctx.now()
            events = []
            for message in batch:
                if message is _PING_UNANSWERED:
                    await self._flush(ctx, translator, events)
                    raise TimeoutError(f"no answer to Ping within "
                                       f"{self.options.connect_timeout_s:g}s")
                if message is _LOST:
                    await self._flush(ctx, translator, events)
                    return
                events.extend(translator.event(message, now))
            events.extend(translator.tick(now))
            await self._flush(ctx, translator, events)

    async def _flush(self, ctx: SourceContext, translator: AmiTranslator, events: list) -> None:
        for problem in translator.problems:
            ctx.skipped(problem)
        translator.problems.clear()
        if events:
            await ctx.emit(events, _checkpoint(translator))

    async def _ping(self, ctx: SourceContext, manager: Manager, inbox: asyncio.Queue) -> None:
        """Ask ``Ping`` now and then; no answer within the connect timeout = link lost; an
        answer = a quiet but healthy link (a heartbeat: not stale for the silence)."""
        opts = self.options
        while True:
            await asyncio.sleep(opts.ping_interval_s)
            try:
                async with asyncio.timeout(opts.connect_timeout_s):
                    await manager.send_action({"Action": "Ping"})
            except TimeoutError:
                inbox.put_nowait(_PING_UNANSWERED)
                return
            ctx.heartbeat()
