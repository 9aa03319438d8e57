"""A screen's reading of a sped hub's clock (hub/freshness.py hub_time) never goes back while
the hub's goes on, and follows a hub restarted with another clock.

At ×60 the estimate (the figures' ``as_of`` moved on at the hub's speed) ran ahead of a frame
that came late; its ``as_of`` then put the clock on screen back (10:04:59, then 10:04:58).
"""

from __future__ import annotations

from panneau.hub.freshness import HOLD_BACK_S, HOLD_BACK_WALL_S, hub_time

T0 = 1_796_000_000.0  # on the hub's clock
W0 = 1_700_000_000.0  # on the wall's


def readings(steps: list[tuple[dict, float]]) -> list[float]:
    """The hub's times a screen reads at each ``(meta, wall)``, ``seen`` carried along."""
    seen, out = None, []
    for meta, wall in steps:
        time, seen = hub_time(meta, wall, seen)
        out.append(time)
    return out


def sped(as_of: float, speed: float = 60.0) -> dict:
    return {"as_of": as_of, "clock_speed": speed}


#: A ×60 hub whose ``as_of`` moves a minute a wall second; its second frame comes a quarter
#: of a second late, its third on time; read every eighth of a wall second.
LATE = ([(sped(T0), W0 + k / 8) for k in range(11)]
        + [(sped(T0 + 60), W0 + 1.25 + k / 8) for k in range(6)]
        + [(sped(T0 + 120), W0 + 2.0 + k / 8) for k in range(3)])


def test_a_late_frame_holds_the_time_rather_than_putting_it_back():
    times = readings(LATE)
    assert times[10] == T0 + 75.0  # ran on while the next frame was late …
    assert times[11:13] == [T0 + 75.0] * 2  # … whose as_of (T0 + 60) is held, not shown
    assert times[13:17] == [T0 + 75.0, T0 + 82.5, T0 + 90.0, T0 + 97.5]  # then runs on
    assert times[17:] == [T0 + 120.0, T0 + 127.5, T0 + 135.0]
    assert times == sorted(times)


def test_a_hub_restarted_with_another_clock_is_followed_at_once():
    back = HOLD_BACK_S + HOLD_BACK_WALL_S * 60
    times = readings([(sped(T0), W0), (sped(T0), W0 + 10.0),  # T0 + 600 shown
                      (sped(T0 + 600 - back - 1), W0 + 10.0)])
    assert times == [T0, T0 + 600, T0 + 600 - back - 1]  # a new clock: shown as it is
    held = readings([(sped(T0), W0), (sped(T0), W0 + 10.0), (sped(T0 + 600 - back), W0 + 10.0)])
    assert held == [T0, T0 + 600, T0 + 600]  # within the bound: held


def test_a_hub_at_speed_one_reads_the_wall_clock():
    steps = [({"as_of": T0}, W0), ({"as_of": T0 - 30}, W0 + 1.0), ({}, W0 + 2.0), (None, W0 + 3.0)]
    assert readings(steps) == [W0, W0 + 1.0, W0 + 2.0, W0 + 3.0]
