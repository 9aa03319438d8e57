"""Scenarios: the incident pushes its queue past the demo thresholds within about a minute."""

from __future__ import annotations

import pytest

from panneau.plugins.simulator import Simulation, SimulatorOptions, demo_config

ORIGIN = 1_767_261_600.0


def waiting_over_time(options: SimulatorOptions, queue: str, seconds: int, step: int = 5):
    """(time after origin, calls waiting in ``queue``) sampled every ``step`` seconds."""
    sim = Simulation(options, ORIGIN)
    waiting: set[str] = set()
    samples = []
    for t in range(0, seconds + 1, step):
        for e in sim.advance(ORIGIN + t):
            if e.kind == "call_entered" and e.queue == queue:
                waiting.add(e.call_id)
            elif e.kind in ("call_answered", "call_abandoned", "call_left"):
                waiting.discard(e.call_id)
        samples.append((t, len(waiting)))
    return samples


def demo_threshold(kpi: str):
    return next(th for th in demo_config().thresholds if th.kpi == kpi and th.queue is None)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incident_blows_past_the_calls_waiting_alert_within_two_minutes(seed):
    alert = demo_threshold("calls_waiting").alert
    samples = waiting_over_time(SimulatorOptions(seed=seed, scenario="incident"), "support", 120)
    before = max(n for t, n in samples if t <= 20)
    assert before < alert
    crossed = next(t for t, n in samples if n >= alert)
    assert crossed <= 120


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_without_the_incident_the_queue_stays_below_alert(seed):
    alert = demo_threshold("calls_waiting").alert
    options = SimulatorOptions(seed=seed, scenario="incident", incident_after_s=10_000)
    assert max(n for _, n in waiting_over_time(options, "support", 120)) < alert


def test_incident_queue_option_moves_the_incident():
    options = SimulatorOptions(seed=1, scenario="incident", incident_queue="sales")
    alert = demo_threshold("calls_waiting").alert
    assert max(n for _, n in waiting_over_time(options, "sales", 180)) >= alert
    assert max(n for _, n in waiting_over_time(options, "support", 180)) < alert
