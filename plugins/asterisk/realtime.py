"""CSV exports of the realtime ``queue_log`` table → the same records as the native file.

Three layouts are recognised from the header row:

- ``single``: ``time, callid, queuename, agent, event, data`` (``data`` is the pipe-joined
  string, as before Asterisk 1.8 or when the table has no ``data1..5``);
- ``adaptive``: ``data1`` .. ``data5`` columns (a redundant ``data`` column beside them is
  used only when every ``dataN`` is empty);
- ``pbxware``: Bicom PBXware's own table, ``uid, date_time, callid, queue_name, type, event,
  param1, param2, param3, entpos, expos, htime, ttime, time``; its columns are put back in
  Asterisk's field order per verb (see ``_PBXWARE``).

``time`` may be an epoch or a ``YYYY-MM-DD HH:MM:SS[.ffffff]`` text in the zone Asterisk wrote
it in (local time unless ``queue_log_realtime_use_gmt``): pass that zone as ``timezone``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from panneau.plugins.asterisk.queue_log import ParseResult, RecordSink
from panneau.plugins.asterisk.record import BadLine, Record

__all__ = ["Layout", "detect_layout", "read_export", "read_export_batches"]

Layout = str  # "single" | "adaptive" | "pbxware"
_BASE = ("time", "callid", "queuename", "agent", "event")

# PBXware columns in Asterisk's positional order, per verb (default: param1..3).
_WAIT = ("expos", "entpos", "htime")
_PBXWARE: dict[str, tuple[str, ...]] = {
    "ENTERQUEUE": ("", "param1", "entpos"),
    "CONNECT": ("htime", "param2", "param3"),
    "COMPLETECALLER": ("htime", "ttime", "entpos"),
    "COMPLETEAGENT": ("htime", "ttime", "entpos"),
    "TRANSFER": ("param2", "param3", "htime", "ttime", "entpos"),
    "BLINDTRANSFER": ("param2", "param3", "htime", "ttime", "entpos"),
    "ATTENDEDTRANSFER": ("param2", "param3", "htime", "ttime", "entpos"),
    "ABANDON": _WAIT,
    "EXITWITHTIMEOUT": _WAIT,
    "EXITEMPTY": _WAIT,
    "WITHDRAW": _WAIT,
    "EXITWITHKEY": ("param2", "expos", "entpos", "htime"),
    "RINGNOANSWER": ("htime",),
    "RINGCANCELED": ("htime",),
}
_PBX_DEFAULT = ("param1", "param2", "param3")


def detect_layout(header: list[str]) -> Layout:
    """Which export layout a header row describes; raises ``ValueError`` if none."""
    names = {h.strip().lower() for h in header}
    if {"date_time", "event", "param1", "type"} <= names:
        return "pbxware"
    missing = [c for c in _BASE if c not in names]
    if missing:
        raise ValueError(f"not a queue_log export: no column {', '.join(missing)}")
    if "data1" in names:
        return "adaptive"
    if "data" in names:
        return "single"
    raise ValueError("not a queue_log export: no data or data1..data5 column")


def _parse_time(text: str, zone: ZoneInfo) -> float:
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadLine(f"time {text[:30]!r} is neither an epoch nor a date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.timestamp()


def _row_reader(layout: Layout, header: list[str], zone: ZoneInfo) -> Callable[[list[str]], Record]:
    index = {h.strip().lower(): i for i, h in enumerate(header)}

    def col(row: list[str], name: str) -> str:
        i = index.get(name)
        return row[i] if i is not None and i < len(row) else ""

    def strip(data: list[str]) -> tuple[str, ...]:
        while data and not data[-1]:
            data.pop()
        return tuple(data)

    def native(row: list[str]) -> Record:
        if layout == "adaptive":
            data = [col(row, f"data{i}") for i in range(1, 6)]
            if not any(data) and "data" in index:
                data = col(row, "data").split("|")
        else:
            data = col(row, "data").split("|")
        return Record(_parse_time(col(row, "time"), zone), col(row, "callid"),
                      col(row, "queuename"), col(row, "agent"), col(row, "event"), strip(data))

    def pbxware(row: list[str]) -> Record:
        verb = col(row, "event")
        data = [col(row, c) if c else "" for c in _PBXWARE.get(verb, _PBX_DEFAULT)]
        return Record(_parse_time(col(row, "date_time"), zone), col(row, "callid"),
                      col(row, "queue_name"), col(row, "type"), verb, strip(data))

    return pbxware if layout == "pbxware" else native


def _checked(rec: Record) -> Record:
    if not rec.verb:
        raise BadLine("empty event name")
    return rec


def read_export_batches(
    lines: Iterable[str],
    *,
    source: str = "",
    timezone: str = "UTC",
    dedupe_window: int = 4096,
    batch_lines: int = 5000,
) -> Iterator[ParseResult]:
    """Parse a CSV export (header row first), a :class:`ParseResult` every ``batch_lines``
    rows; ``source_pos`` is ``row:<n>`` (1 = first data row).

    Raises ``ValueError`` when the header is not a queue_log export; bad rows are skipped and
    reported with their row number.
    """
    reader = csv.reader(lines)
    header = next(reader, None)
    if not header:
        raise ValueError("empty export: no header row")
    layout = detect_layout(header)
    to_record = _row_reader(layout, header, ZoneInfo(timezone))
    key_columns = [i for i, h in enumerate(header) if h.strip().lower() not in ("id", "uid")]
    sink = RecordSink(source, dedupe_window)
    for number, row in enumerate(reader, 1):
        if any(cell.strip() for cell in row):
            key = "|".join(row[i] for i in key_columns if i < len(row))
            sink.add(number, ",".join(row), key, lambda r: _checked(to_record(r)), row,
                     f"row:{number}")
            if sink.result.lines >= batch_lines:
                yield sink.drain()
    yield sink.drain()


def read_export(lines: Iterable[str], *, source: str = "", timezone: str = "UTC",
                dedupe_window: int = 4096) -> ParseResult:
    """Parse a whole CSV export at once (see :func:`read_export_batches`)."""
    return ParseResult.merged(read_export_batches(lines, source=source, timezone=timezone,
                                                  dedupe_window=dedupe_window))
