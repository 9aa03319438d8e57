"""Agent states, time in state, the ``now`` counts and occupancy."""

from __future__ import annotations

import json

import pytest

from panneau.hub import events as ev
from panneau.hub.config import Config, HubSettings, QueueSettings
from panneau.hub.config.schema import ClusterSettings
from panneau.hub.engine import Engine
from tests.engine.conftest import T0, make_config


def shift(pause_reason: str) -> list[ev.Event]:
    """A logs in at T0, answers at +60, talks to +120, pauses +120..+180."""
    return [
        ev.AgentLoggedIn(ts=T0, agent="A", queue="q"),
        ev.CallEntered(ts=T0 + 55, call_id="c", queue="q"),
        ev.CallAnswered(ts=T0 + 60, call_id="c", queue="q", agent="A", hold_s=5),
        ev.CallEnded(ts=T0 + 120, call_id="c", queue="q", agent="A", hold_s=5, talk_s=60,
                     ended_by="agent"),
        ev.AgentPaused(ts=T0 + 120, agent="A", queue="q", reason=pause_reason),
        ev.AgentUnpaused(ts=T0 + 180, agent="A", queue="q"),
    ]


def test_occupancy_excludes_pauses(run):
    snap = run(shift("Lunch"), T0 + 240)
    # work: 60 available + 60 on call + 60 available; busy: 60 on call
    assert snap.get("agent:A", "today", "occupancy_pct") == pytest.approx(100 / 3)
    assert snap.get("team:t", "today", "occupancy_pct") == pytest.approx(100 / 3)
    assert snap.get("queue:q", "today", "occupancy_pct") == pytest.approx(100 / 3)
    assert snap.get("agent:A", "today", "acw_s") == 0.0


def test_wrapup_pause_is_after_call_work(run):
    snap = run(shift("ACW"), T0 + 240)
    assert snap.get("agent:A", "today", "occupancy_pct") == pytest.approx(50.0)
    assert snap.get("queue:q", "today", "acw_s") == 60.0
    assert snap.get("queue:q", "today", "aht_s") == 120.0


def test_occupancy_counts_up_to_the_current_minute(run):
    # at +239 the minute +180..+240 has not finished: only 0..180 counts
    snap = run(shift("Lunch"), T0 + 239)
    assert snap.get("agent:A", "today", "occupancy_pct") == pytest.approx(50.0)


@pytest.mark.parametrize("at, state, since, reason", [
    (T0 + 30, "available", T0, None),
    (T0 + 90, "on_call", T0 + 60, None),
    (T0 + 150, "paused", T0 + 120, "Lunch"),
    (T0 + 200, "available", T0 + 180, None),
])
def test_agent_state_and_since(run, at, state, since, reason):
    events = [e for e in shift("Lunch") if e.ts <= at]
    snap = run(events, at)
    agent = snap.agents["A"]
    assert (agent.state, agent.since, agent.reason, agent.queues) == (state, since, reason,
                                                                      ("q",))


def test_now_counts(run):
    events = [
        ev.AgentLoggedIn(ts=T0, agent="A", queue="q"),
        ev.AgentLoggedIn(ts=T0, agent="B", queue="q"),
        ev.AgentLoggedIn(ts=T0, agent="C", queue="s"),
        ev.AgentLoggedIn(ts=T0, agent="D", queue="q"),
        ev.AgentLoggedOut(ts=T0 + 1, agent="D"),
        ev.AgentPaused(ts=T0 + 2, agent="B", reason="Lunch"),
        ev.CallEntered(ts=T0 + 3, call_id="c", queue="s"),
        ev.AgentRung(ts=T0 + 4, call_id="c", queue="s", agent="C"),
    ]
    snap = run(events, T0 + 5)
    site = snap.values["site"]["now"]
    assert (site["agents_logged_in"], site["agents_available"], site["agents_paused"],
            site["agents_ringing"], site["agents_on_call"]) == (3, 1, 1, 1, 0)
    team = snap.values["team:t"]["now"]
    assert (team["agents_logged_in"], team["agents_available"], team["agents_paused"]) == (
        2, 1, 1)
    assert snap.values["queue:s"]["now"]["agents_ringing"] == 1
    assert snap.paused_reasons["team:t"] == {"Lunch": 1}
    assert snap.agents["D"].state == "logged_out"
    events.append(ev.CallAnswered(ts=T0 + 6, call_id="c", queue="s", agent="C", hold_s=3))
    snap = run(events, T0 + 7)
    assert snap.values["queue:s"]["now"]["agents_on_call"] == 1
    assert snap.agents["C"].since == T0 + 6


def test_wrapup_timer_then_available(run):
    events = shift("Lunch")[:4]
    snap = run(events, T0 + 122, wrapup_s=10)
    assert snap.agents["A"].state == "wrapup"
    snap = run(events, T0 + 140, wrapup_s=10)
    assert (snap.agents["A"].state, snap.agents["A"].since) == ("available", T0 + 130)


def test_pause_in_one_queue_only(run):
    events = [ev.AgentLoggedIn(ts=T0, agent="A", queue="q"),
              ev.AgentLoggedIn(ts=T0, agent="A", queue="s"),
              ev.AgentPaused(ts=T0 + 1, agent="A", queue="s", reason="Training")]
    snap = run(events, T0 + 2)
    assert snap.agents["A"].state == "available"
    assert snap.values["queue:s"]["now"]["agents_paused"] == 1
    assert snap.values["queue:q"]["now"]["agents_available"] == 1


def test_device_status(run):
    events = [ev.AgentStatus(ts=T0, agent="A", queue="q", state="on_call"),
              ev.AgentStatus(ts=T0, agent="B", queue="q", state="unavailable")]
    snap = run(events, T0 + 1)
    assert snap.agents["A"].state == "on_call"
    assert snap.agents["B"].state == "logged_out"


def test_device_status_pauses(run):
    events = [ev.AgentStatus(ts=T0, agent="A", queue="q", state="available"),
              ev.AgentStatus(ts=T0 + 1, agent="A", queue="q", state="available", paused=True,
                             reason="Break")]
    snap = run(events, T0 + 2)
    assert (snap.agents["A"].state, snap.agents["A"].reason) == ("paused", "Break")
    events.append(ev.AgentStatus(ts=T0 + 3, agent="A", queue="q", state="available",
                                 paused=False))
    assert run(events, T0 + 4).agents["A"].state == "available"


def test_transfer_to_another_agent_frees_the_holder(run):
    events = [ev.CallEntered(ts=T0, call_id="c", queue="q"),
              ev.CallAnswered(ts=T0 + 2, call_id="c", queue="q", agent="A", hold_s=2),
              ev.CallEnded(ts=T0 + 30, call_id="c", queue="q", agent="B", hold_s=2, talk_s=28,
                           ended_by="agent")]
    snap = run(events, T0 + 40)
    assert snap.agents["A"].state == "available"
    assert snap.values["site"]["now"]["agents_on_call"] == 0


def test_login_everywhere_counts_in_known_queues(run):
    events = [ev.AgentLoggedIn(ts=T0, agent="Agent/7"),
              ev.CallEntered(ts=T0 + 1, call_id="c", queue="s"),
              ev.CallAnswered(ts=T0 + 2, call_id="c", queue="s", agent="Agent/7", hold_s=1)]
    snap = run(events, T0 + 3)
    assert snap.agents["Agent/7"].queues == ("s",)
    assert snap.values["queue:s"]["now"]["agents_on_call"] == 1
    events.append(ev.AgentLoggedOut(ts=T0 + 4, agent="Agent/7"))
    events.append(ev.CallEnded(ts=T0 + 5, call_id="c", queue="s", agent="Agent/7", hold_s=1,
                               talk_s=3, ended_by="caller"))
    snap = run(events, T0 + 6)
    assert snap.agents["Agent/7"].state == "logged_out"
    assert snap.values["site"]["now"]["agents_logged_in"] == 0


def busy_minute() -> list[ev.Event]:
    """A's state changes many times within a minute: pauses in one queue and everywhere (a
    wrap-up reason among them), a call with its wrap-up timer ending, a logout and a login."""
    return [
        ev.AgentLoggedIn(ts=T0, agent="A", queue="q"),
        ev.AgentLoggedIn(ts=T0, agent="A", queue="s"),
        ev.AgentLoggedIn(ts=T0, agent="B", queue="q"),
        ev.AgentPaused(ts=T0 + 2, agent="A", queue="s", reason="Lunch"),
        ev.CallEntered(ts=T0 + 3, call_id="c", queue="q"),
        ev.AgentRung(ts=T0 + 4, call_id="c", queue="q", agent="A"),
        ev.CallAnswered(ts=T0 + 5, call_id="c", queue="q", agent="A", hold_s=2),
        ev.CallEnded(ts=T0 + 9, call_id="c", queue="q", agent="A", hold_s=2, talk_s=4,
                     ended_by="caller"),
        ev.AgentUnpaused(ts=T0 + 20, agent="A", queue="s"),
        ev.AgentPaused(ts=T0 + 21, agent="A", reason="ACW"),
        ev.AgentUnpaused(ts=T0 + 25, agent="A"),
        ev.AgentLoggedOut(ts=T0 + 30, agent="B"),
        ev.AgentPaused(ts=T0 + 31, agent="A", queue="q", reason="Training"),
        ev.AgentLoggedOut(ts=T0 + 40, agent="A", queue="s"),
        ev.AgentLoggedIn(ts=T0 + 41, agent="B", queue="s"),
    ]


@pytest.mark.parametrize("upto", range(3, 16))
def test_only_the_last_state_between_two_snapshots_counts(upto):
    """Views, ``now`` counts and paused reasons are the same whether the engine was advanced
    after every event, only at the end, or saved before that and loaded again; a checkpoint
    taken after that advance gives the same figures as the engine it came from."""
    events = busy_minute()[:upto]
    config = make_config(wrapup_s=15)
    each, once = Engine(config), Engine(config)
    for event in events:
        each.apply(event)
        each.advance(event.ts)
        once.apply(event)
    saved = Engine.from_data(config, once.to_data())
    at = T0 + 50
    step = each.snapshot(at)
    for engine in (once, saved):
        end = engine.snapshot(at)
        assert step.agents == end.agents
        assert step.paused_reasons == end.paused_reasons
        assert {s: v.get("now") for s, v in step.values.items()} == {
            s: v.get("now") for s, v in end.values.items()}
    again = Engine.from_data(config, once.to_data())
    later = ev.AgentRung(ts=at + 1, call_id="d", queue="q", agent="A")
    for engine in (once, again):
        engine.apply(later)
    assert again.snapshot(at + 70) == once.snapshot(at + 70)


def test_a_group_hub_site_shows_agents_who_came_and_went_between_two_snapshots():
    """``site:<name>`` shows its agent counts from the first time one of its agents was in,
    whether or not a snapshot saw them in."""
    config = Config(cluster=ClusterSettings(role="group", sites=["paris", "lyon"]))
    events = [ev.AgentLoggedIn(ts=T0, agent="paris:A", queue="paris:q"),
              ev.AgentLoggedOut(ts=T0 + 5, agent="paris:A")]
    each, once = Engine(config), Engine(config)
    for event in events:
        for engine in (each, once):
            engine.apply(event)
        each.advance(event.ts)
    step, end = each.snapshot(T0 + 10), once.snapshot(T0 + 10)
    assert end.values["site:paris"]["now"]["agents_logged_in"] == 0
    assert list(end.values) == list(step.values)
    assert end.values == step.values
    assert "site:lyon" not in end.values


def test_an_engine_loaded_from_saved_state_puts_the_next_events_in_their_place():
    """Saved after a snapshot and loaded (a restart): an answer a few seconds after the save,
    arriving after the next snapshot has closed its minute, still counts its agent time in the
    queue it joins from its own time, as in an engine that was never saved (found by the
    mixed-stream probe: the loaded engine took its first checkpoint only at that snapshot)."""
    config = Config(queues={})
    t = T0 + 50  # ten seconds before a minute ends
    answered_in_s = ev.CallAnswered(ts=t, call_id="c9", queue="s", agent="B", hold_s=16)
    answered_in_q = ev.CallAnswered(ts=t + 5, call_id="c7", queue="q", agent="B", hold_s=5)
    kept, saved = Engine(config), Engine(config)
    for engine in (kept, saved):
        engine.apply(ev.CallEntered(ts=t, call_id="c7", queue="q"))
        engine.snapshot(t)
    loaded = Engine.from_data(config, json.loads(json.dumps(saved.to_data())))
    for engine in (kept, loaded):
        engine.apply(answered_in_s)
        engine.snapshot(t + 10)
        engine.apply(answered_in_q)
    a, b = kept.snapshot(t + 10), loaded.snapshot(t + 10)
    assert a.get("queue:q", "15m", "occupancy_pct") == 100.0
    assert b.values == a.values


def test_a_loaded_engine_puts_a_late_event_in_its_place_as_far_back_as_one_never_saved():
    """A restart, the clock a minute ahead, a save and load, then a pause that arrives late
    (before the loaded frontier, within reach): counted from its own time, as in the engine
    never saved (the saved state carries the oldest checkpoint, the events and the sums since;
    before, the loaded engine could go back only to its frontier and took the pause there:
    ten more seconds at work)."""
    config = make_config()
    kept, saved = Engine(config), Engine(config)
    for engine in (kept, saved):
        for event in (ev.AgentLoggedIn(ts=T0, agent="A", queue="q"),
                      ev.AgentLoggedIn(ts=T0, agent="B", queue="q"),
                      ev.CallEntered(ts=T0 + 95, call_id="c", queue="q"),
                      ev.CallAnswered(ts=T0 + 100, call_id="c", queue="q", agent="A", hold_s=5),
                      ev.CallEnded(ts=T0 + 400, call_id="c", queue="q", agent="A", hold_s=5,
                                   talk_s=300, ended_by="agent"),
                      ev.SystemRestart(ts=T0 + 500)):
            engine.apply(event)
            if event.ts == T0 + 100:
                engine.advance(T0 + 200)  # a checkpoint at T0 + 180
        engine.advance(T0 + 590)  # counted up to T0 + 540
    loaded = Engine.from_data(config, json.loads(json.dumps(saved.to_data())))
    for engine in (kept, loaded):
        engine.apply(ev.AgentPaused(ts=T0 + 530, agent="B", reason="Lunch"))
    a, b = kept.snapshot(T0 + 700), loaded.snapshot(T0 + 700)
    assert b.get("site", "today", "occupancy_pct") == a.get("site", "today", "occupancy_pct")
    assert b.values == a.values
    assert loaded.timeline.beyond_reach == 0
    # A at work to the minute of the snapshot, B until the pause; A busy 300 s
    assert a.get("site", "today", "occupancy_pct") == pytest.approx(100 * 300 / (660 + 530))


def test_events_older_than_the_first_advance_are_put_in_their_place():
    """The hub's clock at the day start before a source delivers its backlog: an agent who
    never logged in answers 30 s before the day start and talks into the new day. The first
    advance keeps a checkpoint of the state before it, so the answer is taken in its place
    (before, it was beyond reach: taken at the day start, the agent's time counted from
    there, and live differed from a replay)."""
    config = Config(hub=HubSettings(timezone="America/New_York", day_start="05:30"),
                    queues={"q": QueueSettings()})
    day = T0 + 2 * 3600 + 1800  # 05:30 in New York
    events = [ev.CallEntered(ts=day - 40, call_id="c", queue="q"),
              ev.CallAnswered(ts=day - 30, call_id="c", queue="q", agent="A", hold_s=10),
              ev.CallEnded(ts=day + 90, call_id="c", queue="q", agent="A", hold_s=10, talk_s=120,
                           ended_by="agent"),
              ev.AgentLoggedIn(ts=day + 100, agent="B", queue="q")]
    live, replay = Engine(config), Engine(config)
    live.advance(day)
    for event in events:
        live.apply(event)
        replay.apply(event)
    a, b = live.snapshot(day + 300), replay.snapshot(day + 300)
    assert a.get("agent:A", "60m", "occupancy_pct") == pytest.approx(100 * 120 / 330)
    assert a.values == b.values
    assert live.timeline.beyond_reach == 0
