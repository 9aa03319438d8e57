"""Retention: events and KPI history pruned in chunks, off the event loop, each on its own age.

The worker's delete is held back by holding the journal's write lock from the test (no timing
assumption); chunking is shown by counts (a ``stop`` after the first chunk)."""

from __future__ import annotations

import asyncio

import pytest

from panneau.hub.config.load import ConfigError, parse_config
from panneau.hub.config.schema import Config
from panneau.hub.events import CallEntered
from panneau.hub.server.history import History
from panneau.hub.server.journal import Journal
from tests.hub.test_history import SAFETY_S, held

DAY = 86400.0
NOW = 100 * DAY


def _filled(path, events_at: list[float], history_at: list[float]) -> Journal:
    journal = Journal(path)
    journal.accept("pbx", [CallEntered(ts=ts, source="pbx", source_pos=str(i), call_id=f"c{i}",
                                       queue="support") for i, ts in enumerate(events_at)],
                   None, False, 0.0)
    for ts in history_at:
        journal.add_history(ts, [(f"site/today/k{i}", float(i)) for i in range(10)])
    return journal


def test_chunked_prune_deletes_in_bounded_transactions_and_can_stop(tmp_path):
    journal = _filled(tmp_path / "j.db", [NOW - 95 * DAY] * 130 + [NOW - DAY] * 3, [])
    asked = []
    deleted = journal.prune(NOW, 90, chunk_rows=50, stop=lambda: asked.append(1) or True)
    assert (deleted, len(asked), journal.count_events()) == (50, 1, 83)  # one chunk, stopped
    assert journal.prune(NOW, 90, chunk_rows=50) == 80  # the rest: 50 + 30, then it ends
    assert journal.count_events() == 3


def test_history_has_its_own_retention(tmp_path):
    journal = _filled(tmp_path / "j.db", [NOW - 40 * DAY, NOW - DAY],
                      [NOW - 40 * DAY, NOW - 36 * DAY, NOW - 34 * DAY])
    assert journal.prune(NOW, 90, 35, chunk_rows=4) == 0  # events: 90 days; history: 35
    assert journal.count_events() == 2
    assert {ts for ts, _, _ in journal.history(0, NOW)} == {NOW - 34 * DAY}


async def test_prune_runs_off_the_loop_in_the_history_worker(tmp_path):
    config = Config()
    config.hub.retention_days, config.hub.history_retention_days = 30, 20
    journal = _filled(tmp_path / "j.db", [NOW - 31 * DAY] * 20 + [NOW], [NOW - 21 * DAY, NOW])
    history = History(journal, config)
    try:
        with held(journal.write_lock) as release:
            task = asyncio.create_task(history.prune_off_loop(NOW))
            for _ in range(20):  # the loop turns while the prune waits for the lock
                await asyncio.sleep(0.001)
            assert not task.done() and journal.count_events() == 21
            release()
            assert await asyncio.wait_for(task, SAFETY_S) == 20
        assert journal.count_events() == 1
        assert {ts for ts, _, _ in journal.history(0, NOW)} == {NOW}
    finally:
        await history.aclose()
        journal.close()


def test_history_retention_is_configured_apart_and_must_be_positive():
    assert parse_config("").hub.history_retention_days == 35
    config = parse_config("[hub]\nretention_days = 400\nhistory_retention_days = 8\n")
    assert (config.hub.retention_days, config.hub.history_retention_days) == (400, 8)
    with pytest.raises(ConfigError) as info:
        parse_config("[hub]\nhistory_retention_days = 0\n", "t.toml")
    assert any("hub.history_retention_days: must be greater than 0" in m
               for m in info.value.messages)
