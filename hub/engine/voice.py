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
- A queue's sums go into a :class:`~panneau.hub.engine.windows.Row` per minute (typed fields,
  no dict per event), whose sums hold the keys that are not zero; an agent's take a dict.
- Summed durations are put on a grid first (:func:`~panneau.hub.engine.exact.exact`), so their
  sums are the same in any order; thresholds compare the event's own value.
- An event's minute is ``int(ts) // 60``: ``int(ts // 60)`` for every time an event holds
  (0..3000 AD: tests/engine/test_minutes.py), without a float floor division (compiled, an
  ``fmod`` of ~230 instructions an event).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, cast

from panneau.hub import events as ev
from panneau.hub.config import Config
from panneau.hub.engine.bad import BadEvents
from panneau.hub.engine.exact import SNAP, exact
from panneau.hub.engine.scopes import Scopes
from panneau.hub.engine.windows import Row, Sums, Tallies
from panneau.hub.events import CallAbandoned

__all__ = ["LEFT_COUNTERS", "STALE_TALK_S", "STALE_WAIT_S", "Calls"]

#: An agent's sums of an answer (by the first-contact check in :meth:`Calls._answered`: no
#: caller, a first contact, a repeat), and a queue and agent's of a ring not answered (the
#: tallies never change what they add).
_AGENT_ANSWERED: Final[tuple[Sums, ...]] = ({"answered": 1.0}, {"answered": 1.0, "contacts": 1.0},
                                     {"answered": 1.0, "contacts": 1.0, "repeats": 1.0})
_RING_NO_ANSWER: Final[Sums] = {"ring_no_answer": 1.0}
#: CallLeft reason -> its own counter.
LEFT_COUNTERS = {"timeout": "timed_out", "empty": "exited_empty", "key": "exited_with_key",
                 "withdrawn": "withdrawn", "syscompat": "syscompat"}
#: (``Final``: compiled, a constant, where any other module-level name is a dict lookup of
#: the module's globals at each use; the handlers read these for every event.)
_CLOSED_MAX: Final = 50_000
_INF: Final = float("inf")
#: A call still waiting, or still talking, after this long lost its outcome line: forget it.
STALE_WAIT_S: Final = 6 * 3600.0
STALE_TALK_S: Final = 12 * 3600.0


#: A call in flight: its queue's :class:`_Place` (the call record carries it, so that its
#: outcome finds its queue's row, T and waiting calls without looking the queue up again),
#: when it entered, its caller, when it was answered (None before; the answer puts a new
#: tuple in its place). A plain tuple: in pure Python a slotted class's ``__init__`` made a
#: call entering cost about five times as much. Saved with the queue's name in its place.
_Call = tuple["_Place", float, str | None, float | None]


#: Event type -> the :class:`Calls` method taking it (subclasses take their base's).
_HANDLERS = {ev.CallEntered: "_entered", ev.CallAnswered: "_answered", ev.CallEnded: "_ended",
             ev.CallAbandoned: "_left", ev.CallLeft: "_left", ev.RingNoAnswer: "_ring",
             ev.SystemRestart: "_restart", ev.CallLost: "_lost"}


class _CallSums(Row):
    """The call sums added to one queue's scope tuple (site, queue, teams) in one minute (see
    :class:`Row`). (An agent's own sums take a dict per add: a row pays for itself in a
    minute with several adds, as a queue's has, not with an agent's one or two.)"""

    __slots__ = ("abandon_wait_sum", "abandoned", "answered", "answered_in_sl", "completed",
                 "completed_in_sl", "contacts", "exited_empty", "exited_with_key", "hold_sum",
                 "loose", "offered", "outcomes", "repeats", "short_abandoned",
                 "syscompat", "talk_sum", "timed_out", "transfers", "unanswered",
                 "unanswered_in_sl", "withdrawn", "wrap_sum")

    def __init__(self, minute: int) -> None:
        self.minute = minute
        self.joined = False
        #: Not a row of the tallies (its minute is not open): added by :meth:`Calls._loose`
        #: once filled, and never again.
        self.loose = False
        self.offered = 0.0
        self.answered = 0.0
        self.hold_sum = 0.0
        self.answered_in_sl = 0.0
        self.contacts = 0.0
        self.repeats = 0.0
        self.outcomes = 0.0
        self.unanswered = 0.0
        self.unanswered_in_sl = 0.0
        self.abandoned = 0.0
        self.abandon_wait_sum = 0.0
        self.short_abandoned = 0.0
        self.timed_out = 0.0
        self.exited_empty = 0.0
        self.exited_with_key = 0.0
        self.withdrawn = 0.0
        self.syscompat = 0.0
        self.completed = 0.0
        self.talk_sum = 0.0
        self.transfers = 0.0
        self.wrap_sum = 0.0
        self.completed_in_sl = 0.0

    def sums(self) -> Sums:
        """The sums whose amount is not zero (each sum comes with a count: checked under
        it)."""
        out: Sums = {}
        if self.offered:
            out["offered"] = self.offered
        if self.answered:
            out["answered"] = self.answered
            if self.hold_sum:
                out["hold_sum"] = self.hold_sum
            if self.answered_in_sl:
                out["answered_in_sl"] = self.answered_in_sl
            if self.contacts:
                out["contacts"] = self.contacts
                if self.repeats:
                    out["repeats"] = self.repeats
        if self.outcomes:
            out["outcomes"] = self.outcomes
            if self.unanswered:
                out["unanswered"] = self.unanswered
                if self.unanswered_in_sl:
                    out["unanswered_in_sl"] = self.unanswered_in_sl
            if self.abandoned:
                out["abandoned"] = self.abandoned
                if self.abandon_wait_sum:
                    out["abandon_wait_sum"] = self.abandon_wait_sum
                if self.short_abandoned:
                    out["short_abandoned"] = self.short_abandoned
            if self.timed_out:
                out["timed_out"] = self.timed_out
            if self.exited_empty:
                out["exited_empty"] = self.exited_empty
            if self.exited_with_key:
                out["exited_with_key"] = self.exited_with_key
            if self.withdrawn:
                out["withdrawn"] = self.withdrawn
            if self.syscompat:
                out["syscompat"] = self.syscompat
        if self.completed:
            out["completed"] = self.completed
            if self.talk_sum:
                out["talk_sum"] = self.talk_sum
            if self.transfers:
                out["transfers"] = self.transfers
            if self.wrap_sum:
                out["wrap_sum"] = self.wrap_sum
            if self.completed_in_sl:
                out["completed_in_sl"] = self.completed_in_sl
        return out

    def merge(self, other: Row) -> None:
        """Add the sums of ``other`` (a row of this class) to this row's."""
        o = cast(_CallSums, other)
        self.offered += o.offered
        self.answered += o.answered
        self.hold_sum += o.hold_sum
        self.answered_in_sl += o.answered_in_sl
        self.contacts += o.contacts
        self.repeats += o.repeats
        self.outcomes += o.outcomes
        self.unanswered += o.unanswered
        self.unanswered_in_sl += o.unanswered_in_sl
        self.abandoned += o.abandoned
        self.abandon_wait_sum += o.abandon_wait_sum
        self.short_abandoned += o.short_abandoned
        self.timed_out += o.timed_out
        self.exited_empty += o.exited_empty
        self.exited_with_key += o.exited_with_key
        self.withdrawn += o.withdrawn
        self.syscompat += o.syscompat
        self.completed += o.completed
        self.talk_sum += o.talk_sum
        self.transfers += o.transfers
        self.wrap_sum += o.wrap_sum
        self.completed_in_sl += o.completed_in_sl


#: The row of a place not added to yet (never added to: joined).
_NO_ROW = _CallSums(-1)
_NO_ROW.joined = True


class _Place:
    """Where a queue's call sums go: its scope tuple, the row it was last added to
    (:meth:`Calls._row`: the next add in the same minute goes to it if it is not joined yet),
    its service level T, its name, and whether :meth:`Calls._queue` checked it (it is in
    :attr:`Calls._checked`)."""

    __slots__ = ("checked", "queue", "row", "scopes", "sl")

    def __init__(self, queue: str, scopes: tuple[str, ...], sl: float) -> None:
        self.queue = queue
        self.scopes = scopes
        self.row = _NO_ROW
        self.sl = sl
        self.checked = False


def _deadline(call: _Call) -> float:
    """When a call still in flight has lost its outcome line."""
    answered = call[3]
    if answered is None:
        return call[1] + STALE_WAIT_S
    return answered + STALE_TALK_S


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
        self._queues: dict[str, _Place] = {}
        #: Those of :attr:`_queues` already checked by :meth:`_queue` (since the last load).
        self._checked: dict[str, _Place] = {}
        self._agents: dict[str, tuple[str, ...]] = {}
        self._pairs: dict[tuple[str, str], tuple[str, ...]] = {}
        kpi = config.kpi  # the settings every call reads
        self._wrap = exact(kpi.wrapup_s) if kpi.wrapup_s > 0 else 0.0
        self._short_s = float(kpi.short_abandon_s)
        self._horizon = kpi.fcr_repeat_hours * 3600.0
        self._handlers: dict[type, Callable[[ev.Event], None]] = {}
        #: No call in flight loses its outcome line before this time (a lower bound, checked
        #: for every event taken: one comparison; see :meth:`forget_due`).
        self.next_due = _INF

    def to_data(self) -> dict:
        """Calls in flight and what outcomes and repeats depend on, as plain data."""
        return {"calls": {call_id: (call[0].queue, call[1], call[2], call[3])
                          for call_id, call in self.calls.items()},
                "waiting": {queue: dict(calls) for queue, calls in self.waiting.items()},
                "closed": tuple(self.closed), "last_answer": dict(self.last_answer),
                "fcr_prune_at": self._fcr_prune_at,
                "unknown_queues": tuple(sorted(self.unknown_queues)),
                "seen": tuple(sorted(self.seen))}

    def load_data(self, data: dict) -> None:
        """Take back what :meth:`to_data` gave."""
        self.seen = set(data["seen"])
        self._queues, self._checked, self._agents, self._pairs = {}, {}, {}, {}
        places = self._queues  # (a call's queue is in seen since it entered)
        self.calls = {cid: (places.get(queue) or self._queue_scopes(queue), entered, caller,
                            answered)
                      for cid, (queue, entered, caller, answered) in data["calls"].items()}
        self.waiting = {queue: dict(calls) for queue, calls in data["waiting"].items()}
        self.closed = dict.fromkeys(data["closed"])
        self.last_answer = {c: (newest, before)
                            for c, (newest, before) in data["last_answer"].items()}
        self._fcr_prune_at = data["fcr_prune_at"]
        self.unknown_queues = set(data["unknown_queues"])
        self.next_due = min(map(_deadline, self.calls.values()), default=_INF)

    def service_level_s(self, queue: str) -> int:
        """T of the queue: its own setting, else the general one."""
        return self.queue_sl.get(queue, self.kpi.service_level_s)

    def _row(self, place: _Place, minute: int) -> _CallSums:
        """The row to add to for ``place`` in ``minute`` when its last one (:attr:`_Place.row`)
        will not do: the tuple's row in that open minute (:meth:`Tallies.add_row`), else a
        loose one to add with :meth:`_loose` once filled."""
        rows = self.tallies.rows.get(minute)
        old = rows.get(place.scopes) if rows is not None else None
        if old is not None:
            row = place.row = cast(_CallSums, old)
            return row
        new = place.row = _CallSums(minute)
        if not self.tallies.add_row(minute, place.scopes, new):
            new.loose = new.joined = True
        return new

    def _loose(self, place: _Place, row: _CallSums) -> None:
        """Add a loose row of :meth:`_row`."""
        self.tallies.add_minute(row.minute, place.scopes, row.sums())

    def _scopes(self, scopes: tuple[str, ...]) -> tuple[str, ...]:
        """A scope tuple about to be added to for the first time since the last load: its
        scopes have now seen a call event. (Every tuple the caches below hand out is added
        to right away, so :attr:`seen` is the scopes of the tuples in the caches.)"""
        self.seen.update(scopes)
        return scopes

    def _queue_scopes(self, queue: str) -> _Place:
        """site, the queue and its teams: where a queue's call sums go."""
        place = self._queues[queue] = _Place(queue, self._scopes(self.scopes.queue(queue)),
                                             float(self.service_level_s(queue)))
        return place

    def _queue(self, queue: str) -> _Place:
        """:meth:`_queue_scopes` for a call entering or leaving (not an answer or an end):
        a queue the configuration does not know is counted once in ``unknown_queues``."""
        known = self.scopes.known_queues
        if known and queue not in known and queue not in self.unknown_queues:
            self.unknown_queues.add(queue)
            self.bad.note("unknown_queue")
        place = self._checked[queue] = self._queues.get(queue) or self._queue_scopes(queue)
        place.checked = True
        return place

    def _agent(self, agent: str) -> tuple[str, ...]:
        """``("agent:<id>",)``, the scope of an agent's own call figures."""
        scopes = self._agents[agent] = self._scopes((f"agent:{agent}",))
        return scopes

    def _close(self, call_id: str, call: _Call | None) -> _Call | None:
        """Forget the call ``call_id`` (``call``: it, as :attr:`calls` holds it, or None) and
        note it closed. (Its callers look it up: no ``dict.pop(key, None)``, compiled a
        generic method call.)"""
        if call is not None:
            del self.calls[call_id]
            if call[3] is None:  # still waiting (an answer takes it out of waiting)
                try:  # noqa: SIM105 (suppress(): a context manager per call)
                    del self.waiting[call[0].queue][call_id]
                except KeyError:  # entered implicitly (:meth:`_open`): never waiting
                    pass
        closed = self.closed
        closed[call_id] = None
        if len(closed) > _CLOSED_MAX:
            for key in list(closed)[: _CLOSED_MAX // 2]:
                del closed[key]
        return call

    def _open(self, ts: float, call_id: str, queue: str, caller: str | None) -> _Call:
        place = self._checked.get(queue) or self._queue(queue)
        call = self.calls[call_id] = (place, ts, caller, None)
        if ts + STALE_WAIT_S < self.next_due:
            self.next_due = ts + STALE_WAIT_S
        self.closed.pop(call_id, None)
        self._offered(ts, place)
        return call

    def _offered(self, ts: float, place: _Place) -> None:
        minute = int(ts) // 60
        if (row := place.row).minute != minute or row.joined:
            row = self._row(place, minute)
        row.offered += 1.0
        if row.loose:
            self._loose(place, row)

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
            minute = int(event.ts) // 60
            into = self.tallies.sums_to_add(minute, scopes)
            if into is None:
                self.tallies.add_minute(minute, scopes, _RING_NO_ANSWER)
            else:
                into["ring_no_answer"] = into.get("ring_no_answer", 0.0) + 1.0

    def _restart(self, event: ev.SystemRestart) -> None:
        if event.reload_only:
            return
        prefix = self.scopes.restart_prefix(event.source)  # a group hub's site
        for call_id in list(self.calls):
            if prefix is None or call_id.startswith(prefix):
                self._close(call_id, self.calls.get(call_id))
        if prefix is None:
            self.waiting.clear()

    def _lost(self, event: ev.CallLost) -> None:
        self._close(event.call_id, self.calls.get(event.call_id))

    def _ignore(self, event: ev.Event) -> None:
        """Events calls do not count."""

    def _entered(self, event: ev.CallEntered) -> None:
        call_id, queue, ts = event.call_id, event.queue, event.ts
        calls = self.calls
        if call_id in calls:
            self.bad.note("duplicate_enter")
            self._close(call_id, calls[call_id])
        place = self._checked.get(queue) or self._queue(queue)
        calls[call_id] = (place, ts, event.caller_id or None, None)  # as _open, inline
        if ts + STALE_WAIT_S < self.next_due:
            self.next_due = ts + STALE_WAIT_S
        if call_id in self.closed:
            del self.closed[call_id]
        minute = int(ts) // 60  # (_offered, inline)
        if (row := place.row).minute != minute or row.joined:
            row = self._row(place, minute)
        row.offered += 1.0
        if row.loose:
            self._loose(place, row)
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
        if call is not None and call[3] is not None:
            self.bad.note(if_answered)
            return None
        if call is None:
            self.bad.note(if_unknown)
            call = self._open(event.ts, event.call_id, event.queue, None)
        return call

    def _answered(self, event: ev.CallAnswered) -> None:
        call_id, queue, ts, hold = event.call_id, event.queue, event.ts, event.hold_s
        call = self.calls.get(call_id)
        if call is None or call[3] is not None or not 0.0 <= hold < _INF:
            call = self._waiting(event, hold, "outcome_of_closed_call", "answer_without_enter")
            if call is None:
                return
        entered_in, entered, caller, _ = call
        try:  # noqa: SIM105 (suppress(): a context manager per call)
            del self.waiting[entered_in.queue][call_id]
        except KeyError:  # entered implicitly (:meth:`_open`): never waiting
            pass
        # Answered: its deadline moves later (next_due is still a lower bound).
        self.calls[call_id] = (entered_in, entered, caller, ts)
        # First-contact proxy: 0 no caller to tell, 1 a first contact, 2 a repeat (the index in
        # _AGENT_ANSWERED): a repeat when the same caller had an answered call within
        # kpi.fcr_repeat_hours before, not at the same instant (so the figures do not depend
        # on the order of same-time events). Per caller: the newest instant with an answer
        # and the newest one before it, so that every answer of one instant is judged
        # against the same earlier answer.
        fcr = 0
        if caller:
            fcr = 1
            last = self.last_answer.get(caller)
            if last is None:
                self.last_answer[caller] = (ts, None)
                if len(self.last_answer) > self._fcr_prune_at:
                    self._prune_answers(ts)
            else:
                newest, before = last
                if ts > newest:
                    self.last_answer[caller] = (ts, newest)
                    earlier: float | None = newest
                else:  # the same instant as the newest (or older: out of the timeline's reach)
                    earlier = before if ts == newest else newest
                if earlier is not None and abs(ts - earlier) <= self._horizon:
                    fcr = 2
        minute, agent = int(ts) // 60, event.agent
        place = entered_in  # the call's queue (a string compare), else the event's looked up
        if place.queue != queue:
            place = self._queues.get(queue) or self._queue_scopes(queue)
        if (row := place.row).minute != minute or row.joined:
            row = self._row(place, minute)
        row.outcomes += 1.0
        row.hold_sum += (hold + SNAP) - SNAP  # exact(hold), inline
        if hold <= place.sl:
            row.answered_in_sl += 1.0
        row.answered += 1.0
        if fcr:
            row.contacts += 1.0
            if fcr == 2:
                row.repeats += 1.0
        if row.loose:
            self._loose(place, row)
        scopes = self._agents.get(agent) or self._agent(agent)
        into = self.tallies.sums_to_add(minute, scopes)
        if into is None:
            self.tallies.add_minute(minute, scopes, _AGENT_ANSWERED[fcr])
            return
        into["answered"] = into.get("answered", 0.0) + 1.0  # _AGENT_ANSWERED[fcr], in order
        if fcr:
            into["contacts"] = into.get("contacts", 0.0) + 1.0
            if fcr == 2:
                into["repeats"] = into.get("repeats", 0.0) + 1.0

    def _prune_answers(self, ts: float) -> None:
        """Forget the callers whose newest answer is beyond the repeat horizon from ``ts``:
        deleted in place (the others keep their order), not a new dict of those kept (most
        of them, most often all: a rebuild cost ~1,800 instructions a caller)."""
        horizon, answers = self._horizon, self.last_answer
        for caller in [c for c, pair in answers.items() if not ts - pair[0] <= horizon]:
            del answers[caller]
        self._fcr_prune_at = max(1024, 2 * len(answers))

    def _ended(self, event: ev.CallEnded) -> None:
        call_id, ts, talk, hold = event.call_id, event.ts, event.talk_s, event.hold_s
        call = self.calls.get(call_id)
        if call is None or not (0.0 <= talk < _INF and 0.0 <= hold < _INF):
            ok, call = self._target(call_id, talk, hold)  # the rare cases: the full checks
            if not ok:
                return
        if call is None or (answered := call[3]) is None:
            self.bad.note("end_without_answer")
        elif ts < answered:
            self.bad.note("end_before_start")
        self._close(call_id, call)
        talk = (talk + SNAP) - SNAP  # exact(talk), inline
        transfer = event.ended_by == "transfer" or event.transfer is not None
        minute, agent, queue, wrap = int(ts) // 60, event.agent, event.queue, self._wrap
        scopes = self._agents.get(agent) or self._agent(agent)
        into = self.tallies.sums_to_add(minute, scopes)
        if into is None:
            amounts: Sums = {"completed": 1.0, "talk_sum": talk}
            if transfer:
                amounts["transfers"] = 1.0
            if wrap > 0:
                amounts["wrap_sum"] = wrap
            self.tallies.add_minute(minute, scopes, amounts)
        else:  # the same keys in the same order
            into["completed"] = into.get("completed", 0.0) + 1.0
            into["talk_sum"] = into.get("talk_sum", 0.0) + talk
            if transfer:
                into["transfers"] = into.get("transfers", 0.0) + 1.0
            if wrap > 0:
                into["wrap_sum"] = into.get("wrap_sum", 0.0) + wrap
        if call is None or (place := call[0]).queue != queue:  # (as in _answered)
            place = self._queues.get(queue) or self._queue_scopes(queue)
        if (row := place.row).minute != minute or row.joined:
            row = self._row(place, minute)
        row.completed += 1.0
        row.talk_sum += talk
        if transfer:
            row.transfers += 1.0
        row.wrap_sum += wrap
        if hold <= place.sl:
            row.completed_in_sl += 1.0
        if row.loose:
            self._loose(place, row)

    def _left(self, event: ev.CallAbandoned | ev.CallLeft) -> None:
        wait = event.wait_s
        call = self.calls.get(event.call_id)
        if call is None or call[3] is not None or not 0.0 <= wait < _INF:
            call = self._waiting(event, wait, "unanswered_after_answer", "outcome_without_enter")
            if call is None:
                return
        self._close(event.call_id, call)
        queue, minute = event.queue, int(event.ts) // 60
        place = call[0]  # the call's queue when it is the event's and checked (as _checked)
        if place.queue != queue or not place.checked:
            place = self._checked.get(queue) or self._queue(queue)
        if (row := place.row).minute != minute or row.joined:
            row = self._row(place, minute)
        row.outcomes += 1.0
        reason = "" if isinstance(event, CallAbandoned) else event.reason
        if not reason:
            row.abandoned += 1.0
            row.abandon_wait_sum += (wait + SNAP) - SNAP  # exact(wait), inline
            if wait <= self._short_s and self._short_s > 0:
                row.short_abandoned += 1.0
        elif reason == "timeout":
            row.timed_out += 1.0
        elif reason == "empty":
            row.exited_empty += 1.0
        elif reason == "withdrawn":
            row.withdrawn += 1.0
        elif reason == "syscompat":
            row.syscompat += 1.0
        if reason != "key":
            row.unanswered += 1.0
            if wait <= place.sl:
                row.unanswered_in_sl += 1.0
        else:
            row.exited_with_key += 1.0
        if row.loose:
            self._loose(place, row)

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
            call = self._close(call_id, calls.get(call_id))
            if call is not None and call[3] is not None:
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
