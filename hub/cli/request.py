"""One manager request to the hub: connect, send one frame, return the answer to it.

Used by ``panneau message`` and ``panneau annotate``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["HubRefused", "parse_duration", "request", "send_frame"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class HubRefused(RuntimeError):
    """The hub answered the request with an ``error`` frame; the message is its reason."""


def parse_duration(text: str) -> float:
    """``"90"``, ``"30m"``, ``"2h"``, ``"1d"`` → seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not match:
        raise ValueError(f"not a duration: {text!r} (seconds, or with a unit: 90s, 30m, 2h, 1d)")
    return float(match[1]) * _UNITS[match[2] or "s"]


async def send_frame(url: str, token: str, frame: dict[str, Any], *,
                     ca_file: str | None = None, client_cert: str | None = None
                     ) -> dict[str, Any]:
    """Send ``frame`` once connected; return the hub's ``ok`` (or other) answer to it.

    Raises :class:`HubRefused` with the hub's reason on an ``error`` answer; ``RuntimeError``
    at once when the hub refuses the token, the TLS certificate does not verify, or nothing
    answers at the address (connection refused); ``ValueError`` for an address that is not
    ``ws://`` / ``wss://``.
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
            elif update.frame.get("ref") == "cli" and update.kind not in ("snapshot", "delta"):
                if update.kind == "error":
                    raise HubRefused(update.frame["reason"])
                return update.frame
    finally:
        await client.close()
    raise RuntimeError("connection closed")


def request(command: str, args: Any,
            frame: dict[str, Any]) -> tuple[dict[str, Any] | None, int]:
    """Send ``frame`` with the screen options of ``args`` (``--hub``, token, TLS files,
    ``--timeout``): the answer and 0, or ``None`` and the exit code after saying on stderr why
    there is none — 2 for options wrong before anything is sent (the address, the token, a TLS
    file: as the screens), 1 when the hub refused, did not answer or could not be reached.
    A request the hub refuses (its ``error`` frame: a team its config lacks, a manager's
    action on another token…) is said as ``the hub refused it: REASON``: only the hub knows
    its teams and agents, so the CLI cannot tell before sending."""
    import asyncio

    from panneau.hub.cli.common import fail, read_token
    from panneau.hub.tls import check_hub_url, client_context

    try:
        token = read_token(args)
        client_context(check_hub_url(args.hub), args.ca_file, args.client_cert)
    except ValueError as exc:
        return None, fail(command, exc)
    try:
        return asyncio.run(asyncio.wait_for(send_frame(
            args.hub, token, frame, ca_file=args.ca_file,
            client_cert=args.client_cert), args.timeout)), 0
    except HubRefused as exc:
        return None, fail(command, f"the hub refused it: {exc}", 1)
    except (ValueError, RuntimeError) as exc:
        return None, fail(command, exc, 1)
    except TimeoutError:
        return None, fail(command, f"no answer from {args.hub} in {args.timeout:g} s", 1)
