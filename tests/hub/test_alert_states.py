"""A screen never contradicts itself: at every frame it receives, a figure in warn or alert has
its alert, and an alert in force has its figure in warn or alert.

A real hub on loopback with the test's clock, events posted to a source's webhook (real
HTTP), a manager's, a team kiosk's and an agent's screens (real websockets, ``HubClient``),
each checked after every frame. The figures cross their levels between two whole seconds
of event time, where the engine judges the thresholds: a figure's new state must wait for
its alert.
"""

from __future__ import annotations

import asyncio
import math
import time

from panneau.hub.client import HubClient
from panneau.hub.view import ViewState
from tests.hub.conftest import MANAGER, agent_token, eventually, kiosk_token
from tests.hub.test_alert_restart import enter, gone, post_at, run_hub  # noqa: F401  run_hub: the hub

KEY = "queue:support/now/calls_waiting"  # warn at 3, alert at 6 (tests.hub.conftest)


def contradictions(view: ViewState) -> list[str]:
    """What the view says twice and differently: a figure in warn or alert without its
    alert, an alert whose figure is ok (or gone)."""
    found = []
    states = dict(view.items("state:"))
    alerts = dict(view.items("alert:"))
    for key, state in states.items():
        if state in ("warn", "alert") and key not in alerts:
            found.append(f"{key} is {state} without its alert")
    for key in alerts:
        if states.get(key) not in ("warn", "alert"):
            found.append(f"{key} alerting while its figure is {states.get(key)}")
    return found


class Screen:
    """A screen following every frame, noting each one after which its view contradicts
    itself."""

    def __init__(self, url: str, token: str) -> None:
        self.client = HubClient(url, token)
        self.frames = 0
        self.bad: list[tuple[int, str, list[str]]] = []
        self.task = asyncio.create_task(self._follow())

    async def _follow(self) -> None:
        async for update in self.client.updates():
            if update.kind in ("snapshot", "delta", "alert"):
                self.frames += 1
                if found := contradictions(self.client.view):
                    self.bad.append((self.frames, update.kind, found))

    @property
    def view(self) -> ViewState:
        return self.client.view

    async def close(self) -> None:
        await self.client.close()
        await asyncio.wait_for(self.task, 10)


async def test_tile_states_and_alerts_agree_at_every_frame(run_hub):  # noqa: F811
    t = math.floor(time.time() / 60) * 60 - 1800  # on the grid; the events' day is today's
    clock = {"t": t}
    async with run_hub(clock) as hub:
        screens = [Screen(hub.ws_url, token) for token in (
            MANAGER, kiosk_token("support"), agent_token("ag-ann"))]
        try:
            await eventually(lambda: all(s.view.meta for s in screens), what="snapshots")

            async def at(now: float, events: list, waiting: float) -> None:
                """The clock at ``now``, ``events`` posted (or a tick asked for), until
                every screen shows ``waiting`` calls in support."""
                await post_at(hub, clock, now, events)
                await eventually(lambda: all(s.view.kpi("queue:support", "now", "calls_waiting")
                                             == waiting for s in screens),
                                 what=f"{waiting} waiting on every screen")

            def alert_state() -> list:
                return [(s.view.state("queue:support", "now", "calls_waiting"),
                         dict(s.view.items("alert:")).get(KEY, {}).get("state"))
                        for s in screens]

            # 3 waiting at t+0.5: warn, judged at t+1 only (the tile waits for it)
            await at(t + 0.5, [enter(t + 0.1 + i / 10, f"c{i}", "support") for i in range(3)], 3)
            assert hub.snapshot.at == t + 0.5  # t judged at the start: the tick's own time
            clock["t"] = t + 1.5
            hub.tick()  # crosses t+1: lands there, judged and shown in one advance
            assert hub.snapshot.at == hub.engine.thresholds.judged == t + 1
            await eventually(lambda: alert_state() == [("warn", "warn")] * 3, what="warn")
            # 6 waiting at t+2.5: alert at t+3
            await at(t + 2.5, [enter(t + 2.1 + i / 10, f"d{i}", "support") for i in range(3)], 6)
            await at(t + 3.5, [], 6)
            await eventually(lambda: alert_state() == [("alert", "alert")] * 3, what="alert")
            # everybody gone at t+4.5: ok, and the alert ended, at t+5
            calls = [f"c{i}" for i in range(3)] + [f"d{i}" for i in range(3)]
            await at(t + 4.5, [gone(t + 4.2, call, "support") for call in calls], 0)
            await at(t + 5.5, [], 0)
            await eventually(lambda: alert_state() == [("ok", None)] * 3, what="back to ok")
        finally:
            for screen in screens:
                await screen.close()
    assert all(screen.frames >= 6 for screen in screens)
    assert [screen.bad for screen in screens] == [[], [], []]
