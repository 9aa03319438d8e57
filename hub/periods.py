"""Reporting periods: week, month, quarter or a custom range of working days. Pure date maths.

Rules kept here:

- A period is a range of *working days* ``first..last`` (both included). A working day is the
  date of :class:`~panneau.hub.engine.windows.DayClock`: in the hub's timezone, starting at
  ``hub.day_start`` (with ``day_start = "06:00"``, 02:00 on 2 Jan belongs to 1 Jan).
- ``week``: Monday to Sunday (ISO). ``month``: the calendar month. ``quarter``: Jan–Mar,
  Apr–Jun, Jul–Sep, Oct–Dec. ``custom``: any ``first..last``.
- :func:`previous` is the period of the same kind just before; for ``custom``, the same number
  of days just before.
- :func:`last_year` is the same period a year earlier: the same ISO week number (week 53 of a
  year without one maps to week 52), the same month or quarter, a custom range shifted by one
  year (29 Feb becomes 28 Feb). A custom range longer than a year has none: shifted by a year
  it would still hold some of its own days, and be compared in part with itself.
- :func:`elapsed` is the share of a period's days that are over at a given working day
  (today counts as half over), used to judge whether an objective is on track.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

__all__ = ["KINDS", "Period", "date_reason", "days", "elapsed", "last_year", "parse_period",
           "period_of", "previous"]

#: Python's words for a date or time of the wrong shape: they quote the text back and say
#: nothing of the form expected, which the caller's message names instead.
_PYTHON_WORDS = ("Invalid isoformat string", "invalid literal for int()", "values to unpack")


def date_reason(exc: ValueError) -> str:
    """``" (month must be in 1..12)"``: what ``date``/``fromisoformat`` said was wrong with a
    text of the right shape, for a message that names the value and the form expected;
    ``""`` for a text of the wrong shape (``Invalid isoformat string: 'soon'``)."""
    text = str(exc)
    return "" if not text or any(w in text for w in _PYTHON_WORDS) else f" ({text})"


Kind = Literal["day", "week", "month", "quarter", "custom"]
KINDS: tuple[str, ...] = ("day", "week", "month", "quarter", "custom")


@dataclass(frozen=True, slots=True)
class Period:
    """Working days ``first..last`` (both included) of a ``kind`` of period."""

    kind: Kind
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"period ends ({self.last}) before it starts ({self.first})")

    @property
    def label(self) -> str:
        """``2026-W48``, ``2026-11``, ``2026-Q4``, ``2026-11-29`` or ``2026-11-01..2026-11-15``."""
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.first.year}-{self.first.month:02d}"
        if self.kind == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == "day":
            return self.first.isoformat()
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def length(self) -> int:
        """Number of working days."""
        return (self.last - self.first).days + 1

    def __contains__(self, day: date) -> bool:
        return self.first <= day <= self.last


def _month_end(year: int, month: int) -> date:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def period_of(kind: str, day: date) -> Period:
    """The ``day``/``week``/``month``/``quarter`` period holding working day ``day``."""
    if kind == "day":
        return Period("day", day, day)
    if kind == "week":
        first = day - timedelta(days=day.weekday())
        return Period("week", first, first + timedelta(days=6))
    if kind == "month":
        return Period("month", day.replace(day=1), _month_end(day.year, day.month))
    if kind == "quarter":
        month = (day.month - 1) // 3 * 3 + 1
        return Period("quarter", date(day.year, month, 1), _month_end(day.year, month + 2))
    raise ValueError(f"unknown period kind {kind!r} (day, week, month or quarter)")


def previous(period: Period) -> Period:
    """The period of the same kind just before ``period``."""
    if period.kind == "custom":
        length = timedelta(days=period.length)
        return Period("custom", period.first - length, period.last - length)
    return period_of(period.kind, period.first - timedelta(days=1))


def _year_back(day: date) -> date:
    if day.month == 2 and day.day == 29:
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def last_year(period: Period) -> Period | None:
    """The same period one year earlier; ``None`` for a custom range longer than a year (a
    year back it would overlap itself)."""
    if period.kind == "week":
        year, week, _ = period.first.isocalendar()
        try:
            monday = date.fromisocalendar(year - 1, week, 1)
        except ValueError:  # week 53 in a year with 52 weeks
            monday = date.fromisocalendar(year - 1, 52, 1)
        return period_of("week", monday)
    if period.kind == "custom":
        last = _year_back(period.last)
        return Period("custom", _year_back(period.first), last) if last < period.first else None
    return period_of(period.kind, _year_back(period.first))


def days(period: Period) -> list[date]:
    """Every working day of ``period``, in order."""
    return [period.first + timedelta(days=i) for i in range(period.length)]


def elapsed(period: Period, today: date) -> float:
    """The share (0..1) of ``period`` over on working day ``today`` (today counts half)."""
    if today < period.first:
        return 0.0
    if today > period.last:
        return 1.0
    return ((today - period.first).days + 0.5) / period.length


def parse_period(text: str, today: date) -> Period:
    """A period from the command line or the config: ``week``/``month``/``quarter``/``day``
    (the one holding ``today``), ``last-week``/``last-month``/``last-quarter``/``yesterday``,
    ``2026-W48``, ``2026-11``, ``2026-Q4``, ``2026-11-29`` or ``2026-11-01..2026-11-15``.
    Its previous period and last year's (what readers compare it with) must be dates too: a
    period starting in year 1 is refused (its figures raised while being read)."""
    text = text.strip()
    try:
        period = _parse_period(text, today)
        for compared in (previous, last_year):  # what readers compare it with
            compared(period)
    except (ValueError, OverflowError) as exc:
        raise ValueError(
            f"not a period: {text!r}{date_reason(exc)}; expected week, month, quarter, last-week, "
            "2026-W48, 2026-11, 2026-Q4, 2026-11-29 or 2026-11-01..2026-11-15") from None
    return period


def _parse_period(text: str, today: date) -> Period:
    """:func:`parse_period` without the check of what it is compared with."""
    if text in ("day", "week", "month", "quarter"):
        return period_of(text, today)
    if text == "yesterday":
        return period_of("day", today - timedelta(days=1))
    if text.startswith("last-") and text[5:] in ("week", "month", "quarter"):
        return previous(period_of(text[5:], today))
    if ".." in text:
        first, _, last = text.partition("..")
        return Period("custom", date.fromisoformat(first), date.fromisoformat(last))
    if "-W" in text:
        year, _, week = text.partition("-W")
        return period_of("week", date.fromisocalendar(int(year), int(week), 1))
    if "-Q" in text:
        year, _, quarter = text.partition("-Q")
        if quarter not in ("1", "2", "3", "4"):
            raise ValueError(f"quarter {quarter!r}")
        return period_of("quarter", date(int(year), 3 * int(quarter) - 2, 1))
    if len(text) == 7:
        year, month = text.split("-")
        return period_of("month", date(int(year), int(month), 1))
    return period_of("day", date.fromisoformat(text))
