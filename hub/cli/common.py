"""Helpers shared by the subcommand modules."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

__all__ = ["add_command", "not_built", "screen_args"]


def add_command(
    subparsers: argparse._SubParsersAction,
    name: str,
    summary: str,
    example: str,
    run: Callable[[argparse.Namespace], int],
    description: str | None = None,
) -> argparse.ArgumentParser:
    """Add a subcommand whose ``--help`` ends with an example."""
    parser = subparsers.add_parser(
        name,
        help=summary,
        description=description or summary,
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=run)
    return parser


def not_built(what: str, issue: int) -> Callable[[argparse.Namespace], int]:
    """A ``run`` for a subcommand that does not exist yet: says so and fails."""

    def run(args: argparse.Namespace) -> int:
        sys.stderr.write(f"panneau: {what} is not built yet (issue #{issue}); nothing was done.\n")
        return 2

    return run


def screen_args(parser: argparse.ArgumentParser) -> None:
    """The options every screen takes."""
    parser.add_argument("--hub", required=True, metavar="URL",
                        help="hub websocket address, e.g. ws://127.0.0.1:8765")
    parser.add_argument("--token", required=True, help="this screen's token from the config")
