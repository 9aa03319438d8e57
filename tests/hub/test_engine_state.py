"""The saved engine state: a restart replays only later events and gives the full replay's figures.

Real hubs on loopback with their journal in tmp_path; the reference is a fresh engine fed
every journalled event (what the hub did at start before engine states existed).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time

import msgpack

from panneau.hub.engine import Engine
from panneau.hub.engine.engine import STATE_SCHEMA
from panneau.hub.events import (
    AgentLoggedIn,
    CallAbandoned,
    CallAnswered,
    CallEntered,
    Event,
    event_to_dict,
)
from panneau.hub.server.app import REPLAY_CHUNK
from panneau.hub.server.engine_state import pack
from panneau.hub.server.journal import Journal

FEED_LOGINS = 5  # the feed logs its agents in once, then emits 2 events a call
FEED = {"count": 20, "hang_after": 10, "interval_s": 0.001}  # 10 calls a run, 20 in all


async def fed(hub, calls: int) -> None:
    """Until the feed's events for ``calls`` calls are journalled and published."""
    async with asyncio.timeout(5):
        while hub.journal.count_events("feed") < FEED_LOGINS + 2 * calls:
            await asyncio.sleep(0.01)
    await hub.wait_idle()


def full_replay(hub) -> Engine:
    """A fresh engine fed with every event of the hub's journal."""
    engine = Engine(hub.config)
    for event in hub.journal.events():
        engine.apply(event)
    return engine


def assert_same_as_full_replay(hub) -> None:
    now = hub.clock() + 1.0
    restored, reference = hub.engine.snapshot(now), full_replay(hub).snapshot(now)
    assert reference.flat()["site/today/answered"] > 0
    assert restored.flat() == reference.flat()
    assert restored.agents == reference.agents
    assert restored.bad_events == reference.bad_events


def add_foreign_calls(db: str, n: int) -> None:
    """Abandoned calls journalled by another writer (as ``panneau import-survey`` does)."""
    journal, now = Journal(db), time.time()
    events = []
    for i in range(n):
        events += [CallEntered(ts=now, call_id=f"x{i}", queue="support", source_pos=str(i)),
                   CallAbandoned(ts=now + 5, call_id=f"x{i}", queue="support", wait_s=5.0,
                                 source_pos=str(i))]
    journal.accept("other", events, None, False, now)
    journal.close()


def state_row(db: str) -> tuple:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT * FROM engine_state").fetchone()


def put_state_row(db: str, row: tuple) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT OR REPLACE INTO engine_state VALUES (?, ?, ?, ?, ?, ?)", row)


async def test_restart_replays_only_events_after_the_saved_state_same_figures(
        start_hub, tmp_path):
    db = str(tmp_path / "hub.db")
    async with start_hub(feed=FEED) as hub:
        assert hub.replayed == 0
        await fed(hub, 10)
        assert await hub.save_engine_state()  # while running
        assert not await hub.save_engine_state()  # nothing new: not written again
        position = hub.engine_state.position
    saved_while_running = state_row(db)
    assert saved_while_running[1] == position == FEED_LOGINS + 2 * 10
    add_foreign_calls(db, 3)  # journalled after the save
    async with start_hub(feed=FEED) as hub:
        assert hub.replayed == 2 * 3  # only the events after the saved position
        await fed(hub, 20)  # 10 more calls, live
        assert_same_as_full_replay(hub)
    assert state_row(db)[1] == FEED_LOGINS + 2 * 10 + 2 * 3 + 2 * 10  # saved on stop
    put_state_row(db, saved_while_running)  # as if killed before any later save
    async with start_hub(feed=FEED) as hub:
        assert hub.replayed == 2 * 3 + 2 * 10
        assert hub.journal.count_events() == FEED_LOGINS + 2 * 10 + 2 * 3 + 2 * 10
        assert_same_as_full_replay(hub)


async def test_a_changed_config_means_a_full_replay(start_hub, caplog):
    async with start_hub(feed={"count": 10, "interval_s": 0.001}) as hub:
        await fed(hub, 10)
    async with start_hub(feed={"count": 10, "interval_s": 0.001}) as hub:
        assert hub.replayed == 0
    caplog.clear()
    with caplog.at_level(logging.WARNING, "panneau.hub.server.engine_state"):
        async with start_hub(feed={"count": 10, "interval_s": 0.001}, min_team_size=2) as hub:
            assert hub.replayed == FEED_LOGINS + 2 * 10
            assert_same_as_full_replay(hub)
    assert "another config or engine code" in caplog.text


async def test_a_corrupt_state_means_a_full_replay_with_a_warning(start_hub, tmp_path, caplog):
    db = str(tmp_path / "hub.db")
    async with start_hub(feed={"count": 10, "interval_s": 0.001}) as hub:
        await fed(hub, 10)
    good = state_row(db)
    foreign = pack({**msgpack.unpackb(good[5], strict_map_key=False), "schema": 999})
    for blob in (b"not msgpack", good[5][: len(good[5]) // 2], b"\x80\x04K\x07.", foreign,
                 pack([1, 2]), pack({"schema": STATE_SCHEMA})):
        put_state_row(db, (*good[:5], blob))
        caplog.clear()
        with caplog.at_level(logging.WARNING, "panneau.hub.server.engine_state"):
            async with start_hub(feed={"count": 10, "interval_s": 0.001}) as hub:
                assert hub.replayed == FEED_LOGINS + 2 * 10
                assert_same_as_full_replay(hub)
        assert "saved engine state unreadable" in caplog.text
        put_state_row(db, good)


async def test_events_written_by_another_process_while_running_are_not_skipped(
        start_hub, tmp_path, caplog):
    db = str(tmp_path / "hub.db")
    async with start_hub(feed={"count": 10, "interval_s": 0.001}) as hub:
        await fed(hub, 10)
        assert await hub.save_engine_state()
        add_foreign_calls(db, 2)  # not applied by this hub until it restarts
        assert not await hub.save_engine_state()
        assert not hub.engine_state.enabled
    assert state_row(db)[1] == FEED_LOGINS + 2 * 10  # the stop did not save either
    async with start_hub(feed={"count": 10, "interval_s": 0.001}) as hub:
        assert hub.replayed == 2 * 2
        assert hub.snapshot.get("queue:support", "today", "abandoned") == 2
        assert_same_as_full_replay(hub)


async def test_a_pruned_last_event_means_a_full_replay(start_hub, tmp_path, caplog):
    db = str(tmp_path / "hub.db")
    async with start_hub(feed={"count": 10, "interval_s": 0.001}) as hub:
        await fed(hub, 10)
    with sqlite3.connect(db) as conn:  # as retention does, then ids may be reused
        conn.execute("DELETE FROM events WHERE id = (SELECT max(id) FROM events)")
    with caplog.at_level(logging.WARNING, "panneau.hub.server.engine_state"):
        async with start_hub(feed={"count": 10, "interval_s": 0.001}) as hub:
            assert hub.replayed == FEED_LOGINS + 2 * 10 - 1
            assert_same_as_full_replay(hub)
    assert "last event is gone" in caplog.text


async def test_alerts_in_force_survive_a_restart_and_are_not_raised_again(start_hub, tmp_path):
    db, now = str(tmp_path / "hub.db"), time.time()
    journal = Journal(db)  # four callers waiting: calls_waiting warns at 3
    journal.accept("pbx", [CallEntered(ts=now - 600 + i, call_id=f"w{i}", queue="support",
                                       source_pos=str(i)) for i in range(4)], None, False, now)
    journal.close()
    async with start_hub() as hub:
        assert hub.replayed == 4
        assert hub.engine.timeline.beyond_reach == 0  # replayed before the first advance
        first = dict(hub.alerts)
        assert "queue:support/now/calls_waiting" in first
        assert first["queue:support/now/calls_waiting"]["state"] == "warn"
    async with start_hub() as hub:
        assert hub.replayed == 0  # the saved state, with its alerts
        assert hub.alerts == first  # same alerts, raised when they were
        assert hub.snapshot.alerts == []  # and not raised again


def calls(start: float, first: int, n: int) -> list[Event]:
    """``n`` calls from ``start``, a call every 0.2 s: two answered after 5 s of waiting
    (so out of order with the next calls' entries), the third abandoned."""
    agents, events = ["ag-ann", "ag-ben", "ag-cid", "ag-dee", "ag-eve"], []
    for i in range(first, first + n):
        ts, call = start + 0.2 * (i - first), f"r{i}"
        queue = "support" if i % 5 < 3 else "sales"
        events.append(CallEntered(ts=ts, call_id=call, queue=queue, source_pos=str(i)))
        events.append(CallAbandoned(ts=ts + 5, call_id=call, queue=queue, wait_s=5.0,
                                    source_pos=str(i)) if i % 3 == 2 else
                      CallAnswered(ts=ts + 5, call_id=call, queue=queue, agent=agents[i % 5],
                                   hold_s=5.0, source_pos=str(i)))
    return events


async def test_a_journal_tail_of_several_chunks_gives_the_same_figures_after_a_restart(
        start_hub, tmp_path, caplog):
    """More events after the saved state than one replay chunk, a row that is no event among
    them: the restarted hub has the figures of one event applied at a time (the row refused
    with a warning, nothing else lost), and so has the hub restarted after it."""
    # the last noon UTC: the events of the hour before it are all in one day ("today")
    db, now = str(tmp_path / "hub.db"), float((int(time.time()) - 43200) // 86400 * 86400 + 43200)
    clock = {"clock": lambda: now}
    head = [AgentLoggedIn(ts=now - 3600, agent=a, queue=None)
            for a in ("ag-ann", "ag-ben", "ag-cid", "ag-dee", "ag-eve")]
    head += calls(now - 3500, 0, 10)
    tail = calls(now - 3400, 10, REPLAY_CHUNK * 3 // 4)  # 1.5 chunks of events
    journal = Journal(db)
    journal.accept("pbx", head, None, False, now)
    journal.close()
    async with start_hub(hub_kwargs=clock) as hub:
        assert hub.replayed == len(head)
        config = hub.config
    saved = state_row(db)
    assert saved[1] == len(head)
    cut = REPLAY_CHUNK - 3  # the bad row just before the first chunk's end
    journal = Journal(db)
    journal.accept("pbx", tail[:cut], None, False, now)
    bad = CallEntered(ts=now - 100, call_id="bad", queue="support", source_pos="bad")
    with sqlite3.connect(db) as conn:  # journalled under looser checks: an unknown field
        conn.execute("INSERT INTO events (source, ts, kind, pos, data) VALUES (?, ?, ?, ?, ?)",
                     ["pbx", bad.ts, bad.kind, "bad",
                      json.dumps({**event_to_dict(bad), "colour": "blue"})])
    journal.accept("pbx", tail[cut:], None, False, now)
    journal.close()
    reference = Engine(config)
    for event in head + tail:
        reference.apply(event)
    expected = reference.snapshot(now)
    assert expected.flat()["site/today/answered"] > REPLAY_CHUNK // 4

    def assert_expected(hub) -> None:
        assert hub.snapshot.flat() == expected.flat()
        assert hub.snapshot.agents == expected.agents
        assert hub.snapshot.bad_events == expected.bad_events
        assert hub.snapshot.alerts == expected.alerts

    with caplog.at_level(logging.WARNING, "panneau.hub.server.engine_state"):
        async with start_hub(hub_kwargs=clock) as hub:
            assert hub.replayed == hub.metrics.apply_count == len(tail)
            assert_expected(hub)
    assert f"journalled event {len(head) + cut + 1} refused" in caplog.text
    assert "colour" in caplog.text
    assert state_row(db)[1] == len(head) + len(tail) + 1  # saved on stop, past the bad row
    async with start_hub(hub_kwargs=clock) as hub:  # the hub before the restart's figures
        assert hub.replayed == 0
        assert_expected(hub)
    put_state_row(db, saved)  # as if killed before any later save: the tail once more
    async with start_hub(hub_kwargs=clock) as hub:
        assert hub.replayed == len(tail)
        assert_expected(hub)
