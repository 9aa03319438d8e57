"""A ``meta.as_of`` step tick never holds an event's frame back: its frames go out a slice at
a time, and an event that comes before the last goes out ahead of the rest, in frames of the
event alone; the step's ``meta`` follows (real hub, real sockets, a clock the test moves)."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from panneau.hub.events import CallEntered
from panneau.hub.server import app as hub_app
from panneau.hub.server.views import AS_OF_STEP_S

WAITING = "kpi:queue:support/now/calls_waiting"


async def test_an_event_during_a_step_tick_goes_out_ahead_of_the_step(
        start_hub, tools, monkeypatch):
    monkeypatch.setattr(hub_app, "SWEEP_SLICE_S", 0.0)  # one screen's frame a slice
    step = (math.floor(time.time() / AS_OF_STEP_S) + 1) * AS_OF_STEP_S
    clock = [step - AS_OF_STEP_S / 2]
    async with start_hub(feed={"count": 1}, hub_kwargs={"clock": lambda: clock[0]}) as hub:
        await tools.eventually(lambda: hub._accepted >= 6, what="the feed's call")  # 5 logins
        await hub.rollups_ready.wait()  # the scorecards' frame is not the test's
        await hub.wait_idle()
        tokens = [tools.MANAGER, tools.kiosk_token("support"), tools.kiosk_token("sales"),
                  *(tools.agent_token(a) for team in tools.AGENTS.values() for a in team)]
        screens = {token: await tools.hello(hub.ws_url, token) for token in tokens}
        seen: dict[str, dict[str, Any]] = {}
        for token, ws in screens.items():
            snapshot = await tools.recv(ws)
            assert snapshot["type"] == "snapshot"
            seen[token] = snapshot["view"]
        old_as_of = seen[tools.MANAGER]["meta"]["as_of"]
        sees_queue = {t for t, view in seen.items() if WAITING in view}
        assert len(sees_queue) == 5  # the manager, the support kiosk and its three agents
        waiting = seen[tools.MANAGER][WAITING]

        sweep, swept = hub.publisher.sweep, []

        def sweep_then_event(budget_s: float) -> int:
            """The first slice of the step's frames goes out, then a call comes in."""
            built = sweep(budget_s)
            if not swept:
                swept.append(built)
                hub._accept(hub.supervisor.states["feed"], [CallEntered(
                    ts=clock[0], call_id="during-step", queue="support")], None, False,
                    clock[0])
            return built

        hub.publisher.sweep = sweep_then_event
        clock[0] = step + 0.01  # the next clock tick carries the step
        frames: dict[str, list[dict[str, Any]]] = {}
        for token, ws in screens.items():
            def done(frame, token=token):
                view = seen[token]
                if frame["type"] == "delta":
                    view.update(frame["set"])
                return view["meta"]["as_of"] != old_as_of and (
                    token not in sees_queue or view[WAITING] == waiting + 1)

            frames[token] = [f for f in await tools.recv_until(ws, done, timeout=15)
                             if f["type"] == "delta"]
        del hub.publisher.sweep
        for ws in screens.values():
            await ws.close()

    assert swept == [1], "the step tick was to pause after one screen's frame"

    def seq_of(token: str, key: str, test) -> int:
        return next(f["seq"] for f in frames[token] if key in f["set"] and test(f["set"][key]))

    stepped = {t: seq_of(t, "meta", lambda m: m["as_of"] == step) for t in tokens}
    called = {t: seq_of(t, WAITING, lambda n: n == waiting + 1) for t in sees_queue}
    alone = {t for t in sees_queue if stepped[t] < called[t]}
    # the screen the step reached before the call came got its step first; every other
    # screen that sees the queue got the call first, in a frame without the step's meta
    assert len(alone) <= 1, f"{sorted(alone)} got the step without the call, ahead of it"
    ahead = {t for t in sees_queue - alone if called[t] < stepped[t]}
    assert ahead == sees_queue - alone, f"{sorted(sees_queue - alone - ahead)} got both at once"
    for t in ahead:
        frame = next(f for f in frames[t] if f["seq"] == called[t])
        assert "meta" not in frame["set"]


async def test_a_source_woken_during_a_step_sweep_gets_in_before_the_next_slice(
        start_hub, tools, monkeypatch):
    """A source task woken while a slice of the step's frames goes out (by a timer here; a
    socket's data wakes it the same way: a callback, then the task's step) has its event in
    before the sweep's next slice: the sweep lets the loop turn until it has run."""
    monkeypatch.setattr(hub_app, "SWEEP_SLICE_S", 0.0)  # one screen's frame a slice
    step = (math.floor(time.time() / AS_OF_STEP_S) + 1) * AS_OF_STEP_S
    clock = [step - AS_OF_STEP_S / 2]
    async with start_hub(feed={"count": 1}, hub_kwargs={"clock": lambda: clock[0]}) as hub:
        await tools.eventually(lambda: hub._accepted >= 6, what="the feed's call")  # 5 logins
        await hub.rollups_ready.wait()
        await hub.wait_idle()
        tokens = [tools.MANAGER, tools.kiosk_token("support"), tools.kiosk_token("sales"),
                  *(tools.agent_token(a) for team in tools.AGENTS.values() for a in team)]
        screens = [await tools.hello(hub.ws_url, token) for token in tokens]
        for ws in screens:
            assert (await tools.recv(ws))["type"] == "snapshot"

        woken, slices, ticks = asyncio.Event(), [], []
        sweep, publish = hub.publisher.sweep, hub.publisher.publish

        async def source() -> None:
            await woken.wait()  # a source waiting for its input
            hub._accept(hub.supervisor.states["feed"], [CallEntered(
                ts=clock[0], call_id="woken", queue="support")], None, False, clock[0])

        def sweep_then_wake(budget_s: float) -> int:
            built = sweep(budget_s)
            slices.append(built)
            if len(slices) == 1:  # the input comes while the first slice goes out
                asyncio.get_running_loop().call_later(0.0, woken.set)
            return built

        def noted_publish(topics) -> int:
            ticks.append((len(slices), task.done()))
            return publish(topics)

        task = asyncio.create_task(source())
        hub.publisher.sweep, hub.publisher.publish = sweep_then_wake, noted_publish
        clock[0] = step + 0.01  # the next clock tick carries the step
        await tools.eventually(lambda: any(done for _, done in ticks), what="the event's tick")
        await tools.eventually(lambda: not hub.publisher.sweeping, what="the rest of the step")
        del hub.publisher.sweep, hub.publisher.publish
        await task
        for ws in screens:
            await ws.close()

    at = next(n for n, done in ticks if done)
    assert at == 1, f"the event's tick came after {at} slices of the step's frames, not 1"
    assert len(slices) > 3, "the step's sweep was to have slices left after the event"
