"""When a screen asks the hub again for its charts' series (:mod:`panneau.hub.charts`).

A ``series`` answer changes only when the hub samples its figures (every
``hub.history_interval_s``). A screen asks again when the charts it has are behind (a series'
last sample in a half hour, or a day, the hub's clock has left; a figure the series draws
moved off it in the view; no answer yet, or another day's) and its last ask is ``every_s``
seconds old on the wall clock. Not the hub's: at ``clock_speed`` 60, "once a minute" of the
hub's clock was every wall second, and the kiosk and the browser wall asked the hub for the
Trends page's two series about every second (the console for its Charts tab's, every tick).
At ×1 the two clocks are one: a screen asks as before, but not when its charts would come
back the same.

hub/web/charts.js ``chartsDue`` is the same rule (tests/web/test_wall_chart_asks.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from panneau.hub.charts import history_frames
from panneau.hub.view import ViewState

__all__ = ["charts_behind", "charts_due"]


def _number(value: Any) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if ok else None


def _last(samples: Any) -> tuple[float, float] | None:
    """The last well-formed ``[ts, value]`` of a series (the hub sends them oldest first)."""
    for sample in reversed(samples if isinstance(samples, list) else ()):
        if isinstance(sample, list | tuple) and len(sample) == 2:
            ts, value = _number(sample[0]), _number(sample[1])
            if ts is not None and value is not None:
                return ts, value
    return None


def charts_behind(view: ViewState, scope: str, answers: Mapping[str, Any], now: float,
                  zone: ZoneInfo) -> bool:
    """Whether ``answers`` (by ref) miss what the hub may have sampled by ``now`` for the
    figures of ``scope`` the view holds: see the module docstring."""
    for frame in history_frames(scope, now, zone):
        answer = answers.get(frame["ref"])
        if not isinstance(answer, Mapping) or answer.get("since") != frame["since"]:
            return True
        series, since = answer.get("series"), frame["since"]
        step = _number(answer.get("step_s")) or frame["step_s"]
        bucket = (now - since) // step  # the hub's half hour (day) now
        for key in frame["keys"]:
            value = _number(view.values.get(f"kpi:{key}"))
            if value is None:
                continue
            last = _last(series.get(key) if isinstance(series, Mapping) else None)
            if last is None or last[1] != value or (last[0] - since) // step < bucket:
                return True
    return False


def charts_due(view: ViewState, scope: str, answers: Mapping[str, Any], now: float,
               zone: ZoneInfo, *, asked_at: float | None, wall: float, every_s: float) -> bool:
    """Whether to ask for ``scope``'s chart series at the hub's ``now`` and the wall clock's
    ``wall``: never asked (``asked_at``: the wall clock's time of the last ask), or asked
    ``every_s`` seconds ago or more (or the wall clock set back since) and the charts are
    behind (:func:`charts_behind`)."""
    if asked_at is None:
        return True
    if 0 <= wall - asked_at < every_s:
        return False
    return charts_behind(view, scope, answers, now, zone)
