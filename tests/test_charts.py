"""The charts' model (:mod:`panneau.hub.charts`): hand-derived from fixed series and views."""

from __future__ import annotations

from datetime import datetime

import pytest
from chart_data import DAY, NOW, WEEK_RESOLUTION_H, ZONE, answers, scope_figures

from panneau.hub.catalogue import SERVICE_LEVEL
from panneau.hub.charts import (
    CHART_DAY_REF,
    PERIOD_DAYS,
    build_charts,
    day_start,
    history_frames,
)
from panneau.hub.view import ViewState, kpi_key


def view_of(values: dict) -> ViewState:
    view = ViewState()
    view.apply_snapshot("e", 0, {"meta": {"role": "manager", "timezone": "Europe/Paris"},
                                 **values})
    return view


def test_history_frames_ask_the_day_by_half_hour_and_the_week_by_day():
    day, period = history_frames("team:support", NOW, ZONE)
    midnight = datetime(2026, 3, 2, tzinfo=ZONE).timestamp()
    assert day_start(NOW, ZONE) == midnight
    assert day == {"type": "history", "ref": CHART_DAY_REF, "since": midnight, "until": NOW,
                   "step_s": 1800.0, "keys": [f"team:support/today/{k}" for k in (
                       SERVICE_LEVEL, "abandon_rate_pct", "offered", "answered")]}
    assert period["since"] == datetime(2026, 2, 23, tzinfo=ZONE).timestamp()
    assert period["step_s"] == 86400.0 and period["until"] - period["since"] <= 8 * 86400
    assert period["keys"] == ["team:support/today/resolution_avg_h"]


def test_no_chart_request_for_an_agent():
    with pytest.raises(ValueError, match="not an agent"):
        history_frames("agent:alice", NOW, ZONE)


def test_day_series_become_rates_and_half_hour_counts():
    charts = build_charts(view_of(scope_figures()), "team:support", answers())
    rates = charts.intraday
    assert rates.labels == ("07:30", "08:00", "08:30", "09:00", "09:30", "10:00", "10:30")
    assert [line.values for line in rates.lines] == [tuple(r[0] for r in DAY),
                                                     tuple(r[1] for r in DAY)]
    assert [t for _, t in rates.targets] == [80.0, 5.0]
    calls = charts.per_half_hour
    answered, missed = (line.values for line in calls.lines)
    # counters are day-to-date: each half hour is the difference with the one before
    assert answered == (12, 26, 42, 48, 44, 43, 35)  # offered (12, 28, 45, 55, 50, 46, 34)
    assert missed == (0, 2, 3, 7, 6, 3, 0)  # one more answered than offered: not below 0


def test_a_half_hour_without_sample_is_a_gap_not_a_zero():
    given = answers()
    day = given[CHART_DAY_REF]
    for key in day["series"]:
        del day["series"][key][2]  # no sample at 08:30
    charts = build_charts(view_of({}), "team:support", given)
    assert charts.intraday.lines[0].values[2] is None
    answered = charts.per_half_hour.lines[0].values
    assert answered[2] is None and answered[3] == 128 - 38  # since the last sample
    assert charts.intraday.targets == (("SL (all callers) target", None),
                                       ("Abandon rate target", None))


def test_the_week_is_one_value_a_day_and_today_last():
    charts = build_charts(view_of(scope_figures()), "team:support", answers())
    curve = charts.resolution
    assert len(curve.labels) == PERIOD_DAYS + 1 and curve.labels[-1] == "Mon 02"
    assert curve.lines[0].values == WEEK_RESOLUTION_H
    assert curve.targets == (("target", 8.0),)


def test_csat_gauge_channels_and_no_agent_bars_unless_asked():
    values = scope_figures() | {kpi_key("agent:alice", "today", "answered"): 30,
                                "agent:alice": {"state": "available", "name": "Alice"}}
    charts = build_charts(view_of(values), "team:support", {})
    assert (charts.csat.value, charts.csat.n, charts.csat.state) == (82.0, 64, "warn")
    assert charts.csat.targets == (("target", 85.0),)
    assert charts.channels.labels == ("email 45%", "chat 30%", "phone 15%", "web 10%")
    assert charts.channels.title == "Tickets today by channel (n = 100)"
    assert charts.types.labels == ("question 40%", "incident 30%", "no type 12%", "problem 10%",
                                   "feature req 8%")
    assert charts.types.lines[0].values == (40.0, 30.0, 12.0, 10.0, 8.0)
    assert charts.types.title == "Tickets today by type (n = 100)"
    assert charts.per_agent is None
    assert charts.intraday.empty == "no history yet today"
    assert charts.resolution.empty == "no resolution time this week"


def test_handled_per_agent_busiest_first_of_one_team():
    values = {"agent:alice": {"state": "available", "name": "Alice", "team": "support"},
              "agent:bob": {"state": "paused", "name": "Bob", "team": "support"},
              "agent:gina": {"state": "available", "name": "Gina", "team": "sales"},
              "agent:idle": {"state": "available", "name": "Idle", "team": "support"},
              kpi_key("agent:alice", "today", "answered"): 30,
              kpi_key("agent:bob", "today", "answered"): 20,
              kpi_key("agent:bob", "today", "tickets_solved"): 15,
              kpi_key("agent:gina", "today", "answered"): 50}
    view = view_of(values)
    team = build_charts(view, "team:support", {}, agents=True, team="support").per_agent
    assert team.labels == ("Bob 20+15", "Alice 30+0")
    assert [line.values for line in team.lines] == [(20.0, 30.0), (15.0, 0.0)]
    everyone = build_charts(view, "site", {}, agents=True).per_agent
    assert everyone.labels[0] == "Gina 50+0" and len(everyone.labels) == 3


def test_ticket_types_share_rounds_each_part_and_says_when_there_is_none():
    values = {kpi_key("site", "today", "tickets_type_task"): 2,
              kpi_key("site", "today", "tickets_type_other"): 1,
              kpi_key("site", "today", "tickets_via_email"): 3}
    types = build_charts(view_of(values), "site", {}).types
    assert types.labels == ("task 67%", "other 33%")
    assert types.lines[0].values == (66.7, 33.3)
    assert types.title == "Tickets today by type (n = 3)" and types.unit == "pct"
    assert build_charts(view_of({}), "site", {}).types.empty == "no ticket created today"
    # a live wall showed "no ticket today" beside Backlog 12 and 6 solved today: the shares
    # count the tickets created today, and the empty chart says so
    busy = view_of({kpi_key("site", "today", "backlog"): 12,
                    kpi_key("site", "today", "tickets_solved"): 6})
    charts = build_charts(busy, "site", {})
    assert charts.types.empty == charts.channels.empty == "no ticket created today"
