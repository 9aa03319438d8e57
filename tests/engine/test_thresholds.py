"""States with hysteresis, the most specific threshold, and alerts when a state worsens."""

from __future__ import annotations

import copy

import pytest

from panneau.hub import events as ev
from panneau.hub.config import Threshold
from panneau.hub.engine import Engine
from panneau.hub.engine.scopes import Scopes
from panneau.hub.engine.thresholds import Thresholds, classify
from tests.engine.conftest import T0, make_config

SL = Threshold(kpi="service_level_pct", target=80, warn=75, alert=60, hysteresis=2)
WAIT = Threshold(kpi="calls_waiting", warn=3, alert=6, hysteresis=1)
WAIT_T = Threshold(kpi="calls_waiting", team="t", warn=2, alert=4)
WAIT_S = Threshold(kpi="calls_waiting", queue="s", warn=10, alert=20)


def book(*thresholds: Threshold) -> Thresholds:
    config = make_config()
    config.thresholds = list(thresholds)
    return Thresholds(config, Scopes(config))


def test_classify_levels_count_as_crossed():
    assert classify(75, 75, 60, higher=True) == 1
    assert classify(75.01, 75, 60, higher=True) == 0
    assert classify(60, 75, 60, higher=True) == 2
    assert classify(3, 3, 6, higher=False) == 1
    assert classify(2.9, 3, 6, higher=False) == 0


def test_hysteresis_sequence_and_alerts():
    th = book(SL)
    seen = []
    for value in (80, 74, 76, 77, 77.5, 50, 61, 62.5, 90):
        states, alerts = th.evaluate({"site": {"today": {"service_level_pct": value}}}, 0)
        seen.append((states["site"]["today"]["service_level_pct"],
                     [a.state for a in alerts]))
    assert seen == [("ok", []), ("warn", ["warn"]), ("warn", []), ("warn", []), ("ok", []),
                    ("alert", ["alert"]), ("alert", []), ("warn", []), ("ok", [])]


def test_first_appearance_in_warn_alerts_and_absent_forgets():
    th = book(WAIT)
    _, alerts = th.evaluate({"site": {"now": {"calls_waiting": 4}}}, 5)
    assert [(a.key, a.previous, a.state, a.value, a.at) for a in alerts] == [
        ("site/now/calls_waiting", None, "warn", 4, 5)]
    th.evaluate({}, 6)
    _, alerts = th.evaluate({"site": {"now": {"calls_waiting": 4}}}, 7)
    assert len(alerts) == 1


def test_an_alert_eased_by_the_hysteresis_says_so_in_force_and_once_saved():
    """The engine owns the alert's state: eased from alert to warn it stays in force and says
    warn (``previous``, ``value`` and ``at`` the raise's), a judgment that moves nothing keeps
    the very dict of alerts in force, and a saved state (even one saved with the raise's
    state) loads back saying warn."""
    th = book(WAIT)  # warn 3, alert 6, hysteresis 1
    key = "site/now/calls_waiting"

    def judge(value: float, at: float) -> dict:
        th.evaluate({"site": {"now": {"calls_waiting": value}}}, at)
        return th.active

    raised = judge(6, 1)[key]
    assert (raised.state, raised.previous, raised.value, raised.at) == ("alert", None, 6, 1)
    assert judge(5, 2)[key] is raised  # held in alert by the hysteresis
    held = th.active
    assert judge(5, 3) is held  # nothing moved: the same dict
    eased = judge(4, 4)[key]
    assert (eased.state, eased.previous, eased.value, eased.at) == ("warn", None, 6, 1)
    assert eased.as_dict()["text"] == "calls_waiting warn in site (now)"
    saved = th.to_data()
    assert saved["active"] == [["site", "now", "calls_waiting", "warn", None, 6, 1]]
    older = {**saved, "active": [["site", "now", "calls_waiting", "alert", None, 6, 1]]}
    for data in (saved, older):
        loaded = book(WAIT)
        loaded.load_data(copy.deepcopy(data))
        assert loaded.active == {key: eased}
    worse = judge(6, 5)[key]  # worse again: a new raise
    assert (worse.state, worse.previous, worse.at) == ("alert", "warn", 5)
    assert judge(1, 6) == {}  # ok (past warn by the hysteresis): ended


def test_most_specific_threshold_wins():
    th = book(WAIT, WAIT_T, WAIT_S)
    assert th.find("site", "calls_waiting") is WAIT
    assert th.find("team:t", "calls_waiting") is WAIT_T
    assert th.find("queue:q", "calls_waiting") is WAIT_T  # q belongs to team t
    assert th.find("agent:A", "calls_waiting") is WAIT_T
    assert th.find("queue:s", "calls_waiting") is WAIT_S
    assert th.find("queue:other", "calls_waiting") is WAIT
    assert th.find("site", "asa_s") is None


@pytest.mark.parametrize("threshold, value, state", [
    (Threshold(kpi="occupancy_pct", warn=85, alert=95), 90, "warn"),  # inferred: lower better
    (Threshold(kpi="occupancy_pct", warn=70, alert=50), 60, "warn"),  # inferred: higher better
    (Threshold(kpi="asa_s", warn=30, alert=10, direction="higher"), 5, "alert"),
])
def test_direction(threshold, value, state):
    states, _ = book(threshold).evaluate({"site": {"today": {threshold.kpi: value}}}, 0)
    assert states["site"]["today"][threshold.kpi] == state


def three_waiting(*thresholds: Threshold) -> Engine:
    """An engine with these thresholds and three calls waiting in queue q (T0 … T0 + 2)."""
    config = make_config()
    config.thresholds = list(thresholds)
    engine = Engine(config)
    for i in range(3):
        engine.apply(ev.CallEntered(ts=T0 + i, call_id=f"c{i}", queue="q"))
    return engine


def test_engine_states_targets_and_alerts():
    engine = three_waiting(WAIT, WAIT_T)
    snap = engine.snapshot(T0 + 10)
    assert snap.states["queue:q"]["now"]["calls_waiting"] == "warn"  # team t: warn at 2
    assert snap.states["site"]["now"]["calls_waiting"] == "warn"  # general: warn at 3
    assert {a.key for a in snap.alerts} == {"queue:q/now/calls_waiting",
                                            "team:t/now/calls_waiting",
                                            "site/now/calls_waiting"}
    assert snap.targets["team:t"]["calls_waiting"] == {
        "target": None, "warn": 2, "alert": 4, "higher_is_better": False}
    assert engine.snapshot(T0 + 11).alerts == []


def test_alerts_in_force_are_owned_by_the_engine_and_advance_is_idempotent():
    engine = three_waiting(WAIT_T)
    engine.advance(T0 + 10)
    raised = engine.query()
    assert set(raised.active_alerts) == {"queue:q/now/calls_waiting", "team:t/now/calls_waiting"}
    assert engine.query() is raised  # a query moves nothing
    engine.advance(T0 + 10)
    again = engine.query()
    assert again.alerts == [] and again.active_alerts == raised.active_alerts
    assert again.values == raised.values and again.states == raised.states
    alert = again.active_alerts["team:t/now/calls_waiting"]
    assert alert.as_dict() == {"key": "team:t/now/calls_waiting", "state": "warn", "value": 3.0,
                               "since": T0 + 10, "previous": None,
                               "text": "calls_waiting warn in team:t (now)"}
    for i in range(3):  # everybody answered: back to ok, the alerts end
        engine.apply(ev.CallAnswered(ts=T0 + 20, call_id=f"c{i}", queue="q", agent="A",
                                     hold_s=20 - i))
    assert engine.snapshot(T0 + 21).active_alerts == {}


def test_unchanged_scopes_keep_their_states_and_targets_dicts():
    """The hub finds changed scopes by identity: a scope whose states are what they were is
    handed the very same dict (whether its figures dict is the same or a new equal one)."""
    th = book(WAIT, SL)
    site = {"now": {"calls_waiting": 4}, "today": {"service_level_pct": 80}}
    queue = {"now": {"calls_waiting": 1}}
    first, _ = th.evaluate({"site": site, "queue:q": queue}, 0)
    again, alerts = th.evaluate({"site": site, "queue:q": dict(queue)}, 1)
    assert alerts == []
    assert again["site"] is first["site"] and again["queue:q"] is first["queue:q"]
    moved, alerts = th.evaluate({"site": site, "queue:q": {"now": {"calls_waiting": 3}}}, 2)
    assert moved["site"] is first["site"]
    assert moved["queue:q"] == {"now": {"calls_waiting": "warn"}} and len(alerts) == 1
    targets = th.targets({"site": site, "queue:q": queue})
    assert th.targets({"site": site, "queue:q": queue, "agent:A": {}})["site"] is \
        targets["site"]


def test_a_scope_gone_and_back_with_the_same_figures_is_evaluated_afresh():
    th = book(WAIT)
    site = {"now": {"calls_waiting": 4}}
    assert len(th.evaluate({"site": site}, 0)[1]) == 1
    th.evaluate({}, 1)  # gone: its state forgotten
    assert len(th.evaluate({"site": site}, 2)[1]) == 1


def test_states_and_alerts_do_not_depend_on_which_figures_dicts_are_shared():
    """A run handing out the same dict for unchanged figures (as the engine does) gives the
    states and alerts of a run handing out new copies every time."""
    import random

    rng = random.Random(7)
    shared, fresh = book(SL, WAIT, WAIT_T), book(SL, WAIT, WAIT_T)
    scopes = {"site": {}, "queue:q": {}, "team:t": {}, "agent:A": {}}
    for step in range(400):
        for scope in rng.sample(sorted(scopes), rng.randint(0, 2)):
            scopes[scope] = {"now": {"calls_waiting": rng.choice([0, 1, 2, 3, 4, 5, 6, 7])},
                             "today": {"service_level_pct": rng.choice([50, 61, 74, 76, 78])}}
        shown = {s: w for s, w in scopes.items() if w and rng.random() > 0.05}
        a = shared.evaluate(shown, step)
        b = fresh.evaluate({s: {w: dict(k) for w, k in ws.items()} for s, ws in shown.items()},
                           step)
        assert a == b
        assert shared.active == fresh.active


def test_engine_snapshots_share_the_states_and_targets_of_unchanged_scopes():
    engine = three_waiting(WAIT, WAIT_T)
    before = engine.snapshot(T0 + 10)
    engine.apply(ev.AgentLoggedIn(ts=T0 + 11, agent="B"))
    after = engine.snapshot(T0 + 12)
    assert after.states["queue:q"] is before.states["queue:q"]
    assert after.targets["team:t"] is before.targets["team:t"]
    engine.apply(ev.CallEntered(ts=T0 + 13, call_id="c9", queue="q"))
    moved = engine.snapshot(T0 + 14)
    assert moved.states["queue:q"] is not before.states["queue:q"]
    assert moved.states["queue:q"]["now"]["calls_waiting"] == "alert"  # team t: alert at 4


def test_on_a_grid_states_are_those_of_the_last_judgment_as_the_alerts_are():
    """Between two judgments a figure that crossed a level keeps the state judged with the
    alerts: its new state comes with its alert, at the next instant of the grid (and an
    engine saved and loaded gives the same states before judging anything)."""
    engine = three_waiting(WAIT)
    engine.alert_step_s = 1.0
    engine.advance(T0 + 10)  # judged at T0 + 10: 3 waiting, warn
    engine.apply_judged([ev.CallEntered(ts=T0 + 10.2 + i / 10, call_id=f"n{i}", queue="q")
                         for i in range(3)])
    engine.advance(T0 + 10.6)  # a look: 6 waiting shown, judged warn at T0 + 10
    look = engine.query()
    assert look.values["queue:q"]["now"]["calls_waiting"] == 6
    assert look.states["queue:q"]["now"]["calls_waiting"] == "warn"
    assert look.active_alerts["queue:q/now/calls_waiting"].state == "warn"
    loaded = Engine.from_data(engine.config, engine.to_data())
    loaded.alert_step_s = 1.0
    loaded.advance(T0 + 10.6)
    assert loaded.query().states == look.states
    engine.advance(T0 + 11.2)  # judged at T0 + 11: alert, and its alert
    judged = engine.query()
    assert judged.states["queue:q"]["now"]["calls_waiting"] == "alert"
    assert judged.active_alerts["queue:q/now/calls_waiting"].state == "alert"
    assert judged.active_alerts["queue:q/now/calls_waiting"].at == T0 + 11


def test_a_tick_lands_on_the_grid_instant_it_crosses_while_nothing_after_it_is_taken():
    """``tick_at``: the second to judge when a tick crosses it, so that one advance judges it
    and gives the figures; the tick's own time once it is judged or an event after it came."""
    engine = three_waiting(WAIT)
    assert engine.tick_at(T0 + 9.5) == T0 + 9.5  # not on a grid: every advance judges
    engine.alert_step_s = 1.0
    engine.advance(T0 + 9.5)  # judged T0 + 9, looked at T0 + 9.5
    assert engine.tick_at(T0 + 9.8) == T0 + 9.8  # T0 + 9 judged already
    assert engine.tick_at(T0 + 10.004) == T0 + 10
    engine.advance(T0 + 10)
    assert engine.query().at == engine.thresholds.judged == T0 + 10
    engine.apply_judged([ev.CallEntered(ts=T0 + 11.2, call_id="n1", queue="q")])
    assert engine.thresholds.judged == T0 + 11  # judged before the event
    assert engine.tick_at(T0 + 11.3) == T0 + 11.3
    engine.apply(ev.CallEntered(ts=T0 + 12.2, call_id="n2", queue="q"))  # not judged
    assert engine.tick_at(T0 + 12.5) == T0 + 12.5  # T0 + 12 would hold a later event
    assert engine.tick_at(T0 + 13.1) == T0 + 13


def test_figures_that_move_with_time_alone_are_judged_though_nothing_new_came():
    """An advance with nothing new may hand out the very figures of the last one, and the
    thresholds then skip judging them: never when a figure moved with time alone (a call's
    wait growing, a minute leaving a rolling window, occupancy at a minute's turn). Each
    second is compared with an engine saved and loaded just before it (no figures of its
    own kept), which computes and judges everything afresh."""
    config = make_config()
    config.thresholds = [
        Threshold(kpi="longest_wait_s", warn=60, alert=120, hysteresis=10),
        Threshold(kpi="abandon_rate_pct", warn=8, alert=12, direction="lower"),
        Threshold(kpi="occupancy_pct", warn=40, alert=60, hysteresis=5)]
    engine = Engine(config)
    engine.alert_step_s = 1.0
    events = {0: [ev.AgentLoggedIn(ts=T0, agent="A", queue="q"),
                  ev.AgentLoggedIn(ts=T0, agent="B", queue="q")],
              1: [ev.CallEntered(ts=T0 + 1, call_id="c1", queue="q")],
              2: [ev.CallEntered(ts=T0 + 2, call_id="c2", queue="q")],
              5: [ev.CallAbandoned(ts=T0 + 5, call_id="c2", queue="q", wait_s=3)],
              150: [ev.CallAnswered(ts=T0 + 150, call_id="c1", queue="q", agent="A",
                                    hold_s=149)],
              400: [ev.CallEnded(ts=T0 + 400, call_id="c1", queue="q", agent="A", hold_s=149,
                                 talk_s=250, ended_by="caller")]}
    raised, ended, kept, active = [], [], 0, {}
    for second in range(16 * 60):
        engine.apply_judged(events.get(second, []))
        checked = second < 5 * 60 or second >= 14 * 60  # a wait, minutes turning, one leaving
        if checked:
            fresh = Engine.from_data(config, copy.deepcopy(engine.to_data()))
            fresh.alert_step_s = 1.0
            fresh.advance(T0 + second)
        last = engine.query()
        engine.advance(T0 + second)
        snap = engine.query()
        if checked:
            want = fresh.query()
            assert snap.values == want.values, second
            assert snap.states == want.states, second
            assert sorted(snap.alerts, key=str) == sorted(want.alerts, key=str), second
            assert snap.active_alerts == want.active_alerts, second
            kept += snap.values is last.values
        if second not in events:
            raised += [(second, a.key) for a in snap.alerts]
            ended += [(second, key) for key in active.keys() - snap.active_alerts.keys()]
        active = snap.active_alerts
    assert kept > 100  # seconds that handed out the very figures of the last one
    assert (61, "queue:q/now/longest_wait_s") in raised  # a wait growing, nothing new
    assert (121, "queue:q/now/longest_wait_s") in raised
    assert any(key == "queue:q/15m/abandon_rate_pct" for _, key in ended)  # a minute leaving
    assert any(key.endswith("occupancy_pct") for _, key in raised + ended)
