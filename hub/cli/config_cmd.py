"""``panneau config check``: validate a configuration file."""

from __future__ import annotations

import argparse
import sys

from panneau.hub.cli.common import add_command
from panneau.hub.config import ConfigError, load_config
from panneau.hub.plugins import collect_sources


def register(subparsers) -> None:
    """Add ``config`` with its ``check`` action."""
    parser = add_command(
        subparsers, "config", "check a configuration file and list every problem",
        "panneau config check panneau.toml", run,
    )
    parser.add_argument("action", choices=["check"])
    parser.add_argument("file", help="the TOML file")


def run(args: argparse.Namespace) -> int:
    """Print OK or every error, one per line."""
    pm = args.plugin_manager
    registry = collect_sources(pm) if pm is not None else None
    try:
        load_config(args.file, registry)
    except ConfigError as exc:
        for message in exc.messages:
            sys.stdout.write(message + "\n")
        count = len(exc.messages)
        sys.stdout.write(f"{count} problem{'s' if count > 1 else ''} found\n")
        return 1
    sys.stdout.write(f"{args.file}: OK\n")
    return 0
