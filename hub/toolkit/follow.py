"""Follow a growing text file (a log written by another program) across log rotation."""

from __future__ import annotations

import os
from typing import Any, BinaryIO

__all__ = ["FileFollower"]


class FileFollower:
    """The complete new lines of a file, each as ``(byte offset after it, text)``.

    It follows the file across rotation: renamed away and a new file created (logrotate's
    default; the rest of the old file is read first), or emptied in place (``copytruncate``:
    seen when the file is shorter than the offset reached, so a file that grew past it again
    between two reads is read on as the same file). ``checkpoint()`` (the file's inode and the
    offset) resumes the same file where it was left; another file is read from its start.
    Blocking: call :meth:`read` through ``asyncio.to_thread``. ``OSError`` while there is no
    file to read; a partial last line is read once it is complete.
    """

    def __init__(self, path: str, checkpoint: Any = None) -> None:
        self.path = path
        self.file: BinaryIO | None = None
        self.inode = (checkpoint or {}).get("inode")
        self.offset: int = (checkpoint or {}).get("offset", 0)

    def checkpoint(self) -> dict[str, int | None]:
        """Where the lines read so far end: ``{"inode": ..., "offset": ...}`` (JSON)."""
        return {"inode": self.inode, "offset": self.offset}

    def read(self) -> list[tuple[int, str]]:
        """The complete lines written since the last call."""
        try:
            now = os.stat(self.path)  # first: what the old file holds is read before a new one
        except FileNotFoundError:
            if self.file is None:
                raise
            return self._lines(self.file)  # renamed away, no new file yet
        rotated = now.st_ino != self.inode or now.st_size < self.offset
        lines = [] if self.file is None else self._lines(self.file)
        if self.file is None or rotated:
            self.close()
            self.file = open(self.path, "rb")  # noqa: SIM115 (kept open between reads)
            if rotated:
                self.inode, self.offset = os.fstat(self.file.fileno()).st_ino, 0
            self.file.seek(self.offset)
            lines += self._lines(self.file)
        return lines

    def close(self) -> None:
        """Close the file (the next :meth:`read` opens it again by name)."""
        if self.file is not None:
            self.file.close()
            self.file = None

    def _lines(self, file: BinaryIO) -> list[tuple[int, str]]:
        data = file.read()
        complete = data[:data.rfind(b"\n") + 1]
        file.seek(self.offset + len(complete))
        lines = []
        for raw in complete.splitlines(keepends=True):
            self.offset += len(raw)
            lines.append((self.offset, raw.decode("utf-8", errors="replace")))
        return lines
