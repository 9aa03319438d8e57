"""The engine's state saved in the journal file, so that a restart replays only newer events.

A saved state is one row of table ``engine_state``: the engine's own data
(:meth:`~panneau.hub.engine.Engine.to_data`: dicts, lists, numbers and strings, with its schema
number ``STATE_SCHEMA``) packed with msgpack — never a pickle, and nothing in it is code — the
journal position it reflects (``events.id`` of the last event applied, 0 for none, and that
event's ``ts``) and a fingerprint of the schema number and of the config. At start
:meth:`EngineState.restore` hands back the saved engine only when everything matches — same
fingerprint, the event at the position still there with the same ``ts`` (ids are never
reused while it is) and data that unpacks into an engine of this schema; otherwise a fresh
engine and a full replay, as without a saved state. Then :meth:`EngineState.replay` yields the
events after the position. The alerts in force and the thresholds' states are part of the
engine's data, so a restarted hub shows the same alerts.

The periodic save also runs when only the thresholds' levels or alerts changed (the engine
judges them on a grid of event time, ``panneau.hub.engine.thresholds``): the saved state is
then never older than the first change after it by more than ``SAVE_EVERY_S``, so what a
restart does not judge again (beyond ``ALERT_REACH_S`` back) held no change.

A state is saved only when every event journalled since the last known position was applied
by this hub: an event written by another process (``panneau import-survey``) while the hub
runs is applied at the next start only, so the hub then stops saving until that restart (the
older state stays valid and the restart replays that event). The data is taken on the event
loop (the engine must not move under it); it is packed and the row written from a worker
thread on its own connection under the journal's write lock.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator

import msgpack

from panneau.hub.config.schema import Config
from panneau.hub.engine import Engine
from panneau.hub.engine.engine import STATE_SCHEMA
from panneau.hub.engine.thresholds import ALERT_REACH_S
from panneau.hub.events import Event, InvalidEvent
from panneau.hub.server.journal import Journal, read_event, refusal

__all__ = ["SAVE_EVERY_S", "EngineState", "dumps", "fingerprint", "loads"]

log = logging.getLogger(__name__)

#: How often the running hub saves its engine (and once more on a clean stop).
SAVE_EVERY_S = 300.0
assert SAVE_EVERY_S < ALERT_REACH_S - 30, "a restart would skip judging changes"
_TABLE = ("CREATE TABLE IF NOT EXISTS engine_state (id INTEGER PRIMARY KEY CHECK (id = 1),"
          " position INTEGER NOT NULL, position_ts REAL, fingerprint TEXT NOT NULL,"
          " saved REAL NOT NULL, blob BLOB NOT NULL)")


def pack(data: dict) -> bytes:
    """The engine's data as msgpack bytes."""
    return msgpack.packb(data, use_bin_type=True)


def dumps(engine: Engine) -> bytes:
    """The engine's state as msgpack bytes (:meth:`Engine.to_data`)."""
    return pack(engine.to_data())


def loads(blob: bytes, config: Config) -> Engine:
    """The engine :func:`dumps` packed, for ``config``; raises ``ValueError`` (a
    ``StateMismatch`` for another schema), ``TypeError``, ``KeyError`` or ``IndexError`` for
    bytes that are not such a state."""
    data = msgpack.unpackb(blob, raw=False, strict_map_key=False)
    return Engine.from_data(config, data)


def fingerprint(config: Config) -> str:
    """Hash of the engine state's schema number and the whole config but its tokens."""
    digest = hashlib.sha256(f"engine-state-schema {STATE_SCHEMA}|".encode())
    digest.update(repr(dataclasses.replace(config, tokens=[])).encode())
    return digest.hexdigest()


class EngineState:
    """Restores the engine at start, tracks the position it reflects, saves it."""

    def __init__(self, journal: Journal, config: Config, *, every_s: float = SAVE_EVERY_S
                 ) -> None:
        self.journal, self.config, self.every_s = journal, config, every_s
        self.fingerprint = fingerprint(config)
        self.position = 0  # events.id of the last event the engine reflects
        self.saved_position: int | None = None  # position of the stored state
        self.enabled = True
        self._accepted_at = 0  # the hub's accepted counter when ``position`` was read
        self._seq = self._written = 0
        self._write_lock = threading.Lock()
        #: The thresholds' levels and alerts in force at the last save.
        self._judged: tuple[dict, dict] | None = None

    # --- start ---------------------------------------------------------------------------

    def restore(self, not_after: float | None = None) -> Engine:
        """The saved engine when it can be trusted, else a fresh one (never raises); not one
        that applied an event dated after ``not_after`` (the hub's clock and the door's
        margin: such an event moved the engine's time to its date)."""
        with self.journal.write_lock:
            self.journal.db.execute(_TABLE)
        row = self.journal.db.execute(
            "SELECT position, position_ts, fingerprint, blob FROM engine_state WHERE id = 1"
        ).fetchone()
        if row is None:
            return Engine(self.config)
        position, position_ts, fp, blob = row
        if fp != self.fingerprint:
            log.warning("saved engine state is for another config or engine code: full replay")
            return Engine(self.config)
        if position:
            at = self.journal.db.execute("SELECT ts FROM events WHERE id = ?",
                                         [position]).fetchone()
            if at is None or at[0] != position_ts:
                log.warning("saved engine state's last event is gone (retention?): full replay")
                return Engine(self.config)
            ahead = None if not_after is None else self.journal.db.execute(
                "SELECT min(id) FROM events WHERE ts > ?", [not_after]).fetchone()[0]
            if ahead is not None and ahead <= position:
                log.warning("saved engine state holds an event dated ahead of the hub's clock: "
                            "full replay")
                return Engine(self.config)
        try:
            engine = loads(blob, self.config)
        except (ValueError, TypeError, KeyError, IndexError) as exc:  # damaged or foreign data
            log.warning("saved engine state unreadable (%s): full replay", exc)
            return Engine(self.config)
        self.position = self.saved_position = position
        self._judged = dict(engine.thresholds.previous), engine.thresholds.active
        return engine

    def newest_ts(self) -> float | None:
        """The newest ``ts`` of the journalled events after :attr:`position` (None: none)."""
        return self.journal.db.execute("SELECT max(ts) FROM events WHERE id > ?",
                                       [self.position]).fetchone()[0]

    def replay(self, refused: Callable[[str, str], None] | None = None) -> Iterator[Event]:
        """The journalled events after :attr:`position`, in accepted order (advances it).

        A row that is not an event (:func:`~panneau.hub.server.journal.read_event`: damaged,
        or journalled under older, looser checks) is skipped with one error naming it and
        left in the journal; ``refused(source, message)`` is told of it (the hub counts it
        with the source's skipped input). The position moves past it, as a full replay
        would skip it too."""
        for event_id, source, data in self.journal.rows(self.position):
            self.position = event_id
            try:
                event = read_event(data)
            except InvalidEvent as exc:
                message = refusal(event_id, source, exc)
                log.error("%s", message)
                if refused is not None:
                    refused(source, message)
                continue
            yield event

    # --- running -------------------------------------------------------------------------

    def capture(self, engine: Engine, accepted: int) -> dict | None:
        """On the event loop: advance the position and take ``engine``'s data, or ``None``.

        ``accepted`` is the hub's count of events accepted (journalled and applied) since it
        started. ``None`` when nothing changed or events were journalled by someone else."""
        if not self.enabled:
            return None
        db = self.journal.db
        newer = db.execute("SELECT count(*), max(id) FROM events WHERE id > ?",
                           [self.position]).fetchone()
        if newer[0] != accepted - self._accepted_at:
            self.enabled = False
            log.info("events were journalled by another process (or pruned) since position "
                     "%d: engine state not saved again until the next start", self.position)
            return None
        self.position, self._accepted_at = newer[1] or self.position, accepted
        judged = engine.thresholds.previous, engine.thresholds.active
        if self.position == self.saved_position and judged == self._judged:
            return None
        self._judged = dict(judged[0]), judged[1]
        return engine.to_data()

    async def save(self, engine: Engine, accepted: int) -> bool:
        """Save the engine if it moved on (its data taken here, packed and written in a
        thread)."""
        data = self.capture(engine, accepted)
        if data is None:
            return False
        position = self.position
        at = self.journal.db.execute("SELECT ts FROM events WHERE id = ?",
                                     [position]).fetchone()
        self._seq += 1
        await asyncio.to_thread(self._write, self._seq, position, at[0] if at else None, data)
        self.saved_position = position
        return True

    def _write(self, seq: int, position: int, position_ts: float | None, data: dict) -> None:
        start = time.perf_counter()
        blob = pack(data)
        with self._write_lock:
            if seq < self._written:  # a newer save (e.g. at stop) got there first
                return
            own = self.journal.sibling()
            try:
                with own.write_lock, own.db.conn:
                    own.db.execute(
                        "INSERT OR REPLACE INTO engine_state (id, position, position_ts,"
                        " fingerprint, saved, blob) VALUES (1, ?, ?, ?, ?, ?)",
                        [position, position_ts, self.fingerprint, time.time(), blob])
            finally:
                own.close()
            self._written = seq
        log.info("engine state saved at event %d (%d KiB, %.0f ms)", position,
                 len(blob) // 1024, (time.perf_counter() - start) * 1000)
