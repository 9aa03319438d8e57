"""How a figure reads on every screen: value text per unit, state symbols, comparison arrows.

Pure functions. A value without data is always ``"-"`` (drawn as a big dash), never ``0``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from panneau.hub.catalogue import KPIS

__all__ = [
    "ASCII_SYMBOLS",
    "NO_DATA",
    "STATE_LABELS",
    "SYMBOLS",
    "Symbols",
    "compare",
    "format_delta",
    "format_duration",
    "format_value",
    "label_of",
    "state_reason",
    "state_symbol",
    "unit_of",
]

#: What a figure without data shows.
NO_DATA = "-"


@dataclass(frozen=True, slots=True)
class Symbols:
    """The shapes that mark a state, so it reads without colour."""

    ok: str
    warn: str
    alert: str
    none: str  # data but no threshold
    nodata: str
    stale: str
    up: str
    down: str
    same: str
    page_on: str
    page_off: str
    partial_blocks: bool = True  # ▀ ▄ and the sparkline's ▁…▇ exist in the font
    dash: str = "–"  # between the ends of a range (``Mon–Fri``)

    def state(self, state: str) -> str:
        """The symbol of ``ok``/``warn``/``alert``/``none``/``nodata``."""
        return getattr(self, state)


#: Unicode shapes for terminals with a full font (foot, kitty, browsers).
SYMBOLS = Symbols("✓", "▲", "✖", "·", "—", "◌", "↑", "↓", "=", "●", "○")
#: Shapes the Linux console's Terminus fonts have (no ✓ ✖ ○, no ▀ ▄ ▁…▇; only █ ░ ▒).
ASCII_SYMBOLS = Symbols("+", "!", "X", ".", "-", "~", "^", "v", "=", "#", ".",
                        partial_blocks=False, dash="-")


#: An agent's state as every screen names it.
STATE_LABELS: dict[str, str] = {
    "available": "Available",
    "ringing": "Ringing",
    "on_call": "On call",
    "wrapup": "Wrap-up",
    "paused": "Paused",
    "logged_out": "Logged out",
}


def state_reason(label: str, reason: str | None) -> str:
    """What an agent's state adds to its label (a pause's reason), ``""`` when it only says the
    label again: Asterisk's wrap-up "reason" is "Wrap-up" ("Wrap-up: Wrap-up" said it twice)."""
    reason = reason or ""
    return "" if reason.lower() == label.lower() else reason


def state_symbol(state: str | None, symbols: Symbols = SYMBOLS) -> str:
    """The symbol of ``ok``/``warn``/``alert``; a blank for no state (or another word)."""
    return symbols.state(state) if state in ("ok", "warn", "alert") else " "


def unit_of(kpi: str) -> str:
    """The catalogue unit of a KPI id (``count`` when unknown)."""
    info = KPIS.get(kpi)
    return info.unit if info else "count"


def label_of(kpi: str) -> str:
    """The catalogue label of a KPI id (the id itself when unknown)."""
    info = KPIS.get(kpi)
    return info.label if info else kpi.replace("_", " ")


def _number(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return "0" if text in ("-0", "-0.0") else text


def _duration(seconds: float) -> str:
    total = round(seconds)
    hours, rest = divmod(abs(total), 3600)
    minutes, secs = divmod(rest, 60)
    sign = "-" if total < 0 else ""
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes}:{secs:02d}"


def format_value(kpi: str, value: float | None) -> str:
    """The text for the big digits: ``4:05``, ``87%``, ``3.4%``, ``12``, ``+35``; ``-`` if none."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return NO_DATA
    unit = unit_of(kpi)
    if unit == "s":
        return _duration(value)
    if unit == "pct":
        return _number(value, 1 if abs(value) < 10 else 0) + "%"
    if unit in ("min", "h"):
        return _number(value, 1 if abs(value) < 10 else 0) + unit[0]
    if unit == "money":
        return _number(value, 2 if abs(value) < 100 else 0)
    if unit == "score":
        return f"{round(value):+d}" if round(value) else "0"
    return _number(value, 0 if float(value).is_integer() or abs(value) >= 10 else 1)


def format_duration(seconds: float | None) -> str:
    """``m:ss`` under an hour, ``h:mm:ss`` above (never negative); ``-`` for no value."""
    if seconds is None:
        return NO_DATA
    return _duration(max(0.0, seconds))


def format_delta(kpi: str, delta: float) -> str:
    """A signed difference in the KPI's unit: ``+0:12``, ``-3%``, ``+2``."""
    sign = "+" if delta >= 0 else "-"
    return sign + format_value(kpi, abs(delta)).lstrip("+")


def compare(kpi: str, value: float | None, ref: float | None) -> tuple[int, bool | None]:
    """Direction of ``value`` versus ``ref`` (-1, 0, 1) and whether that is better.

    Better is ``None`` when the KPI has no preferred direction or nothing moved.
    """
    if value is None or ref is None:
        return 0, None
    direction = (value > ref) - (value < ref)
    info = KPIS.get(kpi)
    if direction == 0 or info is None or info.higher_is_better is None:
        return direction, None
    return direction, (direction > 0) == info.higher_is_better
