"""The manager console: its rows from a fixed manager view, the composer, and its look."""

from __future__ import annotations

import pytest
from helpers import wait_for
from overlay_views import NOW, make_view, manager_values

from panneau.console.app import ConsoleApp
from panneau.console.model import build_console, parse_send
from panneau.hub.freshness import Link


def rows(table) -> list[tuple[str, list[str]]]:
    return [(key, [c.marked for c in cells]) for key, cells in table]


def test_rows_for_every_team_agent_and_message():
    model = build_console(make_view(manager_values()), NOW)
    teams = rows(model.teams)
    assert [key for key, _ in teams] == ["site", "team:sales", "team:support"]
    assert teams[2][1][:5] == ["support", "▲2", "0:42", "✓84%", "200"]
    agents = dict(rows(model.agents))
    assert agents["bob"][:4] == ["Bob", "Paused: Lunch", "10:00", "21"]
    assert agents["alice"][1:3] == ["On call", "3:41"]
    messages = rows(model.messages)
    assert messages == [("m1", ["Team huddle at 11:00", "support", "59:00", "1: alice"]),
                        ("m2", ["Bob, see me", "bob", "10:00", "none yet"])]


def test_parse_send_recipients():
    assert parse_send("@support Huddle at 11") == {
        "type": "send_message", "expires_s": 3600.0, "team": "support", "text": "Huddle at 11"}
    assert parse_send("@@bob see me", 60)["agent"] == "bob"
    assert "team" not in parse_send("Fire drill at 3") and "agent" not in parse_send("x")
    with pytest.raises(ValueError):
        parse_send("@support   ")


def console(values: dict) -> ConsoleApp:
    return ConsoleApp(view=make_view(values), link=Link(True, NOW - 1), clock=lambda: NOW)


def test_console_look(snap_compare):
    assert snap_compare(console(manager_values()), terminal_size=(100, 24))


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
