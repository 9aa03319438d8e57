"""The ``generic`` source: rows from files dropped in a folder, or from a polled JSON endpoint.

Folder mode: every ``poll_interval_s`` the files matching ``pattern`` that have not changed for
``settle_s`` seconds are read oldest first, each exactly once: a file's events and its name in
the checkpoint are stored together, so a restart neither skips nor re-reads it.
URL mode: each poll GETs the endpoint (``since_param`` = the newest row time seen, ISO 8601);
tickets are deduplicated on (id, updated), surveys on their response id.
Checkpoint: ``files`` (names read), ``tickets`` or ``seen``, ``newest``.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

from panneau.hub.events import Event
from panneau.hub.sources import SourceContext
from panneau.hub.toolkit.fetch import Fetcher, FetchError
from panneau.hub.toolkit.polling import poll_forever, run_polling
from panneau.hub.toolkit.rows import RowConsumer, read_rows, records_of
from panneau.hub.toolkit.seen import SeenIds
from panneau.hub.toolkit.timeparse import iso_utc
from panneau.plugins.generic.options import GenericOptions, resolve_headers

__all__ = ["FolderReader", "GenericSource", "UrlPoller"]


def _state(ctx: SourceContext) -> dict[str, Any]:
    return ctx.checkpoint if isinstance(ctx.checkpoint, dict) else {}


class FolderReader:
    """Reads new files of a folder, one emit (events + checkpoint) per file."""

    def __init__(self, ctx: SourceContext, opts: GenericOptions) -> None:
        self.ctx, self.opts = ctx, opts
        self.folder = Path(opts.folder or ".")
        state = _state(ctx)
        self.rows = RowConsumer(ctx, opts.mapping, state, remember_ids=opts.remember_ids,
                                max_tracked_tickets=opts.max_tracked_tickets)
        self.files = SeenIds(state.get("files", ()), opts.remember_files)

    def checkpoint(self) -> dict[str, Any]:
        """The state to store with a file's events."""
        return {"files": self.files.to_list(), **self.rows.state()}

    def _ready(self) -> list[Path]:
        if not self.folder.is_dir():
            raise FileNotFoundError(f"folder {self.folder} does not exist")
        now = time.time()
        found = []
        for path in self.folder.glob(self.opts.pattern):
            try:
                stat = path.stat()
            except OSError:
                continue
            if path.is_file() and path.name not in self.files and \
                    now - stat.st_mtime >= self.opts.settle_s:
                found.append((stat.st_mtime, path.name, path))
        return [p for _, _, p in sorted(found)]

    def _read(self, path: Path) -> list[tuple[str, Any]]:
        return list(read_rows(path, delimiter=self.opts.csv_delimiter,
                              encoding=self.opts.encoding, records=self.opts.records))

    async def poll_once(self) -> None:
        """Read every settled new file."""
        for path in await asyncio.to_thread(self._ready):
            try:
                rows = await asyncio.to_thread(self._read, path)
            except (OSError, UnicodeDecodeError) as exc:
                rows = [(path.name, ValueError(f"cannot read the file: {exc}"))]
            events: list[Event] = []
            for where, row in rows:
                events.extend(self.rows.consume(where, row))
            self.files.add(path.name)
            self.ctx.log.info("%s: read %s: %d events", self.ctx.name, path.name, len(events))
            await self.ctx.emit(events, checkpoint=self.checkpoint())


class UrlPoller:
    """GETs a JSON endpoint and turns its records into events."""

    def __init__(self, ctx: SourceContext, fetcher: Fetcher, opts: GenericOptions) -> None:
        self.ctx, self.fetcher, self.opts = ctx, fetcher, opts
        self.rows = RowConsumer(ctx, opts.mapping, _state(ctx), remember_ids=opts.remember_ids,
                                max_tracked_tickets=opts.max_tracked_tickets)

    async def poll_once(self) -> None:
        """One request; every record consumed, then one emit with the checkpoint."""
        params = {}
        if self.opts.since_param and self.rows.newest is not None:
            params[self.opts.since_param] = iso_utc(self.rows.newest)
        document, _ = await self.fetcher.get_json(self.opts.url or "", params)
        try:
            records = records_of(document, self.opts.records)
        except ValueError as exc:
            raise FetchError(f"{self.opts.url}: {exc}") from None
        events: list[Event] = []
        for i, row in enumerate(records, start=1):
            where = f"{self.opts.url} record {i}"
            events.extend(self.rows.consume(where, row if isinstance(row, dict) else
                                            ValueError("not a JSON object")))
        await self.ctx.emit(events, checkpoint=self.rows.state())


class GenericSource:
    """Runs the folder reader or the URL poller the options ask for."""

    def __init__(self, options: GenericOptions) -> None:
        self.options = options

    async def run(self, ctx: SourceContext) -> None:
        """Poll until cancelled (options were checked when built: ``GenericOptions``)."""
        opts = self.options
        if opts.folder is not None:
            reader = FolderReader(ctx, opts)
            ctx.set_status("starting", f"watching {opts.folder}")
            await poll_forever(ctx, _folder_errors(ctx, reader.poll_once), opts.poll_interval_s)
            return

        def settings() -> dict[str, Any]:
            return {"headers": resolve_headers(opts.headers, os.environ),
                    "timeout": opts.timeout_s}

        await run_polling(ctx, opts, settings, lambda f: UrlPoller(ctx, f, opts))


def _folder_errors(ctx: SourceContext, poll):
    """A missing folder is a FetchError-like outage: down, retried at the next interval."""

    async def guarded() -> None:
        try:
            await poll()
        except FileNotFoundError as exc:
            raise FetchError(str(exc)) from None

    return guarded
