"""Text for figures and the marks the overlay draws, read the same way as on the kiosk.

Values, deltas and state symbols come from :mod:`panneau.hub.display`, so a figure reads the same
on the wall and on the agent's screen. Every state is shown by a colour AND a symbol.
"""

from __future__ import annotations

from typing import Literal

from panneau.hub.display import NO_DATA, SYMBOLS, format_delta, format_value

__all__ = [
    "MARKS",
    "STATE_SYMBOLS",
    "TREND_ARROWS",
    "Mark",
    "Trend",
    "fmt_delta",
    "fmt_duration",
    "fmt_value",
    "state_symbol",
]

#: Threshold state → symbol (the kiosk's shapes: the shape differs, not only the colour).
STATE_SYMBOLS: dict[str, str] = {s: SYMBOLS.state(s) for s in ("ok", "warn", "alert")}

Mark = Literal["ahead", "behind"]
#: Against the agent's target: ``+`` ahead of (or on) target, ``-`` behind it.
MARKS: dict[str, str] = {"ahead": "+", "behind": "-"}

Trend = Literal["better", "worse", "same"]
#: Against the agent's own figure at the same time last week.
TREND_ARROWS: dict[str, str] = {"better": "↗", "worse": "↘", "same": "→"}

fmt_value = format_value
fmt_delta = format_delta


def state_symbol(state: str | None) -> str:
    """The symbol of ``ok``/``warn``/``alert``; a blank for no state."""
    return STATE_SYMBOLS.get(state or "", " ")


def fmt_duration(seconds: float | None) -> str:
    """``m:ss`` under an hour, ``h:mm:ss`` above (never negative); ``-`` for no value."""
    if seconds is None:
        return NO_DATA
    return format_value("aht_s", max(0.0, seconds))  # any KPI in seconds reads as a duration
