"""KPI history off the event loop: the loop turns during a sample, stop waits for it.

The worker's write is held back deterministically by holding the journal's write lock from
the test (no timing assumption about how fast SQLite is). A safety timer thread releases the
lock after ``SAFETY_S`` so that a sample run *on* the loop (which would block on the lock)
turns into a failed assertion instead of a hung test.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from types import SimpleNamespace

from panneau.hub.config.schema import Config, KioskPage
from panneau.hub.server.history import AGENT_REF_KPIS, History, sampled, take, windows_of
from panneau.hub.server.journal import Journal

SAFETY_S = 10.0


@contextlib.contextmanager
def held(lock: threading.Lock):
    """Hold ``lock``; yields ``release()`` (idempotent, any thread; a timer calls it too)."""
    guard, done = threading.Lock(), []

    def release() -> None:
        with guard:
            if not done:
                done.append(True)
                lock.release()

    lock.acquire()
    timer = threading.Timer(SAFETY_S, release)
    timer.start()
    try:
        yield release
    finally:
        timer.cancel()
        release()


async def fed(hub) -> None:
    """Wait until the feed's 6 calls (and 5 logins) are journalled and published."""
    async with asyncio.timeout(5):
        while hub.journal.count_events("feed") < 5 + 12:
            await asyncio.sleep(0.02)
    await hub.wait_idle()


async def test_the_loop_turns_while_a_sample_is_written(start_hub):
    async with start_hub(feed={"count": 6}) as hub:
        await fed(hub)
        now = hub.clock()
        with held(hub.journal.write_lock) as release:
            task = asyncio.create_task(hub.history.sample_off_loop(now, hub.snapshot))
            ticks = 0
            for _ in range(20):  # a ticker on the loop while the sample waits for the lock
                await asyncio.sleep(0.001)
                ticks += 1
            assert ticks == 20 and not task.done()  # on the loop, it would have blocked it
            release()
            rows = await asyncio.wait_for(task, SAFETY_S)
        stored = hub.journal.history(now, now)
        assert rows == len(stored) > 0
        assert dict((k, v) for _, k, v in stored)["site/today/answered"] == 6.0


async def test_trends_kept_in_memory_match_the_journal(start_hub):
    async with start_hub(feed={"count": 6}) as hub:
        await fed(hub)
        now = hub.clock()
        for back in (7 * 86400, 86400, 3700, 120, 60):
            await hub.history.sample_off_loop(now - back, hub.snapshot)
        trends, refs = hub.history.trends, hub.history.refs
        assert trends["team:support/today/answered"] == [[now - 120, 4.0], [now - 60, 4.0]]
        assert refs["site/today/answered"] == {"yesterday": 6.0, "last_week": 6.0}
        hub.history.refresh(now - 60, hub.snapshot.values)
        assert (hub.history.trends, hub.history.refs) == (trends, refs)


async def held_before_a_sample(hub, stack: contextlib.ExitStack):
    """Hold the write lock at a moment no sample is half done; returns ``(release, previous,
    rows)``: the last sample submitted so far (finished) and the history rows stored.

    A sample still in flight when the lock is taken may have committed all its rows already
    and be reading its refs (the refs read takes no write lock): counting rows then, and
    taking it for a sample held back, made this test see no row written under load. So the
    lock is let go and taken again once that sample is done; with the lock held, any sample
    submitted later cannot store a row before ``release()``."""
    async with asyncio.timeout(SAFETY_S):
        while True:
            inner = contextlib.ExitStack()
            release = inner.enter_context(held(hub.journal.write_lock))
            previous = hub.history._inflight
            if previous is None or previous.done():
                stack.push(inner.pop_all())
                return release, previous, len(hub.journal.history(0, hub.clock() + 3600))
            inner.close()
            await asyncio.wrap_future(previous)


async def test_stop_waits_for_a_sample_being_written(start_hub):
    with contextlib.ExitStack() as stack:  # the lock is released even if an assert fails
        async with start_hub(feed={"count": 6}, history_interval_s=1) as hub:
            await fed(hub)
            end = hub.clock() + 3600
            release, previous, before = await held_before_a_sample(hub, stack)
            async with asyncio.timeout(SAFETY_S):  # the hub's own loop starts a new sample
                while hub.history._inflight is previous:
                    await asyncio.sleep(0.02)
            assert not hub.history._inflight.done()  # held back by the lock
            asyncio.get_running_loop().call_later(0.2, release)
        assert hub.history._inflight.done()  # stop waited for it before closing the journal
    journal = Journal(hub.config.hub.database)
    assert len(journal.history(0, end)) > before
    journal.close()


def test_chunked_sample_from_a_sibling_connection_in_another_thread(tmp_path):
    journal = Journal(tmp_path / "j.db")
    rows = [(f"site/today/k{i}", float(i)) for i in range(1000)] + [("site/now/x", None)]

    def write() -> int:
        sibling = journal.sibling()  # opened, used and closed in the worker thread
        try:
            stored = sibling.add_history(60.0, rows, chunk_rows=64, pause_s=0.001)
            sibling.add_history(90.0, [("site/today/k5", -5.0)], chunk_rows=64)
            return stored
        finally:
            sibling.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert pool.submit(write).result(timeout=30) == 1000
    assert journal.history(60, 60) == sorted((60.0, k, v) for k, v in rows if v is not None)
    near = journal.values_near(["site/today/k5", "site/today/k999", "site/today/nope"], 100, 45)
    assert near == {"site/today/k5": -5.0, "site/today/k999": 999.0}  # the nearest sample wins
    journal.close()


def test_only_the_windows_screens_use_are_sampled():
    config = Config()
    config.kiosk.pages = [KioskPage("Half hour", ["answered"], window="30m", trend="answered")]
    windows = windows_of(config)
    assert windows == {"now", "today", "30m"}
    every = {"now": {"answered": 1.0}, "15m": {"answered": 2.0}, "30m": {"answered": 3.0},
             "60m": {"answered": 4.0}, "today": {"answered": 5.0, "talk_s": 6.0}}
    values = {"site": every, "team:a": every, "agent:x": every}
    parts = take(values, windows)
    assert sorted((s, w) for s, w, _ in parts) == [
        ("agent:x", "today"), ("site", "30m"), ("site", "now"), ("site", "today"),
        ("team:a", "30m"), ("team:a", "now"), ("team:a", "today")]
    assert dict((s, k) for s, w, k in parts if w == "today") == {
        "site": every["today"], "team:a": every["today"], "agent:x": {"answered": 5.0}}
    assert "talk_s" not in AGENT_REF_KPIS and "answered" in AGENT_REF_KPIS
    flat = {f"{s}/{w}/{k}": v for s, ws in values.items() for w, ks in ws.items()
            for k, v in ks.items()}
    assert dict(sampled(flat, windows)) == {
        f"{s}/{w}/{k}": v for s, w, ks in parts for k, v in ks.items()}


async def test_a_sample_queued_behind_other_work_is_written_even_if_its_caller_is_cancelled(
        tmp_path):
    """The hub's stop cancels the history loop while it awaits a sample; a sample still
    queued in the worker (behind a prune or a series read) was cancelled with it, so
    nothing was written although stop "waited" for it: the 0-row failure under load."""
    journal = Journal(tmp_path / "j.db")
    history = History(journal, Config())
    busy, go_on = threading.Event(), threading.Event()
    history._worker.submit(lambda: (busy.set(), go_on.wait(SAFETY_S)))  # other work first
    try:
        assert await asyncio.to_thread(busy.wait, SAFETY_S)
        values = {"site": {"today": {"answered": 6.0}, "now": {"calls_waiting": 2.0}}}
        task = asyncio.create_task(history.sample_off_loop(1000.0, SimpleNamespace(values=values)))
        async with asyncio.timeout(SAFETY_S):
            while history._inflight is None:
                await asyncio.sleep(0)
        task.cancel()  # what Hub.stop does to the history loop
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        go_on.set()
    await history.aclose()
    assert sorted(journal.history(1000.0, 1000.0)) == [
        (1000.0, "site/now/calls_waiting", 2.0), (1000.0, "site/today/answered", 6.0)]
    journal.close()
