"""The simulator through the real KPI engine: a believable day, and an incident that alerts."""

from __future__ import annotations

import pytest

import panneau.plugins.simulator as simulator
from panneau.hub.config.load import build_source_options
from panneau.hub.testing import snapshot, source_spec
from panneau.plugins.simulator import Simulation, SimulatorOptions, demo_config
from panneau.plugins.simulator.scenarios import day_factor

MIDNIGHT = 1_767_225_600.0  # 2026-01-01 00:00 UTC


@pytest.fixture(scope="module")
def day():
    options = SimulatorOptions(seed=21, scenario="day", timezone="UTC", warmup_s=0.0)
    events = Simulation(options, MIDNIGHT, "pbx").advance(MIDNIGHT + 86_399)
    snap = snapshot(events, config=demo_config(options=options), at=MIDNIGHT + 86_399)
    return options, snap


def test_a_simulated_day_has_no_bad_events(day):
    _, snap = day
    assert snap.bad_events == {}


def test_a_simulated_day_gives_figures_in_range(day):
    options, snap = day
    today = snap.values["site"]["today"]
    hours = sum(day_factor(m / 60) for m in range(24 * 60)) / 60
    expected = sum(q.calls_per_hour for q in options.queues) * hours
    assert 0.85 * expected < today["offered"] < 1.4 * expected
    assert 70 <= today["service_level_pct"] <= 100
    assert today["abandon_rate_pct"] < 15
    assert 2 < today["transfer_rate_pct"] < 12
    assert 150 < today["aht_s"] < 300  # talk medians 150-200 s, skewed, plus wrap-up
    assert 20 < today["occupancy_pct"] < 95
    assert 60 < today["fcr_pct"] < 100
    assert 50 < today["csat_pct"] < 95 and -20 < today["nps"] < 80
    tickets = sum(t.tickets_per_hour for t in options.teams)
    assert 0.4 * tickets * hours < today["tickets_created"] < 24 * tickets
    assert today["tickets_solved"] > 0.5 * today["tickets_created"]
    for queue in options.queues:
        assert snap.values[f"queue:{queue.name}"]["today"]["answered"] > 0
    for team in options.teams:
        if team.tickets_per_hour > 0:  # the first level: the expert team's answers are few
            assert snap.values[f"team:{team.id}"]["today"]["csat_pct"] > 0


def test_the_incident_turns_the_demo_queue_to_alert_within_two_minutes():
    config = demo_config()
    options = SimulatorOptions(seed=1, scenario="incident")
    origin = 1_767_261_600.0
    sim = Simulation(options, origin, "pbx")
    events = sim.advance(origin + 15)
    start = snapshot(events, config=config, at=origin + 15)
    assert start.states["queue:support"]["now"]["calls_waiting"] == "ok"
    events += sim.advance(origin + 120)
    later = snapshot(events, config=config, at=origin + 120)
    assert later.states["queue:support"]["now"]["calls_waiting"] == "alert"
    assert "queue:support/now/calls_waiting" in {a.key for a in later.alerts}



def test_the_default_demo_changes_colour_within_a_minute():
    config, origin = demo_config(), 1_767_261_600.0
    spec = source_spec(simulator, "simulator")
    options = build_source_options(spec, config.sources[0].options)  # what the demo runs
    sim = Simulation(options, origin, "pbx")
    events = sim.advance(origin + 10)
    assert snapshot(events, config=config, at=origin + 10).states["team:support"]["now"][
        "calls_waiting"] == "ok"
    events += sim.advance(origin + 60)
    assert snapshot(events, config=config, at=origin + 60).states["team:support"]["now"][
        "calls_waiting"] in ("warn", "alert")
