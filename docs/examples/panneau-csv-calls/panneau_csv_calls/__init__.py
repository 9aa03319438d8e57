"""Example Panneau plugin: a source following another ACD's CSV of finished calls."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TextIO

from panneau.hub.hookspecs import hookimpl
from panneau.hub.sources import FileReader, ReadBatch, SourceContext, SourceSpec
from panneau.hub.toolkit.follow import FileFollower
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


# docs: begin run
class CsvCallsSource:
    """Polls the file; the checkpoint is the file (inode) and the byte offset after the last
    line read. ``FileFollower`` follows the file when it is rotated (renamed, or emptied)."""

    def __init__(self, options: CsvCallsOptions) -> None:
        self.options = options

    async def run(self, ctx: SourceContext) -> None:
        follower = FileFollower(self.options.path, ctx.checkpoint)
        ctx.set_status("starting", self.options.path)
        try:
            while True:
                await self.poll(ctx, follower)
                await asyncio.sleep(self.options.poll_s)
        finally:
            follower.close()

    async def poll(self, ctx: SourceContext, follower: FileFollower) -> None:
        """Emit the calls of the rows written since the last poll."""
        try:
            lines = await asyncio.to_thread(follower.read)
        except OSError as exc:
            ctx.set_status("down", f"cannot read {self.options.path}: {exc.strerror}")
            return
        events = []
        for line_end, line in lines:
            fields = next(csv.reader([line], delimiter=self.options.delimiter), [])
            if not fields or fields[0] == COLUMNS[0]:
                continue  # blank line or header
            try:
                events += parse_row(fields, ctx.name, str(line_end))
            except ValueError as exc:
                ctx.skipped(f"byte {line_end}: {exc}")
        if lines:
            await ctx.emit(events, checkpoint=follower.checkpoint())
        ctx.set_status("live")
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
