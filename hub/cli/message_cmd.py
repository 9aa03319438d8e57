"""``panneau message``: a manager sends a message to screens."""

from __future__ import annotations

from hub.cli.common import add_command, not_built


def register(subparsers) -> None:
    """Add ``message``."""
    parser = add_command(
        subparsers, "message", "send a manager message to a team, an agent or everyone",
        'panneau message --hub ws://127.0.0.1:8765 --token $MANAGER --team support "Huddle at 3"',
        not_built("panneau message", 6),
    )
    parser.add_argument("--hub", required=True, metavar="URL", help="hub websocket address")
    parser.add_argument("--token", required=True, help="a manager token")
    parser.add_argument("--team", help="send to this team")
    parser.add_argument("--agent", help="send to this agent")
    parser.add_argument("--expires", default="1h", help="how long it shows (e.g. 30m, 2h)")
    parser.add_argument("text", help="the message")
