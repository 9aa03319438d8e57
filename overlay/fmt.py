"""Text for figures: values by unit, durations, and the marks the overlay draws.

Every state is shown by a colour AND a symbol, so it reads without colour too.
"""

from __future__ import annotations

from typing import Literal

from hub.catalogue import KPIS

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

#: Threshold state → symbol, the same shapes as the kiosk's (shape differs, not only colour).
STATE_SYMBOLS: dict[str, str] = {"ok": "✓", "warn": "▲", "alert": "✖"}

Mark = Literal["ahead", "behind"]
#: Against the agent's target: ``+`` ahead (or on) target, ``-`` behind it.
MARKS: dict[str, str] = {"ahead": "+", "behind": "-"}

Trend = Literal["better", "worse", "same"]
#: Against the agent's own figure at the same time last week.
TREND_ARROWS: dict[str, str] = {"better": "↗", "worse": "↘", "same": "→"}


def state_symbol(state: str | None) -> str:
    """The symbol of ``ok``/``warn``/``alert``; a blank for no state."""
    return STATE_SYMBOLS.get(state or "", " ")


def fmt_duration(seconds: float | None) -> str:
    """``m:ss`` under an hour, ``h:mm:ss`` above; ``–`` for no value."""
    if seconds is None:
        return "–"
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def fmt_value(kpi: str, value: float | None) -> str:
    """A KPI value as people read it: ``2:10``, ``81%``, ``34``, ``4.2h``; ``–`` when absent."""
    if value is None:
        return "–"
    info = KPIS.get(kpi)
    unit = info.unit if info else "count"
    if unit == "s":
        return fmt_duration(value)
    if unit == "pct":
        return f"{value:.0f}%"
    if unit in ("min", "h"):
        return f"{value:.1f}{unit[0]}"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}"


def fmt_delta(kpi: str, delta: float) -> str:
    """A signed difference in the KPI's unit: ``+4``, ``-0:12``, ``+3%``."""
    sign = "+" if delta >= 0 else "-"
    return sign + fmt_value(kpi, abs(delta))
