"""An event dated far ahead of the hub's clock is skipped with its reason, at the door.

Let in, one such event (a third-party source reading a date in the wrong time zone, a PBX
whose clock jumped) moved the engine's time to its date: every caller then waiting counted as
gone (calls waiting 2 → 0) and later callers as entered before it, across a restart too (the
journal kept it). A real hub on loopback with its journal in tmp_path; the source emits two
callers, one caller two days ahead, then a third caller.
"""

from __future__ import annotations

import asyncio
import time

from panneau.hub.config import parse_config
from panneau.hub.events import CallEntered
from panneau.hub.server.app import Hub
from panneau.hub.server.journal import Journal
from panneau.hub.sources import SourceSpec

TWO_DAYS = 2 * 86400.0


class AheadSource:
    """Two callers now, one two days ahead, one more now; then stays live."""

    def __init__(self, options: None) -> None:
        pass

    async def run(self, ctx) -> None:
        t = ctx.now()
        ctx.set_status("live")
        await ctx.emit([CallEntered(ts=t - 5, call_id="c1", queue="support", source_pos="1"),
                        CallEntered(ts=t - 4, call_id="c2", queue="support", source_pos="2")])
        await ctx.emit([CallEntered(ts=t + TWO_DAYS, call_id="c3", queue="support",
                                    source_pos="3")], checkpoint={"line": 3})
        await ctx.emit([CallEntered(ts=t - 1, call_id="c4", queue="support", source_pos="4")])
        await asyncio.Event().wait()


AHEAD = SourceSpec(name="test_ahead", factory=AheadSource,
                   description="hub tests: one event two days ahead")


async def test_an_event_days_ahead_is_skipped_and_the_callers_waiting_stay(tmp_path, tools):
    async with tools.source_hub(tools.config_text(str(tmp_path / "hub.db")), AHEAD) as hub:
        # the last caller journalled: the one ahead was skipped before it
        await tools.eventually(lambda: hub.journal.count_events() >= 3, 10, "the callers")
        await hub.wait_idle()
        journalled = [e.call_id for e in hub.journal.events()]
        checkpoint = hub.journal.checkpoint("pbx")
        state = hub.supervisor.states["pbx"]
        now = hub.engine.snapshot(hub.clock())
    assert journalled == ["c1", "c2", "c4"]
    assert checkpoint == {"line": 3}  # the source's batch with it: its checkpoint taken
    assert now.get("queue:support", "now", "calls_waiting") == 3
    assert now.get("queue:support", "today", "offered") == 3
    assert state.skipped == 1
    assert "call_entered (3): time " in state.last_skipped
    assert "is ahead of the hub's clock" in state.last_skipped


async def test_a_sped_hubs_clock_does_not_start_at_an_event_dated_ahead(tmp_path, tools):
    """A restarted hub whose clock runs faster goes on from its own time when it last stored
    something, not from the latest event's date: one journalled two days ahead (before the
    door skipped them) moved its clock two days on."""
    db = str(tmp_path / "hub.db")
    journal, now = Journal(db), time.time()
    journal.accept("pbx", [CallEntered(ts=now + TWO_DAYS, call_id="c9", queue="support",
                                       source="pbx", source_pos="9")],
                   {"line": 9}, True, now, feeds=["voice"])
    journal.close()
    async with Hub(parse_config(tools.config_text(db, clock_speed=60.0), "test.toml")) as hub:
        assert now <= hub.clock() < now + 3600


def _poisoned(db: str, now: float) -> None:
    """A journal from before the door skipped them: two callers, one two days ahead, one
    more."""
    journal = Journal(db)
    for pos, ts in enumerate((now - 5, now - 4, now + TWO_DAYS, now - 1), 1):
        journal.accept("pbx", [CallEntered(ts=ts, call_id=f"c{pos}", queue="support",
                                           source="pbx", source_pos=str(pos))],
                       {"line": pos}, True, now, feeds=["voice"])
    journal.close()


async def test_a_journalled_event_days_ahead_is_not_replayed_and_stays(tmp_path, tools):
    """Journalled before the door skipped them, it moved the engine's time at every start:
    waiting 1 and offered 0 where 3 callers had entered. Left in the journal, not counted."""
    db, now = str(tmp_path / "hub.db"), time.time()
    _poisoned(db, now)
    async with Hub(parse_config(tools.config_text(db), "test.toml")) as hub:
        snap = hub.engine.snapshot(hub.clock())
        kept = [e.call_id for e in hub.journal.events()]
        skipped = hub.metrics.skipped["pbx"]
    assert snap.get("queue:support", "now", "calls_waiting") == 3
    assert snap.get("queue:support", "today", "offered") == 3
    assert kept == ["c1", "c2", "c3", "c4"] and skipped == 1


async def test_a_saved_engine_that_applied_an_event_days_ahead_is_not_restored(tmp_path, tools):
    """A hub whose clock stood two days on took it in, and saved its engine at stop; the
    next start, on the right clock, replays the journal instead of restoring that engine."""
    db, now = str(tmp_path / "hub.db"), time.time()
    _poisoned(db, now)
    config = parse_config(tools.config_text(db), "test.toml")
    async with Hub(config, clock=lambda: time.time() + TWO_DAYS + 60):
        pass  # its engine, with c3 applied, saved at stop
    async with Hub(config) as hub:
        snap = hub.engine.snapshot(hub.clock())
    assert snap.get("queue:support", "now", "calls_waiting") == 3
    assert snap.get("queue:support", "today", "offered") == 3
