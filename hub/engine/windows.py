"""Rolling and day-to-date sums, kept incrementally.

Rules this module keeps:

- A contribution is a small dict ``{metric: amount}`` added to some scopes at a time ``ts``.
- It lands in the bucket of its minute (``floor(ts / 60)``) and in the total of its working day
  (:class:`DayClock`). Minutes never straddle two days (day starts are whole minutes).
- The rolling window ``W`` minutes at time ``now`` is the minutes ``(M(now) - W, M(now)]``: the
  current (partial) minute plus the ``W - 1`` minutes before it. Its sums are kept as running
  totals that move with a cursor (the minute of the last :meth:`Tallies.advance`): a snapshot
  never rescans history, it only adds the minutes that entered and subtracts those that left.
- Minutes older than the longest window are dropped, and days before yesterday: relative to the
  last snapshot, or to the newest event before the first snapshot (a replay). A snapshot is
  therefore expected at or after the newest events, as a live hub and a replay take them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = ["ROLLING", "DayClock", "Levels", "Sums", "Tallies", "minute_of", "spread"]

#: Rolling windows: id -> minutes.
ROLLING: dict[str, int] = {"15m": 15, "30m": 30, "60m": 60}
_LONGEST = max(ROLLING.values())
#: Time integrals reach back at most this far (nothing older is in any window).
_HORIZON_S = 2 * 86400.0
_EPS = 1e-9

Sums = dict[str, float]


def minute_of(ts: float) -> int:
    """The minute index of an epoch time."""
    return int(ts // 60)


class DayClock:
    """Which working day an instant belongs to, in a timezone with a day start (``HH:MM``)."""

    def __init__(self, timezone: str = "UTC", day_start: str = "00:00") -> None:
        self.tz = ZoneInfo(timezone)
        hours, minutes = (int(part) for part in day_start.split(":"))
        self.offset = timedelta(hours=hours, minutes=minutes)
        self._lo = self._hi = 0.0
        self._key = -1

    def _start(self, day: date) -> float:
        wall = datetime(day.year, day.month, day.day) + self.offset
        return wall.replace(tzinfo=self.tz).timestamp()

    def day(self, ts: float) -> int:
        """A day key (proleptic ordinal of the working day's date)."""
        if self._lo <= ts < self._hi:
            return self._key
        local = datetime.fromtimestamp(ts, self.tz).replace(tzinfo=None) - self.offset
        day = local.date()
        self._lo, self._hi = self._start(day), self._start(day + timedelta(days=1))
        self._key = day.toordinal()
        return self._key

    def start(self, ts: float) -> float:
        """When the working day holding ``ts`` began (epoch seconds)."""
        self.day(ts)
        return self._lo


def _add(into: Sums, amounts: Sums, sign: float = 1.0) -> None:
    get = into.get
    if sign > 0:
        for key, amount in amounts.items():
            into[key] = get(key, 0.0) + amount
        return
    for key, amount in amounts.items():
        value = get(key, 0.0) - amount
        if -_EPS < value < _EPS:
            into.pop(key, None)
        else:
            into[key] = value


class Tallies:
    """Per-scope sums by minute and by day, with running rolling-window totals."""

    def __init__(self, clock: DayClock) -> None:
        self.clock = clock
        self.minutes: dict[int, dict[str, Sums]] = {}
        self.days: dict[int, dict[str, Sums]] = {}
        self.rolling: dict[int, dict[str, Sums]] = {w: {} for w in ROLLING.values()}
        self.cursor: int | None = None
        #: The newest minute seen; before the first snapshot, history is pruned against it.
        self.newest = -(2**62)
        self._pruned = self.newest
        #: Scopes whose sums changed since :meth:`take_dirty` was last called.
        self.dirty: set[str] = set()
        #: ``(minute, scopes, amounts)`` of every add, while the engine keeps them to undo.
        self.journal: list[tuple[int, tuple[str, ...] | list[str], Sums]] | None = None

    def add(self, ts: float, scopes: tuple[str, ...] | list[str], amounts: Sums) -> None:
        """Add ``amounts`` to each scope at time ``ts``."""
        self.add_minute(minute_of(ts), scopes, amounts)

    def add_minute(self, minute: int, scopes: tuple[str, ...] | list[str], amounts: Sums,
                   sign: float = 1.0) -> None:
        """Add ``sign * amounts`` to each scope in one minute bucket (noted in :attr:`journal`
        when one is kept; ``amounts`` must not change afterwards)."""
        if sign > 0 and self.journal is not None:
            self.journal.append((minute, scopes, amounts))
        cursor = self.cursor
        if minute > self.newest:
            self._newer(minute)
        bucket = self.minutes.get(minute)
        if bucket is None:
            horizon = self.newest if cursor is None else cursor
            if minute <= horizon - _LONGEST:
                bucket = None  # too old for any rolling window: day total only
            else:
                bucket = self.minutes[minute] = {}
        day = self.days.get(key := self.clock.day(minute * 60.0))
        if day is None:
            day = self.days[key] = {}
        targets = [day] if bucket is None else [bucket, day]
        if cursor is not None and minute <= cursor:
            targets += [sums for width, sums in self.rolling.items() if minute > cursor - width]
        self.dirty.update(scopes)
        if sign > 0:  # the hot path, inlined
            items = amounts.items()
            for target in targets:
                get = target.get
                for scope in scopes:
                    into = get(scope)
                    if into is None:
                        target[scope] = dict(amounts)
                    else:
                        at = into.get
                        for key, amount in items:
                            into[key] = at(key, 0.0) + amount
            return
        for scope in scopes:
            for target in targets:
                into = target.get(scope)
                if into is None:
                    target[scope] = {k: sign * v for k, v in amounts.items()}
                else:
                    _add(into, amounts, sign)

    def add_table(self, minute: int, table: dict[str, Sums]) -> None:
        """Add ``table[scope]`` to each scope in one minute bucket (as :meth:`add_minute` for
        each, with the bucket, day and windows looked up once)."""
        if self.journal is not None:
            self.journal += [(minute, (scope,), sums) for scope, sums in table.items()]
        cursor = self.cursor
        if minute > self.newest:
            self._newer(minute)
        bucket = self.minutes.get(minute)
        if bucket is None:
            horizon = self.newest if cursor is None else cursor
            if minute > horizon - _LONGEST:
                bucket = self.minutes[minute] = {}
        day = self.days.get(key := self.clock.day(minute * 60.0))
        if day is None:
            day = self.days[key] = {}
        targets = [day] if bucket is None else [bucket, day]
        if cursor is not None and minute <= cursor:
            targets += [sums for width, sums in self.rolling.items() if minute > cursor - width]
        self.dirty.update(table)
        for target in targets:
            get = target.get
            for scope, amounts in table.items():
                into = get(scope)
                if into is None:
                    target[scope] = dict(amounts)
                else:
                    at = into.get
                    for k, amount in amounts.items():
                        into[k] = at(k, 0.0) + amount

    def _apply_minute(self, width: int, minute: int, sign: float) -> None:
        bucket = self.minutes.get(minute)
        if not bucket:
            return
        sums = self.rolling[width]
        for scope, amounts in bucket.items():
            self.dirty.add(scope)
            _add(sums.setdefault(scope, {}), amounts, sign)

    def advance(self, now: float) -> None:
        """Move the rolling windows so they end at the minute of ``now``."""
        target = minute_of(now)
        old = self.cursor
        if old == target:
            return
        for width in ROLLING.values():
            if old is not None and 0 < target - old <= width:
                for minute in range(old + 1, target + 1):
                    self._apply_minute(width, minute, 1.0)
                    self._apply_minute(width, minute - width, -1.0)
            else:
                for scope in self.rolling[width]:
                    self.dirty.add(scope)
                self.rolling[width] = {}
                for minute in range(target - width + 1, target + 1):
                    self._apply_minute(width, minute, 1.0)
        self.cursor = target
        self._prune(target)

    def _newer(self, minute: int) -> None:
        self.newest = minute
        if self.cursor is None and minute - self._pruned >= _LONGEST:
            self._prune(minute)

    def _prune(self, minute: int) -> None:
        """Forget minutes no rolling window ending at ``minute`` holds, and days before
        yesterday."""
        self._pruned = minute
        for old in [m for m in self.minutes if m <= minute - _LONGEST]:
            del self.minutes[old]
        today = self.clock.day(minute * 60.0)
        for key in [d for d in self.days if d < today - 1]:
            del self.days[key]

    def window(self, scope: str, window: str, now: float) -> Sums:
        """The sums of one scope over ``15m``/``30m``/``60m``/``today`` (after :meth:`advance`)."""
        if window == "today":
            return self.days.get(self.clock.day(now), {}).get(scope, {})
        return self.rolling[ROLLING[window]].get(scope, {})

    def take_dirty(self) -> set[str]:
        """The scopes changed since the last call (and forget them)."""
        dirty, self.dirty = self.dirty, set()
        return dirty

    def scopes(self) -> set[str]:
        """Every scope with sums in a minute, a day or a window."""
        out: set[str] = set()
        for table in (*self.minutes.values(), *self.days.values(), *self.rolling.values()):
            out.update(table)
        return out

    def to_data(self) -> dict:
        """The sums as plain data (see :mod:`panneau.hub.engine.state`)."""
        return {"minutes": _tables(self.minutes), "days": _tables(self.days),
                "rolling": _tables(self.rolling), "cursor": self.cursor,
                "newest": self.newest, "pruned": self._pruned}

    def load_data(self, data: dict) -> None:
        """Take back what :meth:`to_data` gave; every scope counts as changed."""
        self.minutes = _untables(data["minutes"])
        self.days = _untables(data["days"])
        self.rolling = {w: {} for w in ROLLING.values()} | _untables(data["rolling"])
        self.cursor, self.newest, self._pruned = data["cursor"], data["newest"], data["pruned"]
        self.dirty = self.scopes()


def _tables(tables: dict[int, dict[str, Sums]]) -> list:
    return [[key, [[scope, list(sums.items())] for scope, sums in table.items()]]
            for key, table in tables.items()]


def _untables(rows: list) -> dict[int, dict[str, Sums]]:
    return {int(key): {scope: dict(sums) for scope, sums in table} for key, table in rows}


def spread(start: float, end: float) -> dict[int, float]:
    """Seconds of ``[start, end)`` falling in each minute."""
    out: dict[int, float] = defaultdict(float)
    t = start
    while t < end:
        minute = minute_of(t)
        stop = min(end, (minute + 1) * 60.0)
        out[minute] += stop - t
        t = stop
    return out


class Levels:
    """Levels (an agent at work, busy...) per key, each counting in its scopes, integrated over
    time into :class:`Tallies`.

    ``change`` closes the key's integral up to ``t`` (at its old level, in its old scopes)
    before setting the new ones; the integral of the minute in progress is kept aside per key,
    gathered per scope and minute when the key moves to another minute or other scopes, and
    added to the tallies once per scope and minute when a later minute starts or at
    :meth:`flush`. So a change costs one small add whatever the number of scopes. A change
    earlier than the key's last close takes effect from that close.
    """

    def __init__(self, tallies: Tallies) -> None:
        self.tallies = tallies
        self.level: dict[str, Sums] = {}
        self.scopes: dict[str, tuple[str, ...]] = {}
        self.since: dict[str, float] = {}
        self.pending: dict[str, tuple[int, tuple[str, ...], Sums]] = {}
        #: minute -> scope -> sums handed over by keys, not yet added to the tallies.
        self.gathered: dict[int, dict[str, Sums]] = {}
        self._minute = -(2**62)
        self._flushed = -math.inf

    def _hand_over(self, minute: int, scopes: tuple[str, ...], sums: Sums) -> None:
        if minute > self._minute:
            self._minute = minute
            self._add_gathered(minute)
        table = self.gathered.get(minute)
        if table is None:
            table = self.gathered[minute] = {}
        for scope in scopes:
            into = table.get(scope)
            if into is None:
                table[scope] = dict(sums)
            else:
                for k, v in sums.items():
                    into[k] = into.get(k, 0.0) + v

    def _add_gathered(self, before: float) -> None:
        """Add the gathered sums of the minutes before ``before`` to the tallies."""
        add = self.tallies.add_table
        for minute in [m for m in self.gathered if m < before]:
            add(minute, self.gathered.pop(minute))

    def _gather(self, key: str, scopes: tuple[str, ...], minute: int, seconds: float,
                level: Sums) -> None:
        entry = self.pending.get(key)
        if entry is not None and (entry[0] != minute or entry[1] != scopes):
            self._hand_over(*entry)
            entry = None
        if entry is None:
            self.pending[key] = (minute, scopes, {k: n * seconds for k, n in level.items()})
            return
        sums = entry[2]
        for k, n in level.items():
            sums[k] = sums.get(k, 0.0) + n * seconds

    def _close(self, key: str, t: float) -> None:
        start = self.since.get(key)
        if start is not None and t <= start:
            return
        self.since[key] = t
        level = self.level.get(key)
        if start is None or not level:
            return
        scopes = self.scopes[key]
        minute = minute_of(start)
        if t <= (minute + 1) * 60.0:
            self._gather(key, scopes, minute, t - start, level)
            return
        for minute, seconds in spread(max(start, t - _HORIZON_S), t).items():
            self._gather(key, scopes, minute, seconds, level)

    def change(self, key: str, scopes: tuple[str, ...], t: float, level: Sums) -> None:
        """``key`` counts ``level`` in ``scopes`` from ``t`` on (``level`` is never changed)."""
        self._close(key, t)
        self.level[key] = level
        self.scopes[key] = scopes

    def to_data(self) -> dict:
        """Levels, open integrals and the minute being gathered, as plain data."""
        return {"level": [[key, list(level.items()), list(self.scopes[key])]
                          for key, level in self.level.items()],
                "since": list(self.since.items()),
                "pending": [[key, minute, list(scopes), list(sums.items())]
                            for key, (minute, scopes, sums) in self.pending.items()],
                "gathered": _tables(self.gathered), "minute": self._minute,
                "flushed": self._flushed}

    def load_data(self, data: dict) -> None:
        """Take back what :meth:`to_data` gave."""
        self.level = {key: dict(level) for key, level, _ in data["level"]}
        self.scopes = {key: tuple(scopes) for key, _, scopes in data["level"]}
        self.since = dict(data["since"])
        self.pending = {key: (minute, tuple(scopes), dict(sums))
                        for key, minute, scopes, sums in data["pending"]}
        self.gathered = _untables(data["gathered"])
        self._minute = data["minute"]
        self._flushed = data["flushed"]

    def flush(self, t: float) -> None:
        """Close every running integral up to ``t`` and hand all of it to the tallies."""
        if t != self._flushed:
            self._flushed = t
            for key, level in self.level.items():
                if level:
                    self._close(key, t)
        for entry in self.pending.values():
            self._hand_over(*entry)
        self.pending.clear()
        self._add_gathered(math.inf)
