"""A journal row that is not an event never stops a hub: it starts, replays every other row in
order, names the row and why in one error, counts it as the source's skipped input, and the
row stays stored.

Real hubs on loopback with their journal in tmp_path; the bad rows are written with sqlite3
as a damaged file or an older version's looser checks would have left them.
"""

from __future__ import annotations

import logging
import sqlite3
import time

import pytest

from panneau.hub.engine import Engine
from panneau.hub.events import (
    AgentLoggedIn,
    CallAbandoned,
    CallAnswered,
    CallEntered,
    Event,
    InvalidEvent,
)
from panneau.hub.server.journal import Journal, read_event

FEED = {"count": 1}  # with its checkpoint at 1 the feed source emits nothing more
#: (SQL of the stored data, what the error says about it)
BAD_ROWS = [
    ("'not json at all'", "not JSON"),
    ("'[1, 2]'", "not a JSON object but list"),
    ("'null'", "not a JSON object but NoneType"),
    ("NULL", "no data (NULL)"),
    ("CAST(x'7b22ff22' AS TEXT)", "not UTF-8 text"),  # sqlite3 itself refuses to fetch it
    ("'{\"kind\": \"call_teleported\", \"ts\": 1}'", "unknown event kind 'call_teleported'"),
    ("'{\"kind\": \"call_entered\", \"ts\": 1800000000, \"call_id\": 7, \"queue\": \"x\"}'",
     "call_id must be a string"),
]


def calls(start: float, first: int, n: int) -> list[Event]:
    """``n`` calls of the support queue a second apart, every third abandoned."""
    events: list[Event] = []
    for i in range(first, first + n):
        ts, call = start + i, f"c{i}"
        events.append(CallEntered(ts=ts, call_id=call, queue="support", source_pos=str(i)))
        events.append(CallAbandoned(ts=ts + 4, call_id=call, queue="support", wait_s=4.0)
                      if i % 3 == 2 else
                      CallAnswered(ts=ts + 3, call_id=call, queue="support", agent="ag-ann",
                                   hold_s=3.0 + i / 7))
    return events


def add_bad_row(db: str, source: str, data_sql: str, ts: float) -> int:
    """A row whose data is ``data_sql`` (an SQL expression); its id."""
    with sqlite3.connect(db) as conn:
        return conn.execute("INSERT INTO events (source, ts, kind, pos, data) "
                            f"VALUES (?, ?, 'call_entered', 'x', {data_sql})",
                            [source, ts]).lastrowid


async def test_rows_that_are_not_events_are_named_counted_kept_and_the_rest_replayed(
        start_hub, tmp_path, caplog):
    # the last noon UTC: the events of the quarter before it are all "today" (from 00:00 to
    # 00:15 UTC, with the real clock, some were yesterday's)
    db, now = str(tmp_path / "hub.db"), float((int(time.time()) - 43200) // 86400 * 86400 + 43200)
    good = [AgentLoggedIn(ts=now - 900, agent="ag-ann", queue=None), *calls(now - 800, 0, 30)]
    journal = Journal(db)
    journal.accept("feed", good[:21], 1, True, now)
    journal.close()
    bad_ids = [add_bad_row(db, "feed", sql, now - 500) for sql, _ in BAD_ROWS]
    other_id = add_bad_row(db, "other", "'{}'", now - 500)  # a source no longer configured
    journal = Journal(db)
    journal.accept("feed", good[21:], None, False, now)
    journal.close()
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        async with start_hub(feed=FEED, hub_kwargs={"clock": lambda: now}) as hub:
            assert hub.replayed == len(good)
            expected = Engine(hub.config)
            for event in good:
                expected.apply(event)
            assert hub.snapshot.flat() == expected.snapshot(now).flat()
            assert hub.snapshot.agents == expected.query().agents
            assert hub.snapshot.get("queue:support", "today", "answered") == 20
            state = hub.supervisor.states["feed"]
            assert state.skipped == len(BAD_ROWS)
            assert f"journalled event {bad_ids[-1]} refused" in state.last_skipped
            assert hub.health()["sources"]["feed"]["skipped"] == len(BAD_ROWS)
            assert hub.metrics.skipped == {"feed": len(BAD_ROWS), "other": 1}
            assert 'panneau_events_skipped_total{source="feed"} 7' in hub.metrics_text()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    for row_id, (_, why) in zip(bad_ids, BAD_ROWS, strict=True):
        named = [m for m in errors if f"journalled event {row_id} refused" in m]
        assert len(named) == 1, errors
        assert why in named[0] and "'feed'" in named[0] and "kept in the journal" in named[0]
    assert any(f"journalled event {other_id} refused" in m for m in errors)
    with sqlite3.connect(db) as conn:  # nothing deleted
        ids = {row[0] for row in conn.execute("SELECT id FROM events")}
    assert set(bad_ids) | {other_id} <= ids and len(ids) == len(good) + len(BAD_ROWS) + 1
    journal = Journal(db)  # other readers of the journal (day rollups) skip them too
    try:
        assert list(journal.events()) == good
    finally:
        journal.close()


def test_rows_handed_on_by_id_are_every_row_as_text_bad_ones_too(tmp_path):
    """What the cluster outbox forwards (``rows_after``): a row that is not an event does not
    stop it (sqlite3 raised on the text that is not UTF-8); it goes on as text that is no
    event, which the group hub's source counts as skipped input."""
    db, now = str(tmp_path / "hub.db"), float(int(time.time()))
    good = calls(now - 800, 0, 3)
    journal = Journal(db)
    try:
        journal.accept("feed", good[:3], None, False, now)
        bad_ids = [add_bad_row(db, "feed", sql, now - 500) for sql, _ in BAD_ROWS]
        journal.accept("feed", good[3:], None, False, now)
        rows = journal.rows_after(0, 100)
        assert [row_id for row_id, _ in rows] == list(range(1, len(good) + len(BAD_ROWS) + 1))
        assert all(isinstance(text, str) for _, text in rows)
        by_id = dict(rows)
        for row_id in bad_ids:
            with pytest.raises(InvalidEvent):
                read_event(by_id[row_id])
        assert [read_event(text) for row_id, text in rows if row_id not in bad_ids] == good
        assert journal.rows_after(bad_ids[-1], 2) == rows[bad_ids[-1]:bad_ids[-1] + 2]
    finally:
        journal.close()
