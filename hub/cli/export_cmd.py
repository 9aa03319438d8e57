"""``panneau export``: KPI history for a period as CSV.

XLSX is not offered: no spreadsheet library is among Panneau's dependencies; every
spreadsheet opens the CSV. Rows come from the journal's ``kpi_history`` (sampled every
``hub.history_interval_s``, kept ``hub.history_retention_days``; windows ``now``, ``today`` and
those kiosk pages show; agents only their own ref KPIs, see :mod:`panneau.hub.server.history`):
``time`` (ISO 8601 in the hub's timezone), ``scope``, ``window``, ``kpi``, ``value``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from panneau.hub.cli.common import add_command
from panneau.hub.config import ConfigError, load_config

__all__ = ["export_csv", "parse_when", "register", "run"]


def register(subparsers) -> None:
    """Add ``export``."""
    parser = add_command(
        subparsers, "export", "export KPI history for a period as CSV",
        "panneau export --config panneau.toml --from 2026-11-01 --to 2026-11-30 -o nov.csv",
        run,
    )
    parser.add_argument("--config", default="panneau.toml", metavar="FILE")
    parser.add_argument("--from", dest="start", metavar="DATE",
                        help="first day or time (YYYY-MM-DD[THH:MM], hub timezone)")
    parser.add_argument("--to", dest="end", metavar="DATE",
                        help="last day (inclusive) or time (default: now)")
    parser.add_argument("--scope", action="append", help="only this scope (repeatable)")
    parser.add_argument("--kpi", action="append", help="only this KPI id (repeatable)")
    parser.add_argument("-o", "--output", metavar="FILE", help="CSV file (default: stdout)")


def parse_when(text: str, tz: ZoneInfo, end: bool = False) -> float:
    """A date (whole day; ``end``: the end of it) or date-time in ``tz`` → epoch seconds."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    if end and len(text) == 10:
        value += timedelta(days=1)
    return value.timestamp()


def export_csv(database: str, out: TextIO, start: float, end: float, tz: ZoneInfo,
               scopes: list[str] | None = None, kpis: list[str] | None = None) -> int:
    """Write the history rows in ``[start, end)`` as CSV; returns the row count."""
    from panneau.hub.server.journal import Journal

    journal = Journal(database)
    try:
        writer = csv.writer(out)
        writer.writerow(["time", "scope", "window", "kpi", "value"])
        n = 0
        for ts, key, value in journal.history(start, end):
            scope, window, kpi = key.split("/", 2)
            if ts >= end or (scopes and scope not in scopes) or (kpis and kpi not in kpis):
                continue
            when = datetime.fromtimestamp(ts, tz).isoformat(timespec="seconds")
            writer.writerow([when, scope, window, kpi, f"{value:g}"])
            n += 1
        return n
    finally:
        journal.close()


def run(args: argparse.Namespace) -> int:
    """Export, or explain what is wrong."""
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    if args.output and args.output.lower().endswith(".xlsx"):
        sys.stderr.write("panneau export: XLSX is not available (no spreadsheet library "
                         "installed); write a .csv instead — spreadsheets open it.\n")
        return 2
    tz = ZoneInfo(config.hub.timezone)
    try:
        start = parse_when(args.start, tz) if args.start else 0.0
        end = parse_when(args.end, tz, end=True) if args.end else datetime.now(tz).timestamp()
    except ValueError as exc:
        sys.stderr.write(f"panneau export: {exc}\n")
        return 2
    if not Path(config.hub.database).exists():
        sys.stderr.write(f"panneau export: no database at {config.hub.database}\n")
        return 1
    if args.output:
        with open(args.output, "w", newline="", encoding="utf-8") as out:
            n = export_csv(config.hub.database, out, start, end, tz, args.scope, args.kpi)
        sys.stderr.write(f"wrote {n} rows to {args.output}\n")
    else:
        export_csv(config.hub.database, sys.stdout, start, end, tz, args.scope, args.kpi)
    return 0
