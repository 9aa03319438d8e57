"""The marks only the overlay draws: the agent against their target and their own past.

Values, durations, deltas and state symbols come from :mod:`panneau.hub.display`, so a figure
reads the same on the wall, the agent's screen and the console.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["MARKS", "TREND_ARROWS", "Mark", "Trend"]

Mark = Literal["ahead", "behind"]
#: Against the agent's target: ``+`` ahead of (or on) target, ``-`` behind it.
MARKS: dict[str, str] = {"ahead": "+", "behind": "-"}

Trend = Literal["better", "worse", "same"]
#: Against the agent's own figure at the same time last week.
TREND_ARROWS: dict[str, str] = {"better": "↗", "worse": "↘", "same": "→"}
