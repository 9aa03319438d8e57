"""From successive ticket snapshots (what a helpdesk export returns) to ticket events.

Rules kept here for every helpdesk source:

- A snapshot older than or as old as the last one seen for that ticket is a duplicate and yields
  nothing (dedupe on ``(id, updated)``).
- The first snapshot of a ticket yields ``TicketCreated`` (at its creation time, with its
  current status, or ``new`` when it is already solved: the solve follows); later ones yield
  ``TicketUpdated``. A ticket first seen deleted yields nothing.
- Entering solved/closed from anything else yields ``TicketSolved``; leaving solved/closed for
  an open status yields ``TicketReopened``; ``deleted`` is just a status (it leaves the backlog).
- ``TicketMetrics`` is emitted when the helpdesk's own figures change; each SLA breach once.

The tracker's state goes into the source checkpoint so a restart neither re-creates tickets nor
repeats breaches. It keeps at most ``limit`` tickets, forgetting the least recently updated.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from panneau.hub.events import (
    Event,
    TicketCreated,
    TicketMetrics,
    TicketReopened,
    TicketSlaBreached,
    TicketSolved,
    TicketUpdated,
)

__all__ = [
    "OPEN_STATUSES",
    "SOLVED_STATUSES",
    "STATUSES",
    "TicketSnapshot",
    "TicketTracker",
    "renamed",
]

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
    ticket_type: str | None = None
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


def renamed(snap: TicketSnapshot, agents: Mapping[str, str],
            groups: Mapping[str, str]) -> TicketSnapshot:
    """The snapshot with helpdesk user and group ids replaced by the names the config uses."""
    if not agents and not groups:
        return snap
    return dataclasses.replace(
        snap,
        assignee=agents.get(snap.assignee, snap.assignee) if snap.assignee else None,
        group=groups.get(snap.group, snap.group) if snap.group else None,
    )


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
        """Events for one snapshot (possibly none) and remember it.

        Order: created (first sight), metrics, the update, then solved or reopened; the update
        that solves a ticket is dated at its solve time when the helpdesk gives one.
        """
        prev = self._state.get(snap.ticket_id)
        if prev is not None and snap.updated <= prev[0]:
            return []
        common: dict[str, Any] = {"source": source, "source_pos": pos, "ticket_id": snap.ticket_id}
        fields = {"channel": snap.channel, "group": snap.group, "assignee": snap.assignee,
                  "priority": snap.priority, "ticket_type": snap.ticket_type}
        events: list[Event] = []
        breached: list[str] = list(prev[2]) if prev else []
        metrics_key = snap.metrics_key()
        if prev is None and snap.status == "deleted":
            self._remember(snap, breached, metrics_key)
            return []
        if prev is None:
            before = "new" if snap.status in SOLVED_STATUSES else snap.status
            created = snap.created if snap.created is not None else snap.updated
            events.append(TicketCreated(ts=created, status=before, **common, **fields))
        else:
            before = prev[1]
        solving = snap.status in SOLVED_STATUSES and before not in SOLVED_STATUSES
        when = snap.updated
        if solving and snap.solved_at is not None and snap.solved_at <= snap.updated:
            when = snap.solved_at
        if metrics_key is not None and (prev is None or prev[3] != metrics_key):
            # dated no later than the solve, so that it counts with what they tell (a reopen):
            # the engine takes events in time order
            events.append(TicketMetrics(
                ts=when, first_reply_min=snap.first_reply_min,
                first_resolution_min=snap.first_resolution_min,
                full_resolution_min=snap.full_resolution_min, reopens=snap.reopens,
                replies=snap.replies, **common))
        if prev is not None or snap.status != before:
            events.append(TicketUpdated(ts=when, status=snap.status, **common, **fields))
        if solving:
            events.append(TicketSolved(ts=when, agent=snap.assignee, **common))
        elif before in SOLVED_STATUSES and snap.status in OPEN_STATUSES:
            events.append(TicketReopened(ts=snap.updated, **common))
        for metric, at in snap.breaches:
            if metric not in breached:
                breached.append(metric)
                events.append(TicketSlaBreached(ts=at, metric=metric, **common))
        self._remember(snap, breached, metrics_key if metrics_key is not None else
                       (prev[3] if prev else None))
        return events

    def _remember(self, snap: TicketSnapshot, breached: list[str], metrics_key: str | None) -> None:
        self._state[snap.ticket_id] = [snap.updated, snap.status, breached, metrics_key]
        if len(self._state) > self.limit * 1.1:
            keep = sorted(self._state.items(), key=lambda kv: kv[1][0])[-self.limit:]
            self._state = dict(keep)
