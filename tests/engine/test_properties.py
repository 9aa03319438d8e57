"""Properties over random event streams (hypothesis).

- Rolling and day windows kept incrementally (with snapshots taken along the way) equal a fresh
  engine fed the same events, and an independent count straight from the events.
- Events with the same timestamp give the same figures in any order that keeps each call's,
  ticket's and agent's own events in their causal order.
- No figure is ever NaN or infinite or out of its range, even with garbage events mixed in.
"""

from __future__ import annotations

import dataclasses
import math
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panneau.hub import events as ev
from panneau.hub.catalogue import KPIS
from panneau.hub.config import Config, HubSettings, KpiSettings, QueueSettings, Team, Threshold
from panneau.hub.engine import Engine
from tests.engine.conftest import T0

TZ, DAY_START = "America/New_York", "05:30"
CONFIG = Config(
    hub=HubSettings(timezone=TZ, day_start=DAY_START),
    kpi=KpiSettings(wrapup_s=7, short_abandon_s=3),
    queues={"q": QueueSettings(service_level_s=15), "s": QueueSettings()},
    teams=[Team(id="t", queues=["q"], agents=["A", "B"], groups=["G"])],
)
AGENTS = ["A", "B", "C"]
QUEUES = ["q", "s", "x"]
FATES = ["answer", "answer", "transfer", "abandon", "ringcancel", "timeout", "empty", "key",
         "withdrawn", "waiting", "talking"]
# Day boundary of the config (05:30 New York) falls inside the generated span.
BASE = T0 + 2 * 3600

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def call(draw, i: int) -> list[ev.Event]:
    q, agent = draw(st.sampled_from(QUEUES)), draw(st.sampled_from(AGENTS))
    # times on a 10 s grid so that many events share a timestamp
    t = BASE + 10 * draw(st.integers(0, 4 * 360))
    caller = draw(st.sampled_from([None, "1", "2"]))
    fate = draw(st.sampled_from(FATES))
    wait, talk = 10 * draw(st.integers(0, 4)), 10 * draw(st.integers(0, 30))
    cid = f"c{i}"
    out: list[ev.Event] = [ev.CallEntered(ts=t, call_id=cid, queue=q, caller_id=caller)]
    if fate == "waiting":
        return out
    if draw(st.booleans()):
        out.append(ev.AgentRung(ts=t + wait, call_id=cid, queue=q, agent=agent))
    if fate in ("answer", "transfer", "talking"):
        out.append(ev.CallAnswered(ts=t + wait, call_id=cid, queue=q, agent=agent, hold_s=wait))
        if fate != "talking":
            out.append(ev.CallEnded(ts=t + wait + talk, call_id=cid, queue=q, agent=agent,
                                    hold_s=wait, talk_s=talk,
                                    ended_by="transfer" if fate == "transfer" else "caller"))
    elif fate in ("abandon", "ringcancel"):
        if fate == "ringcancel":
            out.append(ev.RingNoAnswer(ts=t + wait, call_id=cid, queue=q, agent=agent,
                                       ring_ms=900, canceled=True))
        out.append(ev.CallAbandoned(ts=t + wait, call_id=cid, queue=q, wait_s=wait))
    else:
        out.append(ev.CallLeft(ts=t + wait, call_id=cid, queue=q, wait_s=wait, reason=fate))
    return out


@st.composite
def agent_day(draw, agent: str) -> list[ev.Event]:
    out: list[ev.Event] = [ev.AgentLoggedIn(ts=BASE, agent=agent, queue=None if agent == "C"
                                            else "q")]
    t = BASE
    for _ in range(draw(st.integers(0, 4))):
        t += draw(st.integers(1, 3600))
        reason = draw(st.sampled_from(["Lunch", "ACW", None]))
        out.append(ev.AgentPaused(ts=t, agent=agent, reason=reason))
        t += draw(st.integers(0, 900))
        out.append(ev.AgentUnpaused(ts=t, agent=agent))
    return out


@st.composite
def ticket(draw, i: int) -> list[ev.Event]:
    t = BASE + draw(st.integers(0, 4 * 3600))
    tid = f"k{i}"
    out: list[ev.Event] = [ev.TicketCreated(ts=t, ticket_id=tid, group=draw(
        st.sampled_from(["G", "H"])), channel=draw(st.sampled_from(["email", "voice", None])))]
    for step in draw(st.lists(st.sampled_from(["reply", "solve", "reopen", "breach"]),
                              max_size=5)):
        t += draw(st.integers(0, 1800))
        out.append({"reply": ev.TicketReplied(ts=t, ticket_id=tid, agent="A"),
                    "solve": ev.TicketSolved(ts=t, ticket_id=tid),
                    "reopen": ev.TicketReopened(ts=t, ticket_id=tid),
                    "breach": ev.TicketSlaBreached(ts=t, ticket_id=tid, metric="reply")}[step])
    return out


@st.composite
def survey(draw, i: int) -> ev.Event:
    kind = draw(st.sampled_from(["csat", "nps", "ces"]))
    low, high = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}[kind]
    return ev.SurveyResponse(ts=BASE + draw(st.integers(0, 4 * 3600)), response_id=f"r{i}",
                             survey=kind, score=draw(st.integers(low, high)), scale_min=low,
                             scale_max=high, agent=draw(st.sampled_from([None, *AGENTS])))


@st.composite
def streams(draw) -> list[ev.Event]:
    out: list[ev.Event] = []
    for i in range(draw(st.integers(0, 30))):
        out += draw(call(i))
    for agent in AGENTS:
        out += draw(agent_day(agent))
    for i in range(draw(st.integers(0, 8))):
        out += draw(ticket(i))
    out += [draw(survey(i)) for i in range(draw(st.integers(0, 8)))]
    return sorted(out, key=lambda e: e.ts)


def close(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def fresh(events: list[ev.Event], now: float):
    engine = Engine(CONFIG)
    for event in events:
        engine.apply(event)
    return engine.snapshot(now)


@SETTINGS
@given(events=streams(), cuts=st.lists(st.integers(0, 400), max_size=6),
       tail=st.integers(0, 7200))
def test_incremental_equals_from_scratch(events, cuts, tail):
    engine = Engine(CONFIG)
    cuts = sorted(c for c in cuts if c < len(events))
    done = 0
    for cut in cuts:
        for event in events[done:cut + 1]:
            engine.apply(event)
        done = cut + 1
        engine.snapshot(events[cut].ts)
    for event in events[done:]:
        engine.apply(event)
    now = (events[-1].ts if events else BASE) + tail
    live, scratch = engine.snapshot(now), fresh(events, now)
    assert close(live.values, scratch.values)
    assert live.agents == scratch.agents
    assert live.bad_events == scratch.bad_events
    # queue x is not configured; a call left waiting for over 6 h is forgotten as stale
    assert set(live.bad_events) <= {"unknown_queue", "stale_call"}
    check_against_events(events, now, live.values)


def _day_start(ts: float) -> float:
    zone = ZoneInfo(TZ)
    local = datetime.fromtimestamp(ts, zone)
    start = local.replace(hour=5, minute=30, second=0, microsecond=0, tzinfo=None)
    if local.replace(tzinfo=None) < start:
        start -= timedelta(days=1)
    return start.replace(tzinfo=zone).timestamp()


def check_against_events(events: list[ev.Event], now: float, values) -> None:
    """Counts straight from the events, per queue and window."""
    minute = math.floor(now / 60)
    spans = {w: ((minute - n + 1) * 60, (minute + 1) * 60)
             for w, n in (("15m", 15), ("30m", 30), ("60m", 60))}
    start = _day_start(now)
    spans["today"] = (start, start + 86400 * 2)  # ends with the day; no later events exist
    sl = {"q": 15, "s": 20, "x": 20}
    for queue in QUEUES:
        for window, (lo, hi) in spans.items():
            inside = [e for e in events if getattr(e, "queue", None) == queue and lo <= e.ts < hi]
            if window == "today":
                inside = [e for e in inside if _day_start(e.ts) == start]
            ended = [e for e in inside if isinstance(e, ev.CallEnded)]
            expect = {
                "offered": sum(isinstance(e, ev.CallEntered) for e in inside),
                "answered": sum(isinstance(e, ev.CallAnswered) for e in inside),
                "completed": len(ended),
                "abandoned": sum(isinstance(e, ev.CallAbandoned) for e in inside),
            }
            got = values.get(f"queue:{queue}", {}).get(window, {})
            if not any(isinstance(e, ev.CallEntered) and e.queue == queue for e in events):
                assert not set(expect) & set(got)
                continue
            assert {k: got[k] for k in expect} == expect, window
            if ended:
                within = sum(e.hold_s <= sl[queue] for e in ended)
                assert got["service_level_pct"] == pytest.approx(100 * within / len(ended))
            else:
                assert "service_level_pct" not in got


def interleave(events: list[ev.Event], rnd: random.Random) -> list[ev.Event]:
    """Shuffle events of equal time, keeping the order of those sharing a call, ticket,
    response or agent."""

    def keys(e: ev.Event) -> set[str]:
        return {str(getattr(e, name)) for name in ("call_id", "ticket_id", "response_id",
                                                   "agent") if getattr(e, name, None)}

    out: list[ev.Event] = []
    i = 0
    while i < len(events):
        j = i
        while j < len(events) and events[j].ts == events[i].ts:
            j += 1
        group = events[i:j]
        while group:
            ready = [k for k, e in enumerate(group)
                     if not any(keys(e) & keys(p) for p in group[:k])]
            out.append(group.pop(rnd.choice(ready)))
        i = j
    return out


@SETTINGS
@given(events=streams(), rnd=st.randoms(use_true_random=False), tail=st.integers(0, 600))
def test_same_time_order_does_not_matter(events, rnd, tail):
    now = (events[-1].ts if events else BASE) + tail
    shuffled = interleave(events, rnd)
    a, b = fresh(events, now), fresh(shuffled, now)
    assert close(a.values, b.values)
    assert a.agents == b.agents


_NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10, 10**6))
_TEXT = st.sampled_from(["", "q", "s", "x", "A", "B", "c1", "c2", "k1", "r1"])


def _garbage():
    builders = []
    for cls in ev.EVENT_TYPES.values():
        fields = {}
        for name in (f.name for f in dataclasses.fields(cls)):
            if name in ("source", "source_pos"):
                continue
            if name == "ts":
                fields[name] = st.one_of(st.integers(int(BASE), int(BASE) + 7200),
                                         st.floats(allow_nan=True, allow_infinity=True))
            elif name in ("reason", "survey", "ended_by", "state", "status", "transfer"):
                fields[name] = st.sampled_from([None, "timeout", "empty", "key", "csat", "nps",
                                                "caller", "transfer", "on_call", "solved",
                                                "open", "blind", "weird"])
            elif name in ("canceled", "reload_only", "paused"):
                fields[name] = st.booleans()
            elif name.endswith(("_s", "_ms", "_min", "score", "scale_min", "scale_max",
                                "position", "reopens", "replies")):
                fields[name] = _NUMBERS
            else:
                fields[name] = _TEXT
        builders.append(st.builds(_built_or_refused, st.just(cls), st.fixed_dictionaries(fields)))
    return st.one_of(builders)


def _built_or_refused(cls: type[ev.Event], fields: dict) -> ev.Event | None:
    """The event, or None when its checks refuse it (the one rejection exception)."""
    try:
        return cls(**fields)
    except ev.InvalidEvent:
        return None


@SETTINGS
@given(events=st.lists(st.one_of(_garbage(), streams()), max_size=40)
       .map(lambda xs: [e for x in xs for e in (x if isinstance(x, list) else [x])
                        if e is not None]),
       nows=st.lists(st.integers(int(BASE) - 600, int(BASE) + 8 * 3600), min_size=1,
                     max_size=3))
def test_never_raises_nan_or_out_of_range(events, nows):
    engine = Engine(CONFIG)
    for event in events:
        engine.apply(event)
    for now in nows:
        snap = engine.snapshot(float(now))
        for key, value in snap.flat().items():
            kpi = key.rsplit("/", 1)[1]
            assert kpi in KPIS, kpi
            assert isinstance(value, float | int) and math.isfinite(value), key
            unit = KPIS[kpi].unit
            if unit == "pct":
                assert 0 <= value <= 100, key
            elif kpi == "nps":
                assert -100 <= value <= 100, key
            else:
                assert value >= 0, key
        assert all(isinstance(n, int) and n > 0 for n in snap.bad_events.values())


@SETTINGS
@given(events=streams(), rnd=st.randoms(use_true_random=False),
       ticks=st.lists(st.integers(0, 400), max_size=8), tail=st.integers(0, 3600))
def test_live_equals_a_replay_whatever_the_arrival_order(events, rnd, ticks, tail):
    """Events arrive in any order, with advances in between (as a live hub ticks, the clock
    running ahead of late sources); the figures equal a fresh engine fed them in time order."""
    arrival = events[:]
    rnd.shuffle(arrival)
    engine = Engine(CONFIG, reach_s=10 * 86400)  # everything within reach
    engine.advance(BASE - 60)  # live from the start
    newest = at = BASE - 60
    for i, event in enumerate(arrival):
        engine.apply(event)
        newest = max(newest, event.ts)
        if i in ticks:  # the hub's clock: never back, at or after the newest event
            at = max(at, newest + rnd.choice([0, 1, 59, 600]))
            engine.advance(at)
    now = max((events[-1].ts if events else BASE) + tail, at)
    live = engine.snapshot(now)
    scratch = fresh(sorted(arrival, key=lambda e: e.ts), now)
    assert close(live.values, scratch.values)
    assert live.agents == scratch.agents
    assert live.bad_events == scratch.bad_events
    assert engine.timeline.beyond_reach == 0


@SETTINGS
@given(events=streams(), rnd=st.randoms(use_true_random=False))
def test_a_replay_puts_events_back_in_time_order(events, rnd):
    """Fed without any advance (a replay, a journal read at start), events arriving up to
    ``HOLD_S`` late are taken in their place."""
    arrival = events[:]
    for i in range(len(arrival) - 1):  # swap neighbours: late by a few minutes at most
        if rnd.random() < 0.5 and 0 < abs(arrival[i].ts - arrival[i + 1].ts) < 600:
            arrival[i], arrival[i + 1] = arrival[i + 1], arrival[i]
    now = (events[-1].ts if events else BASE) + 60
    assert close(fresh(arrival, now).values, fresh(events, now).values)


def test_the_saved_state_round_trips_with_late_events_waiting():
    events = [ev.CallEntered(ts=BASE + i, call_id=f"c{i}", queue="q", caller_id="1")
              for i in range(5)]
    engine = Engine(CONFIG)
    engine.advance(BASE + 10)
    engine.apply(ev.CallAbandoned(ts=BASE + 20, call_id="c0", queue="q", wait_s=20))
    for event in events:  # late: they wait for the next advance
        engine.apply(event)
    data = engine.to_data()  # takes them in their place first
    assert engine.timeline.rewinds == 1
    again = Engine.from_data(CONFIG, data)
    a, b = engine.snapshot(BASE + 30), again.snapshot(BASE + 30)
    assert close(a.values, b.values) and a.agents == b.agents
    assert a.get("queue:q", "today", "offered") == 5
    assert a.get("queue:q", "today", "abandoned") == 1


ALERTING = dataclasses.replace(CONFIG, thresholds=[
    Threshold(kpi="calls_waiting", warn=1, alert=3, hysteresis=1),
    Threshold(kpi="longest_wait_s", warn=20, alert=40, hysteresis=5),
    Threshold(kpi="abandon_rate_pct", warn=20, alert=40, direction="lower", hysteresis=5),
    Threshold(kpi="agents_paused", warn=1, alert=2)])
STEP_S = 30.0  # the hub judges every second: any step will do, a longer one costs less here
SAVE_EVERY_S = 240.0  # plus the longest tick gap below: within ALERT_REACH_S, as the hub's


def judging(data: dict | None = None) -> Engine:
    """An engine judging its thresholds on the hub's grid, fresh or from saved data."""
    engine = Engine(ALERTING) if data is None else Engine.from_data(ALERTING, data)
    engine.alert_step_s = STEP_S
    return engine


def judged(engine: Engine) -> tuple:
    th = engine.thresholds
    return th.active, th.previous, engine.query().states


def restarted(data: dict, tail: list[ev.Event], now: float) -> Engine:
    """What a hub does at a restart: the saved engine, the journal's tail, then ``now``."""
    engine = judging(data)
    if tail:
        engine.skip_judging(min(max(e.ts for e in tail), now))
    engine.apply_judged(tail, now)
    engine.skip_judging(now)
    engine.advance(now)
    return engine


@settings(SETTINGS, max_examples=12)
@given(events=streams(), rnd=st.randoms(use_true_random=False), tail=st.integers(0, 600))
def test_alerts_after_a_kill_equal_those_of_a_hub_that_went_on(events, rnd, tail):
    """A live engine on the hub's grid — events in batches in time order (equal times
    shuffled) as the clock reaches them, clock ticks in between at random (at most a minute
    apart, landing on the grid as the hub's do), a state saved as the hub saves it — has at
    random ticks the alerts (their ``since`` too), levels and states of an engine restarted
    from the last save with the events after it replayed at once (a kill -9 there), and at
    the end."""
    arrival = interleave(events, rnd)
    live = judging()
    clock = BASE - 60.0
    live.advance(clock)  # a hub starts before its events
    saved, save_at, last_save = 0, live.to_data(), clock
    i = 0
    while True:
        j = min(len(arrival), i + rnd.randint(1, 6))
        if j > i:
            clock = max(clock, max(e.ts for e in arrival[i:j]))
        live.apply_judged(arrival[i:j], clock)
        i = j
        until = arrival[i].ts - 0.25 if i < len(arrival) else clock + tail + 1
        while clock < until:
            clock = min(until, clock + rnd.choice([7.0, 20.0, 45.0, 60.0]))
            live.advance(live.tick_at(clock))  # as the hub's ticks, landing on the grid
            if clock - last_save >= SAVE_EVERY_S:
                saved, save_at, last_save = i, live.to_data(), clock
            if rnd.random() < 0.05:
                again = restarted(save_at, arrival[saved:i], clock)
                assert judged(again) == judged(live)
        if i >= len(arrival):
            break
    assert judged(restarted(save_at, arrival[saved:], clock)) == judged(live)
