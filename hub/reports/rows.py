"""History rows for reports: read ``kpi_history`` as a stream, filtered and by interval.

One row is ``(ts, scope, window, kpi, value)``. ``interval``:

- ``"sample"``: every stored sample (``hub.history_interval_s`` apart), as the wall showed it;
- ``"hour"`` / ``"day"``: per key, the *last* sample of each hour / working day (the day starts
  at ``hub.day_start`` in ``hub.timezone``), stamped with the start of that hour or day. For a
  ``today`` window the last sample of a day is the day's figure; for ``now`` it is the state at
  the end of the hour or day.

Rows come in time order, then in the order of their ``scope/window/kpi`` key (the API's
paging cursor relies on it: :mod:`panneau.hub.reports.api`), one bucket held in memory at a
time (a day at 500 agents is about 5,000 keys), so a 35-day export runs in bounded memory.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from panneau.hub.config.schema import Config
from panneau.hub.config.sites import is_site_scope, site_scope_choices
from panneau.hub.engine.windows import DayClock
from panneau.hub.periods import date_reason

__all__ = ["INTERVALS", "Period", "Row", "bucket_of", "history_keys", "history_rows",
           "parse_when", "scope_kind", "scope_problem"]

Interval = Literal["sample", "hour", "day"]
INTERVALS: tuple[str, ...] = ("sample", "hour", "day")
Row = tuple[float, str, str, str, float]  # (ts, scope, window, kpi, value)
#: Scope kinds in the order sheets and listings use.
SCOPE_KINDS: tuple[str, ...] = ("site", "team", "queue", "agent")


@dataclass(frozen=True)
class Period:
    """What to read: ``[start, end)`` epoch seconds, filters and the interval."""

    start: float
    end: float
    scopes: Sequence[str] | None = None
    kpis: Sequence[str] | None = None
    interval: Interval = "sample"
    windows: Sequence[str] | None = None


def parse_when(text: str, tz: ZoneInfo, end: bool = False) -> float:
    """A date (whole day; ``end``: the end of it) or date-time in ``tz`` → epoch seconds;
    ``ValueError`` for anything else, a date out of range too (``to=9999-12-31``: its end)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date{date_reason(exc)}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    try:
        if end and len(text) == 10:
            value += timedelta(days=1)
        return value.timestamp()
    except OverflowError as exc:
        raise ValueError(str(exc)) from None


def scope_problem(config: Config, scope: str) -> str | None:
    """Why ``scope`` is none this hub may hold (``None`` when it may): a team must be
    configured (a typo would read as a quiet team); queues and agents need not be (a queue
    the ACD uses is counted whether the configuration names it or not)."""
    kind, _, name = scope.partition(":")
    if is_site_scope(config, scope) or (kind in ("queue", "agent") and name):
        return None
    if kind == "team" and name:
        if config.team(name) is not None:
            return None
        return f"no team {name!r} (teams: {', '.join(t.id for t in config.teams) or 'none'})"
    return (f"expected {site_scope_choices(config)}, team:<id>, queue:<name> or agent:<id>, "
            f"got {scope}")


def scope_kind(scope: str) -> str:
    """``site``, ``team``, ``queue`` or ``agent`` (the part before ``:``)."""
    return scope.partition(":")[0]


class _Buckets:
    """Start of the hour or working day holding an instant (cached per bucket)."""

    def __init__(self, interval: Interval, timezone: str, day_start: str) -> None:
        self.interval, self.tz = interval, ZoneInfo(timezone)
        self.days = DayClock(timezone, day_start)
        self._lo = self._hi = 0.0

    def __call__(self, ts: float) -> float:
        if self._lo <= ts < self._hi:
            return self._lo
        if self.interval == "day":
            self._lo = self.days.start(ts)
            self._hi = self.days.start(self._lo + 26 * 3600)  # a day lasts 23 to 25 hours
        else:
            local = datetime.fromtimestamp(ts, self.tz).replace(minute=0, second=0,
                                                                microsecond=0)
            self._lo = local.timestamp()
            self._hi = (local + timedelta(hours=1)).timestamp()
            if self._hi <= ts:  # a DST fold: the hour repeats
                self._hi = self._lo + 3600
        return self._lo


def bucket_of(interval: Interval, timezone: str = "UTC", day_start: str = "00:00"):
    """A function ``ts -> start of its bucket`` (identity for ``"sample"``)."""
    if interval == "sample":
        return lambda ts: ts
    return _Buckets(interval, timezone, day_start)


def _keeps(period: Period):
    """``(scope, window, kpi) -> bool``: whether the period's filters keep that key."""
    scopes = set(period.scopes) if period.scopes else None
    kpis = set(period.kpis) if period.kpis else None
    windows = set(period.windows) if period.windows else None
    return lambda scope, window, kpi: (
        (scopes is None or scope in scopes) and (kpis is None or kpi in kpis)
        and (windows is None or window in windows))


def _raw(db: sqlite3.Connection, period: Period) -> Iterator[Row]:
    """Stored samples in ``[start, end)`` passing the filters, by time then key."""
    keeps = _keeps(period)
    if period.scopes:
        yield from _of_scopes(db, period, keeps)
        return
    cursor = db.execute("SELECT ts, key, value FROM kpi_history WHERE ts >= ? AND ts < ?"
                        " ORDER BY ts, key", [period.start, period.end])
    while batch := cursor.fetchmany(2000):
        for ts, key, value in batch:
            scope, window, kpi = key.rsplit("/", 2)
            if keeps(scope, window, kpi):
                yield ts, scope, window, kpi, value


def _of_scopes(db: sqlite3.Connection, period: Period, keeps) -> Iterator[Row]:
    """:func:`_raw` for a few scopes: a skip-scan of the ``(ts, key)`` primary key.

    Per sample time, one key-range seek per scope (``scope/`` up to ``scope0``), and one seek
    for the next sample time: a day of one team reads its own rows, not the day's 7 M."""
    ranges = sorted((f"{s}/", f"{s}0") for s in set(period.scopes or ()))
    sql = "SELECT key, value FROM kpi_history WHERE ts = ? AND key >= ? AND key < ? ORDER BY key"
    ts = db.execute("SELECT min(ts) FROM kpi_history WHERE ts >= ? AND ts < ?",
                    [period.start, period.end]).fetchone()[0]
    while ts is not None:
        for lo, hi in ranges:
            for key, value in db.execute(sql, [ts, lo, hi]):
                scope, window, kpi = key.rsplit("/", 2)
                if keeps(scope, window, kpi):
                    yield ts, scope, window, kpi, value
        ts = db.execute("SELECT min(ts) FROM kpi_history WHERE ts > ? AND ts < ?",
                        [ts, period.end]).fetchone()[0]


def history_keys(db: sqlite3.Connection, period: Period) -> set[tuple[str, str, str]]:
    """The distinct ``(scope, window, kpi)`` of ``period`` passing its filters."""
    keeps = _keeps(period)
    found = set()
    for (key,) in db.execute("SELECT DISTINCT key FROM kpi_history WHERE ts >= ? AND ts < ?",
                             [period.start, period.end]):
        scope, window, kpi = key.rsplit("/", 2)
        if keeps(scope, window, kpi):
            found.add((scope, window, kpi))
    return found


def history_rows(db: sqlite3.Connection, period: Period, timezone: str = "UTC",
                 day_start: str = "00:00") -> Iterator[Row]:
    """The rows of ``period`` at its interval (see the module docstring)."""
    if period.interval == "sample":
        yield from _raw(db, period)
        return
    bucket = bucket_of(period.interval, timezone, day_start)
    current: float | None = None
    last: dict[tuple[str, str, str], float] = {}
    for ts, scope, window, kpi, value in _raw(db, period):
        start = bucket(ts)
        if start != current:
            if current is not None:
                yield from _flush(current, last)
            current, last = start, {}
        last[(scope, window, kpi)] = value
    if current is not None:
        yield from _flush(current, last)


def _flush(start: float, last: dict[tuple[str, str, str], float]) -> Iterator[Row]:
    for (scope, window, kpi), value in sorted(last.items(), key=lambda kv: "/".join(kv[0])):
        yield start, scope, window, kpi, value
