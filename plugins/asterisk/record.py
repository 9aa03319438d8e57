"""One queue_log line cut into its fields (pure)."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["BadLine", "Record", "split_line"]


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


def split_line(line: str) -> Record:
    """Cut one line into a :class:`Record`; raises :class:`BadLine`."""
    parts = line.rstrip("\r\n").split("|")
    if len(parts) < 5:
        raise BadLine(f"expected at least 5 '|'-separated fields, got {len(parts)}")
    stamp, call_id, queue, agent, verb, *data = parts
    try:
        ts = float(stamp)
    except ValueError:
        raise BadLine(f"time {stamp[:20]!r} is not a number") from None
    if ts != ts or ts in (float("inf"), float("-inf")):
        raise BadLine(f"time {stamp[:20]!r} is not a number")
    if not verb:
        raise BadLine("empty event name")
    while data and not data[-1]:
        data.pop()
    return Record(ts, call_id, queue, agent, verb, tuple(data))
