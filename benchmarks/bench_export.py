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

Then the API (``GET /api/v1/kpis``, a real hub on 127.0.0.1 and an httpx client): a second
journal holds one day sampled every ``--api-every-s`` (60 s, as the hub does: 7 M rows at
500 agents); the median of 5 requests for a day of one team, by hour (one page) and every
sample (all pages of 10,000 rows, following ``next``), next to the floor of ``/healthz``.

The hub samples every minute (``hub.history_interval_s = 60``): a 35-day history is then 60
times the rows of ``--every-s 3600``; the rate is per row, and the memory does not grow with
the rows (``constant_memory``: XlsxWriter streams each sheet to a temporary file).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_engine
import httpx

from panneau.hub.config import load_config
from panneau.hub.engine import Engine
from panneau.hub.plugins import make_plugin_manager
from panneau.hub.server.app import Hub
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
API_TOML = """
[[tokens]]
role = "reporting"
token = "bench-reporting"
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


def build(folder: Path, days: int, every_s: float, calls: int, api_every_s: float
          ) -> tuple[Path, int]:
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
    write_day(folder / "api.db", pairs, api_every_s)
    teams = "".join(f'[[teams]]\nid = "{t.id}"\nqueues = {t.queues!r}\nagents = {t.agents!r}\n'
                    for t in config.teams).replace("'", '"')
    path = folder / "panneau.toml"
    path.write_text(CONFIG.format(db=db, teams=teams))
    (folder / "api.toml").write_text(CONFIG.format(db=folder / "api.db", teams=teams) + API_TOML)
    return path, samples * len(pairs)


async def api_times(folder: Path) -> list[tuple[str, int, int, float]]:
    """(what, pages, rows, median seconds) of the API measures on a running hub."""
    config = load_config(folder / "api.toml")
    day = datetime.fromtimestamp(bench_engine.START - DAY, UTC).date().isoformat()
    base = f"/api/v1/kpis?from={day}&to={day}&scope=team:t0"
    out = []
    async with Hub(config, pm=make_plugin_manager(load_entry_points=False)) as hub, \
            httpx.AsyncClient(base_url=hub.http_url, timeout=300,
                              headers={"Authorization": "Bearer bench-reporting"}) as client:
        for what, url in (("/healthz (floor)", "/healthz"),
                          ("team day, by hour", base + "&interval=hour"),
                          ("team day, every sample", base + "&interval=sample")):
            times = []
            for _ in range(5):
                t0, pages, rows, next_url = time.perf_counter(), 0, 0, url
                while next_url:
                    response = await client.get(next_url)
                    response.raise_for_status()
                    body = response.json()
                    pages += 1
                    rows += len(body.get("data", ()))
                    next_url = body.get("next")
                times.append(time.perf_counter() - t0)
            out.append((what, pages, rows, statistics.median(times)))
    return out


def write_day(db: Path, pairs: list, every_s: float) -> None:
    """One working day of samples every ``every_s`` (the day before START)."""
    journal = Journal(db)
    day = bench_engine.START - DAY
    for i in range(int(DAY // every_s)):
        journal.add_history(day + i * every_s, pairs)
    journal.close()


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
    parser.add_argument("--api-every-s", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        config, rows = build(folder, args.days, args.every_s, args.calls, args.api_every_s)
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
        api_rows = (folder / "api.db").stat().st_size / 2**20
        print(f"\nAPI: one day sampled every {args.api_every_s:g} s ({api_rows:,.0f} MiB journal)"
              f", median of 5")
        print(f"{'':24} {'pages':>6} {'rows':>8} {'ms':>9}")
        for what, pages, n, seconds in asyncio.run(api_times(folder)):
            print(f"{what:24} {pages:6} {n:8,} {seconds * 1e3:9.1f}")


if __name__ == "__main__":
    main()
