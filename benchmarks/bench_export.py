"""Export of a 35-day, 500-agent KPI history: rows per second and peak memory.

    .venv/bin/python benchmarks/bench_export.py [--days 35] [--every-s 3600] [--calls 8000]

Builds the engine benchmark's 50 queues / 500 agents / 10 teams (``bench_engine``), takes one
snapshot and writes what the hub samples of it (``panneau.hub.server.history``: about 4,900
keys) every ``--every-s`` seconds for ``--days`` days into a real SQLite journal in a
temporary folder, with a thresholds file like a site's. Each measure then runs ``panneau
export`` in a fresh Python process (peak memory = that process's maximum resident set):

- floor: the same process reading every row of the period from SQLite and counting them;
- ``csv`` and ``xlsx`` of every sample, ``xlsx`` of the last sample of each day.

Seconds include starting Python and loading Panneau (about half a second); ``read/s`` is the
history rows of the period over those seconds (a day interval reads them all, writes few).

The hub samples every minute (``hub.history_interval_s = 60``): a 35-day history is then 60
times the rows of ``--every-s 3600``; the rate is per row, and the memory does not grow with
the rows (``constant_memory``: XlsxWriter streams each sheet to a temporary file).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_engine

from panneau.hub.engine import Engine
from panneau.hub.server.history import rows_of, take, windows_of
from panneau.hub.server.journal import Journal

DAY = 86400.0
#: Runs one command in a fresh process; prints ``<values> <seconds> <peak RSS KiB>`` (VmHWM).
RUNNER = """
import sqlite3, sys, time
start = time.perf_counter()
if sys.argv[1] == "floor":
    db = sqlite3.connect(sys.argv[2])
    cur = db.execute("SELECT ts, key, value FROM kpi_history ORDER BY ts, key")
    rows = 0
    while batch := cur.fetchmany(2000):
        for ts, key, value in batch:
            key.split("/", 2)
            rows += 1
else:
    import contextlib, io
    from panneau.hub.cli.main import main
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(sys.argv[1:]) == 0, err.getvalue()
    rows = int(err.getvalue().split()[1])
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(rows, time.perf_counter() - start, peak)
"""
CONFIG = """\
[hub]
database = "{db}"
timezone = "UTC"
{teams}
[[thresholds]]
kpi = "service_level_pct"
warn = 80.0
alert = 70.0

[[thresholds]]
kpi = "abandon_rate_pct"
warn = 5.0
alert = 10.0
"""


def build(folder: Path, days: int, every_s: float, calls: int) -> tuple[Path, int]:
    """The journal and config; returns (config path, rows written)."""
    config = bench_engine.config()
    engine = Engine(config)
    events = bench_engine.generate(calls, 3)
    for event in events:
        engine.apply(event)
    snap = engine.snapshot(max(e.ts for e in events))
    pairs = [(k, v) for k, v in rows_of(take(snap.values, windows_of(config)))
             if v is not None]
    db = folder / "hub.db"
    journal = Journal(db)
    start = bench_engine.START - days * DAY
    samples = int(days * DAY // every_s)
    for i in range(samples):
        journal.add_history(start + i * every_s, pairs)
    journal.close()
    teams = "".join(f'[[teams]]\nid = "{t.id}"\nqueues = {t.queues!r}\nagents = {t.agents!r}\n'
                    for t in config.teams).replace("'", '"')
    path = folder / "panneau.toml"
    path.write_text(CONFIG.format(db=db, teams=teams))
    return path, samples * len(pairs)


def measure(*argv: str) -> tuple[int, float, float]:
    """(rows, seconds, peak MiB) of one run in a fresh process."""
    out = subprocess.run([sys.executable, "-c", RUNNER, *argv], check=True,
                         capture_output=True, text=True).stdout.split()
    return int(out[0]), float(out[1]), int(out[2]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=35)
    parser.add_argument("--every-s", type=float, default=3600.0)
    parser.add_argument("--calls", type=int, default=8000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        config, rows = build(folder, args.days, args.every_s, args.calls)
        size = (folder / "hub.db").stat().st_size / 2**20
        print(f"{args.days} days x 500 agents, a sample every {args.every_s:g} s: {rows:,} "
              f"history rows, {size:,.0f} MiB journal (built in {time.perf_counter() - t0:.0f} s)")
        first = datetime.fromtimestamp(bench_engine.START - args.days * DAY, UTC)
        last = datetime.fromtimestamp(bench_engine.START, UTC)
        export = ["export", "--config", str(config), "--from", first.date().isoformat(),
                  "--to", last.date().isoformat(), "-o"]
        runs = [("floor (read rows)", ["floor", str(folder / "hub.db")], None),
                ("csv, every sample", [*export, str(folder / "x.csv")], folder / "x.csv"),
                ("xlsx, every sample", [*export, str(folder / "x.xlsx")], folder / "x.xlsx"),
                ("xlsx, day interval", [*export, str(folder / "d.xlsx"), "--interval", "day"],
                 folder / "d.xlsx")]
        print(f"{'':20} {'values':>11} {'seconds':>8} {'values/s':>10} {'read/s':>10} "
              f"{'peak MiB':>9} {'file MiB':>9}")
        for name, argv, out in runs:
            n, seconds, peak = measure(*argv)
            file_mib = out.stat().st_size / 2**20 if out else 0.0
            print(f"{name:20} {n:11,} {seconds:8.1f} {n / seconds:10,.0f} "
                  f"{rows / seconds:10,.0f} {peak:9.0f} {file_mib:9.1f}")


if __name__ == "__main__":
    main()
