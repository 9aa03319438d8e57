"""The overlay's objective line and the console's scorecard screen (F2), from goal values the
hub's own code judged (tests/kiosk/goals_data.py); snapshots looked at before saving."""

from __future__ import annotations

import pytest
from overlay_views import NOW, agent_values, make_view, manager_values

from panneau.console.app import ConsoleApp
from panneau.overlay.app import OverlayApp
from panneau.overlay.goals import objective_of
from panneau.overlay.model import Link
from tests.kiosk.goals_data import goal_values

LIVE = Link(connected=True, last_frame_at=NOW - 1)


def agent_with_goals() -> dict:
    goals = {k: v for k, v in goal_values().items() if k.startswith("objective:")}
    return {**agent_values(), **goals}


def test_the_team_objective_comes_first():
    line, status = objective_of(make_view(agent_with_goals()))
    assert line == "Team objective: FCR 77% → 80% by 31 Dec, at risk"
    assert status == "at risk"
    site_only = {k: v for k, v in agent_with_goals().items() if k != "objective:0"}
    line, _ = objective_of(make_view(site_only))
    assert line == "Site objective: Abandon rate 7.5% → 5.0% by 30 Nov, at risk"
    assert objective_of(make_view(agent_values())) == ("", "")


@pytest.mark.parametrize("size", [pytest.param((40, 10), id="40x10"),
                                  pytest.param((60, 15), id="60x15")])
def test_overlay_objective_line(snap_compare, size):
    app = OverlayApp(view=make_view(agent_with_goals()), link=LIVE, clock=lambda: NOW)
    assert snap_compare(app, terminal_size=size)


def console_with_goals() -> ConsoleApp:
    values = {**manager_values(), **goal_values()}
    return ConsoleApp(view=make_view(values), link=LIVE, clock=lambda: NOW)


@pytest.mark.parametrize("size", [pytest.param((80, 24), id="80x24"),
                                  pytest.param((160, 45), id="160x45")])
def test_console_scorecard_screen(snap_compare, size):
    assert snap_compare(console_with_goals(), terminal_size=size, press=["f2"])


async def test_console_scorecard_screen_goes_back():
    app = console_with_goals()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        assert type(app.screen).__name__ == "ScorecardScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConsoleScreen"


async def test_the_console_greys_what_a_stale_source_feeds_as_the_wall_does():
    """The phone system stale: the wall read '◌ 72% stale' for the service level while the
    console's F2 said '▲ 72%' and its overview '✓85%' in green, as if live. Now the voice
    figures read ◌ and are greyed on both; the survey tool's CSAT stays as it is."""
    values = {**manager_values(), **goal_values()}
    values["source:pbx"] = {"status": "stale", "since": NOW - 120,
                            "feeds": ["agents", "staffing", "voice"]}
    values["kpi:site/today/csat_pct"] = 83.0
    app = ConsoleApp(view=make_view(values), link=LIVE, clock=lambda: NOW)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        model = app.screen.model
        site = dict(model.teams)["site"]
        by_label = dict(zip(("Scope", *model.columns), site, strict=True))
        waiting = by_label["Calls\nwaiting now"]
        assert waiting.stale and waiting.marked == "◌3"
        await pilot.press("f3", "f3")  # surveys
        await pilot.pause()
        model = app.screen.model
        csat = dict(zip(("Scope", *model.columns), dict(model.teams)["site"], strict=True))
        assert not csat["CSAT\ntoday"].stale and csat["CSAT\ntoday"].marked == "83%"
        await pilot.press("f2")
        await pilot.pause()
        body = app.screen.query_one("#body")
        lines = ["".join(s.text for s in body.render_line(y)) for y in range(body.size.height)]
        row = next(line for line in lines if "SL (all callers)" in line and "lead" in line)
        assert "◌ 72% stale" in row and "▲" not in row
        csat_row = next(line for line in lines if "CSAT" in line and "lag" in line)
        assert "83%" in csat_row and "stale" not in csat_row.partition("CSAT")[2]
