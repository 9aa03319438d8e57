"""The helpdesk and survey figures the simulator feeds: escalations to level 2, pending tickets,
tickets per agent, CSAT after a contact and about the relationship, surveys sent and the
response rate — non-empty and sane through a real engine and a real hub."""

from __future__ import annotations

import pytest

import panneau.plugins.simulator as simulator
from panneau.hub.config.load import build_source_options
from panneau.hub.testing import snapshot, source_spec
from panneau.plugins.simulator import Simulation, SimulatorOptions, demo_config
from panneau.plugins.simulator.command import demo_hub
from panneau.plugins.simulator.source import check_options
from tests.hub.conftest import eventually

ORIGIN = 1_767_261_600.0  # 2026-01-01 10:00 UTC
MIDNIGHT = 1_767_225_600.0

#: Present within the demo's first minutes (the warm-up and the carried backlog feed them).
AT_ONCE = ("tickets_pending", "tickets_per_agent", "csat_interaction_pct",
           "csat_relationship_pct", "surveys_sent", "survey_response_rate_pct", "escalations")


def demo_options():
    config = demo_config()
    return config, build_source_options(source_spec(simulator, "simulator"),
                                        config.sources[0].options)


def sane(today: dict) -> None:
    """The figures are within their ranges and agree with each other."""
    assert 0 < today["tickets_pending"] <= today["backlog"]
    assert 0 < today["tickets_per_agent"] <= today["tickets_solved"]
    for kpi in ("csat_interaction_pct", "csat_relationship_pct", "survey_response_rate_pct"):
        assert 0 <= today[kpi] <= 100, kpi
    assert today["csat_interaction_responses"] + today["csat_relationship_responses"] \
        == today["csat_responses"]
    assert today["surveys_sent"] >= today["survey_responses"] * 0.5


def test_the_demo_config_names_the_second_level_the_simulator_escalates_to():
    config, options = demo_options()
    assert config.kpi.level2_queues == ["expert"]
    assert config.kpi.level2_transfer_targets == ["8002@from-internal"]
    assert config.kpi.level2_groups == ["Level 2"]
    assert "expert" in {t.id for t in config.teams}
    check_options(options)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_demo_shows_them_within_ten_minutes(seed):
    config, options = demo_options()
    options.seed = seed
    sim = Simulation(options, ORIGIN, "pbx")
    events = sim.advance(ORIGIN + 600)
    snap = snapshot(events, config=config, at=ORIGIN + 600)
    assert snap.bad_events == {}
    today = snap.values["site"]["today"]
    assert all(kpi in today for kpi in AT_ONCE), [k for k in AT_ONCE if k not in today]
    sane(today)


def test_a_day_escalates_calls_both_ways_and_tickets():
    options = SimulatorOptions(seed=21, scenario="day", timezone="UTC", warmup_s=0.0)
    events = Simulation(options, MIDNIGHT, "pbx").advance(MIDNIGHT + 86_399)
    config = demo_config(options=options)
    snap = snapshot(events, config=config, at=MIDNIGHT + 86_399)
    today = snap.values["site"]["today"]
    sane(today)
    assert 1 < today["call_escalation_pct"] < 10  # half the ~6 % transferred
    assert 0 < today["ticket_escalation_pct"] < 25  # ticket_escalation_pct is 10, of support's
    # into the level-2 queue under the same call id, and blind to the sales manager's phone
    assert snap.values["queue:support"]["today"]["escalations"] > 0
    assert snap.values["queue:sales"]["today"]["escalations"] > 0
    assert any(e.kind == "call_ended" and e.transfer_to == "8002@from-internal" for e in events)
    assert snap.values["team:expert"]["today"]["tickets_solved"] > 0
    assert 10 < today["survey_response_rate_pct"] < 40  # survey_response_pct is 25
    assert today["csat_relationship_responses"] >= 10


def test_without_a_second_level_nothing_is_escalated():
    options = SimulatorOptions(seed=21, scenario="day", warmup_s=0.0)
    for q in options.queues:
        q.escalate_to = None
    for t in options.teams:
        t.escalate_to = None
    events = Simulation(options, MIDNIGHT, "pbx").advance(MIDNIGHT + 86_399)
    entered = [e.call_id for e in events if e.kind == "call_entered"]
    assert len(entered) == len(set(entered))  # no call goes on into another queue
    assert not any(e.kind == "call_ended" and e.transfer_to for e in events)
    assert not any(e.kind == "ticket_updated" and e.group == "Level 2" for e in events)


@pytest.mark.parametrize(("change", "message"), [
    ({"survey_pct": 30.0, "survey_response_pct": 20.0}, "cannot exceed survey_response_pct"),
    ({"escalation_pct": 120.0}, "escalation_pct: must be 0 to 100"),
    ({"carried_backlog_h": -1.0}, "carried_backlog_h: must be 0 or more"),
])
def test_bad_survey_and_escalation_options_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        SimulatorOptions(**change)


def test_a_team_escalating_to_an_unknown_group_is_refused():
    options = SimulatorOptions()
    options.teams[0].escalate_to = "Level 3"
    with pytest.raises(ValueError, match="'Level 3' is no other team's group"):
        check_options(options)


async def test_a_running_demo_hub_gives_them(tmp_path):
    """The demo hub (simulator source, engine, history) at 120× shows every figure, an
    escalation among them, within about a simulated half hour."""
    async with demo_hub(tmp_path, speed=120.0) as hub:
        def today() -> dict:
            return hub.engine.query().values.get("site", {}).get("today", {})

        await eventually(lambda: all(k in today() for k in AT_ONCE)
                         and today()["escalations"] >= 1,
                         timeout=60, what="every figure and an escalation")
        sane(today())
        assert 0 < today()["call_escalation_pct"] <= 100
        assert hub.engine.query().bad_events == {}
