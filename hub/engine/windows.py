"""Rolling and day-to-date sums, kept incrementally.

Rules this module keeps:

- A contribution is a small dict ``{metric: amount}`` added to some scopes at a time ``ts``.
- It lands in the bucket of its minute (``floor(ts / 60)``), which counts in the total of its
  working day (:class:`DayClock`). Minutes never straddle two days (day starts are whole
  minutes).
- The rolling window ``W`` minutes at time ``now`` is the minutes ``(M(now) - W, M(now)]``: the
  current (partial) minute plus the ``W - 1`` minutes before it. Its sums are kept as running
  totals that move with a cursor (the minute of the last :meth:`Tallies.advance`): a snapshot
  never rescans history, it only adds the minutes that entered and subtracts those that left.
  Adds touch the minute's bucket only; the minutes are folded into the day and rolling totals
  as the cursor leaves them (:class:`Tallies`).
- An add to a minute not folded yet is kept by scope *tuple* (one dict add per event, whatever
  the number of its scopes) and spread over its scopes once per tuple when anything reads or
  folds that minute: sums of one scope are then added in another order than the events came
  in. The amounts are whole counts and durations on a grid where float sums are exact
  (:mod:`panneau.hub.engine.exact`), so the order changes no sum: live, restored and replayed
  figures are the same to the last bit.
- The busiest adds (the call sums) skip the dict of amounts: a caller adds into a :class:`Row`
  of its own for its scope tuple in an open minute (:meth:`Tallies.add_row`), typed fields
  rather than keys, turned into sums once, when the minute's pending sums are next used (any
  read, fold or advance). A row's sums hold the keys whose amount is not zero. The journal
  notes a row as one add when it is started: every advance (where checkpoints are taken)
  turns the rows into sums, so the next adds start new rows.
- Minutes older than the longest window are dropped, and days before yesterday: relative to the
  last snapshot, or, before the first snapshot (a replay), to :data:`AHEAD` minutes before the
  newest add. The first snapshot may come before adds ahead of it (a source's clock ahead of
  the hub's): its windows are whole as long as none is more than :data:`AHEAD` minutes ahead.
  (Against the newest add itself, one ahead of the first snapshot dropped the oldest minutes
  of its windows.) After it, adds ahead of the cursor drop nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Protocol, cast
from zoneinfo import ZoneInfo

__all__ = ["AHEAD", "ROLLING", "DayClock", "Journal", "Row", "Sums", "Tallies", "TimeSums",
           "merged", "minute_of", "spread"]

#: Rolling windows: id -> minutes.
ROLLING: dict[str, int] = {"15m": 15, "30m": 30, "60m": 60}
_LONGEST = max(ROLLING.values())
_SHORTEST = min(ROLLING.values())
#: Minutes an add before the first snapshot may be ahead of it, its windows still whole (a
#: source's clock ahead of the hub's; each minute of it is a minute of buckets more to drop at
#: the first snapshot after a replay).
AHEAD = 15
_EPS = 1e-9
_NEG_EPS = -_EPS

Sums = dict[str, float]
Scopes = tuple[str, ...] | list[str]
#: No sums, no scopes (shared: never changed).
_NONE: Sums = {}
_NONE_TABLE: dict[str, Sums] = {}


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

    def end(self, ts: float) -> float:
        """When the working day holding ``ts`` ends (epoch seconds)."""
        self.day(ts)
        return self._hi

    def minutes(self, day: int) -> tuple[int, int]:
        """The minutes ``[first, end)`` of working day ``day`` (a day key)."""
        return (int(self._start(date.fromordinal(day)) // 60),
                int(self._start(date.fromordinal(day + 1)) // 60))


class TimeSums(Protocol):
    """Sums kept outside the minute buckets, read by minute range: agent time
    (:class:`~panneau.hub.engine.levels.Levels`, a cumulative integral per scope)."""

    #: Working days it has sums in.
    days: set[int]

    def sums(self, scope: str, first: int, end: int) -> Sums | None:
        """The sums of ``scope`` over the minutes ``[first, end)``."""

    def table(self, first: int, end: int) -> dict[str, Sums]:
        """Every scope's sums over the minutes ``[first, end)`` (the scopes with some)."""

    def take_dirty(self, cursor: int | None) -> set[str]:
        """The scopes whose windows may have changed since the last call."""


class Row:
    """Sums added to one scope tuple in one open minute, kept by their caller in typed fields
    (:meth:`Tallies.add_row`) and turned into sums by :meth:`sums` when the minute's pending
    sums are next used: then it is :attr:`joined` and takes no more adds. A subclass sets
    :attr:`minute` and :attr:`joined` (False) when it makes one."""

    __slots__ = ("joined", "minute")

    minute: int
    joined: bool

    def sums(self) -> Sums:
        """The sums added to the row (the keys whose amount is not zero)."""
        raise NotImplementedError

    def merge(self, other: Row) -> None:
        """Add the sums of ``other`` (a row of the same class) to this row's, field by field
        (:meth:`Tallies._gather_rows`)."""
        raise NotImplementedError


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


def _add_each(targets: tuple[dict[str, Sums], ...], table: dict[str, Sums]) -> None:
    """Add each scope's sums in ``table`` to each target table. For targets that hold most
    scopes and keys already (day and rolling totals): those are updated in place by index, a
    missing one raises (rarely)."""
    for scope, amounts in table.items():
        items = amounts.items()
        for target in targets:
            try:
                into = target[scope]
            except KeyError:
                target[scope] = dict(amounts)
                continue
            for key, amount in items:
                try:
                    into[key] += amount
                except KeyError:
                    into[key] = amount


def _add_four(one: dict[str, Sums], two: dict[str, Sums], three: dict[str, Sums],
              four: dict[str, Sums], table: dict[str, Sums]) -> None:
    """:func:`_add_each` into four target tables (a minute's day and three rolling totals),
    each amount added to the four in one pass over a scope's sums: the minute's turn adds
    every scope of its bucket into seven tables, and the loop over the keys is a good part
    of it. A scope one of them does not hold goes the way of :func:`_add_each`."""
    for scope, amounts in table.items():
        try:
            a = one[scope]
            b = two[scope]
            c = three[scope]
            d = four[scope]
        except KeyError:
            _add_each((one, two, three, four), {scope: amounts})
            continue
        for key, amount in amounts.items():
            try:
                a[key] += amount
            except KeyError:
                a[key] = amount
            try:
                b[key] += amount
            except KeyError:
                b[key] = amount
            try:
                c[key] += amount
            except KeyError:
                c[key] = amount
            try:
                d[key] += amount
            except KeyError:
                d[key] = amount


def merged(sums: Sums, extra: Sums) -> Sums:
    """A new dict: ``sums`` plus ``extra``."""
    out = sums.copy()
    get = out.get
    for key, amount in extra.items():
        out[key] = get(key, 0.0) + amount
    return out


class Journal:
    """The adds of a :class:`Tallies` kept to undo them: ``(minute, scopes, amounts)`` of
    each add in three parallel lists, a :meth:`Tallies.add_table` as one entry (``scopes``
    None, the table as ``amounts``), and a :meth:`Tallies.add_row` as one entry (the
    :class:`Row` as ``amounts``: the adds to it).

    No tuple per add: the reach (:mod:`panneau.hub.engine.arrival`) keeps ~25,000 adds at 500
    agents for 15 minutes; as tuples they were each an object the garbage collector tracks
    (their scopes tuples are), scanned at each of its full passes, and one allocation more
    counted toward its young passes at every event.
    """

    def __init__(self) -> None:
        self.minutes: list[int] = []
        self.scopes: list[Scopes | None] = []
        self.amounts: list[Sums | dict[str, Sums] | Row] = []

    def __len__(self) -> int:
        return len(self.minutes)

    def add(self, minute: int, scopes: Scopes | None,
            amounts: Sums | dict[str, Sums] | Row) -> None:
        """One add (``scopes`` None: ``amounts`` is a table, scope -> sums)."""
        self.minutes.append(minute)
        self.scopes.append(scopes)
        self.amounts.append(amounts)

    def drop_before(self, start: int) -> None:
        """Forget the entries before ``start``."""
        del self.minutes[:start], self.scopes[:start], self.amounts[:start]

    def drop_from(self, start: int) -> None:
        """Forget the entries from ``start`` on."""
        del self.minutes[start:], self.scopes[start:], self.amounts[start:]

    def rows(self, start: int) -> list[list]:
        """The adds from entry ``start`` on as plain data: a ``[minute, scopes, amounts]``
        row per add (a table's as one row per scope, in its order)."""
        rows: list[list] = []
        for minute, scopes, amounts in zip(self.minutes[start:], self.scopes[start:],
                                           self.amounts[start:], strict=True):
            if scopes is None:
                rows += [[minute, [scope], sums]
                         for scope, sums in cast(dict[str, Sums], amounts).items()]
            elif isinstance(amounts, Row):
                rows.append([minute, list(scopes), amounts.sums()])
            else:
                rows.append([minute, list(scopes), amounts])
        return rows

    @classmethod
    def from_rows(cls, rows: list) -> Journal:
        """A journal of the adds :meth:`rows` gave."""
        journal = cls()
        for minute, scopes, amounts in rows:
            journal.add(int(minute), tuple(scopes), dict(amounts))
        return journal


class Tallies:
    """Per-scope sums by minute and by day, with running rolling-window totals.

    An add lands in the bucket of its minute only (the hot path: one table, whatever the
    windows), by scope tuple while that minute is open (:attr:`pending`, spread over the
    scopes by :meth:`_spread` before anything reads the minute). :meth:`advance` folds the
    minutes it leaves behind into the day totals and the rolling totals, which therefore hold
    the *completed* minutes: a window's sums are its running total plus the bucket of the
    cursor's minute, a day's its total plus the buckets not folded yet. An add to a minute
    already folded (a late event) lands in the bucket, the day and
    each running window holding that minute at once; a minute too old for any window has no
    bucket and lands in the day only. Undoing an add (sign -1) takes it out of the same places
    (spreading its minute first), so the journal can be undone whatever was folded since.
    """

    def __init__(self, clock: DayClock) -> None:
        self.clock = clock
        self.minutes: dict[int, dict[str, Sums]] = {}
        #: Day totals of the folded minutes (see :meth:`day`).
        self.days: dict[int, dict[str, Sums]] = {}
        #: width -> scope -> sums of the completed minutes ``(cursor - width, cursor - 1]``.
        self.rolling: dict[int, dict[str, Sums]] = {w: {} for w in ROLLING.values()}
        self.cursor: int | None = None
        #: The newest minute seen; before the first snapshot, history is pruned against
        #: :data:`AHEAD` minutes before it (minutes folded and dropped).
        self.newest = -(2**62)
        self._pruned = self.newest
        #: Buckets of minutes up to this one are in their day totals; :attr:`open` holds the
        #: others (the cursor's minute and any after it, live).
        self.folded = -(2**62)
        self.open: dict[int, dict[str, Sums]] = {}
        #: minute -> scope tuple -> sums added to an open minute and not spread over its
        #: scopes yet (every open minute has one; :attr:`stale` when any is not empty).
        self.pending: dict[int, dict[tuple[str, ...] | list[str], Sums]] = {}
        #: minute -> scope tuple -> :class:`Row` added to in an open minute (:meth:`add_row`),
        #: joined into :attr:`pending` before it is used (:meth:`_join`; :attr:`stale` then).
        self.rows: dict[int, dict[tuple[str, ...], Row]] = {}
        self.stale = False
        #: day -> scope tuple -> sums of minutes folded and dropped while pending, not spread
        #: over their scopes in the day's total yet (see :meth:`_gather`; :attr:`stale` then).
        self.gathered: dict[int, dict[tuple[str, ...] | list[str], Sums]] = {}
        #: day -> scope tuple -> the rows of minutes dropped while open, added together
        #: (:meth:`_gather_rows`; :attr:`stale` then).
        self.gathered_rows: dict[int, dict[tuple[str, ...], Row]] = {}
        #: Scopes whose sums changed since :meth:`take_dirty` was last called (complete once
        #: the pending sums are spread, as :meth:`take_dirty` does first).
        self.dirty: set[str] = set()
        #: width -> scopes whose sums changed in that rolling window only since then: a
        #: minute left it (a minute tick changes nothing else but the cursor's minute moving
        #: from "current" to the running totals, which changes no window's sums).
        self.left: dict[int, set[str]] = {w: set() for w in ROLLING.values()}
        self._journal: Journal | None = None
        #: Sums read by minute range rather than added (agent time), merged into what
        #: :meth:`window` and :meth:`day` give; set by their keeper.
        self.time: TimeSums | None = None

    @property
    def journal(self) -> Journal | None:
        """Every add, while the engine keeps them to undo (:meth:`undo_journal`)."""
        return self._journal

    @journal.setter
    def journal(self, journal: Journal | None) -> None:
        for minute in list(self.rows):  # the adds before it are not its own
            self._join(minute)
        self._journal = journal

    def add(self, ts: float, scopes: tuple[str, ...] | list[str], amounts: Sums) -> None:
        """Add ``amounts`` to each scope at time ``ts``."""
        self.add_minute(int(ts // 60), scopes, amounts)

    def _targets(self, minute: int) -> list[dict[str, Sums]]:
        """The tables an add to ``minute`` lands in (see the class docstring)."""
        if minute > self.newest:
            self._newer(minute)
        cursor = self.cursor
        bucket = self.minutes.get(minute)
        if bucket is None:
            horizon = self.newest - AHEAD if cursor is None else cursor
            if minute > horizon - _LONGEST:
                bucket = self.minutes[minute] = {}
                if minute > self.folded:
                    self.open[minute] = bucket
                    self.pending[minute] = {}
        if bucket is not None and minute > self.folded:
            return [bucket]
        day = self.days.get(key := self.clock.day(minute * 60.0))
        if day is None:
            day = self.days[key] = {}
        targets = [day] if bucket is None else [bucket, day]
        if cursor is not None and minute < cursor:
            targets += [sums for width, sums in self.rolling.items() if minute > cursor - width]
        return targets

    def add_minute(self, minute: int, scopes: tuple[str, ...] | list[str], amounts: Sums) -> None:
        """Add ``amounts`` to each scope in one minute bucket (noted in :attr:`journal` when one
        is kept; ``amounts`` must not change afterwards)."""
        journal = self._journal
        if journal is not None:  # Journal.add inlined (every event, live)
            journal.minutes.append(minute)
            journal.scopes.append(scopes)
            journal.amounts.append(amounts)
        pending = self.pending.get(minute)  # the hot path: an open minute
        if pending is None:
            targets = self._targets(minute)
            pending = self.pending.get(minute)  # the add opened it
            if pending is None:
                self._add_to(targets, scopes, amounts)
                return
        try:
            into = pending.get(scopes)
        except TypeError:  # scopes in a list
            scopes = tuple(scopes)
            into = pending.get(scopes)
        if into is None:
            pending[scopes] = dict(amounts)
            self.stale = True
        else:
            for key, amount in amounts.items():
                if key in into:
                    into[key] += amount
                else:
                    into[key] = amount

    def sums_to_add(self, minute: int, scopes: tuple[str, ...]) -> Sums | None:
        """The pending sums of ``scopes`` in ``minute``, for its caller to add its amounts to
        in place (each key as :meth:`add_minute` would, at least one): an open minute, no
        journal kept (a replay, before the first advance). Else None: the caller adds
        through :meth:`add_minute`. (An agent's call sums: no dict of amounts built, copied
        and walked per event.)"""
        if self._journal is not None:
            return None
        pending = self.pending.get(minute)
        if pending is None:
            self._targets(minute)
            pending = self.pending.get(minute)  # the add opened it
            if pending is None:
                return None
        into = pending.get(scopes)
        if into is None:
            into = pending[scopes] = {}
            self.stale = True
        return into

    def add_row(self, minute: int, scopes: tuple[str, ...], row: Row) -> bool:
        """Start ``row`` as the row of ``scopes`` in ``minute``: its caller adds to it, as long
        as it is in :attr:`rows` (one class of row per tuple), until the minute's pending sums
        are next used. False, and nothing done, when ``minute`` is not open (a late add, or
        one too old for any window): the add goes through :meth:`add_minute`."""
        rows = self.rows.get(minute)
        if rows is None:
            if minute not in self.pending:
                self._targets(minute)  # opens it when a window may still read it
                if minute not in self.pending:
                    return False
            rows = self.rows[minute] = {}
            self.stale = True
        rows[scopes] = row
        journal = self._journal
        if journal is not None:
            journal.minutes.append(minute)
            journal.scopes.append(scopes)
            journal.amounts.append(row)
        return True

    def _join(self, minute: int) -> None:
        """Turn the rows of an open minute into its pending sums (see :meth:`add_row`)."""
        rows = self.rows.pop(minute, None)
        if not rows:
            return
        pending = self.pending[minute]
        for scopes, row in rows.items():
            row.joined = True
            sums = row.sums()
            into = pending.get(scopes)
            if into is None:
                pending[scopes] = sums
            else:
                for key, amount in sums.items():
                    if key in into:
                        into[key] += amount
                    else:
                        into[key] = amount

    def _add_to(self, targets: list[dict[str, Sums]], scopes: tuple[str, ...] | list[str],
                amounts: Sums) -> None:
        """Add ``amounts`` to each scope in each target table (an add to a folded minute)."""
        self.dirty.update(scopes)
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

    def undo_journal(self, start: int) -> None:
        """Undo the adds of the journal from entry ``start`` on, oldest first, and forget
        them (a table's as one add per scope, in its order)."""
        journal = self._journal
        assert journal is not None
        undo = self._undo
        for minute, scopes, amounts in zip(journal.minutes[start:], journal.scopes[start:],
                                           journal.amounts[start:], strict=True):
            if scopes is None:
                for scope, sums in cast(dict[str, Sums], amounts).items():
                    undo(minute, (scope,), sums)
            elif isinstance(amounts, Row):  # (spread first by _undo if still open)
                undo(minute, scopes, amounts.sums())
            else:
                undo(minute, scopes, cast(Sums, amounts))
        journal.drop_from(start)

    def _undo(self, minute: int, scopes: tuple[str, ...] | list[str], amounts: Sums) -> None:
        """Take ``amounts`` out of each scope wherever an add of them landed."""
        if self.gathered or self.gathered_rows:  # (only a replay gathers, before the first
            # advance: kept exact)
            self._spread_all()
        if self.pending.get(minute) or minute in self.rows:
            self._spread(minute)
        self.dirty.update(scopes)
        for target in self._targets(minute):
            for scope in scopes:
                into = target.get(scope)
                if into is None:
                    target[scope] = {k: -v for k, v in amounts.items()}
                else:
                    _add(into, amounts, -1.0)

    def _spread(self, minute: int) -> None:
        """Add the pending sums of an open minute to each scope of their tuple."""
        if minute in self.rows:
            self._join(minute)
        self._spread_into(self.pending[minute], self.minutes[minute])

    def _spread_into(self, pending: dict[tuple[str, ...] | list[str], Sums],
                     bucket: dict[str, Sums]) -> None:
        """Add pending sums to each scope of their tuple in ``bucket`` (a minute's, or a
        day's for a minute dropped once folded), and forget them."""
        dirty = self.dirty
        get = bucket.get
        for scopes, sums in pending.items():
            dirty.update(scopes)
            items = sums.items()
            own: Sums | None = sums  # the pending dict itself goes to a first scope without sums
            for scope in scopes:
                into = get(scope)
                if into is None:
                    if own is None:
                        bucket[scope] = dict(sums)
                    else:
                        bucket[scope], own = own, None
                else:
                    for key, amount in items:
                        if key in into:
                            into[key] += amount
                        else:
                            into[key] = amount
        pending.clear()

    def _spread_all(self) -> None:
        """Spread every open minute's pending sums (see :meth:`_spread`), and the sums
        gathered for the days (see :meth:`_gather`)."""
        if self.gathered_rows:  # gathered with the sums (a queue's rows: their own tuple)
            gathered_rows, self.gathered_rows = self.gathered_rows, {}
            for day, rows in gathered_rows.items():
                self._gather({scopes: row.sums() for scopes, row in rows.items()}, day)
        self.stale = False
        for minute in list(self.rows):
            self._join(minute)
        for minute, pending in self.pending.items():
            if pending:
                self._spread(minute)
        if self.gathered:
            gathered, self.gathered = self.gathered, {}
            for day, pending in gathered.items():
                table = self.days.get(day)
                if table is None:
                    table = self.days[day] = {}
                self._spread_into(pending, table)

    def add_table(self, minute: int, table: dict[str, Sums]) -> None:
        """Add ``table[scope]`` to each scope in one minute bucket (as :meth:`add_minute` for
        each, with the tables looked up once; ``table`` must not change afterwards)."""
        if self._journal is not None:
            self._journal.add(minute, None, table)
        self.dirty.update(table)
        for target in self._targets(minute):
            get = target.get
            for scope, amounts in table.items():
                into = get(scope)
                if into is None:
                    target[scope] = dict(amounts)
                else:
                    at = into.get
                    for k, amount in amounts.items():
                        into[k] = at(k, 0.0) + amount

    def _fold(self, upto: int, drop: int = -(2**62)) -> None:
        """Add the buckets of the minutes after :attr:`folded` up to ``upto`` to their days.
        Those up to ``drop`` are forgotten right after (a replay's :meth:`_prune`): their
        pending sums go straight to the day, never spread over their bucket first, gathered
        by scope tuple (:meth:`_gather`), their rows too, as rows (:meth:`_gather_rows`)."""
        if upto <= self.folded:
            return
        self.folded = upto
        for minute in sorted(m for m in self.open if m <= upto):
            rows: dict[tuple[str, ...], Row] | None = None
            if minute <= drop:
                if minute in self.rows:
                    if self._journal is None:
                        rows = self.rows.pop(minute)
                    else:  # (the journal holds its rows: never added to)
                        self._join(minute)
                pending, bucket = self.pending.pop(minute), self.open.pop(minute)
            else:
                pending, bucket = None, self._close(minute)
            if not bucket and not pending and not rows:
                continue
            day = self.days.get(key := self.clock.day(minute * 60.0))
            if day is None:
                day = self.days[key] = {}
            if bucket:
                _add_each((day,), bucket)
            if pending:
                self._gather(pending, key)
            if rows:
                self._gather_rows(rows, key)

    def _gather(self, pending: dict[tuple[str, ...] | list[str], Sums], day: int) -> None:
        """Pending sums of a minute dropped before they were spread, gathered by scope tuple
        into :attr:`gathered` for day ``day`` (a replay drops a minute of every queue's tuple
        at a time, spread over its scopes once a day rather than once a minute); the
        dicts are taken over. Spread at the next read (:attr:`stale`)."""
        self.stale = True
        into = self.gathered.get(day)
        if into is None:
            self.gathered[day] = pending
            return
        for scopes, sums in pending.items():
            old = into.get(scopes)
            if old is None:
                into[scopes] = sums
            else:
                for key, amount in sums.items():
                    if key in old:
                        old[key] += amount
                    else:
                        old[key] = amount

    def _gather_rows(self, rows: dict[tuple[str, ...], Row], day: int) -> None:
        """The rows of a minute dropped before they were joined, gathered by scope tuple
        into :attr:`gathered_rows` for day ``day``: the first of a tuple taken over, the
        next added to it field by field (:meth:`Row.merge`), no dict made per row and minute
        (compiled, typed fields are C attributes). Spread at the next read (:attr:`stale`)."""
        self.stale = True
        into = self.gathered_rows.get(day)
        if into is None:
            into = self.gathered_rows[day] = {}
        for scopes, row in rows.items():
            row.joined = True
            old = into.get(scopes)
            if old is None:
                into[scopes] = row
            else:
                old.merge(row)

    def _close(self, minute: int) -> dict[str, Sums]:
        """The bucket of an open minute (its pending sums spread), no longer open."""
        if self.pending.get(minute) or minute in self.rows:
            self._spread(minute)
        del self.pending[minute]
        return self.open.pop(minute)

    def _leave(self, minute: int, current: bool) -> None:
        """The cursor leaves ``minute`` (the minute after it starts): its bucket goes into its
        day and every rolling total at once, and each window's oldest minute out (its scopes
        noted in :attr:`left`). ``current``: ``minute`` is the cursor's, whose bucket every
        window and the day already counted (:meth:`counted`): its scopes are not changed.

        The hot loop of a minute tick (every scope, seven tables): sums a table already holds
        are updated in place by index (a missing key or scope raises, rarely)."""
        bucket = self._close(minute) if minute in self.open else None
        if bucket:
            day = self.days.get(key := self.clock.day(minute * 60.0))
            if day is None:
                day = self.days[key] = {}
            if not current:
                self.dirty.update(bucket)
            targets = (day, *self.rolling.values())
            if len(targets) == 4:
                _add_four(*targets, bucket)
            else:
                _add_each(targets, bucket)
        minutes, eps, neg, left = self.minutes, _EPS, _NEG_EPS, self.left
        for width, sums in self.rolling.items():  # each window's oldest minute out
            old = minutes.get(minute - width + 1)
            if not old:
                continue
            left[width].update(old)
            for scope, amounts in old.items():
                try:
                    into = sums[scope]
                except KeyError:
                    sums[scope] = {k: -v for k, v in amounts.items()}
                    continue
                for k, amount in amounts.items():
                    try:
                        value = into[k] - amount
                    except KeyError:
                        value = -amount
                    if neg < value < eps:
                        into.pop(k, None)
                    else:
                        into[k] = value

    def _apply_minute(self, width: int, minute: int, sign: float) -> None:
        bucket = self.minutes.get(minute)
        if not bucket:
            return
        sums = self.rolling[width]
        self.dirty.update(bucket)
        for scope, amounts in bucket.items():
            into = sums.get(scope)
            if into is None:
                sums[scope] = dict(amounts) if sign > 0 else {k: -v for k, v in amounts.items()}
            else:
                _add(into, amounts, sign)

    def advance(self, now: float) -> None:
        """Move the rolling windows so they end at the minute of ``now``.

        Never back: at a minute before the cursor's (a wall clock stepped back) they stay
        where they are until ``now`` passes the cursor again. Rebuilt there, they would miss
        the minutes already pruned (only those up to the longest window before the cursor
        are kept) and leave out the minutes after it, whose events are counted already."""
        if self.stale:
            self._spread_all()
        target = minute_of(now)
        old = self.cursor
        if old is not None and target <= old:
            return
        if old is not None and 0 < target - old <= _SHORTEST and self.folded == old - 1:
            for minute in range(old, target):  # live, minute after minute
                self._leave(minute, minute == old)
            self.folded = target - 1
            self.dirty.update(self.minutes.get(target, ()))
            self.cursor = target
            self._prune(target)
            return
        self._fold(target - 1)
        if old is not None:  # the old cursor's minute was in every window (read as current)
            self.dirty.update(self.minutes.get(old, ()))
        for width in ROLLING.values():
            if old is not None and 0 < target - old <= width:
                for minute in range(old, target):
                    self._apply_minute(width, minute, 1.0)
                    self._apply_minute(width, minute - width + 1, -1.0)
            else:
                self.dirty.update(self.rolling[width])
                self.rolling[width] = {}
                for minute in range(target - width + 1, target):
                    self._apply_minute(width, minute, 1.0)
        self.dirty.update(self.minutes.get(target, ()))  # the new minute joins every window
        self.cursor = target
        self._prune(target)

    def _newer(self, minute: int) -> None:
        self.newest = minute
        if self.cursor is None and minute - self._pruned >= _LONGEST:
            self._prune(minute, AHEAD)

    def _prune(self, minute: int, ahead: int = 0) -> None:
        """Fold and forget the minutes no rolling window ending at ``minute - ahead`` holds,
        and days before its yesterday. Before the first snapshot (``ahead``: :data:`AHEAD`)
        the minutes after those stay open, even those no window ending at ``minute`` holds:
        the next prune drops them still open, their pending sums and rows gathered for their
        day (:meth:`_fold`), never spread over their buckets first (folded here, a quarter of
        a replay's minutes were spread, then their buckets added to their day)."""
        self._pruned = minute
        minute -= ahead
        self._fold(minute - _LONGEST, minute - _LONGEST)
        for old in [m for m in self.minutes if m <= minute - _LONGEST]:
            del self.minutes[old]
        today = self.clock.day(minute * 60.0)
        for key in [d for d in self.days if d < today - 1]:
            del self.days[key]
        for key in [d for d in self.gathered if d < today - 1]:
            del self.gathered[key]
        for key in [d for d in self.gathered_rows if d < today - 1]:
            del self.gathered_rows[key]

    def day(self, day: int) -> dict[str, Sums]:
        """Every scope's sums of working day ``day`` (a ``date.toordinal()``): its folded total
        plus the buckets not folded yet."""
        if self.stale:
            self._spread_all()
        table = self.days.get(day, {})
        extra = [bucket for minute, bucket in self.open.items()
                 if bucket and self.clock.day(minute * 60.0) == day]
        if self.time is not None and day in self.time.days:
            first, end = self.clock.minutes(day)
            extra.append(self.time.table(first, end))
        if not extra:
            return table
        table = dict(table)
        for bucket in extra:
            for scope, amounts in bucket.items():
                table[scope] = merged(table.get(scope, {}), amounts)
        return table

    def day_keys(self) -> set[int]:
        """The days the tallies hold sums of."""
        days = set(self.days) | {self.clock.day(m * 60.0) for m in self.open}
        return days if self.time is None else days | self.time.days

    def window(self, scope: str, window: str, now: float) -> Sums:
        """The sums of one scope over ``15m``/``30m``/``60m``/``today`` (after :meth:`advance`),
        agent time (:attr:`time`) included."""
        sums = self.counted(scope, window, now)
        time = self.time
        if time is None:
            return sums
        if window == "today":
            extra = time.sums(scope, int(self.clock.start(now) // 60),
                              int(self.clock.end(now) // 60))
        else:
            cursor = cast(int, self.cursor)
            extra = time.sums(scope, cursor - ROLLING[window] + 1, cursor + 1)
        return {**sums, **extra} if extra else sums

    def counted(self, scope: str, window: str, now: float) -> Sums:
        """:meth:`window` without agent time: the sums added (a dict the tallies may hold:
        never change it)."""
        if self.stale:
            self._spread_all()
        if window == "today":
            day = self.clock.day(now)
            sums = self.days.get(day, {}).get(scope, {})
            for minute, bucket in self.open.items():
                if scope in bucket and self.clock.day(minute * 60.0) == day:
                    sums = merged(sums, bucket[scope])
            return sums
        sums = self.rolling[ROLLING[window]].get(scope, _NONE)
        current = self.minutes.get(self.cursor)  # type: ignore[arg-type]
        if current is not None and scope in current:
            return merged(sums, current[scope])
        return sums

    def rolling_now(self) -> tuple[tuple[dict[str, Sums], ...], dict[str, Sums]]:
        """What :meth:`counted` reads a rolling window from, for many scopes at once (after
        :meth:`advance`): the running totals in :data:`ROLLING`'s order, and the bucket of
        the cursor's minute. A scope's sums in a window are its total there (none: no sums)
        plus, when the bucket holds it, its sums in the bucket (:func:`merged`)."""
        if self.stale:
            self._spread_all()
        return (tuple(self.rolling[width] for width in ROLLING.values()),
                self.minutes.get(cast(int, self.cursor), _NONE_TABLE))

    def take_dirty(self) -> set[str]:
        """The scopes changed since the last call (and forget them)."""
        dirty, left = self.take_changes()
        dirty = dirty.union(*left.values())
        if self.time is not None:
            dirty |= self.time.take_dirty(self.cursor)
        return dirty

    def take_changes(self) -> tuple[set[str], dict[int, set[str]]]:
        """The scopes whose added sums changed since the last call (or :meth:`take_dirty`)
        in every window, and by width those changed in that rolling window only (a minute
        left it); forgets them. Agent time (:attr:`time`) is not in them."""
        if self.stale:
            self._spread_all()
        dirty, self.dirty = self.dirty, set()
        left, self.left = self.left, {w: set() for w in ROLLING.values()}
        return dirty, left

    def scopes(self) -> set[str]:
        """Every scope with sums in a minute, a day or a window."""
        if self.stale:
            self._spread_all()
        out: set[str] = set()
        for table in (*self.minutes.values(), *self.days.values(), *self.rolling.values()):
            out.update(table)
        return out

    def to_data(self) -> dict:
        """The sums as plain data (see :mod:`panneau.hub.engine.state`)."""
        if self.stale:
            self._spread_all()
        return {"minutes": _tables(self.minutes), "days": _tables(self.days),
                "rolling": _tables(self.rolling), "cursor": self.cursor,
                "newest": self.newest, "pruned": self._pruned, "folded": self.folded}

    def load_data(self, data: dict) -> None:
        """Take back what :meth:`to_data` gave; every scope counts as changed."""
        self.minutes = _untables(data["minutes"])
        self.days = _untables(data["days"])
        self.rolling = {w: {} for w in ROLLING.values()} | _untables(data["rolling"])
        self.cursor, self.newest, self._pruned = data["cursor"], data["newest"], data["pruned"]
        self.folded = data["folded"]
        self.open = {m: bucket for m, bucket in self.minutes.items() if m > self.folded}
        self.pending = {m: {} for m in self.open}
        for rows in self.rows.values():
            for row in rows.values():
                row.joined = True
        self.rows = {}
        self.gathered = {}
        self.gathered_rows = {}
        self.stale = False
        self.dirty = self.scopes()
        self.left = {w: set() for w in ROLLING.values()}


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
