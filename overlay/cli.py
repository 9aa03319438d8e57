"""``panneau overlay``: connect to the hub with the agent's token and run the overlay."""

from __future__ import annotations

import argparse

from hub.client import HubClient
from overlay.app import OverlayApp

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    """Run until the agent quits (``q``); the client reconnects on its own meanwhile."""
    client = HubClient(args.hub, args.token)
    app = OverlayApp(client, stale_after_s=args.stale_after, one_line=args.one_line)
    app.run()
    return 0
