"""A reloaded ``[[tokens]]`` list reaches the sessions already open with those tokens."""

from __future__ import annotations

import asyncio

import pytest
from websockets.exceptions import ConnectionClosed

from panneau.hub import wire
from panneau.hub.client import HubClient
from panneau.hub.config import load_config
from panneau.hub.server.app import Hub


def _agent_keys(view: dict) -> set[str]:
    return {key.split("/")[0] for key in view if key.startswith("agent:")}


@pytest.fixture
def config_file(tmp_path, tools):
    path = tmp_path / "panneau.toml"
    path.write_text(tools.config_text(str(tmp_path / "hub.db"), {"count": 0, "interval_s": 0.02}))
    return path


async def _closed(ws) -> None:
    """Read frames until the hub closes ``ws`` (bounded)."""
    with pytest.raises(ConnectionClosed):
        async with asyncio.timeout(10):
            while True:
                await ws.recv()


async def test_a_removed_token_closes_its_sessions_and_a_changed_one_moves_them(
        config_file, feed_pm, tools):
    ann, ben = tools.agent_token("ag-ann"), tools.agent_token("ag-ben")
    async with Hub(load_config(config_file), pm=feed_pm, config_path=config_file) as hub:
        ann_ws = await tools.hello(hub.ws_url, ann)
        ben_ws = await tools.hello(hub.ws_url, ben)
        sales_ws = await tools.hello(hub.ws_url, tools.kiosk_token("sales"))
        ben_first = await tools.recv(ben_ws)
        assert _agent_keys(ben_first["view"]) == {"agent:ag-ben"}
        assert (await tools.recv(sales_ws))["type"] == "snapshot"
        ann_client = HubClient(hub.ws_url, ann, backoff_min=0.05, backoff_max=0.2)
        updates = ann_client.updates()
        assert (await anext(updates)).kind == "connected"

        # in one write: ann's token leaves the file; ben's token is now cid's
        text = config_file.read_text()
        gone = f'[[tokens]]\nrole = "agent"\ntoken = "{ann}"\nagent = "ag-ann"\n'
        moved = f'token = "{ben}"\nagent = "ag-ben"'
        assert gone in text and moved in text
        config_file.write_text(text.replace(gone, "").replace(
            moved, f'token = "{ben}"\nagent = "ag-cid"'))

        await _closed(ann_ws)  # the raw session is closed by the hub, with its reason
        assert (ann_ws.close_code, ann_ws.close_reason) == (4005, "token revoked")
        async with asyncio.timeout(10):  # the screen's client says so, then is refused
            kinds = []
            async for update in updates:
                kinds.append((update.kind, update.frame.get("code")))
                if update.frame.get("code") == wire.CLOSE_BAD_TOKEN:
                    break
        assert ("rejected", 4005) in kinds and kinds[-1] == ("rejected", 4001)
        assert ann_client.close_reason == "unknown token"
        await ann_client.close()

        # ben's connection stays open and now shows cid's figures, never ben's again
        frames = await tools.recv_until(ben_ws, lambda f: f["type"] == "snapshot", timeout=10)
        moved = frames[-1]
        assert _agent_keys(moved["view"]) == {"agent:ag-cid"}
        assert moved["view"]["meta"]["identity"] != ben_first["view"]["meta"]["identity"]
        frame = await tools.recv_until(ben_ws, lambda f: f["type"] == "delta", timeout=10)
        assert not any(k.startswith("agent:ag-ben") for k in frame[-1].get("set", {}))
        assert ben_ws.close_code is None
        assert [c.audience.key for c in hub.publisher.clients()
                if c.audience.role == "agent"] == ["agent:ag-cid"]

        # a session whose token did not change is left alone: deltas, no new snapshot
        sales = next(s for a, s in hub.publisher.audiences.items() if a.team == "sales")
        seq_at_reload = sales.seq
        later = await tools.recv_until(
            sales_ws, lambda f: f["type"] == "delta" and f["seq"] > seq_at_reload, timeout=10)
        assert all(f["type"] != "snapshot" for f in later) and sales_ws.close_code is None
        assert hub.publisher.metrics.clients_dropped["token revoked"] == 2  # raw + HubClient
        for ws in (ben_ws, sales_ws):
            await ws.close()


async def test_a_reload_on_request_revokes_a_manager_token(config_file, feed_pm, tools):
    """The same through what ``kill -HUP`` calls (the file watcher is kept out of the way)."""
    hub = Hub(load_config(config_file), pm=feed_pm, config_path=config_file)
    hub.reloader.poll_s = 3600.0
    async with hub:
        boss = await tools.hello(hub.ws_url, tools.MANAGER)
        assert (await tools.recv(boss))["type"] == "snapshot"
        text = config_file.read_text()
        config_file.write_text(text.replace(tools.MANAGER, "manager-token-2"))
        assert hub.reloader.reload_file().live == ("tokens",)
        await _closed(boss)
        assert (boss.close_code, boss.close_reason) == (4005, "token revoked")
