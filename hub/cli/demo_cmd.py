"""``panneau demo``: a hub fed by the simulator, with the kiosk in the foreground."""

from __future__ import annotations

from hub.cli.common import add_command, not_built


def register(subparsers) -> None:
    """Add ``demo``."""
    parser = add_command(
        subparsers, "demo",
        "run a hub fed by the simulator with the kiosk on screen (no config needed)",
        "panneau demo --speed 60",
        not_built("panneau demo (simulator, hub and kiosk)", 7),
    )
    parser.add_argument("--overlay", metavar="AGENT", help="show this agent's overlay instead")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per second")
    parser.add_argument("--seed", type=int, default=1, help="simulator seed")
