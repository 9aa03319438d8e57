"""``panneau kiosk``, ``panneau overlay`` and ``panneau console``: the screens."""

from __future__ import annotations

from panneau.hub.cli.common import add_command, not_built, screen_args


def kiosk_args(parser) -> None:
    """The kiosk's own option."""
    parser.add_argument("--colors", choices=("auto", "16", "full"), default="auto",
                        help="16 for the Linux console (auto: 16 when TERM=linux)")


def run_kiosk(args) -> int:
    """Run the wall panel until interrupted."""
    from panneau.hub.client import HubClient
    from panneau.kiosk.app import KioskApp, pick_colors

    KioskApp(HubClient(args.hub, args.token), colors=pick_colors(args.colors)).run()
    return 0


def overlay_args(parser) -> None:
    """The overlay's own options."""
    parser.add_argument("--one-line", action="store_true",
                        help="start folded to one line (a tmux pane); the o key toggles it")
    parser.add_argument("--stale-after", type=float, default=30.0, metavar="SECONDS",
                        help="mark the figures stale when no data came for this long (30)")
    parser.add_argument("--status-line", action="store_true",
                        help="print the one-line overlay once in tmux format and exit "
                             "(for tmux status-right \"#(...)\")")
    parser.add_argument("--width", type=int, default=60,
                        help="with --status-line: at most this many cells (60)")


def run_overlay(args) -> int:
    """Run the agent overlay until the agent quits (the client reconnects meanwhile)."""
    if args.status_line:
        import asyncio
        import sys

        from panneau.overlay.statusline import status_line

        sys.stdout.write(asyncio.run(status_line(args.hub, args.token, width=args.width,
                                                 stale_after_s=args.stale_after)) + "\n")
        return 0
    from panneau.hub.client import HubClient
    from panneau.overlay.app import OverlayApp

    OverlayApp(HubClient(args.hub, args.token), stale_after_s=args.stale_after,
               one_line=args.one_line).run()
    return 0


def run_console(args) -> int:
    """Run the manager console until the manager quits."""
    from panneau.console.app import ConsoleApp
    from panneau.hub.client import HubClient

    ConsoleApp(HubClient(args.hub, args.token)).run()
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
            {"kiosk": run_kiosk, "overlay": run_overlay, "console": run_console}.get(name)
            or not_built(f"panneau {name}", issue),
        )
        screen_args(parser)
        if name == "kiosk":
            kiosk_args(parser)
        if name == "overlay":
            overlay_args(parser)
