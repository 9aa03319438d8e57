"""``panneau overlay``: the overlay's command, added through the ``register_commands`` hook."""

from __future__ import annotations

import argparse

from panneau.hub.cli.common import fail, hub_client, read_token, screen_args
from panneau.hub.commands import CommandSpec
from panneau.hub.hookspecs import hookimpl

__all__ = ["register_commands"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    screen_args(parser)
    parser.add_argument("--one-line", action="store_true",
                        help="start folded to one line (a tmux pane); the o key toggles it")
    parser.add_argument("--stale-after", type=float, default=30.0, metavar="SECONDS",
                        help="mark the figures stale when no data came for this long (30)")
    parser.add_argument("--status-line", action="store_true",
                        help="print the one-line overlay once in tmux format and exit "
                             "(for tmux status-right \"#(...)\")")
    parser.add_argument("--width", type=int, default=60,
                        help="with --status-line: at most this many cells (60)")


def run(args: argparse.Namespace) -> int:
    """Run the agent overlay until the agent quits (the client reconnects meanwhile)."""
    if args.status_line:
        import asyncio
        import sys

        from panneau.overlay.statusline import problem_line, status_line

        try:
            line = asyncio.run(status_line(
                args.hub, read_token(args), width=args.width, stale_after_s=args.stale_after,
                ca_file=args.ca_file, client_cert=args.client_cert))
        except ValueError as exc:
            sys.stdout.write(problem_line(str(exc), args.width) + "\n")  # what tmux shows
            return fail("overlay", str(exc))
        sys.stdout.write(line + "\n")
        return 0
    from panneau.overlay.app import OverlayApp

    try:
        client = hub_client(args)
    except ValueError as exc:
        return fail("overlay", str(exc))
    OverlayApp(client, stale_after_s=args.stale_after, one_line=args.one_line).run()
    return 0


@hookimpl
def register_commands(register) -> None:
    """Offer ``panneau overlay``."""
    register(CommandSpec(
        "overlay", "an agent's compact overlay: own figures and team queue", run, _arguments,
        example="panneau overlay --hub wss://hub.lan:8765 --token-file /etc/panneau/overlay.token"))
