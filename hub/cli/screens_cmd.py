"""``panneau kiosk``, ``panneau overlay`` and ``panneau console``: the screens."""

from __future__ import annotations

from panneau.hub.cli.common import (
    add_command,
    fail,
    hub_client,
    not_built,
    read_token,
    screen_args,
)


def kiosk_args(parser) -> None:
    """The kiosk's own option."""
    parser.add_argument("--colors", choices=("auto", "16", "full"), default="auto",
                        help="16 for the Linux console (auto: 16 when TERM=linux)")


def run_kiosk(args) -> int:
    """Run the wall panel until interrupted."""
    from panneau.kiosk.app import KioskApp, pick_colors

    try:
        client = hub_client(args)
    except ValueError as exc:
        return fail("kiosk", str(exc))
    KioskApp(client, colors=pick_colors(args.colors)).run()
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

        try:
            line = asyncio.run(status_line(
                args.hub, read_token(args), width=args.width, stale_after_s=args.stale_after,
                ca_file=args.ca_file, client_cert=args.client_cert))
        except ValueError as exc:
            return fail("overlay", str(exc))
        sys.stdout.write(line + "\n")
        return 0
    from panneau.overlay.app import OverlayApp

    try:
        client = hub_client(args)
    except ValueError as exc:
        return fail("overlay", str(exc))
    OverlayApp(client, stale_after_s=args.stale_after, one_line=args.one_line).run()
    return 0


def run_console(args) -> int:
    """Run the manager console until the manager quits."""
    from panneau.console.app import ConsoleApp

    try:
        client = hub_client(args)
    except ValueError as exc:
        return fail("console", str(exc))
    ConsoleApp(client).run()
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
            f"panneau {name} --hub wss://hub.lan:8765 --token-file /etc/panneau/{name}.token",
            {"kiosk": run_kiosk, "overlay": run_overlay, "console": run_console}.get(name)
            or not_built(f"panneau {name}", issue),
        )
        screen_args(parser)
        if name == "kiosk":
            kiosk_args(parser)
        if name == "overlay":
            overlay_args(parser)
