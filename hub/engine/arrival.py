"""Arrival order: the engine's figures are those of its events taken in time order.

Sources do not deliver in time order: a source catches up on a backlog while another one is
live, a hub replays its journal after a restart, an export is sorted by a one-second column.
The state machines of calls and agents (and agent time) depend on the order they see events
in, so :class:`Timeline` puts events back in time order before the engine takes them —
events of the same instant keep their arrival order. Live figures therefore equal those of a
replay of the same events (a fresh engine fed them in time order), however they arrived,
within the reach below.

- **Before the first** ``advance`` (a replay, a journal being read at start) events wait in a
  buffer and are taken in time order once they are ``HOLD_S`` older than the newest one seen
  (and all of them at ``advance``). An event older than that, or than the last event taken, is
  taken at once, out of order.
- **From the first** ``advance`` on, an event no older than the *frontier* — the newest event
  taken, or the start of the minute of the last ``advance`` (agent time is counted up to it) —
  is taken at once. An older one is *late*: at the next ``advance`` the engine goes back to the
  newest checkpoint before it, undoes the sums added since (:attr:`Tallies.journal`), and takes
  the events since then again with the late ones in their place.
- A checkpoint is the engine's state but its sums (:meth:`Engine.to_data` parts), taken at an
  ``advance`` at most every ``CHECKPOINT_S``, but not at the first ``advance`` into a new
  minute (it moves every window: the heaviest) when the one before was in the minute before:
  the next ``advance`` takes it (or the next minute's, when ``advance`` comes once a minute).
  Taken when due, a live hub's checkpoints drifted onto its minute ticks within an hour or
  two and stayed there, the worst tick carrying both.
  Checkpoints and the events since the oldest
  are kept for ``reach_s`` (``REACH_S``, 15 minutes, by default). A late event older than the
  oldest checkpoint is taken right after it: its sums land in its own minute but the state
  machines see it then (counted in :attr:`Timeline.beyond_reach`). The first ``advance``
  takes a checkpoint of the state before the events still waiting, so its reach starts
  there; the saved state carries the oldest checkpoint, the events and the sums since
  (:meth:`Timeline.reach_data`), so an engine saved and loaded keeps the same reach.
- Wrap-up timers that end within an ``advance`` end then, at their own time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import repeat
from operator import attrgetter
from typing import Any, Final

from panneau.hub.engine.windows import Journal, Tallies
from panneau.hub.events import Event, InvalidEvent, event_from_dict, event_to_dict

__all__ = ["CHECKPOINT_S", "HOLD_S", "REACH_S", "Timeline", "all_events", "by_time", "time_span"]

REACH_S = 15 * 60.0
CHECKPOINT_S = 60.0
HOLD_S = 15 * 60.0
_BUFFER = 8192  # events buffered before the first advance between two sorts, at least


_ts = attrgetter("ts")
#: Compiled (mypyc), a loop reads each event's ``ts`` as a C double, an eighth of the cost of
#: ``map(attrgetter)`` there (which boxes it); in pure Python ``map`` is the fast way.
_NATIVE: Final = not __file__.endswith(".py")


def _event_ts(event: Event) -> float:
    return event.ts


#: The key events are sorted by: compiled, a native function (a third of the cost of
#: ``attrgetter``, which looks the field up by name); in pure Python ``attrgetter``.
by_time: Final[Callable[[Event], float]] = _event_ts if _NATIVE else _ts


def all_events(items: Sequence[object]) -> bool:
    """Whether every item is an :class:`~panneau.hub.events.Event`."""
    if _NATIVE:  # mypyc makes this a loop
        return all(isinstance(item, Event) for item in items)
    return all(map(isinstance, items, repeat(Event)))


def time_span(events: Sequence[Event]) -> tuple[float, float]:
    """The oldest and the newest ``ts`` of ``events`` (at least one)."""
    if _NATIVE:
        low = high = events[0].ts
        for event in events:
            ts = event.ts
            if ts < low:
                low = ts
            elif ts > high:
                high = ts
        return low, high
    times = list(map(_ts, events))
    return min(times), max(times)


class Timeline:
    """Feeds events to ``take`` in time order; see the module docstring."""

    def __init__(self, take: Callable[[Event], None], tallies: Tallies,
                 save: Callable[[], Any], load: Callable[[Any], None],
                 reach_s: float = REACH_S,
                 take_all: Callable[[Sequence[Event]], None] | None = None) -> None:
        self.take, self.tallies, self.save, self.load = take, tallies, save, load
        #: ``take`` of each event of a sequence in turn, in one call.
        self.take_all = take_all or self._take_each
        self.reach_s = reach_s
        self.live = False
        self.frontier = -math.inf
        self.pending: list[Event] = []
        self._newest = -math.inf
        #: :attr:`pending` is in time order (events arriving in order, the common case, are
        #: never sorted).
        self._sorted = True
        self._drain_at = _BUFFER
        self.late: list[Event] = []
        #: Events taken since the oldest checkpoint, in the order taken.
        self.log: list[Event] = []
        #: ``(time, len(log), len(tallies.journal), state)``, oldest first.
        self.checkpoints: list[tuple[float, int, int, Any]] = []
        self.rewinds = 0
        self.beyond_reach = 0
        #: The minute of the last ``advance`` (see :meth:`after_advance`).
        self._minute = -math.inf

    def add(self, event: object) -> None:  # object: compiled, not refused by a type check
        """One event, whenever it happened (``InvalidEvent`` for anything but an event):
        :meth:`Engine.apply <panneau.hub.engine.Engine.apply>` itself."""
        if not isinstance(event, Event):
            raise InvalidEvent(f"not an event: {type(event).__name__}")
        ts = event.ts
        if not self.live:
            self.pending.append(event)
            if ts >= self._newest:
                self._newest = ts
            else:  # out of order: sorted at the next drain
                self._sorted = False
            if len(self.pending) >= self._drain_at:
                self._drain(self._newest - HOLD_S)
                self._drain_at = len(self.pending) + _BUFFER
        elif ts >= self.frontier:
            self.take(event)
            self.log.append(event)
            self.frontier = ts
        else:
            self.late.append(event)

    def add_all(self, events: Sequence[Event]) -> tuple[float, float] | None:
        """:meth:`add` of each event in turn, in one call (a replay's batches): before the
        first ``advance`` they join the buffer at once, which is taken at the same points
        as one :meth:`add` at a time would take it. The oldest and newest ``ts`` of
        ``events`` (None for none)."""
        if not events:
            return None
        if self.live:
            for event in events:
                self.add(event)
            return time_span(events)
        pending, start, end = self.pending, 0, len(events)
        oldest, newest = math.inf, -math.inf
        while start < end:
            stop = min(end, start + self._drain_at - len(pending))  # the next drain's point
            part = events[start:stop] if start or stop < end else events
            pending.extend(part)
            self._sorted = False
            low, high = time_span(part)
            oldest, newest = min(oldest, low), max(newest, high)
            if high > self._newest:
                self._newest = high
            start = stop
            if len(pending) >= self._drain_at:
                self._drain(self._newest - HOLD_S)
                self._drain_at = len(pending) + _BUFFER
        return oldest, newest

    def _take_each(self, events: Sequence[Event]) -> None:
        take = self.take
        for event in events:
            take(event)

    def _drain(self, until: float) -> None:
        """Take the buffered events up to ``until``, in time order."""
        pending = self.pending
        if not self._sorted:
            pending.sort(key=by_time)
            self._sorted = True
        n = len(pending)
        if until < math.inf:
            lo, hi = 0, n
            while lo < hi:  # the first event after ``until``
                mid = (lo + hi) // 2
                if pending[mid].ts <= until:
                    lo = mid + 1
                else:
                    hi = mid
            n = lo
        if n:  # in time order: the last is the newest
            self.take_all(pending[:n])
            self.frontier = max(self.frontier, pending[n - 1].ts)
        del pending[:n]

    def before_advance(self) -> None:
        """Take every waiting event (first advance) or put the late ones in their place."""
        if not self.live:
            self._go_live()
        elif self.late:
            self._rewind()

    def _go_live(self) -> None:
        """Take every waiting event and go live, with a checkpoint of the state before them:
        an event arriving after that but no older than the events taken before (a source
        catching up on its backlog as the hub starts) is put in its place (before, the first
        checkpoint was taken after them: such an event was beyond reach)."""
        self.tallies.journal = Journal()
        self.checkpoints = [(self.frontier, 0, 0, self.save())]
        if not self._sorted:
            self.pending.sort(key=by_time)
            self._sorted = True
        self.log = self.pending[:]
        self._drain(math.inf)
        self.live = True

    def reach_data(self) -> dict | None:
        """What puts a late event in its place, as plain data (the engine saves it with its
        state): the oldest checkpoint, the events taken since and the sums added since."""
        if not self.live:
            return None
        journal = self.tallies.journal
        assert journal is not None
        at, log_at, journal_at, state = self.checkpoints[0]
        return {"at": at, "state": state,
                "events": [event_to_dict(e) for e in self.log[log_at:]],
                "journal": journal.rows(journal_at)}

    def resume(self, frontier: float, reach: dict | None) -> None:
        """Go on live from a saved state whose newest event is at ``frontier``, with a
        checkpoint of that state and the saved :meth:`reach_data`: an event arriving late is
        put in its place as far back as it would have been had the engine never been saved
        (before, only events after ``frontier`` were; the loaded state is a checkpoint so that
        an event after ``frontier`` is put in its place even once the next ``advance`` has
        moved the frontier past it)."""
        self.frontier = frontier
        self.live = True
        self.tallies.journal = Journal()
        self.log = []
        self.checkpoints = []
        if reach is not None:
            self.log = [event_from_dict(data) for data in reach["events"]]
            self.tallies.journal = Journal.from_rows(reach["journal"])
            self.checkpoints.append((float(reach["at"]), 0, 0, reach["state"]))
        self.checkpoints.append((frontier, len(self.log), len(self.tallies.journal), self.save()))

    def settle(self) -> None:
        """Take every waiting event in its place now (before the engine state is saved): go
        live if not yet (as at a first ``advance``), else put the late ones in place."""
        if not self.live:
            self._go_live()
        elif self.late:
            self._rewind()

    def after_advance(self, now: float) -> None:
        """Move the frontier to the minute agent time was counted to; checkpoint when due
        (at the next advance when this one entered the minute after the last one's)."""
        minute, last = now // 60, self._minute
        self._minute = minute
        self.frontier = max(self.frontier, minute * 60.0)
        points = self.checkpoints
        if points and (self.frontier < points[-1][0] + CHECKPOINT_S or (
                minute == last + 1 and self.frontier < points[-1][0] + 2 * CHECKPOINT_S)):
            return
        journal = self.tallies.journal
        assert journal is not None
        points.append((self.frontier, len(self.log), len(journal), self.save()))
        keep = 0  # drop checkpoints older than the reach, but the newest of those
        while keep + 1 < len(points) and points[keep + 1][0] <= self.frontier - self.reach_s:
            keep += 1
        if keep:
            _, log_at, journal_at, _ = points[keep]
            del self.log[:log_at]
            journal.drop_before(journal_at)
            self.checkpoints = [(t, n - log_at, j - journal_at, s) for t, n, j, s in points[keep:]]

    def _rewind(self) -> None:
        late, self.late = sorted(self.late, key=by_time), []
        points, tallies = self.checkpoints, self.tallies
        k = len(points) - 1
        while k > 0 and points[k][0] > late[0].ts:
            k -= 1
        at, log_at, journal_at, state = points[k]
        if late[0].ts < at:
            self.beyond_reach += sum(1 for e in late if e.ts < at)
        tallies.undo_journal(journal_at)
        self.load(state)
        again = sorted(self.log[log_at:] + late, key=by_time)
        del self.log[log_at:]
        del points[k + 1:]
        for event in again:
            self.take(event)
        self.log += again
        self.rewinds += 1
