"""What every :class:`~panneau.hub.sources.SourceContext` does the same way: the hub's
(panneau.hub.server.context) and the test one (:class:`panneau.hub.testing.RecordingContext`).

A plugin tested with ``panneau.hub.testing`` meets exactly the checks the hub makes:

- ``emit`` takes only :mod:`panneau.hub.events` records (``TypeError`` otherwise) and sets
  each event's ``source`` to the context's name; a checkpoint must be JSON (``TypeError``),
  and ``ctx.checkpoint`` becomes what a restarted source would get back (its JSON round trip);
- ``set_status`` takes ``starting``, ``live``, ``stale`` or ``down`` (``ValueError``);
- ``skipped`` counts at least 1;
- ``add_route`` serves ``/hooks/<name>/<path>`` and refuses a method and path already served
  and a path that is not one as written (``..``, ``//``, ``%``…) (``ValueError``);
- what a spec's factory returns has an ``async def run(self, ctx)`` (:func:`source_problem`:
  the hub and ``make_source`` raise ``TypeError``): a plain ``def`` would run on the hub's
  event loop, and hold it for as long as it runs.

Subclasses say where things go: :meth:`SourceContextBase._store`, :meth:`_skip` and
:meth:`_status`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any, get_args

from panneau.hub.events import Event
from panneau.hub.sources import UNCHANGED, HttpHandler, SourceStatus

__all__ = ["STATUSES", "Routes", "SourceContextBase", "source_problem", "webhook_path_problem"]

#: The statuses ``set_status`` takes.
STATUSES: tuple[str, ...] = get_args(SourceStatus)


def source_problem(source: object, kind: str) -> str | None:
    """Why ``source``, made by the factory of the source kind ``kind``, cannot run (``None``
    when it can): it needs an ``async def run(self, ctx)``."""
    run = getattr(source, "run", None)
    if not callable(run):
        return (f"source {kind!r}: its factory returned a {type(source).__name__}, which has no "
                "run(ctx) method: a source needs 'async def run(self, ctx)'")
    if not inspect.iscoroutinefunction(run):
        return (f"source {kind!r}: {type(source).__name__}.run is not 'async def': a plain "
                "function runs on the hub's event loop and holds every screen and source while "
                "it runs")
    return None


def webhook_path_problem(path: str) -> str | None:
    """Why ``path`` cannot be a webhook's path under ``/hooks/<source>/`` as written (``None``
    when it can): a ``.`` or ``..`` segment (senders resolve it: the URL would name another
    address), an empty segment inside (``a//b``), or a character no path holds as written
    (``%``, ``?``, ``#``, ``\\``, a space or a control character). Leading ``/`` and a
    trailing ``/`` are fine."""
    bad = next((c for c in path if c in "%?#\\" or c.isspace() or not c.isprintable()), None)
    if bad is not None:
        return f"{bad!r} cannot be in a path"
    segments = path.lstrip("/").split("/")
    if any(segment in (".", "..") for segment in segments):
        return "'..' and '.' are not path segments here: senders resolve them to another address"
    if "" in segments[:-1]:
        return "an empty segment ('//') is not allowed"
    return None


class Routes:
    """Webhook handlers sources added, by ``(METHOD, full path)``; one per path."""

    PREFIX = "/hooks"

    def __init__(self) -> None:
        self.handlers: dict[tuple[str, str], HttpHandler] = {}
        self.owner: dict[tuple[str, str], str] = {}

    def add(self, source: str, method: str, path: str, handler: HttpHandler) -> str:
        """Serve ``handler`` at ``/hooks/<source>/<path>``; returns that full path.

        ``ValueError`` when the method and path are already served, or the path is not one
        (:func:`webhook_path_problem`)."""
        if problem := webhook_path_problem(path):
            raise ValueError(f"webhook path {path!r}: {problem}")
        full = f"{self.PREFIX}/{source}/{path.lstrip('/')}"
        key = (method.upper(), full)
        if key in self.handlers:
            raise ValueError(f"route {key[0]} {full} is already registered")
        self.handlers[key], self.owner[key] = handler, source
        return full

    def remove_source(self, source: str) -> None:
        """Forget every route of ``source`` (it stopped)."""
        for key in [k for k, s in self.owner.items() if s == source]:
            del self.handlers[key], self.owner[key]

    def find(self, method: str, path: str) -> HttpHandler | None:
        """The handler of a full path."""
        return self.handlers.get((method.upper(), path))

    def methods(self, path: str) -> list[str]:
        """The methods a full path is served with, sorted (empty when it is not served)."""
        return sorted(method for method, full in self.handlers if full == path)


class SourceContextBase:
    """The shared part of a source context; see the module docstring."""

    name: str
    checkpoint: Any
    log: logging.Logger
    route_table: Routes
    clock: Callable[[], float]

    async def emit(self, events: Sequence[Event], checkpoint: Any = UNCHANGED) -> None:
        """Check ``events`` and ``checkpoint``, hand them to :meth:`_store`, then yield."""
        batch = list(events)
        for i, event in enumerate(batch):
            if not isinstance(event, Event):
                raise TypeError(f"source {self.name!r} emitted {type(event).__name__}, "
                                "not a panneau.hub.events event")
            if event.source != self.name:
                batch[i] = dataclasses.replace(event, source=self.name)
        changed = checkpoint is not UNCHANGED
        stored = _json_round_trip(self.name, checkpoint) if changed else None
        await self._store(batch, stored, changed)
        if changed:
            self.checkpoint = stored
        await asyncio.sleep(0)  # let screens and other sources run between batches

    def skipped(self, detail: str, count: int = 1) -> None:
        """Count input that could not be turned into events."""
        if count < 1:
            raise ValueError(f"skipped() counts at least 1, got {count}")
        self._skip(str(detail), count)

    def set_status(self, status: SourceStatus, detail: str = "") -> None:
        """Say whether the source is starting, live, stale or down."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}; got {status!r}")
        self._status(status, str(detail))

    def heartbeat(self) -> None:
        """The source is working and current though it has nothing to emit."""
        self._heartbeat()

    def add_route(self, method: str, path: str, handler: HttpHandler) -> str:
        """Serve ``handler`` at ``/hooks/<name>/<path>``; returns the full URL path."""
        return self.route_table.add(self.name, method, path, handler)

    def now(self) -> float:
        """The clock's time (UTC epoch seconds)."""
        return self.clock()

    # --- where things go ------------------------------------------------------------------

    async def _store(self, events: list[Event], checkpoint: Any, changed: bool) -> None:
        raise NotImplementedError

    def _skip(self, detail: str, count: int) -> None:
        raise NotImplementedError

    def _status(self, status: SourceStatus, detail: str) -> None:
        raise NotImplementedError

    def _heartbeat(self) -> None:
        raise NotImplementedError


def _json_round_trip(name: str, checkpoint: Any) -> Any:
    try:
        return json.loads(json.dumps(checkpoint))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"source {name!r}: a checkpoint must be JSON ({exc})") from None
