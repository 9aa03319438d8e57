"""When a screen asks again for its charts' series (hub/chart_asks.py): when they can have
changed, at most once a minute of the wall clock, not on every tick of a sped hub's clock.

The cases are the browser wall's too (tests/web/test_wall_chart_asks.py runs them in Node).
"""

from __future__ import annotations

import pytest

from panneau.hub.chart_asks import charts_due
from panneau.hub.charts import history_frames
from panneau.hub.view import ViewState
from tests.chart_data import NOW, ZONE, answers

SCOPE = "team:support"
DAY_FIGURES = {f"kpi:{SCOPE}/today/service_level_offered_pct": 80.5,
               f"kpi:{SCOPE}/today/abandon_rate_pct": 6.0, f"kpi:{SCOPE}/today/offered": 270,
               f"kpi:{SCOPE}/today/answered": 250, f"kpi:{SCOPE}/today/resolution_avg_h": 6.5}
W0 = 1_700_000_000.0  # the wall clock's


def caught_up(at: float, figures: dict) -> dict:
    """Answers whose series end with ``figures``, sampled at ``at`` (the hub's clock)."""
    out = {}
    for frame in history_frames(SCOPE, at, ZONE):
        series = {key: [[at - 7200.0, 1.0], [at, float(figures[f"kpi:{key}"])]]
                  for key in frame["keys"] if f"kpi:{key}" in figures}
        out[frame["ref"]] = {"type": "series", "ref": frame["ref"], "since": frame["since"],
                             "until": at, "step_s": frame["step_s"], "series": series}
    return out


#: (id, view values, answers, the hub's now, asked at (wall), wall, due)
CASES = [
    ("never asked", DAY_FIGURES, {}, NOW, None, W0, True),
    ("asked a second ago, nothing back yet", DAY_FIGURES, {}, NOW, W0 - 1, W0, False),
    ("a minute on, nothing back", DAY_FIGURES, {}, NOW, W0 - 60, W0, True),
    # a ×60 hub: its half hour closed within a few wall seconds; no ask within the minute
    ("sped: a half hour closed, 5 s on", DAY_FIGURES, caught_up(NOW - 900, DAY_FIGURES),
     NOW + 900, W0 - 5, W0, False),
    ("sped: a half hour closed, a minute on", DAY_FIGURES, caught_up(NOW - 900, DAY_FIGURES),
     NOW + 900, W0 - 60, W0, True),
    # the charts hold what the figures are, in this half hour: they would come back the same
    ("caught up, a minute on", DAY_FIGURES, caught_up(NOW - 60, DAY_FIGURES), NOW, W0 - 60, W0,
     False),
    ("a figure moved", {**DAY_FIGURES, f"kpi:{SCOPE}/today/answered": 251},
     caught_up(NOW - 60, DAY_FIGURES), NOW, W0 - 60, W0, True),
    ("a figure moved, 30 s on", {**DAY_FIGURES, f"kpi:{SCOPE}/today/answered": 251},
     caught_up(NOW - 60, DAY_FIGURES), NOW, W0 - 30, W0, False),
    ("the resolution time moved", {**DAY_FIGURES, f"kpi:{SCOPE}/today/resolution_avg_h": 7},
     caught_up(NOW - 60, DAY_FIGURES), NOW, W0 - 60, W0, True),
    ("a figure the view does not hold", {k: v for k, v in DAY_FIGURES.items()
                                         if not k.endswith("/offered")},
     caught_up(NOW - 60, {k: v for k, v in DAY_FIGURES.items() if not k.endswith("/offered")}),
     NOW, W0 - 60, W0, False),
    ("a figure the history never sampled", DAY_FIGURES,
     caught_up(NOW - 60, {k: v for k, v in DAY_FIGURES.items() if not k.endswith("/offered")}),
     NOW, W0 - 60, W0, True),
    ("the half hour closed since the last sample", DAY_FIGURES, answers(SCOPE, NOW), NOW,
     W0 - 60, W0, True),
    ("another day's answers", DAY_FIGURES, caught_up(NOW - 86400, DAY_FIGURES), NOW, W0 - 60,
     W0, True),
    ("the wall clock set back", DAY_FIGURES, {}, NOW, W0 + 3600, W0, True),
]


@pytest.mark.parametrize(("values", "given", "now", "asked_at", "wall", "due"),
                         [pytest.param(*case[1:], id=case[0]) for case in CASES])
def test_charts_are_asked_for_when_they_can_have_changed(values, given, now, asked_at, wall,
                                                         due):
    view = ViewState(values=dict(values))
    assert charts_due(view, SCOPE, given, now, ZONE, asked_at=asked_at, wall=wall,
                      every_s=60.0) is due
