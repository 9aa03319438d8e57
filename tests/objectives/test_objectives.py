"""Objectives, key results and the scorecard against figures worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from panneau.hub.config import ConfigError, parse_config
from panneau.hub.display import label_of
from panneau.hub.objectives import (
    Figures,
    kr_progress,
    kr_status,
    objective_line,
    objectives_board,
    scorecard_board,
)

BASE = """
[[teams]]
id = "support"
queues = ["support"]
agents = ["ann", "bob", "cyd"]
"""

OKR = BASE + """
[[objectives]]
title = "Customers feel heard"
perspective = "customer"
period = "quarter"
team = "support"
  [[objectives.key_results]]
  kpi = "fcr_pct"
  target = 80
  baseline = 74
  [[objectives.key_results]]
  kpi = "aht_s"
  target = 240
"""


def test_progress_from_baseline_to_target():
    assert kr_progress(77, 80, 74, higher=True) == pytest.approx(50.0)  # 3 of 6 points
    assert kr_progress(81, 80, 74, higher=True) == 100.0
    assert kr_progress(270, 240, 300, higher=False) == pytest.approx(50.0)  # 30 of 60 s
    assert kr_progress(60, 80, None, higher=True) == pytest.approx(75.0)  # 60 / 80
    assert kr_progress(300, 240, None, higher=False) == pytest.approx(80.0)  # 240 / 300
    assert kr_progress(70, 80, 74, higher=True) == 0.0  # worse than the baseline
    # A baseline that met the target already leaves no way to cover: 72 / 80.
    assert kr_progress(72, 80, 85, higher=True) == pytest.approx(90.0)
    assert kr_progress(None, 80, 74, higher=True) is None


def test_status_by_elapsed_time():
    assert kr_status(77, 45.0, 80, True, 0.5) == "on track"  # 45 >= 50 - 10
    assert kr_status(77, 30.0, 80, True, 0.5) == "at risk"
    assert kr_status(80, 100.0, 80, True, 0.9) == "achieved"
    assert kr_status(None, None, 80, True, 0.5) == "no data"


def figures_of(table):
    def get(scope, period):
        figures, previous = table[scope]
        return Figures(figures, previous)
    return get


def test_objective_board_and_overlay_line():
    config = parse_config(OKR)
    # 15 Nov 2026 is in Q4 (1 Oct .. 31 Dec, 92 days): 45.5 days over, 49 % of the time.
    board = objectives_board(config, date(2026, 11, 15), figures_of(
        {"team:support": ({"fcr_pct": 77.0, "aht_s": 300.0}, {"aht_s": 330.0})}))
    obj = board["objective:0"]
    fcr, aht = obj["key_results"]
    assert (fcr["progress_pct"], fcr["status"]) == (pytest.approx(50.0), "on track")
    # AHT: no baseline configured, so last quarter's 330 s; 30 of 90 s covered: 33 %.
    assert aht["baseline"] == 330.0 and aht["direction"] == "lower"
    assert aht["progress_pct"] == pytest.approx(100 / 3)
    assert aht["status"] == "at risk"  # 33 < 49 - 10
    assert obj["status"] == "at risk" and obj["period"] == "2026-Q4"
    assert obj["progress_pct"] == pytest.approx((50 + 100 / 3) / 2)
    assert objective_line(obj) == "Team objective: FCR 77% → 80% by 31 Dec, on track"


def test_scorecard_states_and_the_occupancy_warning():
    config = parse_config(BASE + """
[[thresholds]]
kpi = "service_level_offered_pct"
warn = 80
alert = 60
""")
    card = scorecard_board(config, "team:support", date(2026, 11, 15), figures_of(
        {"team:support": ({"occupancy_pct": 74.0, "turnover_pct": 4.0,
                           "service_level_offered_pct": 72.0},
                          {"service_level_offered_pct": 85.0})}))
    rows = {row["kpi"]: row for row in card["rows"]}
    sl = rows["service_level_offered_pct"]
    assert (sl["value"], sl["previous"], sl["state"]) == (72.0, 85.0, "warn")  # 60 <= 72 < 80
    assert rows["csat_pct"]["value"] is None and rows["csat_pct"]["state"] is None
    assert {row["perspective"] for row in card["rows"]} == {"cost", "customer", "process",
                                                            "people"}
    occupancy = next(link for link in card["links"] if link["cause"] == "occupancy_pct")
    assert occupancy["effect"] == "turnover_pct"
    assert occupancy["warning"] == "Occupancy above 70%"
    assert card["period"] == "2026-11"


def test_a_scorecard_of_its_own_kpis_keeps_only_the_default_links_between_them():
    """A ``[scorecard] kpis`` list without ``links`` kept the five default links, four of
    them between KPIs no longer on the card (cost per contact, turnover, training...);
    links written out are kept as written."""
    own = parse_config(BASE + """
[scorecard]
kpis = [{ kpi = "csat_pct", perspective = "customer" },
        { kpi = "asa_s", perspective = "customer", role = "leading" },
        { kpi = "fcr_pct", perspective = "process", role = "leading" }]
""")
    assert [(link.cause, link.effect) for link in own.scorecard.links] == [("asa_s", "csat_pct")]
    card = scorecard_board(own, "team:support", date(2026, 11, 15),
                           figures_of({"team:support": ({}, None)}))
    assert [link["cause"] for link in card["links"]] == ["asa_s"]
    written = parse_config(BASE + """
[scorecard]
kpis = [{ kpi = "csat_pct", perspective = "customer" }]
links = [{ cause = "training_hours", effect = "csat_pct" }]
""")
    assert [(link.cause, link.effect) for link in written.scorecard.links] == [
        ("training_hours", "csat_pct")]
    assert len(parse_config(BASE + '[scorecard]\nperiod = "week"\n').scorecard.links) == 5


def test_each_service_level_keeps_the_name_the_wall_gives_it():
    """A card with Asterisk's service level labelled it "Service level", as the all-callers
    one, where the wall's tile (the catalogue's label) says "SL (Asterisk)"."""
    own = parse_config(BASE + """
[scorecard]
kpis = [{ kpi = "service_level_pct", perspective = "process" },
        { kpi = "service_level_offered_pct", perspective = "process" },
        { kpi = "fcr_pct", perspective = "process", role = "leading" }]
[[objectives]]
title = "Answer on time"
[[objectives.key_results]]
kpi = "service_level_pct"
target = 80
""")
    got = figures_of({"team:support": ({}, None), "site": ({}, None)})
    card = scorecard_board(own, "team:support", date(2026, 11, 15), got)
    assert [row["label"] for row in card["rows"]] == ["SL (Asterisk)", "SL (all callers)", "FCR"]
    assert [label_of(row["kpi"]) for row in card["rows"][:2]] == ["SL (Asterisk)",
                                                                  "SL (all callers)"]
    goal = objectives_board(own, date(2026, 11, 15), got)["objective:0"]
    assert goal["key_results"][0]["label"] == "SL (Asterisk)"


@pytest.mark.parametrize(("extra", "message"), [
    ('[[objectives]]\ntitle = "x"\n[[objectives.key_results]]\nkpi = "fcr"\ntarget = 1\n',
     "<config>:9: objectives[0].key_results[0].kpi: unknown KPI 'fcr'"),
    ('[[objectives]]\ntitle = "x"\n[[objectives.key_results]]\nkpi = "fcr_pct"\ntarget = 1\n'
     'scope = "agent:ann"\n', "objectives[0].key_results[0].scope: an objective is never "
     "bound to an agent"),
    ('[[objectives]]\ntitle = "x"\nteam = "sales"\n[[objectives.key_results]]\n'
     'kpi = "fcr_pct"\ntarget = 1\n', "objectives[0].team: no team 'sales'"),
    ('[[objectives]]\ntitle = "x"\nperiod = "fortnight"\n[[objectives.key_results]]\n'
     'kpi = "fcr_pct"\ntarget = 1\n', "objectives[0].period: not a period"),
    ('[[objectives]]\ntitle = "x"\n[[objectives.key_results]]\nkpi = "fcr_pct"\n'
     'target = 1\nscope = "queue:nope"\n', "unknown scope 'queue:nope'"),
    ('[scorecard]\n[[scorecard.links]]\ncause = "occupancy_pct"\neffect = "churn"\n',
     "scorecard.links[0].effect: unknown KPI 'churn'"),
    ('[[objectives]]\ntitle = "x"\nperiod = "2026-Q4"\n[[objectives.key_results]]\n'
     'kpi = "fcr_pct"\ntarget = 1\ndeadline = "2027-03-31"\n',
     "<config>:12: objectives[0].key_results[0].deadline: 2027-03-31 is outside the "
     "objective's period 2026-Q4 (2026-10-01 to 2026-12-31)"),
    ('[[objectives]]\ntitle = "x"\nperiod = "2026-11"\n[[objectives.key_results]]\n'
     'kpi = "fcr_pct"\ntarget = 1\ndeadline = "2026-31-12"\n',
     "objectives[0].key_results[0].deadline: expected YYYY-MM-DD, got '2026-31-12'"),
])
def test_bad_objectives_are_refused_with_their_line(extra, message):
    with pytest.raises(ConfigError) as err:
        parse_config(BASE + extra)
    assert any(message in line for line in err.value.messages), err.value.messages


@pytest.mark.parametrize(("period", "deadline"), [
    ("2026-Q4", "2026-12-31"), ("2026-Q4", "2026-10-01"), ("quarter", "2026-12-31"),
    ("month", "2020-01-31"), ("2026-11-01..2026-11-15", "2026-11-15")])
def test_a_deadline_within_a_fixed_period_or_with_a_rolling_one_is_taken(period, deadline):
    config = parse_config(BASE + f'[[objectives]]\ntitle = "x"\nperiod = "{period}"\n'
                          '[[objectives.key_results]]\nkpi = "fcr_pct"\ntarget = 1\n'
                          f'deadline = "{deadline}"\n')
    assert config.objectives[0].key_results[0].deadline == deadline


def test_a_key_result_without_figures_leaves_its_objective_short_of_done():
    """FCR achieved, AHT without a figure yet: the objective read '▲ at risk' beside a full
    '██████████ 100%' bar (the mean of the one key result that had a figure). A key result
    without a figure adds nothing to the way covered: 100 and 0, 50 %."""
    config = parse_config(OKR)
    board = objectives_board(config, date(2026, 11, 15), figures_of(
        {"team:support": ({"fcr_pct": 81.0}, None)}))
    obj = board["objective:0"]
    fcr, aht = obj["key_results"]
    assert (fcr["status"], fcr["progress_pct"]) == ("achieved", 100.0)
    assert (aht["status"], aht["progress_pct"]) == ("no data", None)
    assert obj["status"] == "at risk"
    assert obj["progress_pct"] == pytest.approx(50.0)
    none = objectives_board(config, date(2026, 11, 15), figures_of(
        {"team:support": ({}, None)}))["objective:0"]
    assert (none["status"], none["progress_pct"]) == ("no data", None)
