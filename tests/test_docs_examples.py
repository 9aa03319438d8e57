"""Examples shown in docs/plugins.md, run as tests: the guide pulls its code from here."""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass

from panneau.hub.events import CallEntered
from panneau.hub.hookspecs import hookimpl
from panneau.hub.insights import Figures, Insight, InsightRule, PastFigure, run_rules
from panneau.hub.sources import HttpRequest, HttpResponse, SourceContext, SourceSpec
from panneau.hub.testing import RecordingContext, make_source, running


# docs: begin webhook
@dataclass
class PushOptions:
    secret: str


class PushSource:
    """Receives calls another system POSTs as JSON: {"call_id", "queue", "ts"}."""

    def __init__(self, options: PushOptions) -> None:
        self.options = options

    async def run(self, ctx: SourceContext) -> None:
        async def receive(request: HttpRequest) -> HttpResponse:
            if request.headers.get("x-secret") != self.options.secret:
                return HttpResponse(401, {"error": "bad secret"})
            try:
                data = json.loads(request.body)
                event = CallEntered(ts=float(data["ts"]), call_id=str(data["call_id"]),
                                    queue=str(data["queue"]), source_pos=str(data["call_id"]))
            except (ValueError, KeyError, TypeError) as exc:
                ctx.skipped(f"bad payload: {exc}")
                return HttpResponse(400, {"error": str(exc)})
            await ctx.emit([event])  # returns once the event is journalled
            return HttpResponse(200, {"ok": True})

        url = ctx.add_route("POST", "/calls", receive)
        ctx.set_status("live", f"waiting for POST {url}")
        await asyncio.Event().wait()  # the hub cancels this task to stop the source
# docs: end webhook


@hookimpl
def register_sources(register):
    register(SourceSpec(name="push", factory=PushSource, options=PushOptions))


# docs: begin test-webhook
async def test_push_source_receives_calls():
    source = make_source(sys.modules[__name__], "push", {"secret": "s3cret"})
    ctx = RecordingContext("crm")
    async with running(source, ctx):
        await ctx.wait_for(lambda c: c.routes)
        good = {"call_id": "17", "queue": "support", "ts": 1767261600}
        ok = await ctx.request("POST", "/hooks/crm/calls", json=good,
                               headers={"x-secret": "s3cret"})
        bad = await ctx.request("POST", "/calls", body=b"{", headers={"x-secret": "s3cret"})
        denied = await ctx.request("POST", "/calls", json=good)
    assert (ok.status, bad.status, denied.status) == (200, 400, 401)
    assert ctx.kinds() == ["call_entered"] and ctx.events[0].source == "crm"
    assert ctx.skipped_count == 1
# docs: end test-webhook


async def test_unknown_route_is_404_and_duplicate_route_refused():
    ctx = RecordingContext("crm")
    assert (await ctx.request("GET", "/nothing")).status == 404

    async def handler(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    assert ctx.add_route("get", "x", handler) == "/hooks/crm/x"
    try:
        ctx.add_route("GET", "/x", handler)
    except ValueError as exc:
        assert "already registered" in str(exc)
    else:
        raise AssertionError("a duplicate route was accepted")


# docs: begin insight-rule
WEEK = 7 * 86400.0


def busier(f: Figures):
    for scope in f.scopes("queue:"):
        now, before = f.now(scope, "today", "offered"), f.ago(WEEK, scope, "today", "offered")
        if now is not None and before and now > 1.5 * before:
            yield Insight("busier", f"{scope}/today/offered",
                          f"{f.label(scope)}: {now:g} calls offered vs {before:g} last week",
                          {"offered": now, "offered_last_week": before},
                          "today so far vs the same time last week")


@hookimpl
def register_insights(register):
    register(InsightRule("busier", busier, "busier than last week",
                         past=(PastFigure(WEEK, "today", "offered"),)))
# docs: end insight-rule


def test_insight_rule_fires_on_a_busier_day():
    [rule] = collect_insights_of(sys.modules[__name__])
    values = {"queue:support": {"today": {"offered": 31.0}}}
    past = {WEEK: {"queue:support/today/offered": 20.0}}
    [insight] = run_rules([rule], Figures(0.0, values, past)).values()
    assert insight.text == "Queue support: 31 calls offered vs 20 last week"
    assert run_rules([rule], Figures(0.0, {"queue:support": {"today": {"offered": 30.0}}},
                                     past)) == {}


def collect_insights_of(plugin) -> list[InsightRule]:
    rules: list[InsightRule] = []
    plugin.register_insights(rules.append)
    return rules
