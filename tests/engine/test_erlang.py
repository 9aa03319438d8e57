"""Erlang C against hand values and a from-scratch factorial formula."""

from __future__ import annotations

import math

import pytest

from panneau.hub import events as ev
from panneau.hub.engine.erlang import (
    agents_needed,
    erlang_c,
    expected_wait_s,
    service_level,
    staffing,
)
from tests.engine.conftest import T0


def erlang_c_direct(n: int, a: float) -> float:
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def test_hand_values():
    assert erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = load
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert expected_wait_s(1, 0.5, 100) == pytest.approx(100.0)  # rho / (1 - rho) * AHT
    assert expected_wait_s(3, 3.0, 100) is None
    assert erlang_c(3, 3.5) == 1.0


@pytest.mark.parametrize("n, a", [(5, 2.0), (12, 10.0), (30, 24.0), (60, 55.5)])
def test_matches_direct_formula(n, a):
    assert erlang_c(n, a) == pytest.approx(erlang_c_direct(n, a))


def test_agents_needed_is_the_fewest():
    load, aht, t = 24.0, 240.0, 20.0
    n = agents_needed(load, aht, t, 80.0)
    assert service_level(n, load, aht, t) >= 0.8 > service_level(n - 1, load, aht, t)
    assert agents_needed(0.0, aht, t, 80.0) == 0


def test_staffing_needs_offered_and_aht():
    assert staffing(offered=None, aht_s=100, sl_s=20, target_pct=80, agents_now=3,
                    window_s=1800) == {}
    out = staffing(offered=36, aht_s=100, sl_s=20, target_pct=80, agents_now=3, window_s=1800)
    assert out["agents_needed"] == agents_needed(2.0, 100, 20, 80)
    assert out["expected_wait_s"] == pytest.approx(expected_wait_s(3, 2.0, 100))


def test_engine_reports_staffing_per_queue(run):
    events = [ev.AgentLoggedIn(ts=T0, agent=a, queue="q") for a in ("A", "B", "C")]
    for i in range(6):
        at = T0 + 60 + i * 60
        events += [ev.CallEntered(ts=at, call_id=f"c{i}", queue="q"),
                   ev.CallAnswered(ts=at + 1, call_id=f"c{i}", queue="q", agent="A", hold_s=1),
                   ev.CallEnded(ts=at + 31, call_id=f"c{i}", queue="q", agent="A", hold_s=1,
                                talk_s=30, ended_by="agent")]
    now = T0 + 10 * 60 + 30
    snap = run(events, now)
    load = 6 / (29 * 60 + 30) * 30  # six calls over the 30m window (29.5 min covered), AHT 30
    figures = snap.values["queue:q"]["now"]
    assert figures["agents_needed"] == agents_needed(load, 30, 20, 80)
    assert figures["expected_wait_s"] == pytest.approx(expected_wait_s(3, load, 30))


def test_staffing_is_agents_needed_and_expected_wait_to_the_bit():
    """One pass of the Erlang B recursion gives exactly what the two functions give apart,
    with agents_now below, at and above the agents needed, no load, and a load no staffing
    reaches."""
    for offered in (0.0, 1.0, 36.0, 75.0, 110.0, 400.0, 3e6):
        for agents_now in (0.0, 1.0, 3.0, 7.0, 12.0, 40.0, 6000.0):
            for window_s in (1741.0, 1799.5):
                load = offered / window_s * 180.0
                out = staffing(offered=offered, aht_s=180.0, sl_s=20.0, target_pct=80.0,
                               agents_now=agents_now, window_s=window_s)
                assert out.pop("agents_needed") == float(agents_needed(load, 180.0, 20.0, 80.0))
                assert out.get("expected_wait_s") == expected_wait_s(int(agents_now), load, 180.0)
