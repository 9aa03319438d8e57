"""``panneau message``: a manager sends a message to screens."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys

from panneau.hub.cli.common import add_command

__all__ = ["parse_duration", "register", "run", "send_message"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def register(subparsers) -> None:
    """Add ``message``."""
    parser = add_command(
        subparsers, "message", "send a manager message to a team, an agent or everyone",
        'panneau message --hub ws://127.0.0.1:8765 --token $MANAGER --team support "Huddle at 3"',
        run,
    )
    parser.add_argument("--hub", required=True, metavar="URL", help="hub websocket address")
    parser.add_argument("--token", required=True, help="a manager token")
    parser.add_argument("--team", help="send to this team")
    parser.add_argument("--agent", help="send to this agent")
    parser.add_argument("--expires", default="1h", help="how long it shows (e.g. 30m, 2h)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="give up after this many seconds (default: 10)")
    parser.add_argument("text", help="the message")


def parse_duration(text: str) -> float:
    """``"90"``, ``"30m"``, ``"2h"``, ``"1d"`` → seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not match:
        raise ValueError(f"not a duration: {text!r} (e.g. 30m, 2h)")
    return float(match[1]) * _UNITS[match[2] or "s"]


async def send_message(url: str, token: str, text: str, *, team: str | None = None,
                       agent: str | None = None, expires_s: float = 3600.0) -> str:
    """Connect as a manager, send one message, return its id (raises ``RuntimeError``)."""
    from panneau.hub.client import HubClient

    client = HubClient(url, token, backoff_min=0.2, backoff_max=1.0)
    frame = {"type": "send_message", "text": text, "team": team, "agent": agent,
             "expires_s": expires_s, "ref": "cli"}
    try:
        async for update in client.updates():
            if update.kind == "rejected":
                raise RuntimeError(f"the hub refused the token: {update.frame['reason']}")
            if update.kind == "connected":
                await client.send(frame)
            elif update.kind in ("ok", "error") and update.frame.get("ref") == "cli":
                if update.kind == "error":
                    raise RuntimeError(update.frame["reason"])
                return update.frame["id"]
    finally:
        await client.close()
    raise RuntimeError("connection closed")


def run(args: argparse.Namespace) -> int:
    """Send and report the message id."""
    try:
        expires = parse_duration(args.expires)
        message_id = asyncio.run(asyncio.wait_for(send_message(
            args.hub, args.token, args.text, team=args.team, agent=args.agent,
            expires_s=expires), args.timeout))
    except (ValueError, RuntimeError) as exc:
        sys.stderr.write(f"panneau message: {exc}\n")
        return 1
    except TimeoutError:
        sys.stderr.write(f"panneau message: no answer from {args.hub} in {args.timeout:g} s\n")
        return 1
    sys.stdout.write(f"sent message {message_id}\n")
    return 0
