"""The contract between the hub and a source plugin.

A plugin registers a :class:`SourceSpec` through the ``register_sources`` hook. For each
``[[sources]]`` entry of the config naming that spec, the hub validates the entry's
``options`` table against ``SourceSpec.options`` (a dataclass), calls ``factory(options)``
and awaits ``source.run(ctx)`` in its own supervised task.

Rules a source keeps:

- It hands the hub only :mod:`panneau.hub.events` records, through
  ``await ctx.emit(events, checkpoint)``.
  The events and the checkpoint are journalled in one transaction: after a crash the source is
  restarted with ``ctx.checkpoint`` set to the last checkpoint that was stored, so it must resume
  *after* it and never re-emit what came before it.
- A checkpoint is any JSON value (a dict of offsets, a cursor string...).
- It never blocks the event loop: blocking I/O goes through ``await asyncio.to_thread(...)``.
- It reports what it could not read with ``ctx.skipped(detail)`` and its health with
  ``ctx.set_status(...)``; raising from ``run`` is fine: the hub logs it and restarts the source
  with exponential backoff.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, TextIO

from panneau.hub.config.validate import OptionProblems
from panneau.hub.events import Event

__all__ = [
    "UNCHANGED",
    "FileReader",
    "HttpHandler",
    "HttpRequest",
    "HttpResponse",
    "OptionProblems",
    "ReadBatch",
    "Source",
    "SourceContext",
    "SourceSpec",
    "SourceStatus",
    "secret_from_env",
]

SourceStatus = Literal["starting", "live", "stale", "down"]


def secret_from_env(name: str, environ: Mapping[str, str]) -> str | None:
    """A secret from the environment: ``$NAME``, else the file named by ``$NAME_FILE``.

    The file form suits systemd credentials (``LoadCredential=`` then
    ``Environment=NAME_FILE=%d/name``) and container secrets; a trailing newline is dropped.
    Empty counts as unset; an unreadable file raises ``ValueError`` naming the variable.
    """
    if environ.get(name):
        return environ[name]
    path = environ.get(name + "_FILE")
    if not path:
        return None
    try:
        value = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise ValueError(f"{name}_FILE: cannot read {path}: {exc.strerror}") from exc
    return value or None

#: Pass as ``checkpoint`` to :meth:`SourceContext.emit` to keep the stored checkpoint.
UNCHANGED: Any = object()


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """A webhook request as the hub received it; ``body`` is the raw bytes (for signatures)."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    query: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """What a webhook handler answers; ``body`` is sent as JSON."""

    status: int = 200
    body: Any = None


HttpHandler = Callable[[HttpRequest], Awaitable[HttpResponse]]


class SourceContext(Protocol):
    """What the hub gives a running source."""

    name: str
    """The instance name from the config (``[[sources]] name``)."""
    checkpoint: Any
    """The last stored checkpoint, or ``None`` on a first start."""
    log: logging.Logger

    async def emit(self, events: Sequence[Event], checkpoint: Any = UNCHANGED) -> None:
        """Hand events to the hub; returns once they and the checkpoint are journalled. An
        event dated more than 15 minutes ahead of :meth:`now` is skipped, with the reason."""

    def skipped(self, detail: str, count: int = 1) -> None:
        """Count input that could not be turned into events (a malformed line...)."""

    def set_status(self, status: SourceStatus, detail: str = "") -> None:
        """Say whether the source is live, stale (connected but quiet) or down."""

    def heartbeat(self) -> None:
        """Say the source is working and current though it has nothing to emit (a quiet
        phone system that answers pings): it is not flagged stale for the silence."""

    def add_route(self, method: str, path: str, handler: HttpHandler) -> str:
        """Serve a webhook on the hub's HTTP port; returns the full URL path."""

    def now(self) -> float:
        """The hub's clock in UTC epoch seconds (controllable in tests)."""


class Source(Protocol):
    """A running source: one coroutine that produces events until cancelled."""

    async def run(self, ctx: SourceContext) -> None: ...


@dataclass(frozen=True, slots=True)
class ReadBatch:
    """Part of a recorded file, read: its events and a description of each unreadable line
    (``"line 12: holdtime 'x' is not a number"``)."""

    events: Sequence[Event]
    skipped: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class FileReader:
    """A recorded file this kind of source can replay: ``panneau replay NAME FILE``.

    ``read(stream, source, options)`` yields :class:`ReadBatch` es as it goes (a large file
    never sits in memory as events); ``source`` is the name to give the events (the file's),
    ``options`` the ``--option KEY=VALUE`` pairs of the command line, only keys listed in
    ``options`` (key → help). Raise ``ValueError`` when the file is not of this format.
    """

    name: str
    read: Callable[[TextIO, str, Mapping[str, str]], Iterable[ReadBatch]]
    description: str = ""
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A kind of source a plugin offers.

    ``options`` is a dataclass whose fields are the options this source accepts in its config
    section; the hub validates them (types, unknown keys, missing values) before ``factory``.
    ``stale_after_s`` is how long the source may stay silent while live before the hub flags
    its figures as stale (``None``: never). ``readers`` are the recorded file formats
    ``panneau replay`` can read for this kind (the first is the default, replayed as
    ``panneau replay NAME FILE`` with the source's name).
    """

    name: str
    factory: Callable[[Any], Source]
    options: type | None = None
    description: str = ""
    stale_after_s: float | None = None
    readers: tuple[FileReader, ...] = ()
