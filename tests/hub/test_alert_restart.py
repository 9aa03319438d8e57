"""Alerts across a restart: a hub killed after its last save, or restarted on a changed config,
shows the alerts of a hub that never stopped, raised when they were (``since``).

Real hubs on loopback, a source fed over its webhook (real HTTP), the journal in tmp_path; the
hub's clock is the test's, so the uninterrupted run is exactly reproducible. The kill is the
one of tests/hub/test_engine_state.py: the stop's save replaced by the state saved mid-run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import sqlite3
import time
import urllib.request

import pytest

from panneau.hub.config import parse_config
from panneau.hub.events import CallAbandoned, CallEntered, Event
from panneau.hub.server.app import Hub
from tests.hub.conftest import config_text, eventually, posted_body

EXTRA = """
[[thresholds]]
kpi = "calls_waiting"
queue = "support"
warn = 3.0
alert = 6.0
hysteresis = 2.0

[[thresholds]]
kpi = "calls_waiting"
queue = "sales"
warn = 2.0
alert = 4.0

[[sources]]
name = "pbx"
plugin = "test_posted"
"""


def enter(ts: float, call: str, queue: str) -> CallEntered:
    return CallEntered(ts=ts, call_id=call, queue=queue, source_pos=call)


def gone(ts: float, call: str, queue: str) -> CallAbandoned:
    return CallAbandoned(ts=ts, call_id=call, queue=queue, wait_s=5.0, source_pos=call + "-")


def script(t: float) -> list[tuple[float, list[Event]]]:
    """(hub clock, events posted then), judged each second: support warns at t+3 (before
    the save), alerts at t+22 and holds it by hysteresis at 5 waiting; sales warns at t+42
    and is back to ok at t+53 — both after the save."""
    return [
        (t + 5, [enter(t + i, f"c{i}", "support") for i in range(1, 5)]),
        (t + 12, []),  # the state is saved here
        (t + 23, [enter(t + 21, "c5", "support"), enter(t + 22, "c6", "support")]),
        (t + 34, [gone(t + 33, "c1", "support")]),  # 6 from t+22, then 5: held
        (t + 44, [enter(t + 41 + i, f"s{i}", "sales") for i in range(3)]),
        (t + 55, [gone(t + 52 + i, f"s{i}", "sales") for i in range(3)]),
        (t + 75, []),
    ]


def post(url: str, events: list[Event]) -> None:
    request = urllib.request.Request(url + "/hooks/pbx/events", posted_body(events),
                                     method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.load(response) == {"emitted": len(events)}


async def post_at(hub, clock: dict, now: float, events: list[Event]) -> None:
    """The hub's clock at ``now``, then ``events`` posted (none: a tick asked for), until
    they are published."""
    clock["t"] = now
    if events:
        await asyncio.to_thread(post, hub.http_url, events)
    else:
        hub.mark_dirty()
    await hub.wait_idle()


@pytest.fixture
def run_hub(tmp_path, feed_pm):
    @contextlib.asynccontextmanager
    async def start(clock: dict, **settings):
        text = config_text(str(tmp_path / "hub.db"), **settings) + EXTRA
        async with Hub(parse_config(text, "test.toml"), pm=feed_pm,
                       clock=lambda: clock["t"]) as hub:
            await eventually(lambda: hub.supervisor.states["pbx"].status == "live",
                             what="the source's webhook is up")
            yield hub

    return start


def shown(hub) -> tuple[dict, dict]:
    """The alerts in force as screens get them, and the KPI states."""
    return dict(hub.alerts), hub.snapshot.states


def state_row(db) -> tuple:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT * FROM engine_state").fetchone()


def put_state_row(db, row: tuple) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT OR REPLACE INTO engine_state VALUES (?, ?, ?, ?, ?, ?)", row)


async def test_a_restart_shows_the_alerts_of_a_hub_that_never_stopped(run_hub, tmp_path):
    t = math.floor(time.time() / 60) * 60 - 1800  # on the grid; the events' day is today's
    clock = {"t": t}
    async with run_hub(clock) as hub:
        for at, events in script(t):
            await post_at(hub, clock, at, events)
            if at == t + 12:
                assert await hub.save_engine_state()
                saved = state_row(tmp_path / "hub.db")
        alerts, states = shown(hub)
    support, sales = "queue:support/now/calls_waiting", "queue:sales/now/calls_waiting"
    assert alerts[support]["since"] == t + 22  # raised after the save
    assert (alerts[support]["state"], alerts[support]["previous"]) == ("alert", "warn")
    assert states["queue:support"]["now"]["calls_waiting"] == "alert"  # 5 waiting: held
    assert sales not in alerts  # raised at t+42, ended at t+53
    assert states["queue:sales"]["now"]["calls_waiting"] == "ok"
    assert alerts["site/now/calls_waiting"]["since"] == t + 41  # warn at t+33, 6 again

    put_state_row(tmp_path / "hub.db", saved)  # killed after the save at t+12
    async with run_hub(clock) as hub:
        assert hub.replayed == 2 + 1 + 3 + 3
        assert shown(hub) == (alerts, states)
    async with run_hub(clock, min_team_size=2) as hub:  # another config: a full replay
        assert hub.replayed == 4 + 2 + 1 + 3 + 3
        assert shown(hub) == (alerts, states)
