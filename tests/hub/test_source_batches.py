"""A source's batch reaches the engine in one ``apply_all`` call, after the journal, and gives
the figures, alerts and bad-event counts of the same events applied one at a time.

A real hub on loopback with its journal in tmp_path; the source emits scripted batches (one
late event, events the engine cannot use, enough waiting calls to raise an alert); the
reference is a fresh engine given every journalled event by ``apply``, one at a time.
"""

from __future__ import annotations

import asyncio

from panneau.hub.engine import Engine
from panneau.hub.events import (
    AgentLoggedIn,
    CallAbandoned,
    CallAnswered,
    CallEnded,
    CallEntered,
    Event,
)
from panneau.hub.sources import SourceSpec


def scripted_batches(t: float) -> list[list[Event]]:
    """Batches of several events each, from hub time ``t`` on."""
    logins = [AgentLoggedIn(ts=t, agent=a, queue=None) for a in ("ag-ann", "ag-ben", "ag-dee")]
    waiting = [CallEntered(ts=t + 1 + i, call_id=f"w{i}", queue="support", source_pos=f"w{i}")
               for i in range(7)]  # calls_waiting 7: over the alert threshold (6)
    answered = [
        CallEntered(ts=t + 2, call_id="a1", queue="sales", source_pos="a1"),
        CallAnswered(ts=t + 9, call_id="a1", queue="sales", agent="ag-dee", hold_s=7.0,
                     source_pos="a1"),
        CallEnded(ts=t + 70, call_id="a1", queue="sales", agent="ag-dee", hold_s=7.0,
                  talk_s=61.0, ended_by="agent", source_pos="a1"),
        CallEntered(ts=t + 3, call_id="a1", queue="sales", source_pos="dup"),  # duplicate
        CallEntered(ts=t + 4, call_id="x1", queue="nowhere", source_pos="x1"),  # unknown queue
    ]
    late = [
        CallEntered(ts=t - 30, call_id="l1", queue="sales", source_pos="l1"),  # before the rest
        CallAbandoned(ts=t - 10, call_id="l1", queue="sales", wait_s=20.0, source_pos="l1"),
        CallAbandoned(ts=t + 80, call_id="gone", queue="sales", wait_s=5.0,  # never entered
                      source_pos="gone"),
    ]
    return [logins, waiting, answered, late]


class BatchSource:
    """Emits :func:`scripted_batches`, then stays live."""

    def __init__(self, options: None) -> None:
        pass

    async def run(self, ctx) -> None:
        ctx.set_status("live")
        for batch in scripted_batches(ctx.now()):
            await ctx.emit(batch)
        await asyncio.Event().wait()


BATCHES = SourceSpec(name="test_batches", factory=BatchSource,
                     description="hub tests: emits scripted batches")


async def test_a_sources_batches_give_the_figures_of_one_event_at_a_time(tmp_path, tools):
    emitted = [e for batch in scripted_batches(1000.0) for e in batch]
    async with tools.source_hub(tools.config_text(str(tmp_path / "hub.db")), BATCHES,
                                name="batches") as hub:
        await tools.eventually(lambda: hub.journal.count_events() >= len(emitted), 10,
                               "every batch journalled")
        await hub.wait_idle()
        journalled = list(hub.journal.events())
        now = hub.clock() + 1.0
        live = hub.engine.snapshot(now)
        applied = hub.metrics.apply_count
    # journalled as emitted, in order: the engine is given what the journal holds
    assert [(e.kind, e.source_pos) for e in journalled] == [(e.kind, e.source_pos)
                                                            for e in emitted]
    assert applied == len(emitted)
    reference = Engine(hub.config)
    for event in journalled:
        reference.apply(event)
    replayed = reference.snapshot(now)
    assert replayed.flat()["site/today/offered"] >= 9
    assert live.flat() == replayed.flat()
    assert live.agents == replayed.agents
    assert live.bad_events == replayed.bad_events
    assert {"duplicate_enter", "unknown_queue"} <= set(live.bad_events)
    assert any("calls_waiting" in key for key in live.active_alerts)
    assert live.active_alerts.keys() == replayed.active_alerts.keys()
