"""``panneau replay journal``: a stored day recomputed and compared with the wall's samples."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import datetime, time
from zoneinfo import ZoneInfo

from panneau.hub.cli.common import fail, open_journal
from panneau.hub.config import ConfigError, load_config
from panneau.hub.reports.replay_day import WHY, DayReplay, SampleCheck, replay_day
from panneau.hub.server.journal import refusal
from panneau.hub.toolkit.timeparse import option_clock, option_day

__all__ = ["run_journal"]

MAX_LISTED = 200  # differences printed in text (all of them in --json)


def run_journal(args: argparse.Namespace) -> int:
    """0: every figure reproduced or explained; 1: unexplained differences; 2: bad input."""
    if args.file is not None:
        return fail("replay journal", "takes no FILE (the database comes from --config)")
    if not args.day:
        return fail("replay journal", "--day YYYY-MM-DD is required")
    try:
        config = load_config(args.config or "panneau.toml")
        day = option_day("--day", args.day)
        at = None
        if args.at:
            at = datetime.combine(day, option_clock("--at", args.at),
                                  ZoneInfo(config.hub.timezone)).timestamp()
    except (ConfigError, ValueError) as exc:
        return fail("replay journal", exc)
    tz = ZoneInfo(config.hub.timezone)
    if datetime.combine(day, time.fromisoformat(config.hub.day_start), tz) > datetime.now(tz):
        return fail("replay journal", f"{day} has not begun yet (a working day starts at "
                                      f"{config.hub.day_start} {config.hub.timezone})")
    try:
        db = open_journal(config.hub.database)
    except (FileNotFoundError, ValueError) as exc:
        return fail("replay journal", exc)
    try:
        result = replay_day(db, config, day, at)
    finally:
        db.close()
    if args.json:
        sys.stdout.write(json.dumps(_as_json(result, tz, at is not None)) + "\n")
    else:
        _print(result, tz, at is not None)
    return 1 if result.unexplained else 0


def _hhmmss(ts: float, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(ts, tz).strftime("%H:%M:%S")


def _sources(late: dict) -> str:
    return ", ".join(f"{n} from {s}" for s, n in sorted(late.items()))


def _why(reason: str, check: SampleCheck, oldest: float | None, tz: ZoneInfo) -> str:
    stamp = "" if oldest is None else datetime.fromtimestamp(oldest, tz).isoformat(
        timespec="seconds")
    return WHY[reason].format(sources=_sources(check.late),
                              sources_earlier=_sources(check.late_earlier), oldest=stamp)


def _print(result: DayReplay, tz: ZoneInfo, every_figure: bool) -> None:
    out = sys.stdout
    samples = result.samples
    if not samples:
        out.write(f"{result.day}: no history sample stored that day (kept "
                  "hub.history_retention_days)\n")
        return
    compared = sum(s.compared for s in samples)
    equal = sum(s.equal for s in samples)
    tick = sum(s.within_tick for s in samples)
    diffs = [(s, d) for s in samples for d in s.differences]
    out.write(f"{result.day}: {len(samples)} samples, {compared} figures compared, "
              f"{equal} equal, {tick} within a publish tick, {len(diffs)} different "
              f"({result.unexplained} unexplained); {result.events} events replayed\n")
    for row_id, source, why in result.skipped_rows:
        out.write(f"  {refusal(row_id, source, why)}\n")
    for a, b in result.gaps:
        out.write(f"  no sample from {_hhmmss(a, tz)} to {_hhmmss(b, tz)} (hub not running or "
                  "not sampling)\n")
    if every_figure:
        check = samples[-1]
        out.write(f"sample at {_hhmmss(check.ts, tz)}:\n")
        for key, wall, mine in check.figures:
            mark = "=" if mine is not None and abs(wall - mine) <= 1e-6 * max(1, abs(wall)) \
                else "≠"
            out.write(f"  {mark} {key:48} wall {wall:g}  replay "
                      f"{'—' if mine is None else f'{mine:g}'}\n")
    for check, diff in diffs[:MAX_LISTED]:
        mine = "—" if diff.replay is None else f"{diff.replay:g}"
        out.write(f"  {_hhmmss(check.ts, tz)} {diff.key}: wall {diff.wall:g}, replay {mine}: "
                  f"{_why(diff.reason, check, result.oldest_event, tz)}\n")
    if len(diffs) > MAX_LISTED:
        out.write(f"  … and {len(diffs) - MAX_LISTED} more (--json lists them all)\n")


def _as_json(result: DayReplay, tz: ZoneInfo, every_figure: bool) -> dict:
    def stamp(ts: float) -> str:
        return datetime.fromtimestamp(ts, tz).isoformat(timespec="seconds")

    samples = []
    for check in result.samples:
        item = {"time": stamp(check.ts), "compared": check.compared, "equal": check.equal,
                "within_tick": check.within_tick, "late_events": dict(check.late),
                "differences": [{**asdict(d), "why": _why(d.reason, check, result.oldest_event,
                                                          tz)}
                                for d in check.differences]}
        if every_figure:
            item["figures"] = [{"key": k, "wall": w, "replay": r} for k, w, r in check.figures]
        samples.append(item)
    return {"day": result.day.isoformat(), "events_replayed": result.events,
            "skipped_rows": [{"id": row_id, "source": source, "why": why}
                             for row_id, source, why in result.skipped_rows],
            "unexplained": result.unexplained,
            "gaps": [[stamp(a), stamp(b)] for a, b in result.gaps], "samples": samples}
