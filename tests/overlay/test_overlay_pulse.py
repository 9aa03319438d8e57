"""The pulse on the overlay against a real hub: the question shows, a key answers it, the hub
stores the score without the agent, and the line goes away."""

from __future__ import annotations

import asyncio

import pytest
from helpers import wait_for
from overlay_views import agent_values, make_view

from panneau.hub.client import HubClient
from panneau.hub.config import parse_config
from panneau.hub.plugins import make_plugin_manager
from panneau.hub.server.app import Hub
from panneau.overlay.app import OverlayApp
from panneau.overlay.goals import pulse_question
from panneau.overlay.pulse import PulseComment, PulseLine
from tests.hub.conftest import hello
from tests.objectives.conftest import CONFIG, Screen

PULSE = '\n[pulse]\nenabled = true\nquestion = "How was your week?"\n'
BOB = '\n[[tokens]]\nrole = "agent"\ntoken = "agent-token-bob"\nagent = "bob"\n'


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
            await pilot.pause()
            await pilot.press("enter")  # no comment
            async with asyncio.timeout(10):
                while hub.pulse.store.teams(hub.pulse.period(hub.today())) == {} or (
                        line.display):
                    await pilot.pause(0.05)
        teams = hub.pulse.store.teams(hub.pulse.period(hub.today()))
        assert teams["support"].counts == (0, 0, 0, 1, 0)
        assert teams["support"].comments == ()
        assert hub.pulse.done == frozenset({"ann"})


SMALL = "\n[kpi]\nsmall_n = 2\n"
COMMENT = "the new script helps"


async def test_a_comment_goes_with_the_score_and_comes_back_to_no_agent(tmp_path):
    """ann takes a first answer back (Escape: nothing stored), then answers 2 with a comment;
    bob answers 5 from his overlay. The comment reaches the hub without the agent, the manager
    gets it unattributed once small_n = 2 answers are in, and neither overlay ever gets it."""
    config = parse_config(CONFIG.format(db=tmp_path / "hub.db") + PULSE + SMALL + BOB)
    async with Hub(config, pm=make_plugin_manager()) as hub:
        manager = Screen(await hello(hub.ws_url, "manager-token-1"))
        spy = Screen(await hello(hub.ws_url, "agent-token-ann"))  # ann's view, as sent
        period = hub.pulse.period(hub.today())
        for token, score, comment in (("agent-token-ann", "2", COMMENT),
                                      ("agent-token-bob", "5", "")):
            app = OverlayApp(HubClient(hub.ws_url, token), tick_s=0.1)
            async with app.run_test(size=(40, 10)) as pilot:
                line = app.screen.query_one(PulseLine)
                await wait_for(pilot, lambda line=line: line.display)
                if token == "agent-token-ann":
                    await pilot.press("3")
                    await wait_for(pilot, lambda app=app: isinstance(app.screen, PulseComment))
                    await pilot.press(*"never mind", "escape")  # taken back
                    await wait_for(pilot, lambda app=app: not isinstance(app.screen,
                                                                         PulseComment))
                    assert line.display and hub.pulse.store.done(period) == frozenset()
                await pilot.press(score)
                await wait_for(pilot, lambda app=app: isinstance(app.screen, PulseComment))
                await pilot.press(*comment, "enter")
                await wait_for(pilot, lambda line=line: not line.display)
                await wait_for(pilot, lambda app=app: app.view.values["pulse:ask"]["answered"])
                await app.client.close()
        await manager.until(lambda v: v["pulse:team:support"]["answers"] == 2)
        assert manager.view["pulse:team:support"]["comments"] == [COMMENT]
        await spy.until(lambda v: v.get("pulse:team:support", {}).get("answers") == 2)
        teams = hub.pulse.store.teams(period)
        assert teams["support"].counts == (0, 1, 0, 0, 1)
        assert teams["support"].comments == (COMMENT,)
        await manager.close()
        await spy.close()
    assert COMMENT in repr(manager.frames)
    assert COMMENT not in repr(spy.frames) and "never mind" not in repr(spy.frames)
    assert "never mind" not in repr(manager.frames)


def _asked() -> OverlayApp:
    from overlay_views import NOW

    from panneau.overlay.model import Link
    ask = {"question": "How was your week?", "period": "2026-W10", "answered": False}
    return OverlayApp(view=make_view({**agent_values(), "pulse:ask": ask}),
                      link=Link(connected=True, last_frame_at=NOW - 1), clock=lambda: NOW)


@pytest.mark.parametrize("size", [pytest.param((40, 10), id="40x10"),
                                  pytest.param((60, 15), id="60x15")])
def test_overlay_pulse_comment(snap_compare, size):
    async def comment(pilot):
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, PulseComment))
        await pilot.press(*"more coaching")

    assert snap_compare(_asked(), terminal_size=size, run_before=comment)


def test_the_console_shows_each_teams_pulse_and_its_comments():
    from rich.console import Console

    from panneau.hub.goals_display import pulse_table
    shown = {"question": "How was your week?", "period": "2026-W10", "answers": 12,
             "mean": 3.58, "counts": [0, 2, 4, 4, 2], "comments": ["more coaching", "ok"]}
    waiting = {"question": "How was your week?", "period": "2026-W10", "answers": None,
               "mean": None, "counts": None, "comments": []}
    console = Console(width=80, record=True)
    console.print(pulse_table([("sales", waiting), ("support", shown)]))
    text = console.export_text()
    assert "Question: How was your week?  (2026-W10)" in text
    assert " support       12  3.6 / 5  0-2-4-4-2" in text
    assert " sales          —        —          — " in text
    assert "too few answers yet (sales)" in text
    assert "Comments · support (unattributed, alphabetical)" in text
    assert text.index("“more coaching”") < text.index("“ok”")
