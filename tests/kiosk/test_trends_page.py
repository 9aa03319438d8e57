"""The kiosk's Trends page: the team's charts, in the rotation, in full and 16 colours."""

from __future__ import annotations

import pytest
from chart_data import answers
from kiosk_data import PAGES, T0, fixed_clock, held, trends_values, view_of

from panneau.hub.charts import CHART_DAY_REF, CHART_PERIOD_REF, build_charts
from panneau.hub.chartview import ChartBoard, ChartPlot
from panneau.kiosk.app import KioskApp
from panneau.kiosk.screens.panel import chart_rows

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 45), id="160x45")]


def app(colors: str = "full", values: dict | None = None) -> KioskApp:
    kiosk = KioskApp(view=view_of(values or trends_values()), clock=fixed_clock, colors=colors)
    kiosk.chart_answers = answers(now=T0)
    return kiosk


def fresh_hub_app() -> KioskApp:
    """The Trends page of a hub started a few minutes ago (the demo's): the day's history, but
    no resolution time this week and a single ticket created today."""
    values = {k: v for k, v in trends_values().items() if "/today/tickets_" not in k}
    values["kpi:team:support/today/tickets_via_email"] = 1
    values["kpi:team:support/today/tickets_type_incident"] = 1
    kiosk = app(values=values)
    period = kiosk.chart_answers[CHART_PERIOD_REF]
    period["series"] = {key: [] for key in period["series"]}
    return kiosk


@pytest.mark.parametrize("size", SIZES)
def test_trends_page(snap_compare, size):
    assert snap_compare(app(), terminal_size=size)


def test_trends_page_on_a_fresh_hub(snap_compare):
    """The bottom row keeps to its few lines: the day's charts fill the 160×45 wall."""
    assert snap_compare(fresh_hub_app(), terminal_size=(160, 45))


async def test_the_bottom_row_takes_what_it_shows_and_the_day_the_rest():
    for kiosk, size, rows in ((app(), (80, 24), 10), (app(), (160, 45), 16),
                              (fresh_hub_app(), (160, 45), 3), (fresh_hub_app(), (80, 24), 3)):
        async with kiosk.run_test(size=size) as pilot:
            await pilot.pause()
            board = kiosk.panel.query_one(ChartBoard)
            plots = board.query_one("#chart-plots")
            top = board.query_one("#chart-intraday").outer_size.height
            bottom = [board.query_one(f"#chart-{n}").outer_size.height
                      for n in ("resolution", "channels", "types")]
            assert bottom == [rows] * 3, (size, bottom)
            assert top + bottom[0] == plots.size.height  # nothing left empty below
            types = board.query_one("#chart-types", ChartPlot)
            drawn = types.render().plain
            assert all(label in drawn for label in types.chart.labels), size  # none cut


async def test_the_first_half_hour_is_a_narrow_bar_not_a_wall():
    """A fresh hub (the demo) has one half hour: its bar stands at the left, a sixth of the
    width at most, rather than filling the chart."""
    kiosk = fresh_hub_app()
    day = kiosk.chart_answers[CHART_DAY_REF]
    day["series"] = {key: points[-1:] for key, points in day["series"].items()}
    async with kiosk.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        plot = kiosk.panel.query_one("#chart-per-half-hour", ChartPlot)
        assert len(plot.chart.labels) == 1
        rows = [line for line in plot.render().plain.splitlines() if "█" in line]
        assert rows and all(line.count("█") <= plot.size.width // 6 for line in rows)
        assert all(line.index("█") < plot.size.width // 4 for line in rows)


def test_the_rows_split_in_halves_at_most():
    full, fresh = (build_charts(k.view, "team:support", k.chart_answers)
                   for k in (app(), fresh_hub_app()))
    assert chart_rows(full, 20) == (10, 10)  # 80×24: five shares want 11 rows, half is 10
    assert chart_rows(full, 41) == (25, 16)  # 160×45: the resolution curve two fifths
    assert chart_rows(fresh, 41) == (38, 3)  # a title and one line (or a message)
    assert chart_rows(fresh, 4) == (2, 2)


def test_trends_page_in_sixteen_colours(snap_compare):
    assert snap_compare(app("16"), terminal_size=(80, 24))


async def test_the_trends_page_takes_its_turn_and_asks_only_for_team_series():
    values = trends_values()
    values["meta"]["pages"] = held([*PAGES, {"title": "Trends", "kind": "trends"}])
    kiosk = app(values=values)
    kiosk.chart_answers = {}
    asked = []

    async def record(frame):
        asked.append(frame)
        return True

    kiosk.send_frame = record  # what the page would send (the hub side: tests/hub)
    async with kiosk.run_test(size=(120, 36)) as pilot:
        board = kiosk.panel.query_one(ChartBoard)
        assert kiosk.page_title == "Queue now" and not board.display and asked == []
        kiosk.next_page()
        kiosk.next_page()
        await pilot.pause()
        assert kiosk.page_title == "Trends" and board.display
        await pilot.pause()
        assert [f["ref"] for f in asked] == ["chart:day", "chart:period"]
        assert {k.partition("/")[0] for f in asked for k in f["keys"]} == {"team:support"}
        assert board.query_one("#chart-intraday", ChartPlot).chart.empty  # no answer yet
        assert not board.query("#chart-per-agent")  # no agent bars on a wall
        for frame in answers(now=T0).values():
            kiosk.post_message(KioskApp.FrameReceived("series", frame))
        await pilot.pause()
        await pilot.pause()
        assert board.query_one("#chart-intraday", ChartPlot).chart.lines[0].values[0] == 92.0
        kiosk.next_page()  # round again: not asked again within a minute
        kiosk.next_page()
        kiosk.next_page()
        await pilot.pause()
        assert kiosk.page_title == "Trends" and len(asked) == 2


async def test_a_long_day_keeps_the_latest_half_hours_that_fit():
    kiosk = app()
    day = kiosk.chart_answers["chart:day"]
    start = day["since"] + 14 * 1800  # 07:00 local, then 20 half hours to 17:00
    for i, key in enumerate(day["series"]):
        day["series"][key] = [[start + n * 1800 + 1790, float(10 * n + i)] for n in range(20)]
    async with kiosk.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        plot = kiosk.panel.query_one("#chart-per-half-hour", ChartPlot)
        assert len(plot.chart.labels) == 20
        drawn = plot.render().plain
        assert "16:30" in drawn and "07:00" not in drawn  # the day's end, not its start
