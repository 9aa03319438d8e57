"""Tallies against a count straight from the adds (hypothesis): whatever the mix of adds (by
scope tuple or list, late, ahead, tables), moves of the cursor, reads, undo of the journal back
to a checkpoint and a save/load, every window and the day hold exactly the sum of the adds they
cover, a scope not reported changed (``take_dirty``) kept its sums, and the rolling windows read
for many scopes at once (``rolling_now``) are what ``counted`` reads."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from panneau.hub.engine.windows import AHEAD, ROLLING, DayClock, Journal, Sums, Tallies, merged
from tests.engine.conftest import T0

SCOPES = ["site", "queue:a", "queue:b", "team:t", "agent:x", "agent:y"]
TUPLES: list[tuple[str, ...] | list[str]] = [
    ("site", "queue:a", "team:t"), ("site", "queue:b", "team:t"), ("agent:x",), ("agent:y",),
    ["site", "agent:x"]]
START = int(T0 // 60)  # 08:00 UTC: every minute drawn stays in one day
WINDOWS = (*ROLLING, "today")

amounts = st.dictionaries(st.sampled_from(["n", "s", "t"]), st.integers(-2, 9), min_size=1,
                          max_size=3)
minutes = st.integers(-2, 1) | st.integers(-90, 1)  # from the clock's minute: mostly recent
ops = st.lists(st.one_of(
    st.tuples(st.just("add"), minutes, st.integers(0, len(TUPLES) - 1), amounts),
    st.tuples(st.just("table"), minutes,
              st.dictionaries(st.sampled_from(SCOPES), amounts, min_size=1, max_size=3)),
    st.tuples(st.just("advance"), st.integers(0, 1) | st.integers(0, 12), st.integers(0, 59)),
    st.tuples(st.just("checkpoint")), st.tuples(st.just("undo")), st.tuples(st.just("reload"))),
    min_size=10, max_size=60)


def nonzero(sums: Sums) -> Sums:
    return {k: v for k, v in sums.items() if v}


def expected(adds: list[tuple[int, tuple[str, ...], Sums]], scope: str, window: str,
             now: float) -> Sums:
    """What ``window`` of ``scope`` holds at ``now``: every add of the day for ``today`` (they
    all fall in one day, some ahead of ``now``)."""
    high = int(now // 60)
    low = high - ROLLING[window] if window != "today" else -(2**62)
    if window == "today":
        high = 2**62
    out: Sums = {}
    for minute, scopes, sums in adds:
        if scope in scopes and low < minute <= high:
            for k, v in sums.items():
                out[k] = out.get(k, 0) + v
    return nonzero(out)


# Before the first advance, an add a minute ahead of it, then one to the oldest minute of its
# 60m window (that minute was pruned against the newest add: 60m missed it, today had it).
@example([("add", 1, 0, {"n": 1}), ("add", -59, 0, {"n": 1}), ("advance", 0, 0)])
# A replay's minutes dropped before the first advance, two of one tuple: gathered for the day.
@example([("add", -90, 0, {"n": 1}), ("add", -89, 0, {"n": 2, "s": 1}), ("add", -89, 2, {"t": 1}),
          ("add", 1, 0, {"n": 4}), ("advance", 0, 0)])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_tallies_equal_the_sum_of_their_adds(steps):
    tallies = Tallies(DayClock())
    adds: list[tuple[int, tuple[str, ...], Sums]] = []  # the adds in force
    clock, now = START, None
    mark: tuple[int, int] | None = None  # (journal length, adds length) at the checkpoint
    seen: dict[str, dict[str, Sums]] = {}  # each scope's sums at the last take_dirty
    for step in steps:
        kind = step[0]
        if kind == "add":
            minute, scopes = clock + step[1], TUPLES[step[2]]
            tallies.add_minute(minute, scopes, step[3])
            adds.append((minute, tuple(scopes), step[3]))
        elif kind == "table":
            minute = clock + step[1]
            tallies.add_table(minute, step[2])
            adds += [(minute, (scope,), sums) for scope, sums in step[2].items()]
        elif kind == "advance":
            clock += step[1]
            now = clock * 60.0 + step[2]
            tallies.advance(now)
            if tallies.journal is None:
                tallies.journal = Journal()  # as the timeline does from its first advance on
            dirty = tallies.take_dirty()
            totals, current = tallies.rolling_now()  # what counted reads, for every scope
            for scope in SCOPES:
                for total, window in zip(totals, ROLLING, strict=True):
                    read = total.get(scope, {})
                    read = merged(read, current[scope]) if scope in current else read
                    assert read == tallies.counted(scope, window, now), (scope, window)
                sums = {w: nonzero(tallies.window(scope, w, now)) for w in WINDOWS}
                if scope not in dirty and scope in seen:
                    assert sums == seen[scope], scope
                seen[scope] = sums
        elif kind == "checkpoint" and tallies.journal is not None:
            mark = (len(tallies.journal), len(adds))
        elif kind == "undo" and mark is not None:
            tallies.undo_journal(mark[0])
            del adds[mark[1]:]
        elif kind == "reload":
            again = Tallies(DayClock())
            again.load_data(tallies.to_data())
            again.journal = tallies.journal
            tallies = again
        if now is not None:
            for scope in SCOPES:
                for window in WINDOWS:
                    got = nonzero(tallies.window(scope, window, now))
                    assert got == expected(adds, scope, window, now), (scope, window)
    days = tallies.day(tallies.clock.day(START * 60.0))
    for scope in SCOPES:
        assert nonzero(days.get(scope, {})) == expected(adds, scope, "today", 0.0), scope


def test_the_first_windows_are_whole_with_adds_ahead_of_them():
    """Adds before the first advance, the newest ahead of it (up to :data:`AHEAD` minutes):
    each window of that advance and the next ones holds its oldest minute, whatever the order
    of the adds (the newest add used to stand for the first advance's minute: the minutes a
    window ending earlier holds were dropped)."""
    for ahead in (1, AHEAD):
        for first in ("ahead", "oldest"):
            tallies = Tallies(DayClock())
            adds = [(START + ahead, ("site",), {"n": 1}), (START - 59, ("site",), {"n": 2}),
                    (START - 29, ("site",), {"t": 3}), (START - 14, ("site",), {"s": 4})]
            for minute, scopes, amounts in adds if first == "ahead" else adds[::-1]:
                tallies.add_minute(minute, scopes, amounts)
            now = START * 60.0
            tallies.advance(now)
            got = {w: tallies.window("site", w, now) for w in WINDOWS}
            assert got == {"15m": {"s": 4}, "30m": {"t": 3, "s": 4},
                           "60m": {"n": 2, "t": 3, "s": 4},
                           "today": {"n": 3, "t": 3, "s": 4}}, (ahead, first)
            for step in range(1, 70):  # live on, an add in the cursor's minute each time
                now += 60.0
                tallies.add_minute(int(now // 60), ("site",), {"n": step})
                adds.append((int(now // 60), ("site",), {"n": step}))
                tallies.advance(now)
                for window in WINDOWS:
                    got = nonzero(tallies.window("site", window, now))
                    assert got == expected(adds, "site", window, now), (ahead, first, step)
