"""Rolling windows, the working day in its timezone, and incremental snapshots."""

from __future__ import annotations

import random

from panneau.hub import events as ev
from panneau.hub.config import Config, HubSettings, QueueSettings, Team
from panneau.hub.engine import Engine
from panneau.hub.engine.windows import AHEAD, DayClock, spread
from tests.engine.conftest import T0


def entered(minutes: float, n: int = 1) -> list[ev.Event]:
    return [ev.CallEntered(ts=T0 + minutes * 60, call_id=f"c{minutes}-{i}", queue="q")
            for i in range(n)]


EVENTS = entered(0, 1) + entered(20, 2) + entered(50, 4)


def test_rolling_windows_are_whole_minutes(run):
    snap = run(EVENTS, T0 + 55 * 60 + 30)
    offered = {w: snap.get("queue:q", w, "offered") for w in ("15m", "30m", "60m", "today")}
    # 15m = minutes 41..55, 30m = 26..55, 60m = -4..55
    assert offered == {"15m": 4, "30m": 4, "60m": 7, "today": 7}
    snap = run(EVENTS, T0 + 64 * 60 + 59)
    assert snap.get("queue:q", "15m", "offered") == 4
    assert snap.get("queue:q", "60m", "offered") == 6  # minute 0 left at 60 minutes


def test_counts_stay_zero_once_seen(run):
    snap = run(EVENTS, T0 + 3 * 3600)
    assert snap.get("queue:q", "15m", "offered") == 0
    assert snap.get("queue:q", "today", "offered") == 7


def test_incremental_snapshots_match_a_fresh_engine():
    config = Config(queues={"q": QueueSettings()})
    live = Engine(config)
    pending = sorted(EVENTS, key=lambda e: e.ts)
    for at in (5, 21, 22, 49, 51, 80, 200, 130):  # includes a jump and a step back
        now = T0 + at * 60
        while pending and pending[0].ts <= now:
            live.apply(pending.pop(0))
        fresh = Engine(config)
        for event in EVENTS:
            if event.ts <= now:
                fresh.apply(event)
        assert live.snapshot(now).values == fresh.snapshot(now).values


def _calls_and_pauses(seed: int, hours: int) -> list[ev.Event]:
    """Whole-second calls answered by four agents in two queues, with pauses (agent time)."""
    rng = random.Random(seed)
    agents = {"A": "q", "B": "q", "C": "s", "D": "s"}
    out: list[ev.Event] = [ev.AgentLoggedIn(ts=T0, agent=a, queue=q) for a, q in agents.items()]
    for n in range(hours * 40):
        agent = rng.choice(sorted(agents))
        queue, t = agents[agent], T0 + 1 + rng.randrange(hours * 3600)
        wait, talk, cid = rng.randrange(40), rng.randrange(1, 400), f"c{n}"
        out += [ev.CallEntered(ts=t, call_id=cid, queue=queue),
                ev.AgentRung(ts=t + wait // 2, call_id=cid, queue=queue, agent=agent)]
        if rng.random() < 0.2:
            out.append(ev.CallAbandoned(ts=t + wait, call_id=cid, queue=queue, wait_s=wait))
            continue
        out += [ev.CallAnswered(ts=t + wait, call_id=cid, queue=queue, agent=agent,
                                hold_s=wait),
                ev.CallEnded(ts=t + wait + talk, call_id=cid, queue=queue, agent=agent,
                             hold_s=wait, talk_s=talk, ended_by="caller")]
    for _ in range(hours * 6):
        agent, t = rng.choice(sorted(agents)), T0 + rng.randrange(hours * 3600)
        out += [ev.AgentPaused(ts=t, agent=agent, reason="Lunch"),
                ev.AgentUnpaused(ts=t + rng.randrange(30, 1800), agent=agent)]
    return sorted(out, key=lambda e: e.ts)


def test_minute_after_minute_ticks_match_a_fresh_engine():
    """Live ticks every 20 s for three hours (each minute tick moves the windows by one
    minute: figures whose sums did not change are kept, occupancy worked out again) equal a
    fresh engine fed the same events, at every sixth minute."""
    config = Config(queues={"q": QueueSettings(), "s": QueueSettings()},
                    teams=[Team(id="t", queues=["q", "s"], agents=["A", "B", "C", "D"])])
    events = _calls_and_pauses(5, 3)
    live, i = Engine(config), 0
    for step in range(3 * 180 + 1):
        now = T0 + 20 * step
        while i < len(events) and events[i].ts <= now:
            live.apply(events[i])
            i += 1
        snap = live.snapshot(now)
        if step % 18 == 0:
            fresh = Engine(config)
            fresh.apply_all(events[:i])
            assert snap.values == fresh.snapshot(now).values, step


def test_a_minute_tick_that_changes_nothing_hands_out_the_same_figures():
    """Agents available for over an hour, nothing else: the next minute tick builds nothing
    (a screen that compares what it is handed by identity sees no change)."""
    engine = Engine(Config(queues={"q": QueueSettings()}))
    for agent in ("A", "B"):
        engine.apply(ev.AgentLoggedIn(ts=T0, agent=agent, queue="q"))
    before = engine.snapshot(T0 + 90 * 60 + 30).values
    after = engine.snapshot(T0 + 91 * 60 + 30).values
    assert before["agent:A"]["today"]["occupancy_pct"] == 0.0
    for scope in ("agent:A", "agent:B"):
        assert after[scope] is before[scope]
    assert after["queue:q"]["60m"] is before["queue:q"]["60m"]


def test_a_minute_seen_as_current_leaves_the_windows_after_a_jump():
    """A snapshot in the minute of a call, the next one over an hour later: the call has left
    every rolling window (the scope's figures are worked out again; found by
    test_incremental_equals_from_scratch)."""
    engine = Engine(Config(queues={"q": QueueSettings()}))
    for event in entered(0, 1):
        engine.apply(event)
    assert engine.snapshot(T0 + 1).get("queue:q", "15m", "offered") == 1
    later = engine.snapshot(T0 + 61 * 60)
    assert {w: later.get("queue:q", w, "offered") for w in ("15m", "30m", "60m", "today")} == {
        "15m": 0, "30m": 0, "60m": 0, "today": 1}


def test_today_follows_timezone_and_day_start(run):
    config = Config(hub=HubSettings(timezone="Europe/Paris", day_start="06:00"))
    day_start = T0 - 3 * 3600  # 05:00 UTC = 06:00 in Paris (UTC+1 in January)
    events = [ev.CallEntered(ts=day_start - 1, call_id="before", queue="q"),
              ev.CallEntered(ts=day_start, call_id="after", queue="q")]
    snap = run(events, T0, config=config)
    assert snap.get("queue:q", "today", "offered") == 1
    assert DayClock("Europe/Paris", "06:00").start(T0) == day_start
    snap = run(events, day_start - 0.5, config=config)
    assert snap.get("queue:q", "today", "offered") == 1  # only the first, in yesterday


def test_day_clock_across_daylight_saving():
    clock = DayClock("Europe/Paris")
    spring = 1_837_645_200.0  # 2028-03-26 01:00 UTC, just before 03:00 local jumps
    assert clock.day(spring - 3600) == clock.day(spring + 3600)
    start = clock.start(spring)
    assert clock.day(start) == clock.day(spring)
    assert clock.day(start - 1) == clock.day(spring) - 1


def test_spread_over_minutes():
    assert spread(30.0, 150.0) == {0: 30.0, 1: 60.0, 2: 30.0}
    assert spread(5.0, 5.0) == {}


def test_replay_without_snapshots_keeps_memory_bounded():
    engine = Engine(Config(queues={"q": QueueSettings()}))
    for i in range(4 * 24 * 60):  # one call a minute for four days
        engine.apply(ev.CallEntered(ts=T0 + i * 60, call_id=f"c{i}", queue="q"))
    assert len(engine.tallies.minutes) <= 2 * 60 + AHEAD
    assert len(engine.tallies.days) <= 3
    now = T0 + (4 * 24 * 60 - 1) * 60
    snap = engine.snapshot(now)
    assert snap.get("queue:q", "60m", "offered") == 60
    start = engine.clock.start(now)
    assert snap.get("queue:q", "today", "offered") == (now - start) // 60 + 1


def test_flat_and_get(run):
    snap = run(entered(0, 2), T0 + 30)
    flat = snap.flat()
    assert flat["queue:q/today/offered"] == 2
    assert flat["site/now/calls_waiting"] == 2
    assert len(flat) == sum(len(k) for w in snap.values.values() for k in w.values())
    assert snap.get("queue:q", "today", "offered") == 2
    assert snap.get("queue:nope", "today", "offered") is None


def test_a_checkpoint_is_not_taken_at_a_minute_tick():
    """The minute tick moves every window: a checkpoint due then is taken at the next advance
    (taken when due, it landed on every minute tick of a quiet hub, whose frontier only moves
    there), and once a minute still when advances come once a minute."""
    engine = Engine(Config(queues={"q": QueueSettings()}))
    engine.apply(ev.AgentLoggedIn(ts=T0, agent="A", queue="q"))
    taken = []
    for step in range(1, 30 * 6):
        now = T0 + 10 * step
        if step % 30 == 0:
            engine.apply(ev.CallEntered(ts=now - 5, call_id=f"c{step}", queue="q"))
        last = engine.timeline.checkpoints[-1] if engine.timeline.checkpoints else None
        engine.advance(now)
        if engine.timeline.checkpoints[-1] is not last:
            taken.append(now)
    assert len(taken) >= 28
    assert all(now % 60 != 0 for now in taken)
    once_a_minute, taken = Engine(Config(queues={"q": QueueSettings()})), []
    for minute in range(1, 31):
        last = once_a_minute.timeline.checkpoints[-1] if minute > 1 else None
        once_a_minute.advance(T0 + 60 * minute)
        if once_a_minute.timeline.checkpoints[-1] is not last:
            taken.append(minute)
    assert len(taken) >= 15
