"""Rolling and day-to-date sums, kept incrementally.

Rules this module keeps:

- A contribution is a small dict ``{metric: amount}`` added to some scopes at a time ``ts``.
- It lands in the bucket of its minute (``floor(ts / 60)``) and in the total of its working day
  (:class:`DayClock`). Minutes never straddle two days (day starts are whole minutes).
- The rolling window ``W`` minutes at time ``now`` is the minutes ``(M(now) - W, M(now)]``: the
  current (partial) minute plus the ``W - 1`` minutes before it. Its sums are kept as running
  totals that move with a cursor (the minute of the last :meth:`Tallies.advance`): a snapshot
  never rescans history, it only adds the minutes that entered and subtracts those that left.
- Minutes older than the longest window are dropped; days older than yesterday too.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = ["ROLLING", "DayClock", "Sums", "Tallies", "minute_of", "spread"]

#: Rolling windows: id -> minutes.
ROLLING: dict[str, int] = {"15m": 15, "30m": 30, "60m": 60}
_LONGEST = max(ROLLING.values())
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
    for key, amount in amounts.items():
        value = into.get(key, 0.0) + sign * amount
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
        #: Scopes whose sums changed since :meth:`take_dirty` was last called.
        self.dirty: set[str] = set()

    def add(self, ts: float, scopes: tuple[str, ...] | list[str], amounts: Sums) -> None:
        """Add ``amounts`` to each scope at time ``ts``."""
        self.add_minute(minute_of(ts), scopes, amounts)

    def add_minute(self, minute: int, scopes: tuple[str, ...] | list[str], amounts: Sums) -> None:
        """Add ``amounts`` to each scope in one minute bucket."""
        cursor = self.cursor
        bucket = self.minutes.get(minute)
        if bucket is None:
            if cursor is not None and minute <= cursor - _LONGEST:
                bucket = None  # too old for any rolling window: day total only
            else:
                bucket = self.minutes[minute] = {}
        day = self.days.get(key := self.clock.day(minute * 60.0))
        if day is None:
            day = self.days[key] = {}
        live = [] if cursor is None or minute > cursor else [
            sums for width, sums in self.rolling.items() if minute > cursor - width
        ]
        for scope in scopes:
            self.dirty.add(scope)
            if bucket is not None:
                _add(bucket.setdefault(scope, {}), amounts)
            _add(day.setdefault(scope, {}), amounts)
            for sums in live:
                _add(sums.setdefault(scope, {}), amounts)

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
        for minute in [m for m in self.minutes if m <= target - _LONGEST]:
            del self.minutes[minute]
        today = self.clock.day(now)
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
