"""Per-day sums in SQLite, so a week, month or quarter is read in milliseconds.

Rules kept here:

- Table ``day_rollups``: one row per working day (``date.toordinal()``), scope and part,
  holding the scope's *sums* that day (numerators and denominators: ``answered``,
  ``hold_sum``, ``csat_good``, ``csat_n``...) as JSON. Part ``counted`` is what events gave
  (:meth:`Engine.counted_day`), part ``entered`` the figures typed or fed as
  ``FigureEntered`` (:meth:`Engine.entered_day`): a figure entered for last month rewrites
  that month's ``entered`` rows only, never the counted ones the engine no longer holds.
  Table ``rollup_days`` lists the days whose counted part is written, so a day without any
  activity is not taken for a missing one.
- The running hub writes the days its engine holds (today and yesterday) and any day whose
  entered figures changed, every ``hub.history_interval_s`` and on stop: a day's counted
  rollup is final once the day after it is over.
- Rollups outlive the journal's events (``hub.retention_days``): they are what the same
  period last year is read from. Days inside the journal's span that have no rollup (a new
  database, an upgrade, a deleted table) are rebuilt at start by replaying the journal
  through a fresh engine (:func:`rebuild`); days already written are left alone.
- :func:`period_figures` is the one query everything uses (screens' objectives, the
  scorecard, exports): the period's days summed, then the KPIs computed once from the sums.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, TypeVar

from panneau.hub.config.schema import Config
from panneau.hub.config.sites import default_scopes
from panneau.hub.engine import Engine
from panneau.hub.engine.figures import figures_of
from panneau.hub.engine.windows import DayClock, Sums
from panneau.hub.objectives import Figures, objectives_board, scorecard_board
from panneau.hub.periods import Period, last_year, previous
from panneau.hub.server.journal import Journal

__all__ = ["DayParts", "PeriodFigures", "RollupWriter", "Rollups", "goals_board",
           "period_figures", "rebuild"]

log = logging.getLogger(__name__)
T = TypeVar("T")
Part = Literal["counted", "entered"]
#: ``(counted days, entered days)``: ``{day: {scope: sums}}`` each.
DayParts = tuple[dict[int, dict[str, Sums]], dict[int, dict[str, Sums]]]


def day_parts(engine: Engine, only: set[int] | None = None) -> DayParts:
    """Copies of the engine's day sums that may have changed (``only`` those days)."""
    counted, entered = engine.rollup_days()
    return ({d: {s: dict(v) for s, v in engine.counted_day(d).items()}
             for d in counted if only is None or d in only},
            {d: {s: dict(v) for s, v in engine.entered_day(d).items()}
             for d in entered if only is None or d in only})


class Rollups:
    """The ``day_rollups`` tables of one journal connection (use it in one thread)."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        db = journal.db
        with journal.write_lock:
            db.execute("CREATE TABLE IF NOT EXISTS day_rollups (day INTEGER NOT NULL,"
                       " scope TEXT NOT NULL, part TEXT NOT NULL, sums TEXT NOT NULL,"
                       " PRIMARY KEY (day, scope, part))")
            # A period of one scope reads ~90 rows through this, not every scope's days.
            db.execute("CREATE INDEX IF NOT EXISTS day_rollups_scope_day"
                       " ON day_rollups (scope, day)")
            db.execute("CREATE TABLE IF NOT EXISTS rollup_days (day INTEGER PRIMARY KEY,"
                       " written REAL NOT NULL)")
            db.conn.commit()

    def write(self, days: Mapping[int, Mapping[str, Sums]], now: float,
              part: Part = "counted") -> list[int]:
        """Store one part of whole days (each replaces what was stored for that part of that
        day); returns the days written."""
        done: list[int] = []
        with self.journal.write_lock, self.journal.db.atomic():
            conn = self.journal.db.conn
            for day, scopes in days.items():
                conn.execute("DELETE FROM day_rollups WHERE day = ? AND part = ?", [day, part])
                conn.executemany(
                    "INSERT INTO day_rollups (day, scope, part, sums) VALUES (?, ?, ?, ?)",
                    [(day, scope, part, json.dumps(sums, separators=(",", ":")))
                     for scope, sums in scopes.items() if sums])
                if part == "counted":
                    conn.execute("INSERT OR REPLACE INTO rollup_days (day, written)"
                                 " VALUES (?, ?)", [day, now])
                done.append(day)
        return done

    def store(self, parts: DayParts, now: float) -> None:
        """Write both parts of :func:`day_parts`."""
        self.write(parts[0], now, "counted")
        self.write(parts[1], now, "entered")

    def days_written(self, first: date, last: date) -> set[date]:
        """The days of ``first..last`` that have a rollup (possibly empty)."""
        return {date.fromordinal(d) for (d,) in self.journal.db.execute(
            "SELECT day FROM rollup_days WHERE day BETWEEN ? AND ?",
            [first.toordinal(), last.toordinal()])}

    def days_with_figures(self, first: date, last: date) -> set[date]:
        """The days of ``first..last`` with a counted rollup or with figures entered for
        them (a month whose figures were all typed in is a month with data)."""
        span = [first.toordinal(), last.toordinal()]
        return {date.fromordinal(d) for (d,) in self.journal.db.execute(
            "SELECT day FROM rollup_days WHERE day BETWEEN ? AND ? UNION"
            " SELECT day FROM day_rollups WHERE part = 'entered' AND day BETWEEN ? AND ?",
            span + span)}

    def sums(self, first: date, last: date, scopes: Iterable[str] | None = None
             ) -> dict[str, Sums]:
        """Each scope's sums over the working days ``first..last`` (only ``scopes`` if given)."""
        args: list[Any] = [first.toordinal(), last.toordinal()]
        table, where = "day_rollups", "day BETWEEN ? AND ?"
        if scopes is not None:  # through the (scope, day) index, not every scope's days
            scopes = list(scopes)
            table = "day_rollups INDEXED BY day_rollups_scope_day"
            where = f"scope IN ({','.join('?' * len(scopes))}) AND {where}"
            args = [*scopes, *args]
        out: dict[str, Sums] = {}
        # summed in SQLite key by key (json_each): no JSON decoded in Python per day
        sql = (f"SELECT scope, j.key, sum(j.value) FROM {table}, json_each({table.split()[0]}"
               f".sums) AS j WHERE {where} GROUP BY scope, j.key")
        for scope, key, total in self.journal.db.execute(sql, args):
            out.setdefault(scope, {})[key] = float(total)
        return out

    def missing(self, clock: DayClock, before: int) -> set[int]:
        """Days of the journal's events (before day ``before``) that have no rollup."""
        row = self.journal.db.execute("SELECT min(ts), max(ts) FROM events").fetchone()
        if row is None or row[0] is None:
            return set()
        first, last = clock.day(row[0]), min(clock.day(row[1]), before - 1)
        if last < first:
            return set()
        have = {d for (d,) in self.journal.db.execute(
            "SELECT day FROM rollup_days WHERE day BETWEEN ? AND ?", [first, last])}
        return set(range(first, last + 1)) - have


def _day_start(clock: DayClock, day: int) -> float:
    """When working day ``day`` begins (epoch seconds)."""
    d = date.fromordinal(day)
    wall = datetime(d.year, d.month, d.day) + clock.offset
    return wall.replace(tzinfo=clock.tz).timestamp()


def rebuild(journal: Journal, config: Config, days: set[int], now: float) -> int:
    """Replay the journal through a fresh engine and store the rollups of ``days`` that have
    none. Each day is taken when the replay moves past it, after a snapshot at the end of
    the day (closing agent time there). Returns the days written."""
    rollups = Rollups(journal)
    todo = set(days)
    if todo:
        todo -= {d.toordinal() for d in rollups.days_written(date.fromordinal(min(todo)),
                                                             date.fromordinal(max(todo)))}
    if not todo:
        return 0
    engine = Engine(config)
    current: int | None = None

    def harvest(at: float) -> None:
        engine.snapshot(at)
        rollups.store(day_parts(engine, todo), now)

    last_ts = 0.0
    for event in journal.events():
        day = engine.clock.day(event.ts)
        if current is not None and day > current:
            harvest(_day_start(engine.clock, current + 1))
        if current is None or day > current:
            current = day
        engine.apply(event)
        last_ts = max(last_ts, event.ts)
    if current is not None:
        harvest(max(last_ts, _day_start(engine.clock, current)))
    written = {d.toordinal() for d in rollups.days_written(date.fromordinal(min(todo)),
                                                           date.fromordinal(max(todo)))}
    rollups.write({d: {} for d in todo - written}, now)  # days without activity
    log.info("rebuilt the rollups of %d days from the journal", len(todo))
    return len(todo)


@dataclass(frozen=True)
class PeriodFigures:
    """One scope's figures over a period, beside the previous period and the same one last
    year (``None`` where no day of that period has a rollup or an entered figure, and last
    year's for a range longer than a year: :func:`panneau.hub.periods.last_year`)."""

    scope: str
    period: Period
    figures: dict[str, float]
    days_covered: int
    previous: dict[str, float] | None = None
    last_year: dict[str, float] | None = None
    #: Complaints by category over the period (entered with ``--category``).
    complaints_by_category: dict[str, float] = field(default_factory=dict)


def _figures(rollups: Rollups, scope: str, period: Period) -> tuple[dict[str, float], Sums, int]:
    covered = len(rollups.days_with_figures(period.first, period.last))
    sums = rollups.sums(period.first, period.last, [scope]).get(scope, {})
    return figures_of(scope, sums), sums, covered


def period_figures(rollups: Rollups, scope: str, period: Period,
                   *, compare: bool = True) -> PeriodFigures:
    """The figures of ``scope`` (``site``, ``team:<id>``, ``queue:<name>``, ``agent:<id>``)
    over ``period``, from its days' summed numerators and denominators; with ``compare``,
    also the previous period's and the same period's last year."""
    figures, sums, covered = _figures(rollups, scope, period)
    before = year = None
    if compare:
        prev_figures, _, prev_covered = _figures(rollups, scope, previous(period))
        before = prev_figures if prev_covered else None
        if (year_back := last_year(period)) is not None:  # none for a range over a year
            year_figures, _, year_covered = _figures(rollups, scope, year_back)
            year = year_figures if year_covered else None
    categories = {key.partition(":")[2]: value for key, value in sums.items()
                  if key.startswith("complaints:")}
    return PeriodFigures(scope, period, figures, covered, before, year, categories)


class RollupWriter:
    """The running hub's side: rollups written and periods read in one worker thread.

    The loop only copies the engine's day sums (:meth:`take`); SQLite work happens in the
    worker on its own connection (:meth:`Journal.sibling`)."""

    def __init__(self, journal: Journal, config: Config) -> None:
        self.journal, self.config = journal, config
        self._worker = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="panneau-rollups")
        self._own: Rollups | None = None

    def _rollups(self) -> Rollups:
        if self._own is None:
            self._own = Rollups(self.journal.sibling())
        return self._own

    async def run(self, fn: Callable[[Rollups], T]) -> T:
        """Run ``fn(rollups)`` in the worker thread."""
        return await asyncio.wrap_future(self._worker.submit(lambda: fn(self._rollups())))

    async def write(self, engine: Engine, now: float) -> None:
        """Store the engine's days that may have changed (copied here, on the loop)."""
        parts = day_parts(engine)
        await self.run(lambda r: r.store(parts, now))

    async def fill_gaps(self, before: int, now: float) -> int:
        """Rebuild the rollups of journalled days before day ``before`` that have none."""
        def work(rollups: Rollups) -> int:
            clock = DayClock(self.config.hub.timezone, self.config.hub.day_start)
            return rebuild(rollups.journal, self.config, rollups.missing(clock, before), now)
        return await self.run(work)

    async def aclose(self) -> None:
        """Close the worker's connection and stop the worker."""
        def close(rollups: Rollups) -> None:
            rollups.journal.close()
            self._own = None
        if self._own is not None:
            await self.run(close)
        self._worker.shutdown(wait=False)


def goals_board(rollups: Rollups, config: Config, today: date) -> dict[str, Any]:
    """``objective:<n>`` and ``scorecard:<scope>`` (site, a group hub's ``site:<name>``, each
    team) view values, from the period figures of ``rollups`` (:mod:`panneau.hub.objectives`)."""
    cache: dict[tuple[str, Period], Figures] = {}

    def figures_of(scope: str, period: Period) -> Figures:
        if (scope, period) not in cache:
            got = period_figures(rollups, scope, period)
            cache[scope, period] = Figures(got.figures, got.previous)
        return cache[scope, period]

    board: dict[str, Any] = dict(objectives_board(config, today, figures_of))
    if config.scorecard.kpis:
        for scope in default_scopes(config):
            board[f"scorecard:{scope}"] = scorecard_board(config, scope, today, figures_of)
    return board
