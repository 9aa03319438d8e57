"""The SQLite journal (sqlite-utils, WAL): events, checkpoints, history, messages, annotations,
configuration changes (who changed a target, when, old → new).

Rules kept here:

- :meth:`Journal.accept` writes a source's events *and* its new checkpoint in one transaction:
  after a crash either both are stored or neither is, so replay + resume-after-checkpoint
  neither loses nor double-counts an accepted event.
- Events are replayed in the order they were accepted (``id``).
- A stored row that is not an event (not UTF-8, not JSON, not an event's JSON: written by an
  older version under looser checks, or damaged) never stops a reader: :func:`read_event`
  says why, the readers skip it with one error naming the row, and the row stays stored.
- Everything here is synchronous. The hub calls it from the event loop (small transactions),
  except the KPI history sample, written from a worker thread on a :meth:`Journal.sibling`
  connection in short chunks, and the hourly retention delete, run by the same worker in
  chunks of rows. Writers of one file share :attr:`Journal.write_lock`, so an event write
  waits at most for one history chunk, never for a whole sample or prune.
- A new database file is created readable and writable by its owner only (0600); SQLite gives
  its ``-wal`` and ``-shm`` files the same mode. It holds messages and who read them.
- WAL with ``synchronous=NORMAL`` survives a killed process (not a power cut between two
  checkpoints of the WAL; use ``synchronous=FULL`` via ``durable=True`` for that).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlite_utils

from panneau.hub.events import Event, InvalidEvent, event_from_dict, event_to_dict

__all__ = ["Journal", "JournalError", "Row", "create_private", "read_event", "refusal"]

log = logging.getLogger(__name__)

_DAY = 86400.0
_INSERT_EVENT = "INSERT INTO events (source, ts, kind, pos, data) VALUES (?, ?, ?, ?, ?)"
_UPSERT_CHECKPOINT = ("INSERT INTO checkpoints (source, checkpoint, updated) VALUES (?, ?, ?) "
                      "ON CONFLICT (source) DO UPDATE SET checkpoint = excluded.checkpoint, "
                      "updated = excluded.updated")
_UPSERT_MARKS = ("INSERT INTO source_marks (source, feeds, last_event) VALUES (?, ?, ?) "
                 "ON CONFLICT (source) DO UPDATE SET feeds = excluded.feeds, "
                 "last_event = excluded.last_event")


#: A stored event row as read back: ``(id, source, data)``, ``data`` as stored bytes (or None).
Row = tuple[int, str, bytes | None]
#: Rows read back as bytes: a text that is not UTF-8 would stop the cursor (sqlite3 raises
#: while fetching it), a blob would come back as bytes anyway.
_ROWS = "SELECT id, source, CAST(data AS BLOB) FROM events"


def read_event(data: bytes | str | None) -> Event:
    """The event a journalled row's ``data`` holds; :class:`InvalidEvent` saying why for
    anything else (no data, not UTF-8, not JSON, not a JSON object, not a valid event)."""
    if data is None:
        raise InvalidEvent("no data (NULL)")
    try:
        text = data.decode() if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise InvalidEvent(f"not UTF-8 text: {exc}") from None
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise InvalidEvent(f"not JSON: {exc}: {text[:80]!r}") from None
    if not isinstance(value, dict):
        raise InvalidEvent(f"not a JSON object but {type(value).__name__}: {text[:80]!r}")
    try:
        return event_from_dict(value)
    except (TypeError, ValueError) as exc:  # InvalidEvent, or a bug in a check: still a row
        raise InvalidEvent(str(exc)) from None


def create_private(path: str) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (then it is left as it is)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def refusal(row_id: int, source: str | None, why: object) -> str:
    """The message naming a stored row that is not an event, and why."""
    return (f"journalled event {row_id} refused (source {source!r}; skipped, kept in the "
            f"journal): {why}")


class JournalError(OSError):
    """A ``hub.database`` that cannot be the journal; the message names the file and why."""


def _open_problem(path: str, exc: Exception) -> str:
    """Why ``path`` could not be opened as the journal, in a site admin's words."""
    where = Path(path)
    if where.is_dir():
        return "it is a folder"
    if not where.parent.is_dir():
        return f"the folder {where.parent} does not exist"
    if isinstance(exc, sqlite3.DatabaseError) and "not a database" in str(exc):
        return "it is not an SQLite database (another program's file?)"
    return getattr(exc, "strerror", None) or str(exc)


class Journal:
    """One SQLite file holding everything the hub must keep across restarts."""

    def __init__(self, path: str | Path, *, durable: bool = False,
                 write_lock: threading.Lock | None = None, create: bool = True) -> None:
        self.path, self.durable = str(path), durable
        #: Held by every write transaction of this file in this process (see :meth:`sibling`).
        self.write_lock = write_lock or threading.Lock()
        try:
            if create:
                create_private(self.path)
            self.db = sqlite_utils.Database(self.path)
            self.db.enable_wal()
        except (OSError, sqlite3.DatabaseError) as exc:
            if hasattr(self, "db"):
                self.db.close()
            raise JournalError(f"cannot use {self.path} as the hub's database: "
                               f"{_open_problem(self.path, exc)}") from exc
        self.db.execute("PRAGMA busy_timeout=5000")  # other writers: panneau import-survey
        self.db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        if create:
            self._create()

    def sibling(self) -> Journal:
        """A second connection to the same file for another thread (same write lock).

        A sqlite3 connection stays in the thread that opened it: call this, use and
        :meth:`close` the result in that one thread. It never checkpoints the WAL on its own
        (a checkpoint at commit would run inside the write lock); :meth:`add_history` in
        chunks checkpoints after each chunk, outside the lock."""
        sibling = Journal(self.path, durable=self.durable, write_lock=self.write_lock,
                          create=False)
        sibling.db.execute("PRAGMA wal_autocheckpoint=0")
        return sibling

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        with self.write_lock, self.db.atomic():
            yield

    def _create(self) -> None:
        db = self.db
        db["events"].create({"id": int, "source": str, "ts": float, "kind": str,
                             "pos": str, "data": str}, pk="id", if_not_exists=True)
        db["events"].create_index(["ts"], if_not_exists=True)
        db["checkpoints"].create({"source": str, "checkpoint": str, "updated": float},
                                 pk="source", if_not_exists=True)
        # What each source fed and when it last did, so that a restarted hub whose source is
        # still down greys the right figures (``source:<name>["feeds"]``).
        db["source_marks"].create({"source": str, "feeds": str, "last_event": float},
                                  pk="source", if_not_exists=True)
        db["kpi_history"].create({"ts": float, "key": str, "value": float},
                                 pk=("ts", "key"), if_not_exists=True)
        # No (key, ts) index: keeping it cost ~7x the write of a sample (one scattered leaf page
        # per key); refs read narrow ts ranges and trends live in memory
        # (panneau.hub.server.history).
        db.execute("DROP INDEX IF EXISTS idx_kpi_history_key_ts")
        db["messages"].create({"id": str, "text": str, "sender": str, "team": str,
                               "agent": str, "sent": float, "expires": float},
                              pk="id", if_not_exists=True)
        db["annotations"].create({"key": str, "text": str, "by": str, "ts": float,
                                  "until": float}, pk="key", if_not_exists=True)
        if "until" not in db["annotations"].columns_dict:  # a journal from before notes expired
            db["annotations"].add_column("until", float)
        # every note set or removed (text ""), kept for exports like the KPI history
        db["annotation_log"].create({"ts": float, "key": str, "text": str, "by": str,
                                     "until": float}, if_not_exists=True)
        db["annotation_log"].create_index(["ts"], if_not_exists=True)
        db["acks"].create({"message_id": str, "agent": str, "ts": float},
                          pk=("message_id", "agent"), if_not_exists=True)
        db["report_sends"].create({"name": str, "period": str, "sent": float},
                                  pk=("name", "period"), if_not_exists=True)
        db["config_changes"].create({"id": int, "ts": float, "by": str, "what": str,
                                     "old": str, "new": str}, pk="id", if_not_exists=True)

    def close(self) -> None:
        """Close the database file."""
        self.db.close()

    # --- events and checkpoints ------------------------------------------------------

    def accept(self, source: str, events: Sequence[Event], checkpoint: Any,
               set_checkpoint: bool, now: float, feeds: Iterable[str] | None = None) -> None:
        """Store ``events`` and (when ``set_checkpoint``) ``checkpoint`` atomically.

        With events and ``feeds`` (the KPI families the source has fed so far), the source's
        marks (:meth:`source_marks`) are updated in the same transaction, ``now`` as its last
        event."""
        rows = [(source, e.ts, e.kind, e.source_pos,
                 json.dumps(event_to_dict(e), separators=(",", ":"))) for e in events]
        # plain statements: sqlite-utils' insert_all/upsert look the table up and work out
        # its columns on every call, which cost as much as the write itself on this path
        with self._write():
            execute = self.db.conn.execute
            if rows:
                self.db.conn.executemany(_INSERT_EVENT, rows)
            if set_checkpoint:
                execute(_UPSERT_CHECKPOINT, (source, json.dumps(checkpoint), now))
            if rows and feeds is not None:
                execute(_UPSERT_MARKS, (source, json.dumps(sorted(feeds)), now))

    def source_marks(self) -> dict[str, tuple[list[str], float | None]]:
        """Each source's KPI families fed and hub time of its last event, as last journalled."""
        rows = self.db.execute("SELECT source, feeds, last_event FROM source_marks")
        return {source: (list(json.loads(feeds)), last) for source, feeds, last in rows}

    def checkpoint(self, source: str) -> Any:
        """The stored checkpoint of ``source``, or ``None``."""
        row = self.db.execute("SELECT checkpoint FROM checkpoints WHERE source = ?",
                              [source]).fetchone()
        return json.loads(row[0]) if row else None

    def events(self, since: float | None = None) -> Iterator[Event]:
        """Every stored event in accepted order (optionally only those at or after ``since``);
        a row that is not one is logged and skipped (:func:`read_event`), and kept."""
        sql, args = _ROWS, []
        if since is not None:
            sql, args = sql + " WHERE ts >= ?", [since]
        for row_id, source, data in self.db.execute(sql + " ORDER BY id", args):
            try:
                yield read_event(data)
            except InvalidEvent as exc:
                log.error("%s", refusal(row_id, source, exc))

    def latest_time(self) -> float | None:
        """The hub's clock when it last stored a source's events or checkpoint (``None``:
        never). Not an event's own time: one dated days ahead is what a source may send."""
        times = [self.db.execute(f"SELECT MAX({column}) FROM {table}").fetchone()[0]
                 for table, column in (("source_marks", "last_event"),
                                       ("checkpoints", "updated"))]
        return max((t for t in times if t is not None), default=None)

    def rows(self, after: int = 0) -> Iterator[Row]:
        """Every stored event row after row ``after``, in accepted order (see :data:`Row`)."""
        return self.db.execute(_ROWS + " WHERE id > ? ORDER BY id", [after])

    def rows_after(self, rowid: int, limit: int) -> list[tuple[int, str]]:
        """Up to ``limit`` stored events after row ``rowid``: ``(rowid, JSON text)``, in order.

        Every row as text, a row that is not an event too (its reader refuses it): bytes that
        are not UTF-8 come back as U+FFFD, no data as ``""``. A forwarder (the cluster outbox)
        then never stops at such a row (sqlite3 raised while fetching a text that is not
        UTF-8; a NULL had no ``encode``)."""
        rows = self.db.execute(_ROWS + " WHERE id > ? ORDER BY id LIMIT ?", [rowid, limit])
        return [(row_id, "" if data is None else data.decode(errors="replace"))
                for row_id, _, data in rows]

    def rows_after_count(self, rowid: int) -> int:
        """How many stored events come after row ``rowid``."""
        return self.db.execute("SELECT count(*) FROM events WHERE id > ?", [rowid]).fetchone()[0]

    def count_events(self, source: str | None = None) -> int:
        """How many events are stored (for one source)."""
        if source is None:
            return self.db.execute("SELECT count(*) FROM events").fetchone()[0]
        return self.db.execute("SELECT count(*) FROM events WHERE source = ?",
                               [source]).fetchone()[0]

    # --- KPI history -----------------------------------------------------------------

    def add_history(self, ts: float, values: Iterable[tuple[str, float | None]], *,
                    chunk_rows: int = 0, pause_s: float = 0.0) -> int:
        """One sample of KPI values (``key`` is ``scope/window/kpi``) taken at ``ts``.

        ``None`` values are skipped. One ``executemany`` in one transaction, or with
        ``chunk_rows`` one per chunk, each followed by a passive WAL checkpoint (outside the
        lock) and a ``pause_s`` sleep so that a waiting writer gets :attr:`write_lock` (off
        the event loop only). Returns rows."""
        rows = [(ts, k, float(v)) for k, v in values if v is not None]
        step = chunk_rows or max(len(rows), 1)
        for start in range(0, len(rows), step):
            if start and pause_s:
                time.sleep(pause_s)
            with self._write():
                self.db.conn.executemany(
                    "INSERT OR REPLACE INTO kpi_history (ts, key, value) VALUES (?, ?, ?)",
                    rows[start:start + step])
            if chunk_rows:  # a checkpoint never blocks writers
                self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        return len(rows)

    def history(self, start: float, end: float, keys: Sequence[str] | None = None
                ) -> list[tuple[float, str, float]]:
        """``(ts, key, value)`` rows sampled in ``[start, end]``, by time then key."""
        sql = "SELECT ts, key, value FROM kpi_history WHERE ts >= ? AND ts <= ?"
        args: list[Any] = [start, end]
        if keys is not None:
            sql += f" AND key IN ({','.join('?' * len(keys))})"
            args += list(keys)
        return [tuple(r) for r in self.db.execute(sql + " ORDER BY ts, key", args)]

    def value_near(self, key: str, ts: float, tolerance: float) -> float | None:
        """The sample of ``key`` closest to ``ts`` within ``tolerance`` seconds."""
        row = self.db.execute(
            "SELECT value FROM kpi_history WHERE key = ? AND ts BETWEEN ? AND ? "
            "ORDER BY abs(ts - ?) LIMIT 1", [key, ts - tolerance, ts + tolerance, ts]).fetchone()
        return row[0] if row else None

    def values_near(self, keys: Iterable[str], ts: float, tolerance: float
                    ) -> dict[str, float]:
        """:meth:`value_near` for many keys at once (keys without a sample are left out).

        One scan of the ``ts`` range (the primary key's order), keys matched in SQLite."""
        rows = self.db.execute(
            "SELECT key, value FROM kpi_history WHERE ts BETWEEN ? AND ?"
            " AND key IN (SELECT value FROM json_each(?)) ORDER BY abs(ts - ?) DESC",
            [ts - tolerance, ts + tolerance, json.dumps(list(keys)), ts])
        return dict(rows)  # nearest last: it wins

    # --- messages, acks, annotations -------------------------------------------------

    def add_message(self, message: dict[str, Any]) -> None:
        """Store a manager message (``id, text, sender, team, agent, sent, expires``)."""
        with self._write():
            self.db["messages"].insert(message, replace=True)

    def messages(self, now: float) -> list[dict[str, Any]]:
        """Messages not yet expired at ``now``, oldest first."""
        return list(self.db.query(
            "SELECT * FROM messages WHERE expires > ? ORDER BY sent", [now]))

    def add_ack(self, message_id: str, agent: str, ts: float) -> None:
        """Record that ``agent`` acknowledged a message (idempotent)."""
        with self._write():
            self.db["acks"].insert({"message_id": message_id, "agent": agent, "ts": ts},
                                   ignore=True)

    def acks(self) -> dict[str, list[str]]:
        """Agents who acknowledged each message, in acknowledgement order."""
        out: dict[str, list[str]] = {}
        for mid, agent in self.db.execute("SELECT message_id, agent FROM acks ORDER BY ts"):
            out.setdefault(mid, []).append(agent)
        return out

    def set_annotation(self, key: str, text: str, by: str, ts: float,
                       until: float | None = None) -> None:
        """Set (or, with empty ``text``, remove) the annotation of a KPI key; logged either
        way (:meth:`annotation_log`)."""
        row = {"key": key, "text": text, "by": by, "ts": ts, "until": until}
        with self._write():
            if text:
                self.db["annotations"].insert(row, replace=True)
            else:
                self.db.execute("DELETE FROM annotations WHERE key = ?", [key])
            self.db["annotation_log"].insert(row)

    def annotations(self) -> dict[str, dict[str, Any]]:
        """Every annotation by KPI key."""
        return {r["key"]: {"text": r["text"], "by": r["by"], "ts": r["ts"], "until": r["until"]}
                for r in self.db.query("SELECT * FROM annotations")}

    def annotation_log(self, start: float, end: float) -> list[dict[str, Any]]:
        """Notes set (or removed: ``text`` empty) in ``[start, end)``, oldest first:
        ``{ts, key, text, by, until}``."""
        return list(self.db.query(
            "SELECT ts, key, text, by, until FROM annotation_log WHERE ts >= ? AND ts < ?"
            " ORDER BY ts, rowid", [start, end]))

    # --- configuration changes ----------------------------------------------------------

    def add_config_change(self, ts: float, by: str, what: str, old: Any, new: Any) -> None:
        """Record who changed what in the configuration, from ``old`` to ``new`` (JSON)."""
        with self._write():
            self.db["config_changes"].insert({
                "ts": ts, "by": by, "what": what, "old": json.dumps(old),
                "new": json.dumps(new)})

    def config_changes(self) -> list[dict[str, Any]]:
        """Every recorded configuration change, oldest first."""
        return [{**row, "old": json.loads(row["old"]), "new": json.loads(row["new"])}
                for row in self.db.query("SELECT ts, by, what, old, new FROM config_changes "
                                         "ORDER BY id")]

    # --- e-mailed reports ---------------------------------------------------------------

    def report_sent(self, name: str, period: str) -> float | None:
        """When report ``name`` of ``period`` (its label) was sent, or ``None``."""
        row = self.db.execute("SELECT sent FROM report_sends WHERE name = ? AND period = ?",
                              [name, period]).fetchone()
        return row[0] if row else None

    def add_report_sent(self, name: str, period: str, ts: float) -> None:
        """Remember that report ``name`` of ``period`` went out at ``ts``."""
        with self._write():
            self.db["report_sends"].insert({"name": name, "period": period, "sent": ts},
                                           replace=True)

    # --- retention -------------------------------------------------------------------

    def prune(self, now: float, retention_days: float, history_days: float | None = None, *,
              chunk_rows: int = 0, pause_s: float = 0.0,
              stop: Callable[[], bool] | None = None) -> int:
        """Delete events older than ``retention_days``, history older than ``history_days``
        (default: the same) and messages expired before the events' cutoff; returns events.

        With ``chunk_rows``, at most that many rows per transaction (each under
        :attr:`write_lock`, then a passive WAL checkpoint and a ``pause_s`` sleep), so event
        writes interleave; ``stop()`` is asked after each chunk and ends the prune early."""
        cutoff = now - retention_days * _DAY
        history_cutoff = now - (history_days or retention_days) * _DAY
        deleted, stopped = self._delete_before("events", cutoff, chunk_rows, pause_s, stop)
        if stopped or self._delete_before(
                "kpi_history", history_cutoff, chunk_rows, pause_s, stop)[1]:
            return deleted
        with self._write():
            old = [r[0] for r in self.db.execute(
                "SELECT id FROM messages WHERE expires < ?", [cutoff])]
            for mid in old:
                self.db.execute("DELETE FROM acks WHERE message_id = ?", [mid])
                self.db.execute("DELETE FROM messages WHERE id = ?", [mid])
        return deleted

    def _delete_before(self, table: str, cutoff: float, chunk_rows: int, pause_s: float,
                       stop: Callable[[], bool] | None) -> tuple[int, bool]:
        """Delete ``table``'s rows with ``ts < cutoff`` (chunked); (rows, stopped early)."""
        sql = f"DELETE FROM {table} WHERE ts < ?"
        if chunk_rows:
            sql = (f"DELETE FROM {table} WHERE rowid IN"
                   f" (SELECT rowid FROM {table} WHERE ts < ? LIMIT {int(chunk_rows)})")
        total = 0
        while True:
            with self._write():
                n = self.db.execute(sql, [cutoff]).rowcount
            total += n
            if not chunk_rows or n < chunk_rows:
                return total, False
            self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            if stop is not None and stop():
                return total, True
            time.sleep(pause_s)
