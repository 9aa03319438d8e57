"""Each built-in insight rule fires exactly when its condition holds (hand-derived figures)."""

from __future__ import annotations

import pytest

from panneau.hub.config import parse_config
from panneau.hub.insights import Figures, Insight, InsightRule, run_rules
from panneau.plugins.insights.rules import RULES, WEEK

CONFIG = parse_config("""
[kpi]
service_level_s = 20
service_level_target_pct = 80.0
small_n = 10
[queues.support]
label = "Support"
service_level_s = 30
[[teams]]
id = "care"
name = "Care team"
queues = ["support"]
agents = ["alice", "bob", "carl"]
""")
RULE = {r.name: r for r in RULES}


def run(name: str, values: dict, past: dict | None = None, small_n=frozenset()) -> list[Insight]:
    """The insights of one rule on figures given as ``{scope: {window: {kpi: v}}}``."""
    figures = Figures(1_800_000_000.0, values, past or {}, CONFIG, small_n)
    return list(run_rules([RULE[name]], figures).values())


def queue_now(needed, available, on_call, wrapup=0.0, ringing=0.0):
    return {"queue:support": {
        "now": {"agents_needed": needed, "agents_available": available,
                "agents_on_call": on_call, "agents_wrapup": wrapup, "agents_ringing": ringing},
        "30m": {"offered": 60.0, "aht_s": 300.0}}}


def test_staffing_fires_when_erlang_needs_more_than_take_calls():
    # 7 needed, 2 available + 3 on call + 0 wrap-up = 5 taking calls: 2 short
    [insight] = run("staffing", queue_now(7.0, 2.0, 3.0))
    assert insight.text == ("Queue Support: 2 more agents needed now to reach 80/30 (Erlang C), "
                            "5 taking calls (2 available, 3 on call)")
    assert insight.key == "queue:support/now/agents_needed" and insight.severity == "alert"
    assert insight.figures == {"agents_needed": 7.0, "agents_taking_calls": 5.0,
                               "offered_30m": 60.0, "aht_30m_s": 300.0}
    assert "30 min" in insight.period
    [one] = run("staffing", queue_now(6.0, 1.0, 3.0, wrapup=1.0))  # 5 taking: 1 short
    assert one.text.startswith("Queue Support: 1 more agent needed") and one.severity == "warn"
    # a live wall read "5 taking calls" beside On call 3 and Available 0: who they are
    assert one.text.endswith("5 taking calls (1 available, 3 on call, 1 in wrap-up)")
    assert run("staffing", queue_now(5.0, 1.0, 3.0, ringing=1.0)) == []  # exactly enough
    assert run("staffing", {"queue:support": {"now": {"agents_available": 0.0}}}) == []


def test_a_queue_is_named_as_a_queue_beside_a_team_of_the_same_name():
    config = parse_config("""
[queues.support]
label = "Support"
[queues.sales]
[queues.vip]
label = "VIP queue"
[[teams]]
id = "support"
name = "Support"
queues = ["support"]
""")
    figures = Figures(1_800_000_000.0, {}, {}, config)
    assert [figures.label(s) for s in ("team:support", "queue:support", "queue:sales",
                                       "queue:vip", "site")] == [
        "Support", "Queue Support", "Queue sales", "VIP queue", "Site"]


def abandon_figures(rate, offered, before, offered_before):
    values = {"team:care": {"60m": {"abandon_rate_pct": rate, "offered": offered}}}
    past = {WEEK: {"team:care/60m/abandon_rate_pct": before, "team:care/60m/offered":
                   offered_before}}
    return values, past


def test_abandon_fires_on_five_points_over_last_weeks_hour_with_enough_calls():
    [insight] = run("abandon", *abandon_figures(18.0, 50.0, 6.0, 40.0))
    assert insight.text == "Care team: abandon rate 18 % this hour vs 6 % same hour last week"
    assert insight.severity == "alert"  # 12 points: twice the threshold
    assert insight.figures["offered_last_week"] == 40.0
    assert insight.period == "the last 60 min vs the same 60 min a week ago"
    assert run("abandon", *abandon_figures(11.0, 50.0, 6.0, 40.0))[0].severity == "warn"
    assert run("abandon", *abandon_figures(10.9, 50.0, 6.0, 40.0)) == []  # 4.9 points
    assert run("abandon", *abandon_figures(18.0, 19.0, 6.0, 40.0)) == []  # too few calls now
    assert run("abandon", *abandon_figures(18.0, 50.0, 6.0, 19.0)) == []  # ... or then
    assert run("abandon", abandon_figures(18.0, 50.0, 6.0, 40.0)[0]) == []  # no history


def occupancy_figures(hour, recent, scope="team:care"):
    return {scope: {"60m": {"occupancy_pct": hour}, "15m": {"occupancy_pct": recent}}}


def test_occupancy_fires_when_both_the_hour_and_the_last_quarter_are_at_70():
    [insight] = run("occupancy", occupancy_figures(88.0, 92.0))
    assert insight.text == ("Care team: occupancy 88 % over the last hour (92 % in the last "
                            "15 min): turnover risk when above ~70 % is sustained")
    assert insight.severity == "alert"
    assert run("occupancy", occupancy_figures(70.0, 70.0))[0].severity == "warn"
    assert run("occupancy", occupancy_figures(69.9, 95.0)) == []
    assert run("occupancy", occupancy_figures(95.0, 69.9)) == []
    [agent] = run("occupancy", occupancy_figures(80.0, 80.0, "agent:alice"))
    assert agent.key == "agent:alice/60m/occupancy_pct"  # a manager's insight (agent scope)


def backlog_figures(now, before, solved, solved_before):
    values = {"queue:support": {"now": {"backlog": now}, "today": {"tickets_solved": solved}}}
    past = {WEEK: {"queue:support/now/backlog": before,
                   "queue:support/today/tickets_solved": solved_before}}
    return values, past


def test_backlog_fires_on_20_pct_growth_while_solved_did_not_rise():
    [insight] = run("backlog", *backlog_figures(130.0, 100.0, 45.0, 50.0))
    assert insight.text == ("Queue Support: backlog grew 30 % this week (100 → 130) while solved "
                            "fell 10 % (50 → 45 by this time of day)")
    [flat] = run("backlog", *backlog_figures(120.0, 100.0, 50.0, 50.0))
    assert "solved stayed flat" in flat.text
    assert run("backlog", *backlog_figures(119.0, 100.0, 45.0, 50.0)) == []  # 19 %
    assert run("backlog", *backlog_figures(130.0, 100.0, 51.0, 50.0)) == []  # solved rose
    assert run("backlog", *backlog_figures(13.0, 9.0, 0.0, 5.0)) == []  # under 10 a week ago


def csat_figures(now, before, n):
    values = {"site": {"today": {"csat_pct": now, "csat_responses": n}}}
    return values, {WEEK: {"site/today/csat_pct": before}}


def test_csat_fires_on_a_five_point_drop_with_enough_answers():
    [insight] = run("csat", *csat_figures(76.0, 85.0, 64.0))
    assert insight.text == "Site: CSAT fell 9 pts this week (76 % vs 85 %, n = 64)"
    assert insight.figures == {"csat_pct": 76.0, "csat_pct_last_week": 85.0,
                               "csat_responses": 64.0}
    assert run("csat", *csat_figures(80.0, 85.0, 10.0))  # exactly 5 points, exactly small_n
    assert run("csat", *csat_figures(80.1, 85.0, 64.0)) == []
    assert run("csat", *csat_figures(70.0, 85.0, 9.0)) == []  # fewer than kpi.small_n
    flagged = frozenset({"site/today/csat_pct"})
    assert run("csat", *csat_figures(70.0, 85.0, 64.0), small_n=flagged) == []


@pytest.mark.parametrize("name", sorted(RULE))
def test_every_rule_is_quiet_on_no_figures(name):
    assert run(name, {}) == []


def test_a_rule_that_raises_or_returns_junk_does_not_stop_the_others(caplog):
    def broken(_f):
        raise ZeroDivisionError

    def junk(_f):
        return ["not an insight", Insight("other-name", "site/today/offered", "t", {}, "p")]

    rules = [InsightRule("broken", broken), InsightRule("junk", junk), RULE["csat"]]
    found = run_rules(rules, Figures(0.0, *csat_figures(70.0, 85.0, 64.0), CONFIG))
    assert sorted(found) == ["csat/site", "junk/site"]  # renamed to the rule's own name
    assert "insight rule 'broken' failed" in caplog.text
