"""``panneau message``: a manager sends a message to screens."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys

from panneau.hub.cli.common import add_command, read_token, screen_args

__all__ = ["manager_request", "parse_duration", "register", "run", "send_message"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def register(subparsers) -> None:
    """Add ``message``."""
    parser = add_command(
        subparsers, "message", "send a manager message to a team, an agent or everyone",
        'panneau message --hub ws://127.0.0.1:8765 --token-file manager.token --team support '
        '"Huddle at 3"',
        run,
    )
    screen_args(parser, "a manager's")
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


async def manager_request(url: str, token: str, frame: dict, *, ca_file: str | None = None,
                          client_cert: str | None = None) -> str:
    """Connect with a manager token, send one action frame, return the ``id`` of its ``ok``.

    Raises ``RuntimeError`` with the hub's reason when it refuses the frame, and at once when
    the hub refuses the token, the TLS certificate does not verify, or nothing answers at the
    address (connection refused); ``ValueError`` for an address that is not ``ws://`` /
    ``wss://``.
    """
    from panneau.hub.client import ADDRESS_REFUSED, TLS_FAILED, HubClient

    client = HubClient(url, token, backoff_min=0.2, backoff_max=1.0, ca_file=ca_file,
                       client_cert=client_cert)
    frame = {**frame, "ref": "cli"}
    try:
        async for update in client.updates():
            if update.kind == "rejected":
                reason = update.frame["reason"]
                if update.frame.get("code") in (TLS_FAILED, ADDRESS_REFUSED):
                    raise RuntimeError(reason)
                raise RuntimeError(f"the hub refused the token: {reason}")
            if update.kind == "unreachable":
                raise RuntimeError(update.frame["reason"])
            if update.kind == "connected":
                await client.send(frame)
            elif update.kind in ("ok", "error") and update.frame.get("ref") == "cli":
                if update.kind == "error":
                    raise RuntimeError(update.frame["reason"])
                return update.frame["id"]
    finally:
        await client.close()
    raise RuntimeError("connection closed")


async def send_message(url: str, token: str, text: str, *, team: str | None = None,
                       agent: str | None = None, expires_s: float = 3600.0,
                       ca_file: str | None = None, client_cert: str | None = None) -> str:
    """Connect as a manager, send one message, return its id (see :func:`manager_request`)."""
    return await manager_request(
        url, token, {"type": "send_message", "text": text, "team": team, "agent": agent,
                     "expires_s": expires_s}, ca_file=ca_file, client_cert=client_cert)


def run(args: argparse.Namespace) -> int:
    """Send and report the message id."""
    try:
        expires = parse_duration(args.expires)
        message_id = asyncio.run(asyncio.wait_for(send_message(
            args.hub, read_token(args), args.text, team=args.team, agent=args.agent,
            expires_s=expires, ca_file=args.ca_file, client_cert=args.client_cert),
            args.timeout))
    except (ValueError, RuntimeError) as exc:
        sys.stderr.write(f"panneau message: {exc}\n")
        return 1
    except TimeoutError:
        sys.stderr.write(f"panneau message: no answer from {args.hub} in {args.timeout:g} s\n")
        return 1
    sys.stdout.write(f"sent message {message_id}\n")
    return 0
