"""Charts through a real hub: the screens' ``history`` requests, and who gets which series.

The kiosk's Trends page and the console's Charts tab ask for their scope's series
(:func:`panneau.hub.charts.history_frames`); the hub answers only for keys the asker's view
may hold, so no agent series ever reaches a wall or another agent.
"""

from __future__ import annotations

import pytest
from helpers import wait_for
from textual.widgets import TabbedContent

from panneau.console.app import ConsoleApp
from panneau.hub import wire
from panneau.hub.charts import DAY_KPIS, day_start, history_frames, zone_of
from panneau.hub.chartview import ChartPlot
from panneau.hub.client import HubClient
from panneau.hub.config import parse_config
from panneau.hub.config.schema import KioskPage
from panneau.hub.server.app import Hub
from panneau.kiosk.app import KioskApp


@pytest.fixture
async def charted_hub(tmp_path, feed_pm, tools):
    """A hub whose kiosks rotate a Trends page, with today's chart samples of the site, both
    teams and every agent, one a minute since midnight (at least one)."""
    config = parse_config(tools.config_text(str(tmp_path / "hub.db")), "test.toml")
    config.kiosk.pages.append(KioskPage("Trends", kind="trends"))
    async with Hub(config, pm=feed_pm) as hub:
        now = hub.clock()
        start = day_start(now, zone_of(config.hub.timezone))
        minutes = max(1, int((now - start) // 60))
        for minute in range(minutes):
            ts = min(start + minute * 60 + 30, now - 1)
            rows = [(f"{scope}/today/{kpi}", float(minute + i))
                    for scope in ("site", *(f"team:{t}" for t in tools.AGENTS))
                    for i, kpi in enumerate(DAY_KPIS)]
            rows += [(f"agent:{a}/today/answered", float(minute))
                     for agents in tools.AGENTS.values() for a in agents]
            hub.journal.add_history(ts, rows)
        yield hub, now


async def answers_to(tools, hub, token: str, frames: list[dict]) -> list[dict]:
    ws = await tools.hello(hub.ws_url, token)
    out = []
    for frame in frames:
        await ws.send(wire.encode(frame))
        [*_, answer] = await tools.recv_until(ws, lambda f, r=frame["ref"]: f.get("ref") == r)
        out.append(answer)
    await ws.close()
    return out


async def test_each_screen_gets_its_own_scope_charts_and_nothing_else(charted_hub, tools):
    hub, now = charted_hub
    zone = zone_of(hub.config.hub.timezone)
    support = history_frames("team:support", now, zone)
    for token in (tools.kiosk_token("support"), tools.agent_token("ag-ann"), tools.MANAGER):
        day, period = await answers_to(tools, hub, token, support)
        assert day["type"] == period["type"] == "series", (token, day, period)
        assert day["series"]["team:support/today/offered"], token
    for token in (tools.kiosk_token("sales"), tools.agent_token("ag-dee")):
        refused = await answers_to(tools, hub, token, support)
        assert [a["type"] for a in refused] == ["error", "error"]
        assert "not yours to see" in refused[0]["reason"]


@pytest.mark.parametrize("who", ["kiosk", "other agent"])
async def test_no_agent_series_on_a_wall_or_another_agents_screen(charted_hub, tools, who):
    hub, now = charted_hub
    token = tools.kiosk_token("support") if who == "kiosk" else tools.agent_token("ag-ann")
    for agents in tools.AGENTS.values():
        for agent in agents:
            if who == "other agent" and agent == "ag-ann":
                continue
            key = f"agent:{agent}/today/answered"
            [answer] = await answers_to(tools, hub, token, [{
                "type": "history", "ref": agent, "keys": [key], "since": now - 3600}])
            assert answer == {"type": "error", "ref": agent,
                              "reason": f"history: {key!r} is not yours to see"}


async def test_kiosk_trends_page_draws_the_hubs_series(charted_hub, tools):
    hub, _ = charted_hub
    client = HubClient(hub.ws_url, tools.kiosk_token("support"), backoff_min=0.05,
                       backoff_max=0.2)
    app = KioskApp(client)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.link.connected and app.view.meta.get("pages"))
        while app.page_title != "Trends":  # the rotation reaches the Trends page
            app.next_page()
        plot = app.panel.query_one("#chart-intraday", ChartPlot)
        await wait_for(pilot, lambda: plot.chart is not None and not plot.chart.empty)
        assert plot.chart.lines[0].values[-1] is not None
        assert not app.panel.query("#chart-per-agent")
        assert not [k for k in app.view.values if k.startswith(("kpi:agent:", "agent:"))]
    await client.close()


async def test_console_charts_tab_draws_the_hubs_series_and_agents(charted_hub, tools):
    hub, _ = charted_hub
    client = HubClient(hub.ws_url, tools.MANAGER, backoff_min=0.05, backoff_max=0.2)
    app = ConsoleApp(client)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: app.link.connected and app.view.meta)
        app.screen.query_one(TabbedContent).active = "tab-charts"
        plots = {p.id: p for p in app.screen.query(ChartPlot)}
        await wait_for(pilot, lambda: plots["chart-intraday"].chart is not None
                       and not plots["chart-intraday"].chart.empty)
        assert plots["chart-per-half-hour"].chart.lines[0].values  # offered per half hour
        assert plots["chart-per-agent"].chart is not None
    await client.close()
