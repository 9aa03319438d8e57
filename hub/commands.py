"""The contract between ``panneau``'s command line and a plugin that adds commands.

A plugin registers a :class:`CommandSpec` through the ``register_commands`` hook; the CLI adds
``panneau NAME``, lets ``arguments(parser)`` add its options and calls ``run(args)`` when the
command is chosen. ``args.plugin_manager`` holds the loaded plugins (for a command that needs
the sources other plugins offer), except for a standalone command (``STANDALONE_COMMANDS`` in
:mod:`panneau.plugins`, such as ``panneau kiosk``): ``panneau`` runs it without loading any
plugin, and its ``args.plugin_manager`` is ``None``, so such a command must not need it.
Screens (kiosk, overlay, console) and built-in plugins add their commands this way too, so
the hub imports none of them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["CommandSpec"]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One ``panneau`` subcommand a plugin offers.

    ``run(args) -> int`` is the exit status. ``arguments(parser)`` adds the command's options
    to its ``argparse.ArgumentParser``. ``example`` is shown at the end of ``--help``;
    ``description`` (default: ``summary``) at its top.
    """

    name: str
    summary: str
    run: Callable[[argparse.Namespace], int]
    arguments: Callable[[argparse.ArgumentParser], None] | None = None
    example: str = ""
    description: str = ""
