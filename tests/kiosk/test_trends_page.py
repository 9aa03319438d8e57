"""The kiosk's Trends page: the team's charts, in the rotation, in full and 16 colours."""

from __future__ import annotations

import pytest
from chart_data import answers
from kiosk_data import PAGES, T0, fixed_clock, trends_values, view_of

from panneau.hub.chartview import ChartBoard, ChartPlot
from panneau.kiosk.app import KioskApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 45), id="160x45")]


def app(colors: str = "full", values: dict | None = None) -> KioskApp:
    kiosk = KioskApp(view=view_of(values or trends_values()), clock=fixed_clock, colors=colors)
    kiosk.chart_answers = answers(now=T0)
    return kiosk


@pytest.mark.parametrize("size", SIZES)
def test_trends_page(snap_compare, size):
    assert snap_compare(app(), terminal_size=size)


def test_trends_page_in_sixteen_colours(snap_compare):
    assert snap_compare(app("16"), terminal_size=(80, 24))


async def test_the_trends_page_takes_its_turn_and_asks_only_for_team_series():
    values = trends_values()
    values["meta"]["pages"] = [*PAGES, {"title": "Trends", "kind": "trends"}]
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
