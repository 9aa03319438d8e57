"""Objectives and scorecard view values for the screen tests, judged by the hub's own code
(panneau.hub.objectives) from fixed period figures."""

from __future__ import annotations

from datetime import date

from panneau.hub.config import parse_config
from panneau.hub.objectives import Figures, objectives_board, scorecard_board

CONFIG = """
[[teams]]
id = "support"
name = "Support desk"
queues = ["support"]
agents = ["ann", "bob", "cyd"]

[[thresholds]]
kpi = "service_level_offered_pct"
warn = 80
alert = 60

[[objectives]]
title = "Customers are helped the first time"
perspective = "customer"
period = "quarter"
team = "support"
  [[objectives.key_results]]
  kpi = "fcr_pct"
  target = 80
  baseline = 74
  [[objectives.key_results]]
  kpi = "csat_pct"
  target = 85

[[objectives]]
title = "Keep every caller"
perspective = "process"
period = "month"
  [[objectives.key_results]]
  kpi = "abandon_rate_pct"
  target = 5
  [[objectives.key_results]]
  kpi = "service_level_offered_pct"
  target = 80
  scope = "team:support"
"""

FIGURES = {
    "quarter": ({"fcr_pct": 77.0, "csat_pct": 83.0}, {"csat_pct": 80.0}),
    "month": ({"abandon_rate_pct": 7.5, "service_level_offered_pct": 72.0, "fcr_pct": 77.0,
               "occupancy_pct": 74.0, "turnover_pct": 4.0, "csat_pct": 83.0, "nps": 31.0,
               "asa_s": 24.0, "cost_per_contact": 4.35, "training_hours": 36.0,
               "kb_freshness_pct": 62.0, "self_service_pct": 41.0},
              {"abandon_rate_pct": 9.0, "service_level_offered_pct": 85.0, "fcr_pct": 75.0,
               "csat_pct": 81.0, "cost_per_contact": 4.6}),
}


def figures_of(scope, period):
    figures, previous = FIGURES["month" if period.kind == "month" else "quarter"]
    return Figures(figures, previous)


def goal_values(today: date = date(2026, 11, 28)) -> dict:
    """``objective:<n>`` and ``scorecard:team:support`` as the hub sends them."""
    config = parse_config(CONFIG)
    values = dict(objectives_board(config, today, figures_of))
    values["scorecard:team:support"] = scorecard_board(config, "team:support", today,
                                                       figures_of)
    return values
