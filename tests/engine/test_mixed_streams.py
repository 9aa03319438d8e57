"""Mixed random streams: calls, agents (pause reasons, wrap-up pauses, device states, logins
per queue), restarts (``reload_only`` too), tickets, surveys and entered figures, on a plain hub
and on a group hub (``site:<name>``).

Live (advanced along the way, so agent views, placements and state counts are brought up to
date lazily at many different points; the first advance at the start of the span, before the
events of the minute before it arrive) equals a replay of the same events by a fresh engine;
an engine saved and loaded along the way, its clock running ahead of the events, equals one
never saved.

Seeded ``random`` streams, a fixed number of them: the same examples on every run.
"""

from __future__ import annotations

import dataclasses
import json
import random

import pytest

from panneau.hub import events as ev
from panneau.hub.config import Config, HubSettings, KpiSettings, QueueSettings, Team, Threshold
from panneau.hub.config.schema import ClusterSettings
from panneau.hub.config.sites import expand_group
from panneau.hub.engine import Engine, arrival
from tests.engine.conftest import T0
from tests.engine.test_properties import close

BASE = T0 + 2 * 3600  # the day of America/New_York starting 05:30 falls inside the span
REASONS = ["Lunch", "ACW", "Wrap-up", None]


def config(group: bool) -> Config:
    sites = ["paris", "lyon"] if group else []
    return expand_group(Config(
        hub=HubSettings(timezone="America/New_York", day_start="05:30"),
        kpi=KpiSettings(wrapup_s=7, short_abandon_s=3, small_n=3, level2_queues=["s"],
                        level2_groups=["H"]),
        queues={"q": QueueSettings(service_level_s=15), "s": QueueSettings()},
        teams=[Team(id="t", queues=["q"], agents=["A", "B"], groups=["G"]),
               Team(id="u", queues=["s", "q"], agents=["B", "C"], groups=["H"])],
        thresholds=[Threshold(kpi="service_level", warn=80, alert=60, hysteresis=2),
                    Threshold(kpi="agents_available", warn=2, alert=1, team="t"),
                    Threshold(kpi="abandon_rate", warn=5, alert=20, queue="q")],
        cluster=ClusterSettings(role="group", sites=sites) if group else None))


def calls(r: random.Random, site: str | None, name, span: int) -> list[ev.Event]:
    out: list[ev.Event] = []
    src = site or ""
    for i in range(r.randint(0, 40)):
        q, agent, cid = name(r.choice("qsx")), name(r.choice("ABCD")), name(f"c{i}")
        t, wait, talk = BASE + r.randint(0, span), r.choice([0, 5, 16, 40]), r.choice([0, 30])
        out.append(ev.CallEntered(ts=t, call_id=cid, queue=q, source=src))
        fate = r.choice(["answer", "transfer", "abandon", "cancel", "timeout", "wait", "lost"])
        if r.random() < 0.5:
            out.append(ev.AgentRung(ts=t + wait, call_id=cid, queue=q, agent=agent, source=src))
        if fate in ("answer", "transfer"):
            out.append(ev.CallAnswered(ts=t + wait, call_id=cid, queue=q, agent=agent,
                                       hold_s=wait, source=src))
            out.append(ev.CallEnded(ts=t + wait + talk, call_id=cid, queue=q, agent=agent,
                                    hold_s=wait, talk_s=talk, source=src,
                                    ended_by="transfer" if fate == "transfer" else "agent",
                                    transfer_to="s" if fate == "transfer" else None))
        elif fate in ("abandon", "cancel"):
            if fate == "cancel":
                out.append(ev.RingNoAnswer(ts=t + wait, call_id=cid, queue=q, agent=agent,
                                           ring_ms=900, canceled=True, source=src))
            out.append(ev.CallAbandoned(ts=t + wait, call_id=cid, queue=q, wait_s=wait,
                                        source=src))
        elif fate == "lost":
            out.append(ev.CallLost(ts=t + wait, call_id=cid, queue=q, source=src))
        elif fate == "timeout":
            out.append(ev.CallLeft(ts=t + wait, call_id=cid, queue=q, wait_s=wait,
                                   reason="timeout", source=src))
    return out


def agents(r: random.Random, site: str | None, name, span: int) -> list[ev.Event]:
    out: list[ev.Event] = []
    src = site or ""
    for agent in map(name, "ABCD"):
        t = BASE + r.randint(-60, 60)
        out.append(ev.AgentLoggedIn(ts=t, agent=agent, queue=r.choice([None, name("q")]),
                                    source=src))
        for _ in range(r.randint(0, 6)):
            t += r.randint(0, span // 4)
            k = r.random()
            if k < 0.45:
                out.append(ev.AgentPaused(ts=t, agent=agent, reason=r.choice(REASONS),
                                          queue=r.choice([None, name("q")]), source=src))
                t += r.randint(0, 900)
                out.append(ev.AgentUnpaused(ts=t, agent=agent, source=src))
            elif k < 0.6:
                out.append(ev.AgentStatus(
                    ts=t, agent=agent, state=r.choice(["available", "on_call", "unavailable"]),
                    paused=r.choice([None, True, False]), reason=r.choice(REASONS), source=src))
            elif k < 0.75:
                out.append(ev.AgentLoggedOut(ts=t, agent=agent, source=src))
                out.append(ev.AgentLoggedIn(ts=t + r.randint(0, 600), agent=agent,
                                            queue=name(r.choice("qs")), source=src))
            else:
                out.append(ev.SystemRestart(ts=t, reload_only=r.random() < 0.5, source=src))
    return out


def helpdesk(r: random.Random, site: str | None, name, span: int) -> list[ev.Event]:
    out: list[ev.Event] = []
    src = site or ""
    for i in range(r.randint(0, 5)):
        t, tid = BASE + r.randint(0, span), name(f"k{i}")
        out.append(ev.TicketCreated(ts=t, ticket_id=tid, group=name(r.choice("GHZ")),
                                    source=src))
        for step in r.choices(["reply", "solve", "reopen", "breach"], k=r.randint(0, 4)):
            t += r.randint(0, 1800)
            out.append({"reply": ev.TicketReplied(ts=t, ticket_id=tid, agent=name("A")),
                        "solve": ev.TicketSolved(ts=t, ticket_id=tid),
                        "reopen": ev.TicketReopened(ts=t, ticket_id=tid),
                        "breach": ev.TicketSlaBreached(ts=t, ticket_id=tid, metric="reply"),
                        }[step])
    for i in range(r.randint(0, 5)):
        out.append(ev.SurveyResponse(ts=BASE + r.randint(0, span), response_id=name(f"r{i}"),
                                     survey="csat", score=r.randint(1, 5), scale_min=1,
                                     scale_max=5, agent=r.choice([None, name("A")]),
                                     source=src))
    for i in range(r.randint(0, 3)):
        out.append(ev.FigureEntered(ts=BASE + r.randint(0, span), entry_id=name(f"e{i}"),
                                    figure=r.choice(["training_hours", "headcount", "cost"]),
                                    amount=r.choice([1, 3]), team=r.choice([None, name("t")]),
                                    source=src))
    return out


def stream(seed: int) -> tuple[Config, list[ev.Event], random.Random]:
    r = random.Random(seed)
    group = seed % 3 == 0
    span = r.choice([600, 3600, 6 * 3600])
    out: list[ev.Event] = []
    for site in ["paris", "lyon"] if group else [None]:
        def name(x: str, site=site) -> str:
            return f"{site}:{x}" if site else x
        for part in (calls, agents, helpdesk):
            out += part(r, site, name, span)
    out.sort(key=lambda e: e.ts)
    return config(group), out, r


@pytest.mark.parametrize("seed", range(40))
def test_live_equals_a_replay(seed):
    cfg, events, r = stream(seed)
    live, now = Engine(cfg), BASE
    for event in events:
        live.apply(event)
        now = max(now, event.ts)
        if r.random() < 0.2:
            live.advance(now)
    replay = Engine(cfg)
    for event in sorted(events, key=lambda e: e.ts):
        replay.apply(event)
    end_live, end_replay = live.snapshot(now + 30), replay.snapshot(now + 30)
    assert close(end_live.values, end_replay.values)
    assert live.timeline.beyond_reach == 0
    assert end_live.agents == end_replay.agents
    assert end_live.paused_reasons == end_replay.paused_reasons
    assert end_live.bad_events == end_replay.bad_events


@pytest.mark.parametrize("seed", range(30))
def test_saved_and_loaded_along_the_way_equals_never_saved(seed):
    """As a hub saves its engine and restarts: the clock ahead of the events (so many arrive
    behind the frontier and are put in their place by going back to a checkpoint), a save and
    load now and then. Same figures, agents and reasons as the engine never saved."""
    cfg, events, r = stream(seed)
    kept, saved, now = Engine(cfg), Engine(cfg), BASE
    for event in events:
        kept.apply(event)
        saved.apply(event)
        now = max(now, event.ts)
        if r.random() < 0.3:
            now += r.choice([0, 10, 61])
            kept.advance(now)
            saved.advance(now)
            if r.random() < 0.5:
                saved = Engine.from_data(cfg, json.loads(json.dumps(saved.to_data())))
    a, b = kept.snapshot(now + 7200), saved.snapshot(now + 7200)
    assert close(b.values, a.values)
    assert (b.agents, b.paused_reasons, b.bad_events) == (a.agents, a.paused_reasons,
                                                          a.bad_events)


def test_entered_figures_are_counted_once_after_going_back_to_a_checkpoint():
    """A checkpoint holds a copy of the entered figures' day sums: an entry after it, then a
    late event that sends the engine back to it, counts the entry once (the checkpoint shared
    the live day sums, so the entry was in it and was counted again: 7 instead of 4)."""
    engine = Engine(config(False))
    engine.apply(ev.FigureEntered(ts=BASE, entry_id="e0", figure="cost", amount=1))
    engine.advance(BASE + 1)
    engine.apply(ev.FigureEntered(ts=BASE + 30, entry_id="e1", figure="cost", amount=3))
    engine.advance(BASE + 90)
    engine.apply(ev.CallEntered(ts=BASE + 40, call_id="c1", queue="q"))  # late
    assert engine.snapshot(BASE + 100).get("site", "today", "cost_total") == 4
    assert engine.timeline.rewinds == 1


@pytest.mark.parametrize("group", [False, True])
def test_entered_figures_alone_in_their_scope_are_shown_after_a_restart(group):
    """A scope with entered figures and nothing else (a group hub's ``site:<name>``, a plain
    hub's ``site``) is shown again by an engine loaded from saved data (found by comparing
    snapshots of an engine saved and loaded along the way with one that never was)."""
    cfg = config(group)
    kept = Engine(cfg)
    kept.apply(ev.FigureEntered(ts=BASE, entry_id="e0", figure="headcount", amount=3,
                                source="lyon" if group else "hr"))
    kept.snapshot(BASE + 10)
    loaded = Engine.from_data(cfg, json.loads(json.dumps(kept.to_data())))
    scope = "site:lyon" if group else "site"
    assert loaded.snapshot(BASE + 20).values == kept.snapshot(BASE + 20).values
    assert loaded.query().get(scope, "today", "headcount") == 3


@pytest.mark.parametrize("seed", range(12))
def test_apply_all_equals_apply_one_at_a_time(seed, monkeypatch):
    """``apply_all`` (a replay's batches) takes the events at the same points as ``apply`` one
    at a time, even when some arrive later than the hold of a replay's buffer (taken out of
    order, so where the buffer is taken matters): the same figures to the last bit. A small
    buffer makes a short stream reach those points."""
    monkeypatch.setattr(arrival, "_BUFFER", 7)
    cfg, events, r = stream(seed)
    for _ in range(len(events) // 10):  # some events far later than their time
        i = r.randrange(len(events))
        events.insert(min(len(events), i + r.randrange(20, 200)), events.pop(i))
    one, batched = Engine(cfg), Engine(cfg)
    for event in events:
        one.apply(event)
    start = 0
    while start < len(events):
        size = r.choice([1, 3, 7, 20, 500])
        part = events[start:start + size]
        assert batched.apply_all(part) == (min(e.ts for e in part), max(e.ts for e in part))
        start += size
    assert batched.apply_all([]) is None
    assert batched.timeline.pending == one.timeline.pending
    assert batched.timeline.frontier == one.timeline.frontier
    now = max(e.ts for e in events) + 30
    a, b = one.snapshot(now), batched.snapshot(now)
    assert a.values == b.values
    assert (a.agents, a.bad_events) == (b.agents, b.bad_events)
    # live (after the first advance) too
    more = [dataclasses.replace(e, ts=e.ts + 3600) for e in events[:50]]
    for event in more:
        one.apply(event)
    assert batched.apply_all(more) == (min(e.ts for e in more), max(e.ts for e in more))
    a, b = one.snapshot(now + 3700), batched.snapshot(now + 3700)
    assert a.values == b.values


def test_apply_all_refuses_what_is_not_an_event_after_taking_those_before():
    cfg, events, _ = stream(1)
    engine, expected = Engine(cfg), Engine(cfg)
    with pytest.raises(ev.InvalidEvent, match="not an event: dict"):
        engine.apply_all([*events[:10], {"ts": BASE}, *events[10:20]])
    for event in events[:10]:
        expected.apply(event)
    now = events[9].ts + 60
    assert engine.snapshot(now).values == expected.snapshot(now).values
