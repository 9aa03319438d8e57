"""When the hub publishes (panneau.hub.server.pace): events at once on a quiet hub, coalesced
under load; the hub's own clock ticks hold no event back; never more than
``max_frames_per_s`` ticks with frames in any second."""

from __future__ import annotations

import asyncio
import itertools
import random

import httpx
import pytest

from panneau.hub.config import parse_config
from panneau.hub.events import CallAnswered, CallEntered
from panneau.hub.server.app import Hub
from panneau.hub.server.pace import STEP_MARGIN_S, Pace

OFFERED = "kpi:queue:support/today/offered"
NOW = 1_795_380_003.0


def test_an_event_tick_holds_the_next_event_back_one_interval():
    pace = Pace(4.0, step_s=10.0)
    assert pace.wait(100.0, event=True) == 0.0  # quiet: at once
    pace.ran(100.0, event=True, frames=800)
    assert pace.wait(100.1, event=True) == pytest.approx(0.15)  # under load: coalesced
    assert pace.wait(100.25, event=True) == 0.0


def test_clock_ticks_and_ticks_without_frames_hold_no_event_back():
    pace = Pace(4.0, step_s=10.0)
    pace.ran(100.0, event=False, frames=800)  # the as_of step: every screen got a frame
    assert pace.wait(100.01, event=True) == 0.0
    pace.ran(100.01, event=True, frames=0)  # an event that changed nothing anyone sees
    assert pace.wait(100.02, event=True) == 0.0


def test_at_most_max_frames_per_s_ticks_with_frames_in_any_second_clock_ticks_included():
    pace = Pace(4.0, step_s=10.0)
    for t in (100.0, 100.25, 100.5):
        pace.ran(t, event=True, frames=1)
    pace.ran(100.6, event=False, frames=1)  # a clock tick fills the second
    assert pace.wait(100.75, event=True) == pytest.approx(0.25)  # until 101.0
    assert pace.wait(100.9, event=False) == pytest.approx(0.1)
    slow = Pace(0.5, step_s=10.0)  # below one a second: one tick with frames in 2 s
    slow.ran(100.0, event=False, frames=1)
    assert slow.wait(101.0, event=True) == pytest.approx(1.0)


@pytest.mark.parametrize("rate", [0.5, 1.0, 2.5, 4.0, 20.0])
def test_random_events_and_clock_ticks_never_exceed_the_rate(rate):
    """Any mix of events and clock ticks: ticks with frames never more than the rate allows
    in a window, and event ticks with frames never closer than the interval."""
    rng = random.Random(int(rate * 10))
    pace, now, starts, events = Pace(rate, step_s=10.0), 0.0, [], []
    for _ in range(3000):
        now += rng.expovariate(10.0)
        event = rng.random() < 0.8
        now += pace.wait(now, event)
        frames = rng.choice((0, 1, 50))
        pace.ran(now, event, frames)
        if frames:
            starts.append(now)
            if event:
                events.append(now)
    for i in range(len(starts) - pace.most):
        assert starts[i + pace.most] - starts[i] >= pace.window - 1e-9
    assert all(b - a >= pace.interval - 1e-9 for a, b in itertools.pairwise(events))
    assert len(starts) > 100


def test_a_clock_tick_runs_just_past_each_as_of_step_once():
    pace = Pace(4.0, step_s=10.0, idle_s=1.0)
    assert pace.clock_wait(at=95.0, clock=95.0) == 1.0  # the step is 5 s away: idle tick
    assert pace.clock_wait(at=99.5, clock=99.6) == pytest.approx(0.4 + STEP_MARGIN_S)
    pace.timed_out()  # that clock tick runs
    # a clock that stands still (tests) left the figures before the step: no second try
    assert pace.clock_wait(at=99.6, clock=99.6) == 1.0
    assert pace.clock_wait(at=100.005, clock=109.9) == pytest.approx(0.1 + STEP_MARGIN_S)
    assert pace.clock_wait(at=109.0, clock=110.3) == 0.0  # past the step already: now
    pace.clock_wait(at=111.0, clock=119.5)
    pace.clock_wait(at=111.0, clock=111.5)  # an event came first: the step is still ahead
    assert pace.clock_wait(at=111.5, clock=119.6) == pytest.approx(0.4 + STEP_MARGIN_S)


def test_the_hubs_clock_ticks_run_just_past_each_whole_second():
    """The hub's step is its alerts' grid (each whole second): a clock tick runs just past the
    next second the last tick's figures are before, whatever time the last tick ran at."""
    pace = Pace(4.0, step_s=1.0, idle_s=1.0)
    assert pace.clock_wait(at=100.0, clock=100.007) == pytest.approx(0.993 + STEP_MARGIN_S)
    pace.timed_out()
    assert pace.clock_wait(at=101.0, clock=101.006) == pytest.approx(0.994 + STEP_MARGIN_S)
    pace.clock_wait(at=101.0, clock=101.3)
    # an event's tick at 101.3 came first: its figures are of 101.3, the next second is 102
    assert pace.clock_wait(at=101.3, clock=101.32) == pytest.approx(0.68 + STEP_MARGIN_S)
    pace.timed_out()
    assert pace.clock_wait(at=101.3, clock=101.3) == 1.0  # a clock standing still: no spin


# --- a real hub: an event reaches a screen over a websocket ---------------------------------


async def test_an_event_after_the_hubs_own_ticks_reaches_a_screen_at_once(
        tmp_path, feed_pm, tools):
    """At 0.02 frames a second a tick with frames holds the next event back 50 s. The hub's
    clock ticks before the event (one a second, nothing to send) hold back nothing: the
    event's delta comes at once (every tick counted before, and it came up to 50 s late)."""
    text = tools.config_text(str(tmp_path / "hub.db"), max_frames_per_s=0.02)
    text += '[[sources]]\nname = "hook"\nplugin = "test_posted"\n'
    async with Hub(parse_config(text, "test.toml"), pm=feed_pm, clock=lambda: NOW) as hub:
        await tools.eventually(lambda: hub.supervisor.states["hook"].status == "live")
        ticks = hub.publisher.tick
        await tools.eventually(lambda: hub.publisher.tick >= ticks + 2)  # its status is out
        kiosk = await tools.hello(hub.ws_url, tools.kiosk_token("support"))
        assert (await tools.recv(kiosk))["type"] == "snapshot"
        ticks = hub.publisher.tick
        await tools.eventually(lambda: hub.publisher.tick >= ticks + 2)  # clock ticks ran
        async with httpx.AsyncClient(base_url=hub.http_url) as http:
            call = CallEntered(ts=NOW, call_id="c1", queue="support")
            answer = await http.post("/hooks/hook/events", content=tools.posted_body([call]))
            assert answer.json() == {"emitted": 1}
        frames = await tools.recv_until(
            kiosk, lambda f: f["type"] == "delta" and OFFERED in f["set"], timeout=10)
        assert frames[-1]["set"][OFFERED] == 1
        await kiosk.close()


async def test_an_event_just_after_the_hubs_own_refresh_is_not_held_back(start_hub, tools):
    """The objectives' and scorecards' refresh after a rollup write (once a minute; here asked
    at once) is the hub's own tick: an event accepted just behind it goes out without
    waiting out the interval (it waited, counted in ``panneau_publish_held_total``); an event
    just behind that event's tick is still held, and coalesced."""
    async with start_hub(feed={"count": 1}, max_frames_per_s=4.0,
                         hub_kwargs={"clock": lambda: NOW}) as hub:
        loop, pace, feed = asyncio.get_running_loop(), hub.pace, hub.supervisor.states["feed"]

        def call(name: str) -> None:
            hub._accept(feed, [CallEntered(ts=NOW, call_id=name, queue="support"),
                               CallAnswered(ts=NOW, call_id=name, queue="support",
                                            agent="ag-ann", hold_s=30.0)], None, False, NOW)

        await tools.eventually(lambda: hub._accepted >= 7, what="the feed's call")
        await hub.rollups_ready.wait()
        await hub.wait_idle()
        manager = await tools.hello(hub.ws_url, tools.MANAGER)
        offered = (await tools.recv(manager))["view"][OFFERED]
        call("before")  # moves the figures the next rollup write and the scorecards read
        await tools.recv_until(manager, lambda f: f.get("set", {}).get(OFFERED) == offered + 1)
        await tools.eventually(lambda: all(loop.time() - s >= pace.window for s in pace.sent),
                               what="a whole pacing window without frames")

        goals, tick, held = hub.goals, hub.tick, hub.metrics.publish_held
        ticks: list[tuple[int, int]] = []  # from the refresh's on: (held so far, frames)

        def tick_then_event() -> int:
            """Right after the refresh's tick, then after the next one, a call comes."""
            before = hub.metrics.publish_held
            frames = tick()
            if len(ticks) < 3 and (ticks or hub.goals is not goals):
                ticks.append((before, frames))
                if len(ticks) < 3:
                    call(f"behind-{len(ticks)}")
            return frames

        hub.tick = tick_then_event
        hub.rejudge.set()  # objectives and scorecards judged again now, as a reload asks
        await tools.recv_until(manager, lambda f: f.get("set", {}).get(OFFERED) == offered + 3)
        del hub.tick
        await manager.close()
    (refresh, refreshed), (first, _), (second, _) = ticks
    assert refreshed > 0, "the refresh's tick was to send the scorecards' frames"
    assert (refresh, first) == (held, held), "the call behind the refresh was held back"
    assert second == held + 1, "the call behind an event's tick was to coalesce"
