"""One queue_log line cut into its fields (pure)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, NamedTuple

if TYPE_CHECKING:
    from mypy_extensions import i64

__all__ = ["BadLine", "Record", "decimal", "number", "read_digits", "split_line"]


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
#: Compiled (mypyc): see :func:`decimal`.
_NATIVE: Final = not __file__.endswith(".py")


def decimal(text: str) -> float:
    """``float(text)``: the same value or the same ``ValueError``.

    Compiled, the parse's way to read a number field: 1-15 ASCII digits (a queue_log time, a
    whole number of seconds) are folded into a 64-bit integer, exact (below 2**53) and so the
    float ``float()`` gives, without ``float()``'s parser or a float object; anything else (a
    sign, a point, spaces, underscores, other digits, blank, longer) goes to ``float()``
    itself. Cachegrind, 100,000 generated lines: a 10-digit time 603 -> 414 instructions, the
    parse's number fields 128.7 M -> 58.2 M. In pure Python the loop costs about ten times
    ``float()``: there the name is bound to ``float`` (end of this module), and the loop stays
    reachable as :func:`read_digits` for its tests.
    """
    n = len(text)
    if n == 0 or n > 15:
        return float(text)
    value: i64 = 0
    i: i64 = 0
    while i < n:
        digit: i64 = ord(text[i]) - 48
        if digit < 0 or digit > 9:
            return float(text)
        value = value * 10 + digit
        i += 1
    return float(value)


read_digits: Final = decimal


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


if not _NATIVE:  # pure Python: float() itself is cheaper than the digit loop (see decimal)
    globals()["decimal"] = float
