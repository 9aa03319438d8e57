"""``panneau export``: KPI history for a period as CSV or XLSX.

Rows come from the journal's ``kpi_history`` (sampled every ``hub.history_interval_s``, kept
``hub.history_retention_days``; windows ``now``, ``today`` and those kiosk pages show; agents
only their own ref KPIs, see :mod:`panneau.hub.server.history`), every sample or the last of
each hour or day (``--interval``, :mod:`panneau.hub.reports.rows`). CSV columns: ``time``
(ISO 8601 in the hub's timezone), ``scope``, ``window``, ``kpi``, ``value``, ``note``: managers'
comments set (or removed) in the period are rows of their own among the figures, ``value``
empty (:mod:`panneau.hub.reports.notes`). An ``-o`` file
ending in ``.xlsx`` gets the same rows as a workbook (:mod:`panneau.hub.reports.xlsx`).
"""

from __future__ import annotations

import argparse
import csv
import heapq
import sys
from collections.abc import Iterable
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from panneau.hub.catalogue import KPIS
from panneau.hub.cli.common import add_command, fail, open_journal, output_problem
from panneau.hub.config import Config, ConfigError, load_config
from panneau.hub.reports.notes import Note, note_rows
from panneau.hub.reports.rows import INTERVALS, Period, Row, history_rows, scope_problem
from panneau.hub.toolkit.timeparse import option_moment

__all__ = ["export", "iso_time", "register", "run", "write_csv"]


def register(subparsers) -> None:
    """Add ``export``."""
    parser = add_command(
        subparsers, "export", "export KPI history for a period as CSV or XLSX",
        "panneau export --config panneau.toml --from 2026-11-01 --to 2026-11-30 "
        "--interval day -o nov.xlsx",
        run,
    )
    parser.add_argument("--config", default="panneau.toml", metavar="FILE")
    parser.add_argument("--from", dest="start", metavar="DATE",
                        help="first day or time (YYYY-MM-DD[THH:MM], hub timezone)")
    parser.add_argument("--to", dest="end", metavar="DATE",
                        help="last day (inclusive) or time (default: now)")
    parser.add_argument("--scope", action="append", help="only this scope (repeatable)")
    parser.add_argument("--kpi", action="append", help="only this KPI id (repeatable)")
    parser.add_argument("--interval", choices=INTERVALS, default="sample",
                        help="every sample (default), or the last one of each hour or day")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="CSV file, or XLSX when it ends in .xlsx (default: CSV on stdout)")


def write_csv(out: TextIO, rows: Iterable[Row], tz: ZoneInfo,
              notes: Iterable[Note] = ()) -> int:
    """Write history ``rows`` and, in time order among them, ``notes`` as CSV; returns the
    row count."""
    writer = csv.writer(out)
    writer.writerow(["time", "scope", "window", "kpi", "value", "note"])
    figures = ((ts, scope, window, kpi, f"{value:g}", "")
               for ts, scope, window, kpi, value in rows)
    comments = ((ts, scope, window, kpi, "", note) for ts, scope, window, kpi, note in notes)
    n, last_ts, when = 0, None, ""
    for ts, *rest in heapq.merge(figures, comments, key=lambda row: row[0]):
        if ts != last_ts:  # one conversion per sample time
            when, last_ts = iso_time(ts, tz), ts
        writer.writerow((when, *rest))
        n += 1
    return n


def iso_time(ts: float, tz: ZoneInfo) -> str:
    """``ts`` as ISO 8601 in ``tz``, to the second."""
    return datetime.fromtimestamp(ts, tz).isoformat(timespec="seconds")


def export(config: Config, period: Period, output: str | None) -> int:
    """Write ``period``'s values to ``output`` (``.xlsx``: a workbook; else CSV; ``None``:
    CSV on stdout); returns how many values (CSV rows)."""
    hub = config.hub
    db = open_journal(hub.database)
    try:
        if output and output.lower().endswith(".xlsx"):
            from panneau.hub.reports.xlsx import write_xlsx

            return write_xlsx(output, db, config, period)[0]
        rows = history_rows(db, period, hub.timezone, hub.day_start)
        tz = ZoneInfo(hub.timezone)
        notes = note_rows(db, period, lambda ts: iso_time(ts, tz))
        if output:
            with open(output, "w", newline="", encoding="utf-8") as out:
                return write_csv(out, rows, tz, notes)
        return write_csv(sys.stdout, rows, tz, notes)
    finally:
        db.close()


def run(args: argparse.Namespace) -> int:
    """Export, or explain what is wrong."""
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        return fail("export", exc)
    tz = ZoneInfo(config.hub.timezone)
    try:
        start = option_moment("--from", args.start, tz) if args.start else 0.0
        end = (option_moment("--to", args.end, tz, end=True) if args.end
               else datetime.now(tz).timestamp())
        if end <= start:
            raise ValueError(f"--to {args.end or 'now'} ends before --from {args.start} begins")
        if unknown := [k for k in args.kpi or () if k not in KPIS]:
            raise ValueError(f"--kpi: unknown {', '.join(unknown)} (see the catalogue: "
                             "docs/kpis.md)")
        for scope in args.scope or ():
            if (problem := scope_problem(config, scope)) is not None:
                raise ValueError(f"--scope: {problem}")
        if args.output and (problem := output_problem("-o", args.output)):
            raise ValueError(problem)
    except ValueError as exc:
        return fail("export", exc)
    period = Period(start, end, args.scope, args.kpi, args.interval)
    try:
        n = export(config, period, args.output)
    except (FileNotFoundError, ValueError) as exc:
        return fail("export", str(exc), 1)
    except OSError as exc:  # the output cannot be written (permissions, a full disk)
        return fail("export", f"cannot write {args.output}: {exc.strerror or exc}", 1)
    if args.output:
        sys.stderr.write(f"wrote {n} values to {args.output}\n")
    return 0
