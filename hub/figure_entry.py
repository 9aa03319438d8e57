"""The ``enter_figure`` frame from what a manager typed: one check for ``panneau input`` and
the console's form, so both refuse the same things with the same words before sending.

The hub checks again what only it can tell (a configured team, a known entry to correct).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from panneau.hub.engine.inputs import FIGURES

__all__ = ["figure_frame"]


def figure_frame(figure: str, amount: str, *, team: str | None = None, day: str | None = None,
                 category: str | None = None, corrects: str | None = None) -> dict[str, Any]:
    """The ``enter_figure`` frame; ``ValueError`` saying what is wrong with a field."""
    spec = FIGURES.get(figure)
    if spec is None:
        raise ValueError(f"unknown figure {figure!r} (known: {', '.join(FIGURES)})")
    try:
        value = float(amount.strip())
    except ValueError:
        raise ValueError(f"the amount must be a number, got {amount!r}") from None
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"the amount must be 0 or more, got {amount!r}")
    if spec.whole and not value.is_integer():
        raise ValueError(f"{figure} is a count: a whole number, got {amount!r}")
    day = (day or "").strip() or None
    if day is not None:
        try:
            date.fromisoformat(day)
        except ValueError:
            raise ValueError(f"the day must be a date YYYY-MM-DD, got {day!r}") from None
    return {"type": "enter_figure", "figure": figure,
            "amount": int(value) if value.is_integer() else value,
            "team": (team or "").strip() or None, "day": day,
            "category": (category or "").strip() or None,
            "corrects": (corrects or "").strip() or None}
