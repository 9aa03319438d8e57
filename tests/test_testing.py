"""panneau.hub.testing: the helpers plugin authors rely on behave like the hub and fail loudly."""

from __future__ import annotations

import asyncio
import re

import pytest

from panneau.hub.config.schema import Config, Team, Threshold
from panneau.hub.events import AgentLoggedIn, CallAnswered, CallEntered
from panneau.hub.hookspecs import hookimpl
from panneau.hub.sources import UNCHANGED, HttpResponse, SourceSpec
from panneau.hub.testing import (
    ManualClock,
    RecordingContext,
    figures,
    make_source,
    run_source,
    snapshot,
)


class Scripted:
    """A source doing whatever the test says, then idling."""

    def __init__(self, *steps) -> None:
        self.steps = steps

    async def run(self, ctx) -> None:
        for step in self.steps:
            await step(ctx)
        await asyncio.Event().wait()


def login(agent: str, checkpoint=UNCHANGED):
    async def step(ctx):
        await ctx.emit([AgentLoggedIn(ts=ctx.now(), agent=agent)], checkpoint=checkpoint)
    return step


async def test_records_events_checkpoints_and_sets_the_source_name():
    clock = ManualClock(100.0)
    ctx = RecordingContext("pbx", clock=clock)
    await run_source(Scripted(login("a", {"n": 1}), login("b")), ctx,
                     until=lambda c: len(c.events) == 2)
    assert [(e.agent, e.source, e.ts) for e in ctx.events] == [("a", "pbx", 100.0),
                                                               ("b", "pbx", 100.0)]
    assert ctx.checkpoints == [{"n": 1}] and ctx.checkpoint == {"n": 1}
    assert ctx.restarted().checkpoint == {"n": 1} and not ctx.restarted().events
    assert clock.advance(5) == 105.0 == ctx.now()


async def _answer(request):
    return HttpResponse(200)


async def test_refuses_what_the_hub_refuses():
    ctx = RecordingContext()
    with pytest.raises(TypeError, match=r"emitted str, not a panneau\.hub\.events event"):
        await ctx.emit(["not an event"])
    with pytest.raises(TypeError, match="a checkpoint must be JSON"):
        await ctx.emit([], checkpoint=object())
    with pytest.raises(ValueError, match="status must be one of starting, live, stale, down"):
        ctx.set_status("up")
    with pytest.raises(ValueError, match="at least 1"):
        ctx.skipped("line 2", 0)
    ctx.add_route("post", "calls", _answer)
    with pytest.raises(ValueError, match="route POST /hooks/test/calls is already registered"):
        ctx.add_route("POST", "/calls", _answer)
    for path, reason in (("../other/calls", "'..' and '.' are not path segments here"),
                         ("a//b", "an empty segment ('//') is not allowed"),
                         ("calls#x", "'#' cannot be in a path")):
        with pytest.raises(ValueError, match=re.escape(f"webhook path {path!r}: {reason}")):
            ctx.add_route("POST", path, _answer)
    assert list(ctx.routes) == [("POST", "/hooks/test/calls")]
    assert (await ctx.request("POST", "/calls")).status == 200
    wrong = await ctx.request("GET", "/calls")  # as the hub answers: 405, not 404
    assert (wrong.status, wrong.body) == (405, {"error": "/calls takes POST, not GET"})
    assert (await ctx.request("GET", "/nope")).status == 404
    await ctx.emit([], checkpoint={"ids": (1, 2)})
    assert ctx.checkpoint == {"ids": [1, 2]}  # what a restart gets back from the journal


async def test_a_source_crash_is_re_raised():
    async def boom(ctx):
        raise RuntimeError("cannot connect")

    with pytest.raises(RuntimeError, match="cannot connect"):
        await run_source(Scripted(boom), RecordingContext(), until=lambda c: False)


async def test_a_source_that_never_gets_there_times_out_saying_what_it_did():
    ctx = RecordingContext("slow")

    async def unwell(ctx):
        ctx.set_status("down", "no route")
        ctx.skipped("line 3", 2)

    with pytest.raises(TimeoutError, match="1 events, status 'down', 2 skipped"):
        await run_source(Scripted(login("a"), unwell), ctx, until=lambda c: len(c.events) > 5,
                         timeout=0.2)


async def test_run_source_returns_when_the_source_returns():
    class Once:
        async def run(self, ctx):
            await login("a")(ctx)

    ctx = await run_source(Once(), RecordingContext())
    assert ctx.kinds() == ["agent_logged_in"]


async def test_engine_context_and_figures_agree():
    config = Config(teams=[Team(id="t", queues=["q"], agents=["a"])],
                    thresholds=[Threshold("calls_waiting", warn=1.0, alert=2.0)])
    from panneau.hub.engine import Engine

    ctx = RecordingContext(engine=Engine(config))
    events = [CallEntered(ts=10.0, call_id="1", queue="q"),
              CallEntered(ts=11.0, call_id="2", queue="q"),
              CallAnswered(ts=20.0, call_id="1", queue="q", agent="a", hold_s=10.0)]
    await ctx.emit(events)
    assert ctx.engine.snapshot(20.0).flat() == figures(events, config=config)
    snap = snapshot(events[:2], config=config)
    assert snap.values["queue:q"]["now"]["calls_waiting"] == 2
    assert snap.states["queue:q"]["now"]["calls_waiting"] == "alert"


class _NoRun:
    def __init__(self, options) -> None:
        pass


class _SyncRun(_NoRun):
    def run(self, ctx) -> None:
        ctx.set_status("live")


class _Sources:
    @hookimpl
    def register_sources(self, register):
        register(SourceSpec(name="norun", factory=_NoRun))
        register(SourceSpec(name="syncrun", factory=_SyncRun))


def test_make_source_refuses_a_source_without_an_async_run_as_the_hub_does():
    """The author's first test failed on ``AttributeError: '_NoRun' object has no attribute
    'run'`` (or, for a plain ``def run``, "can't be used in 'await' expression")."""
    with pytest.raises(TypeError, match=r"^source 'norun': its factory returned a _NoRun, "
                                        r"which has no run\(ctx\) method: a source needs "
                                        r"'async def run\(self, ctx\)'$"):
        make_source(_Sources(), "norun")
    with pytest.raises(TypeError, match=r"^source 'syncrun': _SyncRun.run is not 'async def'"):
        make_source(_Sources(), "syncrun")
