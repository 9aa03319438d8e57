"""Read rows from dropped files, and turn rows into events with a mapping.

Files by suffix: ``.csv`` / ``.tsv`` (header row, then one row per record; the line number is
where the row ends), ``.json`` (a list of objects, or an object holding the list under the
``records`` key), ``.jsonl`` / ``.ndjson`` (one object per line). A row that cannot be read comes
back as an exception in place of the row, so the caller reports it with its file and line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from panneau.hub.events import Event
from panneau.hub.sources import SourceContext
from panneau.hub.toolkit.mapping import RowMapping, lookup, row_to_survey, row_to_ticket
from panneau.hub.toolkit.seen import SeenIds
from panneau.hub.toolkit.tickets import TicketTracker
from panneau.hub.toolkit.timeparse import implausible_time

__all__ = ["RowConsumer", "read_rows", "records_of"]

Row = dict[str, Any] | ValueError
#: Arrays or objects nested past the recursion limit: ``json`` raises ``RecursionError``, which
#: ended the read of the whole file (and the source, at every retry) before it was caught here.
_TOO_DEEP = "not JSON: nested too deep"


def records_of(document: Any, records: str | None) -> list[Any]:
    """The list of rows in a JSON document (``ValueError`` when there is none)."""
    rows = lookup(document, records) if records and isinstance(document, dict) else document
    if not isinstance(rows, list):
        where = f"under {records!r}" if records else "at the top level"
        raise ValueError(f"no list of records {where}")
    return rows


def read_rows(path: Path, *, delimiter: str = ",", encoding: str = "utf-8-sig",
              records: str | None = None, label: str | None = None
              ) -> Iterator[tuple[str, Row]]:
    """``(where, row or error)`` for every record of a file; ``where`` is ``label:line``
    (``label`` defaults to the file's name)."""
    suffix = path.suffix.lower()
    name = label or path.name
    if suffix in (".csv", ".tsv"):
        with path.open(newline="", encoding=encoding) as f:
            reader = csv.DictReader(f, delimiter="\t" if suffix == ".tsv" else delimiter)
            for row in reader:
                if None in row or any(v is None for v in row.values()):
                    yield f"{name}:{reader.line_num}", ValueError(
                        f"{len([v for v in row.values() if v is not None])} cells where the "
                        f"header has {len(reader.fieldnames or ())}")
                else:
                    yield f"{name}:{reader.line_num}", row
    elif suffix in (".jsonl", ".ndjson"):
        with path.open(encoding=encoding) as f:
            for number, line in enumerate(f, start=1):
                if line.strip():
                    yield f"{name}:{number}", _object(line)
    elif suffix == ".json":
        try:
            rows = records_of(json.loads(path.read_text(encoding=encoding)), records)
        except ValueError as exc:
            yield f"{name}", ValueError(f"cannot read the file: {exc}")
            return
        except RecursionError:
            yield f"{name}", ValueError(f"cannot read the file: {_TOO_DEEP}")
            return
        for i, item in enumerate(rows, start=1):
            yield f"{name}:record {i}", item if isinstance(item, dict) else ValueError(
                "not a JSON object")
    else:
        yield name, ValueError(f"unknown file type {suffix!r} (csv, tsv, json, jsonl, ndjson)")


def _object(line: str) -> Row:
    try:
        value = json.loads(line)
    except ValueError as exc:
        return ValueError(f"not JSON: {exc}")
    except RecursionError:
        return ValueError(_TOO_DEEP)
    return value if isinstance(value, dict) else ValueError("not a JSON object")


class RowConsumer:
    """Turns rows into events: tickets through a tracker, surveys once per response id."""

    def __init__(self, ctx: SourceContext, mapping: RowMapping, state: dict[str, Any], *,
                 remember_ids: int = 20000, max_tracked_tickets: int = 20000) -> None:
        self.ctx, self.mapping = ctx, mapping
        self.tracker = TicketTracker(state.get("tickets"), max_tracked_tickets)
        self.seen = SeenIds(state.get("seen", ()), remember_ids)
        newest = state.get("newest")
        # a cursor ahead of the clock (a future row read before such rows were refused) would
        # ask the endpoint for rows after it for ever: start again without it
        self.newest: float | None = None if newest is None or implausible_time(
            newest, ctx.now(), "newest") else newest

    def state(self) -> dict[str, Any]:
        """What to keep in the checkpoint."""
        if self.mapping.kind == "ticket":
            return {"tickets": self.tracker.to_checkpoint(), "newest": self.newest}
        return {"seen": self.seen.to_list(), "newest": self.newest}

    def consume(self, where: str, row: Row) -> list[Event]:
        """Events of one row; a bad row is reported as skipped (with ``where``) and dropped."""
        try:
            if isinstance(row, ValueError):
                raise row
            if self.mapping.kind == "ticket":
                snap = row_to_ticket(row, self.mapping)
                self._check_time(snap.updated, "updated")
                self._saw(snap.updated)
                return self.tracker.apply(snap, self.ctx.name, where)
            response = row_to_survey(row, self.mapping, self.ctx.name, where)
            self._check_time(response.ts, "time")
        except (ValueError, TypeError) as exc:
            self.ctx.skipped(f"{where}: {exc}")
            return []
        self._saw(response.ts)
        if response.response_id in self.seen:
            return []
        self.seen.add(response.response_id)
        return [response]

    def _check_time(self, ts: float, what: str) -> None:
        """A row's time ahead of the clock is refused (``ValueError``): a year-2999 date or
        epoch milliseconds would become the cursor (``newest``) no later row reaches."""
        reason = implausible_time(ts, self.ctx.now(), what)
        if reason is not None:
            raise ValueError(reason)

    def _saw(self, ts: float) -> None:
        self.newest = ts if self.newest is None else max(self.newest, ts)
