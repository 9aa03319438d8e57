"""A site hub's outbox: every journalled event, in journal order, onto the site's stream.

The journal is the outbox. The cursor (the last row id the server acknowledged) is kept as the
checkpoint of the pseudo-source ``@cluster-outbox`` in the same database, written after each
acknowledged batch. After a crash the rows after the cursor are published again with the same
message ids (``<site>:<rowid>``): the server drops those it already holds (de-duplication
window), and edges drop any row id they already took. Sources and screens never wait for
NATS: a cut link only grows the backlog, published in order when the link returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from panneau.hub.cluster.stream import (
    HEADER_ROWID,
    HEADER_SITE,
    MISSING_CLIENT,
    events_subject,
    heartbeat_subject,
    message_id,
    stream_subjects,
)
from panneau.hub.config.schema import ClusterSettings
from panneau.hub.server.journal import Journal

__all__ = ["CURSOR_SOURCE", "StreamOutbox"]

log = logging.getLogger(__name__)
CURSOR_SOURCE = "@cluster-outbox"
BATCH_ROWS = 500


class StreamOutbox:
    """Publishes the journal after its cursor; reconnects with backoff until cancelled."""

    def __init__(self, journal: Journal, settings: ClusterSettings,
                 clock: Callable[[], float] = time.time, backoff_max_s: float = 10.0) -> None:
        assert settings.site, "a site hub has a site name (checked with the config)"
        self.journal, self.settings, self.clock = journal, settings, clock
        self.site: str = settings.site
        self.backoff_max_s = backoff_max_s
        stored = journal.checkpoint(CURSOR_SOURCE)
        self.cursor: int = stored.get("rowid", 0) if isinstance(stored, dict) else 0
        self.connected = False
        self.published = 0
        self.duplicates = 0
        self.error = ""
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New rows were journalled: publish them soon."""
        self._wake.set()

    def public(self) -> dict[str, Any]:
        """The outbox's state for ``/healthz``."""
        return {"role": "site", "site": self.site, "connected": self.connected,
                "published": self.published, "duplicates": self.duplicates,
                "cursor": self.cursor, "backlog": self.journal.rows_after_count(self.cursor),
                "error": self.error}

    async def run(self) -> None:
        """Keep publishing until cancelled."""
        try:
            import nats
        except ImportError:
            self.error = MISSING_CLIENT
            log.error("%s", MISSING_CLIENT)
            raise
        delay = 0.2
        while True:
            nc = None
            lost = asyncio.Event()

            async def on_lost(lost: asyncio.Event = lost) -> None:
                self.connected = False
                lost.set()

            try:
                nc = await nats.connect(self.settings.servers, connect_timeout=2,
                                        allow_reconnect=False, closed_cb=on_lost,
                                        disconnected_cb=on_lost,
                                        name=f"panneau-site-{self.site}")
                js = nc.jetstream()
                await self._ensure_stream(js)
                self.connected, self.error, delay = True, "", 0.2
                log.info("cluster: site %s publishing to %s", self.site,
                         ", ".join(self.settings.servers))
                await _until_lost(self._publish_forever(nc, js), lost)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                if self.connected:
                    log.warning("cluster: site %s lost the stream: %s", self.site, self.error)
            finally:
                self.connected = False
                if nc is not None:
                    with contextlib.suppress(Exception):
                        await nc.close()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.backoff_max_s)

    async def _ensure_stream(self, js: Any) -> None:
        from nats.js.api import StreamConfig
        from nats.js.errors import NotFoundError

        config = StreamConfig(name=self.settings.stream, subjects=stream_subjects(),
                              duplicate_window=self.settings.duplicate_window_s)
        try:
            await js.stream_info(self.settings.stream)
        except NotFoundError:
            with contextlib.suppress(Exception):  # another site may create it at the same time
                await js.add_stream(config)
            await js.stream_info(self.settings.stream)

    async def _publish_forever(self, nc: Any, js: Any) -> None:
        subject, beat = events_subject(self.site), heartbeat_subject(self.site)
        next_beat = 0.0
        while True:
            rows = self.journal.rows_after(self.cursor, BATCH_ROWS)
            if rows:
                await self._publish(js, subject, rows)
            now = time.monotonic()
            if now >= next_beat:
                body = json.dumps({"site": self.site, "ts": self.clock(), "rowid": self.cursor})
                await nc.publish(beat, body.encode())
                await nc.flush(timeout=5)
                next_beat = now + self.settings.heartbeat_s
            if not rows:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(max(0.0, next_beat - time.monotonic())):
                        await self._wake.wait()

    async def _publish(self, js: Any, subject: str, rows: list[tuple[int, str]]) -> None:
        # Tasks write their PUBs in creation order on one connection: the stream keeps the
        # journal's order while the acknowledgements are awaited together.
        acks = await asyncio.gather(*(
            js.publish(subject, data.encode(), timeout=10, headers={
                "Nats-Msg-Id": message_id(self.site, rowid), HEADER_ROWID: str(rowid),
                HEADER_SITE: self.site}) for rowid, data in rows))
        self.duplicates += sum(1 for ack in acks if ack.duplicate)
        self.published += len(rows)
        self.cursor = rows[-1][0]
        self.journal.accept(CURSOR_SOURCE, [], {"rowid": self.cursor}, True, self.clock())


async def _until_lost(work: Any, lost: asyncio.Event) -> None:
    """Run ``work`` until it ends or the connection is lost (a publish waiting for its
    acknowledgement from a dead server would otherwise wait for its whole timeout)."""
    task = asyncio.ensure_future(work)
    watch = asyncio.ensure_future(lost.wait())
    try:
        await asyncio.wait({task, watch}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watch.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
    if task.done() and not task.cancelled() and task.exception() is not None:
        raise task.exception()  # type: ignore[misc]
    raise ConnectionError("lost the NATS server")
