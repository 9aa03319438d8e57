"""``panneau config check``: validate a configuration file."""

from __future__ import annotations

import argparse
import sys

from panneau.hub.cli.common import add_command
from panneau.hub.config import ConfigError, load_config
from panneau.hub.config.advice import config_warnings
from panneau.hub.config.validate import format_path
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
    """Print every error, one per line (exit 1); else every warning (exit 0) and OK when
    there is none."""
    pm = args.plugin_manager
    registry = collect_sources(pm) if pm is not None else None
    try:
        config = load_config(args.file, registry)
    except ConfigError as exc:
        for message in exc.messages:
            sys.stdout.write(message + "\n")
        count = len(exc.messages)
        sys.stdout.write(f"{count} problem{'s' if count > 1 else ''} found\n")
        return 1
    warnings = config_warnings(config)
    for issue in warnings:
        sys.stdout.write(f"{args.file}: warning: {format_path(issue.path)}: {issue.message}\n")
    count = len(warnings)
    sys.stdout.write(f"{args.file}: valid, with {count} warning{'s' if count > 1 else ''} "
                     "above\n" if count else f"{args.file}: OK\n")
    return 0
