"""``panneau replay`` on two cores: the file is read in a child process, the engine runs here.

Reading and checking a queue_log line costs about a third of what applying its event costs
(``benchmarks/bench_asterisk.py``); the engine is one sequence and stays in this process. A
forked child runs the reader and sends each batch through a pipe, compactly: :mod:`marshal`
of one byte per event naming its class and one tuple of its field values per event. This
side rebuilds the events with :func:`~panneau.hub.events.unchecked_builder`: they were built,
and so checked, by the reader on the other side, and a tuple of the same values gives the same
event. Rebuilding costs about a quarter of reading (pickling events as they are would cost
more than reading them).

A batch holding an event of a class that is not one of
:data:`~panneau.hub.events.EVENT_TYPES` (a plugin's own subclass) is pickled as it is. A
``ValueError`` of the reader (not its format) is raised here as the same ``ValueError``;
anything else it raises (a plugin's bug) comes back as :class:`ReaderFailed`, as it does from
:func:`read_here` when the file is read in this process.
"""

from __future__ import annotations

import dataclasses
import marshal
import multiprocessing
import pickle
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from operator import attrgetter
from typing import Any

from panneau.hub.events import EVENT_TYPES, unchecked_builder
from panneau.hub.sources import ReadBatch

__all__ = ["ReaderFailed", "can_fork", "read_here", "read_in_child"]

_TYPES = list(EVENT_TYPES.values())
_KIND = {cls: i for i, cls in enumerate(_TYPES)}
_VALUES = [attrgetter(*(f.name for f in dataclasses.fields(cls))) for cls in _TYPES]
_BUILD = [unchecked_builder(cls) for cls in _TYPES]
_BATCH, _PICKLED, _END, _ERROR, _CRASH = range(5)


class ReaderFailed(RuntimeError):
    """A file reader raised something other than ``ValueError``: a bug of its plugin.

    ``error`` is the exception's type and text (``KeyError: 'agent'``), ``position`` the bytes
    of the file read by then, ``trace`` its traceback."""

    def __init__(self, error: str, position: int, trace: str) -> None:
        super().__init__(error)
        self.error, self.position, self.trace = error, position, trace

    @classmethod
    def now(cls, exc: Exception, position: int) -> ReaderFailed:
        """The one for ``exc``, being handled."""
        return cls(f"{type(exc).__name__}: {exc}", position, traceback.format_exc())


def read_here(read: Callable[[], Iterable[ReadBatch]], where: Callable[[], int]
              ) -> Iterator[tuple[ReadBatch, int]]:
    """The batches of ``read()``, read in this process, each with ``where()`` after it."""
    try:
        for batch in read():
            yield batch, where()
    except ValueError:
        raise
    except Exception as exc:
        raise ReaderFailed.now(exc, where()) from exc


def can_fork() -> bool:
    """Whether a child can be forked with the open file (POSIX)."""
    return "fork" in multiprocessing.get_all_start_methods()


def _pack(batch: ReadBatch, position: int) -> bytes:
    events = batch.events
    try:
        kinds = bytes([_KIND[type(e)] for e in events])
    except KeyError:  # a class of its own: as it is
        return marshal.dumps((_PICKLED, pickle.dumps(batch, pickle.HIGHEST_PROTOCOL), position))
    values = [_VALUES[k](e) for k, e in zip(kinds, events, strict=True)]
    return marshal.dumps((_BATCH, kinds, values, list(batch.skipped), position))


def _unpack(message: tuple) -> tuple[ReadBatch, int]:
    if message[0] == _PICKLED:
        return pickle.loads(message[1]), message[2]
    _, kinds, values, skipped, position = message
    build = _BUILD
    return ReadBatch([build[k](*v) for k, v in zip(kinds, values, strict=True)], skipped), position


def _produce(read: Callable[[], Iterable[ReadBatch]], where: Callable[[], int],
             out: Connection) -> None:
    """The child: read, send each batch and where the file is, then the end (or the error)."""
    try:
        for batch in read():
            out.send_bytes(_pack(batch, where()))
        out.send_bytes(marshal.dumps((_END,)))
    except ValueError as exc:
        out.send_bytes(marshal.dumps((_ERROR, str(exc))))
    except Exception as exc:
        failed = ReaderFailed.now(exc, where())
        out.send_bytes(marshal.dumps((_CRASH, failed.error, failed.position, failed.trace)))
    except KeyboardInterrupt:  # Ctrl+C reached both processes: the parent says so
        pass
    finally:
        out.close()


def read_in_child(read: Callable[[], Iterable[ReadBatch]], where: Callable[[], int]
                  ) -> Iterator[tuple[ReadBatch, int]]:
    """The batches of ``read()``, run in a child forked now (before the caller starts any
    thread), each with ``where()`` (the bytes read so far) as the child saw it after that
    batch. Closing the iterator early stops the child."""
    context = multiprocessing.get_context("fork")
    inbox, outbox = context.Pipe(duplex=False)
    child = context.Process(target=_produce, args=(read, where, outbox), daemon=True)
    child.start()
    outbox.close()
    return _receive(inbox, child)


def _receive(inbox: Connection, child: Any) -> Iterator[tuple[ReadBatch, int]]:
    try:
        while True:
            try:
                message: Any = marshal.loads(inbox.recv_bytes())
            except EOFError:
                child.join()
                raise ReaderFailed(f"its process ended (exit code {child.exitcode}) before the "
                                   "end of the file", 0, "") from None
            kind = message[0]
            if kind == _END:
                break
            if kind == _ERROR:
                raise ValueError(message[1])
            if kind == _CRASH:
                raise ReaderFailed(*message[1:])
            yield _unpack(message)
        child.join()
    finally:
        inbox.close()
        if child.is_alive():
            child.terminate()
            child.join()
