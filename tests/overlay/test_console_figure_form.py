"""The console's form for figures no source holds (F6): checked in the form, sent as an
``enter_figure`` frame to a real hub, the hub's refusals shown in the form with nothing lost."""

from __future__ import annotations

import pytest
from helpers import wait_for
from overlay_views import NOW, make_view, manager_values
from textual.widgets import Input, Select, Static

from panneau.console.app import ConsoleApp
from panneau.console.figure_form import FigureForm, teams_of
from panneau.hub.client import HubClient
from panneau.hub.config import parse_config
from panneau.hub.plugins import make_plugin_manager
from panneau.hub.server.app import Hub
from panneau.overlay.model import Link
from tests.objectives.conftest import CONFIG


def problem(app: ConsoleApp) -> str:
    return str(app.screen.query_one("#problem", Static).render())


async def type_into(pilot, field: str, text: str) -> None:
    app = pilot.app
    widget = app.screen.query_one(f"#{field}", Input)
    widget.value = ""
    widget.focus()
    await pilot.press(*text)


async def test_a_figure_entered_in_the_console_reaches_the_hub(tmp_path):
    config = parse_config(CONFIG.format(db=tmp_path / "hub.db"))
    async with Hub(config, pm=make_plugin_manager(load_entry_points=False)) as hub:
        app = ConsoleApp(HubClient(hub.ws_url, "manager-token-1"), tick_s=0.1)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: "scorecard:team:support" in app.view.values)
            await pilot.press("f6")
            await wait_for(pilot, lambda: isinstance(app.screen, FigureForm))
            form = app.screen
            await pilot.press("enter")  # on the figure list: opens it; escape closes it
            await pilot.press("escape")
            await pilot.click("#send")
            await wait_for(pilot, lambda: problem(app) == "choose a figure")

            form.query_one("#figure", Select).value = "complaints"
            await type_into(pilot, "amount", "2.5")
            await pilot.press("enter")
            await wait_for(pilot, lambda: "a whole number" in problem(app))
            assert problem(app) == "complaints is a count: a whole number, got '2.5'"

            await type_into(pilot, "amount", "3")
            form.query_one("#team", Select).value = "support"
            await type_into(pilot, "day", "2026-13-01")
            await pilot.press("enter")
            await wait_for(pilot, lambda: "YYYY-MM-DD" in problem(app))
            await type_into(pilot, "day", "")
            await type_into(pilot, "category", "billing")
            await type_into(pilot, "corrects", "no-such-entry")
            await pilot.press("enter")  # the hub alone knows its entries: it refuses
            await wait_for(pilot, lambda: "refused" in problem(app))
            assert problem(app) == "the hub refused it: no entry 'no-such-entry' to correct"
            assert form.query_one("#amount", Input).value == "3"  # nothing typed is lost
            assert form.query_one("#category", Input).value == "billing"
            assert hub.journal.count_events() == 0

            await type_into(pilot, "corrects", "")
            await pilot.press("enter")
            await wait_for(pilot, lambda: not isinstance(app.screen, FigureForm))
            await wait_for(pilot, lambda: app.view.kpi("team:support", "today",
                                                       "complaints") == 3)
            assert app.view.kpi("site", "today", "complaints") == 3
            entry = hub.engine.inputs.entries
            assert len(entry) == 1 and hub.journal.count_events() == 1
            await app.client.close()


async def test_escape_closes_the_form_without_sending(tmp_path):
    config = parse_config(CONFIG.format(db=tmp_path / "hub.db"))
    async with Hub(config, pm=make_plugin_manager(load_entry_points=False)) as hub:
        app = ConsoleApp(HubClient(hub.ws_url, "manager-token-1"), tick_s=0.1)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f6")
            await wait_for(pilot, lambda: isinstance(app.screen, FigureForm))
            app.screen.query_one("#figure", Select).value = "training_hours"
            await type_into(pilot, "amount", "6")
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, FigureForm))
            await pilot.pause()
            assert hub.journal.count_events() == 0
            await app.client.close()


def test_the_teams_offered_are_those_the_view_knows():
    assert teams_of(make_view(manager_values())) == ["sales", "support"]
    assert teams_of(make_view({"scorecard:team:night": {}, "pulse:team:day": {}})) == [
        "day", "night"]


def _form_app() -> ConsoleApp:
    return ConsoleApp(view=make_view(manager_values()),
                      link=Link(connected=True, last_frame_at=NOW - 1), clock=lambda: NOW)


async def _filled_with_a_mistake(pilot) -> None:
    """The form opened (F6), complaints 2.5 for support typed, Enter pressed: refused."""
    await pilot.press("f6")
    await pilot.pause()
    form = pilot.app.screen
    form.query_one("#figure", Select).value = "complaints"
    form.query_one("#team", Select).value = "support"
    form.query_one("#amount", Input).value = "2.5"
    form.query_one("#category", Input).value = "billing"
    form.query_one("#amount", Input).focus()
    await pilot.press("enter")
    await wait_for(pilot, lambda: "whole number" in problem(pilot.app))


@pytest.mark.parametrize("size", [pytest.param((80, 24), id="80x24"),
                                  pytest.param((160, 45), id="160x45")])
def test_console_figure_form(snap_compare, size):
    assert snap_compare(_form_app(), terminal_size=size, run_before=_filled_with_a_mistake)
