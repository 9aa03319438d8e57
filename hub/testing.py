"""Test helpers for source plugin authors: run a source in-process and look at what it did.

A typical test::

    from panneau.hub.testing import RecordingContext, ManualClock, make_source, run_source

    async def test_my_source(tmp_path):
        source = make_source(my_plugin, "my-acd", {"path": str(tmp_path / "log")})
        ctx = RecordingContext("pbx", clock=ManualClock())
        await run_source(source, ctx, until=lambda c: len(c.events) >= 3)
        assert [e.kind for e in ctx.events] == ["call_entered", "call_answered", "call_ended"]

:class:`RecordingContext` is a complete :class:`panneau.hub.sources.SourceContext` that records
emitted events, checkpoints, skipped input, statuses and webhook routes; give it an
``engine`` (or use :func:`figures`) to see the KPIs the events produce. Nothing here opens a
socket: webhook handlers are called in-process by :meth:`RecordingContext.request`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json as jsonlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

from panneau.hub.config.load import build_source_options
from panneau.hub.config.schema import Config
from panneau.hub.events import Event
from panneau.hub.source_context import Routes, SourceContextBase, source_problem
from panneau.hub.sources import (
    HttpHandler,
    HttpRequest,
    HttpResponse,
    Source,
    SourceSpec,
)

__all__ = [
    "ManualClock",
    "RecordingContext",
    "append_lines",
    "figures",
    "make_source",
    "run_source",
    "running",
    "snapshot",
    "source_spec",
]

Condition = Callable[["RecordingContext"], Any]


class ManualClock:
    """A clock that moves only when told (``now()`` in UTC epoch seconds)."""

    def __init__(self, start: float = 1_767_261_600.0) -> None:  # 2026-01-01 10:00 UTC
        self.t = float(start)

    def now(self) -> float:
        """The current time."""
        return self.t

    def advance(self, seconds: float) -> float:
        """Move forward; returns the new time."""
        self.t += seconds
        return self.t


class RecordingContext(SourceContextBase):
    """An in-memory :class:`~panneau.hub.sources.SourceContext` that records everything.

    It checks what the source hands over exactly as the hub does (the shared
    :class:`panneau.hub.source_context.SourceContextBase`): events only, ``source`` set to
    this context's name, JSON checkpoints, known statuses, no route registered twice.
    ``clock`` defaults to a :class:`ManualClock`; pass ``time.time`` for a real one. With an
    ``engine`` (a :class:`panneau.hub.engine.Engine`), every emitted event is applied to it.
    """

    def __init__(self, name: str = "test", checkpoint: Any = None, *,
                 clock: ManualClock | Callable[[], float] | None = None,
                 engine: Any = None) -> None:
        self.name = name
        self.checkpoint = checkpoint
        self.log = logging.getLogger(f"panneau.source.{name}")
        self.clock = clock if clock is not None else ManualClock()  # type: ignore[assignment]
        self.engine = engine
        self.events: list[Event] = []
        self.checkpoints: list[Any] = []
        self.batches: list[list[Event]] = []
        self.skips: list[tuple[str, int]] = []
        self.statuses: list[tuple[str, str]] = []
        #: How many times the source said it is quiet but current (``ctx.heartbeat()``).
        self.heartbeats = 0
        self.route_table = Routes()
        #: Set to an exception to make ``emit`` raise it, as when the hub cannot journal
        #: (a full disk...): the source must not lose what it then retries.
        self.emit_error: BaseException | None = None
        self._changed = asyncio.Condition()
        self._wakers: set[asyncio.Task] = set()

    # --- where the SourceContext calls go -----------------------------------------------

    async def _store(self, events: list[Event], checkpoint: Any, changed: bool) -> None:
        if self.emit_error is not None:
            raise self.emit_error
        self.batches.append(events)
        self.events.extend(events)
        if self.engine is not None:
            for event in events:
                self.engine.apply(event)
        if changed:
            self.checkpoints.append(checkpoint)
        await self._notify()

    def _skip(self, detail: str, count: int) -> None:
        self.skips.append((detail, count))
        self._notify_soon()

    def _status(self, status: str, detail: str) -> None:
        self.statuses.append((status, detail))
        self._notify_soon()

    def _heartbeat(self) -> None:
        self.heartbeats += 1
        self._notify_soon()

    def add_route(self, method: str, path: str, handler: HttpHandler) -> str:
        """Register a webhook (refused when already registered, as the hub does); returns
        the URL path the hub would serve it at."""
        full = super().add_route(method, path, handler)
        self._notify_soon()
        return full

    def now(self) -> float:
        """The clock's time."""
        return self.clock.now() if isinstance(self.clock, ManualClock) else self.clock()

    @property
    def routes(self) -> dict[tuple[str, str], HttpHandler]:  # type: ignore[override]
        """The webhooks registered, by ``(METHOD, full path)``."""
        return self.route_table.handlers

    # --- for tests ----------------------------------------------------------------------

    @property
    def status(self) -> str | None:
        """The last status set, if any."""
        return self.statuses[-1][0] if self.statuses else None

    @property
    def skipped_details(self) -> list[str]:
        """The detail of each :meth:`skipped` call, in order."""
        return [detail for detail, _ in self.skips]

    @property
    def skipped_count(self) -> int:
        """Everything counted through :meth:`skipped`."""
        return sum(n for _, n in self.skips)

    def kinds(self) -> list[str]:
        """The ``kind`` of every emitted event, in order."""
        return [e.kind for e in self.events]

    def restarted(self) -> RecordingContext:
        """A fresh context as the hub gives a restarted source: same name, clock and engine,
        the last stored checkpoint, nothing recorded yet."""
        return RecordingContext(self.name, self.checkpoint, clock=self.clock, engine=self.engine)

    async def request(self, method: str, path: str, body: bytes | str = b"", *,
                      json: Any = None, headers: dict[str, str] | None = None,
                      query: dict[str, str] | None = None) -> HttpResponse:
        """Call a registered webhook handler in-process, as the hub's HTTP side would.

        ``path`` is the route's own path or the full path :meth:`add_route` returned.
        """
        prefix = f"{Routes.PREFIX}/{self.name}"
        local = path[len(prefix):] if path.startswith(prefix + "/") else path
        handler = self.route_table.find(method, f"{prefix}/{local.lstrip('/')}")
        if handler is None:
            if allowed := self.route_table.methods(f"{prefix}/{local.lstrip('/')}"):
                return HttpResponse(405, {"error": f"{path} takes {', '.join(allowed)}, "
                                                   f"not {method.upper()}"})
            return HttpResponse(404, {"error": f"no route {method.upper()} {path}"})
        if json is not None:
            body = jsonlib.dumps(json)
            headers = {"content-type": "application/json", **(headers or {})}
        raw = body.encode() if isinstance(body, str) else body
        return await handler(HttpRequest(method.upper(), f"{prefix}/{local.lstrip('/')}",
                                         headers or {}, raw, query or {}))

    async def wait_for(self, condition: Condition, timeout: float = 5.0) -> None:
        """Wait until ``condition(ctx)`` holds (checked after each emit, status, skip)."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                await self._changed.wait_for(lambda: condition(self))

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _notify_soon(self) -> None:
        with contextlib.suppress(RuntimeError):  # no running loop: nobody is waiting
            task = asyncio.get_running_loop().create_task(self._notify())
            self._wakers.add(task)
            task.add_done_callback(self._wakers.discard)


@contextlib.asynccontextmanager
async def running(source: Source, ctx: RecordingContext) -> AsyncIterator[asyncio.Task]:
    """Run ``source`` in a task for the block, then cancel it; a crash is re-raised."""
    task = asyncio.create_task(source.run(ctx), name=f"source {ctx.name}")
    try:
        yield task
    finally:
        if task.done():
            task.result()  # raises what the source raised
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def run_source(source: Source, ctx: RecordingContext, *, until: Condition | None = None,
                     timeout: float = 5.0) -> RecordingContext:
    """Run ``source`` until ``until(ctx)`` holds (or the source returns), then stop it.

    Raises ``TimeoutError`` naming what was recorded when it takes over ``timeout`` seconds,
    and re-raises whatever the source raised.
    """
    async with running(source, ctx) as task:

        def done(c: RecordingContext) -> bool:
            return task.done() or (until is not None and bool(until(c)))

        waiter = asyncio.create_task(ctx.wait_for(done, timeout))
        try:
            await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
            if task.done():  # the source returned (or raised): nothing more to wait for
                waiter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await waiter
                task.result()
            else:
                await waiter
        except TimeoutError:
            raise TimeoutError(
                f"source {ctx.name!r} did not get there in {timeout}s: "
                f"{len(ctx.events)} events, status {ctx.status!r}, {ctx.skipped_count} skipped"
            ) from None
    return ctx


def source_spec(plugin: Any, name: str) -> SourceSpec:
    """The :class:`SourceSpec` called ``name`` that ``plugin`` registers (through the hub's
    own checks, as if it were installed)."""
    from panneau.hub.plugins import collect_sources, make_plugin_manager

    pm = make_plugin_manager(load_entry_points=False)
    if not pm.is_registered(plugin):
        pm.register(plugin)
    registry = collect_sources(pm)
    if name not in registry.specs:
        raise LookupError(f"no source {name!r} (registered: {sorted(registry.specs)}; "
                          f"refused: {registry.refused})")
    return registry.specs[name]


def make_source(plugin: Any, name: str, options: dict[str, Any] | None = None) -> Source:
    """Build the source as the hub would: options validated from a plain table; ``TypeError``
    when the factory's result has no ``async def run(self, ctx)``."""
    spec = source_spec(plugin, name)
    source = spec.factory(build_source_options(spec, options or {}))
    if problem := source_problem(source, name):
        raise TypeError(problem)
    return source


def snapshot(events: Iterable[Event], *, config: Config | None = None,
             at: float | None = None) -> Any:
    """Apply ``events`` to a fresh :class:`panneau.hub.engine.Engine`; its snapshot at ``at``
    (default: the last event's time)."""
    from panneau.hub.engine import Engine

    engine = Engine(config or Config())
    last = 0.0
    for event in events:
        engine.apply(event)
        last = max(last, event.ts)
    return engine.snapshot(at if at is not None else last)


def figures(events: Iterable[Event], *, config: Config | None = None,
            at: float | None = None) -> dict[str, float]:
    """The KPIs ``events`` produce, flat: ``{"queue:support/today/answered": 12.0, ...}``."""
    return snapshot(events, config=config, at=at).flat()


async def append_lines(path: str | Path, lines: Iterable[str], *, encoding: str = "utf-8",
                       newline: str = "\n") -> None:
    """Feed recorded input to a file-tailing source: append ``lines`` as a live writer would."""

    def write() -> None:
        with open(path, "a", encoding=encoding, newline="") as f:
            for line in lines:
                f.write(line.rstrip("\r\n") + newline)

    await asyncio.to_thread(write)
