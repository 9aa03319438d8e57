"""How a KPI value is typed outside Panneau: Excel number formats and cell values by unit."""

from __future__ import annotations

from panneau.hub.catalogue import KPIS

__all__ = ["cell_value", "number_format"]

#: Excel number format per catalogue unit; durations are Excel durations (days), percents
#: Excel percents (0..1).
FORMATS: dict[str, str] = {
    "s": "[h]:mm:ss", "min": "[h]:mm:ss", "h": "[h]:mm:ss",
    "pct": "0.0%", "count": "#,##0", "agents": "#,##0", "score": "0.0",
}
#: What to divide a value by to get Excel's unit (days for durations, 1 for 100 %).
DIVISORS: dict[str, float] = {"s": 86400.0, "min": 1440.0, "h": 24.0, "pct": 100.0}


def unit_of(kpi: str) -> str:
    """The catalogue unit of ``kpi`` (``"count"`` for an id the catalogue lacks)."""
    info = KPIS.get(kpi)
    return info.unit if info is not None else "count"


def number_format(kpi: str) -> str:
    """The Excel number format of ``kpi``'s values."""
    return FORMATS.get(unit_of(kpi), "General")


def cell_value(kpi: str, value: float) -> float:
    """``value`` in the unit :func:`number_format` expects (seconds → days, % → fraction)."""
    return value / DIVISORS.get(unit_of(kpi), 1.0)
