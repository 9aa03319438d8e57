"""The hub's plain HTTP port (aiohttp.web): source webhooks, /healthz, /metrics and the
read-only reporting API (``/api/v1``, added by :mod:`panneau.hub.reports.api`).

``/hooks/<source>/<path>`` reaches the handler that source added with ``ctx.add_route``. An
unknown source or path → 404; a path served with other methods only → 405 with an ``Allow``
header; a configured source that is not running (down, restarting) → 503; a body over
``WEBHOOK_MAX_BYTES`` → 413; a handler that raises → 500 (logged with the source name); a
handler slower than ``WEBHOOK_TIMEOUT_S`` → 504. Bodies are JSON.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from panneau.hub.server.context import Routes, SourceState
from panneau.hub.server.metrics import Metrics
from panneau.hub.server.supervisor import TASK_PREFIX
from panneau.hub.sources import HttpRequest, HttpResponse

__all__ = ["WEBHOOK_MAX_BYTES", "WEBHOOK_TIMEOUT_S", "HttpServer"]

log = logging.getLogger(__name__)
WEBHOOK_MAX_BYTES = 1024 * 1024
WEBHOOK_TIMEOUT_S = 10.0



async def _no_exit(answer: Awaitable[HttpResponse]) -> HttpResponse:
    """``answer``, with a ``sys.exit()`` in it made a failure of that handler: raised out of
    the task ``wait_for`` runs it in, it stopped the hub's event loop."""
    try:
        return await answer
    except SystemExit as exc:
        raise RuntimeError(f"sys.exit({exc.code!r}) called in a webhook handler") from None

class HttpServer:
    """aiohttp application and runner for ``hub.http_listen``."""

    def __init__(self, routes: Routes, sources: Mapping[str, SourceState], metrics: Metrics,
                 health: Callable[[], dict[str, Any]], metrics_text: Callable[[], str]) -> None:
        self.routes, self.sources, self.metrics = routes, sources, metrics
        self.health, self.metrics_text = health, metrics_text
        self.app = web.Application(client_max_size=WEBHOOK_MAX_BYTES)
        self.app.router.add_get("/healthz", self._healthz)
        self.app.router.add_get("/metrics", self._metrics)
        self.app.router.add_route("*", Routes.PREFIX + "/{source}/{tail:.*}", self._hook)
        self.runner: web.AppRunner | None = None

    async def start(self, host: str, port: int, tls: ssl.SSLContext | None = None) -> int:
        """Listen (HTTPS with ``tls``); returns the bound port."""
        self.runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self.runner.setup()
        site = web.TCPSite(self.runner, host, port, ssl_context=tls)
        await site.start()
        return self.runner.addresses[0][1]

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response(self.health())

    async def _metrics(self, request: web.Request) -> web.Response:
        return web.Response(text=self.metrics_text(), content_type="text/plain",
                            headers={"X-Prometheus-Format": "0.0.4"})

    def _answer(self, status: int, body: Any,
                headers: Mapping[str, str] | None = None) -> web.Response:
        self.metrics.webhooks[str(status)] += 1
        return web.json_response(body, status=status, headers=headers,
                                 dumps=lambda o: json.dumps(o, default=str))

    async def _hook(self, request: web.Request) -> web.Response:
        source = request.match_info["source"]
        handler = self.routes.find(request.method, request.path)
        if handler is None:
            state = self.sources.get(source)
            if state is None:
                return self._answer(404, {"error": f"no source named {source!r}"})
            if not any(owner == source for owner in self.routes.owner.values()):
                return self._answer(503, {"error": f"source {source!r} is not running",
                                          "status": state.status, "detail": state.detail})
            if allowed := self.routes.methods(request.path):
                return self._answer(405, {"error": f"{request.path} takes "
                                                   f"{', '.join(allowed)}, not {request.method}"},
                                    headers={"Allow": ", ".join(allowed)})
            return self._answer(404, {"error": f"source {source!r} has no "
                                               f"{request.method} {request.path}"})
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return self._answer(413, {"error": f"body over {WEBHOOK_MAX_BYTES} bytes"})
        req = HttpRequest(request.method, request.path, dict(request.headers), body,
                          dict(request.query))
        try:
            # a task named as the source's: a block of the loop in the handler is blamed on it
            call = asyncio.get_running_loop().create_task(
                _no_exit(handler(req)), name=f"{TASK_PREFIX}{source}/webhook")
            response = await asyncio.wait_for(call, WEBHOOK_TIMEOUT_S)
        except TimeoutError:
            log.error("webhook of source %s took over %g s", source, WEBHOOK_TIMEOUT_S)
            return self._answer(504, {"error": "the source did not answer in time"})
        except Exception as exc:
            log.exception("webhook handler of source %s failed", source)
            return self._answer(500, {"error": f"{type(exc).__name__} in source {source!r}"})
        return self._answer(response.status, response.body)
