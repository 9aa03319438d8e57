"""Period maths against dates worked out by hand on a calendar."""

from datetime import date

import pytest

from panneau.hub.periods import Period, days, elapsed, last_year, parse_period, period_of, previous


def test_week_is_monday_to_sunday():
    # 29 Nov 2026 is a Sunday: its ISO week 48 runs Mon 23 .. Sun 29 Nov.
    week = period_of("week", date(2026, 11, 29))
    assert (week.first, week.last, week.label) == (date(2026, 11, 23), date(2026, 11, 29),
                                                   "2026-W48")


def test_month_and_quarter_bounds():
    assert period_of("month", date(2028, 2, 10)) == Period("month", date(2028, 2, 1),
                                                           date(2028, 2, 29))  # leap year
    q4 = period_of("quarter", date(2026, 11, 29))
    assert (q4.first, q4.last, q4.label, q4.length) == (date(2026, 10, 1), date(2026, 12, 31),
                                                        "2026-Q4", 92)


def test_previous_periods():
    assert previous(period_of("month", date(2026, 3, 31))).first == date(2026, 2, 1)
    assert previous(period_of("quarter", date(2026, 1, 5))).label == "2025-Q4"
    assert previous(period_of("week", date(2026, 1, 1))).label == "2025-W52"
    custom = Period("custom", date(2026, 11, 1), date(2026, 11, 10))  # 10 days
    assert previous(custom) == Period("custom", date(2026, 10, 22), date(2026, 10, 31))


def test_same_period_last_year():
    # 2026-W53 exists (2026 starts on a Thursday); 2025 has 52 weeks: W53 maps to W52.
    assert last_year(parse_period("2026-W53", date(2026, 1, 1))).label == "2025-W52"
    assert last_year(parse_period("2026-W48", date(2026, 1, 1))).first == date(2025, 11, 24)
    assert last_year(period_of("quarter", date(2026, 11, 1))).label == "2025-Q4"
    leap = Period("custom", date(2028, 2, 29), date(2028, 3, 1))
    assert last_year(leap) == Period("custom", date(2027, 2, 28), date(2027, 3, 1))


def test_a_range_over_a_year_has_no_same_period_last_year():
    """A year back, a range longer than a year would hold days of itself: compared with
    itself in part, so it has none (its previous period, the same length before, does not
    overlap)."""
    year = Period("custom", date(2025, 1, 1), date(2025, 12, 31))
    assert last_year(year) == Period("custom", date(2024, 1, 1), date(2024, 12, 31))
    assert last_year(Period("custom", date(2025, 1, 1), date(2026, 1, 1))) is None
    long = Period("custom", date(2025, 1, 1), date(2026, 6, 30))
    assert last_year(long) is None
    assert previous(long).last == date(2024, 12, 31)
    leap = Period("custom", date(2028, 2, 29), date(2029, 2, 28))  # back: 2027-02-28..2028-02-28
    assert last_year(leap) == Period("custom", date(2027, 2, 28), date(2028, 2, 28))
    assert parse_period("2025-01-01..2026-06-30", date(2026, 7, 1)) == long  # still a period


def test_elapsed_counts_today_as_half():
    november = period_of("month", date(2026, 11, 1))  # 30 days
    assert elapsed(november, date(2026, 11, 1)) == pytest.approx(0.5 / 30)
    assert elapsed(november, date(2026, 11, 15)) == pytest.approx(14.5 / 30)
    assert elapsed(november, date(2026, 10, 31)) == 0.0
    assert elapsed(november, date(2026, 12, 1)) == 1.0


def test_parse_period_forms():
    today = date(2026, 11, 29)
    assert parse_period("month", today).label == "2026-11"
    assert parse_period("last-month", today).label == "2026-10"
    assert parse_period("last-week", today).label == "2026-W47"
    assert parse_period("yesterday", today).label == "2026-11-28"
    assert parse_period("2026-Q2", today).first == date(2026, 4, 1)
    assert len(days(parse_period("2026-11-01..2026-11-03", today))) == 3


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "fortnight", "2026-11-10..2026-11-01",
                                  # its previous period or last year's would be before year 1
                                  "0001-01-01..9999-12-31", "0001-03-01", "0001-W01"])
def test_parse_period_refuses_nonsense(text):
    with pytest.raises(ValueError, match="not a period"):
        parse_period(text, date(2026, 11, 29))


@pytest.mark.parametrize(("text", "reason"), [
    ("2026-11-01..2026-13-01", " (month must be in 1..12)"), ("2026-11-31", " (day is out of "
     "range for month)"), ("fortnight", ""), ("2026-Wx", ""), ("2026-11-01..", "")])
def test_a_refused_period_says_why_in_words_not_python_s(text, reason):
    """``not a period: 'fortnight' (Invalid isoformat string: 'fortnight')`` quoted the text
    back twice and named no form: the reason is given only when it says something."""
    with pytest.raises(ValueError) as err:
        parse_period(text, date(2026, 11, 29))
    assert str(err.value) == (f"not a period: {text!r}{reason}; expected week, month, quarter, "
                              "last-week, 2026-W48, 2026-11, 2026-Q4, 2026-11-29 or "
                              "2026-11-01..2026-11-15")
