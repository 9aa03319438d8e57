"""KPI history as an XLSX workbook (XlsxWriter, ``constant_memory``: rows stream to disk).

Sheets: ``Summary`` (the period, then each thresholded KPI of the site, teams and queues with
its target, levels and how many days ended ok / warn / alert: :mod:`.summary`), then one sheet
per kind of scope — ``Site``, ``Teams``, ``Queues``, ``Agents`` — holding the same values as
the CSV export, one row per time, scope and window with a column per KPI (the CSV's ``kpi``
ids; catalogue order): a per-day, per-hour or per-agent table as the interval asks. Cells are
typed: times are Excel date-times in the hub's timezone, durations Excel durations
(``[h]:mm:ss``), percentages Excel percentages, counts numbers; a KPI without a value at that
time is an empty cell, never 0. Each sheet has a frozen header and a filter. A sheet that
reaches Excel's 1,048,576 rows goes on in ``Agents (2)`` and so on. Last, ``Comments``: the
managers' comments on figures set or removed in the period (the CSV's ``note`` rows,
:mod:`.notes`), one row each with its time, figure and text.

The KPI columns come from one ``SELECT DISTINCT key`` over the period before the rows stream
(a sheet's header is written first). One row a ``(time, scope, window)`` rather than a value:
XlsxWriter's cost is per cell, and the long form took 3 to 4 times as long for an agent's 7
figures.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter

from panneau.hub.catalogue import KPIS
from panneau.hub.config.schema import Config
from panneau.hub.reports.notes import note_rows
from panneau.hub.reports.rows import Period, history_keys, history_rows, scope_kind
from panneau.hub.reports.summary import TargetSummary
from panneau.hub.reports.units import cell_value, number_format

__all__ = ["SHEETS", "write_xlsx"]

#: Data sheet title per scope kind, in workbook order.
SHEETS: dict[str, str] = {"site": "Site", "team": "Teams", "queue": "Queues", "agent": "Agents"}
KEY_COLUMNS = ("time", "scope", "window")
MAX_ROWS = 1_048_576
_EXCEL_EPOCH = datetime(1899, 12, 30)
_ORDER = {kpi: i for i, kpi in enumerate(KPIS)}


def kpi_columns(kpis: Iterable[str]) -> list[str]:
    """KPI ids in catalogue order (ids the catalogue lacks last, by name)."""
    return sorted(set(kpis), key=lambda k: (_ORDER.get(k, len(_ORDER)), k))


class _DataSheet:
    """One kind of scope's rows; opens a continuation sheet when one is full."""

    def __init__(self, book: _Book, title: str, kpis: Sequence[str]) -> None:
        self.book, self.title, self.parts, self.kpis = book, title, 0, list(kpis)
        self.columns = {kpi: 3 + i for i, kpi in enumerate(self.kpis)}
        self.formats = {kpi: book.value_format(kpi) for kpi in self.kpis}
        self.rows = 0
        self._open()

    def _open(self) -> None:
        self.parts += 1
        name = self.title if self.parts == 1 else f"{self.title} ({self.parts})"
        self.sheet = self.book.wb.add_worksheet(name)
        widths = [19, 18, 8, *(max(10, len(k) + 2) for k in self.kpis)]
        self.book.header(self.sheet, [*KEY_COLUMNS, *self.kpis], widths)
        self.row = 1

    def write(self, serial: float, scope: str, window: str, values: dict[str, float]) -> None:
        """One row: ``serial`` is the Excel date-time of the row's time."""
        if self.row >= MAX_ROWS:
            self._close_part()
            self._open()
        s, r, fmts = self.sheet, self.row, self.formats
        s.write_number(r, 0, serial, self.book.time_format)
        s.write_string(r, 1, scope)
        s.write_string(r, 2, window)
        for kpi, value in values.items():
            s.write_number(r, self.columns[kpi], cell_value(kpi, value), fmts[kpi])
        self.row += 1
        self.rows += 1

    def _close_part(self) -> None:
        self.sheet.autofilter(0, 0, max(self.row - 1, 1), len(KEY_COLUMNS) + len(self.kpis) - 1)

    def close(self) -> None:
        self._close_part()


class _Book:
    """The workbook and its shared cell formats."""

    def __init__(self, path: str | Path, time_format: str) -> None:
        self.wb = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                                  "remove_timezone": True})
        self.bold = self.wb.add_format({"bold": True, "bottom": 1})
        self.title = self.wb.add_format({"bold": True, "font_size": 14})
        self.time_format = self.wb.add_format({"num_format": time_format})
        self.date_format = self.wb.add_format({"num_format": "yyyy-mm-dd"})
        self.comment_time_format = self.wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self._formats: dict[str, Any] = {}

    def value_format(self, kpi: str):
        fmt = number_format(kpi)
        if fmt not in self._formats:
            self._formats[fmt] = self.wb.add_format({"num_format": fmt})
        return self._formats[fmt]

    def header(self, sheet, names: Iterable[str], widths: Iterable[int], row: int = 0) -> None:
        for col, (name, width) in enumerate(zip(names, widths, strict=True)):
            sheet.set_column(col, col, width)
            sheet.write_string(row, col, name, self.bold)
        sheet.freeze_panes(row + 1, 0)


SUMMARY_HEADER = ("scope", "kpi", "label", "target", "warn", "alert", "better", "days",
                  "days ok", "days warn", "days alert", "last day", "last value", "last state")
SUMMARY_WIDTHS = (18, 22, 26, 10, 10, 10, 8, 6, 8, 9, 10, 11, 11, 10)
SUMMARY_TOP = 4  # rows above the summary table (title, period, interval, blank)


def write_xlsx(path: str | Path, db: sqlite3.Connection, config: Config, period: Period,
               title: str = "Panneau KPI history") -> tuple[int, int]:
    """Write ``period``'s history from the journal ``db`` to ``path``.

    Returns ``(values, rows)``: the values written (as many as the CSV's rows of the same
    period) and the data rows they fill."""
    hub = config.hub
    tz = ZoneInfo(hub.timezone)
    book = _Book(path, "yyyy-mm-dd hh:mm" if period.interval != "day" else "yyyy-mm-dd")
    summary_sheet = book.wb.add_worksheet("Summary")
    kinds: dict[str, set[str]] = {kind: set() for kind in SHEETS}
    for scope, _, kpi in history_keys(db, period):
        kinds.get(scope_kind(scope), set()).add(kpi)
    sheets = {kind: _DataSheet(book, name, kpi_columns(kinds[kind]))
              for kind, name in SHEETS.items()}
    summary = TargetSummary(config)
    values = 0
    current: tuple[float, str, str] | None = None
    row: dict[str, float] = {}
    serial = last_ts = first_ts = None

    def flush() -> None:
        sheet = sheets.get(scope_kind(current[1]))
        if sheet is not None:
            sheet.write(serial, current[1], current[2], row)

    for ts, scope, window, kpi, value in history_rows(db, period, hub.timezone, hub.day_start):
        if (ts, scope, window) != current:
            if current is not None:
                flush()
            current, row = (ts, scope, window), {}
            if ts != last_ts:  # one date-time conversion per sample time
                first_ts = ts if first_ts is None else min(first_ts, ts)
                local = datetime.fromtimestamp(ts, tz).replace(tzinfo=None)
                serial, last_ts = (local - _EXCEL_EPOCH).total_seconds() / 86400, ts
        if scope_kind(scope) in sheets:
            row[kpi] = value
            summary.add(ts, scope, window, kpi, value)
            values += 1
    if current is not None:
        flush()
    for sheet in sheets.values():
        sheet.close()
    rows = sum(sheet.rows for sheet in sheets.values())
    _write_comments(book, db, period, tz)
    if not period.start:  # no --from: the period starts at the oldest sample, not 1970
        period = dataclasses.replace(period, start=period.end if first_ts is None else first_ts)
    _write_summary(book, summary_sheet, summary, config, period, title, values)
    book.wb.close()
    return values, rows


COMMENT_HEADER = ("time", "scope", "window", "kpi", "label", "comment")
COMMENT_WIDTHS = (19, 18, 8, 22, 26, 60)


def _write_comments(book: _Book, db: sqlite3.Connection, period: Period, tz: ZoneInfo) -> None:
    """The ``Comments`` sheet: each comment set or removed in the period, oldest first."""
    sheet = book.wb.add_worksheet("Comments")
    book.header(sheet, COMMENT_HEADER, COMMENT_WIDTHS)
    time_format = book.comment_time_format
    notes = note_rows(db, period,
                      lambda ts: datetime.fromtimestamp(ts, tz).strftime("%Y-%m-%d %H:%M"))
    for r, (ts, scope, window, kpi, text) in enumerate(notes, start=1):
        sheet.write_datetime(r, 0, datetime.fromtimestamp(ts, tz).replace(tzinfo=None),
                             time_format)
        for col, value in enumerate((scope, window, kpi), start=1):
            sheet.write_string(r, col, value)
        info = KPIS.get(kpi)
        sheet.write_string(r, 4, info.label if info else kpi)
        sheet.write_string(r, 5, text)
    if notes:
        sheet.autofilter(0, 0, len(notes), len(COMMENT_HEADER) - 1)
    else:
        sheet.write_string(1, 0, "no comment on a figure in this period")


def _write_summary(book: _Book, sheet, summary: TargetSummary, config: Config, period: Period,
                   title: str, rows: int) -> None:
    tz = ZoneInfo(config.hub.timezone)
    sheet.write_string(0, 0, title, book.title)
    sheet.write_string(1, 0, "period")
    sheet.write_datetime(1, 1, datetime.fromtimestamp(period.start, tz), book.time_format)
    sheet.write_datetime(1, 2, datetime.fromtimestamp(period.end, tz), book.time_format)
    sheet.write_string(1, 3, f"{config.hub.timezone}, end excluded")
    sheet.write_string(2, 0, "interval")
    sheet.write_string(2, 1, period.interval)
    sheet.write_string(2, 2, "values")
    sheet.write_number(2, 3, rows)
    book.header(sheet, SUMMARY_HEADER, SUMMARY_WIDTHS, row=SUMMARY_TOP)
    r = SUMMARY_TOP + 1
    for line in summary.result():
        t, fmt = line.threshold, book.value_format(line.kpi)
        info = KPIS.get(line.kpi)
        sheet.write_string(r, 0, line.scope)
        sheet.write_string(r, 1, line.kpi)
        sheet.write_string(r, 2, info.label if info else line.kpi)
        for col, level in ((3, t.target), (4, t.warn), (5, t.alert)):
            if level is not None:
                sheet.write_number(r, col, cell_value(line.kpi, level), fmt)
        sheet.write_string(r, 6, "higher" if line.higher else "lower")
        counts = line.counts()
        sheet.write_number(r, 7, len(line.days))
        for col, state in ((8, "ok"), (9, "warn"), (10, "alert")):
            sheet.write_number(r, col, counts[state])
        last = line.last()
        if last is not None:
            day, value = last
            sheet.write_datetime(r, 11, datetime(day.year, day.month, day.day),
                                 book.date_format)
            sheet.write_number(r, 12, cell_value(line.kpi, value), fmt)
            sheet.write_string(r, 13, line.state(value))
        r += 1
    if r == SUMMARY_TOP + 1:
        sheet.write_string(r, 0, "no thresholded KPI of the site, a team or a queue "
                                 "has a day figure in this period")
