"""The loop every polling source shares, and reading settings from options or environment."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from hub.sources import SourceContext
from plugins.generic.fetch import Fetcher, FetchError

__all__ = ["from_env", "make_fetcher", "poll_forever"]


def from_env(value: str | None, environ: Mapping[str, str], name: str) -> str | None:
    """``value`` when set, else the environment variable ``name`` (empty counts as unset)."""
    if value:
        return value
    return environ.get(name) or None


def make_fetcher(ctx: SourceContext, client, *, min_interval_s: float,
                 max_wait_s: float) -> Fetcher:
    """A :class:`Fetcher` that reports rate-limit waits as the source going stale."""
    return Fetcher(client, ctx.log, min_interval_s=min_interval_s, max_wait_s=max_wait_s,
                   on_wait=lambda detail: ctx.set_status("stale", detail))


async def poll_forever(
    ctx: SourceContext,
    poll_once: Callable[[], Awaitable[None]],
    interval_s: float,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Poll, report live or down, wait ``interval_s``, again, until cancelled.

    A refused request (bad credentials, a 4xx) marks the source down and is retried at the next
    interval; other exceptions propagate so the hub restarts the source with backoff.
    """
    while True:
        try:
            await poll_once()
        except FetchError as exc:
            ctx.log.error("%s: %s", ctx.name, exc)
            ctx.set_status("down", str(exc))
        else:
            ctx.set_status("live")
        await sleep(interval_s)
