"""The simulator as a source: registered like any plugin, paced by the clock, restartable."""

from __future__ import annotations

import pytest

import panneau.plugins.simulator as simulator
from panneau.hub.events import event_to_dict
from panneau.hub.plugins import collect_sources, make_plugin_manager
from panneau.hub.testing import ManualClock, RecordingContext, make_source, run_source
from panneau.plugins.simulator import Simulation, SimulatorOptions, SimulatorSource
from panneau.plugins.simulator.source import CHUNK_S

START = 1_767_261_600.0


def finished(ctx: RecordingContext) -> bool:
    return ctx.statuses[-1:] == [("live", "simulation finished")]


def test_registered_as_a_built_in():
    registry = collect_sources(make_plugin_manager(load_entry_points=False))
    assert registry.provider["simulator"] == "panneau.plugins.simulator"
    assert registry.specs["simulator"].options is SimulatorOptions


@pytest.mark.parametrize(("options", "message"), [
    ({"scenario": "storm"}, "options.scenario: expected one of 'day'"),
    ({"sped": 2}, "options.sped: unknown key"),
    ({"queues": [{"calls_per_hour": 3}]}, "options.queues[0].name: missing value"),
    ({"speed": 60}, "options.speed: the simulator follows the hub's clock: to play it at 60× "
                    "the wall clock's pace, speed the hub's clock up instead, 'clock_speed = 60' "
                    "under [hub]"),
    ({"speed": 0}, "to play it as fast as it can go, speed the hub's clock up instead, "
                   "'clock_speed = 3600' under [hub]"),
    ({"teams": [{"id": "x", "queues": ["nope"], "agents": ["a"]}]}, "team 'x': no queue 'nope'"),
    ({"timezone": "Mars/Olympus"}, "unknown timezone 'Mars/Olympus'"),
    ({"queues": [{"name": "q", "talk_median_s": 0}]}, "queue 'q': rates must be 0 or more"),
])
def test_bad_options_are_refused_with_a_clear_message(options, message):
    with pytest.raises(ValueError) as info:
        make_source(simulator, "simulator", options)
    assert message in str(info.value)


def started_at(start: float, seed: int, scenario: str = "day") -> dict:
    """The checkpoint of a simulation started at ``start`` on the hub's clock, nothing
    simulated yet."""
    return {"seed": seed, "scenario": scenario, "origin": start, "wall_origin": start,
            "reached": None}


async def test_a_clock_hours_ahead_is_caught_up_exactly_as_the_pure_simulation():
    """Hours of the hub's clock (a restart after a long stop, a demo's sped clock) are
    simulated at once, in chunks: the same events as in one go, none ahead of the clock."""
    options = {"start": START, "duration_s": 3 * 3600, "seed": 4, "scenario": "lunch_peak"}
    ctx = RecordingContext("pbx", started_at(START, 4, "lunch_peak"),
                           clock=ManualClock(START + 5 * 3600))
    await run_source(make_source(simulator, "simulator", options), ctx, until=finished)
    expected = Simulation(SimulatorOptions(**options), START, "pbx").advance(START + 3 * 3600)
    assert [event_to_dict(e) for e in ctx.events] == [event_to_dict(e) for e in expected]
    assert ctx.checkpoint["reached"] == START + 3 * 3600
    assert ctx.status == "live"
    assert len(ctx.batches) >= 3 * 3600 / CHUNK_S  # in chunks: the loop turns meanwhile


async def test_restart_from_checkpoint_does_not_duplicate_or_lose_events():
    options = SimulatorOptions(start=START, duration_s=4 * 3600, seed=9)
    first = RecordingContext("pbx", started_at(START, 9), clock=ManualClock(START + 4 * 3600))
    await run_source(SimulatorSource(options), first, until=lambda c: len(c.batches) >= 2)
    assert first.checkpoint["reached"] < START + 4 * 3600
    second = first.restarted()
    await run_source(SimulatorSource(options), second, until=finished)
    ids = [e.source_pos for e in first.events + second.events]
    assert len(ids) == len(set(ids))
    whole = Simulation(options, START, "pbx").advance(START + 4 * 3600)
    assert [event_to_dict(e) for e in first.events + second.events] == [
        event_to_dict(e) for e in whole]


async def test_a_changed_seed_starts_a_new_simulation():
    ctx = RecordingContext("pbx", {"seed": 1, "scenario": "day", "origin": START - 3600,
                                   "wall_origin": START - 3600, "reached": START})
    source = SimulatorSource(SimulatorOptions(seed=2, duration_s=600))
    await run_source(source, ctx, until=lambda c: c.checkpoints)
    assert ctx.checkpoint["origin"] == ctx.now() and ctx.checkpoint["seed"] == 2


async def test_real_time_pacing_follows_the_clock():
    clock = ManualClock(START)
    ctx = RecordingContext("pbx", clock=clock)
    source = SimulatorSource(SimulatorOptions(seed=1, scenario="lunch_peak", tick_s=0.01))
    await run_source(source, ctx, until=lambda c: (c.checkpoint or {}).get("reached", 0) >= START)
    assert ctx.checkpoint["reached"] == START  # the clock has not moved: nothing ahead of it
    assert ctx.events and all(START - 900 <= e.ts <= START for e in ctx.events)  # warm-up
    clock.advance(600)  # 10 wall seconds of a hub whose clock_speed is 60
    await run_source(SimulatorSource(source.options), ctx2 := ctx.restarted(),
                     until=lambda c: c.checkpoint["reached"] >= START + 600)
    assert ctx2.events and all(START < e.ts <= START + 600 for e in ctx2.events)


@pytest.mark.parametrize(("options", "status"), [
    ({"timezone": "Europe/Paris"},
     "a normal day following the hub's local clock (Europe/Paris)"),
    ({"clock_hour": 3.0},
     "a normal day (simulated local time 03:00 at the start, not the real clock)"),
    ({"scenario": "lunch_peak"},
     "lunch time: the busiest hour while agents take lunch (simulated local time 11:45 at "
     "the start, not the real clock)"),
    ({"scenario": "lunch_peak", "clock_hour": 3.0},
     "the lunch_peak scenario moved from 11:45 to 03:00 (simulated local time at the start, "
     "not the real clock)"),
    ({"scenario": "quiet_morning"},
     "opening time, few callers, agents trickling in (simulated local time 07:54 at the "
     "start, not the real clock)"),
])
async def test_the_status_says_the_time_the_simulator_plays(options, status):
    """``clock_hour`` set, the status said "a normal day following the real local clock"
    while the simulator played 03:00 whatever the real time."""
    ctx = RecordingContext("pbx", clock=ManualClock(START))
    await run_source(make_source(simulator, "simulator", {
        "start": START, "duration_s": 60, "warmup_s": 0, **options}), ctx,
        until=lambda c: bool(c.statuses))
    assert ctx.statuses[0] == ("live", status)


def test_config_check_names_what_the_simulator_would_refuse(tmp_path, capsys):
    """A percentage over 100 or a queue no team has passed ``config check`` (OK), then the
    hub's source went down at every restart: the same check now refuses the file."""
    from panneau.hub.cli.main import main

    config = tmp_path / "panneau.toml"
    config.write_text('[[sources]]\nname = "sim"\nplugin = "simulator"\n[sources.options]\n'
                      'transfer_pct = 150\nincident_queue = "nope"\n')
    assert main(["config", "check", str(config)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{config}:5: sources[0].options.transfer_pct: must be 0 to 100",
        f"{config}:6: sources[0].options.incident_queue: no queue 'nope'",
        "2 problems found"]


def test_config_check_moves_the_simulators_speed_to_the_hubs_clock(tmp_path, capsys):
    """``speed = 60`` played the simulator ahead of the hub's clock: its events were dated
    in the hub's future. Refused, with the fix, at the line."""
    from panneau.hub.cli.main import main

    config = tmp_path / "panneau.toml"
    config.write_text('[[sources]]\nname = "sim"\nplugin = "simulator"\n[sources.options]\n'
                      'speed = 60.0\n')
    assert main(["config", "check", str(config)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{config}:5: sources[0].options.speed: the simulator follows the hub's clock: to "
        "play it at 60× the wall clock's pace, speed the hub's clock up instead, 'clock_speed "
        "= 60' under [hub] (demos, trials and tests; at most 3600), or run 'panneau demo "
        "--speed 60'",
        "1 problem found"]
    config.write_text('[hub]\nclock_speed = 60.0\n[[sources]]\nname = "sim"\n'
                      'plugin = "simulator"\n')
    assert main(["config", "check", str(config)]) == 0
