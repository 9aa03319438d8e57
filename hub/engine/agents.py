"""Agent states now, time in state, and the agent-time sums behind occupancy.

Rules:

- An agent is a member of a queue from ``AgentLoggedIn(queue)`` until ``AgentLoggedOut``; any
  call, ring, pause or status event naming a queue also makes them a member (Asterisk static
  members never log in). ``queue=None`` means every queue.
- State, first match wins: ``on_call`` (a call answered and not ended), ``logged_out`` (member of
  no queue), ``ringing``, ``paused`` (paused everywhere or in every queue they are in; ``wrapup``
  instead when the pause reason is a wrap-up reason), ``wrapup`` (within ``kpi.wrapup_s`` after a
  call), ``logged_out`` for a device reported unavailable, else ``available``.
- Agent time is added to the sums (``t_work``: available, ringing, on call or wrap-up;
  ``t_busy``: on call or wrap-up) at each event of the agent and, at a snapshot, up to the start
  of the current minute — so figures do not depend on when snapshots were taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hub import events as ev
from hub.engine.bad import BadEvents
from hub.engine.scopes import SITE, Scopes
from hub.engine.snapshot import AgentNow
from hub.engine.windows import Tallies, spread

__all__ = ["AgentBook", "AgentRecord"]

_WORK = frozenset({"available", "ringing", "on_call", "wrapup"})
_BUSY = frozenset({"on_call", "wrapup"})
#: Agent time older than this before the instant it is accrued at cannot reach any window.
_HORIZON_S = 2 * 86400.0


@dataclass(slots=True)
class AgentRecord:
    """Everything known about one agent."""

    name: str
    accrued_to: float
    since: float
    state: str = "logged_out"
    logged: set[str] = field(default_factory=set)
    everywhere: bool = False
    known: set[str] = field(default_factory=set)
    paused_all: bool = False
    paused_q: set[str] = field(default_factory=set)
    reason: str | None = None
    paused_since: float = 0.0
    calls: set[str] = field(default_factory=set)
    rings: set[str] = field(default_factory=set)
    device: str | None = None
    wrapup_until: float = 0.0
    last_queue: str | None = None
    view: AgentNow | None = None

    def members(self) -> set[str]:
        """Queues the agent is in now."""
        return self.known if self.everywhere else self.logged

    def is_paused(self) -> bool:
        """Paused everywhere, or in every queue they are in."""
        if self.paused_all:
            return True
        members = self.members()
        return bool(self.paused_q) and bool(members) and members <= self.paused_q


class AgentBook:
    """Agent records and their effect on the sums."""

    def __init__(self, scopes: Scopes, tallies: Tallies, wrapup_s: float,
                 wrap_reasons: list[str], bad: BadEvents) -> None:
        self.scopes = scopes
        self.tallies = tallies
        self.wrapup_s = wrapup_s
        self.wrap_reasons = frozenset(wrap_reasons)
        self.bad = bad
        self.agents: dict[str, AgentRecord] = {}
        self.ringing: dict[str, set[str]] = {}
        self.on_call: dict[str, str] = {}
        #: queue -> agents that have been in it (for the ``now`` counts).
        self.queue_members: dict[str, set[str]] = {}

    # --- state -------------------------------------------------------------------------

    def state_at(self, rec: AgentRecord, t: float) -> str:
        """The state of ``rec`` at ``t`` given what is known now."""
        if rec.calls or rec.device == "on_call":
            return "on_call"
        if not rec.logged and not rec.everywhere:
            return "logged_out"
        if rec.rings or rec.device == "ringing":
            return "ringing"
        if rec.is_paused():
            return "wrapup" if rec.reason in self.wrap_reasons else "paused"
        if t < rec.wrapup_until:
            return "wrapup"
        if rec.device == "unavailable":
            return "logged_out"
        return "available"

    def _accrue(self, rec: AgentRecord, t: float) -> None:
        if t <= rec.accrued_to:
            return
        start = max(rec.accrued_to, t - _HORIZON_S)
        state = self.state_at(rec, start)
        pieces = [(state, start, t)]
        timer = state == "wrapup" and not rec.is_paused()
        if timer and rec.wrapup_until < t:
            pieces = [(state, start, rec.wrapup_until),
                      (self.state_at(rec, rec.wrapup_until), rec.wrapup_until, t)]
        rec.accrued_to = t
        scopes = (SITE, *self.scopes.agent(rec.name), *(f"queue:{q}" for q in rec.members()))
        for name, a, b in pieces:
            if name not in _WORK:
                continue
            busy = name in _BUSY
            for minute, seconds in spread(a, b).items():
                amounts = {"t_work": seconds, "t_busy": seconds} if busy else {"t_work": seconds}
                self.tallies.add_minute(minute, scopes, amounts)

    def _refresh(self, rec: AgentRecord, t: float) -> None:
        state = self.state_at(rec, t)
        if state == rec.state:
            return
        timer_over = rec.state == "wrapup" and rec.since < rec.wrapup_until <= t
        rec.since = rec.wrapup_until if timer_over else t
        rec.state = state

    def record(self, agent: str, ts: float) -> AgentRecord:
        """The agent's record, brought up to ``ts`` before a change."""
        rec = self.agents.get(agent)
        if rec is None:
            rec = self.agents[agent] = AgentRecord(agent, accrued_to=ts, since=ts)
        self._accrue(rec, ts)
        self._refresh(rec, ts)
        return rec

    def _join(self, rec: AgentRecord, queue: str | None) -> None:
        if queue is not None:
            rec.logged.add(queue)
            rec.known.add(queue)
            self.queue_members.setdefault(queue, set()).add(rec.name)

    # --- events ------------------------------------------------------------------------

    def apply(self, event: ev.Event) -> None:
        """Update agent state for one event (call, ring, login, pause, status, restart)."""
        match event:
            case ev.AgentLoggedIn(agent=agent, queue=queue, ts=ts):
                rec = self.record(agent, ts)
                if queue is None:
                    rec.everywhere = True
                self._join(rec, queue)
            case ev.AgentLoggedOut(agent=agent, queue=queue, ts=ts):
                rec = self.record(agent, ts)
                if rec.is_paused():
                    self._end_pause(rec, ts)
                if queue is None:
                    rec.logged.clear()
                    rec.everywhere = False
                    rec.paused_all = False
                    rec.paused_q.clear()
                else:
                    rec.logged.discard(queue)
                    rec.paused_q.discard(queue)
            case ev.AgentPaused(agent=agent, queue=queue, reason=reason, ts=ts):
                rec = self.record(agent, ts)
                self._join(rec, queue)
                if not rec.is_paused() or reason != rec.reason:
                    if rec.is_paused():
                        self._end_pause(rec, ts)
                    rec.paused_since = ts
                rec.reason = reason
                if queue is None:
                    rec.paused_all = True
                else:
                    rec.paused_q.add(queue)
            case ev.AgentUnpaused(agent=agent, queue=queue, ts=ts):
                rec = self.record(agent, ts)
                self._join(rec, queue)
                was = rec.is_paused()
                if queue is None:
                    rec.paused_all = False
                    rec.paused_q.clear()
                else:
                    if rec.paused_all:
                        rec.paused_all = False
                        rec.paused_q = set(rec.members())
                    rec.paused_q.discard(queue)
                if was and not rec.is_paused():
                    self._end_pause(rec, ts)
            case ev.AgentStatus(agent=agent, queue=queue, state=state, paused=paused, ts=ts):
                rec = self.record(agent, ts)
                if state != "unavailable":
                    self._join(rec, queue)
                rec.device = state
                if paused is not None and queue is not None:
                    if paused:
                        rec.paused_q.add(queue)
                        rec.reason = event.reason or rec.reason
                    else:
                        rec.paused_q.discard(queue)
            case ev.AgentRung(call_id=call_id, queue=queue, agent=agent, ts=ts):
                rec = self.record(agent, ts)
                self._join(rec, queue)
                rec.rings.add(call_id)
                self.ringing.setdefault(call_id, set()).add(agent)
            case ev.RingNoAnswer(call_id=call_id, queue=queue, agent=agent, ts=ts):
                rec = self.record(agent, ts)
                self._join(rec, queue)
                rec.rings.discard(call_id)
                self.ringing.get(call_id, set()).discard(agent)
            case ev.CallAnswered(call_id=call_id, queue=queue, agent=agent, ts=ts):
                self._stop_ringing(call_id, ts)
                rec = self.record(agent, ts)
                self._join(rec, queue)
                rec.calls.add(call_id)
                rec.device = None
                rec.last_queue = queue
                self.on_call[call_id] = agent
            case ev.CallEnded(call_id=call_id, agent=agent, ts=ts):
                holder = self.on_call.pop(call_id, agent)
                for name in {holder, agent}:
                    rec = self.record(name, ts)
                    if call_id in rec.calls or name == agent:
                        rec.calls.discard(call_id)
                        rec.device = None
                        if self.wrapup_s > 0:
                            rec.wrapup_until = max(rec.wrapup_until, ts + self.wrapup_s)
            case ev.CallAbandoned(call_id=call_id, ts=ts) | ev.CallLeft(call_id=call_id, ts=ts):
                self._stop_ringing(call_id, ts)
                holder = self.on_call.pop(call_id, None)
                if holder is not None:
                    self.record(holder, ts).calls.discard(call_id)
            case ev.SystemRestart(reload_only=False, ts=ts):
                for rec in self.agents.values():
                    self._accrue(rec, ts)
                    rec.calls.clear()
                    rec.rings.clear()
                    rec.device = None
                self.ringing.clear()
                self.on_call.clear()
            case _:
                return
        for name in self._touched(event):
            rec = self.agents.get(name)
            if rec is not None:
                self._refresh(rec, event.ts)
        if isinstance(event, ev.SystemRestart):
            for rec in self.agents.values():
                self._refresh(rec, event.ts)

    def _touched(self, event: ev.Event) -> tuple[str, ...]:
        agent = getattr(event, "agent", None)
        return (agent,) if agent else ()

    def _stop_ringing(self, call_id: str, ts: float) -> None:
        for name in self.ringing.pop(call_id, ()):
            rec = self.record(name, ts)
            rec.rings.discard(call_id)
            self._refresh(rec, ts)

    def _end_pause(self, rec: AgentRecord, ts: float) -> None:
        """Count a finished wrap-up pause as after-call work of the agent's last queue."""
        if rec.reason not in self.wrap_reasons:
            return
        seconds = ts - rec.paused_since
        if seconds <= 0:
            return
        scopes = self.scopes.queue_and_agent(rec.last_queue, rec.name)
        self.tallies.add(ts, scopes, {"wrap_sum": seconds})

    # --- snapshot ----------------------------------------------------------------------

    def now(self, now: float) -> tuple[dict[str, AgentNow], dict[str, dict[str, float]],
                                        dict[str, dict[str, int]]]:
        """Agent views, the ``now`` agent counts per scope, and paused reasons per scope."""
        boundary = (now // 60) * 60.0
        views: dict[str, AgentNow] = {}
        counts: dict[str, dict[str, float]] = {}
        reasons: dict[str, dict[str, int]] = {}
        if not self.agents:
            return views, counts, reasons
        zero = {"agents_logged_in": 0.0, "agents_available": 0.0, "agents_on_call": 0.0,
                "agents_paused": 0.0, "agents_ringing": 0.0, "agents_wrapup": 0.0}
        for scope in (SITE, *(f"team:{t}" for t in self.scopes.team_ids),
                      *(f"queue:{q}" for q in self.queue_members)):
            counts[scope] = dict(zero)
        for rec in self.agents.values():
            self._accrue(rec, boundary)
            self._refresh(rec, now)
            members = rec.members()
            view = rec.view
            reason = rec.reason if rec.state in ("paused", "wrapup") and rec.is_paused() else None
            if (view is None or view.state != rec.state or view.since != rec.since
                    or view.reason != reason or len(view.queues) != len(members)):
                view = rec.view = AgentNow(rec.state, rec.since, reason, tuple(sorted(members)))
            views[rec.name] = view
            if rec.state == "logged_out":
                continue
            for scope in (SITE, *self.scopes.agent(rec.name)[1:]):
                self._count(counts, reasons, scope, rec.state, reason)
            busy = rec.state in ("on_call", "ringing")
            for queue in members:
                paused_here = rec.paused_all or queue in rec.paused_q
                state = "paused" if paused_here and not busy else rec.state
                if state == "paused" and rec.reason in self.wrap_reasons:
                    state = "wrapup"
                self._count(counts, reasons, f"queue:{queue}", state,
                            rec.reason if paused_here else None)
        return views, counts, reasons

    @staticmethod
    def _count(counts: dict[str, dict[str, float]], reasons: dict[str, dict[str, int]],
               scope: str, state: str, reason: str | None) -> None:
        figures = counts[scope]
        figures["agents_logged_in"] += 1
        figures[f"agents_{state}"] += 1
        if state == "paused":
            by_reason = reasons.setdefault(scope, {})
            key = reason or ""
            by_reason[key] = by_reason.get(key, 0) + 1
