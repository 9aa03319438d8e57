"""The figures of a generated stream, as JSON on stdout, from whichever engine this process runs.

    PANNEAU_ENGINE=pure|compiled python -m tests.engine_dump [CALLS] [SEED]

``tests/test_compiled_engine.py`` runs it once per engine and compares the two outputs. The
stream is ``benchmarks/bench_engine.py``'s (50 queues, 500 agents, rings, abandons, transfers,
pauses), applied in time order and also with a late part (the last tenth of each hour's
events held back and applied after the next hour's): the engine is advanced every 1,000 events
and the output holds every snapshot's figures, states, agents, alerts and bad events, and the
saved state at the end.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_engine import config, generate
from panneau.hub import compiled
from panneau.hub.engine import Engine


def _late(events: list) -> list:
    """The events with each hour's last tenth arriving after the next hour's events."""
    hours: dict[int, list] = {}
    for event in events:
        hours.setdefault(int(event.ts // 3600), []).append(event)
    out, held = [], []
    for hour in sorted(hours):
        part = hours[hour]
        cut = len(part) - len(part) // 10
        out += part[:cut] + held
        held = part[cut:]
    return out + held


def _snapshot(engine: Engine, at: float) -> dict:
    snap = engine.snapshot(at)
    return {"at": snap.at, "values": snap.values, "states": snap.states,
            "agents": {n: [a.state, a.since, a.reason, list(a.queues)]
                       for n, a in sorted(snap.agents.items())},
            "alerts": [a.as_dict() for a in snap.alerts],
            "active": sorted(snap.active_alerts), "bad": snap.bad_events}


def dump(calls: int, seed: int) -> dict:
    """Every snapshot's figures and the final saved state, in order then with late events."""
    events = generate(calls, seed)
    out: dict = {"engine": compiled.running()}
    for name, stream in (("in_order", events), ("late", _late(events))):
        engine, shots = Engine(config()), []
        latest = 0.0
        for i, event in enumerate(stream, 1):
            engine.apply(event)
            latest = max(latest, event.ts)
            if i % 1000 == 0:
                shots.append(_snapshot(engine, latest))
        shots.append(_snapshot(engine, latest + 3600))
        out[name] = {"snapshots": shots, "saved": engine.to_data()}
    return out


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    json.dump(dump(*(args + [2_000, 5][len(args):])), sys.stdout, sort_keys=True, default=repr)
