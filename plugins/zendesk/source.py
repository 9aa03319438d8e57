"""The ``zendesk`` source: polls the incremental exports and emits ticket and survey events.

Checkpoint (one JSON object, journalled with the events of each page):
``mode`` (cursor or time), ``cursor`` (the export's ``after_cursor``), ``start_time`` (for the
time-based export, and the fallback point of the cursor one), ``tickets`` (the tracker state),
``sla_start``/``sla_seen`` (metric events export), ``csat_seen`` (ids of ratings emitted as
answers) and ``sent_seen`` (ids of ratings emitted as surveys sent).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from typing import Any

from panneau.hub.events import Event
from panneau.hub.sources import SourceContext
from panneau.hub.toolkit.fetch import Fetcher, FetchError
from panneau.hub.toolkit.polling import run_polling
from panneau.hub.toolkit.seen import SeenIds
from panneau.hub.toolkit.tickets import TicketTracker, renamed
from panneau.plugins.zendesk.mapping import (
    breach_event,
    page_snapshots,
    rating_response,
    rating_sent,
)
from panneau.plugins.zendesk.options import ZendeskOptions, client_settings

__all__ = ["ZendeskPoller", "ZendeskSource"]

CURSOR_PATH = "/api/v2/incremental/tickets/cursor.json"
TIME_PATH = "/api/v2/incremental/tickets.json"
METRIC_EVENTS_PATH = "/api/v2/incremental/ticket_metric_events.json"
RATINGS_PATH = "/api/v2/satisfaction_ratings.json"
#: Zendesk leaves out what changed in the last minute; asking closer to now is refused.
EXCLUSION_S = 61


class ZendeskPoller:
    """One poll of every enabled export; its state is the source checkpoint."""

    def __init__(self, ctx: SourceContext, fetcher: Fetcher, opts: ZendeskOptions) -> None:
        self.ctx, self.fetcher, self.opts = ctx, fetcher, opts
        cp: dict[str, Any] = ctx.checkpoint if isinstance(ctx.checkpoint, dict) else {}
        self.mode: str = cp.get("mode") or ("time" if opts.mode == "time" else "cursor")
        self.cursor: str | None = cp.get("cursor")
        self.start_time = int(cp.get("start_time", opts.start_time))
        self.tracker = TicketTracker(cp.get("tickets"), opts.max_tracked_tickets)
        self.sla_start = int(cp.get("sla_start", opts.start_time))
        self.sla_seen = SeenIds(cp.get("sla_seen", ()), 20000)
        self.csat_seen = SeenIds(cp.get("csat_seen", ()), 20000)
        self.sent_seen = SeenIds(cp.get("sent_seen", ()), 20000)

    def checkpoint(self) -> dict[str, Any]:
        """The state to store with the events just produced."""
        return {"mode": self.mode, "cursor": self.cursor, "start_time": self.start_time,
                "tickets": self.tracker.to_checkpoint(), "sla_start": self.sla_start,
                "sla_seen": self.sla_seen.to_list(), "csat_seen": self.csat_seen.to_list(),
                "sent_seen": self.sent_seen.to_list()}

    def _latest_start(self) -> int:
        return int(self.ctx.now()) - EXCLUSION_S

    async def poll_once(self) -> None:
        """Read every export up to its end of stream (bounded by ``max_pages_per_poll``)."""
        await self.poll_tickets()
        if self.opts.sla_breaches:
            await self.poll_metric_events()
        if self.opts.satisfaction:
            await self.poll_ratings()

    async def poll_tickets(self) -> None:
        """Page through the ticket export, emitting each page with its checkpoint."""
        for _ in range(self.opts.max_pages_per_poll):
            params: dict[str, Any] = {"per_page": self.opts.per_page}
            if self.opts.metric_sets:
                params["include"] = "metric_sets"
            if self.mode == "cursor":
                if self.cursor:
                    params["cursor"] = self.cursor
                else:
                    params["start_time"] = min(self.start_time, self._latest_start())
                try:
                    page, _ = await self.fetcher.get_json(CURSOR_PATH, params)
                except FetchError as exc:
                    if self.opts.mode != "auto" or exc.status not in (400, 403, 404):
                        raise
                    self.ctx.log.warning("%s: cursor export refused (%s); using the time-based "
                                         "export from %d", self.ctx.name, exc, self.start_time)
                    self.mode, self.cursor = "time", None
                    continue
                pos = f"cursor:{params.get('cursor', params.get('start_time'))}"
                events, done = self._tickets_page(page, pos)
                self.cursor = page.get("after_cursor") or self.cursor
            else:
                if self.start_time > self._latest_start():
                    return
                params["start_time"] = self.start_time
                page, _ = await self.fetcher.get_json(TIME_PATH, params)
                events, done = self._tickets_page(page, f"start_time:{self.start_time}")
                end_time = page.get("end_time")
                if isinstance(end_time, int) and end_time > self.start_time:
                    self.start_time = end_time
                else:
                    done = True
            await self.ctx.emit(events, checkpoint=self.checkpoint())
            if done:
                return

    def _tickets_page(self, page: dict[str, Any], pos: str) -> tuple[list[Event], bool]:
        snapshots, bad = page_snapshots(page, self.opts.clock)
        for detail in bad:
            self.ctx.skipped(f"{pos}: {detail}")
        events: list[Event] = []
        for snap in snapshots:
            snap = renamed(snap, self.opts.agents, self.opts.groups)
            events.extend(self.tracker.apply(snap, self.ctx.name, f"{pos}#{snap.ticket_id}"))
        for ticket in page.get("tickets") or ():
            stamp = ticket.get("generated_timestamp") if isinstance(ticket, dict) else None
            if self.mode == "cursor" and isinstance(stamp, int):
                self.start_time = max(self.start_time, stamp)
        return events, bool(page.get("end_of_stream", True))

    async def poll_metric_events(self) -> None:
        """Page through the ticket metric events export; each breach once."""
        for _ in range(self.opts.max_pages_per_poll):
            if self.sla_start > self._latest_start():
                return
            page, _ = await self.fetcher.get_json(METRIC_EVENTS_PATH,
                                                  {"start_time": self.sla_start})
            events = self._fresh(page.get("ticket_metric_events"), self.sla_seen,
                                 breach_event, "ticket metric event")
            end_time = page.get("end_time")
            more = isinstance(end_time, int) and end_time > self.sla_start
            if more:
                self.sla_start = end_time
            await self.ctx.emit(events, checkpoint=self.checkpoint())
            if not more or page.get("end_of_stream", not page.get("next_page")):
                return

    async def poll_ratings(self) -> None:
        """Read ratings in the look-back window: each rating id once as a survey sent (with
        ``surveys_sent``: all ratings are asked for, offered ones too) and once as an answer."""
        since = max(self.opts.start_time,
                    int(self.ctx.now() - self.opts.satisfaction_lookback_h * 3600))
        url: str | None = RATINGS_PATH
        params: dict[str, Any] | None = {"start_time": since}
        if not self.opts.surveys_sent:
            params["score"] = "received"
        for _ in range(self.opts.max_pages_per_poll):
            if url is None:
                return
            page, _ = await self.fetcher.get_json(url, params)
            rows = page.get("satisfaction_ratings")
            events = self._fresh(rows, self.sent_seen, self._rating_sent, "survey sent") if (
                self.opts.surveys_sent) else []
            events += self._fresh(rows, self.csat_seen, self._rating, "satisfaction rating")
            if events:
                await self.ctx.emit(events, checkpoint=self.checkpoint())
            url, params = self._next_ratings_page(page), None

    def _rating(self, rating: dict[str, Any], source: str, pos: str) -> Event | None:
        return self._agent_named(rating_response(rating, source, pos))

    def _rating_sent(self, rating: dict[str, Any], source: str, pos: str) -> Event | None:
        return self._agent_named(rating_sent(rating, source, pos))

    def _agent_named(self, event: Any) -> Event | None:
        """``event`` with its Zendesk agent id replaced by the configured agent name."""
        if event is not None and event.agent in self.opts.agents:
            event = dataclasses.replace(event, agent=self.opts.agents[event.agent])
        return event

    def _fresh(self, rows: Any, seen: SeenIds, convert: Callable[..., Event | None],
               what: str) -> list[Event]:
        """Events of rows whose ``id`` was not emitted before; a bad row is skipped."""
        events: list[Event] = []
        for row in rows or ():
            key = str(row.get("id")) if isinstance(row, dict) else ""
            if not key or key in seen:
                continue
            try:
                event = convert(row, self.ctx.name, f"{what.replace(' ', '_')}:{key}")
            except (ValueError, KeyError, TypeError) as exc:
                self.ctx.skipped(f"{what} {key}: {exc}")
                continue
            if event is not None:
                seen.add(key)
                events.append(event)
        return events

    def _next_ratings_page(self, page: dict[str, Any]) -> str | None:
        links, meta = page.get("links") or {}, page.get("meta") or {}
        nxt = links.get("next") if meta.get("has_more") else page.get("next_page")
        base = str(self.fetcher.client.base_url).rstrip("/")
        if nxt and not str(nxt).startswith(base):
            self.ctx.log.warning("%s: ignoring a next page on another host", self.ctx.name)
            return None
        return nxt or None


class ZendeskSource:
    """Polls a Zendesk account every ``poll_interval_s``."""

    def __init__(self, options: ZendeskOptions) -> None:
        self.options = options

    async def run(self, ctx: SourceContext) -> None:
        """Poll until cancelled; missing credentials stop it with a clear error."""
        opts = self.options
        await run_polling(ctx, opts, lambda: client_settings(opts, os.environ),
                          lambda fetcher: ZendeskPoller(ctx, fetcher, opts))
