"""Fixed chart data: a team's day and week of ``series`` answers and the view figures the
charts read, at the overlay tests' ``NOW`` (2026-03-02 10:15 UTC, 11:15 in Paris)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from panneau.hub.catalogue import SERVICE_LEVEL
from panneau.hub.charts import CHART_DAY_REF, CHART_PERIOD_REF, history_frames
from panneau.hub.view import kpi_key, state_key

NOW = 1772446500.0
ZONE = ZoneInfo("Europe/Paris")
#: Day-to-date figures at the end of each half hour from 07:30 to 11:00 (local).
DAY = (  # (SL %, abandon %, offered, answered)
    (92.0, 2.0, 12, 12), (88.0, 3.5, 40, 38), (84.0, 4.0, 85, 80), (79.0, 6.5, 140, 128),
    (76.0, 8.0, 190, 172), (78.0, 7.0, 236, 215), (80.5, 6.0, 270, 250))
WEEK_RESOLUTION_H = (5.5, 7.0, None, 9.5, 6.0, 4.5, 8.0, 6.5)  # 7 days ago … today


def answers(scope: str = "team:support", now: float = NOW) -> dict[str, dict]:
    """The ``series`` answers a hub with that history gives to the chart requests at
    ``now`` (after 11:00 local)."""
    day, period = history_frames(scope, now, ZONE)
    start = day["since"] + 15 * 1800  # 07:30 local
    series = {key: [] for key in day["keys"]}
    for i, row in enumerate(DAY):
        ts = start + i * 1800 + 1790  # the last sample of the half hour
        for key, value in zip(day["keys"], row, strict=True):
            series[key].append([ts, float(value)])
    week = [[period["since"] + d * 86400 + 86000, v]
            for d, v in enumerate(WEEK_RESOLUTION_H) if v is not None]
    return {CHART_DAY_REF: {"type": "series", "ref": CHART_DAY_REF, "since": day["since"],
                            "until": now, "step_s": 1800.0, "series": series},
            CHART_PERIOD_REF: {"type": "series", "ref": CHART_PERIOD_REF,
                               "since": period["since"], "until": now, "step_s": 86400.0,
                               "series": {period["keys"][0]: week}}}


def scope_figures(scope: str = "team:support") -> dict:
    """The view figures of ``scope`` the charts read: targets, CSAT and n, tickets by channel
    and by type (100 tickets each)."""
    return {
        f"target:{scope}/{SERVICE_LEVEL}": {"target": 80, "warn": 75, "alert": 70,
                                           "higher_is_better": True},
        f"target:{scope}/abandon_rate_pct": {"target": 5, "warn": 8, "alert": 10,
                                            "higher_is_better": False},
        f"target:{scope}/csat_pct": {"target": 85, "warn": 80, "alert": 70,
                                     "higher_is_better": True},
        f"target:{scope}/resolution_avg_h": {"target": 8, "warn": 10, "alert": 12,
                                             "higher_is_better": False},
        kpi_key(scope, "today", "csat_pct"): 82.0,
        state_key(scope, "today", "csat_pct"): "warn",
        kpi_key(scope, "today", "csat_responses"): 64,
        kpi_key(scope, "today", "tickets_via_email"): 45,
        kpi_key(scope, "today", "tickets_via_chat"): 30,
        kpi_key(scope, "today", "tickets_via_phone"): 15,
        kpi_key(scope, "today", "tickets_via_web"): 10,
        kpi_key(scope, "today", "tickets_type_question"): 40,
        kpi_key(scope, "today", "tickets_type_incident"): 30,
        kpi_key(scope, "today", "tickets_type_unspecified"): 12,
        kpi_key(scope, "today", "tickets_type_problem"): 10,
        kpi_key(scope, "today", "tickets_type_feature_request"): 8,
    }
