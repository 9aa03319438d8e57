"""``panneau hub``: run the hub server."""

from __future__ import annotations

from hub.cli.common import add_command, not_built


def register(subparsers) -> None:
    """Add ``hub``."""
    parser = add_command(
        subparsers, "hub", "run the hub: sources in, KPIs out to every screen",
        "panneau hub --config panneau.toml",
        not_built("panneau hub (the server)", 6),
    )
    parser.add_argument("--config", default="panneau.toml", metavar="FILE",
                        help="configuration file (default: panneau.toml)")
