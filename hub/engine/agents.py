"""Agent states now, time in state, and the agent-time sums behind occupancy.

Rules:

- An agent is a member of a queue from ``AgentLoggedIn(queue)`` until ``AgentLoggedOut``; any
  call, ring, pause or status event naming a queue also makes them a member (Asterisk static
  members never log in). ``queue=None`` means every queue.
- State, first match wins: ``on_call`` (a call answered and not ended), ``logged_out`` (member of
  no queue), ``ringing``, ``paused`` (paused everywhere or in every queue they are in; ``wrapup``
  instead when the pause reason is a wrap-up reason), ``wrapup`` (within ``kpi.wrapup_s`` after a
  call), ``logged_out`` for a device reported unavailable, else ``available``.
- Agent time feeds occupancy through levels (agents at work: available, ringing, on call or
  wrap-up; busy: on call or wrap-up) per agent, counted in the agent's scopes (site, the agent,
  its teams and queues) and integrated over time (:class:`Levels`). A
  wrap-up timer ends exactly at its time, before any later event. A snapshot closes the
  integrals at the start of its minute, so figures never depend on when snapshots were taken.

Cost: an event settles the state (and ``since``) of the agents it names and changes their
levels at its time; an agent's view and where it counts (:class:`StateCounts`) are a function
of its record alone, read only by :meth:`AgentBook.now` and saved by :meth:`AgentBook.to_data`,
so they are brought up to date there, once per agent changed since (only its last state
counts).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from panneau.hub import events as ev
from panneau.hub.engine.agent_counts import Placement, StateCounts
from panneau.hub.engine.bad import BadEvents
from panneau.hub.engine.levels import BUSY, OFF, WORKING, AgentTime, Levels
from panneau.hub.engine.scopes import SITE, Scopes
from panneau.hub.engine.snapshot import AgentNow
from panneau.hub.engine.windows import Tallies

__all__ = ["AgentBook", "AgentRecord"]


@dataclass(slots=True)
class AgentRecord:
    """Everything known about one agent."""

    name: str
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
    applied: int = OFF
    applied_scopes: tuple[str, ...] = ()
    time_scopes: tuple[str, ...] | None = None
    placed: tuple[Placement, ...] = ()
    #: When its agent time (``applied`` in ``applied_scopes``) last changed (0: never).
    time_since: float = 0.0
    #: The integrals of ``applied_scopes`` (:meth:`Levels.each_of`) once known; not saved.
    applied_each: tuple[AgentTime, ...] | None = None
    #: Its scopes were given counts (the first time it was not logged out); not saved.
    counted: bool = False

    def members(self) -> set[str]:
        """Queues the agent is in now."""
        return self.known if self.everywhere else self.logged

    def is_paused(self) -> bool:
        """Paused everywhere, or in every queue they are in."""
        if self.paused_all:
            return True
        members = self.members()
        return bool(self.paused_q) and bool(members) and members <= self.paused_q


_APPLIED = {"working": WORKING, "busy": BUSY}
_APPLIED_NAME = {level: name for name, level in _APPLIED.items()}


def _sorted(names: set[str]) -> tuple[str, ...]:
    return tuple(sorted(names)) if names else ()


def _record_data(rec: AgentRecord) -> tuple:
    """One record as plain data; the level applied by name.
    Tuples of strings and numbers: the collector stops tracking them once they are built."""
    view = rec.view
    return (rec.name, rec.since, rec.state, _sorted(rec.logged), rec.everywhere,
            _sorted(rec.known), rec.paused_all, _sorted(rec.paused_q), rec.reason,
            rec.paused_since, _sorted(rec.calls), _sorted(rec.rings), rec.device,
            rec.wrapup_until, rec.last_queue,
            None if view is None else (view.state, view.since, view.reason, view.queues),
            _APPLIED_NAME.get(rec.applied), rec.applied_scopes, rec.time_scopes, rec.placed,
            rec.time_since)


def _record(row: Sequence) -> AgentRecord:
    (name, since, state, logged, everywhere, known, paused_all, paused_q, reason, paused_since,
     calls, rings, device, wrapup_until, last_queue, view, applied, applied_scopes, time_scopes,
     placed, time_since) = row
    return AgentRecord(
        name, since, state, set(logged), everywhere, set(known), paused_all, set(paused_q),
        reason, paused_since, set(calls), set(rings), device, wrapup_until, last_queue,
        None if view is None else AgentNow(view[0], view[1], view[2], tuple(view[3])),
        _APPLIED[applied] if applied else OFF, tuple(applied_scopes),
        None if time_scopes is None else tuple(time_scopes),
        tuple((scope, st, why) for scope, st, why in placed), time_since)


#: Event type -> the :class:`AgentBook` method taking it (subclasses take their base's).
_HANDLERS = {ev.AgentLoggedIn: "_logged_in", ev.AgentLoggedOut: "_logged_out",
             ev.AgentPaused: "_paused", ev.AgentUnpaused: "_unpaused", ev.AgentStatus: "_status",
             ev.AgentRung: "_rung", ev.RingNoAnswer: "_ring_no_answer",
             ev.CallAnswered: "_answered", ev.CallEnded: "_ended", ev.CallAbandoned: "_left",
             ev.CallLeft: "_left", ev.SystemRestart: "_restart"}


def _handler(book: AgentBook, kind: type) -> Callable[[ev.Event], None]:
    """The bound method of ``book`` for events of type ``kind``."""
    name = next((_HANDLERS[base] for base in kind.__mro__ if base in _HANDLERS), "_ignore")
    return getattr(book, name)


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
        self.levels = Levels(tallies)
        self.counts = StateCounts()
        self.timers: list[tuple[float, str]] = []
        #: When the first wrap-up timer ends (``inf``: none runs).
        self.next_due = math.inf
        self._touched: dict[str, AgentRecord] = {}
        #: Records settled since their view and counts were last brought up to date.
        self._stale: dict[str, AgentRecord] = {}
        #: Every agent's view, in the order of :attr:`agents` (as of the last update).
        self._views: dict[str, AgentNow] = {}
        #: The views :meth:`now` last handed out (never changed after), and the agents whose
        #: view changed since (``None``: not known, after :meth:`load_data`).
        self._out: dict[str, AgentNow] = {}
        self._moved: dict[str, None] | None = {}
        #: The agents whose view differs between the views :meth:`now` handed out last and
        #: the ones before (``None``: not known).
        self.moved: frozenset[str] | None = None
        self._handlers: dict[type, Callable[[ev.Event], None]] = {}
        #: Each record's plain data since it last changed: a checkpoint shares the rows of the
        #: agents nobody touched with the one before.
        self._rows: dict[str, tuple] = {}
        self.ringing: dict[str, set[str]] = {}
        self.on_call: dict[str, str] = {}
        #: queue -> agents that have been in it (for the ``now`` counts).
        self.queue_members: dict[str, set[str]] = {}
        #: :attr:`queue_members` as plain data, until someone joins a queue anew.
        self._members_data: dict[str, tuple[str, ...]] | None = None

    # --- saved state ---------------------------------------------------------------------

    def to_data(self) -> dict:
        """Every agent record, timer, ring and call holder, levels and counts, as plain data."""
        self._show_stale()
        if self._members_data is None:
            self._members_data = {q: tuple(sorted(names))
                                  for q, names in self.queue_members.items()}
        rows = self._rows
        for name, rec in self.agents.items():
            if name not in rows:
                rows[name] = _record_data(rec)
        return {"agents": list(rows.values()),
                "levels": self.levels.to_data(), "counts": self.counts.to_data(),
                "timers": list(self.timers),
                "ringing": {cid: tuple(sorted(names)) for cid, names in self.ringing.items()},
                "on_call": dict(self.on_call),
                "queue_members": self._members_data}

    def load_data(self, data: dict) -> None:
        """Take back what :meth:`to_data` gave."""
        self.agents = {row[0]: _record(row) for row in data["agents"]}
        self._rows = {}
        self._stale = {}
        self._views = {name: rec.view for name, rec in self.agents.items()
                       if rec.view is not None}
        self._moved = None
        self.levels.load_data(data["levels"])
        self.counts.load_data(data["counts"])
        self.timers = [(until, name) for until, name in data["timers"]]
        self.next_due = self.timers[0][0] if self.timers else math.inf
        self.ringing = {cid: set(names) for cid, names in data["ringing"].items()}
        self.on_call = dict(data["on_call"])
        self.queue_members = {q: set(names) for q, names in data["queue_members"].items()}
        self._members_data = None

    # --- state -------------------------------------------------------------------------

    def _settle(self, rec: AgentRecord, t: float) -> None:
        """Bring the state (its state at ``t`` given what is known now, first match wins: see
        the module docstring), its since and the agent-time levels up to ``t`` (the view and
        counts wait for :meth:`_show_stale`)."""
        if rec.calls and rec.state == "on_call" and rec.time_scopes is rec.applied_scopes:
            self._stale[rec.name] = rec  # on a call still (the first rule): nothing else moves
            return
        if rec.calls or rec.device == "on_call":
            state, level = "on_call", BUSY
        elif not rec.logged and not rec.everywhere:
            state, level = "logged_out", OFF
        elif rec.rings or rec.device == "ringing":
            state, level = "ringing", WORKING
        elif (rec.paused_all or rec.paused_q) and rec.is_paused():
            state, level = (("wrapup", BUSY) if rec.reason in self.wrap_reasons
                            else ("paused", OFF))
        elif t < rec.wrapup_until:
            state, level = "wrapup", BUSY
        elif rec.device == "unavailable":
            state, level = "logged_out", OFF
        else:
            state, level = "available", WORKING
        if state != rec.state:
            if rec.state == "wrapup" and rec.since < rec.wrapup_until <= t:
                rec.since = rec.wrapup_until  # its timer ended first, at its own time
            else:
                rec.since = t
            rec.state = state
            if not rec.counted and state != "logged_out":
                rec.counted = True  # its scopes show in the counts from now on, as they came
                for scope in self.scopes.agent(rec.name)[1:]:
                    self.counts.ensure(scope)
        self._stale[rec.name] = rec
        scopes = rec.time_scopes
        old = rec.applied
        if scopes is rec.applied_scopes:  # the same scopes (most often; never None)
            if level == old:
                return
            each = rec.applied_each
            if each is not None:
                rec.time_since = self.levels.shift(each, old, rec.time_since, t, level)
                rec.applied = level
                return
        elif scopes is None:
            scopes = self._time_scopes(rec)
        old_scopes = rec.applied_scopes
        if level == old and scopes == old_scopes:
            rec.applied_scopes = scopes
            return
        if level or old:
            rec.time_since = self.levels.change(old_scopes, old, rec.time_since, scopes, t,
                                                level)
        rec.applied, rec.applied_scopes = level, scopes
        rec.applied_each = self.levels.each_of(scopes)

    def _time_scopes(self, rec: AgentRecord) -> tuple[str, ...]:
        """Where the agent's time counts: site, the agent's scopes, its queues (sorted)."""
        scopes = rec.time_scopes
        if scopes is None:
            scopes = rec.time_scopes = (SITE, *self.scopes.agent(rec.name),
                                        *(f"queue:{q}" for q in sorted(rec.members())))
        return scopes

    def record(self, agent: str, ts: float, queue: str | None = None) -> AgentRecord:
        """The agent's record (created at ``ts``), settled after the current event (one that
        names several agents, see :meth:`_settle_touched`); a member of ``queue`` from now
        on, when one is given (see :meth:`_join`)."""
        rec = self._member(agent, ts, queue)
        self._touched[agent] = rec
        return rec

    def _member(self, agent: str, ts: float, queue: str | None) -> AgentRecord:
        """The agent's record (created at ``ts``), a member of ``queue`` from now on when one
        is given."""
        rec = self.agents.get(agent)
        if rec is None:
            rec = self.agents[agent] = AgentRecord(agent, since=ts)
            if len(self.agents) == 1:
                for scope in (SITE, *(f"team:{t}" for t in self.scopes.team_ids)):
                    self.counts.ensure(scope)
        if queue is not None and queue not in rec.logged:
            self._join(rec, queue)
        return rec

    def expire(self, t: float) -> None:
        """End the wrap-up timers due by ``t``, each at its own time."""
        timers = self.timers
        while timers and timers[0][0] <= t:
            until, name = heapq.heappop(timers)
            rec = self.agents[name]
            if rec.wrapup_until == until:
                self._settle(rec, until)
        self.next_due = timers[0][0] if timers else math.inf

    def _join(self, rec: AgentRecord, queue: str) -> None:
        """``rec`` is a member of ``queue`` (not one yet) from now on."""
        rec.time_scopes = None
        rec.logged.add(queue)
        rec.known.add(queue)
        members = self.queue_members.setdefault(queue, set())
        if rec.name not in members:
            members.add(rec.name)
            self._members_data = None
        self.counts.ensure(f"queue:{queue}")

    # --- events ------------------------------------------------------------------------

    def apply(self, event: ev.Event) -> None:
        """Update agent state for one event (call, ring, login, pause, status, restart)."""
        handler = self._handlers.get(type(event))
        if handler is None:
            handler = self._handlers[type(event)] = _handler(self, type(event))
        handler(event)

    def taker(self, kind: type) -> Callable[[ev.Event], None]:
        """:meth:`apply` for events of type ``kind``: its handler, looked up once. Each
        handler takes its event whole: the wrap-up timers due first, then what the event
        says, then the state of the agents it names settled at its time (directly when it
        names one, the most common case; else through :meth:`record` and
        :meth:`_settle_touched`)."""
        return _handler(self, kind)

    def _one(self, agent: str, ts: float, queue: str | None) -> AgentRecord:
        """The record of the one agent an event at ``ts`` names (see :meth:`_member`), the
        wrap-up timers due by then ended first. A handler looks the record up itself first
        and calls this only when it is new or joins ``queue``, or a timer is due."""
        if ts >= self.next_due:
            self.expire(ts)
        rec = self.agents.get(agent)
        if rec is None or (queue is not None and queue not in rec.logged):
            rec = self._member(agent, ts, queue)
        return rec

    def _start_touched(self, ts: float) -> None:
        """Before an event naming several agents: the wrap-up timers due by ``ts`` ended,
        and nobody touched yet."""
        if ts >= self.next_due:
            self.expire(ts)
        self._touched.clear()

    def _settle_touched(self, ts: float) -> None:
        """Settle the agents :meth:`record` gave since :meth:`_start_touched`, in that order."""
        for rec in self._touched.values():
            self._settle(rec, ts)

    def _logged_in(self, event: ev.AgentLoggedIn) -> None:
        ts = event.ts
        rec = self._one(event.agent, ts, event.queue)
        if event.queue is None:
            rec.everywhere = True
            rec.time_scopes = None
        self._settle(rec, ts)

    def _logged_out(self, event: ev.AgentLoggedOut) -> None:
        ts = event.ts
        rec = self._one(event.agent, ts, None)
        if rec.is_paused():
            self._end_pause(rec, ts)
        rec.time_scopes = None
        if event.queue is None:
            rec.logged.clear()
            rec.everywhere = False
            rec.paused_all = False
            rec.paused_q.clear()
        else:
            rec.logged.discard(event.queue)
            rec.paused_q.discard(event.queue)
        self._settle(rec, ts)

    def _paused(self, event: ev.AgentPaused) -> None:
        ts = event.ts
        rec = self._one(event.agent, ts, event.queue)
        self._pause(rec, event.queue, event.reason, ts)
        self._settle(rec, ts)

    def _unpaused(self, event: ev.AgentUnpaused) -> None:
        ts = event.ts
        rec = self._one(event.agent, ts, event.queue)
        self._unpause(rec, event.queue, ts)
        self._settle(rec, ts)

    def _status(self, event: ev.AgentStatus) -> None:
        ts = event.ts
        rec = self._one(event.agent, ts, None if event.state == "unavailable" else event.queue)
        rec.device = event.state
        if event.paused:
            self._pause(rec, event.queue, event.reason or rec.reason, ts)
        elif event.paused is not None:
            self._unpause(rec, event.queue, ts)
        self._settle(rec, ts)

    def _rung(self, event: ev.AgentRung) -> None:
        ts, agent, call_id, queue = event.ts, event.agent, event.call_id, event.queue
        rec = self.agents.get(agent)
        if rec is None or queue not in rec.logged or ts >= self.next_due:
            rec = self._one(agent, ts, queue)
        rec.rings.add(call_id)
        rung = self.ringing.get(call_id)
        if rung is None:
            self.ringing[call_id] = {agent}
        else:
            rung.add(agent)
        self._settle(rec, ts)

    def _ring_no_answer(self, event: ev.RingNoAnswer) -> None:
        ts, agent, call_id, queue = event.ts, event.agent, event.call_id, event.queue
        rung = self.ringing.get(call_id)
        if rung is not None:
            rung.discard(agent)
        rec = self.agents.get(agent)
        if rec is None or queue not in rec.logged or ts >= self.next_due:
            rec = self._one(agent, ts, queue)
        elif call_id not in rec.rings:
            return  # settled, and not ringing for it: nothing changes
        rec.rings.discard(call_id)
        self._settle(rec, ts)

    def _answered(self, event: ev.CallAnswered) -> None:
        ts, call_id, agent, queue = event.ts, event.call_id, event.agent, event.queue
        rung = self.ringing.pop(call_id, None)
        if rung and (agent not in rung or len(rung) > 1):
            self._answered_among(event, rung)
            return
        rec = self.agents.get(agent)
        if rec is None or queue not in rec.logged or ts >= self.next_due:
            rec = self._one(agent, ts, queue)
        if rung:
            rec.rings.discard(call_id)
        rec.calls.add(call_id)
        rec.device = None
        rec.last_queue = queue
        self.on_call[call_id] = agent
        self._settle(rec, ts)

    def _answered_among(self, event: ev.CallAnswered, rung: set[str]) -> None:
        """A call answered after others (``rung``) rang too: they stop ringing as well."""
        ts, call_id, agent = event.ts, event.call_id, event.agent
        self._start_touched(ts)
        for name in rung:
            self.record(name, ts).rings.discard(call_id)
        rec = self.record(agent, ts, event.queue)
        rec.calls.add(call_id)
        rec.device = None
        rec.last_queue = event.queue
        self.on_call[call_id] = agent
        self._settle_touched(ts)

    def _ended(self, event: ev.CallEnded) -> None:
        call_id, agent, ts = event.call_id, event.agent, event.ts
        holder = self.on_call.pop(call_id, agent)
        if holder == agent:
            rec = self.agents.get(agent)
            if rec is None or ts >= self.next_due:
                rec = self._one(agent, ts, None)
            rec.calls.discard(call_id)  # _end_call written out: the common case
            rec.device = None
            if self.wrapup_s > 0:
                self._wrap_up(rec, ts)
            self._settle(rec, ts)
            return
        self._start_touched(ts)
        for name in (holder, agent):
            rec = self.record(name, ts)
            if call_id in rec.calls or name == agent:
                self._end_call(rec, call_id, ts)
        self._settle_touched(ts)

    def _end_call(self, rec: AgentRecord, call_id: str, ts: float) -> None:
        """``rec`` is no longer on ``call_id`` from ``ts``: in wrap-up until its timer ends."""
        rec.calls.discard(call_id)
        rec.device = None
        if self.wrapup_s > 0:
            self._wrap_up(rec, ts)

    def _wrap_up(self, rec: AgentRecord, ts: float) -> None:
        """``rec`` in wrap-up from ``ts`` (a call ended) until its timer ends."""
        if ts + self.wrapup_s > rec.wrapup_until:
            rec.wrapup_until = ts + self.wrapup_s
            heapq.heappush(self.timers, (rec.wrapup_until, rec.name))
            self.next_due = self.timers[0][0]

    def _left(self, event: ev.CallAbandoned | ev.CallLeft) -> None:
        ts, call_id = event.ts, event.call_id
        rung = self.ringing.pop(call_id, None)
        holder = self.on_call.pop(call_id, None)
        if not rung and holder is None:  # nobody rang for it nor had it: no agent changes
            if ts >= self.next_due:
                self.expire(ts)
            return
        self._start_touched(ts)
        for name in rung or ():  # they stop ringing
            self.record(name, ts).rings.discard(call_id)
        if holder is not None:
            self.record(holder, ts).calls.discard(call_id)
        self._settle_touched(ts)

    def _restart(self, event: ev.SystemRestart) -> None:
        self._start_touched(event.ts)
        if not event.reload_only:
            self._stop_all(event.source)
        self._settle_touched(event.ts)

    def _stop_all(self, source: str) -> None:
        """A restart of ``source``: every call and ring of its agents ends."""
        prefix = self.scopes.restart_prefix(source) or ""  # a group hub's site
        for rec in self.agents.values():
            if rec.name.startswith(prefix):
                self._touched[rec.name] = rec
                rec.calls.clear()
                rec.rings.clear()
                rec.device = None
        if prefix:
            self.ringing = {c: n for c, n in self.ringing.items() if not c.startswith(prefix)}
            self.on_call = {c: a for c, a in self.on_call.items() if not c.startswith(prefix)}
        else:
            self.ringing.clear()
            self.on_call.clear()

    def _ignore(self, event: ev.Event) -> None:
        """Events agents do not follow (they still end the wrap-up timers due)."""
        if event.ts >= self.next_due:
            self.expire(event.ts)

    def _pause(self, rec: AgentRecord, queue: str | None, reason: str | None, ts: float) -> None:
        if not rec.is_paused() or reason != rec.reason:
            if rec.is_paused():
                self._end_pause(rec, ts)
            rec.paused_since = ts
        rec.reason = reason
        if queue is None:
            rec.paused_all = True
        else:
            rec.paused_q.add(queue)

    def _unpause(self, rec: AgentRecord, queue: str | None, ts: float) -> None:
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

    def _end_pause(self, rec: AgentRecord, ts: float) -> None:
        """Count a finished wrap-up pause as after-call work of the agent's last queue."""
        if rec.reason not in self.wrap_reasons:
            return
        seconds = ts - rec.paused_since
        if seconds <= 0:
            return
        scopes = self.scopes.queue_and_agent(rec.last_queue, rec.name)
        self.tallies.add(ts, scopes, {"wrap_sum": seconds})

    def _placements(self, rec: AgentRecord) -> tuple[Placement, ...]:
        """Where the agent counts now (see :class:`StateCounts`)."""
        state = rec.state
        if state == "logged_out":
            return ()
        scopes = self._time_scopes(rec)
        if not rec.paused_all and not rec.paused_q:  # paused nowhere: the same state everywhere
            return ((SITE, state, None), *[(scope, state, None) for scope in scopes[2:]])
        reason = rec.reason if state in ("paused", "wrapup") and rec.is_paused() else None
        out = [(SITE, state, reason)]
        out += [(scope, state, reason) for scope in self.scopes.agent(rec.name)[1:]]
        busy = state in ("on_call", "ringing")
        for queue in sorted(rec.members()):
            paused_here = rec.paused_all or queue in rec.paused_q
            here = "paused" if paused_here and not busy else state
            if here == "paused" and rec.reason in self.wrap_reasons:
                here = "wrapup"
            out.append((f"queue:{queue}", here, rec.reason if paused_here else None))
        return tuple(out)

    def _show_stale(self) -> None:
        """Bring the views and counts of the records settled since last time up to date (every
        record gets its view here: new ones come in the order they were made)."""
        stale = self._stale
        if not stale:
            return
        rows, views = self._rows, self._views
        move, placements_of = self.counts.move, self._placements
        for name, rec in stale.items():
            rows.pop(name, None)
            placements = placements_of(rec)
            if placements != rec.placed:
                move(rec.placed, placements)
                rec.placed = placements
            state = rec.state
            reason = rec.reason if state in ("paused", "wrapup") and rec.is_paused() else None
            members = tuple(sorted(rec.members()))
            view = rec.view
            if (view is None or view.state != state or view.since != rec.since
                    or view.reason != reason or view.queues != members):
                rec.view = views[name] = AgentNow(state, rec.since, reason,  # type: ignore[arg-type]
                                                  members)
                if self._moved is not None:
                    self._moved[name] = None
        self._stale = {}

    def forget_calls(self, call_ids: list[str], t: float) -> None:
        """Calls whose end was lost: their agents are no longer on them."""
        self._touched.clear()
        for call_id in call_ids:
            holder = self.on_call.pop(call_id, None)
            if holder is not None:
                self.record(holder, t).calls.discard(call_id)
        self._settle_touched(t)

    # --- snapshot ----------------------------------------------------------------------

    def now(self, now: float) -> tuple[dict[str, AgentNow], dict[str, dict[str, float]],
                                        dict[str, dict[str, int]]]:
        """Agent views, the ``now`` agent counts per scope, and paused reasons per scope.

        The views are the very dict handed out last time when no agent's view changed since;
        :attr:`moved` tells whose did (a hub's views look at those only)."""
        self.expire(now)
        self.levels.flush((now // 60) * 60.0)
        self._show_stale()
        moved = self._moved
        if moved is None or moved:
            self._out = dict(self._views)
            self._moved = {}
        self.moved = None if moved is None else frozenset(moved)
        counts, reasons = self.counts.copy()
        return self._out, counts, reasons
