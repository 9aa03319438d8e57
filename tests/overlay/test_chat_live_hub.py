"""A chat team fed by a test source plugin through a real hub: the console and the chat agent's
overlay show the ticket figures (the catalogue decides which), with the team's targets."""

from __future__ import annotations

import asyncio

import pytest

from panneau.console.app import ConsoleApp
from panneau.hub.client import HubClient
from panneau.hub.events import TicketCreated, TicketReplied, TicketSolved
from panneau.hub.sources import SourceSpec
from panneau.overlay.app import OverlayApp
from tests.hub.conftest import source_hub
from tests.overlay.test_overlay_live_hub import until

AGENTS = ["ana", "ben", "cyd"]
CONFIG = """
[hub]
listen = "127.0.0.1:0"
http_listen = "127.0.0.1:0"
database = "{db}"

[[teams]]
id = "chat"
name = "Chat"
groups = ["chat"]
agents = ["ana", "ben", "cyd"]

[[thresholds]]
kpi = "tickets_solved"
team = "chat"
target = 5.0
warn = 3.0
alert = 1.0

[[tokens]]
role = "manager"
token = "token-mgr"
label = "Marie"
[[tokens]]
role = "agent"
token = "token-ana"
agent = "ana"
"""


class ChatSource:
    """Six chats to the chat group, one for each agent in turn, each answered and solved."""

    def __init__(self, options: None) -> None:
        pass

    async def run(self, ctx) -> None:
        events = []
        for i in range(6):
            agent, ts, chat = AGENTS[i % 3], ctx.now() - 600 + i * 60, f"chat-{i}"
            events += [
                TicketCreated(ts=ts, ticket_id=chat, status="open", channel="chat",
                              group="chat", assignee=agent, source_pos=str(i)),
                TicketReplied(ts=ts + 20, ticket_id=chat, agent=agent, source_pos=str(i)),
                TicketSolved(ts=ts + 40, ticket_id=chat, agent=agent, source_pos=str(i))]
        await ctx.emit(events, checkpoint=6)
        ctx.set_status("live")
        await asyncio.Event().wait()


CHATS = SourceSpec(name="test_chats", factory=ChatSource, options=None,
                   description="chats for the screen tests")


@pytest.fixture
async def hub(tmp_path):
    async with source_hub(CONFIG.format(db=tmp_path / "hub.db"), CHATS,
                          name="chats") as running:
        yield running


async def test_the_console_shows_the_chat_teams_ticket_figures(hub):
    app = ConsoleApp(HubClient(hub.ws_url, "token-mgr"), tick_s=0.1)
    async with app.run_test(size=(160, 45)) as pilot:
        await until(lambda: app.view.kpi("team:chat", "today", "tickets_solved") == 6)
        assert app.screen.model.family == "voice" and not app.screen.model.columns  # no calls
        await pilot.press("f3")
        model = await until(lambda: app.screen.model.family == "tickets" and app.screen.model)
        assert {"Tickets\ncreated today", "Tickets\nsolved today",
                "Backlog\ntoday"} <= set(model.columns)
        teams = dict(model.teams)
        solved = model.columns.index("Tickets\nsolved today") + 1
        assert teams["team:chat"][solved].text == "6" and teams["team:chat"][solved].state
        assert teams["target"][solved].text == "≥5"
        agents = dict(model.agents)
        assert agents["ana"][3 + model.agent_columns.index("Tickets\nsolved today")].text == "2"
        await app.client.close()


async def test_the_chat_agents_overlay_shows_its_and_its_teams_ticket_figures(hub):
    app = OverlayApp(HubClient(hub.ws_url, "token-ana"), tick_s=0.1)
    async with app.run_test(size=(100, 30)):
        model = await until(lambda: any(f.value for f in app.build().figures
                                        if f.label == "Tickets solved") and app.build())
        mine = {f.label: f for f in model.figures if f.value is not None}
        assert mine["Tickets solved"].text == "2" and mine["Tickets created"].text == "2"
        team = {f.label: f for f in model.team}
        assert team["Tickets solved"].text == "6"
        assert team["Tickets solved"].target_text == "5" and team["Tickets solved"].mark == "ahead"
        await app.client.close()
