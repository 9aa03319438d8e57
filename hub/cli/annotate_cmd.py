"""``panneau annotate``: a manager comments a figure, on every screen that shows it."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta
from datetime import time as dt_time

from panneau.hub.cli.common import add_command, fail, screen_args, timeout_arg
from panneau.hub.cli.request import parse_duration, request
from panneau.hub.toolkit.timeparse import option_time

__all__ = ["parse_until", "register", "run"]


def register(subparsers) -> None:
    """Add ``annotate``."""
    parser = add_command(
        subparsers, "annotate", "comment a figure (or remove the comment) on every screen",
        'panneau annotate --hub ws://127.0.0.1:8765 --token-file manager.token '
        'team:support/today/service_level_pct "phone outage 10:05-10:40" --until 18:00\n'
        '  panneau annotate --hub ws://127.0.0.1:8765 --token-file manager.token '
        '--remove team:support/today/service_level_pct',
        run,
    )
    screen_args(parser, "a manager's")
    parser.add_argument("--until", metavar="WHEN",
                        help="remove it then: a duration (2h, 30m), a time of day (18:00: "
                             "today, or tomorrow once it has passed) or a date-time "
                             "(2026-12-01T09:00), local time")
    parser.add_argument("--remove", action="store_true", help="remove the comment of KEY")
    timeout_arg(parser)
    parser.add_argument("key", metavar="KEY",
                        help="the figure: <scope>/<window>/<kpi>, e.g. queue:support/today/asa_s")
    parser.add_argument("text", nargs="?", default="", metavar="TEXT", help="the comment")


def parse_until(text: str, now: float) -> float:
    """``--until``: a duration from ``now``, ``HH:MM`` (local time: today's, or tomorrow's
    once today's has passed — ``--until 09:00`` given at 17:00 means the next morning) or an
    ISO date-time (naive: local time)."""
    try:
        return now + parse_duration(text)
    except ValueError:
        pass
    try:
        if len(text) <= 5 and ":" in text:
            hours, minutes = (int(p) for p in text.split(":"))
            clock = dt_time(hours, minutes)
            today = datetime.fromtimestamp(now).date()
            when = datetime.combine(today, clock)
            if when.timestamp() <= now:
                when = datetime.combine(today + timedelta(days=1), clock)
            return when.timestamp()  # naive: local time, with that day's UTC offset
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--until: not a duration, HH:MM or date-time: {text!r}") from None
    return when.timestamp()


def run(args: argparse.Namespace) -> int:
    """Send the ``annotate`` frame and say what was done."""
    from panneau.hub.server.frames import MAX_ANNOTATION_CHARS, annotation_key_problem

    text = "" if args.remove else args.text.strip()
    if not text and not args.remove:
        return fail("annotate", "give TEXT, or --remove to remove the comment")
    if problem := annotation_key_problem(args.key):  # the hub's rule, told before connecting
        return fail("annotate", problem)
    if len(text) > MAX_ANNOTATION_CHARS:
        return fail("annotate", f"the text must be at most {MAX_ANNOTATION_CHARS} characters, "
                                f"got {len(text)}")
    frame = {"type": "annotate", "key": args.key, "text": text}
    if args.until and text:
        try:
            frame["until"] = option_time("--until", args.until,
                                         parse_until(args.until, time.time()))
        except ValueError as exc:
            return fail("annotate", str(exc))
    answer, code = request("annotate", args, frame)
    if answer is None:
        return code
    if args.remove and answer.get("removed") is False:  # a hub from before says nothing
        return fail("annotate", f"no annotation {answer['id']}", 1)
    sys.stdout.write(f"{'removed the comment of' if args.remove else 'commented'} "
                     f"{answer['id']}\n")
    return 0
