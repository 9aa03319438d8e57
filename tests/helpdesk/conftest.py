"""Shared test parts for the helpdesk and survey sources: panneau.hub.testing's context (the
hub's own checks) and a real aiohttp server on 127.0.0.1 (port 0) whose routes each test
defines."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web

from panneau.hub.sources import HttpRequest, HttpResponse
from panneau.hub.testing import ManualClock, RecordingContext

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def shared_file(*parts: str) -> Path:
    """A file under ../shared/data, or skip the test saying why."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (recorded data lives outside the repository)")
    return path


def assert_figures(got: dict[str, float], expected: dict[str, float],
                   scopes: tuple[str, ...] = ("site",), window: str = "today") -> None:
    """Every expected KPI, in every scope, equals the engine's figure."""
    for scope in scopes:
        for kpi, value in expected.items():
            key = f"{scope}/{window}/{kpi}"
            assert key in got, f"{key} is absent"
            assert got[key] == pytest.approx(value), key


async def run_until(source, ctx, condition, steps: int = 200) -> None:
    """Run ``source`` until ``condition()`` holds (checked every 20 ms, ``steps`` times at
    most), then cancel it; a source that crashed re-raises here."""
    task = asyncio.create_task(source.run(ctx))
    for _ in range(steps):
        if condition() or task.done():
            break
        await asyncio.sleep(0.02)
    if task.done():
        task.result()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class LiveServer:
    """A real aiohttp server on loopback; ``log`` lists (monotonic time, method, path_qs)."""

    def __init__(self) -> None:
        self.app = web.Application(middlewares=[self._record])
        self.log: list[tuple[float, str, str]] = []
        self.headers: list[dict[str, str]] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.log.append((time.monotonic(), request.method, request.path_qs))
        self.headers.append(dict(request.headers))
        return await handler(request)

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.app.router.add_route(method, path, handler)

    def serve_context_routes(self, ctx: RecordingContext) -> None:
        """Serve the webhook handlers a source registered, as the hub does."""
        for (method, path), handler in ctx.routes.items():
            self.route(method, path, _adapt(handler))

    async def start(self) -> str:
        self._runner = web.AppRunner(self.app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self.url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def paths(self) -> list[str]:
        return [p for _, _, p in self.log]


def _adapt(handler) -> Handler:
    async def serve(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        req = HttpRequest(method=request.method, path=request.path, headers=request.headers,
                          body=body, query=dict(request.query))
        resp: HttpResponse = await handler(req)
        return web.json_response(resp.body, status=resp.status)

    return serve


@pytest.fixture
async def server():
    live = LiveServer()
    yield live
    await live.close()


@pytest.fixture
def ctx() -> RecordingContext:
    """The context of a source named ``src``, its clock at 0 until a test moves it."""
    return RecordingContext("src", clock=ManualClock(0.0))
