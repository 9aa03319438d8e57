"""KPI history cost at 500 agents: one sample a minute and its refs, next to the naive way.

    .venv/bin/python benchmarks/bench_history.py [--calls 20000] [--samples 30]

Builds the engine benchmark's 50 queues / 500 agents / 10 teams day (``bench_engine``), then,
with a real SQLite journal in a temporary folder already holding a day and a week ago of
``--samples`` minutes each, times per sample:

- ``History.sample``: the site/team/queue figures and the agents' ``today`` window in one
  ``executemany``, then trends and refs (kiosk page KPIs, and 7 own KPIs per agent) from
  two batched queries;
- baseline, same journal, same snapshot: every figure of the snapshot through sqlite-utils'
  ``insert_all`` and one ``value_near`` query per ref key and reference time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_engine

from hub.engine import Engine
from hub.server.history import DAY, History
from hub.server.journal import Journal


def naive(journal: Journal, history: History, now: float, snap) -> None:
    """The way before: every figure, sqlite-utils inserts, one query per ref."""
    rows = [{"ts": now, "key": k, "value": float(v)} for k, v in snap.flat().items()
            if v is not None]
    with journal.db.atomic():
        journal.db["kpi_history"].insert_all(rows, replace=True)
    for key in history.refs:
        journal.value_near(key, now - DAY, 1.5 * history.interval)
        journal.value_near(key, now - 7 * DAY, 1.5 * history.interval)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    config = bench_engine.config()
    engine = Engine(config)
    events = bench_engine.generate(args.calls, 3)
    for event in events:
        engine.apply(event)
    now = max(e.ts for e in events)
    snap = engine.snapshot(now)
    with tempfile.TemporaryDirectory() as folder:
        journal = Journal(Path(folder) / "bench.db")
        history = History(journal, config)
        for back in (DAY, 7 * DAY):  # what yesterday and last week left in the journal
            for i in range(args.samples):
                history.sample(now - back + 60 * i, snap)
        ours, base = [], []
        for i in range(args.samples):
            t0 = time.perf_counter()
            rows = history.sample(now + 60 * i, snap)
            ours.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            naive(journal, history, now + 60 * i + 30, snap)
            base.append(time.perf_counter() - t0)
        agent_refs = sum(k.startswith("agent:") for k in history.refs)
        size = (Path(folder) / "bench.db").stat().st_size
        journal.close()
    flat = snap.flat()
    print(f"snapshot: {len(flat):,} figures, {len(snap.agents)} agents; "
          f"journal {size / 2**20:.0f} MiB after {4 * args.samples} samples")
    print(f"History.sample : {rows:6,} rows + {len(history.refs):,} refs "
          f"({agent_refs:,} of agents)   median {statistics.median(ours) * 1e3:7.1f} ms, "
          f"max {max(ours) * 1e3:7.1f} ms")
    print(f"baseline naive : {len(flat):6,} rows + {len(history.refs):,} refs "
          f"(per-key queries)   median {statistics.median(base) * 1e3:7.1f} ms, "
          f"max {max(base) * 1e3:7.1f} ms")


if __name__ == "__main__":
    main()
