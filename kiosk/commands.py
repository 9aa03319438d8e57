"""``panneau kiosk``: the kiosk's command, added through the ``register_commands`` hook."""

from __future__ import annotations

import argparse

from panneau.hub.cli.common import fail, hub_client, screen_args
from panneau.hub.commands import CommandSpec
from panneau.hub.hookspecs import hookimpl

__all__ = ["register_commands"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    screen_args(parser)
    parser.add_argument("--colors", choices=("auto", "16", "full"), default="auto",
                        help="16 for the Linux console (auto: 16 when TERM=linux)")


def run(args: argparse.Namespace) -> int:
    """Run the wall panel until interrupted."""
    from panneau.kiosk.app import KioskApp, pick_colors

    try:
        client = hub_client(args)
    except ValueError as exc:
        return fail("kiosk", str(exc))
    KioskApp(client, colors=pick_colors(args.colors)).run()
    return 0


@hookimpl
def register_commands(register) -> None:
    """Offer ``panneau kiosk``."""
    register(CommandSpec(
        "kiosk", "the team wall panel (full screen, unattended)", run, _arguments,
        example="panneau kiosk --hub wss://hub.lan:8765 --token-file /etc/panneau/kiosk.token"))
