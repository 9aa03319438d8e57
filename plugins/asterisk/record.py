"""One queue_log line cut into its fields (pure)."""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = ["BadLine", "Record", "number", "split_line"]


class BadLine(ValueError):
    """A line (or row) that cannot be turned into a record or into events."""


class Record(NamedTuple):
    """One queue_log entry, fields as Asterisk wrote them; ``data`` without trailing blanks."""

    ts: float
    call_id: str
    queue: str
    agent: str
    verb: str
    data: tuple[str, ...] = ()


_INF: Final = float("inf")  # Final: a C global once compiled
_NINF: Final = -_INF  # (``-_INF`` in a test makes a new float each time in pure Python)
_NAN: Final = float("nan")


def number(text: str, what: str) -> float:
    """A finite float from ``text``; raises ``BadLine("<what> '<text>' is not a number")``."""
    try:
        value = float(text)
    except ValueError:
        value = _NAN
    if not _NINF < value < _INF:  # NaN fails both
        raise BadLine(f"{what} {text[:20]!r} is not a number")
    return value


_new = tuple.__new__


def split_line(line: str) -> Record:
    """Cut one line into a :class:`Record`; raises :class:`BadLine`."""
    parts = line.rstrip("\r\n").split("|")
    if len(parts) < 5:
        raise BadLine(f"expected at least 5 '|'-separated fields, got {len(parts)}")
    stamp, call_id, queue, agent, verb = parts[:5]
    try:
        ts = float(stamp)
    except ValueError:
        ts = _NAN
    if not _NINF < ts < _INF:
        number(stamp, "time")  # raises BadLine with the message
    if not verb:
        raise BadLine("empty event name")
    data = parts[5:]
    while data and not data[-1]:
        data.pop()
    return _new(Record, (ts, call_id, queue, agent, verb, tuple(data)))
