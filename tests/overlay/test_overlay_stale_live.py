"""The overlay against a real hub whose only source goes quiet: the agent's state and the
figures it fed are greyed and marked, as the kiosk greys its tiles."""

from __future__ import annotations

import re
import time

from panneau.hub.client import HubClient
from panneau.hub.config import parse_config
from panneau.hub.server.app import Hub
from panneau.overlay.app import OverlayApp
from panneau.overlay.widgets import FiguresPanel, StateBar
from tests.hub.conftest import agent_token, config_text, eventually
from tests.overlay.test_overlay_live_hub import until


async def test_a_source_gone_stale_greys_the_agents_state_and_figures(tmp_path, feed_pm):
    text = config_text(str(tmp_path / "hub.db"), {"hang_after": 6, "interval_s": 0.01},
                       stale_after_s=0.5)
    async with Hub(parse_config(text, "test.toml"), pm=feed_pm) as hub:
        app = OverlayApp(HubClient(hub.ws_url, agent_token("ag-ann")), tick_s=0.1)
        async with app.run_test(size=(60, 15)):
            state, figures = app.query_one(StateBar), app.query_one(FiguresPanel)
            await until(lambda: state.model.me is not None and "● live" in str(state.render()),
                        seconds=15)
            assert not str(state.render()).startswith("◌")
            await until(lambda: "feed stale" in str(state.render()), seconds=15)
            me = state.model.me
            assert me is not None and me.stale
            assert str(state.render()).startswith(f"◌ {me.label}")  # the last state known
            answered = next(f for f in state.model.figures if f.kpi == "answered")
            assert answered.stale and answered.value is not None
            assert "◌" in str(figures.render())
            rendered = state.render()
            grey = state.get_component_rich_style("ov--stale")
            assert any(span.style == grey for span in rendered.spans)


async def test_a_stale_source_and_old_data_are_said_together(tmp_path, feed_pm):
    """Past ``--stale-after`` without news the status said only ``data 1:30 old``: which
    source had stopped was no longer named. Both are said, the source first."""
    text = config_text(str(tmp_path / "hub.db"), {"hang_after": 6, "interval_s": 0.01},
                       stale_after_s=0.5)
    async with Hub(parse_config(text, "test.toml"), pm=feed_pm) as hub:
        ahead = [0.0]  # the screen's clock: moved past --stale-after below
        app = OverlayApp(HubClient(hub.ws_url, agent_token("ag-ann")), tick_s=0.1,
                         clock=lambda: time.time() + ahead[0])
        async with app.run_test(size=(60, 15)):
            state = app.query_one(StateBar)
            await eventually(lambda: "⚠ feed stale" in str(state.render()), 15,
                             "the source named stale")
            ahead[0] = 90.0  # a minute and a half with no news from the hub
            await eventually(lambda: re.search(r"⚠ feed stale, data 1:[23]\d old",
                                               str(state.render())), 15,
                             "the stale source and the data's age both said")
            assert app.overlay.model.fresh.level == "stale"
