"""The pulse on the overlay against a real hub: the question shows, a key answers it, the hub
stores the score without the agent, and the line goes away."""

from __future__ import annotations

import asyncio

from overlay_views import agent_values, make_view

from panneau.hub.client import HubClient
from panneau.hub.config import parse_config
from panneau.hub.plugins import make_plugin_manager
from panneau.hub.server.app import Hub
from panneau.overlay.app import OverlayApp
from panneau.overlay.goals import pulse_question
from panneau.overlay.pulse import PulseLine
from tests.objectives.conftest import CONFIG

PULSE = '\n[pulse]\nenabled = true\nquestion = "How was your week?"\n'


def test_the_question_until_answered():
    ask = {"question": "How was your week?", "period": "2026-W10", "answered": False}
    assert pulse_question(make_view({**agent_values(), "pulse:ask": ask})) == ask["question"]
    assert pulse_question(make_view({**agent_values(), "pulse:ask": {**ask, "answered": True}
                                     })) == ""
    assert pulse_question(make_view({**agent_values(), "pulse:ask": ask}), True) == ""
    assert pulse_question(make_view(agent_values())) == ""


async def test_an_agent_answers_the_pulse_from_the_overlay(tmp_path):
    config = parse_config(CONFIG.format(db=tmp_path / "hub.db") + PULSE)
    async with Hub(config, pm=make_plugin_manager()) as hub:
        app = OverlayApp(HubClient(hub.ws_url, "agent-token-ann"), tick_s=0.1)
        async with app.run_test(size=(60, 15)) as pilot:
            line = app.screen.query_one(PulseLine)
            async with asyncio.timeout(10):
                while not line.display or "How was your week?" not in str(line.render()):
                    await pilot.pause(0.05)
            await pilot.press("4")
            async with asyncio.timeout(10):
                while hub.pulse.store.teams(hub.pulse.period(hub.today())) == {} or (
                        line.display):
                    await pilot.pause(0.05)
        teams = hub.pulse.store.teams(hub.pulse.period(hub.today()))
        assert teams["support"].counts == (0, 0, 0, 1, 0)
        assert hub.pulse.done == frozenset({"ann"})
