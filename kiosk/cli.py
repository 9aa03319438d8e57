"""``panneau kiosk``: its options and what it runs, with no plugin machinery.

:data:`COMMAND` is what the kiosk's plugin (:mod:`panneau.kiosk.commands`) registers, and what
``panneau kiosk`` runs without loading any plugin (``STANDALONE_COMMANDS`` in
:mod:`panneau.plugins`): a wall panel pays neither for the sources nor for pluggy.
"""

from __future__ import annotations

import argparse

from panneau.hub.cli.common import fail, hub_client, screen_args
from panneau.hub.commands import CommandSpec

__all__ = ["COMMAND"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    screen_args(parser)
    parser.add_argument("--colors", choices=("auto", "16", "full"), default="auto",
                        help="16 for the Linux console (auto: 16 when TERM=linux)")


def run(args: argparse.Namespace) -> int:
    """Run the wall panel until interrupted."""
    from panneau.hub.leanimports import skip_plotext_docs
    from panneau.hub.lightstrips import lazy_strip_caches

    skip_plotext_docs()  # before the app imports its charts' plotext
    lazy_strip_caches()  # the wall has its process to itself
    from panneau.kiosk.app import KioskApp, pick_colors

    try:
        client = hub_client(args)
    except ValueError as exc:
        return fail("kiosk", str(exc))
    KioskApp(client, colors=pick_colors(args.colors), own_process=True).run()
    return 0


COMMAND = CommandSpec(
    "kiosk", "the team wall panel (full screen, unattended)", run, _arguments,
    example="panneau kiosk --hub wss://hub.lan:8765 --token-file /etc/panneau/kiosk.token")
