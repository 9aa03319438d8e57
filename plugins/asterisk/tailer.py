"""Follow a live queue_log file: the ``asterisk_queue_log`` source.

:class:`FileFollower` is synchronous and does one bounded step per :meth:`~FileFollower.poll`
(read a chunk, parse its complete lines, notice rotation or truncation); the source runs each
step in a worker thread so the event loop never waits on the disk or on parsing.

Position rules:

- The checkpoint is ``{"inode", "offset", "line"}``: the byte offset just after the last
  complete line handed to the hub. A partial last line (no newline yet) is re-read later.
- Rotation (the path now names another inode): the old file is read to its end first, then
  the new one from its start. A partial line left at the end of a rotated file is taken as is.
- Truncation (same inode, smaller than our offset, e.g. logrotate ``copytruncate``): start
  again at 0. Lines written between the last read and the truncation are gone for everyone.
  A truncation followed, before the next poll, by a rewrite longer than our offset is noticed
  too: before each read the last bytes taken (up to :data:`TAIL_BYTES`, ending at the offset)
  must still be in place, or the file is read again from 0.
- Resume: if the checkpoint's inode is still at the path, continue at its offset; if the file
  was rotated while the hub was down, the old inode is looked for next to it (``queue_log.1``,
  ``queue_log.0``...) and finished first; otherwise the new file is read from its start.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass, field
from typing import IO, Any

from panneau.hub.config.validate import OptionProblems, negative, not_positive, under_minimum
from panneau.hub.events import Event
from panneau.hub.sources import SourceContext
from panneau.plugins.asterisk.queue_log import RecordSink, Skipped

__all__ = ["TAIL_BYTES", "FileFollower", "QueueLogOptions", "QueueLogSource", "Step"]

#: How many bytes before the offset must be unchanged for reading to go on from there.
TAIL_BYTES = 64


@dataclass
class QueueLogOptions:
    """Options of an ``asterisk_queue_log`` source."""

    path: str
    """The queue_log file (``/var/log/asterisk/queue_log``)."""
    poll_interval_s: float = 0.5
    """How often to look for new lines when the file is quiet."""
    from_start: bool = True
    """On a first start (no checkpoint) read the file from its beginning; false: new lines only."""
    dedupe_window: int = 4096
    """How many recent lines to remember to drop exact repeats (0: no de-duplication)."""
    chunk_bytes: int = 262144
    """Largest read per step."""

    def __post_init__(self) -> None:
        """What no follower can run with, named by ``panneau config check`` at its line."""
        if problems := {**not_positive(self, "poll_interval_s"),
                        **under_minimum(self, 1, "chunk_bytes"),
                        **negative(self, "dedupe_window")}:
            raise OptionProblems(problems)


@dataclass
class Step:
    """What one :meth:`FileFollower.poll` produced."""

    events: list[Event] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    checkpoint: dict[str, int] | None = None
    progressed: bool = False
    problem: str | None = None
    """Why the file cannot be read right now (missing, no permission); None when fine."""


class FileFollower:
    """Reads a growing file line by line across rotation and truncation (blocking I/O)."""

    def __init__(self, options: QueueLogOptions, source: str = "",
                 checkpoint: Any = None) -> None:
        self.options = options
        self.path = options.path
        self.sink = RecordSink(source, options.dedupe_window)
        self._resume = _valid(checkpoint)
        self._file: IO[bytes] | None = None
        self.inode = 0
        self.offset = 0
        self.line = 0
        self._partial = b""
        self._tail = b""  # the last bytes taken, ending at self.offset

    def close(self) -> None:
        """Close the file being read."""
        if self._file is not None:
            self._file.close()
            self._file = None

    @property
    def checkpoint(self) -> dict[str, int]:
        """Where to resume: after the last complete line handed over."""
        return {"inode": self.inode, "offset": self.offset, "line": self.line}

    def poll(self) -> Step:
        """One step: open if needed, read a chunk, or check for rotation/truncation at EOF."""
        if self._file is None:
            try:
                self._open()
            except OSError as exc:
                return Step(problem=f"{self.path}: {exc.strerror or exc}")
        assert self._file is not None
        if not self._tail_in_place():
            return self._restart_at_zero()
        data = self._file.read(self.options.chunk_bytes)
        if data:
            return self._take(data, final=False)
        return self._at_eof()

    # --- opening and switching files ---------------------------------------------------

    def _open(self) -> None:
        resume, self._resume = self._resume, None
        handle = open(self.path, "rb")  # noqa: SIM115 - kept open across polls
        st = os.fstat(handle.fileno())
        start, line = (0, 0) if self.options.from_start else (st.st_size, 0)
        if resume is not None:
            inode, offset, line = resume["inode"], resume["offset"], resume["line"]
            if inode == st.st_ino:
                start = offset if offset <= st.st_size else 0
                line = line if offset <= st.st_size else 0
            else:
                rotated = self._find_rotated(inode, offset)
                if rotated is not None:
                    handle.close()
                    handle, st = rotated, os.fstat(rotated.fileno())
                    start = offset
                else:
                    start, line = 0, 0
        handle.seek(start)
        self._file, self.inode, self.offset, self.line = handle, st.st_ino, start, line
        self._partial = b""
        keep = min(start, TAIL_BYTES)
        self._tail = os.pread(handle.fileno(), keep, start - keep)

    def _find_rotated(self, inode: int, offset: int) -> IO[bytes] | None:
        folder, base = os.path.split(os.path.abspath(self.path))
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(base) and entry.inode() == inode:
                    handle = open(entry.path, "rb")  # noqa: SIM115
                    if os.fstat(handle.fileno()).st_size >= offset:
                        return handle
                    handle.close()
        return None

    def _at_eof(self) -> Step:
        try:
            st = os.stat(self.path)
        except OSError:
            return Step(checkpoint=None)  # renamed and not yet recreated: keep the old file
        if st.st_ino != self.inode:
            step = self._take(b"", final=True)
            self.close()
            self._open_new()
            step.progressed = True
            return step
        if st.st_size < self.offset + len(self._partial):
            return self._restart_at_zero()
        return Step()

    def _tail_in_place(self) -> bool:
        """Whether the bytes taken just before the offset are still there (no rewrite)."""
        if not self._tail:
            return True
        assert self._file is not None
        start = self.offset - len(self._tail)
        return os.pread(self._file.fileno(), len(self._tail), start) == self._tail

    def _restart_at_zero(self) -> Step:
        """The file was truncated (and maybe rewritten): read it again from its start."""
        assert self._file is not None
        self._file.seek(0)
        self.offset, self.line, self._partial, self._tail = 0, 0, b"", b""
        return Step(checkpoint=self.checkpoint, progressed=True)

    def _open_new(self) -> None:
        self._file = None
        try:
            handle = open(self.path, "rb")  # noqa: SIM115
        except OSError:
            return  # the next poll reports it
        self._file, self.inode = handle, os.fstat(handle.fileno()).st_ino
        self.offset, self.line, self._partial, self._tail = 0, 0, b"", b""

    # --- lines ------------------------------------------------------------------------------

    def _take(self, data: bytes, final: bool) -> Step:
        buffer = self._partial + data
        end = len(buffer) if final else buffer.rfind(b"\n") + 1
        complete, self._partial = buffer[:end], buffer[end:]
        sink, offset, prefix = self.sink, self.offset, f"{self.inode}:"
        parts = complete.split(b"\n")
        if parts[-1] == b"":
            parts.pop()  # complete ends with a newline
        texts, positions = [], []
        for raw in parts:
            texts.append(raw.decode("utf-8", "replace").rstrip("\r"))
            positions.append(prefix + str(offset))
            offset += len(raw) + 1
        sink.take_lines(texts, range(self.line + 1, self.line + 1 + len(texts)), positions)
        offset = min(offset, self.offset + len(complete))
        self.offset, self.line = offset, self.line + len(texts)
        self._tail = (self._tail + complete)[-TAIL_BYTES:]
        batch = sink.drain()
        return Step(batch.events, batch.skipped, self.checkpoint, progressed=bool(data) or final)


def _valid(checkpoint: Any) -> dict[str, int] | None:
    """A checkpoint this follower wrote, or None (a foreign or damaged one is not trusted)."""
    if not isinstance(checkpoint, dict):
        return None
    values = {key: checkpoint.get(key, 0) for key in ("inode", "offset", "line")}
    if all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values.values()):
        return values
    return None


class QueueLogSource:
    """The running source: polls a :class:`FileFollower` in a thread and emits its events."""

    def __init__(self, options: QueueLogOptions) -> None:
        self.options = options

    async def run(self, ctx: SourceContext) -> None:
        """Follow the file until cancelled."""
        follower = FileFollower(self.options, ctx.name, ctx.checkpoint)
        status = ""
        try:
            while True:
                step = await asyncio.to_thread(follower.poll)
                now = "down" if step.problem else "live"
                if now != status:
                    ctx.set_status(now, step.problem or f"following {self.options.path}")
                    status = now
                for skipped in step.skipped:
                    ctx.skipped(skipped.describe())
                if step.checkpoint is not None and (step.events or step.progressed):
                    await ctx.emit(step.events, step.checkpoint)
                if not step.progressed:
                    await asyncio.sleep(self.options.poll_interval_s)
        finally:
            follower.close()
