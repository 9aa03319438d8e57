"""Period figures from day rollups: summed numerators and denominators, rebuilt from the journal,
kept by the running hub. Expected figures are worked out by hand from conftest.two_weeks()."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from panneau.hub.engine.windows import DayClock
from panneau.hub.periods import parse_period
from panneau.hub.server.journal import Journal
from panneau.hub.server.rollups import Rollups, period_figures, rebuild
from tests.objectives.conftest import at

W45 = parse_period("2026-W45", date(2026, 11, 4))
# Week 45: offered 8+2 (Mon) + 1+1 (Tue) = 12; answered 9; abandoned 3.
# Abandon rate = 3 / 12 = 25 % (the mean of the daily rates, 20 % and 50 %, would be 35 %).
# ASA = (8 x 10 + 40) / 9 = 13.33 s (the mean of the daily ASAs would be 25 s).
WEEK_45 = {"offered": 12, "answered": 9, "abandoned": 3, "abandon_rate_pct": 25.0,
           "asa_s": 120 / 9, "complaints": 7, "cost_total": 600.0,
           "cost_per_contact": 600 / 9}


def check(figures, expected):
    for kpi, value in expected.items():
        assert figures.get(kpi) == pytest.approx(value), kpi


def test_rebuilt_rollups_give_period_figures_from_summed_sums(journal_path, config):
    journal = Journal(journal_path)
    rollups = Rollups(journal)
    missing = rollups.missing(DayClock("Europe/Paris", "06:00"), date(2026, 11, 4).toordinal())
    # 30 Oct .. 3 Nov: five working days, weekend included (no activity is not missing data).
    assert missing == {date(2026, 10, d).toordinal() for d in (30, 31)} | {
        date(2026, 11, d).toordinal() for d in (1, 2, 3)}
    rebuild(journal, config, missing, at("2026-11-04 09:00"))
    result = period_figures(rollups, "team:support", W45)
    check(result.figures, WEEK_45)
    assert result.complaints_by_category == {"billing": 5.0, "delay": 2.0}
    assert result.days_covered == 2  # Mon and Tue of week 45 are written
    check(result.previous, {"offered": 4, "answered": 4, "asa_s": 5.0, "abandon_rate_pct": 0.0})
    assert result.last_year is None  # no history a year back
    site = period_figures(rollups, "site", W45, compare=False)
    check(site.figures, {"offered": 12, "complaints": 7, "cost_total": 600.0})
    assert rollups.missing(DayClock("Europe/Paris", "06:00"),
                           date(2026, 11, 4).toordinal()) == set()
    journal.close()


def test_day_start_moves_an_early_call_to_the_day_before(journal_path, config):
    journal = Journal(journal_path)
    rollups = Rollups(journal)
    rebuild(journal, config, {date(2026, 11, d).toordinal() for d in (2, 3)}, 0.0)
    monday = period_figures(rollups, "queue:support", parse_period("2026-11-02", date.today()),
                            compare=False)
    tuesday = period_figures(rollups, "queue:support", parse_period("2026-11-03", date.today()),
                             compare=False)
    # Monday: 8 answered + 2 abandoned (the 05:30 Tuesday call included) = 10 offered.
    check(monday.figures, {"offered": 10, "abandoned": 2, "abandon_rate_pct": 20.0})
    check(tuesday.figures, {"offered": 2, "abandoned": 1, "abandon_rate_pct": 50.0})
    journal.close()


def test_a_rebuild_leaves_written_days_alone(journal_path, config):
    journal = Journal(journal_path)
    rollups = Rollups(journal)
    monday = date(2026, 11, 2).toordinal()
    rollups.write({monday: {"team:support": {"offered": 99.0}}}, 0.0)
    rebuild(journal, config, {monday}, 0.0)
    assert rollups.sums(date(2026, 11, 2), date(2026, 11, 2))["team:support"] == {
        "offered": 99.0}
    journal.close()


async def test_the_running_hub_fills_and_keeps_the_rollups(journal_path, config):
    """A hub started on a journal without rollups rebuilds the past days, then writes the
    days its engine holds; figures entered while it runs for an older day reach that day."""
    from panneau.hub import events as ev
    from panneau.hub.plugins import make_plugin_manager
    from panneau.hub.server.app import Hub

    now = at("2026-11-04 09:30")
    async with Hub(config, pm=make_plugin_manager(), clock=lambda: now) as hub:
        async with asyncio.timeout(10):
            await hub.rollups_ready.wait()
        hub.engine.apply(ev.FigureEntered(ts=now, entry_id="late", figure="complaints",
                                          amount=4, day="2026-11-02", team="support"))
        await hub.rollups.write(hub.engine, now)
        result = await hub.rollups.run(lambda r: period_figures(r, "team:support", W45))
    check(result.figures, {**WEEK_45, "complaints": 11})
    check(result.previous, {"offered": 4})


async def test_objectives_and_scorecards_reach_only_their_audiences(journal_path):
    """On the wire: the kiosk gets its team's objective and scorecard, the agent the objective
    (its overlay line) but no scorecard, the manager everything; figures from the rollups."""
    from panneau.hub.config import parse_config
    from panneau.hub.plugins import make_plugin_manager
    from panneau.hub.server.app import Hub
    from tests.hub.conftest import hello, recv
    from tests.objectives.conftest import CONFIG

    config = parse_config(CONFIG.format(db=journal_path) + """
[[objectives]]
title = "Answer fast"
period = "week"
team = "support"
  [[objectives.key_results]]
  kpi = "abandon_rate_pct"
  target = 10
  baseline = 40
""")
    now = at("2026-11-04 09:30")  # Wednesday of week 45
    async with Hub(config, pm=make_plugin_manager(), clock=lambda: now) as hub:
        async with asyncio.timeout(10):
            await hub.rollups_ready.wait()
        await hub.wait_idle()  # the publish tick after the objectives were judged
        views = {}
        for token in ("kiosk-token-support", "agent-token-ann", "manager-token-1"):
            ws = await hello(hub.ws_url, token)
            views[token] = (await recv(ws))["view"]
            await ws.close()
    kiosk, agent, manager = views.values()
    kr = kiosk["objective:0"]["key_results"][0]
    # Week 45 so far: 3 abandoned of 12 = 25 %; from 40 % towards 10 %: 15 of 30 points.
    assert kr["value"] == pytest.approx(25.0) and kr["progress_pct"] == pytest.approx(50.0)
    assert "scorecard:team:support" in kiosk and "scorecard:site" not in kiosk
    assert agent["objective:0"] == kiosk["objective:0"]
    assert not [k for k in agent if k.startswith("scorecard:")]
    assert {"scorecard:site", "scorecard:team:support", "objective:0"} <= set(manager)
    row = next(r for r in kiosk["scorecard:team:support"]["rows"]
               if r["kpi"] == "abandon_rate_pct")
    assert row["value"] == pytest.approx(25.0)  # month so far (Nov): the same calls


async def test_last_month_entered_by_hand_is_the_previous_period(tmp_path):
    """A hub new this month: the manager types last month's training hours, leavers and
    headcount so the scorecard has something to compare with. That month holds no counted
    day, only entered ones: it is still the previous period (the scorecard's ``was``, an
    objective's baseline), and its own days with figures are counted as covered."""
    from panneau.hub import events as ev
    from panneau.hub.config import parse_config
    from panneau.hub.plugins import make_plugin_manager
    from panneau.hub.server.app import Hub
    from tests.objectives.conftest import CONFIG

    config = parse_config(CONFIG.format(db=tmp_path / "new.db"))
    now = at("2026-11-30 09:30")
    entered = [("t-oct", "training_hours", 8, "2026-10-15"), ("l-oct", "leavers", 2, "2026-10-10"),
               ("h-oct", "headcount", 10, "2026-10-10"), ("t-nov", "training_hours", 12,
                                                          "2026-11-30")]
    async with Hub(config, pm=make_plugin_manager(), clock=lambda: now) as hub:
        async with asyncio.timeout(10):
            await hub.rollups_ready.wait()
        for entry, name, amount, day in entered:
            hub.engine.apply(ev.FigureEntered(ts=now, entry_id=entry, figure=name,
                                              amount=amount, day=day, team="support"))
        await hub.rollups.write(hub.engine, now)
        november, october = await hub.rollups.run(lambda r: (
            period_figures(r, "team:support", parse_period("2026-11", date(2026, 11, 30))),
            period_figures(r, "team:support", parse_period("2026-10", date(2026, 11, 30)),
                           compare=False)))
    check(november.figures, {"training_hours": 12})
    assert november.previous is not None
    check(november.previous, {"training_hours": 8, "leavers": 2, "headcount": 10,
                              "turnover_pct": 20.0})
    check(october.figures, {"training_hours": 8})
    assert october.days_covered == 2  # 10 and 15 October have figures


def test_a_report_judges_its_objectives_on_the_days_up_to_its_period_end(journal_path):
    """Week 44's report (sent late, or on Monday morning) told the quarter's objective with
    the days after the week: Q4 summed to today, Monday and Tuesday of week 45 included.
    Up to Sunday 1 November the quarter holds Friday's 4 calls, all answered: 0 % abandoned,
    achieved; with week 45's 3 abandoned of 12 it read 18.75 %, at risk."""
    from panneau.hub.config import parse_config
    from panneau.hub.reports.scheduler import objective_notes
    from tests.objectives.conftest import CONFIG

    config = parse_config(CONFIG.format(db=journal_path) + """
[[objectives]]
title = "Keep every caller"
period = "quarter"
team = "support"
  [[objectives.key_results]]
  kpi = "abandon_rate_pct"
  target = 10
  baseline = 40
""")
    journal = Journal(journal_path)
    rollups = Rollups(journal)
    rebuild(journal, config, rollups.missing(DayClock("Europe/Paris", "06:00"),
                                             date(2026, 11, 4).toordinal()), 0.0)
    week_44 = parse_period("2026-W44", date(2026, 11, 4))
    lines = objective_notes(rollups, config, ["team:support"], week_44)
    journal.close()
    assert lines == ["Objective Keep every caller (2026-Q4): achieved",
                     "  Abandon rate 0.0% → 10% by 2026-12-31, achieved"]
