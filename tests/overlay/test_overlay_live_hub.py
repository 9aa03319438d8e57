"""The overlay against a real hub on 127.0.0.1, fed by the simulator: privacy on the wire,
the acknowledgement round trip, the small-team rule, and the offline mark."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from websockets.asyncio.client import connect

from panneau.hub import wire
from panneau.hub.client import HubClient
from panneau.hub.config import parse_config
from panneau.hub.server.app import Hub
from panneau.overlay.app import OverlayApp
from panneau.overlay.widgets import MessageBar, StateBar, TeamLine

SUPPORT = ["alice", "bob", "carol", "dan"]
DUO = ["gina", "hugo"]  # under min_team_size: no team figures for its agents
CONFIG = """
[hub]
listen = "127.0.0.1:0"
http_listen = "127.0.0.1:0"
database = "{db}"
min_team_size = 3
clock_speed = 20.0

[[teams]]
id = "support"
name = "Support"
queues = ["support", "billing"]
agents = {support}

[[teams]]
id = "duo"
queues = ["sales"]
agents = {duo}

[[sources]]
name = "sim"
plugin = "simulator"
[sources.options]
seed = 7
tick_s = 0.2
warmup_s = 1800.0
clock_hour = 10.5
[[sources.options.teams]]
id = "support"
queues = ["support", "billing"]
agents = {support}
[[sources.options.teams]]
id = "duo"
queues = ["sales"]
agents = {duo}

[[thresholds]]
kpi = "calls_waiting"
warn = 1.0
alert = 2.0

[[thresholds]]
kpi = "aht_s"
target = 200.0
warn = 300.0
alert = 400.0

{tokens}
"""


def config_text(tmp_path) -> str:
    tokens = "\n".join(
        f'[[tokens]]\nrole = "agent"\ntoken = "token-{a}"\nagent = "{a}"\n' for a in SUPPORT + DUO)
    tokens += '[[tokens]]\nrole = "manager"\ntoken = "token-mgr"\nlabel = "Marie"\n'
    return CONFIG.format(db=tmp_path / "hub.db", support=SUPPORT, duo=DUO, tokens=tokens)


@contextlib.asynccontextmanager
async def running_hub(tmp_path) -> AsyncIterator[Hub]:
    # the watchdog out of the way: on a starved CPU one slow step of the simulator read as a
    # source blocking the loop, "sim down" until its next beat (tests/hub/test_supervision.py)
    async with Hub(parse_config(config_text(tmp_path)), block_threshold_s=60.0) as hub:
        yield hub


async def until(check: Callable[[], Any], seconds: float = 8.0, step: float = 0.05) -> Any:
    """Wait (bounded) until ``check()`` is truthy; fails the test on time-out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        await asyncio.sleep(step)
    pytest.fail(f"timed out after {seconds} s waiting for {check}")


async def frames_of(url: str, token: str, seconds: float, max_frames: int = 2000,
                    send: list[dict] | None = None, send_after: float = 0.0,
                    last: Callable[[dict], bool] | None = None) -> list[dict]:
    """Every frame one connection receives for ``seconds`` (bounded) or up to the frame
    ``last`` accepts, decoded; ``send`` is sent ``send_after`` seconds after hello."""
    frames: list[dict] = []
    async with connect(url, max_size=None) as ws:
        await ws.send(wire.encode({"type": "hello", "v": wire.VERSION, "token": token}))
        await asyncio.sleep(send_after)
        for frame in send or ():
            await ws.send(wire.encode(frame))
        deadline = time.monotonic() + seconds
        while len(frames) < max_frames and (left := deadline - time.monotonic()) > 0:
            try:
                data = await asyncio.wait_for(ws.recv(), left)
            except TimeoutError:
                break
            frames.append(wire.decode_hub(data))
            if last is not None and last(frames[-1]):
                break
    return frames


def tokens(obj: Any) -> set[str]:
    """Every identifier-like word in keys and string values, however deeply nested."""
    found: set[str] = set()
    if isinstance(obj, dict):
        for key, value in obj.items():
            found |= tokens(key) | tokens(value)
    elif isinstance(obj, list | tuple):
        for item in obj:
            found |= tokens(item)
    elif isinstance(obj, str):
        found |= set(re.split(r"[:/\s,;.]+", obj))
    return found


async def test_agent_wire_carries_no_colleague(tmp_path):
    async with running_hub(tmp_path) as hub:
        await until(lambda: hub.snapshot is not None and hub.snapshot.agents, 10)
        manager = HubClient(hub.ws_url, "token-mgr")
        sent = [{"type": "send_message", "text": "Huddle at 11", "team": "support",
                 "expires_s": 600},
                {"type": "send_message", "text": "Bob, see me", "agent": "bob",
                 "expires_s": 600}]
        manager_frames, bob_frames, alice_frames = await asyncio.gather(
            frames_of(hub.ws_url, "token-mgr", 3.0, send=sent, send_after=1.0),
            frames_of(hub.ws_url, "token-bob", 3.0),
            frames_of(hub.ws_url, "token-alice", 4.0),
        )
        team_msg = next(f["id"] for f in manager_frames if f["type"] == "ok")
        bob_ack = await frames_of(hub.ws_url, "token-bob", 1.0,
                                  send=[{"type": "ack", "message_id": team_msg}])
        alice_frames += await frames_of(hub.ws_url, "token-alice", 1.5)
        await manager.close()
    kinds = {f["type"] for f in alice_frames}
    assert {"snapshot", "delta", "message"} <= kinds, kinds
    assert any(f["type"] == "ok" for f in bob_ack)
    seen_by_alice = tokens(alice_frames)
    colleagues = set(SUPPORT + DUO) - {"alice"}
    assert "alice" in seen_by_alice
    assert not seen_by_alice & colleagues, seen_by_alice & colleagues
    assert "Bob, see me" not in str(alice_frames)
    agent_keys = {k for f in alice_frames for k in {**f.get("view", {}), **f.get("set", {})}
                  if k.startswith(("kpi:agent:", "agent:", "state:agent:", "target:agent:"))}
    assert agent_keys and all(re.match(r"^(\w+:)?agent:alice[/]?", k) for k in agent_keys)
    # the same detector does see colleagues on a manager's connection and on bob's own
    assert colleagues & tokens(manager_frames)
    assert "bob" in tokens(bob_frames) and "alice" not in tokens(bob_frames)


async def test_acknowledge_round_trip_manager_sees_who_read(tmp_path):
    async with running_hub(tmp_path) as hub:
        manager = HubClient(hub.ws_url, "token-mgr")
        follow = asyncio.create_task(_drain(manager))
        app = OverlayApp(HubClient(hub.ws_url, "token-alice"), tick_s=0.1)
        async with app.run_test(size=(60, 15)) as pilot:
            await until(lambda: manager.connected and app.client.connected)
            await manager.send({"type": "send_message", "text": "Huddle at 11",
                                "team": "support", "expires_s": 600})
            bar = app.screen.query_one(MessageBar)
            await until(lambda: "Huddle at 11" in str(bar.render()))
            assert "[a] ok" in str(bar.render())
            await pilot.press("a")
            msg_id = next(iter(app.acked_here))
            acked = await until(lambda: manager.view.values.get(f"message:{msg_id}", {})
                                .get("acked_by"))
            assert acked == ["alice"]
            await until(lambda: not bar.display)  # gone once the hub confirms
            assert app.client.view.values[f"message:{msg_id}"]["acked_by"] == ["alice"]
        await manager.close()
        follow.cancel()


async def test_overlay_live_offline_and_back_when_the_hub_restarts(tmp_path):
    hub = Hub(parse_config(config_text(tmp_path)))
    await hub.start()
    app = OverlayApp(HubClient(hub.ws_url, "token-alice", backoff_max=1.0), tick_s=0.1)
    again = None
    try:
        async with app.run_test(size=(60, 15)):
            state = app.screen.query_one(StateBar)
            await until(lambda: "● live" in str(state.render()))
            model = app.overlay.model
            assert model.agent == "alice" and model.team_name == "Support"
            assert not model.team_hidden
            await until(lambda: any(f.value is not None for f in app.overlay.model.figures))
            port = hub.ws_port
            await hub.stop()
            await until(lambda: "⚠ offline" in str(state.render()))
            text = config_text(tmp_path).replace('listen = "127.0.0.1:0"',
                                                 f'listen = "127.0.0.1:{port}"', 1)
            again = Hub(parse_config(text))
            await again.start()
            await until(lambda: "● live" in str(state.render()), 15)
            await app.client.close()
    finally:
        await hub.stop()
        if again is not None:
            await again.stop()


async def test_the_overlay_reads_the_time_of_a_hub_whose_clock_runs_faster(tmp_path):
    """``clock_speed = 20``: the agent's state ``since``, a message's expiry are on the hub's
    clock, ahead of the wall's; worked out on the wall clock, "On call 0:00" stood still
    while the hub's call went on. The overlay reads the hub's time from what it sends."""
    async with running_hub(tmp_path) as hub:
        app = OverlayApp(HubClient(hub.ws_url, "token-alice"), tick_s=0.1)
        async with app.run_test(size=(60, 15)):
            await until(lambda: app.view.meta.get("clock_speed") == 20.0)
            await until(lambda: hub.clock() - time.time() > 3 * 20.0)  # 3 wall seconds on
            await until(lambda: abs(app.clock() - hub.clock()) < 20.0)  # a wall second's
            await app.client.close()


async def test_small_team_agent_gets_no_team_figures(tmp_path):
    async with running_hub(tmp_path) as hub:
        frames = await frames_of(hub.ws_url, "token-gina", 2.0)
        app = OverlayApp(HubClient(hub.ws_url, "token-gina"), tick_s=0.1)
        async with app.run_test(size=(40, 10)):
            await until(lambda: app.client.view.meta)
            assert app.overlay.model.team_hidden
            await until(lambda: "small team" in str(app.screen.query_one(TeamLine).render()))
            await app.client.close()
    keys = {k for f in frames for k in {**f.get("view", {}), **f.get("set", {})}}
    assert not [k for k in keys if "team:duo" in k]
    assert any(k.startswith("kpi:queue:sales/") for k in keys)  # the queue line still shows
    assert frames[0]["view"]["meta"]["team_figures"] is False


async def _drain(client: HubClient) -> None:
    async for _ in client.updates():
        pass


async def test_console_sends_a_message_and_sees_who_read_it(tmp_path):
    from panneau.console.app import ConsoleApp

    async with running_hub(tmp_path) as hub:
        app = ConsoleApp(HubClient(hub.ws_url, "token-mgr"), tick_s=0.1)
        async with app.run_test(size=(100, 24)) as pilot:
            await until(lambda: app.client.connected)
            app.screen.query_one("#compose").value = "@support Huddle at 11"
            await pilot.press("enter")
            row = await until(lambda: next(
                (cells for _, cells in app.screen.model.messages), None))
            assert [c.text for c in row[:2]] == ["Huddle at 11", "support"]
            assert row[3].text == "none yet"
            msg_id = app.screen.model.messages[0][0]
            replies = await frames_of(hub.ws_url, "token-alice", 60.0, send_after=0.3,
                                      send=[{"type": "ack", "message_id": msg_id}],
                                      last=lambda f: f["type"] == "ok")  # not 1 s: a busy CI
            assert any(f["type"] == "ok" for f in replies)
            await until(lambda: app.screen.model.messages[0][1][3].text == "1: alice")
            await app.client.close()


async def test_status_line_once_for_tmux(tmp_path):
    from panneau.overlay.statusline import status_line

    async with running_hub(tmp_path) as hub:
        line = await status_line(hub.ws_url, "token-alice", width=200, timeout_s=5)
        refused = await status_line(hub.ws_url, "token-nobody", timeout_s=5)
    assert "Q " in line and "offline" not in line and "#[" in line
    assert not tokens(line) & (set(SUPPORT + DUO) - {"alice"})
    assert "refused" in refused
    unreachable = await status_line("ws://127.0.0.1:9", "token-alice", timeout_s=0.5)
    assert "⚠ offline" in unreachable
