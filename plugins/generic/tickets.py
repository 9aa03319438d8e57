"""From successive ticket snapshots (what a helpdesk export returns) to ticket events.

Rules kept here for every helpdesk source:

- A snapshot older than or as old as the last one seen for that ticket is a duplicate and yields
  nothing (dedupe on ``(id, updated)``).
- The first snapshot of a ticket yields ``TicketCreated`` (at its creation time, with its
  current status); later ones yield ``TicketUpdated``. A ticket first seen deleted yields nothing.
- Entering solved/closed from anything else yields ``TicketSolved``; leaving solved/closed for
  an open status yields ``TicketReopened``; ``deleted`` is just a status (it leaves the backlog).
- ``TicketMetrics`` is emitted when the helpdesk's own figures change; each SLA breach once.

The tracker's state goes into the source checkpoint so a restart neither re-creates tickets nor
repeats breaches. It keeps at most ``limit`` tickets, forgetting the least recently updated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hub.events import (
    Event,
    TicketCreated,
    TicketMetrics,
    TicketReopened,
    TicketSlaBreached,
    TicketSolved,
    TicketUpdated,
)

__all__ = ["OPEN_STATUSES", "SOLVED_STATUSES", "STATUSES", "TicketSnapshot", "TicketTracker"]

OPEN_STATUSES = frozenset({"new", "open", "pending", "hold"})
SOLVED_STATUSES = frozenset({"solved", "closed"})
STATUSES = OPEN_STATUSES | SOLVED_STATUSES | {"deleted"}


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketSnapshot:
    """A ticket as a helpdesk reports it now, already normalised (status is a category)."""

    ticket_id: str
    updated: float
    status: str
    created: float | None = None
    channel: str | None = None
    group: str | None = None
    assignee: str | None = None
    priority: str | None = None
    solved_at: float | None = None
    first_reply_min: float | None = None
    first_resolution_min: float | None = None
    full_resolution_min: float | None = None
    reopens: int | None = None
    replies: int | None = None
    breaches: tuple[tuple[str, float], ...] = ()

    def metrics_key(self) -> str | None:
        """A fingerprint of the helpdesk figures, ``None`` when it gave none."""
        values = (self.first_reply_min, self.first_resolution_min, self.full_resolution_min,
                  self.reopens, self.replies)
        return None if all(v is None for v in values) else json.dumps(values)


class TicketTracker:
    """Remembers the last state of each ticket and turns new snapshots into events."""

    def __init__(self, state: dict[str, Any] | None = None, limit: int = 20000) -> None:
        self.limit = max(1, limit)
        self._state: dict[str, list[Any]] = {}
        for ticket_id, entry in (state or {}).items():
            if isinstance(entry, list) and len(entry) == 4:
                self._state[str(ticket_id)] = entry

    def __len__(self) -> int:
        return len(self._state)

    def status_of(self, ticket_id: str) -> str | None:
        """The last status seen for a ticket."""
        entry = self._state.get(ticket_id)
        return entry[1] if entry else None

    def to_checkpoint(self) -> dict[str, list[Any]]:
        """A JSON-friendly copy of the state."""
        return {k: list(v) for k, v in self._state.items()}

    def apply(self, snap: TicketSnapshot, source: str, pos: str) -> list[Event]:
        """Events for one snapshot (possibly none) and remember it."""
        prev = self._state.get(snap.ticket_id)
        if prev is not None and snap.updated <= prev[0]:
            return []
        common: dict[str, Any] = {"source": source, "source_pos": pos, "ticket_id": snap.ticket_id}
        fields = {"status": snap.status, "channel": snap.channel, "group": snap.group,
                  "assignee": snap.assignee, "priority": snap.priority}
        events: list[Event] = []
        breached: list[str] = list(prev[2]) if prev else []
        metrics_key = snap.metrics_key()
        if prev is None and snap.status == "deleted":
            self._remember(snap, breached, metrics_key)
            return []
        if prev is None:
            created = snap.created if snap.created is not None else snap.updated
            events.append(TicketCreated(ts=created, **common, **fields))
            was_solved = False
        else:
            events.append(TicketUpdated(ts=snap.updated, **common, **fields))
            was_solved = prev[1] in SOLVED_STATUSES
        if snap.status in SOLVED_STATUSES and not was_solved:
            when = snap.solved_at if snap.solved_at is not None else snap.updated
            events.append(TicketSolved(ts=when, agent=snap.assignee, **common))
        elif was_solved and snap.status in OPEN_STATUSES:
            events.append(TicketReopened(ts=snap.updated, **common))
        if metrics_key is not None and (prev is None or prev[3] != metrics_key):
            events.append(TicketMetrics(
                ts=snap.updated, first_reply_min=snap.first_reply_min,
                first_resolution_min=snap.first_resolution_min,
                full_resolution_min=snap.full_resolution_min, reopens=snap.reopens,
                replies=snap.replies, **common))
        for metric, when in snap.breaches:
            if metric not in breached:
                breached.append(metric)
                events.append(TicketSlaBreached(ts=when, metric=metric, **common))
        self._remember(snap, breached, metrics_key if metrics_key is not None else
                       (prev[3] if prev else None))
        return events

    def _remember(self, snap: TicketSnapshot, breached: list[str], metrics_key: str | None) -> None:
        self._state[snap.ticket_id] = [snap.updated, snap.status, breached, metrics_key]
        if len(self._state) > self.limit * 1.1:
            keep = sorted(self._state.items(), key=lambda kv: kv[1][0])[-self.limit:]
            self._state = dict(keep)
