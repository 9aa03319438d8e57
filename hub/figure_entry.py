"""The ``enter_figure`` frame from what a manager typed: one check for ``panneau input`` and
the console's form, so both refuse the same things with the same words before sending.

The hub checks again what only it can tell (a configured team, a known entry to correct).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from panneau.hub.engine.inputs import FIGURES

if TYPE_CHECKING:
    from panneau.hub.config.schema import ClusterSettings

__all__ = ["DAYS_AHEAD", "DAYS_BACK", "MAX_AMOUNT", "figure_frame", "implausible_entry",
           "misplaced_entry"]

#: How far from today the day an entry is for may lie: next year's hourly cost may be entered
#: ahead, last year's figures late (periods compare with last year); 9999-12-31 is a typo.
DAYS_AHEAD, DAYS_BACK = 366, 2 * 366
#: No entry holds more (a trillion: money in cents included); 1e308 summed to infinity.
MAX_AMOUNT = 1e12


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
    return {"type": "enter_figure", "figure": figure,  # msgpack holds no int over 2**64
            "amount": int(value) if value.is_integer() and value < MAX_AMOUNT else value,
            "team": (team or "").strip() or None, "day": day,
            "category": (category or "").strip() or None,
            "corrects": (corrects or "").strip() or None}


def implausible_entry(amount: float, day: str | None, today: date) -> str | None:
    """Why an entry (already well-formed) cannot be meant, or ``None``: an amount over
    :data:`MAX_AMOUNT`, a day more than :data:`DAYS_AHEAD` after ``today`` (the hub's) or
    more than :data:`DAYS_BACK` before it."""
    if amount > MAX_AMOUNT:
        return f"the amount {amount:g} is over {MAX_AMOUNT:g}"
    if day is None:
        return None
    when = date.fromisoformat(day)
    if when > today + timedelta(days=DAYS_AHEAD):
        return f"day {day} is more than a year after today ({today})"
    if when < today - timedelta(days=DAYS_BACK):
        return f"day {day} is more than two years before today ({today})"
    return None


def misplaced_entry(cluster: ClusterSettings | None, team: str | None, amount: float,
                    corrects: str | None) -> str | None:
    """Why this hub does not take a figure entered for ``team``, or ``None``. One figure has
    one value: a site's figures are entered at the site's hub, and reach edge and group hubs
    through its stream. So an edge hub takes none (its screens would differ from every other
    edge's) and a group hub none for a site's team (its ``site:<name>`` would differ from the
    site's own ``site``); a group hub's own figures have no team and count in its total only.
    Withdrawing an entry taken before (a correction to 0) is always allowed: nothing
    accepted is lost, and it can still be taken back."""
    if cluster is None or cluster.role == "site" or (corrects and amount == 0):
        return None
    if cluster.role == "edge":
        return ("this is an edge hub: it shows its sites' figures; enter figures at the "
                "site's hub, they reach every edge through its stream")
    site, sep, name = (team or "").partition(":")
    if sep and site in cluster.sites:
        return (f"{team} is a team of site {site}: enter its figures at {site}'s hub "
                f"(--team {name} there); they reach this group hub through its stream, so "
                f"site:{site} stays the figure {site}'s hub shows")
    return None
