"""``panneau kiosk``, ``panneau overlay`` and ``panneau console``: the screens."""

from __future__ import annotations

from hub.cli.common import add_command, not_built, screen_args


def register(subparsers) -> None:
    """Add the three screen commands."""
    screens = (
        ("kiosk", "the team wall panel (full screen, unattended)", 8),
        ("overlay", "an agent's compact overlay: own figures and team queue", 9),
        ("console", "the manager console: every figure, send messages", 6),
    )
    for name, summary, issue in screens:
        parser = add_command(
            subparsers, name, summary,
            f"panneau {name} --hub ws://127.0.0.1:8765 --token $PANNEAU_TOKEN",
            not_built(f"panneau {name}", issue),
        )
        screen_args(parser)
