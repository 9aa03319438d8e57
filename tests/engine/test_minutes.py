"""An event's minute: ``int(ts) // 60`` (voice.py) is ``int(ts // 60)`` for every time an event
may hold (0..3000 AD, checked when it is built), floats and ints alike."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from panneau.hub import events as ev
from panneau.hub.events import TS_MAX, TS_MIN
from tests.engine.conftest import T0

_EDGES = [TS_MIN, 5e-324, math.nextafter(60.0, 0.0), 60.0, math.nextafter(T0, 0.0), T0,
          math.nextafter(T0 + 60, 0.0), T0 + 59.999999, math.nextafter(TS_MAX, 0.0), TS_MAX]


@given(st.one_of(st.floats(TS_MIN, TS_MAX), st.integers(int(TS_MIN), int(TS_MAX)),
                 st.sampled_from(_EDGES)))
@example(T0 + 0.5)
def test_the_minute_of_an_event_time_is_its_whole_seconds_minute(ts):
    assert int(ts) // 60 == int(ts // 60)


@pytest.mark.parametrize("ts", [-0.5, -60.5, math.nextafter(TS_MIN, -1.0)])
def test_times_where_they_differ_are_never_an_events(ts):
    assert int(ts) // 60 != int(ts // 60)
    with pytest.raises(ev.InvalidEvent):
        ev.CallEntered(ts=ts, call_id="c", queue="q")


def test_a_call_a_hair_before_the_minute_counts_in_the_minute_before(run):
    before = ev.CallEntered(ts=math.nextafter(T0 + 60, 0.0), call_id="a", queue="q")
    at = ev.CallEntered(ts=T0 + 60, call_id="b", queue="q")
    snap = run([before, at], T0 + 15 * 60 + 30)  # 15m: minutes 1..15
    assert snap.get("queue:q", "15m", "offered") == 1
    assert snap.get("queue:q", "today", "offered") == 2
