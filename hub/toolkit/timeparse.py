"""Turn the time values helpdesks and exports write into UTC epoch seconds, and the days and
times typed on the command line into dates and epochs within the years of events."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from panneau.hub.events import TS_MAX, TS_MIN
from panneau.hub.periods import date_reason

__all__ = ["AHEAD_S", "implausible_time", "iso_utc", "option_clock", "option_day",
           "option_moment", "option_time", "parse_time"]

#: How far ahead of the hub's clock a time read from outside input may be: clocks differ by
#: seconds; more is a wrong clock, a local time sent as UTC or epoch milliseconds.
AHEAD_S = 900.0
#: Epoch seconds from here on (year 5138) are no time of input: epoch milliseconds (1973 on).
_MILLISECONDS = 1e11


def parse_time(value: object, fmt: str | None = None, tz: str = "UTC") -> float:
    """Epoch seconds from an ISO 8601 string, an epoch number (or numeric string), or a string
    in ``fmt`` (``strptime``). Naive times are read in ``tz``. Raises ``ValueError``."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an int no float holds (10**400)
            raise ValueError(f"not a time: {str(value)[:40]}...") from None
        if not math.isfinite(number):
            raise ValueError(f"not a time: {value!r}")
        return number
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"not a time: {value!r}")
    text = value.strip()
    if fmt is None:
        try:
            return float(text)
        except ValueError:
            pass
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        parsed = datetime.fromisoformat(text)
    else:
        parsed = datetime.strptime(text, fmt)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC if tz == "UTC" else ZoneInfo(tz))
    return parsed.timestamp()


def iso_utc(ts: float) -> str:
    """``2024-02-08T17:26:48Z`` for an epoch (whole seconds, as helpdesk APIs expect)."""
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def implausible_time(ts: float, now: float, what: str, max_age_s: float | None = None
                     ) -> str | None:
    """Why ``ts`` (the value of ``what``) cannot be the time of input read at ``now``: more
    than :data:`AHEAD_S` ahead of ``now`` or, with ``max_age_s``, older than that; ``None``
    when it can. A refused row keeps a source's cursor (the newest time seen) from jumping
    to a date no later row reaches."""
    if (max_age_s is None or ts >= now - max_age_s) and ts <= now + AHEAD_S:
        return None
    if ts >= _MILLISECONDS:
        return f"{what} {ts:.0f} looks like epoch milliseconds: send epoch seconds"
    if ts > now:
        return (f"{what} {_iso(ts)} is ahead of the hub's clock ({_iso(now)}): check the "
                "sender's clock and time zone")
    return f"{what} {_iso(ts)} is more than {max_age_s / 86400:g} days before the hub's clock " \
        f"({_iso(now)})"


def _iso(ts: float) -> str:
    try:
        return iso_utc(ts)
    except (OverflowError, OSError, ValueError):
        return f"{ts:g}"


# --- days and times typed on the command line ---------------------------------------------
# One rule for every option (export --from/--to, replay journal --day/--at, input --day,
# annotate --until, replay --at): the years an event may hold, and errors that name the
# option and what was typed.

_YEARS = "the years of events (1970..3000)"
_FIRST_DAY, _LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)


def option_day(option: str, text: str) -> date:
    """``YYYY-MM-DD`` given to ``option``, within the years of events; ``ValueError``."""
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{option} {text!r} is not a date{date_reason(exc)}: give YYYY-MM-DD"
                         ) from None
    if not _FIRST_DAY <= day <= _LAST_DAY:
        raise ValueError(f"{option} {text!r} is outside {_YEARS}")
    return day


def option_clock(option: str, text: str) -> time:
    """``HH:MM`` given to ``option`` (a time of day); ``ValueError`` naming them."""
    try:
        return time.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{option} {text!r} is not a time of day{date_reason(exc)}: give "
                         "HH:MM") from None


def option_moment(option: str, text: str, tz: ZoneInfo, end: bool = False) -> float:
    """A day (its start; with ``end``, the start of the next: the day included) or a
    date-time (naive: in ``tz``) given to ``option``, as epoch seconds within the years of
    events; ``ValueError`` naming them."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{option} {text!r} is not a date{date_reason(exc)}: give "
                         "YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
    if not _FIRST_DAY <= moment.date() <= _LAST_DAY:
        raise ValueError(f"{option} {text!r} is outside {_YEARS}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    if end and len(text) == 10:
        moment += timedelta(days=1)
    # the first and last days' hours before 1970 or after 2999 in UTC (a time zone's offset)
    return min(max(moment.timestamp(), TS_MIN), TS_MAX)


def option_time(option: str, text: str, value: float) -> float:
    """``value``, the epoch the ``text`` given to ``option`` names, when it is within the years
    of events (later ones, up to 9999, raised OverflowError in the engine); ``ValueError``."""
    if not TS_MIN <= value <= TS_MAX:
        raise ValueError(f"{option} {text!r} is outside {_YEARS}")
    return value
