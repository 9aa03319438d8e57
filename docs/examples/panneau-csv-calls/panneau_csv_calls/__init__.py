"""Example Panneau plugin: a source following another ACD's CSV of finished calls."""

from __future__ import annotations

import asyncio
import csv
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TextIO

from panneau.hub.hookspecs import hookimpl
from panneau.hub.sources import FileReader, ReadBatch, SourceContext, SourceSpec
from panneau_csv_calls.rows import COLUMNS, parse_row

__all__ = ["CsvCallsOptions", "CsvCallsSource", "read_calls", "register_sources"]


# docs: begin options
@dataclass
class CsvCallsOptions:
    """The ``[sources.options]`` of a ``csv_calls`` source."""

    path: str
    poll_s: float = 2.0
    delimiter: str = ","
# docs: end options


def read_from(path: str, offset: int) -> tuple[list[tuple[int, str]], int]:
    """Complete lines after byte ``offset`` with the offset where each ends (blocking I/O).

    A file smaller than ``offset`` was truncated or replaced: read it again from the start.
    """
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size < offset:
            offset = 0
        f.seek(offset)
        data = f.read()
    lines = []
    for raw in data.splitlines(keepends=True):
        if not raw.endswith(b"\n"):
            break  # the writer is still writing this line
        offset += len(raw)
        lines.append((offset, raw.decode("utf-8", errors="replace")))
    return lines, offset


# docs: begin run
class CsvCallsSource:
    """Polls the file; the checkpoint is the byte offset after the last line read."""

    def __init__(self, options: CsvCallsOptions) -> None:
        self.options = options

    async def run(self, ctx: SourceContext) -> None:
        offset = (ctx.checkpoint or {}).get("offset", 0)
        ctx.set_status("starting", self.options.path)
        live = False
        while True:
            try:
                lines, end = await asyncio.to_thread(read_from, self.options.path, offset)
            except OSError as exc:
                ctx.set_status("down", f"cannot read {self.options.path}: {exc.strerror}")
                live = False
                await asyncio.sleep(self.options.poll_s)
                continue
            events = []
            for line_end, line in lines:
                fields = next(csv.reader([line], delimiter=self.options.delimiter), [])
                if not fields or fields[0] == COLUMNS[0]:
                    continue  # blank line or header
                try:
                    events += parse_row(fields, ctx.name, str(line_end))
                except ValueError as exc:
                    ctx.skipped(f"byte {line_end}: {exc}")
            if end != offset:
                await ctx.emit(events, checkpoint={"offset": end})
                offset = end
            if not live:
                ctx.set_status("live")
                live = True
            await asyncio.sleep(self.options.poll_s)
# docs: end run


# docs: begin reader
def read_calls(stream: TextIO, source: str, options: Mapping[str, str]) -> Iterator[ReadBatch]:
    """A saved CSV of calls, for ``panneau replay csv_calls FILE``: a batch every 5,000 rows."""
    events, skipped = [], []
    for number, fields in enumerate(csv.reader(stream, delimiter=options.get("delimiter", ",")),
                                    1):
        if not fields or fields[0] == COLUMNS[0]:
            continue  # blank line or header
        try:
            events += parse_row(fields, source, str(number))
        except ValueError as exc:
            skipped.append(f"line {number}: {exc}")
        if number % 5000 == 0:
            yield ReadBatch(events, skipped)
            events, skipped = [], []
    yield ReadBatch(events, skipped)
# docs: end reader


# docs: begin hook
@hookimpl
def register_sources(register):
    register(SourceSpec(
        name="csv_calls",
        factory=CsvCallsSource,
        options=CsvCallsOptions,
        description="calls from another ACD's CSV export (one row per finished call)",
        stale_after_s=3600,
        readers=(FileReader("csv_calls", read_calls, "a saved CSV of finished calls",
                            {"delimiter": "the field separator (default: ,)"}),),
    ))
# docs: end hook
