"""A restored engine fed the journal's tail has a full replay's figures exactly (``==``, not
close): summed durations lie on a grid where float sums do not depend on their order
(panneau.hub.engine.exact).

The stream is ``benchmarks/bench_engine.py``'s (50 queues, 500 agents). The restored side does
what a hub does: replays in chunks, advances at each chunk's last event as ticks do, and is saved
(msgpack, as the hub stores it) and loaded at some of them.
"""

from __future__ import annotations

import math
import random

from benchmarks.bench_engine import config, generate
from panneau.hub.engine import Engine
from panneau.hub.engine.exact import GRID_S, exact
from panneau.hub.server.engine_state import dumps, loads


def test_restored_and_ticked_equals_a_full_replay_exactly():
    cfg = config()
    events = generate(6000, 5)
    now = events[-1].ts + 60.0
    reference = Engine(cfg)
    reference.apply_all(events)
    expected = reference.snapshot(now)
    engine, chunk = Engine(cfg), 1500
    for i in range(0, len(events), chunk):
        part = events[i:i + chunk]
        engine.apply_all(part)
        engine.snapshot(part[-1].ts)  # a tick
        if i // chunk % 2 == 0:  # saved and restored, as at a hub's stop and start
            engine = loads(dumps(engine), cfg)
    got, want = engine.snapshot(now).flat(), expected.flat()
    assert want["site/60m/asa_s"] > 0 and got.keys() == want.keys()
    differ = {k: (v, want[k]) for k, v in got.items() if v != want[k]}
    assert not differ, f"{len(differ)} figures differ, e.g. {list(differ.items())[:3]}"
    assert engine.query().agents == expected.agents


def test_exact_puts_a_duration_on_the_grid_and_sums_no_longer_depend_on_order():
    rng = random.Random(7)
    waits = [exact(rng.expovariate(1 / 25)) for _ in range(5000)]
    assert all((w / GRID_S).is_integer() for w in waits)
    assert all(abs(exact(w) - w) == 0 for w in waits)
    assert exact(0.1) == round(0.1 / GRID_S) * GRID_S and abs(exact(0.1) - 0.1) <= GRID_S / 2
    assert exact(12.5) == 12.5 and exact(0.0) == 0.0
    total = sum(waits)
    assert total == math.fsum(waits)  # every partial sum exact: the float sum is the true sum
    for _ in range(5):
        rng.shuffle(waits)
        assert sum(waits) == total
