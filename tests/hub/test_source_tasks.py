"""The tasks a source starts end with its run: cancelled when it is restarted, and at hub stop.

A source that reads a socket or polls an API often starts a task of its own inside ``run``.
They were left running when ``run`` failed and the hub restarted the source: each restart
added one more, emitting through the old context beside the new run's. A real hub on
loopback, its journal in tmp_path; the source starts a task that emits a call every few
milliseconds, then fails once that task has emitted.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import ClassVar

from panneau.hub.events import CallEntered
from panneau.hub.sources import SourceSpec
from tests.hub.conftest import eventually


class ParentSource:
    """Starts a task that emits calls (``r<run>c<i>``); fails once it has emitted one."""

    children: ClassVar[list[asyncio.Task]] = []

    def __init__(self, options: None) -> None:
        self.emitted = asyncio.Event()

    async def run(self, ctx) -> None:
        run = len(ParentSource.children)
        child = asyncio.get_running_loop().create_task(self._emit(ctx, run))
        ParentSource.children.append(child)
        ctx.set_status("live")
        await self.emitted.wait()
        raise RuntimeError("parent broke on purpose")

    async def _emit(self, ctx, run: int) -> None:
        for i in itertools.count():
            await ctx.emit([CallEntered(ts=ctx.now(), call_id=f"r{run}c{i}", queue="support",
                                        source_pos=f"{run}.{i}")])
            self.emitted.set()
            await asyncio.sleep(0.005)


PARENT = SourceSpec(name="test_parent", factory=ParentSource,
                    description="hub tests: a source whose task outlives its run")


async def test_the_tasks_a_source_started_are_cancelled_at_each_restart_and_at_stop(
        tmp_path, tools):
    ParentSource.children = []
    children = ParentSource.children
    async with tools.source_hub(tools.config_text(str(tmp_path / "hub.db")), PARENT,
                                backoff_min=0.01, backoff_max=0.05) as hub:
        await eventually(lambda: hub.supervisor.states["pbx"].restarts >= 3, 20,
                         "three restarts")
        ended = children[:3]
        assert [t.get_name().startswith("source:pbx/") for t in ended] == [True] * 3
        assert all(t.cancelled() for t in ended)  # each before the next run started
        last = children[-1]
    assert last.cancelled()  # the hub stopped: the running one's too
