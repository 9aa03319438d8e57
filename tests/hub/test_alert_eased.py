"""An alert eased to warn by hysteresis: still in force (until ok), and every client is told
the state its figure is judged at, in the ``alert:`` entries of the views and in ``alert``
frames, as in the figure's own ``state:`` key — before and after a restart. Easing sends no
``alert`` frame (those are for a state that got worse, docs/protocol.md): only the changed
``alert:`` entry, in a delta; worse again, a new raise and its frame.

A real hub on loopback fed over its webhook, on the test's clock (tests/hub/test_alert_restart.py).
"""

from __future__ import annotations

import math
import time

from tests.hub.conftest import eventually, hello, recv, recv_until
from tests.hub.test_alert_restart import enter, gone, post_at, run_hub

__all__ = ["run_hub"]  # the fixture, used here
SUPPORT = "queue:support/now/calls_waiting"  # warn 3, alert 6, hysteresis 2


async def judged(hub, clock: dict, state: str) -> None:
    """The hub's clock a second on (events posted at a second already judged are judged at
    the next one), until it judged the support queue's figure at ``state``."""
    await post_at(hub, clock, clock["t"] + 1, [])
    await eventually(lambda: hub.snapshot.states.get("queue:support", {}).get("now", {})
                     .get("calls_waiting") == state, what=f"support judged {state}")


async def eased(hub, clock: dict, t: float) -> None:
    """6 waiting (alert); 5: held in alert by the hysteresis; 3: eased to warn, in force."""
    await post_at(hub, clock, t + 8, [enter(t + i, f"c{i}", "support") for i in range(1, 7)])
    await judged(hub, clock, "alert")
    await post_at(hub, clock, t + 12, [gone(t + 10, "c1", "support")])
    await judged(hub, clock, "alert")
    await post_at(hub, clock, t + 16, [gone(t + 14 + i, f"c{i}", "support") for i in (2, 3)])
    await judged(hub, clock, "warn")


async def says(url: str, token: str, state: str) -> None:
    """A screen connecting now is shown the alert and its figure at ``state``."""
    ws = await hello(url, token)
    view = (await recv(ws))["view"]
    assert view[f"alert:{SUPPORT}"]["state"] == view[f"state:{SUPPORT}"] == state
    await ws.close()


def alert_frames(frames: list[dict]) -> list[dict]:
    return [f["alert"] for f in frames if f.get("type") == "alert"
            and f["alert"]["key"] == SUPPORT]


async def test_an_alert_eased_to_warn_says_warn_to_every_client(run_hub, tools):
    t = math.floor(time.time() / 60) * 60 - 1800  # on the alerts' grid, today
    clock = {"t": t}
    async with run_hub(clock) as hub:
        ws = await hello(hub.ws_url, tools.MANAGER)  # follows every frame from the start
        await recv(ws)
        await eased(hub, clock, t)
        frames = await recv_until(ws, lambda f: f.get("type") == "delta" and any(
            k == f"alert:{SUPPORT}" and v["state"] == "warn" for k, v in f["set"].items()))
        raised = alert_frames(frames)[-1]  # (warn at 3 waiting, then alert at 6)
        assert raised["state"] == "alert"
        alert = hub.alerts[SUPPORT]
        assert (alert["state"], alert["since"]) == ("warn", raised["since"])  # as raised
        assert alert["text"] == "calls_waiting warn in queue:support (now)"
        assert hub.snapshot.active_alerts[SUPPORT].state == "warn"  # the engine's, copied
        await says(hub.ws_url, tools.MANAGER, "warn")
        # worse again (6 waiting): a new raise, its alert frame saying alert — and the one
        # alert frame since the easing (easing sent none)
        await post_at(hub, clock, t + 20, [enter(t + 18 + i, f"d{i}", "support")
                                           for i in range(3)])
        await judged(hub, clock, "alert")
        frames = await recv_until(ws, lambda f: f.get("type") == "alert"
                                  and f["alert"]["key"] == SUPPORT)
        assert [(a["state"], a["previous"]) for a in alert_frames(frames)] == [
            ("alert", "warn")]
        assert frames[-1]["alert"]["since"] > raised["since"]
        await ws.close()


async def test_an_eased_alert_in_force_says_warn_after_a_restart(run_hub, tools):
    t = math.floor(time.time() / 60) * 60 - 1800
    clock = {"t": t}
    async with run_hub(clock) as hub:
        await eased(hub, clock, t)
        before = dict(hub.alerts)
    assert before[SUPPORT]["state"] == "warn"
    async with run_hub(clock) as hub:  # the engine's saved state at stop
        assert hub.replayed == 0
        assert hub.snapshot.active_alerts[SUPPORT].state == "warn"
        assert hub.alerts == before
        await says(hub.ws_url, tools.MANAGER, "warn")
        await says(hub.ws_url, tools.kiosk_token("support"), "warn")
