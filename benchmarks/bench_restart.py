"""Hub start-up with a large journal: full replay next to a saved engine state.

    .venv/bin/python benchmarks/bench_restart.py [--calls 50000] [--after 5000] [--seed 3]
        [--thresholds]

Journals the synthetic stream of ``bench_engine`` (50 queues, 500 agents; ``--calls`` calls,
some 200,000 events before the save) in a temporary SQLite file, then times ``Hub.start``
(journal opened, engine rebuilt, first snapshot, servers on 127.0.0.1 port 0) three times:

- full replay: no saved state (what every start did before ``panneau.hub.server.engine_state``);
- saved state: the state the previous stop saved, nothing to replay;
- saved state + later events: ``--after`` more calls journalled after the save.

Also prints the save: state size and packing time, and the time of the
stop that saves it; and checks the restored figures equal a full replay's.

The hub's clock reads a minute after the newest event. ``--thresholds`` adds the thresholds
of panneau.example.toml (SL, calls waiting, longest wait, abandon rate, for every scope): a
restart then judges them over the replayed events' last minutes (alerts in force printed).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import config as engine_config
from bench_engine import generate

from panneau.hub.config import Config, Threshold
from panneau.hub.engine import Engine
from panneau.hub.server.app import Hub
from panneau.hub.server.engine_state import dumps, loads
from panneau.hub.server.journal import Journal


def journal_events(path: str, events: list) -> None:
    journal = Journal(path)
    for i in range(0, len(events), 2000):
        journal.accept("sim", events[i:i + 2000], i, True, time.time())
    journal.close()


THRESHOLDS = [  # panneau.example.toml's
    Threshold(kpi="service_level_offered_pct", target=80.0, warn=75.0, alert=60.0,
              hysteresis=2.0),
    Threshold(kpi="calls_waiting", target=0.0, warn=3.0, alert=6.0, hysteresis=1.0),
    Threshold(kpi="longest_wait_s", warn=60.0, alert=120.0, hysteresis=10.0),
    Threshold(kpi="abandon_rate_pct", target=5.0, warn=8.0, alert=12.0, direction="lower"),
]
ALERTS: list[int] = []  # alerts in force after each start


async def start_stop(config: Config, now: float) -> tuple[float, int, dict, float]:
    """Seconds to start, events replayed, the flat figures at ``now``, seconds to stop."""
    start = time.perf_counter()
    hub = Hub(config, clock=lambda: now)
    await hub.start()
    took = time.perf_counter() - start
    ALERTS.append(len(hub.alerts))
    flat = loads(dumps(hub.engine), config).snapshot(now).flat()  # a copy: the saved engine
    # must not have seen ``now`` (a snapshot moves windows past later-journalled events)
    start = time.perf_counter()
    await hub.stop()
    return took, hub.replayed, flat, time.perf_counter() - start


def reference(events: list, config: Config, now: float) -> dict:
    engine = Engine(config)
    for e in events:
        engine.apply(e)
    return engine.snapshot(now).flat()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--after", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--thresholds", action="store_true",
                        help="with panneau.example.toml's thresholds")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    events = generate(args.calls + args.after, args.seed)
    events.sort(key=lambda e: e.ts)
    cut = len(events) * args.calls // (args.calls + args.after)
    now = max(e.ts for e in events) + 60.0
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.db")
        cfg = engine_config()
        cfg = replace(cfg, hub=replace(cfg.hub, database=path, listen="127.0.0.1:0",
                                       http_listen="127.0.0.1:0"),
                      thresholds=THRESHOLDS if args.thresholds else [])
        journal_events(path, events[:cut])
        full, n_full, flat_full, stop_s = await start_stop(cfg, now)
        # the stop above saved the state; time its parts once more on the same engine
        probe = Engine(cfg)
        for e in events[:cut]:
            probe.apply(e)
        probe.snapshot(now)
        t0 = time.perf_counter()
        blob = dumps(probe)
        pack_s = time.perf_counter() - t0
        saved, n_saved, flat_saved, _ = await start_stop(cfg, now)
        journal_events(path, events[cut:])
        later, n_later, flat_later, _ = await start_stop(cfg, now)
        ok = (flat_full == reference(events[:cut], cfg, now) == flat_saved
              and flat_later == reference(events, cfg, now))
    print(f"journal: {cut:,} events (+{len(events) - cut:,} after the save), "
          f"{args.calls + args.after:,} calls, 50 queues, 500 agents"
          + (", 4 thresholds" if args.thresholds else ""))
    print(f"{'start-up':<34}{'seconds':>9}{'replayed':>11}")
    print(f"{'full replay (no saved state)':<34}{full:>9.2f}{n_full:>11,}")
    print(f"{'saved state':<34}{saved:>9.2f}{n_saved:>11,}")
    print(f"{'saved state + later events':<34}{later:>9.2f}{n_later:>11,}")
    print(f"save: state {len(blob) / 2**20:.1f} MiB packed in {pack_s * 1000:.0f} ms; "
          f"stop with save {stop_s:.2f} s")
    print(f"restored figures equal a full replay's: {ok}")
    if args.thresholds:
        print("alerts in force after each start: " + ", ".join(map(str, ALERTS)))


if __name__ == "__main__":
    asyncio.run(main())
