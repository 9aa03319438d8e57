"""A screen given a token of another role (the wrong file of ``tokens/``) says so, and how to
fix it, instead of showing another audience's view as its own."""

from __future__ import annotations

from helpers import wait_for

from panneau.console.app import ConsoleApp
from panneau.hub.client import HubClient
from panneau.hub.freshness import WRONG_ROLE, Link, wrong_role
from panneau.hub.server import app as server
from panneau.kiosk.app import KioskApp
from panneau.kiosk.model import notices
from panneau.kiosk.widgets import Banner
from panneau.overlay.app import OverlayApp
from panneau.overlay.statusline import status_line
from panneau.overlay.widgets import StateBar
from panneau.plugins.simulator import demo
from tests.kiosk.kiosk_data import T0, view_of
from tests.kiosk.test_live_hub import config


async def test_each_screen_says_a_token_of_another_role_is_the_wrong_one(tmp_path):
    """A kiosk given an agent's token drew that agent's team as a wall; an overlay given the
    manager's said "state unknown ● live"; a console given a wall's token said "● live" over
    a composer whose every message the hub refused; tmux's status line drew "Q - - SL -"."""
    hub = server.Hub(config(tmp_path))
    await hub.start()
    try:
        wall = KioskApp(HubClient(hub.ws_url, demo.agent_token("alice")))
        async with wall.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: wall.link.rejected is not None)
            await wait_for(pilot, lambda: wall.panel.query_one(Banner).notices[0].text == (
                "An agent token (alice), not a kiosk token — give it one of the hub's "
                "[[tokens]]"))
            await pilot.pause()
            assert wall.panel.tiles() == []  # none of the agent's view on the wall
            assert wall.view.meta["team_name"]  # not even its team's name atop it
            assert (wall.panel.query_one("#top").team, wall.panel.query_one("#top").title) == (
                "Panneau", "")
            await wall.client.close()
        overlay = OverlayApp(HubClient(hub.ws_url, demo.DEMO_MANAGER_TOKEN), tick_s=0.1)
        async with overlay.run_test(size=(80, 15)) as pilot:
            await wait_for(pilot, lambda: "⚠ a manager token (demo manager), not an agent "
                           "token" in str(overlay.query_one(StateBar).render()))
            await overlay.client.close()
        console = ConsoleApp(HubClient(hub.ws_url, demo.kiosk_token("support")), tick_s=0.1)
        async with console.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: console.screen.status.endswith(
                "⚠ a kiosk token (support), not a manager token"))
            await console.client.close()
        line = await status_line(hub.ws_url, demo.kiosk_token("support"), timeout_s=10)
        assert "⚠ a kiosk token (support), not an agent token" in line
        # the right tokens are taken as before
        line = await status_line(hub.ws_url, demo.agent_token("alice"), width=120,
                                 timeout_s=10)
        assert "⚠" not in line and "Q " in line
    finally:
        await hub.stop()


def test_a_wall_refusing_a_token_of_another_role_shows_nothing_of_its_view():
    """Under the refusal the banner went on with the agent's view: the messages to the agent,
    its team's alerts — on a wall in the open room."""
    view = view_of({"meta": {"role": "agent", "identity": "alice"},
                    "source:pbx": {"status": "down", "since": T0 - 60},
                    "message:m1": {"id": "m1", "text": "Alice, see me at 3", "sender": "Lea",
                                   "sent": T0, "expires": T0 + 3600}})
    link = Link(connected=True, rejected=wrong_role(view, KioskApp.ROLES),
                rejected_code=WRONG_ROLE)
    assert [n.text for n in notices(view, link, T0, str)] == [
        "An agent token (alice), not a kiosk token — give it one of the hub's [[tokens]]"]
