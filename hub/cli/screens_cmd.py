"""``panneau kiosk``, ``panneau overlay`` and ``panneau console``: the screens."""

from __future__ import annotations

from hub.cli.common import add_command, not_built, screen_args


def kiosk_args(parser) -> None:
    """The kiosk's own option."""
    parser.add_argument("--colors", choices=("auto", "16", "full"), default="auto",
                        help="16 for the Linux console (auto: 16 when TERM=linux)")


def run_kiosk(args) -> int:
    """Run the wall panel until interrupted."""
    from hub.client import HubClient
    from kiosk.app import KioskApp, pick_colors

    KioskApp(HubClient(args.hub, args.token), colors=pick_colors(args.colors)).run()
    return 0


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
            run_kiosk if name == "kiosk" else not_built(f"panneau {name}", issue),
        )
        screen_args(parser)
        if name == "kiosk":
            kiosk_args(parser)
