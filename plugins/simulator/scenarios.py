"""Scenarios (what kind of day is simulated) and the simulated local clock."""

from __future__ import annotations

import zoneinfo
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["DAY_CURVE", "SCENARIOS", "Scenario", "SimClock", "day_factor", "status_text"]


@dataclass(frozen=True, slots=True)
class Scenario:
    """How a scenario bends a normal day."""

    name: str
    description: str
    clock_hour: float | None = None
    volume: float = 1.0
    staffing: float = 1.0
    incident_factor: float = 1.0
    incident_duration_s: float = 0.0
    incident_dropouts: int = 0


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("day", "a normal day"),
        Scenario("quiet_morning", "opening time, few callers, agents trickling in",
                 clock_hour=7.9, volume=0.5, staffing=0.8),
        Scenario("lunch_peak", "lunch time: the busiest hour while agents take lunch",
                 clock_hour=11.75, volume=1.6),
        Scenario("incident", "an outage floods one queue while three of its agents drop out",
                 clock_hour=10.0, incident_factor=15.0, incident_duration_s=1800.0,
                 incident_dropouts=3),
    )
}

def _hhmm(hour: float) -> str:
    minutes = round(hour * 60) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def status_text(scenario: str, clock_hour: float | None, timezone: str) -> str:
    """What the source's status says it plays: the scenario, and the local time of day its
    calls follow — the hub's clock in ``timezone`` (the wall clock, or a demo's sped one), or
    ``clock_hour`` at the start whatever the real time (a scenario moved off its own hour is
    named, not described: a lunch peak moved to 03:00 is no lunch time)."""
    played = SCENARIOS[scenario]
    hour = clock_hour if clock_hour is not None else played.clock_hour
    if hour is None:
        return f"{played.description} following the hub's local clock ({timezone})"
    if played.clock_hour is None or hour == played.clock_hour:
        return (f"{played.description} (simulated local time {_hhmm(hour)} at the start, "
                "not the real clock)")
    return (f"the {played.name} scenario moved from {_hhmm(played.clock_hour)} to "
            f"{_hhmm(hour)} (simulated local time at the start, not the real clock)")


#: Call volume by local hour, relative to the busiest time of a normal day (linear between).
DAY_CURVE: tuple[tuple[float, float], ...] = (
    (0.0, 0.0), (7.5, 0.0), (8.0, 0.35), (9.0, 0.8), (10.0, 1.0), (11.0, 0.85), (12.0, 0.95),
    (12.5, 1.0), (13.5, 0.85), (14.5, 0.9), (16.0, 0.75), (17.0, 0.45), (18.0, 0.1),
    (18.5, 0.0), (24.0, 0.0),
)
_HOURS = [h for h, _ in DAY_CURVE]


def day_factor(hour: float) -> float:
    """Relative call volume at a local hour of day (0 ≤ hour < 24)."""
    i = bisect_right(_HOURS, hour) - 1
    (h0, v0), (h1, v1) = DAY_CURVE[i], DAY_CURVE[min(i + 1, len(DAY_CURVE) - 1)]
    return v0 if h1 == h0 else v0 + (v1 - v0) * (hour - h0) / (h1 - h0)


@dataclass(frozen=True, slots=True)
class SimClock:
    """Maps simulated UTC time to the local hour of day the contact centre lives in.

    With ``clock_hour`` set, the local day is anchored at ``origin`` (so a demo started at
    any time shows, say, lunch time); otherwise it is the real local time in ``timezone``.
    """

    origin: float
    clock_hour: float | None
    timezone: str = "UTC"

    def hour(self, t: float) -> float:
        """Local hour of day (0 ≤ h < 24) at ``t``."""
        if self.clock_hour is not None:
            return (self.clock_hour + (t - self.origin) / 3600.0) % 24.0
        local = datetime.fromtimestamp(t, UTC).astimezone(zoneinfo.ZoneInfo(self.timezone))
        return local.hour + local.minute / 60.0 + (local.second + local.microsecond / 1e6) / 3600

    def next_at(self, t: float, hour: float) -> float:
        """The first time at or after ``t`` when the local clock shows ``hour``."""
        return t + ((hour - self.hour(t)) % 24.0) * 3600.0
