"""Calls: queue life cycle, the sums behind every voice KPI, and who is waiting now.

Rules (Asterisk app_queue semantics, see docs/kpis.md):

- ``offered`` counts at entry; ``answered`` (and ASA, answered within T) at answer — live.
- ``completed`` (Asterisk's ``Completed``), talk, transfers, wrap-up and the Asterisk service
  level count when the answered call ENDS, as Asterisk does; ``within T`` is ``hold <= T``.
- ``unanswered`` is Asterisk's own abandoned counter: abandon, timeout, empty, withdrawn and
  syscompat, not exit-with-key; ``within T`` is ``wait <= T``. RINGCANCELED is not an outcome,
  so RINGCANCELED then ABANDON counts once.
- ``outcomes`` counts every answer and every unanswered exit, at that time: rates use it as their
  denominator so they stay within 0..100 in any window.
- A restart (not a reload) forgets calls in flight: they leave no outcome.
- A call still waiting after ``STALE_WAIT_S`` or talking after ``STALE_TALK_S`` lost its
  outcome line: it is forgotten at that deadline, its own time (:meth:`Calls.forget_due`,
  called before any later event is taken and at an advance), so its agent's busy time ends
  there whenever the engine is advanced, saved or rewound.
- Bad events are counted by kind in ``bad`` and otherwise skipped or counted as documented.
- Summed durations are put on a grid first (:func:`~panneau.hub.engine.exact.exact`), so their
  sums are the same in any order; thresholds compare the event's own value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from panneau.hub import events as ev
from panneau.hub.config import Config
from panneau.hub.engine.bad import BadEvents
from panneau.hub.engine.exact import exact
from panneau.hub.engine.scopes import Scopes
from panneau.hub.engine.windows import Sums, Tallies

__all__ = ["LEFT_COUNTERS", "STALE_TALK_S", "STALE_WAIT_S", "Calls"]

#: Contributions shared by many adds (the tallies copy what they keep and never change them).
_OFFERED: Sums = {"offered": 1}
#: By :meth:`Calls._fcr`: no caller, a first contact, a repeat.
_FCR: tuple[Sums, ...] = ({}, {"contacts": 1}, {"contacts": 1, "repeats": 1})
_AGENT_ANSWERED: tuple[Sums, ...] = tuple({"answered": 1} | fcr for fcr in _FCR)
#: CallLeft reason -> its own counter.
LEFT_COUNTERS = {"timeout": "timed_out", "empty": "exited_empty", "key": "exited_with_key",
                 "withdrawn": "withdrawn", "syscompat": "syscompat"}
_CLOSED_MAX = 50_000
_INF = float("inf")
#: A call still waiting, or still talking, after this long lost its outcome line: forget it.
STALE_WAIT_S = 6 * 3600.0
STALE_TALK_S = 12 * 3600.0


@dataclass(slots=True)
class _Call:
    queue: str
    entered: float
    caller: str | None
    answered: float | None = None


#: Event type -> the :class:`Calls` method taking it (subclasses take their base's).
_HANDLERS = {ev.CallEntered: "_entered", ev.CallAnswered: "_answered", ev.CallEnded: "_ended",
             ev.CallAbandoned: "_left", ev.CallLeft: "_left", ev.RingNoAnswer: "_ring",
             ev.SystemRestart: "_restart", ev.CallLost: "_lost"}


def _deadline(call: _Call) -> float:
    """When a call still in flight has lost its outcome line."""
    if call.answered is None:
        return call.entered + STALE_WAIT_S
    return call.answered + STALE_TALK_S


def _handler(calls: Calls, kind: type) -> Callable[[ev.Event], None]:
    """The bound method of ``calls`` for events of type ``kind``."""
    name = next((_HANDLERS[base] for base in kind.__mro__ if base in _HANDLERS), "_ignore")
    return getattr(calls, name)


class Calls:
    """Calls in flight and their contributions to the sums."""

    def __init__(self, config: Config, scopes: Scopes, tallies: Tallies,
                 bad: BadEvents) -> None:
        self.kpi = config.kpi
        self.queue_sl = {name: q.service_level_s for name, q in config.queues.items()
                         if q.service_level_s is not None}
        self.scopes = scopes
        self.tallies = tallies
        self.bad = bad
        self.calls: dict[str, _Call] = {}
        self.waiting: dict[str, dict[str, float]] = {}
        self.closed: dict[str, None] = {}
        #: caller -> (newest instant with an answer, the newest instant before it or None).
        self.last_answer: dict[str, tuple[float, float | None]] = {}
        self._fcr_prune_at = 1024
        self.unknown_queues: set[str] = set()
        #: Scopes that have seen a call event (their counts show as 0 rather than absent).
        self.seen: set[str] = set()
        #: Scope tuples by queue, agent and (queue, agent) pair: each is added to right after
        #: it is first looked up, so its scopes join :attr:`seen` then (see :meth:`_scopes`).
        self._queues: dict[str, tuple[str, ...]] = {}
        #: Those of :attr:`_queues` already checked by :meth:`_queue` (since the last load).
        self._checked: dict[str, tuple[str, ...]] = {}
        self._agents: dict[str, tuple[str, ...]] = {}
        self._pairs: dict[tuple[str, str], tuple[str, ...]] = {}
        self._add_minute = tallies.add_minute
        self._handlers: dict[type, Callable[[ev.Event], None]] = {}
        #: No call in flight loses its outcome line before this time (a lower bound, checked
        #: for every event taken: one comparison; see :meth:`forget_due`).
        self.next_due = _INF

    def to_data(self) -> dict:
        """Calls in flight and what outcomes and repeats depend on, as plain data."""
        return {"calls": {cid: (c.queue, c.entered, c.caller, c.answered)
                          for cid, c in self.calls.items()},
                "waiting": {queue: dict(calls) for queue, calls in self.waiting.items()},
                "closed": tuple(self.closed), "last_answer": dict(self.last_answer),
                "fcr_prune_at": self._fcr_prune_at,
                "unknown_queues": tuple(sorted(self.unknown_queues)),
                "seen": tuple(sorted(self.seen))}

    def load_data(self, data: dict) -> None:
        """Take back what :meth:`to_data` gave."""
        self.calls = {cid: _Call(queue, entered, caller, answered)
                      for cid, (queue, entered, caller, answered) in data["calls"].items()}
        self.waiting = {queue: dict(calls) for queue, calls in data["waiting"].items()}
        self.closed = dict.fromkeys(data["closed"])
        self.last_answer = {c: (newest, before)
                            for c, (newest, before) in data["last_answer"].items()}
        self._fcr_prune_at = data["fcr_prune_at"]
        self.unknown_queues = set(data["unknown_queues"])
        self.seen = set(data["seen"])
        self._queues, self._checked, self._agents, self._pairs = {}, {}, {}, {}
        self.next_due = min(map(_deadline, self.calls.values()), default=_INF)

    def service_level_s(self, queue: str) -> int:
        """T of the queue: its own setting, else the general one."""
        return self.queue_sl.get(queue, self.kpi.service_level_s)


    def _scopes(self, scopes: tuple[str, ...]) -> tuple[str, ...]:
        """A scope tuple about to be added to for the first time since the last load: its
        scopes have now seen a call event. (Every tuple the caches below hand out is added
        to right away, so :attr:`seen` is the scopes of the tuples in the caches.)"""
        self.seen.update(scopes)
        return scopes

    def _queue_scopes(self, queue: str) -> tuple[str, ...]:
        """site, the queue and its teams: where a queue's call sums go."""
        scopes = self._queues[queue] = self._scopes(self.scopes.queue(queue))
        return scopes

    def _queue(self, queue: str) -> tuple[str, ...]:
        """:meth:`_queue_scopes` for a call entering or leaving (not an answer or an end):
        a queue the configuration does not know is counted once in ``unknown_queues``."""
        known = self.scopes.known_queues
        if known and queue not in known and queue not in self.unknown_queues:
            self.unknown_queues.add(queue)
            self.bad.note("unknown_queue")
        scopes = self._checked[queue] = self._queues.get(queue) or self._queue_scopes(queue)
        return scopes

    def _agent(self, agent: str) -> tuple[str, ...]:
        """``("agent:<id>",)``, the scope of an agent's own call figures."""
        scopes = self._agents[agent] = self._scopes((f"agent:{agent}",))
        return scopes

    def _close(self, call_id: str) -> _Call | None:
        call = self.calls.pop(call_id, None)
        if call is not None:
            self.waiting.get(call.queue, {}).pop(call_id, None)
        closed = self.closed
        closed[call_id] = None
        if len(closed) > _CLOSED_MAX:
            for key in list(closed)[: _CLOSED_MAX // 2]:
                del closed[key]
        return call

    def _open(self, ts: float, call_id: str, queue: str, caller: str | None) -> _Call:
        call = self.calls[call_id] = _Call(queue, ts, caller)
        if ts + STALE_WAIT_S < self.next_due:
            self.next_due = ts + STALE_WAIT_S
        self.closed.pop(call_id, None)
        self._add_minute(int(ts // 60), self._checked.get(queue) or self._queue(queue),
                         _OFFERED)
        return call

    def _outcome(self, call_id: str, bad_kind: str) -> _Call | None:
        """The open call an outcome refers to, or None when it must be ignored."""
        call = self.calls.get(call_id)
        if call is None and call_id in self.closed:
            self.bad.note("outcome_of_closed_call")
        elif call is None:
            self.bad.note(bad_kind)
        return call

    def handler(self, kind: type) -> Callable[[ev.Event], None]:
        """The method counting call events of type ``kind`` (what :meth:`apply` calls)."""
        handler = self._handlers.get(kind)
        if handler is None:
            handler = self._handlers[kind] = _handler(self, kind)
        return handler

    def apply(self, event: ev.Event) -> None:
        """Count one call event."""
        self.handler(type(event))(event)

    def _ring(self, event: ev.RingNoAnswer) -> None:
        if not event.canceled and event.ring_ms != 0:
            key = (event.queue, event.agent)
            scopes = self._pairs.get(key)
            if scopes is None:
                scopes = self._pairs[key] = self._scopes(self.scopes.queue_and_agent(*key))
            self._add_minute(int(event.ts // 60), scopes, {"ring_no_answer": 1})

    def _restart(self, event: ev.SystemRestart) -> None:
        if event.reload_only:
            return
        prefix = self.scopes.restart_prefix(event.source)  # a group hub's site
        for call_id in list(self.calls):
            if prefix is None or call_id.startswith(prefix):
                self._close(call_id)
        if prefix is None:
            self.waiting.clear()

    def _lost(self, event: ev.CallLost) -> None:
        self._close(event.call_id)

    def _ignore(self, event: ev.Event) -> None:
        """Events calls do not count."""

    def _entered(self, event: ev.CallEntered) -> None:
        call_id, queue, ts = event.call_id, event.queue, event.ts
        calls = self.calls
        if call_id in calls:
            self.bad.note("duplicate_enter")
            self._close(call_id)
        calls[call_id] = _Call(queue, ts, event.caller_id or None)  # as _open, inline
        if ts + STALE_WAIT_S < self.next_due:
            self.next_due = ts + STALE_WAIT_S
        if call_id in self.closed:
            del self.closed[call_id]
        self._add_minute(int(ts // 60), self._checked.get(queue) or self._queue(queue),
                         _OFFERED)
        waiting = self.waiting.get(queue)
        if waiting is None:
            waiting = self.waiting[queue] = {}
        waiting[call_id] = ts

    def _target(self, call_id: str, duration: float, other: float = 0.0
                ) -> tuple[bool, _Call | None]:
        """Checks every outcome shares: sane durations (always, for an event that was
        checked when built), and not a call already closed."""
        if not (0.0 <= duration < _INF and 0.0 <= other < _INF):
            self.bad.note("negative_duration")
            return False, None
        call = self.calls.get(call_id)
        if call is None and call_id in self.closed:
            self.bad.note("outcome_of_closed_call")
            return False, None
        return True, call

    def _waiting(self, event: ev.CallAnswered | ev.CallAbandoned | ev.CallLeft, duration: float,
                 if_answered: str, if_unknown: str) -> _Call | None:
        """The waiting call an answer or an exit refers to (entered implicitly when never seen),
        or None when the event must be ignored. (The handlers take the common case, an open
        call not answered yet with a sane duration, without it.)"""
        ok, call = self._target(event.call_id, duration)
        if not ok:
            return None
        if call is not None and call.answered is not None:
            self.bad.note(if_answered)
            return None
        if call is None:
            self.bad.note(if_unknown)
            call = self._open(event.ts, event.call_id, event.queue, None)
        return call

    def _answered(self, event: ev.CallAnswered) -> None:
        call_id, queue, ts, hold = event.call_id, event.queue, event.ts, event.hold_s
        call = self.calls.get(call_id)
        if call is None or call.answered is not None or not 0.0 <= hold < _INF:
            call = self._waiting(event, hold, "outcome_of_closed_call", "answer_without_enter")
            if call is None:
                return
        waiting = self.waiting.get(call.queue)
        if waiting is not None:
            waiting.pop(call_id, None)
        call.answered = ts  # its deadline moves later: next_due is still a lower bound
        amounts: Sums = {"answered": 1, "outcomes": 1, "hold_sum": exact(hold)}
        if hold <= self.queue_sl.get(queue, self.kpi.service_level_s):
            amounts["answered_in_sl"] = 1
        fcr = self._fcr(call.caller, ts) if call.caller else 0
        if fcr:
            amounts.update(_FCR[fcr])
        minute, add = int(ts // 60), self._add_minute
        add(minute, self._queues.get(queue) or self._queue_scopes(queue), amounts)
        agent = event.agent
        add(minute, self._agents.get(agent) or self._agent(agent), _AGENT_ANSWERED[fcr])

    def _fcr(self, caller: str | None, ts: float) -> int:
        """First-contact proxy: an answered call is a repeat when the same caller had an
        answered call within ``kpi.fcr_repeat_hours`` before (not at the same instant, so
        the figures do not depend on the order of same-time events). 0: no caller to tell, 1: a
        first contact, 2: a repeat (the index in ``_FCR``).

        Per caller: the newest instant with an answer and the newest one before it, so that
        every answer of one instant is judged against the same earlier answer."""
        if not caller:
            return 0
        horizon = self.kpi.fcr_repeat_hours * 3600.0
        newest, before = self.last_answer.get(caller, (None, None))
        if newest is None or ts > newest:
            self.last_answer[caller] = (ts, newest)
            earlier = newest
        else:  # the same instant as the newest answer (or older: out of reach of the timeline)
            earlier = before if ts == newest else newest
        if len(self.last_answer) > self._fcr_prune_at:
            self.last_answer = {c: pair for c, pair in self.last_answer.items()
                                if ts - pair[0] <= horizon}
            self._fcr_prune_at = max(1024, 2 * len(self.last_answer))
        if earlier is not None and abs(ts - earlier) <= horizon:
            return 2
        return 1

    def _ended(self, event: ev.CallEnded) -> None:
        call_id, ts, talk, hold = event.call_id, event.ts, event.talk_s, event.hold_s
        call = self.calls.get(call_id)
        if call is None or not (0.0 <= talk < _INF and 0.0 <= hold < _INF):
            ok, call = self._target(call_id, talk, hold)  # the rare cases: the full checks
            if not ok:
                return
        if call is None or call.answered is None:
            self.bad.note("end_without_answer")
        elif ts < call.answered:
            self.bad.note("end_before_start")
        self._close(call_id)
        amounts: Sums = {"completed": 1, "talk_sum": exact(talk)}
        if event.ended_by == "transfer" or event.transfer is not None:
            amounts["transfers"] = 1
        if (wrapup := self.kpi.wrapup_s) > 0:
            amounts["wrap_sum"] = exact(wrapup)
        minute, add, agent, queue = int(ts // 60), self._add_minute, event.agent, event.queue
        add(minute, self._agents.get(agent) or self._agent(agent), amounts)
        if hold <= self.queue_sl.get(queue, self.kpi.service_level_s):
            amounts = amounts | {"completed_in_sl": 1}  # a new dict: the tallies keep the first
        add(minute, self._queues.get(queue) or self._queue_scopes(queue), amounts)

    def _left(self, event: ev.CallAbandoned | ev.CallLeft) -> None:
        wait = event.wait_s
        call = self.calls.get(event.call_id)
        if call is None or call.answered is not None or not 0.0 <= wait < _INF:
            call = self._waiting(event, wait, "unanswered_after_answer", "outcome_without_enter")
            if call is None:
                return
        self._close(event.call_id)
        counter = ("abandoned" if isinstance(event, ev.CallAbandoned)
                   else LEFT_COUNTERS[event.reason])
        amounts: Sums = {counter: 1, "outcomes": 1}
        kpi, queue = self.kpi, event.queue
        if counter == "abandoned":
            amounts["abandon_wait_sum"] = exact(wait)
            if wait <= kpi.short_abandon_s and kpi.short_abandon_s > 0:
                amounts["short_abandoned"] = 1
        if counter != "exited_with_key":
            amounts["unanswered"] = 1
            if wait <= self.queue_sl.get(queue, kpi.service_level_s):
                amounts["unanswered_in_sl"] = 1
        self._add_minute(int(event.ts // 60), self._checked.get(queue) or self._queue(queue),
                         amounts)

    def forget_due(self, t: float) -> list[tuple[str, float]]:
        """Forget the calls whose deadline (``STALE_WAIT_S`` waiting, ``STALE_TALK_S``
        talking: their outcome was lost) is ``t`` or before; returns the answered ones
        forgotten, with their deadline, in time order. A scan of the calls in flight, only
        once ``t`` reaches :attr:`next_due` (about once per oldest call's deadline)."""
        calls = self.calls
        due = sorted((deadline, call_id) for call_id, call in calls.items()
                     if (deadline := _deadline(call)) <= t)
        out: list[tuple[str, float]] = []
        for deadline, call_id in due:
            self.bad.note("stale_call")
            call = self._close(call_id)
            if call is not None and call.answered is not None:
                out.append((call_id, deadline))
        self.next_due = min(map(_deadline, calls.values()), default=_INF)
        return out

    def now(self, now: float) -> dict[str, dict[str, float]]:
        """``calls_waiting`` and ``longest_wait_s`` per queue, team and site."""
        out: dict[str, dict[str, float]] = {}
        for scope in self.seen:
            if not scope.startswith("agent:"):
                out[scope] = {"calls_waiting": 0.0, "longest_wait_s": 0.0}
        for queue, calls in self.waiting.items():
            if not calls:
                continue
            longest = max(0.0, now - min(calls.values()))
            for scope in self.scopes.queue(queue):
                figures = out.setdefault(scope, {"calls_waiting": 0.0, "longest_wait_s": 0.0})
                figures["calls_waiting"] += len(calls)
                figures["longest_wait_s"] = max(figures["longest_wait_s"], longest)
        return out
