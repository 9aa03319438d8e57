"""Voice KPIs from small hand-made call sequences (expected values computed by hand)."""

from __future__ import annotations

import dataclasses

import pytest

from panneau.hub import events as ev
from panneau.hub.engine import Engine
from tests.engine.conftest import T0, make_config

E = ev.CallEntered
A = ev.CallAnswered
END = ev.CallEnded


def calls() -> list[ev.Event]:
    """Six calls in queue q (T = 20 s):

    c1 answered after 10 s by A, 60 s talk; c2 answered after 30 s by B, 60 s talk then a blind
    transfer; c3 rings A, RINGCANCELED then ABANDON after 10 s; c4 times out after 30 s;
    c5 leaves with a key after 5 s; c6 still waiting.
    """
    return [
        E(ts=T0, call_id="c1", queue="q", caller_id="100"),
        E(ts=T0 + 5, call_id="c2", queue="q", caller_id="200"),
        A(ts=T0 + 10, call_id="c1", queue="q", agent="A", hold_s=10),
        E(ts=T0 + 20, call_id="c3", queue="q"),
        ev.RingNoAnswer(ts=T0 + 28, call_id="c3", queue="q", agent="A", ring_ms=500,
                        canceled=True),
        ev.CallAbandoned(ts=T0 + 30, call_id="c3", queue="q", wait_s=10),
        A(ts=T0 + 35, call_id="c2", queue="q", agent="B", hold_s=30),
        E(ts=T0 + 40, call_id="c4", queue="q"),
        E(ts=T0 + 50, call_id="c5", queue="q"),
        ev.CallLeft(ts=T0 + 55, call_id="c5", queue="q", reason="key", wait_s=5, key="1"),
        E(ts=T0 + 60, call_id="c6", queue="q"),
        END(ts=T0 + 70, call_id="c1", queue="q", agent="A", hold_s=10, talk_s=60,
            ended_by="caller"),
        ev.CallLeft(ts=T0 + 70, call_id="c4", queue="q", reason="timeout", wait_s=30),
        END(ts=T0 + 95, call_id="c2", queue="q", agent="B", hold_s=30, talk_s=60,
            ended_by="transfer", transfer="blind"),
    ]


def test_counts_and_rates(run):
    snap = run(calls(), T0 + 100)
    today = snap.values["queue:q"]["today"]
    assert {k: today[k] for k in ("offered", "answered", "completed", "abandoned",
                                  "unanswered", "timed_out", "exited_with_key",
                                  "exited_empty", "withdrawn", "ring_no_answer")} == {
        "offered": 6, "answered": 2, "completed": 2, "abandoned": 1, "unanswered": 2,
        "timed_out": 1, "exited_with_key": 1, "exited_empty": 0, "withdrawn": 0,
        "ring_no_answer": 0}
    assert today["service_level_pct"] == 50.0  # c1 within 20 s, c2 not
    assert today["service_level2_pct"] == 50.0  # (c1 + c3) / (c1 c2 c3 c4)
    assert today["service_level_offered_pct"] == 20.0  # c1 / five outcomes
    assert today["abandon_rate_pct"] == 20.0
    assert today["asa_s"] == 20.0
    assert today["ata_s"] == 10.0
    assert today["avg_talk_s"] == 60.0
    assert today["acw_s"] == 0.0
    assert today["aht_s"] == 60.0
    assert today["transfer_rate_pct"] == 50.0
    assert today["fcr_pct"] == 100.0
    now = snap.values["queue:q"]["now"]
    assert now["calls_waiting"] == 1
    assert now["longest_wait_s"] == 40.0
    assert snap.values["team:t"]["today"] == today
    assert snap.values["site"]["today"]["offered"] == 6
    assert snap.bad_events == {}


def answered_call(queue: str, hold: float, talk: float = 5) -> list[ev.Event]:
    """One call entering at T0, answered by A after ``hold`` s, ended ``talk`` s later."""
    return [E(ts=T0, call_id="c", queue=queue),
            A(ts=T0 + hold, call_id="c", queue=queue, agent="A", hold_s=hold),
            END(ts=T0 + hold + talk, call_id="c", queue=queue, agent="A", hold_s=hold,
                talk_s=talk, ended_by="agent")]


def test_sl_boundary_is_inclusive(run):
    events = answered_call("q", 20)
    assert run(events, T0 + 40).get("queue:q", "today", "service_level_pct") == 100.0


def test_per_queue_service_level_threshold(run):
    events = answered_call("s", 25)
    assert run(events, T0 + 40).get("queue:s", "today", "service_level_pct") == 100.0
    in_q = [dataclasses.replace(e, queue="q") for e in events]
    assert run(in_q, T0 + 40).get("queue:q", "today", "service_level_pct") == 0.0
    assert run(in_q, T0 + 40, service_level_s=25).get(
        "queue:q", "today", "service_level_pct") == 100.0


def test_asterisk_sl_counts_when_the_call_ends(run):
    snap = run(calls()[:3], T0 + 15)
    today = snap.values["queue:q"]["today"]
    assert today["answered"] == 1 and today["completed"] == 0
    assert "service_level_pct" not in today  # no call has ended yet
    assert today["service_level_offered_pct"] == 100.0
    assert today["asa_s"] == 10.0


def test_short_abandons_leave_the_rate(run):
    today = run(calls(), T0 + 100, short_abandon_s=10).values["queue:q"]["today"]
    assert today["abandon_rate_pct"] == 0.0
    assert today["service_level_offered_pct"] == 25.0
    assert today["abandoned"] == 1


def test_wrapup_from_config(run):
    snap = run(calls(), T0 + 100, wrapup_s=5)
    today = snap.values["queue:q"]["today"]
    assert today["acw_s"] == 5.0
    assert today["aht_s"] == 65.0
    assert snap.values["agent:A"]["today"]["aht_s"] == 65.0


def test_unanswered_reasons(run):
    events = []
    for i, reason in enumerate(("empty", "withdrawn", "syscompat", "key", "timeout")):
        events += [E(ts=T0 + i, call_id=f"x{i}", queue="q"),
                   ev.CallLeft(ts=T0 + 30, call_id=f"x{i}", queue="q", reason=reason,
                               wait_s=30 - i)]
    today = run(events, T0 + 60).values["queue:q"]["today"]
    assert today["unanswered"] == 4  # everything but the key
    assert today["exited_empty"] == today["withdrawn"] == today["exited_with_key"] == 1
    assert today["service_level2_pct"] == 0.0  # all waited more than 20 s


def test_ring_no_answer_per_agent(run):
    events = [E(ts=T0, call_id="c", queue="q"),
              ev.RingNoAnswer(ts=T0 + 8, call_id="c", queue="q", agent="A", ring_ms=8000),
              ev.RingNoAnswer(ts=T0 + 9, call_id="c", queue="q", agent="B", ring_ms=0),
              ev.RingNoAnswer(ts=T0 + 16, call_id="c", queue="q", agent="A", ring_ms=7000)]
    snap = run(events, T0 + 20)
    assert snap.get("agent:A", "today", "ring_no_answer") == 2
    assert snap.get("agent:B", "today", "ring_no_answer") is None  # busy attempt, not counted
    assert snap.get("queue:q", "today", "ring_no_answer") == 2


def test_fcr_proxy_repeat_caller(run):
    events = []
    for i, at in enumerate((0, 3600, 3 * 86400)):
        events += [E(ts=T0 + at, call_id=f"c{i}", queue="q", caller_id="555"),
                   A(ts=T0 + at + 1, call_id=f"c{i}", queue="q", agent="A", hold_s=1)]
    snap = run(events, T0 + 3 * 86400 + 10)
    assert snap.get("queue:q", "60m", "fcr_pct") == 100.0
    snap = run(events[:4], T0 + 3700)
    assert snap.get("queue:q", "today", "fcr_pct") == 50.0  # second call repeats the first


def test_fcr_answers_of_one_instant_are_all_first_contacts(run):
    """Neither of two answers at the same second is *before* the other: the agents' FCR does
    not depend on the order the two events came in."""
    calls = [[E(ts=T0, call_id=f"c{i}", queue="q", caller_id="555"),
              A(ts=T0 + 5, call_id=f"c{i}", queue="q", agent=agent, hold_s=5)]
             for i, agent in enumerate("AB")]
    for order in (calls, calls[::-1]):
        snap = run([event for call in order for event in call], T0 + 60)
        assert snap.get("agent:A", "today", "fcr_pct") == 100.0
        assert snap.get("agent:B", "today", "fcr_pct") == 100.0
        assert snap.get("queue:q", "today", "fcr_pct") == 100.0


def test_fcr_answers_of_one_instant_after_an_earlier_one_are_all_repeats(run):
    """The caller had an answer an hour before: both answers of the next instant repeat it,
    whichever came first (found by test_same_time_order_does_not_matter)."""
    first = [E(ts=T0, call_id="c0", queue="q", caller_id="555"),
             A(ts=T0 + 5, call_id="c0", queue="q", agent="C", hold_s=5)]
    calls = [[E(ts=T0 + 3600, call_id=f"c{i}", queue="q", caller_id="555"),
              A(ts=T0 + 3605, call_id=f"c{i}", queue="q", agent=agent, hold_s=5)]
             for i, agent in enumerate("AB", start=1)]
    for order in (calls, calls[::-1]):
        snap = run(first + [event for call in order for event in call], T0 + 3660)
        assert snap.get("agent:A", "today", "fcr_pct") == 0.0
        assert snap.get("agent:B", "today", "fcr_pct") == 0.0
        assert snap.get("queue:q", "today", "fcr_pct") == pytest.approx(100 / 3)


def test_restart_clears_calls_in_flight(run):
    events = [E(ts=T0, call_id="c1", queue="q"),
              E(ts=T0 + 1, call_id="c2", queue="q"),
              A(ts=T0 + 2, call_id="c2", queue="q", agent="A", hold_s=1),
              ev.SystemRestart(ts=T0 + 10),
              ev.CallAbandoned(ts=T0 + 20, call_id="c1", queue="q", wait_s=20)]
    snap = run(events, T0 + 30)
    assert snap.get("queue:q", "now", "calls_waiting") == 0
    assert snap.get("queue:q", "today", "abandoned") == 0
    assert snap.get("queue:q", "today", "offered") == 2
    assert snap.agents["A"].state == "available"
    assert snap.bad_events == {"outcome_of_closed_call": 1}


def test_reload_keeps_calls_in_flight(run):
    events = [E(ts=T0, call_id="c1", queue="q"), ev.SystemRestart(ts=T0 + 5, reload_only=True)]
    assert run(events, T0 + 30).get("queue:q", "now", "calls_waiting") == 1


def test_no_data_is_absent(run):
    snap = run([], T0)
    assert snap.values == {}
    snap = run([E(ts=T0, call_id="c", queue="q")], T0 + 1)
    today = snap.values["queue:q"]["today"]
    assert today["offered"] == 1
    for kpi in ("service_level_pct", "asa_s", "aht_s", "abandon_rate_pct", "occupancy_pct"):
        assert kpi not in today


@pytest.mark.parametrize("build", [
    lambda: A(ts=T0, call_id="z", queue="q", agent="A", hold_s=-1),
    lambda: END(ts=T0, call_id="z", queue="q", agent="A", hold_s=1, talk_s=-4, ended_by="agent"),
    lambda: ev.CallAbandoned(ts=T0, call_id="z", queue="q", wait_s=-2),
    lambda: ev.CallAbandoned(ts=T0, call_id="z", queue="q", wait_s=float("nan")),
    lambda: ev.CallLeft(ts=T0, call_id="z", queue="q", wait_s=2, reason="bored"),
    lambda: ev.CallEntered(ts=float("inf"), call_id="z", queue="q"),
    lambda: ev.CallEntered(ts=T0, call_id=7, queue="q"),
    lambda: ev.CallEntered(ts=T0, call_id="z", queue="q", position=True),
    # ints no float holds: they compared below infinity, then the engine's sums raised
    lambda: ev.CallAbandoned(ts=T0, call_id="z", queue="q", wait_s=10**400),
    lambda: ev.FigureEntered(ts=T0, entry_id="e", figure="complaints", amount=-10**400),
])
def test_events_out_of_range_are_refused_when_built(build):
    with pytest.raises(ev.InvalidEvent):
        build()


def test_the_engine_refuses_what_is_not_an_event(run):
    engine = Engine(make_config())
    with pytest.raises(ev.InvalidEvent):
        engine.apply({"kind": "call_entered"})  # type: ignore[arg-type]
    assert engine.snapshot(T0).bad_events == {}


@pytest.mark.parametrize("bad, kind", [
    (A(ts=T0, call_id="z", queue="q", agent="A", hold_s=3), "answer_without_enter"),
    (END(ts=T0, call_id="z", queue="q", agent="A", hold_s=1, talk_s=4, ended_by="agent"),
     "end_without_answer"),
    (ev.CallAbandoned(ts=T0, call_id="z", queue="q", wait_s=2), "outcome_without_enter"),
    (E(ts=T0, call_id="z", queue="elsewhere"), "unknown_queue"),
])
def test_bad_events_are_counted(run, bad, kind):
    snap = run([bad], T0 + 5)
    assert snap.bad_events == {kind: 1}
    for windows in snap.values.values():
        for kpis in windows.values():
            for kpi, value in kpis.items():
                if kpi.endswith("_pct"):
                    assert 0 <= value <= 100


def test_end_before_start_and_duplicates(run):
    events = [E(ts=T0, call_id="c", queue="q"),
              E(ts=T0 + 1, call_id="c", queue="q"),
              A(ts=T0 + 10, call_id="c", queue="q", agent="A", hold_s=9),
              END(ts=T0 + 5, call_id="c", queue="q", agent="A", hold_s=9, talk_s=1,
                  ended_by="agent"),
              END(ts=T0 + 12, call_id="c", queue="q", agent="A", hold_s=9, talk_s=1,
                  ended_by="agent")]
    snap = run(events, T0 + 20)
    # taken in time order: the end at +5 comes before the answer at +10, which then finds the
    # call closed, as does the second end
    assert snap.bad_events == {"duplicate_enter": 1, "end_without_answer": 1,
                               "outcome_of_closed_call": 2}
    assert snap.get("queue:q", "today", "completed") == 1


def test_calls_whose_outcome_was_lost_are_forgotten(run):
    events = [E(ts=T0, call_id="w", queue="q"),
              E(ts=T0, call_id="t", queue="q"),
              A(ts=T0 + 1, call_id="t", queue="q", agent="A", hold_s=1)]
    snap = run(events, T0 + 3600)
    assert (snap.get("queue:q", "now", "calls_waiting"), snap.agents["A"].state) == (1, "on_call")
    snap = run(events, T0 + 7 * 3600)
    assert snap.get("queue:q", "now", "calls_waiting") == 0
    assert snap.agents["A"].state == "on_call"
    snap = run(events, T0 + 13 * 3600)
    assert snap.agents["A"].state == "available"
    assert snap.bad_events == {"stale_call": 2}


def _live_and_replay(events: list[ev.Event], now: float, saved_after: int | None = None,
                     **kpi):
    """A live engine advanced at each event's time (saved and loaded as a hub does after event
    ``saved_after``), and a replay of the same events advanced once, at ``now``."""
    from panneau.hub.server.engine_state import dumps, loads

    config = make_config(**kpi)
    live = Engine(config)
    for i, event in enumerate(events):
        live.apply(event)
        live.advance(event.ts)
        if i == saved_after:
            live = loads(dumps(live), config)
    replay = Engine(config)
    for event in events:
        replay.apply(event)
    return live.snapshot(now), replay.snapshot(now)


def test_a_call_whose_end_was_lost_ends_at_its_own_time_whenever_snapshots_come():
    """A call answered and never ended is forgotten 12 h after its answer, at that time: the
    agent's busy time stops there, for a hub that advanced along (and was restarted) as for a
    replay advanced once at the end. Forgotten at the advance that found it, the agent was
    busy until then: a replay counted A busy from 13:00 to 21:00 (occupancy 100 %), the live
    engine 0 %."""
    t = T0 - 8 * 3600  # 00:00
    events = [ev.AgentLoggedIn(ts=t, agent="A", queue="q"),
              E(ts=t + 60, call_id="lost", queue="q"),
              A(ts=t + 70, call_id="lost", queue="q", agent="A", hold_s=10),
              ev.AgentPaused(ts=t + 13 * 3600, agent="A", reason="Lunch"),
              ev.AgentUnpaused(ts=t + 14 * 3600, agent="A"),
              E(ts=t + 21 * 3600, call_id="next", queue="q")]
    now = t + 21 * 3600 + 90
    live, replay = _live_and_replay(events, now)
    assert live.values == replay.values
    assert live.get("agent:A", "60m", "occupancy_pct") == 0.0  # available, no call
    assert replay.bad_events == live.bad_events == {"stale_call": 1}
    saved, _ = _live_and_replay(events, now, saved_after=3)
    assert saved.values == replay.values


def test_a_late_event_does_not_bring_a_forgotten_call_back():
    """An engine saved and loaded rewinds a late event from an older checkpoint than one never
    saved; the call forgotten in between (its end lost) stays forgotten at its own time (it
    came back: its agent busy again until the next advance, 100 % occupancy instead of 0)."""
    t = T0 - 8 * 3600
    events = [A(ts=t, call_id="lost", queue="q", agent="B", hold_s=10),
              ev.AgentPaused(ts=t + 45_498, agent="A", reason="Lunch"),
              ev.AgentUnpaused(ts=t + 89_678, agent="C"),
              ev.AgentPaused(ts=t + 89_443, agent="C", reason="Lunch"),  # late
              ev.AgentLoggedOut(ts=t + 145_711, agent="C")]
    config = make_config()
    plain, saved = Engine(config), Engine(config)
    for i, event in enumerate(events):
        plain.apply(event)
        saved.apply(event)
        if i in (1, 4):
            assert plain.snapshot(event.ts + i // 4).values == saved.snapshot(
                event.ts + i // 4).values
        if i == 2:
            from panneau.hub.server.engine_state import dumps, loads

            saved = loads(dumps(saved), config)
    snap = saved.snapshot(t + 145_712)
    assert snap.values == plain.snapshot(t + 145_712).values
    assert snap.get("agent:B", "60m", "occupancy_pct") in (None, 0.0)


def test_a_wrap_up_ending_before_a_lost_calls_deadline_ends_first():
    """B's wrap-up ends at 10:45:38, C's call (its end lost) is forgotten at 12:43:30: taken in
    that order, B was busy 7 s of the day. Forgetting C's call first moved agent time past B's
    timer, which then counted from 12:43: B busy almost two hours (11.5 % against 0.01 %)."""
    t = T0 - 8 * 3600 + 2610  # 00:43:30
    events = [A(ts=t, call_id="lost", queue="s", agent="C", hold_s=10),
              A(ts=t + 36_121, call_id="c", queue="q", agent="B", hold_s=0),
              END(ts=t + 36_121, call_id="c", queue="q", agent="B", hold_s=0, talk_s=0,
                  ended_by="caller"),
              ev.TicketCreated(ts=t + 38_759, ticket_id="k", group="G")]
    live, replay = _live_and_replay(events, t + 82_000, wrapup_s=7)  # 23:30
    assert live.values == replay.values
    assert replay.get("agent:B", "today", "occupancy_pct") < 0.1
