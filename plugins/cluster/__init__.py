"""The ``nats_site`` source: one site's events, read from its NATS JetStream stream.

An edge hub runs one per site (``[cluster] role = "edge"`` adds them; see
:func:`panneau.hub.cluster.edge_sources`). The checkpoint is the stream sequence and the site's
journal row id of the last message taken, journalled with the events: a restarted edge goes on
at the next sequence, and a message whose row id was already taken (a republish after the
server's de-duplication window) is dropped. On a group hub (``namespace``) each identifier
is prefixed with the site before it is journalled. The site's heartbeats (core NATS) tell a quiet
site from a cut one: without them for ``stale_after_s`` the source is ``stale``, naming the site.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

from panneau.hub.cluster.group import namespaced
from panneau.hub.cluster.stream import (
    HEADER_ROWID,
    MISSING_CLIENT,
    events_subject,
    heartbeat_subject,
)
from panneau.hub.events import event_from_dict
from panneau.hub.hookspecs import hookimpl
from panneau.hub.sources import SourceContext, SourceSpec

__all__ = ["NatsSiteOptions", "NatsSiteSource", "register_sources"]


@dataclass
class NatsSiteOptions:
    """Options of a ``nats_site`` source (an edge hub writes them from ``[cluster]``)."""

    site: str
    servers: list[str] = field(default_factory=lambda: ["nats://127.0.0.1:4222"])
    stream: str = "PANNEAU"
    stale_after_s: float = 10.0
    """Seconds without the site's heartbeat before its figures are flagged stale."""
    batch: int = 500
    """Most messages taken (and journalled) at once."""
    namespace: bool = False
    """A group hub's: every identifier as ``<site>:<id>`` (panneau.hub.cluster.group)."""
    backoff_max_s: float = 10.0


class NatsSiteSource:
    """Reads a site's stream after the checkpoint; reconnects with backoff until cancelled."""

    def __init__(self, options: NatsSiteOptions) -> None:
        self.options = options
        self.last_beat: float | None = None  # monotonic time of the site's last heartbeat
        self.seq = 0  # stream sequence of the last message taken
        self.rowid = 0  # the site's journal row id of the last event taken

    async def run(self, ctx: SourceContext) -> None:
        """Follow the stream until cancelled."""
        try:
            import nats  # noqa: F401 - checked here so the error names the missing package
        except ImportError:
            ctx.set_status("down", MISSING_CLIENT)
            raise
        opts = self.options
        where = ", ".join(opts.servers)
        position = ctx.checkpoint if isinstance(ctx.checkpoint, dict) else {}
        self.seq, self.rowid = int(position.get("seq", 0)), int(position.get("rowid", 0))
        ctx.set_status("starting", f"site {opts.site}: connecting to {where}")
        delay = 0.2
        while True:
            try:
                await self._session(ctx)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                ctx.set_status("down", f"site {opts.site}: {where}: {reason}; "
                                       f"retry in {delay:g}s")
            await asyncio.sleep(delay)
            delay = min(delay * 2, opts.backoff_max_s) if self.last_beat is None else 0.2

    async def _session(self, ctx: SourceContext) -> None:
        """One connection, until it fails."""
        import nats
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        opts = self.options
        nc = await nats.connect(opts.servers, connect_timeout=2, allow_reconnect=False,
                                name=f"panneau-edge-{opts.site}")
        try:
            await nc.subscribe(heartbeat_subject(opts.site), cb=self._beat)
            config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                                    opt_start_seq=self.seq + 1, ack_policy=AckPolicy.NONE,
                                    inactive_threshold=60.0)
            sub = await nc.jetstream().pull_subscribe(events_subject(opts.site), durable=None,
                                                      stream=opts.stream, config=config)
            while True:
                self._report(ctx)
                try:
                    messages = await sub.fetch(opts.batch, timeout=1.0)
                except TimeoutError:
                    continue
                events, seq, rowid = [], self.seq, self.rowid
                for msg in messages:
                    seq = msg.metadata.sequence.stream
                    row = int((msg.headers or {}).get(HEADER_ROWID, 0) or 0)
                    if row and row <= rowid:
                        continue  # taken already (a republish past the de-duplication window)
                    rowid = max(rowid, row)
                    try:
                        event = event_from_dict(json.loads(msg.data))
                        events.append(namespaced(event, opts.site) if opts.namespace
                                      else event)
                    except (ValueError, TypeError) as exc:
                        ctx.skipped(f"site {opts.site}, stream seq {seq}: {exc}")
                if messages:
                    await ctx.emit(events, {"seq": seq, "rowid": rowid})
                    self.seq, self.rowid = seq, rowid  # journalled: go on from here
        finally:
            with contextlib.suppress(Exception):
                await nc.close()

    async def _beat(self, _msg: Any) -> None:
        self.last_beat = time.monotonic()

    def _report(self, ctx: SourceContext) -> None:
        """``live`` while the site's heartbeats arrive, ``stale`` (naming the site) without."""
        site, limit = self.options.site, self.options.stale_after_s
        if self.last_beat is None:
            ctx.set_status("starting", f"site {site}: connected, waiting for its heartbeat")
            return
        silent = time.monotonic() - self.last_beat
        if silent > limit:
            ctx.set_status("stale", f"site {site}: no heartbeat for more than {limit:g}s "
                                    "(site hub or its link down)")
        else:
            ctx.set_status("live", f"site {site}: following the stream")


@hookimpl
def register_sources(register) -> None:
    register(SourceSpec(name="nats_site", factory=NatsSiteSource, options=NatsSiteOptions,
                        description="an edge hub's view of one site (NATS JetStream stream)"))
