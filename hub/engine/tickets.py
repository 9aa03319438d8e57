"""Tickets: created, solved, backlog, first response, resolution, reopens, one-touch, SLA.

Rules:

- A ticket counts in site, the teams of its helpdesk group, its assignee and the assignee's
  teams. A ticket first seen through an update (created before the hub saw it) is tracked
  but never counted as created, and has no first-response or resolution time unless its
  ``TicketMetrics`` give one.
- A solve is a change into solved/closed (``TicketSolved`` or an update); a reopen a change out
  of it. Each solve counts: resolution time (creation to this solve, hours), whether the
  ticket was ever reopened, and one-touch (exactly one public agent reply, never reopened).
- First response time counts once per ticket, at the first public agent reply (or from the
  helpdesk's own ``first_reply_min`` when that comes first), in minutes.
- Backlog is the number of tickets whose status is in ``kpi.backlog_statuses`` right now; it is
  a level, so every window shows the current value. ``tickets_pending`` is the same level for
  ``kpi.pending_statuses`` (waiting on the customer or a third party).
- Tickets per agent: a solve with an assignee counts in ``agent_solved``; the first such solve
  of an agent on a working day in a scope counts one ``agent_days`` there, so
  ``tickets_per_agent`` is solves per agent who solved, per working day (today and periods).
- Escalations to level 2: see :mod:`panneau.hub.engine.escalations`.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from panneau.hub import events as ev
from panneau.hub.catalogue import CHANNELS, TICKET_TYPES
from panneau.hub.config import Config
from panneau.hub.engine.bad import BadEvents, is_duration
from panneau.hub.engine.exact import exact
from panneau.hub.engine.scopes import SITE, Scopes
from panneau.hub.engine.windows import ROLLING, Sums, Tallies, minute_of

__all__ = ["CHANNELS", "TICKET_TYPES", "Tickets", "ticket_kpis"]

_CHANNEL_ALIASES = {"voice": "phone", "portal": "web", "widget": "web", "mail": "email",
                    "feedback_widget": "web", "outbound_email": "email", "messaging": "chat"}
_SOLVED = frozenset({"solved", "closed"})


@dataclass(slots=True)
class _Ticket:
    created: float | None
    status: str = "new"
    group: str | None = None
    assignee: str | None = None
    replies: int = 0
    reopened: bool = False
    frt_done: bool = False
    resolution_pending: bool = False


def channel_key(channel: str | None) -> str:
    """``tickets_via_<channel>`` for a vendor channel name."""
    name = (channel or "other").lower()
    name = _CHANNEL_ALIASES.get(name, name)
    return f"tickets_via_{name if name in CHANNELS else 'other'}"


def type_key(ticket_type: str | None) -> str:
    """``tickets_type_<type>`` for a helpdesk ticket type (case, spaces and dashes ignored:
    Freshdesk's "Feature Request" is ``feature_request``)."""
    name = "_".join((ticket_type or "").lower().replace("-", " ").split()) or "unspecified"
    return f"tickets_type_{name if name in TICKET_TYPES else 'other'}"


#: A solve within this many hours of the ticket's creation counts in ``resolved_24h_pct``.
RESOLVED_WITHIN_H = 24.0


def _resolution(hours: float) -> Sums:
    """The sums of one resolution time (creation to solve, hours)."""
    amounts: Sums = {"resolution_sum_h": exact(hours), "resolution_n": 1}
    if hours <= RESOLVED_WITHIN_H:
        amounts["resolved_24h"] = 1
    return amounts


_SHARE_KEYS = (*(f"tickets_via_{c}" for c in CHANNELS),
               *(f"tickets_type_{t}" for t in TICKET_TYPES))


def ticket_kpis(s: Sums, out: dict[str, float], whole_days: bool = True) -> None:
    """The ticket KPIs that follow from sums alone (not the backlog, not the median).
    ``whole_days``: the sums cover whole working days (today, a period), not a rolling window,
    so the solves per agent-day hold."""
    g = s.get
    if whole_days and (agent_days := g("agent_days", 0.0)) > 0:
        out["tickets_per_agent"] = g("agent_solved", 0.0) / agent_days
    out["tickets_created"] = g("tickets_created", 0.0)
    out["tickets_solved"] = g("tickets_solved", 0.0)
    out["sla_breaches"] = g("sla_breaches", 0.0)
    for key in _SHARE_KEYS:
        if (count := g(key)) is not None:
            out[key] = count
    if (n := g("frt_n", 0.0)) > 0:
        out["frt_avg_min"] = max(0.0, g("frt_sum_min", 0.0) / n)
    if (n := g("resolution_n", 0.0)) > 0:
        out["resolution_avg_h"] = max(0.0, g("resolution_sum_h", 0.0) / n)
        out["resolved_24h_pct"] = min(100.0, 100.0 * g("resolved_24h", 0.0) / n)
    if (solved := g("tickets_solved", 0.0)) > 0:
        out["reopen_rate_pct"] = min(100.0, 100.0 * g("solved_reopened", 0.0) / solved)
        out["one_touch_pct"] = min(100.0, 100.0 * g("one_touch", 0.0) / solved)


class Tickets:
    """Ticket records, their contributions and the backlog."""

    def __init__(self, config: Config, scopes: Scopes, tallies: Tallies,
                 bad: BadEvents) -> None:
        self.backlog_statuses = frozenset(config.kpi.backlog_statuses)
        self.pending_statuses = frozenset(config.kpi.pending_statuses)
        self.level2 = frozenset(config.kpi.level2_groups)
        self.scopes = scopes
        self.tallies = tallies
        self.bad = bad
        self.tickets: dict[str, _Ticket] = {}
        self.backlog: dict[str, int] = {}
        self.pending: dict[str, int] = {}
        #: (agent, scope) pairs that solved on working day ``solver_day``.
        self.solver_day = 0
        self.solvers: set[tuple[str, str]] = set()
        self.seen: set[str] = set()
        #: scope -> [(minute, first response minutes)] for the median.
        self.frt: dict[str, list[tuple[int, float]]] = {}


    def to_data(self) -> dict:
        """Tickets, backlog and first-response samples, as plain data."""
        return {"tickets": [[tid, t.created, t.status, t.group, t.assignee, t.replies,
                             t.reopened, t.frt_done, t.resolution_pending]
                            for tid, t in self.tickets.items()],
                "backlog": list(self.backlog.items()), "seen": sorted(self.seen),
                "pending": list(self.pending.items()), "solver_day": self.solver_day,
                "solvers": sorted(self.solvers),
                "frt": [[scope, [list(s) for s in samples]]
                        for scope, samples in self.frt.items()]}

    def load_data(self, data: dict) -> None:
        """Take back what :meth:`to_data` gave."""
        self.tickets = {row[0]: _Ticket(*row[1:]) for row in data["tickets"]}
        self.backlog = dict(data["backlog"])
        self.pending = dict(data["pending"])
        self.solver_day = data["solver_day"]
        self.solvers = {(agent, scope) for agent, scope in data["solvers"]}
        self.seen = set(data["seen"])
        self.frt = {scope: [(m, v) for m, v in samples] for scope, samples in data["frt"]}

    def scopes_of(self, ticket_id: str) -> tuple[str, ...]:
        """The scopes a known ticket counts in (empty when unknown)."""
        ticket = self.tickets.get(ticket_id)
        return self._scopes(ticket) if ticket else ()

    def _scopes(self, t: _Ticket) -> tuple[str, ...]:
        parts = [SITE, *self.scopes.group(t.group)]
        if t.assignee:
            parts += [s for s in self.scopes.agent(t.assignee) if s not in parts]
        return tuple(parts)

    def _add(self, ts: float, t: _Ticket, amounts: Sums) -> None:
        scopes = self._scopes(t)
        self.seen.update(scopes)
        self.tallies.add(ts, scopes, amounts)

    def _backlog(self, t: _Ticket, sign: int) -> None:
        if t.status in self.backlog_statuses:
            self._level(self.backlog, t, sign)
        if t.status in self.pending_statuses:
            self._level(self.pending, t, sign)

    def _level(self, level: dict[str, int], t: _Ticket, sign: int) -> None:
        for scope in self._scopes(t):
            level[scope] = level.get(scope, 0) + sign
            self.tallies.dirty.add(scope)
            self.seen.add(scope)

    def apply(self, event: ev.Event) -> None:
        """Count one ticket event."""
        ticket = self.tickets.get(event.ticket_id)  # type: ignore[attr-defined]
        if isinstance(event, ev.TicketCreated):
            if ticket is not None:
                self.bad.note("duplicate_ticket")
                return
            ticket = self.tickets[event.ticket_id] = _Ticket(
                event.ts, event.status, event.group, event.assignee)
            self._backlog(ticket, +1)
            self._add(event.ts, ticket, {"tickets_created": 1, channel_key(event.channel): 1,
                                         type_key(event.ticket_type): 1})
            return
        if ticket is None:
            ticket = _Ticket(None, "unknown")
            self.tickets[event.ticket_id] = ticket  # type: ignore[attr-defined]
        match event:
            case ev.TicketUpdated(status=status):
                self._change(event, ticket, status)
            case ev.TicketReplied(ts=ts):
                ticket.replies += 1
                if not ticket.frt_done and ticket.created is not None:
                    self._first_reply(ts, ticket, (ts - ticket.created) / 60.0)
            case ev.TicketSolved():
                self._change(event, ticket, "solved")
            case ev.TicketReopened():
                self._change(event, ticket, "open")
            case ev.TicketMetrics():
                self._metrics(event, ticket)
            case ev.TicketSlaBreached(ts=ts):
                self._add(ts, ticket, {"sla_breaches": 1})

    def _change(self, event: ev.Event, t: _Ticket, status: str | None) -> None:
        """Apply new fields and status, counting solves and reopens."""
        self._backlog(t, -1)
        group = getattr(event, "group", None)
        if self.level2 and group in self.level2 and t.group is not None \
                and t.group not in self.level2:
            self._add(event.ts, t, {"tickets_escalated": 1})  # where it was before the move
        for name in ("group", "assignee"):
            value = getattr(event, name, None)
            if value is not None:
                setattr(t, name, value)
        before, t.status = t.status, status or t.status
        self._backlog(t, +1)
        if t.status in _SOLVED and before not in _SOLVED:
            self._solved(event.ts, t)
        elif before in _SOLVED and t.status not in _SOLVED and t.status != "deleted":
            t.reopened = True

    def _solved(self, ts: float, t: _Ticket) -> None:
        amounts: Sums = {"tickets_solved": 1}
        if t.reopened:
            amounts["solved_reopened"] = 1
        if t.replies == 1 and not t.reopened:
            amounts["one_touch"] = 1
        if self.level2 and t.group not in self.level2:
            amounts["l1_solved"] = 1
        if t.assignee:
            amounts["agent_solved"] = 1
            self._agent_day(ts, t)
        if t.created is not None:
            hours = (ts - t.created) / 3600.0
            if not is_duration(hours):
                self.bad.note("end_before_start")
            else:
                amounts |= _resolution(hours)
        else:
            t.resolution_pending = True
        self._add(ts, t, amounts)

    def _agent_day(self, ts: float, t: _Ticket) -> None:
        """One ``agent_days`` in each scope where the assignee solves first on this day."""
        day = self.tallies.clock.day(ts)
        if day != self.solver_day:
            if day < self.solver_day:
                return  # a solve of a past day after a later one: its agent-day is unknown
            self.solver_day, self.solvers = day, set()
        fresh = [scope for scope in self._scopes(t) if (t.assignee, scope) not in self.solvers]
        if fresh:
            self.solvers.update((t.assignee, scope) for scope in fresh)  # type: ignore[misc]
            self.tallies.add(ts, fresh, {"agent_days": 1})

    def _first_reply(self, ts: float, t: _Ticket, minutes: float) -> None:
        t.frt_done = True
        if not is_duration(minutes):
            self.bad.note("negative_duration")
            return
        self._add(ts, t, {"frt_sum_min": exact(minutes), "frt_n": 1})
        minute = minute_of(ts)
        for scope in self._scopes(t):
            self.frt.setdefault(scope, []).append((minute, minutes))

    def _metrics(self, event: ev.TicketMetrics, t: _Ticket) -> None:
        if event.replies is not None:
            t.replies = max(t.replies, event.replies)
        if event.reopens:
            t.reopened = True
        if event.first_reply_min is not None and not t.frt_done:
            # counted when the reply happened (created + FRT), not when the source learnt of it
            at = event.ts if t.created is None else t.created + event.first_reply_min * 60.0
            self._first_reply(min(at, event.ts), t, event.first_reply_min)
        full = event.full_resolution_min
        if full is not None and t.resolution_pending and is_duration(full):
            t.resolution_pending = False
            self._add(event.ts, t, _resolution(full / 60.0))

    def _median(self, scope: str, window: str, now: float) -> float | None:
        samples = self.frt.get(scope)
        if not samples:
            return None
        if window == "today":
            start = minute_of(self.tallies.clock.start(now))
            end = minute_of(now)
        else:
            end = minute_of(now)
            start = end - ROLLING[window] + 1
        values = [v for minute, v in samples if start <= minute <= end]
        if len(samples) > 4096:
            horizon = minute_of(now) - 2 * 24 * 60
            self.frt[scope] = [(m, v) for m, v in samples if m >= horizon]
        return statistics.median(values) if values else None

    def kpis(self, scope: str, window: str, now: float, s: Sums, out: dict[str, float]) -> None:
        """Ticket KPIs of one scope's sums over ``window``."""
        if scope not in self.seen:
            return
        ticket_kpis(s, out, whole_days=window == "today")
        out["backlog"] = float(self.backlog.get(scope, 0))
        out["tickets_pending"] = float(self.pending.get(scope, 0))
        if "frt_avg_min" in out:
            median = self._median(scope, window, now)
            if median is not None:
                out["frt_median_min"] = median

    def now(self) -> dict[str, dict[str, float]]:
        """The backlog per scope, now."""
        return {scope: {"backlog": float(self.backlog.get(scope, 0)),
                        "tickets_pending": float(self.pending.get(scope, 0))}
                for scope in self.seen}
