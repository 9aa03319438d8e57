"""The agents' topics and the managers' ``agents`` part look only at the agents the engine
names as moved, and come out as if everything had been compared and built whole: same
topics, same values in the same order, same encoded change (a real engine and its events;
pure, no I/O)."""

import dataclasses

from panneau.hub import events as ev
from panneau.hub.config import parse_config
from panneau.hub.engine import Engine
from panneau.hub.server.publisher import Publisher, _PartState
from panneau.hub.server.views import Part, Patched, ViewInputs, Views, build_part, changed_topics

AGENTS = Part("agents")


def _steps(t0: float) -> list[tuple[float, list[ev.Event]]]:
    """A morning: logins, pauses, calls and a wrap-up, an agent nobody configured coming in,
    one moving queue, and ticks where no agent moves."""
    def at(s: float) -> float:
        return t0 + s

    return [
        (at(0), [ev.AgentLoggedIn(ts=at(0), agent=a)
                 for a in ("ag-ann", "ag-ben", "ag-cid", "ag-dee", "ag-eve")]),
        (at(1), []),
        (at(2), [ev.AgentPaused(ts=at(2), agent="ag-ben", reason="lunch")]),
        (at(3), [ev.CallEntered(ts=at(3), call_id="c1", queue="support"),
                 ev.AgentRung(ts=at(3), call_id="c1", queue="support", agent="ag-ann")]),
        (at(4), [ev.CallAnswered(ts=at(4), call_id="c1", queue="support", agent="ag-ann",
                                 hold_s=1.0)]),
        (at(5), [ev.AgentLoggedIn(ts=at(5), agent="ag-new", queue="sales"),  # not configured
                 ev.AgentUnpaused(ts=at(5), agent="ag-ben")]),
        (at(6), [ev.AgentLoggedIn(ts=at(6), agent="ag-eve", queue="support")]),  # queues only
        (at(40), [ev.CallEnded(ts=at(40), call_id="c1", queue="support", agent="ag-ann",
                               hold_s=1.0, talk_s=36.0, ended_by="caller")]),
        (at(41), [ev.AgentPaused(ts=at(41), agent="ag-dee"),
                  ev.AgentPaused(ts=at(41), agent="ag-cid", reason="coffee")]),
        (at(200), []),  # wrap-up over
        (at(201), [ev.AgentLoggedOut(ts=at(201), agent="ag-cid")]),
    ]


def test_the_agents_topics_and_part_follow_the_moved_agents_as_if_all_were_compared(tools):
    config = parse_config(tools.config_text("unused.db"), "t.toml")
    engine = Engine(config)
    t0 = 1_796_029_200.0
    inputs = ViewInputs(engine.snapshot(t0 - 1))
    views = Views(config, inputs)
    ps = _PartState(views.build(AGENTS))
    named = whole = 0
    for now, batch in _steps(t0):
        for event in batch:
            engine.apply(event)
        new = ViewInputs(engine.snapshot(now))
        unnamed = dataclasses.replace(new.snapshot, agents_since=None)
        assert changed_topics(inputs, new) == changed_topics(inputs, ViewInputs(unnamed))
        topics = views.update(new)
        if ("agents", "") not in topics:
            inputs = new
            continue
        values = views.build(AGENTS)
        built = build_part(AGENTS, config, new)
        assert list(values.items()) == list(built.items())  # same order: same bytes
        patched = type(values) is Patched
        named += patched
        whole += not patched
        # the change the publisher encodes from the named keys, as from a whole compare
        plain = _PartState(ps.values)
        change, full = Publisher._refresh(ps, values), Publisher._refresh(plain, dict(values))
        if change is None or full is None:
            assert change is full
        else:
            assert change[1] == full[1] and change[2] == full[2]
        inputs = new
    assert named >= 5 and whole >= 1  # both ways were taken (a new agent: whole)
