"""GET JSON from a helpdesk API politely: pacing, 429/Retry-After, bounded retries.

A ``429`` (or a ``503`` with ``Retry-After``) makes the fetcher wait what the server asked
(capped) before trying again, never sooner; network errors and other ``5xx`` back off
exponentially. Any other ``4xx`` is a :class:`FetchError` at once: retrying cannot fix it.
Credentials travel in the client's headers/auth, never in the URLs this module logs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # httpx is imported where a request is made: loading the plugins
    import httpx  # (every panneau command) does not pay for it

__all__ = ["FetchError", "Fetcher", "retry_after_s"]


class FetchError(Exception):
    """A request that failed for good (refused, not JSON, or too many attempts); ``status`` is
    the HTTP status when the server answered."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def retry_after_s(value: str | None, default: float, now: float | None = None) -> float:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return default
    return max(0.0, when - (time.time() if now is None else now))


def _where(url: str) -> str:
    return url.split("?", 1)[0]


@dataclass
class Fetcher:
    """Wraps an ``httpx.AsyncClient``; one per running source."""

    client: httpx.AsyncClient
    log: logging.Logger
    min_interval_s: float = 0.0
    max_attempts: int = 5
    max_wait_s: float = 300.0
    default_retry_after_s: float = 60.0
    on_wait: Callable[[str], None] | None = None
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    requests: int = 0
    rate_limited: int = 0
    _last: float = field(default=float("-inf"), repr=False)

    async def _pace(self) -> None:
        gap = self.min_interval_s - (time.monotonic() - self._last)
        if gap > 0:
            await self.sleep(gap)
        self._last = time.monotonic()

    async def _wait(self, seconds: float, why: str) -> None:
        seconds = min(seconds, self.max_wait_s)
        self.log.warning("%s; waiting %.1f s before the next request", why, seconds)
        if self.on_wait is not None:
            self.on_wait(f"{why}; retrying in {seconds:.0f} s")
        await self.sleep(seconds)

    async def get_json(
        self, url: str, params: Mapping[str, Any] | None = None
    ) -> tuple[Any, httpx.Headers]:
        """The decoded JSON body and the response headers.

        ``params`` are added to the URL's own query string (``?view=open`` stays): httpx would
        otherwise replace a URL's query whenever ``params`` is passed.
        """
        import httpx

        if params:
            url = str(httpx.URL(url).copy_merge_params(params))
        for attempt in range(1, self.max_attempts + 1):
            await self._pace()
            self.requests += 1
            try:
                resp = await self.client.get(url)
            except httpx.TransportError as exc:
                await self._wait(2.0**attempt, f"{_where(url)}: {type(exc).__name__}")
                continue
            status = resp.status_code
            if status == 429 or (status == 503 and "retry-after" in resp.headers):
                self.rate_limited += 1
                delay = retry_after_s(resp.headers.get("retry-after"), self.default_retry_after_s)
                await self._wait(delay, f"{_where(url)}: rate limited (HTTP {status})")
                continue
            if status >= 500:
                await self._wait(2.0**attempt, f"{_where(url)}: HTTP {status}")
                continue
            if status >= 400:
                raise FetchError(f"{_where(url)}: HTTP {status}: {resp.text[:200]}", status)
            try:
                return resp.json(), resp.headers
            except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep
                raise FetchError(f"{_where(url)}: response is not JSON") from exc
        raise FetchError(f"{_where(url)}: gave up after {self.max_attempts} attempts")
