"""The period's targets and states: each thresholded KPI of the site, teams and queues, day by day.

Fed the rows of a report as they stream past (:meth:`TargetSummary.add`), it keeps the last
``today`` sample of each working day of each thresholded KPI (the day's figure), then rates
each day with the threshold's levels (no hysteresis: a day's final figure is rated on its
own). Agents are left out on purpose: the summary is collective, never an individual rating.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from panneau.hub.config.schema import Config, Threshold
from panneau.hub.engine.scopes import Scopes
from panneau.hub.engine.thresholds import Thresholds, classify, higher_is_better
from panneau.hub.engine.windows import DayClock

__all__ = ["STATES", "SummaryLine", "TargetSummary"]

STATES: tuple[str, str, str] = ("ok", "warn", "alert")


@dataclass
class SummaryLine:
    """One thresholded KPI of one scope over the period."""

    scope: str
    kpi: str
    threshold: Threshold
    higher: bool
    days: dict[date, float]

    def state(self, value: float) -> str:
        """``ok``/``warn``/``alert`` of ``value`` against the threshold's levels."""
        t = self.threshold
        return STATES[classify(value, t.warn, t.alert, self.higher)]

    def counts(self) -> dict[str, int]:
        """How many days ended in each state."""
        out = dict.fromkeys(STATES, 0)
        for value in self.days.values():
            out[self.state(value)] += 1
        return out

    def last(self) -> tuple[date, float] | None:
        """The last day with a figure and that figure."""
        if not self.days:
            return None
        day = max(self.days)
        return day, self.days[day]


class TargetSummary:
    """Collects day figures of thresholded KPIs from streamed rows."""

    def __init__(self, config: Config) -> None:
        self.thresholds = Thresholds(config, Scopes(config))
        self.clock = DayClock(config.hub.timezone, config.hub.day_start)
        self.lines: dict[tuple[str, str], SummaryLine | None] = {}

    def add(self, ts: float, scope: str, window: str, kpi: str, value: float) -> None:
        """Note one row (only ``today`` rows of thresholded KPIs of shared scopes count)."""
        if window != "today" or kpi not in self.thresholds.by_kpi or scope.startswith("agent:"):
            return
        key = (scope, kpi)
        line = self.lines.get(key, False)
        if line is False:
            t = self.thresholds.find(scope, kpi)
            line = None
            if t is not None and (t.warn is not None or t.alert is not None
                                  or t.target is not None):
                line = SummaryLine(scope, kpi, t, higher_is_better(t), {})
            self.lines[key] = line
        if line is not None:
            line.days[date.fromordinal(self.clock.day(ts))] = value

    def result(self) -> list[SummaryLine]:
        """The lines with at least one day, site first, then teams, then queues."""
        order = {"site": 0, "team": 1, "queue": 2}
        found = [line for line in self.lines.values() if line is not None and line.days]
        return sorted(found, key=lambda x: (order.get(x.scope.partition(":")[0], 3),
                                            x.scope, x.kpi))
