"""Entry point of the ``panneau`` console script.

The built-in commands below need nothing but the hub; the screens (``kiosk``, ``overlay``,
``console``), ``demo`` and the plugins' own commands arrive through the ``register_commands``
hook (:mod:`panneau.hub.commands`), so importing this module imports no screen and no source.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from panneau.hub import __version__
from panneau.hub.cli.common import add_command
from panneau.hub.commands import CommandSpec
from panneau.hub.logs import LEVELS, setup_logging

__all__ = ["build_parser", "main", "standalone_command"]

#: Built-in subcommand modules, in the order ``--help`` lists them (plugin commands follow).
COMMAND_MODULES = (
    "panneau.hub.cli.init_cmd",
    "panneau.hub.cli.hub_cmd",
    "panneau.hub.cli.replay_cmd",
    "panneau.hub.cli.config_cmd",
    "panneau.hub.cli.plugins_cmd",
    "panneau.hub.cli.message_cmd",
    "panneau.hub.cli.input_cmd",
    "panneau.hub.cli.annotate_cmd",
    "panneau.hub.cli.export_cmd",
    "panneau.hub.cli.targets_cmd",
    "panneau.hub.cli.plugin_new_cmd",
    "panneau.hub.cli.compiled_cmd",
)

log = logging.getLogger("panneau")


class _Version(argparse.Action):
    """``--version``: the version and the engine that runs (pure Python or compiled)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from panneau.hub.compiled import describe

        print(f"panneau {__version__} (engine: {describe()})")
        parser.exit()


def build_parser(pm=None, only: CommandSpec | None = None) -> argparse.ArgumentParser:
    """The full parser; with a plugin manager, plugin commands are added too; with ``only``,
    that command alone (a standalone command, see :func:`standalone_command`)."""
    parser = argparse.ArgumentParser(
        prog="panneau",
        description="Panneau: live contact-centre KPIs on wall panels and agent screens.",
        epilog="example:\n  panneau demo            # a hub fed by the simulator, kiosk on screen",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="show the version and which engine runs, and exit")
    parser.add_argument("--log-level", choices=LEVELS, default="info",
                        help="how much to log on stderr (default: info)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    if only is not None:
        _add_spec(subparsers, only)
        return parser
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    if pm is not None:
        from panneau.hub.plugins import collect_commands

        for spec in collect_commands(pm, builtin_commands()).specs.values():
            _add_spec(subparsers, spec)
    return parser


def _add_spec(subparsers: argparse._SubParsersAction, spec: CommandSpec) -> None:
    command = add_command(subparsers, spec.name, spec.summary, spec.example, spec.run,
                          spec.description or None)
    if spec.arguments is not None:
        spec.arguments(command)


def standalone_command(argv: list[str]) -> CommandSpec | None:
    """The command ``argv`` names when it is one of ``STANDALONE_COMMANDS`` (a built-in
    plugin's command that needs no plugin loaded) and nothing but ``--log-level`` comes before
    it; else ``None`` (the whole command line is built, every plugin loaded)."""
    from panneau.plugins import STANDALONE_COMMANDS

    args = iter(argv)
    for arg in args:
        if arg == "--log-level":
            next(args, None)
        elif not arg.startswith("--log-level="):
            module = STANDALONE_COMMANDS.get(arg)
            return None if module is None else importlib.import_module(module).COMMAND
    return None


def builtin_commands() -> set[str]:
    """The names of the built-in commands (a plugin may not take them)."""
    subparsers = argparse.ArgumentParser().add_subparsers()
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return set(subparsers.choices)


def main(argv: list[str] | None = None) -> int:
    """Parse, set up logging once, run the subcommand; returns the exit code.

    A standalone command (the kiosk) runs without loading any plugin: its
    ``args.plugin_manager`` is ``None``."""
    argv = sys.argv[1:] if argv is None else list(argv)
    setup_logging("info")  # until --log-level is known: a plugin that fails to load is logged
    only, pm = standalone_command(argv), None
    if only is None:
        from panneau.hub.plugins import make_plugin_manager

        pm = make_plugin_manager()  # ... and skipped
    parser = build_parser(pm, only)
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said by the command, with its usage: not "panneau: error: …" and panneau's
        (getattr(args, "command_parser", None) or parser).error(
            f"unrecognized arguments: {' '.join(unknown)}")
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
