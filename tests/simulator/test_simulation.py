"""The pure generator: deterministic for a seed, believable, within its configured ranges."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict

import pytest

from panneau.hub.events import event_from_dict, event_to_dict
from panneau.plugins.simulator import Simulation, SimulatorOptions
from panneau.plugins.simulator.scenarios import SimClock, day_factor

ORIGIN = 1_767_261_600.0  # 2026-01-01 10:00 UTC
DAY = 86_400.0


def run(options: SimulatorOptions, seconds: float, steps: int = 1):
    sim = Simulation(options, ORIGIN, "pbx")
    out = []
    for i in range(1, steps + 1):
        out += sim.advance(ORIGIN + seconds * i / steps)
    return out


def dicts(events):
    return [event_to_dict(e) for e in events]


def test_same_seed_same_events_however_time_is_cut():
    opts = SimulatorOptions(seed=7, scenario="lunch_peak")
    whole = run(opts, 7200)
    assert len(whole) > 500
    assert dicts(run(opts, 7200, steps=97)) == dicts(whole)
    assert dicts(run(SimulatorOptions(seed=7, scenario="lunch_peak"), 7200)) == dicts(whole)


def test_different_seed_different_events():
    a = run(SimulatorOptions(seed=1, scenario="lunch_peak"), 3600)
    b = run(SimulatorOptions(seed=2, scenario="lunch_peak"), 3600)
    assert dicts(a) != dicts(b)


def test_events_are_ordered_positioned_and_round_trip():
    events = run(SimulatorOptions(seed=3, scenario="incident"), 3600)
    assert [e.ts for e in events] == sorted(e.ts for e in events)
    assert [int(e.source_pos) for e in events] == list(range(1, len(events) + 1))
    assert {e.source for e in events} == {"pbx"}
    assert all(event_from_dict(event_to_dict(e)) == e for e in events)
    kinds = {e.kind for e in events}
    assert kinds >= {"call_entered", "agent_rung", "call_answered", "call_ended",
                     "call_abandoned", "agent_logged_in", "agent_paused", "agent_unpaused",
                     "ticket_created", "ticket_replied", "survey_response"}


@pytest.fixture(scope="module")
def whole_day():
    """A normal working day from midnight to midnight, local clock anchored at 00:00."""
    opts = SimulatorOptions(seed=11, scenario="day", clock_hour=0.0, warmup_s=0.0)
    return opts, run(opts, DAY, steps=24)


def test_call_lifecycle_is_consistent(whole_day):
    opts, events = whole_day
    level2 = {q.escalate_to for q in opts.queues} & {q.name for q in opts.queues}
    outcome: dict[str, str] = {}
    entered = set()
    transferred = set()
    for e in events:
        if e.kind == "call_entered":
            if e.call_id in entered:  # only an escalation into the second level, at once
                assert e.call_id in transferred and e.queue in level2
                transferred.discard(e.call_id)
            entered.add(e.call_id)
        elif e.kind in ("call_answered", "call_abandoned", "call_left"):
            assert e.call_id in entered and e.call_id not in outcome
            outcome[e.call_id] = e.kind
        elif e.kind == "call_ended":
            assert outcome.pop(e.call_id) == "call_answered"
            if e.ended_by == "transfer":
                transferred.add(e.call_id)
    assert not [c for c, k in outcome.items() if k == "call_answered"], "calls never ended"


def test_agents_are_rung_only_when_logged_in_and_free(whole_day):
    _, events = whole_day
    logged: dict[str, set] = defaultdict(set)
    paused: set[str] = set()
    on_call: set[str] = set()
    for e in events:
        if e.kind == "agent_logged_in":
            logged[e.agent].add(e.queue)
        elif e.kind == "agent_logged_out":
            logged[e.agent].discard(e.queue)
        elif e.kind == "agent_paused":
            paused.add(e.agent)
        elif e.kind == "agent_unpaused":
            paused.discard(e.agent)
        elif e.kind == "agent_rung":
            assert e.queue in logged[e.agent] and e.agent not in paused | on_call
        elif e.kind == "call_answered":
            on_call.add(e.agent)
        elif e.kind == "call_ended":
            on_call.discard(e.agent)


def test_figures_stay_within_configured_ranges(whole_day):
    opts, events = whole_day
    by_kind = defaultdict(list)
    for e in events:
        by_kind[e.kind].append(e)
    for q in opts.queues:
        # arrivals: the integral of the day curve times the rate (plus transfers and callbacks)
        expected = q.calls_per_hour * sum(day_factor(m / 60) for m in range(24 * 60)) / 60
        offered = sum(1 for e in by_kind["call_entered"] if e.queue == q.name)
        if q.calls_per_hour:
            assert 0.8 * expected < offered < 1.5 * expected, (q.name, offered, expected)
        else:  # the second level: only calls escalated into it, a few percent of the answered
            assert 0.01 < offered / len(by_kind["call_answered"]) < 0.06
        talks = [e.talk_s for e in by_kind["call_ended"] if e.queue == q.name]
        assert 0.75 * q.talk_median_s < statistics.median(talks) < 1.25 * q.talk_median_s
        assert all(e.wait_s < q.timeout_s for e in by_kind["call_abandoned"] if e.queue == q.name)
    hour = SimClock(ORIGIN, 0.0).hour
    assert all(7.5 <= hour(e.ts) < 19.0 for e in by_kind["call_entered"])
    answered, abandoned = len(by_kind["call_answered"]), len(by_kind["call_abandoned"])
    assert abandoned / (answered + abandoned) < 0.2
    transfers = sum(1 for e in by_kind["call_ended"] if e.ended_by == "transfer")
    assert 0.02 < transfers / len(by_kind["call_ended"]) < 0.12
    callers = Counter(e.caller_id for e in by_kind["call_entered"])
    assert any(n > 1 for n in callers.values()), "no repeat caller"
    for r in by_kind["survey_response"]:
        assert r.scale_min <= r.score <= r.scale_max
        assert r.agent if r.about == "interaction" else r.queue and not r.agent
    reasons = {e.reason for e in by_kind["agent_paused"]}
    assert {"Wrap-up", "Lunch", "Break"} <= reasons
    channels = {e.channel for e in by_kind["ticket_created"]}
    assert len(channels) >= 3
    assert by_kind["ticket_solved"] and by_kind["ticket_reopened"]
    assert 0 < len(by_kind["ticket_sla_breached"]) < 0.3 * len(by_kind["ticket_created"])


def test_quiet_morning_is_quieter_than_lunch_peak():
    quiet = run(SimulatorOptions(seed=5, scenario="quiet_morning"), 3600)
    peak = run(SimulatorOptions(seed=5, scenario="lunch_peak"), 3600)
    count = Counter(e.kind for e in quiet)["call_entered"]
    assert count * 2 < Counter(e.kind for e in peak)["call_entered"]
