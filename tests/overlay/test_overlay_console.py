"""The manager console: its rows from a fixed manager view, the composer, and its look."""

from __future__ import annotations

import pytest
from helpers import wait_for
from overlay_views import NOW, SERVICE_LEVEL, make_view, manager_values
from textual.widgets import DataTable

from panneau.console.app import ConsoleApp
from panneau.console.model import (
    FAMILIES,
    agent_day,
    build_console,
    parse_line,
    parse_send,
    sort_rows,
)
from panneau.hub.freshness import Link
from panneau.hub.view import kpi_key, state_key


def rows(table) -> list[tuple[str, list[str]]]:
    return [(key, [c.marked for c in cells]) for key, cells in table]


def test_rows_for_every_team_agent_and_message():
    model = build_console(make_view(manager_values()), NOW)
    teams = rows(model.teams)
    assert [key for key, _ in teams] == ["site", "team:sales", "team:support"]
    assert model.columns == ("Calls\nwaiting now", "Longest\nwait now", "Answered\ntoday",
                             "SL (all\ncallers) today")
    assert teams[2][1] == ["Team support", "▲2", "0:42", "200", "✓84%"]
    agents = dict(rows(model.agents))
    assert model.agent_columns == ("Answered\ntoday", "AHT\ntoday")
    assert agents["bob"] == ["Bob", "Paused: Lunch", "10:00", "21", "3:41"]
    assert agents["alice"][1:3] == ["On call", "3:41"]
    messages = rows(model.messages)
    assert messages == [("m1", ["Team huddle at 11:00", "support", "59:00", "1: alice"]),
                        ("m2", ["Bob, see me", "bob", "10:00", "none yet"])]


def test_an_agent_in_wrap_up_reads_wrap_up_once():
    """Asterisk gives wrap-up the reason "Wrap-up": the Agents table read "Wrap-up: Wrap-up"
    (the overlay already said it once); a pause keeps its reason."""
    values = manager_values()
    values["agent:alice"] = {"state": "wrapup", "since": NOW - 20, "reason": "Wrap-up",
                             "name": "Alice"}
    agents = dict(rows(build_console(make_view(values), NOW).agents))
    assert agents["alice"][1] == "Wrap-up"
    assert agents["bob"][1] == "Paused: Lunch"


def test_every_configured_agent_is_listed_in_the_configurations_order():
    """The Agents table listed only agents with a state today: dan, configured in support
    but not logged in yet, was missing from it and from the support team's drill."""
    values = manager_values()
    model = build_console(make_view(values), NOW)
    assert [key for key, _ in model.agents] == ["alice", "dan", "gina", "bob"]
    assert dict(rows(model.agents))["dan"] == ["dan", "not seen today", "—", "—", "—"]
    drilled = build_console(make_view(values), NOW, team="support").agents
    assert [key for key, _ in drilled] == ["alice", "dan"]
    values["agent:zoe"] = {"state": "available", "since": NOW - 5, "reason": None,
                           "name": "zoe"}  # in no team: known from events only, last
    assert [key for key, _ in build_console(make_view(values), NOW).agents] == [
        "alice", "dan", "gina", "bob", "zoe"]
    del values["meta"]["team_agents"]  # a hub from before: the agents it has states of
    assert [key for key, _ in build_console(make_view(values), NOW).agents] == [
        "alice", "bob", "gina", "zoe"]
    assert [key for key, _ in build_console(make_view(values), NOW, team="sales").agents] == [
        "bob", "gina"]


def tickets_values() -> dict:
    """The manager view with a chat team's ticket figures, a target, a comment, an insight."""
    values = manager_values()
    for scope, created, solved in (("site", 30, 20), ("team:support", 25, 18),
                                   ("agent:alice", 9, 7), ("agent:gina", 4, 4)):
        values[kpi_key(scope, "today", "tickets_created")] = created
        values[kpi_key(scope, "today", "tickets_solved")] = solved
        values[kpi_key(scope, "today", "frt_avg_min")] = created / 10
    values["target:team:support/frt_avg_min"] = {"target": 2.0, "warn": 3.0, "alert": 5.0,
                                                 "higher_is_better": False}
    values[state_key("team:support", "today", "frt_avg_min")] = "warn"
    values["annotation:team:support/today/tickets_solved"] = {
        "text": "chat outage 10:05", "by": "Marie", "ts": NOW - 60, "until": NOW + 600}
    values["insight:backlog/team:support"] = {
        "rule": "backlog", "key": "team:support/now/backlog", "severity": "warn",
        "text": "support: backlog grew 30 % this week", "period": "now vs last week",
        "figures": {"backlog": 130.0, "backlog_last_week": 100.0}}
    return values


def test_the_tickets_family_comes_from_the_catalogue_with_targets_and_comments():
    view = make_view(tickets_values())
    model = build_console(view, NOW, "tickets")
    assert model.columns == ("First response\ntoday", "Tickets\ncreated today",
                             "Tickets\nsolved today")
    teams = dict(rows(model.teams))
    assert teams["target"] == ["target", "≤2.0m", "", ""]
    assert teams["team:support"] == ["Team support", "▲2.5m", "25", "18✎"]
    assert rows(model.notes) == [("team:support/today/tickets_solved", [
        "team:support/today/tickets_solved", "chat outage 10:05", "Marie", "10:00"])]
    assert rows(model.insights) == [("backlog/team:support", [
        "▲support: backlog grew 30 % this week", "now vs last week",
        "backlog 130, backlog_last_week 100"])]
    drilled = build_console(view, NOW, "tickets", team="support")
    assert [key for key, _ in drilled.agents] == ["target", "alice", "dan"]
    everyone = build_console(view, NOW, "tickets").agents
    by_created = sort_rows(everyone, 4, reverse=True)  # Agent, State, For, First response, ...
    assert [key for key, _ in by_created] == ["alice", "gina", "dan", "bob"]  # none: last
    assert [key for key, _ in sort_rows(everyone, 4)] == ["gina", "alice", "dan", "bob"]
    day = dict(rows(agent_day(view, "alice")))
    assert day["tickets_solved"] == ["tickets", "Tickets solved", "7", "", ""]
    assert day["frt_avg_min"][-1] == "≤2.0m"  # the team's target


def test_parse_line_comments_a_figure_or_sends_a_message():
    assert parse_line("!note team:support/today/asa_s phones down") == {
        "type": "annotate", "key": "team:support/today/asa_s", "text": "phones down"}
    assert parse_line("!unnote team:support/today/asa_s") == {
        "type": "annotate", "key": "team:support/today/asa_s", "text": ""}
    assert parse_line("@support hi")["type"] == "send_message"
    for bad in ("!note team:support/today/asa_s", "!note", "!unnote"):
        with pytest.raises(ValueError):
            parse_line(bad)


def test_parse_send_recipients():
    assert parse_send("@support Huddle at 11") == {
        "type": "send_message", "expires_s": 3600.0, "team": "support", "text": "Huddle at 11"}
    assert parse_send("@@bob see me", 60)["agent"] == "bob"
    assert "team" not in parse_send("Fire drill at 3") and "agent" not in parse_send("x")
    with pytest.raises(ValueError):
        parse_send("@support   ")


def console(values: dict) -> ConsoleApp:
    return ConsoleApp(view=make_view(values), link=Link(True, NOW - 1), clock=lambda: NOW)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_console_look(snap_compare, size):
    assert snap_compare(console(manager_values()), terminal_size=size)


async def test_the_overview_title_names_the_day_start_and_is_whole_at_80_columns():
    """At 80×24 the title was cut (``today: since midn…``), and it said "since midnight"
    whatever the hub's ``day_start``: a hub whose day starts at 06:30 counts from 06:30."""
    async with console(manager_values()).run_test(size=(80, 24)) as pilot:
        table = pilot.app.screen.query_one("#teams")
        for family in FAMILIES:
            await wait_for(pilot, lambda f=family: f.capitalize() in str(table.border_title))
            title = str(table.border_title)
            assert title == (f"Overview · site, teams, queues · {family.capitalize()} "
                             "(F3: next) · today from 06:30")
            assert title.replace(" ", "&#160;") in pilot.app.export_screenshot()  # not cut
            await pilot.press("f3")
    values = manager_values()
    del values["meta"]["day_start"]  # a hub from before: it does not say
    assert build_console(make_view(values), NOW).day_start is None


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_console_tickets_of_one_team(snap_compare, size):
    async def drill(pilot):  # tickets, then Enter on the support team (row 3, after target)
        await pilot.press("f3")
        table = pilot.app.screen.query_one("#teams")
        table.focus()
        table.move_cursor(row=3)
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(console(tickets_values()), terminal_size=size, run_before=drill)


async def test_at_80x24_every_tickets_heading_is_whole():
    """One-line headings (``Tickets solved today``) made the overview wider than 80 columns:
    its last heading read ``Tickets solved t``."""
    app = console(tickets_values())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await wait_for(pilot, lambda: app.screen.model.family == "tickets")
        for table in app.screen.query(DataTable).results(DataTable):
            if table.id in ("teams", "agents"):
                await wait_for(pilot, lambda t=table: t.row_count > 0)
                widths = sum(c.get_render_width(table) for c in table.columns.values())
                assert widths <= table.scrollable_content_region.width, table.id


async def test_bad_line_is_kept_with_a_notice():
    app = console(manager_values())
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.press("@", "x", "enter")
        assert app.screen.query_one("#compose").value == "@x"
        assert any("nothing to send" in n.message for n in app._notifications)


async def test_a_line_is_posted_and_cleared_and_offline_says_not_sent():
    app = console(manager_values())  # no hub client: the frame cannot go out
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.press("@", "s", "u", "p", "p", "o", "r", "t", "space", "h", "i", "enter")
        await wait_for(pilot, lambda: any("message not sent" in n.message
                                          for n in app._notifications))
        assert app.screen.query_one("#compose").value == ""


async def test_a_tick_or_update_while_the_console_shuts_down_draws_nothing():
    """Under load a tick (or a hub update) came while run_test closed the app, after its
    screens were gone: ``self.screen`` raised ScreenStackError and failed the test."""
    app = ConsoleApp(view=make_view(manager_values()), clock=lambda: NOW, tick_s=0.05)
    async with app.run_test(size=(100, 30)):
        pass
    assert not app.is_running and not app.screen_stack
    app._redraw()  # what the tick and the hub worker call: nothing left to draw on
    app.refresh_model()  # what a late frame's handler (a chart's series) calls


def test_a_configured_team_without_figures_has_its_row():
    """A team quiet since midnight (no call, ticket or answer) is in the Overview, its cells
    "—", from the hub's ``meta.scopes``: it was missing until its first figure; its queue
    under it (``meta.team_queues``)."""
    values = manager_values()
    values["meta"]["scopes"] = ["site", "team:night", "team:sales", "team:support",
                                "queue:night"]
    values["meta"]["team_queues"] = {"night": ["night"]}
    teams = rows(build_console(make_view(values), NOW).teams)
    assert [key for key, _ in teams] == ["site", "team:night", "queue:night", "team:sales",
                                         "team:support"]
    assert teams[1][1] == ["Team night", "—", "—", "—", "—"]
    assert teams[3][1] == rows(build_console(make_view(manager_values()), NOW).teams)[1][1]


async def test_a_live_hub_gives_the_console_its_quiet_teams(tmp_path):
    """A hub whose sources have said nothing yet today: its Overview still lists the site,
    each team and each queue of the configuration (sent in ``meta.scopes``), its Agents table
    every configured agent (``meta.team_agents``)."""
    from panneau.hub.client import HubClient
    from panneau.hub.config import parse_config
    from panneau.hub.server.app import Hub
    from tests.hub.conftest import AGENTS, MANAGER, config_text

    async with Hub(parse_config(config_text(str(tmp_path / "hub.db")))) as hub:
        app = ConsoleApp(HubClient(hub.ws_url, MANAGER), tick_s=0.1)
        async with app.run_test(size=(100, 24)) as pilot:
            expected = ["site", "team:sales", "queue:sales", "team:support", "queue:support"]
            await wait_for(pilot, lambda: [k for k, _ in app.screen.model.teams
                                           if k != "target"] == expected)
            configured = [a for agents in AGENTS.values() for a in agents]  # none seen yet
            assert [k for k, _ in app.screen.model.agents] == configured
            assert {c[1].text for _, c in app.screen.model.agents} == {"not seen today"}
            await app.client.close()


async def test_unnote_of_a_figure_without_a_comment_says_so(tmp_path):
    """``!unnote KEY`` of a figure with no comment said "sent", as if one was removed."""
    from panneau.hub.client import HubClient
    from panneau.hub.config import parse_config
    from panneau.hub.server.app import Hub
    from tests.hub.conftest import MANAGER, config_text

    async with Hub(parse_config(config_text(str(tmp_path / "hub.db")))) as hub:
        app = ConsoleApp(HubClient(hub.ws_url, MANAGER), tick_s=0.1)
        async with app.run_test(size=(100, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.model.teams)
            compose = app.screen.query_one("#compose")
            for line, said in (("!note site/today/answered new phones", "sent (site/today/"),
                               ("!unnote site/today/answered", "sent (site/today/"),
                               ("!unnote site/today/answered", "no annotation site/today/")):
                app.clear_notifications()
                compose.value = line
                compose.focus()
                await pilot.press("enter")
                await wait_for(pilot, lambda said=said: any(n.message.startswith(said)
                                                            for n in app._notifications))
            assert hub.manager.annotations == {}
            await app.client.close()


def queues_values() -> dict:
    """The probe's site: queue expert is support's, queue sales is sales', queue vip both
    teams', queue spare no team's."""
    values = manager_values()
    values["meta"]["team_queues"] = {"sales": ["sales", "vip"], "support": ["expert", "vip"]}
    for queue in ("expert", "sales", "spare", "vip"):
        values[kpi_key(f"queue:{queue}", "now", "calls_waiting")] = 1
        values[kpi_key(f"queue:{queue}", "today", SERVICE_LEVEL)] = 58.0
    return values


async def test_queues_sit_under_their_own_team_and_figures_name_their_window():
    """The probe saw queues expert and sales listed alphabetically after the last team, so
    under "Team support"; "SL 58 %" with no window, while the wall's alert was on the 15-min
    figure; "-" where every other screen draws "—"."""
    app = console(queues_values())
    async with app.run_test(size=(160, 45)) as pilot:
        table = pilot.app.screen.query_one("#teams")
        await wait_for(pilot, lambda: table.row_count == 8)
        keys = [row.key.value for row in table.ordered_rows]
        assert keys == ["site", "team:sales", "queue:sales", "team:support",
                        "queue:expert", "section:queues", "queue:spare", "queue:vip"]
        section = [str(c) for c in table.get_row("section:queues")]
        assert section[0] == "Queues of several teams or none" and set(section[1:]) == {""}
        labels = [str(c.label) for c in table.columns.values()]
        assert labels == ["\nScope", "Calls\nwaiting now", "Longest\nwait now",
                          "Answered\ntoday", "SL (all\ncallers) today"]  # bottom-aligned
        assert table.header_height == 2
        assert "site, teams, queues" in table.border_title
        assert "today from 06:30" in table.border_title
        assert [str(c) for c in table.get_row("queue:expert")] == [
            "  queue expert", "1", "—", "—", "58%"]
        agents = pilot.app.screen.query_one("#agents")
        assert [str(c) for c in agents.get_row("dan")][2:] == ["—", "—", "—"]


def test_without_team_queues_every_queue_is_in_its_own_section():
    """A hub that does not send ``meta.team_queues``: no queue is put under a team."""
    values = queues_values()
    del values["meta"]["team_queues"]
    keys = [key for key, _ in build_console(make_view(values), NOW).teams]
    assert keys == ["site", "team:sales", "team:support", "section:queues",
                    "queue:expert", "queue:sales", "queue:spare", "queue:vip"]
