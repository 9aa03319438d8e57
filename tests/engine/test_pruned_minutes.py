"""Minutes pruned from the tallies (older than the longest window before the cursor) are never
needed again: an advance to an earlier time (a wall clock stepped back) leaves the rolling
windows where they were, and a late event older than them lands in its day only, where a full
replay puts it too.

Each engine is compared with a fresh one fed the same events (``==``: the sums are exact).
"""

from __future__ import annotations

from panneau.hub import events as ev
from panneau.hub.engine import Engine
from tests.engine.conftest import T0, make_config

M = 60.0


def calls(first_minute: int, minutes: int) -> list[ev.Event]:
    """Two calls of queue ``q`` a minute from ``first_minute`` on, answered after 10.3 s
    (some within the 20-s service level, some not: one in three waits 25.7 s)."""
    out: list[ev.Event] = []
    for m in range(first_minute, first_minute + minutes):
        for k in range(2):
            at, call = T0 + m * M + 7 + 20 * k, f"c{m}-{k}"
            wait = 25.7 if (m + k) % 3 == 0 else 10.3
            out += [ev.CallEntered(ts=at, call_id=call, queue="q"),
                    ev.CallAnswered(ts=at + wait, call_id=call, queue="q", agent="A",
                                    hold_s=wait)]
    return out


def replay(events: list[ev.Event], now: float, **kwargs) -> dict[str, float]:
    engine = Engine(make_config(), **kwargs)
    engine.apply_all(sorted(events, key=lambda e: e.ts))
    return engine.snapshot(now).flat()


def rolling(flat: dict[str, float]) -> dict[str, float]:
    return {k: v for k, v in flat.items() if k.split("/")[1] in ("15m", "30m", "60m")}


def test_an_advance_back_past_pruned_minutes_leaves_the_windows_where_they_were():
    events = calls(0, 11)  # minutes 0..10
    engine = Engine(make_config())
    engine.apply_all(events)
    engine.snapshot(T0 + 10 * M + 50)
    ahead = engine.snapshot(T0 + 65 * M + 5)  # minutes up to 5 are pruned now
    assert ahead.get("queue:q", "60m", "answered") == 10  # minutes 6..10
    assert ahead.flat() == replay(events, T0 + 65 * M + 5)
    for back in (T0 + 64 * M + 30, T0 + 62 * M, T0 + 30 * M):  # the clock steps back
        stepped = engine.snapshot(back).flat()
        # a 60-m window ending at 62 holds minutes 3..10; 3..5 are gone: the windows stay
        # at the cursor's minute (65) instead of showing part of them
        assert rolling(stepped) == rolling(ahead.flat())
        assert stepped["queue:q/today/answered"] == 22
    again = engine.snapshot(T0 + 66 * M + 1)  # forward again
    assert again.flat() == replay(events, T0 + 66 * M + 1)
    assert again.get("queue:q", "60m", "answered") == 8  # minutes 7..10


def test_a_late_event_in_a_pruned_minute_lands_in_its_day_as_in_a_replay():
    """Within reach (a reach longer than the windows: checkpoints are older than the pruned
    minutes, the late event is put in its place) and beyond it (the default reach)."""
    events = calls(0, 11)
    late = [ev.CallEntered(ts=T0 + 4 * M + 50, call_id="late", queue="q"),
            ev.CallAnswered(ts=T0 + 4 * M + 52.9, call_id="late", queue="q", agent="B",
                            hold_s=2.9)]
    for reach_s, beyond in ((3 * 3600.0, 0), (None, 2)):
        kwargs = {} if reach_s is None else {"reach_s": reach_s}
        engine = Engine(make_config(), **kwargs)
        engine.apply_all(events)
        for minute in range(11, 90):  # a tick a minute: checkpoints, minutes pruned
            engine.snapshot(T0 + minute * M + 1)
        engine.apply_all(late)
        now = T0 + 90 * M + 1
        got = engine.snapshot(now).flat()
        assert engine.timeline.beyond_reach == beyond
        assert got == replay(events + late, now, **kwargs)
        assert got["queue:q/today/answered"] == 23 and got["agent:B/today/answered"] == 1
        assert got.get("queue:q/60m/answered", 0) == 0


def test_a_replay_dropping_minutes_still_open_counts_every_call_sum_as_ticks_do():
    """A replay (events taken from its buffer hours before the first advance) drops the queue
    rows of minutes still open without joining them one by one: gathered for their day, row
    into row. Every figure equals an engine advanced each minute (its rows joined at every
    advance)."""
    events: list[ev.Event] = []
    for i in range(10 * 8 * 60):  # 8 hours, 10 calls a minute: more than the buffer holds
        at, call, queue = T0 + i * 6.0 + 3, f"c{i}", "q" if i % 4 else "s"
        wait = (7.5, 12.25, 33.0, 45.5, 2.0)[i % 5]
        events.append(ev.CallEntered(ts=at, call_id=call, queue=queue, caller_id=f"55{i % 97}"))
        if i % 5 == 3:
            events.append(ev.CallAbandoned(ts=at + wait, call_id=call, queue=queue, wait_s=wait))
        elif i % 5 == 4:
            events.append(ev.CallLeft(ts=at + wait, call_id=call, queue=queue,
                                      reason=("timeout", "empty", "key", "withdrawn")[i % 4],
                                      wait_s=wait))
        else:
            agent = "AB"[i % 2]
            events += [ev.CallAnswered(ts=at + wait, call_id=call, queue=queue, agent=agent,
                                       hold_s=wait),
                       ev.CallEnded(ts=at + wait + 61.5, call_id=call, queue=queue, agent=agent,
                                    hold_s=wait, talk_s=61.5,
                                    ended_by="transfer" if i % 3 == 0 else "agent")]
    events.sort(key=lambda e: e.ts)
    now = T0 + 8 * 60 * M + 150
    ticked, start = Engine(make_config()), 0
    for minute in range(8 * 60 + 2):
        end = next((k for k in range(start, len(events))
                    if events[k].ts >= T0 + (minute + 1) * M), len(events))
        ticked.apply_all(events[start:end])
        ticked.snapshot(T0 + minute * M + 59)
        start = end
    got = ticked.snapshot(now).flat()
    assert got == replay(events, now)
    assert got["queue:q/today/completed"] > 0 and got["queue:q/today/exited_with_key"] > 0
