"""Entry point of the ``panneau`` console script."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from panneau.hub import __version__
from panneau.hub.logs import LEVELS, setup_logging

__all__ = ["build_parser", "main"]

#: Subcommand modules, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "panneau.hub.cli.demo_cmd",
    "panneau.hub.cli.hub_cmd",
    "panneau.hub.cli.screens_cmd",
    "panneau.hub.cli.replay_cmd",
    "panneau.hub.cli.config_cmd",
    "panneau.hub.cli.plugins_cmd",
    "panneau.hub.cli.message_cmd",
    "panneau.hub.cli.export_cmd",
    "panneau.hub.cli.plugin_new_cmd",
    "panneau.hub.cli.import_survey_cmd",
)

log = logging.getLogger("panneau")


def build_parser(pm=None) -> argparse.ArgumentParser:
    """The full parser; with a plugin manager, plugin commands are added too."""
    parser = argparse.ArgumentParser(
        prog="panneau",
        description="Panneau: live contact-centre KPIs on wall panels and agent screens.",
        epilog="example:\n  panneau demo            # a hub fed by the simulator, kiosk on screen",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"panneau {__version__}")
    parser.add_argument("--log-level", choices=LEVELS, default="info",
                        help="how much to log on stderr (default: info)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    if pm is not None:
        try:
            pm.hook.register_commands(subparsers=subparsers)
        except (argparse.ArgumentError, ValueError) as exc:
            log.warning("a plugin command was refused: %s", exc)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse, set up logging once, run the subcommand; returns the exit code."""
    from panneau.hub.plugins import make_plugin_manager

    try:
        pm = make_plugin_manager()
    except Exception as exc:  # a broken plugin must not make the CLI unusable
        setup_logging("info")
        log.error("could not load plugins: %s", exc)
        pm = None
    parser = build_parser(pm)
    args = parser.parse_args(argv)
    setup_logging(args.log_level)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    args.plugin_manager = pm
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
