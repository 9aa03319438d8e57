"""Rolling windows, the working day in its timezone, and incremental snapshots."""

from __future__ import annotations

from panneau.hub import events as ev
from panneau.hub.config import Config, HubSettings, QueueSettings
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
