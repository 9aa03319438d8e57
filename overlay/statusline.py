"""``panneau overlay --status-line``: the one-line overlay, once, in tmux's colour syntax.

For ``status-right "#(panneau overlay --hub … --token … --status-line)"``: it connects, takes
the snapshot, prints one line and exits; tmux runs it again every ``status-interval``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from rich.console import Console
from rich.style import Style
from rich.text import Text

from panneau.hub.client import HubClient
from panneau.hub.freshness import WRONG_ROLE, Link, hub_time, wrong_role
from panneau.overlay.lines import one_line
from panneau.overlay.model import build_model

__all__ = ["problem_line", "status_line", "tmux_paint", "to_tmux"]

_TMUX = {"ok": Style(color="green"), "warn": Style(color="yellow", bold=True),
         "alert": Style(color="red", bold=True), "ahead": Style(color="green"),
         "behind": Style(color="yellow"), "dim": Style(color="grey50"),
         "strong": Style(bold=True), "stale": Style(color="bright_black")}


def tmux_paint(name: str | None) -> Style:
    """Plain terminal colours, which tmux can name."""
    return _TMUX.get(name or "", Style())


def to_tmux(text: Text) -> str:
    """Rich text → tmux format (``#[fg=red,bold]…#[default]``); ``#`` is escaped."""
    out = []
    console = Console(width=max(1, text.cell_len), color_system="standard", no_color=False)
    for segment in text.render(console):
        chunk = segment.text.replace("#", "##")
        style = segment.style
        attrs = []
        if style is not None and style.color is not None:
            attrs.append(f"fg={style.color.name}")
        if style is not None and style.bold:
            attrs.append("bold")
        out.append(f"#[{','.join(attrs)}]{chunk}#[default]" if attrs else chunk)
    return "".join(out).rstrip("\n")


def problem_line(problem: str, width: int) -> str:
    """Why no line could be had (no token, a bad address), as the line itself: tmux shows
    what ``#(...)`` prints on stdout, never its stderr, so the status line stayed blank."""
    text = Text().append(f"⚠ {problem}", style=tmux_paint("alert"))  # a span: to_tmux
    # renders those, not a Text's own style
    text.truncate(max(1, width), overflow="ellipsis")
    return to_tmux(text)


async def status_line(url: str, token: str, *, width: int = 60, timeout_s: float = 5.0,
                      stale_after_s: float = 30.0, ca_file: str | None = None,
                      client_cert: str | None = None) -> str:
    """Connect, wait (at most ``timeout_s``) for the snapshot, return the line for tmux."""
    client = HubClient(url, token, backoff_min=0.2, backoff_max=1.0, open_timeout=timeout_s,
                       ca_file=ca_file, client_cert=client_cert)
    rejected = None
    with contextlib.suppress(TimeoutError):
        async with contextlib.aclosing(client.updates()) as updates:
            async with asyncio.timeout(timeout_s):
                async for update in updates:
                    if update.kind == "snapshot":
                        break
                    if update.kind == "rejected":
                        rejected = str(update.frame.get("reason") or "token refused")
                        break
    await client.close()
    code = None
    if rejected is None and (rejected := wrong_role(client.view, ("agent",))) is not None:
        code = WRONG_ROLE  # a token the hub took, of a role the overlay is not made for
    link = Link(client.view.epoch is not None, client.last_frame_at, rejected,
                rejected_code=code)
    # on the hub's time, as the overlay's: a sped hub's (a demo's) agent "since" is ahead of
    # the wall clock's, and the line said "Paused 0:00" beside the overlay's "Paused 9:31"
    now, _ = hub_time(client.view.meta, time.time())
    model = build_model(client.view, now, link, stale_after_s=stale_after_s)
    return to_tmux(one_line(model, width, tmux_paint))

