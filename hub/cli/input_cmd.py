"""``panneau input``: a manager enters a figure no source system holds (journalled by the hub)."""

from __future__ import annotations

import argparse
import sys

from panneau.hub.cli.common import add_command, fail, screen_args, timeout_arg
from panneau.hub.cli.message_cmd import manager_request
from panneau.hub.cli.request import request
from panneau.hub.engine.inputs import FIGURES
from panneau.hub.figure_entry import figure_frame
from panneau.hub.toolkit.timeparse import option_day

__all__ = ["enter_figure", "register", "run"]


def register(subparsers) -> None:
    """Add ``input``."""
    figures = "\n".join(f"  {name:<24}{spec.help}" for name, spec in FIGURES.items())
    parser = add_command(
        subparsers, "input", "enter a figure no source holds (training hours, complaints, costs…)",
        "panneau input complaints 3 --category billing --team support --hub ws://127.0.0.1:8765"
        " --token-file manager.token",
        run,
        description="Enter a figure no phone system or helpdesk holds. The hub journals it "
                    "with who entered it and when; a correction is a new entry (--corrects).\n\n"
                    f"figures:\n{figures}",
    )
    parser.add_argument("figure", help="which figure (see the list above)")
    parser.add_argument("amount", help="how much (0 or more; counts are whole numbers)")
    parser.add_argument("--team", help="the team it is for (default: the whole site)")
    parser.add_argument("--day", help="the working day it counts for, YYYY-MM-DD (default: today)")
    parser.add_argument("--category", help="a category (complaints: billing, delay…)")
    parser.add_argument("--corrects", metavar="ENTRY", help="the entry id this one replaces")
    screen_args(parser, "a manager's")
    timeout_arg(parser)


def _frame(args: argparse.Namespace) -> dict:
    """The ``enter_figure`` frame; ``ValueError`` for what can be told before sending."""
    if args.day is not None:
        option_day("--day", args.day.strip())
    return figure_frame(args.figure, args.amount, team=args.team, day=args.day,
                        category=args.category, corrects=args.corrects)


async def enter_figure(url: str, token: str, frame: dict, *, ca_file: str | None = None,
                       client_cert: str | None = None) -> str:
    """Send one ``enter_figure`` frame as a manager; returns the new entry id."""
    return await manager_request(url, token, frame, ca_file=ca_file, client_cert=client_cert)


def run(args: argparse.Namespace) -> int:
    """Enter the figure and print its entry id."""
    try:
        frame = _frame(args)
    except ValueError as exc:  # told before sending: what was typed, exit 2 as argparse's
        return fail("input", exc)
    answer, code = request("input", args, frame)
    if answer is None:
        return code
    sys.stdout.write(f"entered {args.figure} {args.amount} as entry {answer['id']}\n")
    return 0
