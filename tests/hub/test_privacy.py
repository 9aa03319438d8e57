"""An agent connection never receives another agent's id or figures (simulator-driven)."""

import asyncio
import re

from panneau.hub import wire
from panneau.hub.plugins import make_plugin_manager
from panneau.hub.server.app import Hub
from panneau.plugins.simulator.demo import DEMO_MANAGER_TOKEN, agent_token, demo_config


def words(value) -> set[str]:
    """Every alphanumeric word in the keys and values of a decoded frame."""
    if isinstance(value, dict):
        return set().union(*(words(k) | words(v) for k, v in value.items())) if value else set()
    if isinstance(value, list):
        return set().union(*(words(v) for v in value)) if value else set()
    if isinstance(value, str):
        return {w for w in re.split(r"[^a-z0-9]+", value.lower()) if w}
    return set()


async def _collect(ws, frames, stop):
    while not stop.is_set():
        try:
            frames.append(wire.decode_hub(await asyncio.wait_for(ws.recv(), 0.2)))
        except TimeoutError:
            continue


async def test_agents_receive_only_their_own_and_their_teams_figures(tmp_path, tools):
    config = demo_config(database=str(tmp_path / "p.db"), listen="127.0.0.1:0",
                         http_listen="127.0.0.1:0", scenario="incident", speed=40.0, seed=3)
    config.hub.max_frames_per_s = 20.0
    agents = [a for t in config.teams for a in t.agents]
    async with Hub(config, pm=make_plugin_manager(load_entry_points=False)) as hub:
        conns = {a: await tools.hello(hub.ws_url, agent_token(a)) for a in agents}
        frames: dict[str, list] = {a: [] for a in agents}
        stop = asyncio.Event()
        tasks = [asyncio.create_task(_collect(conns[a], frames[a], stop)) for a in agents]
        manager = await tools.hello(hub.ws_url, DEMO_MANAGER_TOKEN)
        await tools.recv(manager)
        for target in ({"agent": "bob"}, {"team": "sales"}, {}):
            await manager.send(wire.encode({"type": "send_message", "text": "Huddle now",
                                            "expires_s": 600, **target}))
        def got(agent: str, to: dict) -> bool:
            return any(f["type"] == "message" and f["message"]["to"] == to
                       for f in frames[agent])

        await tools.eventually(lambda: got("bob", {"team": None, "agent": "bob"}))
        bob_message = next(f["message"]["id"] for f in frames["bob"]
                           if f["type"] == "message" and f["message"]["to"]["agent"] == "bob")
        await conns["bob"].send(wire.encode({"type": "ack", "message_id": bob_message}))
        everyone = {"team": None, "agent": None}
        await tools.eventually(  # every agent got the broadcast, and plenty of figures
            lambda: all(got(a, everyone) for a in agents)
            and sum(len(f) for f in frames.values()) > 10 * len(agents)
            and sum(f"agent:{a}" in hub.snapshot.values for a in agents) >= len(agents) // 2,
            timeout=30)
        stop.set()
        await asyncio.gather(*tasks)
        manager_frames = await tools.recv_until(
            manager, lambda f: f["type"] == "delta"
            and f["set"].get(f"message:{bob_message}", {}).get("acked_by") == ["bob"])
        assert manager_frames  # the manager sees who acknowledged
        for agent in agents:
            team = config.team_of_agent(agent)
            others = set(agents) - {agent}
            seen = words(frames[agent])
            assert not seen & others, f"{agent} received {seen & others}"
            keys = {k for f in frames[agent] for k in (f.get("view") or f.get("set") or {})}
            assert (f"agent:{agent}" in keys) == (agent in hub.snapshot.agents)
            assert any(k.startswith(f"kpi:agent:{agent}/") for k in keys) == bool(
                hub.snapshot.values.get(f"agent:{agent}"))
            assert any(k.startswith(f"kpi:team:{team.id}/") for k in keys)
            assert not any(k.startswith("kpi:agent:") and not k.startswith(f"kpi:agent:{agent}/")
                           for k in keys)
            texts = [f["message"]["to"] for f in frames[agent] if f["type"] == "message"]
            assert {"team": None, "agent": None} in texts
            assert ({"team": None, "agent": "bob"} in texts) == (agent == "bob")
            assert ({"team": "sales", "agent": None} in texts) == (team.id == "sales")
        assert sum(len(f) for f in frames.values()) > 10 * len(agents)
        assert sum(f"agent:{a}" in hub.snapshot.values for a in agents) >= len(agents) // 2
        for ws in [*conns.values(), manager]:
            await ws.close()
