"""The console's Charts tab: the site's (or a team's) charts with the agents' bars."""

from __future__ import annotations

import pytest
from chart_data import answers, scope_figures
from overlay_views import NOW, make_view, manager_values
from textual.widgets import TabbedContent

from panneau.console.app import ConsoleApp
from panneau.hub.chartview import ChartPlot, GaugeBar
from panneau.hub.freshness import Link


def chart_values() -> dict:
    values = manager_values()
    values["meta"]["timezone"] = "Europe/Paris"
    for agent, team, solved in (("alice", "support", 9), ("bob", "sales", 0),
                                ("gina", "support", 4)):
        values[f"agent:{agent}"]["team"] = team
        values[f"kpi:agent:{agent}/today/tickets_solved"] = solved
    return values | scope_figures("site") | scope_figures("team:support")


def console(scope: str = "site") -> ConsoleApp:
    app = ConsoleApp(view=make_view(chart_values()), link=Link(True, NOW - 1),
                     clock=lambda: NOW)
    app.chart_answers = answers(scope)
    app.animation_level = "none"  # the tab underline would slide into the snapshot
    return app


def recording(app: ConsoleApp) -> list[dict]:
    """The frames ``app`` sends from now on (no hub in these tests)."""
    asked: list[dict] = []

    async def record(frame: dict) -> bool:
        asked.append(frame)
        return True

    app.send_frame = record
    return asked


async def show_charts(pilot) -> None:
    await pilot.pause()
    pilot.app.screen.query_one(TabbedContent).active = "tab-charts"
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_console_charts(snap_compare, size):
    assert snap_compare(console(), terminal_size=size, run_before=show_charts)


async def test_the_charts_tab_asks_for_series_and_draws_every_chart():
    app = console()
    asked = []

    async def record(frame):
        asked.append(frame)
        return True

    app.send_frame = record  # the frames the tab would send (no hub in this test)
    async with app.run_test(size=(160, 45)) as pilot:
        assert asked == []  # nothing asked while the tab is not shown
        await show_charts(pilot)
        await pilot.pause()
        assert [f["ref"] for f in asked] == ["chart:day", "chart:period"]
        assert all(k.startswith("site/") for f in asked for k in f["keys"])
        plots = {p.id: p.chart for p in app.screen.query(ChartPlot)}
        assert plots["chart-per-agent"].labels == ("Gina 40+4", "Alice 34+9", "Bob 21+0")
        assert all(chart is not None and not chart.empty for chart in plots.values())
        assert app.screen.query_one(GaugeBar).chart.n == 64
        await pilot.press("f5")  # back to the figures
        assert app.screen.query_one(TabbedContent).active == "figures"
        app.screen.query_one("#teams").focus()
        while app.screen.query_one("#teams").cursor_row < 3:  # target, site, sales, support
            await pilot.press("down")
        await pilot.press("enter")  # the support team's agents, and its charts
        await pilot.press("f5")  # from the agents table, which has the focus
        assert app.screen.query_one(TabbedContent).active == "tab-charts"
        await pilot.pause()
        assert app.screen.chart_scope == "team:support" and len(asked) == 4
        assert all(k.startswith("team:support/") for f in asked[2:] for k in f["keys"])
        assert app.chart_answers == {}  # the site's series are not drawn as the team's
        team = answers("team:support")["chart:day"]
        app.post_message(ConsoleApp.FrameReceived("series", team))
        late = answers("site")["chart:day"]  # the site's answer, arriving after the drill
        app.post_message(ConsoleApp.FrameReceived("series", late))
        await pilot.pause()
        assert app.chart_answers == {"chart:day": team}
        plots = {p.id: p.chart for p in app.screen.query(ChartPlot)}
        assert plots["chart-per-agent"].labels == ("Gina 40+4", "Alice 34+9")  # no Bob


async def test_a_tick_as_the_tab_is_shown_does_not_ask_twice():
    """Under load the console's tick came between the tab's activation and its ChartsShown
    message: both asked for the series (4 frames for 2)."""
    app = console()
    asked = []

    async def record(frame):
        asked.append(frame)
        return True

    app.send_frame = record
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        app.screen.query_one(TabbedContent).active = "tab-charts"
        app.refresh_model()  # the tick, before ChartsShown is handled
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        assert [f["ref"] for f in asked] == ["chart:day", "chart:period"]


async def test_the_agents_bars_are_the_busiest_that_have_a_row():
    """Twelve busy agents and a plot seven rows high: plotext drew every other bar (the
    third-busiest agent missing while the twelfth showed), and with as many bars as rows
    put one agent's bar beside another's name (21+7 drawn for 18+4). The busiest that fit
    are drawn, in order, none skipped, each bar as long as its own total."""
    values = chart_values()
    for i in range(12):
        values[f"agent:a{i:02d}"] = {"state": "available", "since": NOW - 60,
                                     "name": f"A{i:02d}", "team": "support"}
        values[f"kpi:agent:a{i:02d}/today/answered"] = 60 - i
    app = ConsoleApp(view=make_view(values), link=Link(True, NOW - 1), clock=lambda: NOW)
    app.chart_answers = answers("site")
    app.animation_level = "none"
    async with app.run_test(size=(160, 45)) as pilot:
        await show_charts(pilot)
        plot = app.screen.query_one("#chart-per-agent", ChartPlot)
        rows = ["".join(s.text for s in plot.render_line(y)) for y in range(plot.size.height)]
        bars = [row.split() for row in rows if row.strip()[:1] == "A"]
        shown = [bar[0] for bar in bars]
        assert len(shown) >= 5
        assert shown == [f"A{i:02d}" for i in range(len(shown))]
        room = len(bars[0][2])  # the busiest: 60 calls across the width
        assert [len(bar[2]) for bar in bars] == [round(room * (60 - i) / 60)
                                                 for i in range(len(bars))]


async def test_a_sped_hubs_charts_tab_asks_once_a_wall_minute_not_every_tick():
    """At ×60 the tab asked for its series at every tick of the console (a wall second, a
    minute of the hub's clock): now when they can have changed, at most once a minute of the
    wall clock (hub/chart_asks.py), as the kiosk's Trends page."""
    values = chart_values()
    values["meta"] |= {"clock_speed": 60.0, "as_of": NOW}
    wall = [NOW]
    app = ConsoleApp(view=make_view(values), link=Link(True, NOW - 1), clock=lambda: wall[0])
    app.chart_answers = answers("site")
    app.animation_level = "none"
    asked = recording(app)
    async with app.run_test(size=(160, 45)) as pilot:
        await show_charts(pilot)
        await pilot.pause()
        assert len(asked) == 2
        for _ in range(30):  # the tick: a wall second, a minute of the hub's clock
            wall[0] += 1.0
            app.refresh_model()
        await pilot.pause()
        assert len(asked) == 2
        wall[0] += 30.0  # a wall minute since the ask, half hours closed on the hub's clock
        app.refresh_model()
        await pilot.pause()
        assert len(asked) == 4
