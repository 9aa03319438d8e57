"""An alert eased to warn by hysteresis: still in force (until ok), and every client is told
the state its figure is judged at, in the ``alert:`` entries of the views and in ``alert``
frames, as in the figure's own ``state:`` key.

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


async def test_an_alert_eased_to_warn_says_warn_to_every_client(run_hub, tools):
    t = math.floor(time.time() / 60) * 60 - 1800  # on the alerts' grid, today
    clock = {"t": t}
    async with run_hub(clock) as hub:
        await post_at(hub, clock, t + 8, [enter(t + i, f"c{i}", "support") for i in range(1, 7)])
        await judged(hub, clock, "alert")  # 6 waiting
        assert hub.alerts[SUPPORT]["state"] == "alert"
        raised = hub.alerts[SUPPORT]["since"]
        ws = await hello(hub.ws_url, tools.MANAGER)
        view = (await recv(ws))["view"]
        assert view[f"alert:{SUPPORT}"]["state"] == view[f"state:{SUPPORT}"] == "alert"
        # 5 waiting: held in alert by the hysteresis; 3: eased to warn, the alert in force
        await post_at(hub, clock, t + 12, [gone(t + 10, "c1", "support")])
        await judged(hub, clock, "alert")
        await post_at(hub, clock, t + 16, [gone(t + 14 + i, f"c{i}", "support")
                                           for i in (2, 3)])
        await judged(hub, clock, "warn")
        alert = hub.alerts[SUPPORT]
        assert (alert["state"], alert["since"]) == ("warn", raised)  # in force, as raised
        assert alert["text"] == "calls_waiting warn in queue:support (now)"
        # a client that reads the view's alert entry, not the figure's state, reads warn
        deltas = await recv_until(ws, lambda f: f.get("type") == "delta" and any(
            k == f"alert:{SUPPORT}" for k in f.get("set", {})))
        assert deltas[-1]["set"][f"alert:{SUPPORT}"]["state"] == "warn"
        await ws.close()
        ws = await hello(hub.ws_url, tools.MANAGER)
        view = (await recv(ws))["view"]
        assert view[f"alert:{SUPPORT}"]["state"] == view[f"state:{SUPPORT}"] == "warn"
        # worse again (6 waiting): a new raise, its alert frame saying alert
        await post_at(hub, clock, t + 20, [enter(t + 18 + i, f"d{i}", "support")
                                           for i in range(3)])
        await judged(hub, clock, "alert")
        frames = await recv_until(ws, lambda f: f.get("type") == "alert"
                                  and f["alert"]["key"] == SUPPORT)
        assert (frames[-1]["alert"]["state"], frames[-1]["alert"]["previous"]) == (
            "alert", "warn")
        assert frames[-1]["alert"]["since"] > raised
        await ws.close()
