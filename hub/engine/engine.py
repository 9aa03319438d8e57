"""The KPI engine: ``apply(event)``, ``advance(now)`` and ``query()``. Pure: no clock, no I/O.

Same events in, same figures out — live, replayed or rebuilt after a restart. Events are
checked when they are built (:class:`~panneau.hub.events.InvalidEvent`); ``apply`` refuses
anything that is not an event with that same exception and counts an event it cannot use
(an answer for a call already closed, a duplicate...) in ``bad_events`` by kind. Any other
exception out of the engine is a bug and is raised.

``advance(now)`` is the only call that moves state with time: it brings the rolling windows,
wrap-up timers, stale calls and agent time up to ``now``, evaluates thresholds and raises or
ends alerts, and keeps the resulting :class:`Snapshot`. ``query()`` hands that snapshot out and
changes nothing; ``snapshot(now)`` is ``advance(now)`` then ``query()``.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any, Final

from panneau.hub import events as ev
from panneau.hub.config import Config
from panneau.hub.engine.agents import AgentBook
from panneau.hub.engine.arrival import REACH_S, Timeline, all_events, by_time
from panneau.hub.engine.bad import BadEvents
from panneau.hub.engine.erlang import staffing
from panneau.hub.engine.escalations import CallEscalations, escalation_kpis
from panneau.hub.engine.inputs import Inputs, input_kpis
from panneau.hub.engine.kpis import agent_kpis, occupancy, queue_kpis
from panneau.hub.engine.occupancy import LEAD_S, Occupancy
from panneau.hub.engine.scopes import Scopes
from panneau.hub.engine.snapshot import Snapshot
from panneau.hub.engine.surveys import Surveys
from panneau.hub.engine.thresholds import ALERT_REACH_S, Thresholds
from panneau.hub.engine.tickets import Tickets
from panneau.hub.engine.voice import STALE_WAIT_S, Calls
from panneau.hub.engine.windows import ROLLING, DayClock, Sums, Tallies, merged
from panneau.hub.events import (
    AgentPaused,
    AgentUnpaused,
    CallAbandoned,
    CallAnswered,
    CallEnded,
    CallEntered,
    CallLeft,
    RingNoAnswer,
)

__all__ = ["STATE_SCHEMA", "Engine", "StateMismatch"]

#: The layout and meaning of :meth:`Engine.to_data`. Bump it whenever either changes: a saved
#: state of another schema is never loaded (the hub replays its journal instead).
STATE_SCHEMA = 11


def _ignore(event: Any) -> None:
    """The route of events no part takes."""


#: Compiled (mypyc): :meth:`Engine._take_all` takes the queue_log event types by direct calls
#: of their parts' handlers (see :meth:`Engine._take_each_native`).
_NATIVE: Final = not __file__.endswith(".py")


class StateMismatch(ValueError):
    """Saved engine data of another schema, or not engine data at all."""

_WINDOWS = (*ROLLING, "today")
#: The occupancy of a scope without agent time, in every window.
_NO_TIME: tuple[float | None, ...] = (None,) * len(_WINDOWS)
_TODAY = _WINDOWS.index("today")
_NONE: frozenset[str] = frozenset()
#: No sums (never changed).
_EMPTY: dict[str, float] = {}
_AGENT_EVENTS = (ev.AgentLoggedIn, ev.AgentLoggedOut, ev.AgentPaused, ev.AgentUnpaused,
                 ev.AgentStatus, ev.AgentRung, ev.RingNoAnswer, ev.CallAnswered, ev.CallEnded,
                 ev.CallAbandoned, ev.CallLeft, ev.SystemRestart)
_CALL_EVENTS = (ev.CallEntered, ev.CallAnswered, ev.CallEnded, ev.CallAbandoned, ev.CallLeft,
                ev.CallLost, ev.RingNoAnswer, ev.SystemRestart)
_TICKET_EVENTS = (ev.TicketCreated, ev.TicketUpdated, ev.TicketReplied, ev.TicketSolved,
                  ev.TicketReopened, ev.TicketMetrics, ev.TicketSlaBreached)
#: A part's ``apply``: each takes the event types its route (``Engine._route``) sends it.
_Take = Callable[[Any], None]


class Engine:
    """Every KPI of every scope and window, from normalised events."""

    #: ``apply(event)``: take one event into account, in its place in time (see
    #: :mod:`panneau.hub.engine.arrival`); ``InvalidEvent`` for anything but an event. It is
    #: :meth:`Timeline.add` itself, bound at start: one call per event, not two.
    apply: Callable[[object], None]

    def __init__(self, config: Config, *, reach_s: float = REACH_S) -> None:
        self.config = config
        self.bad = BadEvents()
        self.clock = DayClock(config.hub.timezone, config.hub.day_start)
        self.tallies = Tallies(self.clock)
        self.scopes = Scopes(config)
        self.calls = Calls(config, self.scopes, self.tallies, self.bad)
        self.agents = AgentBook(self.scopes, self.tallies, config.kpi.wrapup_s,
                                config.kpi.wrapup_pause_reasons, self.bad)
        self.tickets = Tickets(config, self.scopes, self.tallies, self.bad)
        self.escalations = CallEscalations(config, self.scopes, self.tallies)
        kpi = config.kpi
        self._level2 = bool(kpi.level2_queues or kpi.level2_groups
                            or kpi.level2_transfer_targets)
        self.surveys = Surveys(config, self.scopes, self.tallies, self.bad)
        self.surveys.ticket_scopes = self.tickets.scopes_of
        self.inputs = Inputs(self.scopes, self.clock, self.bad)
        self.thresholds = Thresholds(config, self.scopes)
        #: ``None``: the thresholds are judged at every :meth:`advance`. A number (the hub's
        #: ``ALERT_STEP_S``): at each multiple of it of event time only, with the figures
        #: there, so states and alerts do not depend on how often ``advance`` is called
        #: (:meth:`~panneau.hub.engine.thresholds.Thresholds.due`); see
        #: :meth:`judge_before`.
        self.alert_step_s: float | None = None
        self._cache: dict[str, dict[str, dict[str, float]]] = {}
        self._small: dict[str, frozenset[str]] = {}
        #: The scopes whose cached figures took the short way (see :meth:`_windows`), with
        #: whether they had seen calls then.
        self._short: dict[str, bool] = {}
        self._day: int | None = None
        #: Every scope's occupancy in each window (:meth:`_occupancy_table`), and the minute
        #: whose turn it was last worked out ahead for (:meth:`_look_ahead`).
        self._occupancy = Occupancy()
        self._ahead_of = -1
        self._current = Snapshot(at=0.0)
        #: Per scope with ``now`` figures: its cached windows and its values at the last
        #: advance (see :meth:`_values`).
        self._joined: dict[str, tuple[dict | None, dict[str, dict[str, float]]]] = {}
        self._values_of: dict[str, dict[str, dict[str, float]]] | None = None
        self._routes: dict[type, tuple[_Take, _Take | None]] = {}
        take_all = self._take_all_native if _NATIVE and not self._level2 else self._take_all
        self.timeline = Timeline(self._take, self.tallies, self._save_parts, self._load_parts,
                                 reach_s, take_all)
        self.apply = self.timeline.add

    # --- input -------------------------------------------------------------------------

    def apply_all(self, events: Sequence[object]) -> tuple[float, float] | None:
        """:meth:`apply` of each event in turn, in one call (a replay's batches); the oldest
        and newest ``ts`` of the events (None for none)."""
        if all_events(events):
            return self.timeline.add_all(events)  # type: ignore[arg-type]
        for event in events:  # those before the first that is not an event are taken
            self.apply(event)
        raise AssertionError("apply refuses what is not an event")

    def _take(self, event: ev.Event) -> None:
        if event.ts >= self.calls.next_due:
            self._forget_due(event.ts)
        try:
            take, then = self._routes[type(event)]
        except KeyError:
            take, then = self._routes[type(event)] = self._route(type(event))
        take(event)
        if then is not None:
            then(event)

    def _runs(self, events: Sequence[ev.Event]) -> Iterator[Sequence[ev.Event]]:
        """``events`` (in time order) in runs to take one after the other, each before the
        stale calls' deadline (:attr:`Calls.next_due`), the calls due forgotten before each:
        the deadline is tested once per run, not once per event. No call opened within a
        run lowers it below the run's first time plus ``STALE_WAIT_S``, so a run ends before
        the first event at either bound (worked out once the run before is taken)."""
        calls = self.calls
        start, end = 0, len(events)
        while start < end:
            first = events[start].ts
            if first >= calls.next_due:
                self._forget_due(first)
            stop = bisect_left(events, min(calls.next_due, first + STALE_WAIT_S), start + 1,
                               end, key=by_time)
            yield events[start:stop] if start or stop < end else events
            start = stop

    def _take_all(self, events: Sequence[ev.Event]) -> None:
        """:meth:`_take` of each event in turn, ``events`` in time order (see :meth:`_runs`)."""
        routes, route_of = self._routes, self._route
        for run in self._runs(events):
            for event in run:
                try:
                    take, then = routes[type(event)]
                except KeyError:
                    take, then = routes[type(event)] = route_of(type(event))
                take(event)
                if then is not None:
                    then(event)

    def _take_all_native(self, events: Sequence[ev.Event]) -> None:
        """:meth:`_take_all` when compiled, without a level 2 (whose escalations take call
        events too): the event types queue_log gives go straight to their parts' handlers,
        the same ones their route calls in the same order (a direct call of a native method,
        where a route is a call through a Python object); any other type, a subclass
        included, takes its route (:meth:`_take`)."""
        calls, agents = self.calls, self.agents
        for run in self._runs(events):
            for event in run:
                if type(event) is CallEntered:
                    calls._entered(event)
                elif type(event) is CallAnswered:
                    calls._answered(event)
                    agents._answered(event)
                elif type(event) is CallEnded:
                    calls._ended(event)
                    agents._ended(event)
                elif type(event) is CallAbandoned or type(event) is CallLeft:
                    calls._left(event)
                    agents._left(event)
                elif type(event) is RingNoAnswer:
                    calls._ring(event)
                    agents._ring_no_answer(event)
                elif type(event) is AgentPaused:
                    agents._paused(event)
                elif type(event) is AgentUnpaused:
                    agents._unpaused(event)
                else:
                    self._take(event)  # (within a run: no call due, see _runs)

    def _forget_due(self, t: float) -> None:
        """Forget the calls that lost their outcome line by ``t``, each at its own deadline
        (before an event after it is taken, or at an advance), after the wrap-up timers
        ending before it: their agents are free from then, whenever the engine is advanced,
        saved or rewound."""
        agents = self.agents
        for call_id, deadline in self.calls.forget_due(t):
            agents.expire(deadline)  # the wrap-up timers ending before it first, in time order
            agents.forget_calls([call_id], deadline)

    def _route(self, kind: type) -> tuple[_Take, _Take | None]:
        """The parts that take events of type ``kind``, in order."""
        parts: list[_Take] = []
        if issubclass(kind, _CALL_EVENTS):
            parts.append(self.calls.handler(kind))
            if issubclass(kind, ev.CallEnded | ev.CallEntered) and self._level2:
                parts.append(self.escalations.apply)  # counts nothing without a level 2
        if issubclass(kind, _AGENT_EVENTS):
            parts.append(self.agents.taker(kind))
        if issubclass(kind, _TICKET_EVENTS):
            parts.append(self.tickets.apply)
        elif issubclass(kind, ev.SurveyResponse | ev.SurveySent):
            parts.append(self.surveys.apply)
        elif issubclass(kind, ev.FigureEntered):
            parts.append(self.inputs.apply)
        if len(parts) <= 2:
            return (parts[0] if parts else _ignore), (parts[1] if len(parts) == 2 else None)
        rest = parts[1:]

        def then(event: Any) -> None:
            for take in rest:
                take(event)

        return parts[0], then

    # --- saved state ---------------------------------------------------------------------

    def to_data(self) -> dict:
        """Everything the engine knows, as plain data (dicts, lists, numbers, strings, None):
        what the hub saves, and what :meth:`from_data` takes back. No code, no pickle."""
        self.timeline.settle()  # waiting events first taken in their place
        return {"schema": STATE_SCHEMA, **self._save_parts(), "tallies": self.tallies.to_data(),
                "thresholds": self.thresholds.to_data(), "frontier": self.timeline.frontier,
                "reach": self.timeline.reach_data()}

    def _save_parts(self) -> dict:
        """The state but the sums and thresholds (a checkpoint of the timeline)."""
        return {"bad": dict(self.bad), "calls": self.calls.to_data(),
                "agents": self.agents.to_data(), "tickets": self.tickets.to_data(),
                "surveys": self.surveys.to_data(), "inputs": self.inputs.to_data(),
                "escalations": self.escalations.to_data()}

    def _load_parts(self, data: dict) -> None:
        self.bad.load_data(data["bad"])
        self.calls.load_data(data["calls"])
        self.agents.load_data(data["agents"])
        self.tickets.load_data(data["tickets"])
        self.surveys.load_data(data["surveys"])
        self.inputs.load_data(data["inputs"])
        self.escalations.load_data(data["escalations"])
        self.tallies.dirty |= self.calls.seen | self.tickets.seen | self.surveys.seen

    @classmethod
    def from_data(cls, config: Config, data: object) -> Engine:
        """An engine for ``config`` in the state :meth:`to_data` gave (``StateMismatch`` for
        data of another schema; ``KeyError``, ``TypeError`` or ``ValueError`` for damaged
        data)."""
        if not isinstance(data, dict) or data.get("schema") != STATE_SCHEMA:
            found = data.get("schema") if isinstance(data, dict) else type(data).__name__
            raise StateMismatch(f"engine state schema {found!r}, expected {STATE_SCHEMA}")
        engine = cls(config)
        engine.tallies.load_data(data["tallies"])
        engine._load_parts(data)
        engine.thresholds.load_data(data["thresholds"])
        engine.timeline.resume(float(data["frontier"]), data["reach"])
        return engine

    # --- time and output -----------------------------------------------------------------

    def snapshot(self, now: float) -> Snapshot:
        """``advance(now)`` then ``query()``: all figures at ``now`` (epoch seconds)."""
        self.advance(now)
        return self._current

    def apply_judged(self, events: Sequence[object], limit: float = math.inf) -> list:
        """:meth:`apply_all`, the grid's instants judged on the way (:meth:`judge_before` of
        each event past the next one, its ``ts`` taken no further than ``limit``: the hub's
        clock); the alerts those judgments raised. The same judgments whether the events come
        one at a time, in batches, or from a journal at a restart.

        The events are checked once (:func:`all_events`), then handed to the timeline as
        they are (not checked again by :meth:`apply_all`)."""
        step = self.alert_step_s
        if step is None or not self.thresholds.by_kpi or not all_events(events):
            self.apply_all(events)
            return []
        raised: list = []
        add_all, begin, due = self.timeline.add_all, 0, self.thresholds.judged + step
        for i, event in enumerate(events):
            ts = event.ts  # type: ignore[attr-defined]
            if ts > due:
                if i > begin:
                    add_all(events[begin:i])  # type: ignore[arg-type]
                begin = i
                if self.judge_before(min(ts, limit)):
                    raised += self._current.alerts
                due = max(self.thresholds.judged + step, ts)
        add_all(events[begin:] if begin else events)  # type: ignore[arg-type]
        return raised

    def skip_judging(self, until: float) -> None:
        """Before a catch-up to ``until`` (a restart's replay, then its first ``advance``):
        judge no grid instant more than ``ALERT_REACH_S`` before it. A hub saves its state
        within ``SAVE_EVERY_S`` of any change of the thresholds' levels or alerts, so the
        instants skipped by a restart held none (they are judged as if)."""
        if self.alert_step_s is not None:
            self.thresholds.skip_to(until - ALERT_REACH_S, self.alert_step_s)

    def judge_before(self, ts: float) -> bool:
        """With :attr:`alert_step_s`, before an event at ``ts`` is applied: advance to the
        last instant of the grid before ``ts`` when it is not judged yet (those figures must
        not hold it); whether it advanced. Applied in the same order, events give the same
        judgments however they were batched and whenever ``advance`` was called."""
        step = self.alert_step_s
        if step is None:
            return False
        at = (math.ceil(ts / step) - 1) * step
        if at <= self.thresholds.judged or at < self._current.at:
            return False
        self.advance(at)
        return True

    def tick_at(self, now: float) -> float:
        """The instant a hub's tick at ``now`` advances to: with :attr:`alert_step_s`, the last
        instant of the grid up to ``now`` when it is not judged yet and no event after it is
        taken (one advance then judges it and gives the figures shown, instead of a second
        one to ``now``); else ``now``. The figures are those of every event taken, at most a
        step older than ``now`` in their time-dependent parts (waits, agent time), and the
        hub's clock ticks run just after each step: the figures, their states and the alerts
        are then all of the same instant."""
        step = self.alert_step_s
        if step is None or not self.thresholds.by_kpi or not self.timeline.live:
            return now
        at = math.floor(now / step) * step
        if at <= self.thresholds.judged or at < self._current.at or self.timeline.frontier > at:
            return now
        return at

    def query(self) -> Snapshot:
        """The figures, states and alerts at the last :meth:`advance` (changes nothing)."""
        return self._current

    def advance(self, now: float) -> None:
        """Move every time-dependent part to ``now`` and keep the figures it gives; with
        :attr:`alert_step_s`, first to each instant of its grid up to ``now`` not judged yet
        (the thresholds judged there), the snapshot's ``alerts`` those raised on the way."""
        step = self.alert_step_s
        if step is None or not self.thresholds.by_kpi:
            self._advance(now, True)
            return
        raised: list = []
        due = self.thresholds.due(now, step)
        for at in due:
            self._advance(at, True)
            raised += self._current.alerts
        if not due or due[-1] != now:
            self._advance(now, False)
        self._current.alerts = raised

    def _advance(self, now: float, judge: bool) -> None:
        self.timeline.before_advance()
        if now >= self.calls.next_due:
            self._forget_due(now)
        views, agent_counts, reasons = self.agents.now(now)  # agent time first: its minutes
        self.tallies.advance(now)  # are then folded with the others
        dirty, left = self.tallies.take_changes()
        dirty |= self.inputs.take_dirty()
        timed = self.agents.levels.take_dirty(self.tallies.cursor)
        day = self.clock.day(now)
        if day != self._day:
            self._day = day
            dirty |= set(self._cache)
        dirty |= self.calls.seen - set(self._cache)
        moved = timed.union(*left.values())
        self._windows(dirty, moved, left, now)
        self._look_ahead(now)
        now_values = self._now(now, agent_counts)
        values = self._values(now_values, bool(dirty or moved))
        states, alerts = self.thresholds.evaluate(values, now, judge)
        self._current = Snapshot(
            at=now, values=values, states=states, agents=views, alerts=alerts,
            agents_since=(self._current.agents, self.agents.moved),
            active_alerts=self.thresholds.active,
            bad_events=dict(self.bad), targets=self.thresholds.targets(values),
            paused_reasons=reasons,
            small_n=frozenset().union(*self._small.values()),
        )
        self.timeline.after_advance(now)

    def _values(self, now_values: dict[str, dict[str, float]], moved: bool
                ) -> dict[str, dict[str, dict[str, float]]]:
        """Every scope with figures, in the cache's order then the others': the windows as
        cached (shared, never changed), with ``now`` for the few scopes that have it.

        A scope with ``now`` figures keeps the very dict of the last advance while its cached
        windows are the same and its ``now`` figures equal (most scopes between two events,
        every one over the seconds a step tick judges): the thresholds and the hub's views
        then skip it by identity instead of comparing or judging it again in depth. With no
        cached windows ``moved`` and every such scope kept, the very dict of the last advance
        (a second of a step tick with nothing new: the thresholds skip it whole)."""
        joined, shown = self._joined, self._values_of
        if (not moved and shown is not None and now_values.keys() == joined.keys()
                and all(joined[scope][1]["now"] == figures
                        for scope, figures in now_values.items())):
            return shown
        values = {scope: windows for scope, windows in self._cache.items()
                  if windows or scope in now_values}
        kept = {}
        for scope, figures in now_values.items():
            windows = values.get(scope)
            last = joined.get(scope)
            if last is not None and last[0] is windows and last[1]["now"] == figures:
                both = last[1]
            else:
                both = {**windows, "now": figures} if windows else {"now": figures}
            kept[scope] = windows, both
            values[scope] = both
        self._joined, self._values_of = kept, values
        return values

    def _windows(self, dirty: set[str], moved: set[str], left: dict[int, set[str]],
                 now: float) -> None:
        """Recompute the windowed figures of the ``dirty`` scopes into the cache, and of the
        ``moved`` ones: scopes whose agent time moved with the minute, or whose added sums
        changed in the rolling windows of ``left`` only (a minute left them).

        A minute tick moves every scope with agent time (561 × 4 windows at 500 agents), so
        what is the same for all is looked up once, and a scope with calls and agent time
        only (every agent, most queues) takes the short way: the agent or the queue formulas
        on each window's sums, nothing else (the tallies hold no entered figures), and
        occupancy from every scope's, read at once (:meth:`_occupancy_table`). A moved scope's
        window whose added sums did not change keeps its figures but occupancy, and the very
        dicts when occupancy is the same too (a scope's dict of windows as well when none
        changed): a minute tick builds only what changed, and a snapshot shares the rest.
        """
        counted, occupancy_of = self.tallies.counted, self._occupancy_table(now).get
        totals, current = self.tallies.rolling_now()
        day = self.clock.day(now)
        entered = self.inputs.days.get(day, {})
        tickets, surveyed = self.tickets.seen, self.surveys.seen
        calls_seen, cache, small, short = self.calls.seen, self._cache, self._small, self._short
        every = self._level2 or bool(self.inputs.rates)  # every scope the long way, else these:
        special = tickets | surveyed | set(entered) if tickets or surveyed or entered else _NONE
        stale = (*(left[width] for width in ROLLING.values()), set())  # _WINDOWS' order
        for scope in dirty | moved:
            if every or scope in special:
                cache[scope] = self._windows_of(scope, now, day)
                short.pop(scope, None)
                continue
            seen = scope in calls_seen
            kpis = agent_kpis if scope.startswith("agent:") else queue_kpis
            occupancy = occupancy_of(scope, _NO_TIME)
            old = (None if scope in dirty or short.get(scope) is not seen
                   else cache.get(scope))
            out = {}
            same = old is not None
            for i, window in enumerate(_WINDOWS):
                figures: dict[str, float] | None
                if old is None or scope in stale[i]:
                    if i == _TODAY:
                        sums = counted(scope, window, now)
                    else:  # Tallies.counted written out: the hot read of a minute's turn
                        sums = totals[i].get(scope, _EMPTY)
                        if scope in current:
                            sums = merged(sums, current[scope])
                    figures = kpis(sums, seen)
                    if (value := occupancy[i]) is not None:
                        figures["occupancy_pct"] = value
                    same = False
                else:  # the same added sums: the same figures but occupancy
                    figures, value = old.get(window), occupancy[i]
                    if figures is None:
                        if value is not None:
                            figures, same = {"occupancy_pct": value}, False
                    elif figures.get("occupancy_pct") != value:
                        figures, same = figures.copy(), False
                        if value is None:
                            del figures["occupancy_pct"]
                        else:
                            figures["occupancy_pct"] = value
                if figures:
                    out[window] = figures
            if same:  # every window kept: the scope's dict too
                continue
            cache[scope] = out
            short[scope] = seen
            if small:
                small.pop(scope, None)

    def _occupancy_table(self, now: float) -> dict[str, tuple[float | None, ...]]:
        """Every scope's occupancy in each window (:data:`_WINDOWS`' order) at ``now``, from
        the agent time handed over: read for every scope at once when the windows move (a
        minute tick), kept while they stay (a scope added since has none yet)."""
        levels, cursor = self.agents.levels, self.tallies.cursor
        assert cursor is not None
        first, end = int(self.clock.start(now) // 60), int(self.clock.end(now) // 60)
        return self._occupancy.read(levels, (cursor, levels.minute, first, end, levels.loads),
                                    cursor, first, end)

    def _look_ahead(self, now: float) -> None:
        """Once in the last ``LEAD_S`` seconds of the cursor's minute: the occupancy table of
        the next minute's turn worked out ahead (:mod:`panneau.hub.engine.occupancy`), but
        for a turn into a new day (its day start read then)."""
        levels, cursor = self.agents.levels, self.tallies.cursor
        if (cursor is None or cursor == self._ahead_of or now < (cursor + 1) * 60.0 - LEAD_S
                or levels.minute != cursor):
            return
        self._ahead_of = cursor
        at = (cursor + 1) * 60.0
        first = self.clock.start(at)
        if first == at:
            return
        first_m, end_m = int(first // 60), int(self.clock.end(at) // 60)
        self._occupancy.look_ahead(levels, (cursor + 1, cursor + 1, first_m, end_m, levels.loads),
                                   first_m, end_m)

    def _windows_of(self, scope: str, now: float, day: int) -> dict[str, dict[str, float]]:
        """The windowed figures of a scope with tickets, surveys, escalations or entered
        figures (and its small-sample flags)."""
        seen = scope in self.calls.seen
        kpis = agent_kpis if scope.startswith("agent:") else queue_kpis
        tickets = scope in self.tickets.seen
        level1 = self._level2 and (seen or tickets)
        survey = scope in self.surveys.seen
        inputs = bool(self.inputs.rates) or scope in self.inputs.days.get(day, {})
        out = {}
        for window in _WINDOWS:
            sums = self.tallies.window(scope, window, now)
            if window == "today" and inputs:
                sums = self.inputs.with_day(scope, day, sums, partial(
                    self.tallies.window, window="today", now=now))
            figures = kpis(sums, seen)
            occupancy(sums.get("t_work", 0.0), sums.get("t_busy", 0.0), figures)
            if tickets:
                self.tickets.kpis(scope, window, now, sums, figures)
            if survey:
                self.surveys.kpis(scope, sums, figures)
            if level1:
                escalation_kpis(sums, figures, level1)
            if window == "today" and inputs:
                input_kpis(sums, figures)
            if figures:
                out[window] = figures
        if survey and (flagged := self.surveys.small(scope, out, self.config.kpi.small_n)):
            self._small[scope] = flagged
        else:
            self._small.pop(scope, None)
        return out

    def counted_day(self, day: int) -> dict[str, Sums]:
        """Every scope's sums of working day ``day`` (a ``date.toordinal()``) counted from
        events, with the labour cost: the ``counted`` part of the period rollups (after a
        :meth:`snapshot`; only days the tallies still hold, see :meth:`rollup_days`)."""
        day_sums = self.tallies.day(day)

        def sums_of(scope: str) -> Sums:  # a group total's labour adds its sites'
            return day_sums.get(scope, {})

        return {scope: self.inputs.with_labour(scope, day, sums, sums_of)
                for scope, sums in day_sums.items()}

    def entered_day(self, day: int) -> dict[str, Sums]:
        """Every scope's entered figures of working day ``day``: the ``entered`` part."""
        return self.inputs.days.get(day, {})

    def rollup_days(self) -> tuple[set[int], set[int]]:
        """The days whose rollups may have changed: the days the tallies hold (today and
        yesterday), and the days of figures entered or corrected since the last call."""
        return self.tallies.day_keys(), self.inputs.take_changed_days()

    def _now(self, now: float, agent_counts: dict[str, dict[str, float]]
             ) -> dict[str, dict[str, float]]:
        out = agent_counts  # already a fresh copy
        for scope, figures in self.calls.now(now).items():
            out.setdefault(scope, {}).update(figures)
        for scope, figures in self.tickets.now().items():
            out.setdefault(scope, {}).update(figures)
        # Erlang C per queue from its 30m offered and AHT and the agents who can answer.
        window_s = (ROLLING["30m"] - 1) * 60.0 + now % 60.0
        target_pct, cache = self.config.kpi.service_level_target_pct, self._cache
        for queue in self.calls.waiting.keys() | self.agents.queue_members.keys():
            scope = f"queue:{queue}"
            figures = out.setdefault(scope, {})
            window = cache.get(scope, {}).get("30m", {})
            g = figures.get
            can_answer = (g("agents_available", 0.0) + g("agents_ringing", 0.0)
                          + g("agents_on_call", 0.0) + g("agents_wrapup", 0.0))
            figures.update(staffing(offered=window.get("offered"), aht_s=window.get("aht_s"),
                                    sl_s=self.calls.service_level_s(queue),
                                    target_pct=target_pct, agents_now=can_answer,
                                    window_s=window_s))
        return {scope: figures for scope, figures in out.items() if figures}
