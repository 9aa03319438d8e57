"""Turn the time values helpdesks and exports write into UTC epoch seconds."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

__all__ = ["iso_utc", "parse_time"]


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
