"""Period figures from the day rollups: how long a quarter takes to read, at 500 agents.

    .venv/bin/python benchmarks/bench_periods.py [--days 460] [--agents 500] [--runs 20]

Fills a real SQLite journal (temporary folder) with ``--days`` days of rollups for site, 10
teams, 50 queues and ``--agents`` agents — about the sums a busy day gives each scope — then
times :func:`panneau.hub.server.rollups.period_figures` for a team over a quarter with its
previous quarter and the same quarter last year (three ~92-day reads), the same for a month,
and prints them next to a floor measured in the same run: reading a single day of one scope
(the least a period query can cost). Median and worst of ``--runs``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from panneau.hub.periods import Period, period_of
from panneau.hub.server.journal import Journal
from panneau.hub.server.rollups import Rollups, period_figures


def day_sums(rng: random.Random, scale: float) -> dict[str, float]:
    """Sums like a day's of one scope (calls, agent time, tickets, surveys)."""
    offered = rng.randint(200, 400) * scale
    answered = offered * 0.93
    return {"offered": offered, "answered": answered, "completed": answered,
            "outcomes": offered, "abandoned": offered * 0.07, "hold_sum": answered * 22,
            "completed_in_sl": answered * 0.8, "talk_sum": answered * 240,
            "wrap_sum": answered * 30, "contacts": answered, "repeats": answered * 0.2,
            "t_work": 8 * 3600 * scale, "t_busy": 6 * 3600 * scale,
            "tickets_created": 80 * scale, "tickets_solved": 75 * scale, "frt_n": 70 * scale,
            "frt_sum_min": 70 * 35 * scale, "csat_n": 20 * scale, "csat_good": 17 * scale,
            "survey_n": 25 * scale}


def fill(rollups: Rollups, first: date, days: int, agents: int) -> int:
    rng = random.Random(7)
    scopes = (["site"] + [f"team:t{i}" for i in range(10)] + [f"queue:q{i}" for i in range(50)]
              + [f"agent:a{i}" for i in range(agents)])
    rows = 0
    for n in range(days):
        day = (first + timedelta(days=n)).toordinal()
        block = {s: day_sums(rng, 50 if s == "site" else 5 if s.startswith("team") else 1)
                 for s in scopes}
        rollups.write({day: block}, 0.0)
        rows += len(block)
    return rows


def timed(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=460)
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    last = date(2026, 11, 29)
    first = last - timedelta(days=args.days - 1)
    with tempfile.TemporaryDirectory() as tmp:
        journal = Journal(Path(tmp) / "bench.db")
        rollups = Rollups(journal)
        start = time.perf_counter()
        rows = fill(rollups, first, args.days, args.agents)
        print(f"rollups: {rows:,} rows ({args.days} days x {rows // args.days} scopes) "
              f"written in {time.perf_counter() - start:.1f} s")
        quarter, month = period_of("quarter", date(2026, 10, 1)), period_of("month", last)
        one_day = Period("day", last, last)
        floor = timed(lambda: period_figures(rollups, "team:t3", one_day, compare=False),
                      args.runs)
        print(f"{'read':<48} {'median ms':>10} {'worst ms':>9}")
        print(f"{'floor: one day of one scope, no comparison':<48} {floor[0]:>10.2f} "
              f"{floor[1]:>9.2f}")
        for label, period in (("quarter + previous + last year (team)", quarter),
                              ("month + previous + last year (team)", month)):
            got = timed(lambda p=period: period_figures(rollups, "team:t3", p), args.runs)
            print(f"{label:<48} {got[0]:>10.2f} {got[1]:>9.2f}")
        site = timed(lambda: period_figures(rollups, "site", quarter), args.runs)
        print(f"{'quarter + previous + last year (site)':<48} {site[0]:>10.2f} {site[1]:>9.2f}")
        journal.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
