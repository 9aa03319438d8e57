"""``panneau input``: figures entered through a real hub, journalled, corrected by new entries;
bad input refused with a clear error and nothing stored."""

from __future__ import annotations

import asyncio
from functools import partial

import pytest

from panneau.hub.cli.input_cmd import enter_figure
from panneau.hub.cli.main import main
from panneau.hub.config import parse_config
from panneau.hub.plugins import make_plugin_manager
from panneau.hub.server.app import Hub
from tests.hub.conftest import eventually as shared_eventually
from tests.objectives.conftest import CONFIG

eventually = partial(shared_eventually, timeout=5.0)

MANAGER = "manager-token-1"


def frame(figure, amount, **kw):
    return {"type": "enter_figure", "figure": figure, "amount": amount, **kw}


@pytest.fixture
def config(tmp_path):
    return parse_config(CONFIG.format(db=tmp_path / "hub.db"))


async def test_entered_figures_are_journalled_and_corrected_by_new_entries(config):
    async with Hub(config, pm=make_plugin_manager()) as hub:
        def today(scope, kpi):
            return hub.snapshot.get(scope, "today", kpi)

        first = await enter_figure(hub.ws_url, MANAGER, frame(
            "complaints", 3, team="support", category="billing"))
        await eventually(lambda: today("team:support", "complaints") == 3)
        assert today("site", "complaints") == 3  # a flow rolls up to the site
        await enter_figure(hub.ws_url, MANAGER, frame("complaints", 5, team="support",
                                                      corrects=first))
        await eventually(lambda: today("team:support", "complaints") == 5)
        with pytest.raises(RuntimeError, match="corrected already"):
            await enter_figure(hub.ws_url, MANAGER, frame("complaints", 9, team="support",
                                                          corrects=first))
        stored = [e for e in hub.journal.events() if e.kind == "figure_entered"]
        assert [(e.amount, e.corrects, e.by) for e in stored] == [
            (3, None, "manager"), (5, first, "manager")]


@pytest.mark.parametrize(("bad", "reason"), [
    (frame("complaints", 2, team="nope"), "no team 'nope'"),
    (frame("complaints", 1.5), "whole number"),
    (frame("revenue", -10), "0 or more"),
    (frame("complaints", 1, corrects="missing"), "no entry 'missing'"),
    (frame("smiles", 1), "unknown figure 'smiles'"),
    (frame("complaints", 1, day="31/12/2026"), "YYYY-MM-DD"),
    # a typo's day or amount: stored, they counted in year 9999 or summed to infinity
    (frame("training_hours", 5, day="9999-12-31"), "training_hours: day 9999-12-31 is more "
                                                   "than a year after today"),
    (frame("training_hours", 5, day="1970-01-01"), "is more than two years before today"),
    (frame("revenue", 1e308), r"revenue: the amount 1e\+308 is over 1e\+12"),
])
async def test_bad_figures_are_refused_and_nothing_is_stored(config, bad, reason):
    async with Hub(config, pm=make_plugin_manager()) as hub:
        await enter_figure(hub.ws_url, MANAGER, frame("training_hours", 2.5))
        with pytest.raises(RuntimeError, match=reason):
            await enter_figure(hub.ws_url, MANAGER, bad)
        assert hub.journal.count_events("input") == 1  # the good one, kept
        assert "malformed" not in hub.snapshot.bad_events


async def test_only_a_manager_enters_figures(config):
    async with Hub(config, pm=make_plugin_manager()) as hub:
        with pytest.raises(RuntimeError, match="only a manager"):
            await enter_figure(hub.ws_url, "kiosk-token-support", frame("complaints", 1))
        assert hub.journal.count_events("input") == 0


def test_the_command_refuses_a_bad_figure_before_connecting(capsys):
    code = main(["input", "smiles", "3", "--hub", "ws://127.0.0.1:9", "--token", "x" * 10])
    assert code == 2  # told before connecting: what was typed, as argparse
    err = capsys.readouterr().err
    assert "unknown figure 'smiles'" in err and "training_hours" in err


def test_the_command_enters_a_figure(config, capsys):
    async def scenario():
        async with Hub(config, pm=make_plugin_manager()) as hub:
            code = await asyncio.to_thread(main, [
                "input", "revenue", "1250.5", "--team", "support", "--hub", hub.ws_url,
                "--token", MANAGER])
            await eventually(lambda: hub.snapshot.get("team:support", "today", "revenue")
                             == 1250.5)
            return code

    assert asyncio.run(scenario()) == 0
    assert "entered revenue 1250.5 as entry" in capsys.readouterr().out


def test_entered_figures_survive_the_saved_engine_state():
    """Entries, corrections and rates go into Engine.to_data and come back from it."""
    import msgpack

    from panneau.hub import events as ev
    from panneau.hub.engine import Engine
    from tests.objectives.conftest import at

    config = parse_config(CONFIG.format(db="unused.db"))
    engine = Engine(config)
    t = at("2026-11-04 09:00")

    def entry(entry_id, figure, amount, **kw):
        return ev.FigureEntered(ts=t, entry_id=entry_id, figure=figure, amount=amount,
                                team="support", **kw)

    for event in (entry("a", "complaints", 3, category="billing"),
                  entry("b", "complaints", 4, corrects="a"),
                  entry("r", "hourly_cost", 30.0)):
        engine.apply(event)
    engine.snapshot(t + 60)
    data = msgpack.unpackb(msgpack.packb(engine.to_data()), strict_map_key=False)
    again = Engine.from_data(config, data)
    day = engine.clock.day(t)
    # 3 (billing) corrected to 4 (no category): the billing count went with the first entry
    assert again.entered_day(day) == engine.entered_day(day) == {
        "team:support": {"complaints": 4.0}, "site": {"complaints": 4.0}}
    assert again.inputs.rate("team:support", day) == 30.0
    again.apply(entry("c", "complaints", 5, corrects="b"))  # the saved entry is known
    again.snapshot(t + 120)
    assert again.entered_day(day)["team:support"]["complaints"] == 5.0
    again.apply(entry("d", "complaints", 1, corrects="a"))  # corrected before the save
    again.snapshot(t + 180)
    assert again.bad.get("already_corrected") == 1


def test_the_command_sends_a_huge_amount_for_the_hub_to_refuse(config, capsys):
    """``panneau input revenue 1e308`` ended in msgpack's OverflowError (a traceback)."""
    async def scenario():
        async with Hub(config, pm=make_plugin_manager()) as hub:
            code = await asyncio.to_thread(main, [
                "input", "revenue", "1e308", "--hub", hub.ws_url, "--token", MANAGER])
            return code, hub.journal.count_events("input")

    code, stored = asyncio.run(scenario())
    assert (code, stored) == (1, 0)
    assert "revenue: the amount 1e+308 is over 1e+12" in capsys.readouterr().err
