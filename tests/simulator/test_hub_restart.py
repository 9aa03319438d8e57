"""The simulator in a real hub: a hub restart resumes the simulation without double events."""

from __future__ import annotations

import asyncio

from panneau.hub.events import event_to_dict
from panneau.hub.server.app import Hub
from panneau.plugins.simulator import Simulation, SimulatorOptions, demo_config


def config(tmp_path, options: SimulatorOptions, speed: float):
    return demo_config(options=options, speed=speed, database=str(tmp_path / "hub.db"),
                       listen="127.0.0.1:0", http_listen="127.0.0.1:0")


async def run_until(hub: Hub, condition, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached in time")


async def test_hub_restart_continues_the_simulation_exactly(tmp_path):
    """The hub's clock 600× faster; restarted, it goes on from the journal's newest event
    (from the wall clock, the simulation would stand still until it caught up)."""
    options = SimulatorOptions(seed=5, scenario="lunch_peak", tick_s=0.05)
    cfg = config(tmp_path, options, speed=600.0)
    async with Hub(cfg) as hub:
        await run_until(hub, lambda: hub.journal.count_events("pbx") > 300)
        first = hub.journal.checkpoint("pbx")
    async with Hub(cfg) as hub:
        assert hub.clock() >= first["reached"]
        await run_until(hub, lambda: hub.journal.checkpoint("pbx")["reached"]
                        > first["reached"] + 300)
        last = hub.journal.checkpoint("pbx")  # no await until both are read: nothing written
        stored = list(hub.journal.events())
    assert last["origin"] == first["origin"] and last["wall_origin"] == first["wall_origin"]
    expected = Simulation(options, first["origin"], "pbx").advance(last["reached"])
    assert [int(e.source_pos) for e in stored] == list(range(1, len(expected) + 1))
    assert [event_to_dict(e) for e in stored] == [event_to_dict(e) for e in expected]
