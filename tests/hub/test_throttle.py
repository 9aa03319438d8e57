"""Failed authentications throttled per source address (panneau.hub.server.throttle)."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from panneau.hub import wire
from panneau.hub.server.throttle import AuthThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_ban_starts_at_the_limit_within_the_window_and_ends_after_ban_s():
    clock = Clock()
    throttle = AuthThrottle(limit=3, window_s=10, ban_s=60, clock=clock)
    assert [throttle.fail("10.0.0.2") for _ in range(2)] == [False, False]
    clock.now += 11  # those two left the window
    assert [throttle.fail("10.0.0.2") for _ in range(3)] == [False, False, True]
    assert throttle.is_banned("10.0.0.2") and not throttle.is_banned("10.0.0.3")
    assert throttle.fail("10.0.0.2") is False  # already banned: not a new ban
    assert (throttle.failures_total, throttle.bans_total, throttle.banned()) == (6, 1, 1)
    clock.now += 60
    assert not throttle.is_banned("10.0.0.2") and throttle.banned() == 0


def test_the_table_stays_bounded_under_many_addresses(monkeypatch):
    from panneau.hub.server import throttle as module

    monkeypatch.setattr(module, "MAX_TRACKED", 100)
    clock = Clock()
    throttle = AuthThrottle(limit=5, window_s=10, ban_s=60, clock=clock)
    for i in range(1000):
        throttle.fail(f"10.0.{i // 256}.{i % 256}")
    assert len(throttle.failures) <= 100


async def bad_hello(url: str, source: str) -> str:
    """One hello with a wrong token from ``source``; how the hub answered."""
    try:
        async with connect(url, local_addr=(source, 0), open_timeout=5) as ws:
            await ws.send(wire.encode({"type": "hello", "v": 1, "token": "guess-1234-5678"}))
            await ws.recv()
    except InvalidStatus as exc:
        return f"http {exc.response.status_code}"
    except ConnectionClosed as exc:
        return f"closed {exc.rcvd.code if exc.rcvd else None}"
    return "answered"


async def test_fifty_bad_hellos_ban_that_address_only(start_hub, tools, caplog):
    caplog.set_level(logging.INFO)
    settings = {"auth_fail_limit": 10, "auth_fail_window_s": 60.0, "auth_ban_s": 600.0}
    async with start_hub(feed={"count": 0, "interval_s": 0.01}, **settings) as hub:
        kiosk = await tools.hello(hub.ws_url, tools.kiosk_token("support"))
        first = await tools.recv(kiosk)
        seqs = [first["seq"]]

        async def follow() -> None:
            while True:
                frame = await tools.recv(kiosk)
                if frame["type"] == "delta":
                    seqs.append(frame["seq"])

        follower = asyncio.create_task(follow())
        answers = [await bad_hello(hub.ws_url, "127.0.0.2") for _ in range(50)]
        assert answers[:10] == ["closed 4001"] * 10
        assert answers[10:] == ["http 429"] * 40
        # 127.0.0.1 is not affected: a new screen gets in, the open one goes on.
        agent = await tools.hello(hub.ws_url, tools.agent_token("ag-ann"))
        assert (await tools.recv(agent))["type"] == "snapshot"
        await agent.close()
        seen = len(seqs)
        async with asyncio.timeout(10):
            while len(seqs) < seen + 5:
                await asyncio.sleep(0.01)
        follower.cancel()
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # every delta, no gap
        async with httpx.AsyncClient() as http:
            metrics = (await http.get(hub.http_url + "/metrics")).text
        assert "panneau_auth_failures_total 10" in metrics
        assert "panneau_auth_bans_total 1" in metrics
        assert "panneau_auth_refused_total 40" in metrics
        await kiosk.close()
    bans = [r for r in caplog.records if "refusing 127.0.0.2" in r.getMessage()]
    assert len(bans) == 1 and "600 s" in bans[0].getMessage()
    for secret in ("guess-1234-5678", tools.kiosk_token("support"), tools.agent_token("ag-ann")):
        assert secret not in caplog.text  # tokens are never logged


@pytest.mark.parametrize("role", ["manager", "kiosk"])
async def test_no_token_reaches_a_screen_or_the_status(start_hub, tools, role):
    token = tools.MANAGER if role == "manager" else tools.kiosk_token("support")
    async with start_hub(feed={"count": 3}) as hub:
        ws = await tools.hello(hub.ws_url, token)
        # the feed's events may all be in the snapshot: then the first delta is the next clock
        # step's (up to 10 s away), so the wait is bounded by that, not by a busy machine's pace
        frames = await tools.recv_until(ws, lambda f: f["type"] == "delta", timeout=30.0)
        await ws.close()
        health = hub.health()
    every = repr(frames) + repr(health)
    for other in (tools.MANAGER, tools.kiosk_token("support"), tools.agent_token("ag-ann")):
        assert other not in every


async def test_bad_tokens_on_the_reporting_api_count_towards_the_same_ban(start_hub, tools):
    async with start_hub(auth_fail_limit=3, auth_fail_window_s=60.0, auth_ban_s=600.0) as hub:
        transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
        async with httpx.AsyncClient(transport=transport, base_url=hub.http_url) as other:
            statuses = [(await other.get("/api/v1/scopes", headers={
                "Authorization": "Bearer guess-1234-5678"})).status_code for _ in range(4)]
            assert statuses == [401, 401, 401, 429]
            right = await other.get("/api/v1/scopes",
                                    headers={"Authorization": f"Bearer {tools.MANAGER}"})
            assert right.status_code == 429 and "too many failed tokens" in right.text
        assert await bad_hello(hub.ws_url, "127.0.0.2") == "http 429"  # the websocket too
        async with httpx.AsyncClient(base_url=hub.http_url) as local:
            ok = await local.get("/api/v1/scopes",
                                 headers={"Authorization": f"Bearer {tools.MANAGER}"})
            assert ok.status_code == 200  # 127.0.0.1 is not affected
            metrics = (await local.get("/metrics")).text
        assert "panneau_auth_failures_total 3" in metrics
        assert "panneau_auth_bans_total 1" in metrics
