"""How fast the simulator generates events, next to the cost of the events themselves.

    .venv/bin/python benchmarks/bench_simulator.py

Baseline (same run): rebuilding the same number of event records from dicts, i.e. what merely
creating the events costs; and the KPI engine applying them, i.e. what the hub must keep up with.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from panneau.hub.config.schema import Config
from panneau.hub.engine import Engine
from panneau.hub.events import event_from_dict, event_to_dict
from panneau.plugins.simulator import Simulation, SimulatorOptions, demo_config

MIDNIGHT = 1_767_225_600.0


def timed(fn, *args):
    """``(seconds, result)`` of ``fn(*args)``."""
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def apply_all(engine: Engine, events: list) -> None:
    for event in events:
        engine.apply(event)


def main() -> None:
    cases = {
        "normal day (default centre)": SimulatorOptions(seed=1, warmup_s=0),
        "busy day (x10 calls, x10 agents)": SimulatorOptions(
            seed=1, warmup_s=0,
            queues=[replace(q, calls_per_hour=q.calls_per_hour * 10)
                    for q in SimulatorOptions().queues],
            teams=[replace(t, agents=[f"{a}{i}" for a in t.agents for i in range(10)])
                   for t in SimulatorOptions().teams]),
    }
    print(f"{'case':34} {'events':>8} {'simulate/s':>12} {'build-only/s':>13} {'engine/s':>10}")
    for label, options in cases.items():
        sim_s, events = timed(Simulation(options, MIDNIGHT, "pbx").advance, MIDNIGHT + 86_400)
        dicts = [event_to_dict(e) for e in events]
        build_s, _ = timed(lambda: [event_from_dict(x) for x in dicts])  # noqa: B023
        engine = Engine(demo_config(options=options) if options.teams else Config())
        engine_s, _ = timed(apply_all, engine, events)
        n = len(events)
        print(f"{label:34} {n:8d} {n / sim_s:12,.0f} {n / build_s:13,.0f} {n / engine_s:10,.0f}")


if __name__ == "__main__":
    main()
