"""Turn the time values helpdesks and exports write into UTC epoch seconds."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

__all__ = ["AHEAD_S", "implausible_time", "iso_utc", "parse_time"]

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
