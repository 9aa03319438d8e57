"""Recompute a stored day from the journal's events and compare it with the wall's samples.

The wall's figures are reproducible: the same events give the same figures. For a working
day (``hub.day_start`` in ``hub.timezone``) this replays every journalled event dated before
each history sample time ``T``, in event-time order, into a fresh engine, and compares, figure
by figure, the engine's value at ``T`` with the value the hub sampled at ``T``.

Where they differ, it says why when the journal shows it:

- ``late``: events dated before ``T`` that the hub accepted after ``T`` (the journal keeps
  accepted order: an event stored after one dated later than ``T`` was accepted after
  ``T``). The wall could not count them yet; the replay does. This is a lower bound: a late
  event with no later-dated event stored before it is not seen as late.
- ``late_earlier``: events accepted late before ``T``: figures that accrue with time
  (:data:`ACCRUING`: occupancy) keep the trace, as the live engine counted them from their
  arrival.
- ``restart``: the first samples after a gap in the samples (the hub was not running or
  not sampling); the hub's first figures after a restart may miss events its sources had
  not re-delivered yet.
- ``pruned``: events older than ``hub.retention_days`` are gone from the journal (its first
  event id is not 1) less than two days before the day: state carried over from before
  the oldest event (agents logged in, open tickets) is missing from the replay.
- A hub stamps a sample with the time of its figures (its last publish tick), so they are
  the replay's at ``T`` exactly. Samples stamped with the later time of sampling (hubs
  before that) hold ``now`` durations up to a tick old: within ``TICK_S`` they are equal.

Any other difference is ``unexplained``.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from panneau.hub.catalogue import KPIS
from panneau.hub.config.schema import Config
from panneau.hub.engine import Engine
from panneau.hub.events import InvalidEvent
from panneau.hub.server.journal import read_event

__all__ = ["TICK_S", "DayReplay", "Difference", "SampleCheck", "day_bounds", "replay_day"]

#: How much older than its time a sampled ``now`` duration may be (the last publish tick).
TICK_S = 2.0
REL_TOLERANCE = 1e-6
#: State older than this still shapes a day's figures (agents logged in, open calls).
PRUNE_HORIZON_S = 2 * 86400.0
#: Figures that accrue with time: a late event leaves a lasting trace in them.
ACCRUING = frozenset({"occupancy_pct"})


@dataclass
class Difference:
    """One figure of one sample that the replay computes otherwise."""

    key: str
    wall: float
    replay: float | None
    reason: str


@dataclass
class SampleCheck:
    """The comparison of one sample time."""

    ts: float
    compared: int = 0
    equal: int = 0
    within_tick: int = 0
    differences: list[Difference] = field(default_factory=list)
    late: Counter = field(default_factory=Counter)  # late events by source at this time
    late_earlier: Counter = field(default_factory=Counter)  # late before, known by now
    figures: list[tuple[str, float, float | None]] = field(default_factory=list)


@dataclass
class DayReplay:
    """The whole day: each sample's check, the gaps between samples, journal notes."""

    day: date
    start: float
    end: float
    samples: list[SampleCheck]
    gaps: list[tuple[float, float]]
    oldest_event: float | None
    events: int
    skipped_rows: list[tuple[int, str | None, str]] = field(default_factory=list)
    """Journal rows that are not events (id, source, why): skipped, as a hub's start skips them."""

    @property
    def unexplained(self) -> int:
        return sum(d.reason == "unexplained" for s in self.samples for d in s.differences)


def day_bounds(day: date, config: Config) -> tuple[float, float]:
    """Start and end (epoch) of the working day ``day``."""
    tz = ZoneInfo(config.hub.timezone)
    hours, minutes = (int(p) for p in config.hub.day_start.split(":"))
    start = datetime.combine(day, time(hours, minutes), tz)
    end = datetime.combine(day + timedelta(days=1), time(hours, minutes), tz)
    return start.timestamp(), end.timestamp()


def _same(wall: float, replay: float) -> bool:
    return abs(wall - replay) <= REL_TOLERANCE * max(1.0, abs(wall), abs(replay))


def _tick_tolerant(key: str) -> bool:
    _, window, kpi = key.rsplit("/", 2)
    info = KPIS.get(kpi)
    return window == "now" and info is not None and info.unit == "s"


def _late_events(db: sqlite3.Connection, start: float, end: float
                 ) -> list[tuple[float, float, str]]:
    """``(ts, accepted no earlier than, source)`` of events stored after a later-dated one."""
    out, latest = [], float("-inf")
    for ts, source in db.execute("SELECT ts, source FROM events WHERE ts < ? ORDER BY id",
                                 [end]):
        if ts < latest and latest >= start:
            out.append((ts, latest, source))
        latest = max(latest, ts)
    return out


def _events(db: sqlite3.Connection, end: float, skipped: list[tuple[int, str | None, str]]
            ) -> Iterator[tuple[float, object]]:
    """Events dated before ``end`` in event-time order (ties: accepted order); a row that is
    not an event is added to ``skipped`` (id, source, why) and left out, as a hub's start
    leaves it out."""
    cursor = db.execute("SELECT id, source, ts, CAST(data AS BLOB) FROM events WHERE ts < ? "
                        "ORDER BY ts, id", [end])
    while batch := cursor.fetchmany(2000):
        for row_id, source, ts, data in batch:
            try:
                yield ts, read_event(data)
            except InvalidEvent as exc:
                skipped.append((row_id, source, str(exc)))


def _samples(db: sqlite3.Connection, start: float, end: float
             ) -> Iterator[tuple[float, dict[str, float]]]:
    """Each sample time of ``[start, end)`` with its ``{key: value}``."""
    current, values = None, {}
    for ts, key, value in db.execute(
            "SELECT ts, key, value FROM kpi_history WHERE ts >= ? AND ts < ? ORDER BY ts, key",
            [start, end]):
        if ts != current:
            if current is not None:
                yield current, values
            current, values = ts, {}
        values[key] = value
    if current is not None:
        yield current, values


def replay_day(db: sqlite3.Connection, config: Config, day: date, at: float | None = None,
               interval_s: float | None = None) -> DayReplay:
    """Replay ``day`` (only the sample at or just before ``at``, when given) and compare."""
    start, end = day_bounds(day, config)
    interval = interval_s or float(config.hub.history_interval_s)
    last = db.execute("SELECT max(ts) FROM kpi_history WHERE ts >= ? AND ts < ?",
                      [start, end if at is None else min(end, at + 1e-6)]).fetchone()[0]
    if last is None:
        return DayReplay(day, start, end, [], [], None, 0)
    # one sample time at a time: a 500-agent day is 7 M figures
    samples = _samples(db, start if at is None else last, last + 1e-6)
    late = _late_events(db, start, last + 1)
    oldest, first_id = db.execute("SELECT min(ts), min(id) FROM events").fetchone()
    if first_id == 1:  # ids start at 1: nothing was ever pruned
        oldest = None
    all_times = [ts for (ts,) in db.execute(
        "SELECT DISTINCT ts FROM kpi_history WHERE ts >= ? AND ts < ? ORDER BY ts", [start, end])]
    gaps = [(a, b) for a, b in zip([start, *all_times], all_times, strict=False)
            if b - a > 1.5 * interval]
    after_gap = {b for _, b in gaps}
    engine = Engine(config)
    skipped: list[tuple[int, str | None, str]] = []
    events = _events(db, last + 1, skipped)
    pending = next(events, None)
    applied, checks = 0, []
    for ts, wall in samples:
        while pending is not None and pending[0] <= ts:
            engine.apply(pending[1])
            applied += 1
            pending = next(events, None)
        flat = engine.snapshot(ts).flat()
        check = SampleCheck(ts)
        check.late = Counter(source for t, accepted, source in late if t <= ts < accepted)
        check.late_earlier = Counter(source for _, accepted, source in late if accepted <= ts)
        for key, value in wall.items():
            mine = flat.get(key)
            check.compared += 1
            if at is not None:  # one sample: every figure is listed
                check.figures.append((key, value, mine))
            if mine is not None and _same(value, mine):
                check.equal += 1
            elif mine is not None and _tick_tolerant(key) and abs(value - mine) <= TICK_S:
                check.within_tick += 1
            else:
                check.differences.append(Difference(key, value, mine, _reason(
                    key, ts, check, after_gap, interval, oldest, start)))
        checks.append(check)
    return DayReplay(day, start, end, checks, gaps, oldest, applied, skipped)


def _reason(key: str, ts: float, check: SampleCheck, after_gap: set[float], interval: float,
            oldest: float | None, day_start: float) -> str:
    if check.late:
        return "late"
    if check.late_earlier and key.rsplit("/", 1)[-1] in ACCRUING:
        return "late_earlier"
    if any(0 <= ts - b <= 2 * interval for b in after_gap):
        return "restart"
    if oldest is not None and oldest > day_start - PRUNE_HORIZON_S:
        return "pruned"
    return "unexplained"


WHY = {
    "late": "events dated before this sample were accepted after it (late: {sources})",
    "late_earlier": "events accepted late earlier in the day ({sources_earlier}) count from "
                    "their own time in the replay, from their arrival on the wall",
    "restart": "first samples after a gap: the hub had just (re)started",
    "pruned": "the journal's oldest event is at {oldest}: state from before it is missing",
    "unexplained": "no late event, restart or pruning explains it",
}
