"""The hub's garbage-collector policy: start-up frozen, full collections only after a tick
when due, Python's own settings back when the last hub stops."""

from __future__ import annotations

import gc

from panneau.hub.server.gcpolicy import GcPolicy


def full_collections() -> int:
    return gc.get_stats()[2]["collections"]


def test_full_collections_run_when_due_and_settings_come_back():
    before = gc.get_threshold()
    now = [0.0]
    first, second = GcPolicy(every_s=300, clock=lambda: now[0]), GcPolicy(every_s=300)
    first.start()
    try:
        assert gc.get_threshold()[:2] == before[:2]
        assert gc.get_threshold()[2] > 10**6  # Python's own growth rule never fires
        assert gc.get_freeze_count() > 0  # start-up's objects are not walked again
        second.start()
        count = full_collections()
        now[0] = 299.0
        assert not first.after_tick()
        assert full_collections() == count
        now[0] = 300.0
        assert first.after_tick()
        assert full_collections() == count + 1
        assert not first.after_tick()  # the next one is 300 s later
        first.stop()
        assert gc.get_threshold()[2] > 10**6  # another hub still runs
    finally:
        first.stop()
        second.stop()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


async def test_a_hub_gives_the_collector_back_when_it_stops(tmp_path):
    from panneau.hub.config.schema import Config, HubSettings
    from panneau.hub.plugins import make_plugin_manager
    from panneau.hub.server.app import Hub

    before = gc.get_threshold()
    config = Config(hub=HubSettings(listen="127.0.0.1:0", http_listen="127.0.0.1:0",
                                    database=str(tmp_path / "hub.db")))
    async with Hub(config, pm=make_plugin_manager(load_entry_points=False)):
        assert gc.get_threshold()[2] > 10**6
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_no_collection_while_a_tick_runs_only_after_it():
    policy = GcPolicy(every_s=300)
    assert gc.isenabled()
    with policy.tick():  # not started: Python's own way
        assert gc.isenabled()
    policy.start()
    try:
        with policy.tick():
            assert not gc.isenabled()
        assert gc.isenabled()
        gc.disable()  # held by someone else (another hub's tick): left to them
        try:
            with policy.tick():
                assert not gc.isenabled()
            assert not gc.isenabled()
        finally:
            gc.enable()
    finally:
        policy.stop()


async def test_a_running_hub_takes_young_collections_between_its_ticks(start_hub, tools):
    """With young collections due every few allocations, a hub publishing a stream of calls
    collects often, and never inside a publish tick."""
    saved, seen, inside = gc.get_threshold(), [], [False]

    def note(phase, info):
        if phase == "start":
            seen.append(inside[0])

    gc.set_threshold(50, 2, saved[2])
    gc.callbacks.append(note)
    try:
        async with start_hub(feed={"count": 0, "interval_s": 0.005}) as hub:
            tick, ticks = hub.tick, [0]

            def traced_tick():
                inside[0] = True
                try:
                    return tick()
                finally:
                    inside[0] = False
                    ticks[0] += 1

            hub.tick = traced_tick
            await tools.eventually(lambda: ticks[0] >= 20 and len(seen) >= 20,
                                   what="20 ticks and 20 collections")
            hub.tick = tick
    finally:
        gc.callbacks.remove(note)
        gc.set_threshold(*saved)
    assert not any(seen), f"{sum(seen)} of {len(seen)} collections inside a tick"
