"""``panneau message``: a manager sends a message to screens."""

from __future__ import annotations

import argparse
import sys

from panneau.hub.cli.common import add_command, fail, screen_args, timeout_arg
from panneau.hub.cli.request import parse_duration, request, send_frame

__all__ = ["manager_request", "parse_duration", "parse_expires", "register", "run",
           "send_message"]


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
    parser.add_argument("--expires", default="1h", metavar="DURATION",
                        help="how long it shows: seconds, or with a unit (90s, 30m, 2h, 1d); "
                             "at most 7d (default: 1h)")
    timeout_arg(parser)
    parser.add_argument("text", help="the message")


async def manager_request(url: str, token: str, frame: dict, *, ca_file: str | None = None,
                          client_cert: str | None = None) -> str:
    """Connect with a manager token, send one action frame, return the ``id`` of its ``ok``
    (see :func:`panneau.hub.cli.request.send_frame` for what it raises)."""
    answer = await send_frame(url, token, frame, ca_file=ca_file, client_cert=client_cert)
    return answer["id"]


async def send_message(url: str, token: str, text: str, *, team: str | None = None,
                       agent: str | None = None, expires_s: float = 3600.0,
                       ca_file: str | None = None, client_cert: str | None = None) -> str:
    """Connect as a manager, send one message, return its id (see :func:`manager_request`)."""
    return await manager_request(
        url, token, {"type": "send_message", "text": text, "team": team, "agent": agent,
                     "expires_s": expires_s}, ca_file=ca_file, client_cert=client_cert)


def parse_expires(text: str) -> float:
    """``--expires``: seconds over 0 and at most the hub's longest (7 days); ``ValueError``
    naming the option and what was typed."""
    from panneau.hub.server.frames import MAX_EXPIRES_S

    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise ValueError(f"--expires: {exc}") from None
    if seconds <= 0:
        raise ValueError(f"--expires {text} must be over 0 s")
    if seconds > MAX_EXPIRES_S:
        raise ValueError(f"--expires {text} is over {MAX_EXPIRES_S // 86400}d "
                         f"({MAX_EXPIRES_S} s), the longest a message shows")
    return seconds


def run(args: argparse.Namespace) -> int:
    """Send and report the message id."""
    from panneau.hub.server.frames import MAX_MESSAGE_CHARS

    try:
        expires = parse_expires(args.expires)
    except ValueError as exc:
        return fail("message", str(exc))
    if not 0 < len(args.text.strip()) <= MAX_MESSAGE_CHARS:  # the hub's rule, told before
        return fail("message", f"the text must be 1 to {MAX_MESSAGE_CHARS} characters, got "
                               f"{len(args.text.strip())}")
    if args.team and args.agent:
        return fail("message", "send to a team or to an agent, not both")
    answer, code = request("message", args, {"type": "send_message", "text": args.text,
                                             "team": args.team, "agent": args.agent,
                                             "expires_s": expires})
    if answer is None:
        return code
    sys.stdout.write(f"sent message {answer['id']}\n")
    return 0
