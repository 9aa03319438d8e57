"""``panneau console``: the console's command, added through the ``register_commands`` hook."""

from __future__ import annotations

import argparse

from panneau.hub.cli.common import fail, hub_client, screen_args
from panneau.hub.commands import CommandSpec
from panneau.hub.hookspecs import hookimpl

__all__ = ["register_commands"]


def run(args: argparse.Namespace) -> int:
    """Run the manager console until the manager quits."""
    from panneau.console.app import ConsoleApp

    try:
        client = hub_client(args)
    except ValueError as exc:
        return fail("console", str(exc))
    ConsoleApp(client).run()
    return 0


# docs: begin register-commands
@hookimpl
def register_commands(register) -> None:
    """Offer ``panneau console``."""
    register(CommandSpec(
        "console", "the manager console: every figure, send messages", run, screen_args,
        example="panneau console --hub wss://hub.lan:8765 --token-file /etc/panneau/console.token"))
# docs: end register-commands
