"""The ``freshdesk`` source: polls ``GET /api/v2/tickets?updated_since=…&include=stats``.

Each poll pages through tickets updated since the checkpoint, oldest first, following the
``Link: <…>; rel="next"`` header. Checkpoint: ``updated_since`` (epoch of the newest update
seen; the next poll asks from there and the tracker drops what it already saw) and ``tickets``
(the tracker state).
"""

from __future__ import annotations

import os
from typing import Any

from panneau.hub.events import Event
from panneau.hub.sources import SourceContext
from panneau.hub.toolkit.fetch import Fetcher, FetchError
from panneau.hub.toolkit.polling import run_polling
from panneau.hub.toolkit.tickets import TicketTracker, renamed
from panneau.hub.toolkit.timeparse import iso_utc
from panneau.plugins.freshdesk.mapping import ticket_snapshot
from panneau.plugins.freshdesk.options import FreshdeskOptions, client_settings

__all__ = ["FreshdeskPoller", "FreshdeskSource"]

TICKETS_PATH = "/api/v2/tickets"


class FreshdeskPoller:
    """One poll of the ticket list; its state is the source checkpoint."""

    def __init__(self, ctx: SourceContext, fetcher: Fetcher, opts: FreshdeskOptions) -> None:
        self.ctx, self.fetcher, self.opts = ctx, fetcher, opts
        cp: dict[str, Any] = ctx.checkpoint if isinstance(ctx.checkpoint, dict) else {}
        self.updated_since = float(cp.get("updated_since", opts.start_time))
        self.tracker = TicketTracker(cp.get("tickets"), opts.max_tracked_tickets)

    def checkpoint(self) -> dict[str, Any]:
        """The state to store with the events just produced."""
        return {"updated_since": self.updated_since, "tickets": self.tracker.to_checkpoint()}

    async def poll_once(self) -> None:
        """Read every page of tickets updated since the checkpoint."""
        since = iso_utc(self.updated_since)
        for page_no in range(1, self.opts.max_pages_per_poll + 1):
            params = {"updated_since": since, "include": "stats", "order_by": "updated_at",
                      "order_type": "asc", "per_page": self.opts.per_page, "page": page_no}
            tickets, headers = await self.fetcher.get_json(TICKETS_PATH, params)
            if not isinstance(tickets, list):
                raise FetchError(f"{TICKETS_PATH}: expected a list of tickets")
            events: list[Event] = []
            for i, ticket in enumerate(tickets):
                where = f"updated_since={since} page {page_no} [{i}]"
                try:
                    snap = renamed(ticket_snapshot(ticket, self.opts.custom_statuses),
                                   self.opts.agents, self.opts.groups)
                except (ValueError, TypeError, AttributeError) as exc:
                    self.ctx.skipped(f"{where}: {exc}")
                    continue
                events.extend(self.tracker.apply(snap, self.ctx.name, f"{where}#{snap.ticket_id}"))
                self.updated_since = max(self.updated_since, snap.updated)
            await self.ctx.emit(events, checkpoint=self.checkpoint())
            if not tickets or 'rel="next"' not in headers.get("link", ""):
                return


class FreshdeskSource:
    """Polls a Freshdesk helpdesk every ``poll_interval_s``."""

    def __init__(self, options: FreshdeskOptions) -> None:
        self.options = options

    async def run(self, ctx: SourceContext) -> None:
        """Poll until cancelled; settings that cannot work stop it with a clear error."""
        opts = self.options

        def settings() -> dict[str, Any]:
            return client_settings(opts, os.environ)

        await run_polling(ctx, opts, settings, lambda f: FreshdeskPoller(ctx, f, opts))
