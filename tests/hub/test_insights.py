"""Insight rules through a real hub: a plugin's rules, past figures from the journal, and who
receives which insight on the wire."""

from __future__ import annotations

import asyncio

from panneau.hub.hookspecs import hookimpl
from panneau.hub.insights import Insight, InsightRule, PastFigure
from panneau.hub.plugins import collect_insights, make_plugin_manager

WEEK = 7 * 86400.0
OURS = ("busier/", "gossip/")  # this test's rules (built-in ones may fire too)


def busier(f):
    """Offered today vs the same time last week, on every queue."""
    for scope in f.scopes("queue:"):
        now, before = f.now(scope, "today", "offered"), f.ago(WEEK, scope, "today", "offered")
        if now is not None and before is not None:
            yield Insight("busier", f"{scope}/today/offered",
                          f"{f.label(scope)}: {now:g} offered vs {before:g} last week",
                          {"offered": now, "offered_last_week": before}, "today vs last week")


def gossip(f):
    """Rules a careless plugin might write: one names an agent on a team scope."""
    if f.now("team:support", "today", "offered") is not None:
        yield Insight("gossip", "team:support/today/offered", "ag-ann takes most calls", {},
                      "today")
        yield Insight("gossip", "agent:ag-ann/today/answered", "busy", {"answered": 1}, "today")


class RulesPlugin:
    @hookimpl
    def register_insights(self, register):
        register(InsightRule("busier", busier, "test", past=(
            PastFigure(WEEK, "today", "offered"), PastFigure(WEEK, "60m", "offered"))))
        register(InsightRule("gossip", gossip, "test"))


def test_built_in_rules_register_through_the_hook_and_duplicates_are_refused():
    pm = make_plugin_manager(load_entry_points=False)
    pm.register(RulesPlugin(), name="rules")

    class Again:
        @hookimpl
        def register_insights(self, register):
            register(InsightRule("csat", busier))
            register("not a rule")

    pm.register(Again(), name="again")
    registry = collect_insights(pm)
    assert {"staffing", "abandon", "occupancy", "backlog", "csat", "busier", "gossip"} <= set(
        registry.specs)
    assert registry.provider["csat"] == "panneau.plugins.insights"
    assert registry.refused == [
        "again: insight rule 'csat' is already registered by panneau.plugins.insights",
        "again: register() takes a InsightRule, got 'not a rule'"]


async def test_insights_reach_each_audience_by_scope_and_never_name_a_colleague(
        start_hub, feed_pm, tools):
    feed_pm.register(RulesPlugin(), name="rules")
    async with start_hub(feed={"count": 10}) as hub:
        # sampled for the rules (the built-in abandon rule's too), besides now and today
        assert hub.history.extra == {"60m": ("abandon_rate_pct", "offered")}
        async with asyncio.timeout(5):  # the feed's 10 calls: 6 to support, 4 to sales
            while hub.snapshot.get("queue:sales", "today", "offered") != 4:
                await hub.wait_idle()
                await asyncio.sleep(0.01)
        now = hub.clock()
        hub.journal.add_history(now - WEEK, [("queue:support/today/offered", 2.0),
                                             ("queue:sales/today/offered", 1.0)])
        found = await hub.refresh_insights()
        assert found["busier/queue:support"]["text"] == "Queue support: 6 offered vs 2 last week"
        assert found["busier/queue:support"]["figures"] == {"offered": 6.0,
                                                            "offered_last_week": 2.0}
        ours = {i for i in found if i.startswith(OURS)}
        assert ours == {"busier/queue:support", "busier/queue:sales", "gossip/team:support",
                        "gossip/agent:ag-ann"}
        await hub.wait_idle()  # published

        async def insights(token: str) -> set[str]:
            ws = await tools.hello(hub.ws_url, token)
            snapshot = await tools.recv(ws)
            await ws.close()
            assert snapshot["type"] == "snapshot"
            return {k.removeprefix("insight:") for k in snapshot["view"]
                    if k.startswith(tuple(f"insight:{p}" for p in OURS))}

        assert await insights(tools.MANAGER) == ours
        # the wall: its queue's insight; not the one naming an agent, no agent scope
        assert await insights(tools.kiosk_token("support")) == {"busier/queue:support"}
        # an agent: its own and its team's, the one naming itself, never a colleague's
        assert await insights(tools.agent_token("ag-ann")) == {
            "busier/queue:support", "gossip/team:support", "gossip/agent:ag-ann"}
        assert await insights(tools.agent_token("ag-ben")) == {"busier/queue:support"}
        # sales lists 2 agents (< hub.min_team_size): no queue total reaches its agents
        assert await insights(tools.agent_token("ag-dee")) == set()
        assert await insights(tools.kiosk_token("sales")) == {"busier/queue:sales"}
