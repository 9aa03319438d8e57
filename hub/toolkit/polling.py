"""The loop every polling source shares, and reading settings from options or environment."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from panneau.hub.config.validate import OptionProblems, negative, not_positive, under_minimum
from panneau.hub.sources import SourceContext, secret_from_env
from panneau.hub.toolkit.fetch import Fetcher, FetchError

__all__ = [
    "HelpdeskOptions",
    "account_url",
    "from_env",
    "make_fetcher",
    "poll_forever",
    "run_polling",
]


@dataclass
class HelpdeskOptions:
    """Options every helpdesk poller accepts besides its account and credentials."""

    base_url: str | None = None
    env_prefix: str = ""
    agents: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    start_time: int = 0
    per_page: int = 100
    poll_interval_s: float = 60.0
    min_request_interval_s: float = 1.0
    max_pages_per_poll: int = 50
    max_tracked_tickets: int = 20000
    max_retry_wait_s: float = 300.0
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        if problems := self.option_problems():
            raise OptionProblems(problems)

    def option_problems(self) -> dict[str, str]:
        """What no poller can run with (a poll every 0 s, pages of 0 tickets), at its key,
        so ``panneau config check`` names it; a subclass adds its own."""
        return {**under_minimum(self, 1, "per_page", "max_pages_per_poll",
                                "max_tracked_tickets"),
                **not_positive(self, "poll_interval_s", "timeout_s"),
                **negative(self, "min_request_interval_s", "max_retry_wait_s")}


def account_url(opts: Any, environ: Mapping[str, str], key: str, template: str) -> str:
    """``opts.base_url`` (or ``<env_prefix>BASE_URL``), else ``template`` filled with the
    option ``key`` (or ``<env_prefix><KEY>``); ``ValueError`` naming what to set."""
    env = opts.env_prefix
    base_url = opts.base_url or from_env(None, environ, env + "BASE_URL")
    if not base_url:
        name = from_env(getattr(opts, key), environ, env + key.upper())
        if not name:
            raise ValueError(f"give options.{key} (or {env}{key.upper()}) or options.base_url")
        base_url = template.format(name)
    return base_url.rstrip("/")


def from_env(value: str | None, environ: Mapping[str, str], name: str) -> str | None:
    """``value`` when set, else ``$name`` or the file ``$name_FILE`` names (empty: unset)."""
    if value:
        return value
    return secret_from_env(name, environ)


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


async def run_polling(
    ctx: SourceContext,
    opts: Any,
    settings: Callable[[], dict[str, Any]],
    make_poller: Callable[[Fetcher], Any],
) -> None:
    """The whole life of a polling source: check its settings (``ValueError`` → down and
    raised), open one ``httpx.AsyncClient``, then :func:`poll_forever` its poller.

    ``opts`` carries ``poll_interval_s``, ``min_request_interval_s`` and ``max_retry_wait_s``.
    """
    try:
        client_kwargs = settings()
    except ValueError as exc:
        ctx.set_status("down", str(exc))
        raise
    ctx.set_status("starting", f"polling {client_kwargs.get('base_url', '')}")
    import httpx  # here, not at the top: loading the plugins does not pay for it

    async with httpx.AsyncClient(**client_kwargs) as client:
        fetcher = make_fetcher(ctx, client, min_interval_s=opts.min_request_interval_s,
                               max_wait_s=opts.max_retry_wait_s)
        await poll_forever(ctx, make_poller(fetcher).poll_once, opts.poll_interval_s)
