"""Agent time: levels (an agent at work, busy) integrated over time, per scope, as a
cumulative integral read by difference.

Each key (an agent) has a level — :data:`OFF`, :data:`WORKING` (``t_work``) or :data:`BUSY`
(``t_work`` and ``t_busy``) — counting in its scopes (site, the agent, its teams and queues).
What a window needs is, per scope, the integral of the sum of its keys' levels over the
window's minutes: agent-seconds at work and busy. Those are the difference of one cumulative
integral per scope, ``I(t)``, read at two minute starts: nothing is handed to the minute
buckets of :class:`Tallies` and nothing is folded, so agents nobody touched cost nothing, ever.

Rules this module keeps:

- Per scope (:class:`AgentTime`) the *rate* (the sum of its keys' levels now) is kept as keys
  change, with ``I`` at the start of the minute of its last change (``base``) and, over that
  minute's changes, the sum of ``δ × (t - start of that minute)`` (``early``; ``δ`` the
  change of rate at ``t``). ``I`` at a later minute start ``q`` is then ``base + rate × (q -
  minute) × 60 − early``, whatever order that minute's changes came in. The first change of
  a scope in a later minute keeps the old record (:attr:`AgentTime.past`) and starts a new
  one. A change costs a couple of adds per scope.
- The *open* minute (:attr:`Levels.minute`) is the newest minute a change or a snapshot
  (:meth:`Levels.flush`) reached: the minutes before it are *handed over* — they count in
  the windows; a window, a day or a snapshot reads ``I`` at most at the open minute's start.
  A snapshot closes the integrals at the start of its minute, so figures never depend on
  when snapshots were taken.
- A change earlier than its key's last change, or than the open minute, takes effect from then
  (the open minute's start): what was handed over is not taken back.
- ``I`` at the start of each working day is kept per scope when the open minute passes it
  (the last :data:`DAYS_KEPT` days), and the records of the last :data:`KEEP_MIN` minutes
  before the rolling windows' oldest minute: a day's figures are read at its start and end,
  a window's at its first minute's start and after its last minute.
- With whole-second event times every integral is a whole number of agent-seconds, and a
  difference of them is exact: the figures are those of per-minute sums added up. Otherwise
  they may differ from such a sum in the last bits.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import islice
from operator import itemgetter

from panneau.hub.engine.windows import AHEAD, ROLLING, Sums, Tallies

__all__ = ["BUSY", "OFF", "WORKING", "AgentTime", "Levels"]

#: Levels: off (nothing counted), at work (``t_work``), busy (``t_work`` and ``t_busy``).
OFF, WORKING, BUSY = 0, 1, 2
_WORK = (0.0, 1.0, 1.0)
_BUSY = (0.0, 0.0, 1.0)
#: ``_STEPS[old][level]``: what a change from ``old`` to ``level`` adds to the work and busy
#: rates, and to the keys with a level (:attr:`Levels.on`).
_STEPS = tuple(tuple((_WORK[new] - _WORK[old], _BUSY[new] - _BUSY[old], (new > 0) - (old > 0))
                     for new in (OFF, WORKING, BUSY)) for old in (OFF, WORKING, BUSY))
_FAR = -(2**62)
#: Minutes of records kept before the oldest minute a rolling window may still read.
KEEP_MIN = max(ROLLING.values()) + AHEAD + 1
#: Day starts whose integrals are kept (today's, yesterday's, and the one before).
DAYS_KEPT = 3
_EPS = 1e-9
#: A record of :attr:`AgentTime.past`: minute, base, rate and early (work then busy).
_Record = tuple[int, float, float, float, float, float, float]
_minute_of = itemgetter(0)
_WIDTHS = tuple(ROLLING.values())
#: Records a scope keeps before the oldest are pruned.
_PAST_MAX = 2 * KEEP_MIN
#: Scope tuples whose integrals :class:`Levels` keeps at hand before it starts again.
_EACH_MAX = 4096
_LONGEST = max(ROLLING.values())
#: Columns of integrals (:meth:`Levels._column`) kept before the unread ones are dropped.
_COLUMNS_MAX = _LONGEST + 8


class AgentTime:
    """One scope's agent time as of the minute of its last change (see the module
    docstring); the records of earlier minutes with changes in :attr:`past`."""

    __slots__ = ("base_b", "base_w", "early_b", "early_w", "minute", "past", "rate_b", "rate_w",
                 "saved")

    def __init__(self, minute: int) -> None:
        self.minute = minute
        self.base_w = self.base_b = 0.0
        self.rate_w = self.rate_b = 0.0
        self.early_w = self.early_b = 0.0
        self.past: list[_Record] = []
        #: The last :meth:`to_data`, given again while nothing changed (a checkpoint a minute
        #: shares the rows of the scopes nobody touched: fewer objects for the collector at a
        #: minute tick).
        self.saved: tuple | None = None

    def record(self) -> _Record:
        """The current minute's record."""
        return (self.minute, self.base_w, self.base_b, self.rate_w, self.rate_b,
                self.early_w, self.early_b)

    def roll(self, minute: int) -> bool:
        """A first change in ``minute`` (after :attr:`minute`): keep the current record and
        start one at ``minute``. True when the records kept are due for :meth:`prune`."""
        past = self.past
        past.append((self.minute, self.base_w, self.base_b, self.rate_w, self.rate_b,
                     self.early_w, self.early_b))
        d = (minute - self.minute) * 60.0
        self.base_w = self.base_w + self.rate_w * d - self.early_w
        self.base_b = self.base_b + self.rate_b * d - self.early_b
        self.early_w = self.early_b = 0.0
        self.minute = minute
        return len(past) > _PAST_MAX

    def prune(self, keep_from: int) -> None:
        """Drop the records no read will need: those before ``keep_from`` but the last."""
        past = self.past
        cut = bisect_left(past, keep_from, key=_minute_of) - 1
        if cut > 0:
            del past[:cut]

    def at(self, q: int) -> tuple[float, float]:
        """``I`` (work, busy) at the start of minute ``q``, from the records kept."""
        m = self.minute
        if q > m:
            d = (q - m) * 60.0
            return (self.base_w + self.rate_w * d - self.early_w,
                    self.base_b + self.rate_b * d - self.early_b)
        if q == m:
            return self.base_w, self.base_b
        past = self.past
        i = bisect_left(past, q, key=_minute_of)
        if i < len(past) and past[i][0] == q:
            return past[i][1], past[i][2]
        if i == 0:
            return 0.0, 0.0
        m, base_w, base_b, rate_w, rate_b, early_w, early_b = past[i - 1]
        d = (q - m) * 60.0
        return base_w + rate_w * d - early_w, base_b + rate_b * d - early_b

    def to_data(self) -> tuple:
        """Plain data (tuples of numbers: never tracked by the collector once built)."""
        saved = self.saved
        now = (self.minute, self.base_w, self.base_b, self.rate_w, self.rate_b, self.early_w,
               self.early_b)
        if saved is None or saved[:7] != now:  # the same minute: no record added (nor pruned)
            saved = self.saved = (*now, tuple(self.past))
        return saved

    @classmethod
    def from_data(cls, row: list | tuple) -> AgentTime:
        """Take back what :meth:`to_data` gave."""
        minute, base_w, base_b, rate_w, rate_b, early_w, early_b, past = row
        time = cls(int(minute))
        time.base_w, time.base_b, time.rate_w, time.rate_b = base_w, base_b, rate_w, rate_b
        time.early_w, time.early_b = early_w, early_b
        time.past = (list(past) if isinstance(past, tuple)  # a checkpoint's, as given
                     else [(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6]) for r in past])
        return time


def _clean(value: float) -> float:
    """What is left of a sum back to zero is zero."""
    return 0.0 if -_EPS < value < _EPS else value


def _sums(work: float, busy: float) -> Sums:
    """Agent-seconds as sums, leaving out what is zero (as the tallies do)."""
    out: Sums = {}
    if not -_EPS < work < _EPS:
        out["t_work"] = work
    if not -_EPS < busy < _EPS:
        out["t_busy"] = busy
    return out


class Levels:
    """Levels of keys integrated per scope (see the module docstring; the caller keeps each
    key's level, scopes and time of its last change); read through the :class:`Tallies` it
    is given (:attr:`Tallies.time`), as the sums of its windows and days."""

    def __init__(self, tallies: Tallies) -> None:
        self.tallies = tallies
        tallies.time = self
        #: scope -> its integral.
        self.times: dict[str, AgentTime] = {}
        #: Scope tuple -> the integrals of its scopes, in :attr:`times` (see :meth:`_times_of`).
        self._each: dict[tuple[str, ...], tuple[AgentTime, ...]] = {}
        #: Minute start -> ``I`` (work, busy) of every scope there (:meth:`_column`), a cache of
        #: what the records give, never saved (arrays of doubles: nothing for the garbage
        #: collector to scan).
        self.columns: dict[int, tuple[array[float], array[float]]] = {}
        #: How many times :meth:`load_data` ran (what was read before may be stale).
        self.loads = 0
        #: The open minute: every minute before it is handed over.
        self.minute = _FAR
        #: Keys with a level now, and whether any had one since the open minute started.
        self.on = 0
        self._on_since = False
        #: Day start minute -> scope -> ``I`` (work, busy) at it (never changed once made).
        self.day_starts: dict[int, dict[str, tuple[float, float]]] = {}
        #: Working days (``date.toordinal()``) some key had a level in.
        self.days: set[int] = set()
        #: (open minute, cursor) at the last :meth:`take_dirty`; None: every scope is dirty.
        self._taken: tuple[int, int | None] | None = None

    def change(self, old_scopes: tuple[str, ...], old: int, since: float,
               scopes: tuple[str, ...], t: float, level: int) -> float:
        """A key counting ``old`` in ``old_scopes`` since ``since`` counts ``level`` in
        ``scopes`` from ``t`` on; returns when that took effect (its next ``since``). The
        caller keeps each key's level, scopes and since (an agent's record)."""
        if old_scopes is not scopes and old_scopes != scopes:
            if old:  # off in its old scopes, then on in the new ones, at the same time
                t = since = self.shift(self._times(old_scopes, since, t), old, since, t, OFF)
                old = OFF
            if not level:
                return t if t >= since else since
        return self.shift(self._times(scopes, since, t), old, since, t, level)

    def each_of(self, scopes: tuple[str, ...]) -> tuple[AgentTime, ...] | None:
        """The integrals of ``scopes`` once a :meth:`change` counted a level there (else
        None): what :meth:`shift` takes."""
        return self._each.get(scopes)

    def shift(self, each: tuple[AgentTime, ...], old: int, since: float, t: float,
              level: int) -> float:
        """:meth:`change` of a key whose scopes stay, given their integrals (``each``, from
        :meth:`each_of`): the common change (an agent's state) without a look-up."""
        if t < since:
            t = since
        minute = int(t // 60)
        if minute != self.minute:
            if minute > self.minute:
                self._hand_over(minute)
            else:  # what was handed over is not taken back: from the open minute on
                minute = self.minute
                t = minute * 60.0
        dw, db, turned = _STEPS[old][level]
        if turned:
            self.on += turned
            if turned > 0:
                self._on_since = True
        x = t - minute * 60.0
        eb = db * x
        if not dw:  # busy or not, at work all along (a call answered or ended): adding 0 to
            for time in each:  # the work rate and its early part would change nothing
                if time.minute != minute and time.roll(minute):
                    time.prune(self._keep_from())
                time.rate_b += db
                time.early_b += eb
            return t
        ew = dw * x
        for time in each:
            if time.minute != minute and time.roll(minute):
                time.prune(self._keep_from())
            time.rate_w += dw
            time.rate_b += db
            time.early_w += ew
            time.early_b += eb
        return t

    def _times(self, scopes: tuple[str, ...], since: float, t: float
               ) -> tuple[AgentTime, ...]:
        """The integrals of ``scopes`` for a change at ``t`` (not before ``since``): new ones
        start at its minute, handed over to first."""
        each = self._each.get(scopes)
        if each is None:
            self.flush(t if t >= since else since)
            each = self._times_of(scopes, self.minute)
        return each

    def _times_of(self, scopes: tuple[str, ...], minute: int) -> tuple[AgentTime, ...]:
        """The integrals of ``scopes`` (new ones start at ``minute``), kept by scope tuple
        for :meth:`shift` (a tuple lookup instead of one per scope)."""
        times, each = self.times, self._each
        if len(each) >= _EACH_MAX:
            each.clear()
        out = each[scopes] = tuple(times.get(scope) or times.setdefault(scope, AgentTime(minute))
                                   for scope in scopes)
        return out

    def _keep_from(self) -> int:
        """The oldest minute whose records a read may still need (see :data:`KEEP_MIN`)."""
        cursor = self.tallies.cursor
        newest = self.minute if cursor is None else min(self.minute, cursor)
        return newest - KEEP_MIN

    def _hand_over(self, minute: int) -> None:
        """Hand the minutes before ``minute`` over; ``minute`` is then the open one. The
        integrals at the day starts passed are kept, and the days some key had a level in."""
        first, self.minute = self.minute, minute
        if first == _FAR:
            self._on_since = self.on > 0
            return
        clock = self.tallies.clock
        if self._on_since:
            day, last = clock.day(first * 60.0), clock.day((minute - 1) * 60.0)
            self.days.update(range(max(day, last - DAYS_KEPT + 1), last + 1))
        self._on_since = self.on > 0
        start = int(clock.start(minute * 60.0) // 60)
        passed = 0
        while start > first and passed < DAYS_KEPT:  # day starts in (first, minute]
            self.day_starts[start] = {scope: time.at(start)
                                      for scope, time in self.times.items()}
            passed += 1
            start = int(clock.start((start - 1) * 60.0) // 60)
        if passed:
            for old in sorted(self.day_starts)[:-DAYS_KEPT]:
                del self.day_starts[old]
            today = clock.day(minute * 60.0)
            self.days = {day for day in self.days if day >= today - 1}

    def flush(self, t: float) -> None:
        """Hand every minute before the one holding ``t`` over."""
        minute = int(t // 60)
        if minute > self.minute:
            self._hand_over(minute)

    # --- reading -------------------------------------------------------------------------

    def _at(self, time: AgentTime, scope: str, q: int) -> tuple[float, float]:
        """``I`` of ``scope`` at the start of minute ``q`` (at most the open minute)."""
        if (start := self.day_starts.get(q)) is not None:
            return start.get(scope, (0.0, 0.0))
        return time.at(q)

    def _span(self, time: AgentTime, scope: str, first: int, end: int
              ) -> tuple[float, float]:
        """Agent-seconds (work, busy) of ``scope`` over the minutes ``[first, end)`` handed
        over."""
        last = self.minute
        if end > last:
            end = last
        if first >= end:
            return 0.0, 0.0
        w1, b1 = self._at(time, scope, end)
        w0, b0 = self._at(time, scope, first)
        return _clean(w1 - w0), _clean(b1 - b0)

    def sums(self, scope: str, first: int, end: int) -> Sums | None:
        """The agent-time sums of ``scope`` over the minutes ``[first, end)`` handed over
        (None when it has no agent time)."""
        time = self.times.get(scope)
        if time is None:
            return None
        return _sums(*self._span(time, scope, first, end))

    def _column(self, q: int) -> tuple[array[float], array[float]]:
        """``I`` (work, busy) of every scope at the start of minute ``q`` (at most the open
        minute: it no longer changes), in :attr:`times`' order; cached in :attr:`columns` (a
        scope added since counts 0 there: a new scope starts at the open minute)."""
        column = self.columns.get(q)
        n = len(self.times)
        if column is None:
            if (start := self.day_starts.get(q)) is not None:
                pairs = [start.get(scope, (0.0, 0.0)) for scope in self.times]
                work = array("d", [w for w, _ in pairs])
                busy = array("d", [b for _, b in pairs])
            else:  # AgentTime.at written out for a scope whose last change came before q
                times = self.times.values()
                work = array("d", [t.base_w + t.rate_w * ((q - t.minute) * 60.0) - t.early_w
                                   if t.minute < q else t.at(q)[0] for t in times])
                busy = array("d", [t.base_b + t.rate_b * ((q - t.minute) * 60.0) - t.early_b
                                   if t.minute < q else t.at(q)[1] for t in times])
            column = self.columns[q] = (work, busy)
        elif len(column[0]) < n:
            zeros = array("d", bytes(8 * (n - len(column[0]))))
            column[0].extend(zeros)
            column[1].extend(zeros)
        return column

    def _fill(self, first: int, end: int) -> None:
        """The columns of the minutes ``[first, end)`` not kept yet (a first read, or one after
        a gap): each scope's integrals read once per minute start."""
        todo = [q for q in range(first, end)
                if q not in self.columns and q not in self.day_starts]
        if not todo:
            return
        rows = [[time.at(q) for q in todo] for time in self.times.values()]
        for k, q in enumerate(todo):
            self.columns[q] = (array("d", [row[k][0] for row in rows]),
                               array("d", [row[k][1] for row in rows]))

    def windows(self, cursor: int, first: int, end: int, ahead: bool = False
                ) -> tuple[Iterable[str], list[tuple[Sequence[float], ...]]]:
        """Every scope with agent time (:attr:`times`' order), and for each rolling window
        ending at minute ``cursor`` (:data:`ROLLING`'s order) then the minutes ``[first,
        end)`` (its day) the integrals at its end and at its start, over those scopes:
        ``(work at the end, work at the start, busy at the end, busy at the start)``. A
        scope's agent-seconds at work in a window are its end minus its start (busy alike).

        The hot read of a minute tick (every scope): one column of integrals per minute start,
        the newest added each minute, the day's start read once a day.

        ``ahead``: what the read gives once the open minute is handed over, were no key to
        change before (``cursor`` the minute after the open one): the newest column from
        :meth:`column_ahead`, not kept, nothing else changed but columns of minutes handed
        over already."""
        last = self.minute + 1 if ahead else self.minute
        stop = cursor + 1 if cursor < last else last
        columns = self.columns
        if cursor - _LONGEST + 1 not in columns:  # every minute start a window may read next
            self._fill(cursor - _LONGEST + 1, stop)
        end_w, end_b = self.column_ahead() if ahead else self._column(stop)
        none = (end_w, end_w, end_b, end_b)  # nothing handed over: end - end
        out: list[tuple[Sequence[float], ...]] = []
        for width in _WIDTHS:
            q = cursor - width + 1
            if q >= stop:
                out.append(none)
            else:
                start_w, start_b = self._column(q)
                out.append((end_w, start_w, end_b, start_b))
        if end > last:
            end = last
        if first >= end:
            out.append(none)
        else:
            day_w, day_b = (end_w, end_b) if end == stop else self._column(end)
            start_w, start_b = self._column(first)
            out.append((day_w, start_w, day_b, start_b))
        if len(columns) > _COLUMNS_MAX and not ahead:  # those no window ending at the cursor
            for q in [q for q in columns if q <= cursor - _LONGEST and q != first]:  # or later
                del columns[q]                                                       # reads
        return self.times.keys(), out

    def column_ahead(self) -> tuple[array[float], array[float]]:
        """``I`` (work, busy) of every scope at the start of the minute after the open one,
        were no key to change before it (what :meth:`_column` gives there once it is handed
        over, if none did); not kept."""
        q = self.minute + 1
        times = self.times.values()
        return (array("d", [t.base_w + t.rate_w * ((q - t.minute) * 60.0) - t.early_w
                            for t in times]),
                array("d", [t.base_b + t.rate_b * ((q - t.minute) * 60.0) - t.early_b
                            for t in times]))

    def table(self, first: int, end: int) -> dict[str, Sums]:
        """Every scope's agent-time sums over the minutes ``[first, end)`` handed over (the
        scopes with some)."""
        out: dict[str, Sums] = {}
        for scope in self.times:
            sums = self.sums(scope, first, end)
            if sums:
                out[scope] = sums
        return out

    def take_dirty(self, cursor: int | None) -> set[str]:
        """The scopes whose windows may have changed since the last call: none while the
        open minute and the cursor stay; else those with a rate or a change in the last
        ``KEEP_MIN`` minutes before either."""
        taken, now = self._taken, (self.minute, cursor)
        if taken == now:
            return set()
        self._taken = now
        if taken is None or taken[1] is None or cursor is None:
            return set(self.times)
        horizon = min(taken[0], taken[1], cursor) - KEEP_MIN
        return {scope for scope, time in self.times.items()
                if time.rate_w or time.rate_b or time.minute >= horizon}

    # --- saved state -------------------------------------------------------------------

    def to_data(self) -> dict:
        """Integrals as plain data (the day starts' tables are shared: they never
        change once made)."""
        return {"times": {scope: time.to_data() for scope, time in self.times.items()},
                "minute": self.minute, "on": self.on, "on_since": self._on_since,
                "day_starts": [[start, table] for start, table in self.day_starts.items()],
                "days": sorted(self.days)}

    def load_data(self, data: dict) -> None:
        """Take back what :meth:`to_data` gave; every scope counts as changed."""
        times = {scope: AgentTime.from_data(row) for scope, row in data["times"].items()}
        self.minute = minute = data["minute"]
        n = len(times)
        if list(islice(self.times, n)) == list(times):  # an earlier state of the same scopes:
            columns = {}                                 # the columns up to its open minute hold
            for q, (work, busy) in self.columns.items():
                if q <= minute:
                    columns[q] = (work[:n], busy[:n])
            self.columns = columns
        else:
            self.columns = {}
        self.times = times
        self.loads += 1
        self._each = {}
        self.on, self._on_since = data["on"], data["on_since"]
        self.day_starts = {int(start): {scope: (pair[0], pair[1])
                                        for scope, pair in table.items()}
                           for start, table in data["day_starts"]}
        self.days = set(data["days"])
        self._taken = None
