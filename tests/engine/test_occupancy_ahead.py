"""The occupancy table of a minute's turn worked out ahead, in the last seconds of the minute
before: the turn's figures are those of a whole read, whatever moved in between."""

from __future__ import annotations

import random

from panneau.hub import events as ev
from panneau.hub.config import Config, QueueSettings, Team
from panneau.hub.engine import Engine, occupancy
from tests.engine.conftest import T0

AGENTS = [f"a{i}" for i in range(10)]
CONFIG = Config(queues={"q": QueueSettings(), "s": QueueSettings()},
                teams=[Team(id="t", queues=["q", "s"], agents=AGENTS[:8])])


def _stream(seed: int, minutes: int) -> list[ev.Event]:
    """Calls answered by agents of two queues, a third of them answered and ended between a
    minute's 59th second and its end (after the table was worked out ahead), and every fifth
    minute a new agent logging in then (a scope with agent time added)."""
    rng = random.Random(seed)
    out: list[ev.Event] = [ev.AgentLoggedIn(ts=T0, agent=a, queue="q" if i % 2 else "s")
                           for i, a in enumerate(AGENTS)]
    for n in range(minutes * 3):
        agent = rng.choice(AGENTS)
        queue = "q" if AGENTS.index(agent) % 2 else "s"
        t = T0 + 60 + rng.randrange(minutes * 60)
        talk, cid = rng.randrange(20, 300), f"c{n}"
        if n % 3 == 0:  # answered and ended late in their minutes
            t = t - t % 60 + 59.5
            talk = 60.0 * rng.randrange(1, 4) + 0.2
        out += [ev.CallEntered(ts=t - 5, call_id=cid, queue=queue),
                ev.CallAnswered(ts=t, call_id=cid, queue=queue, agent=agent, hold_s=5),
                ev.CallEnded(ts=t + talk, call_id=cid, queue=queue, agent=agent, hold_s=5,
                             talk_s=talk, ended_by="caller")]
    for m in range(5, minutes, 5):
        agent = f"n{m}"
        out.append(ev.AgentLoggedIn(ts=T0 + m * 60 + 59.5, agent=agent, queue="q"))
        out.append(ev.AgentLoggedOut(ts=T0 + m * 60 + 100.5, agent=agent, queue="q"))
    return sorted(out, key=lambda e: e.ts)


def test_the_turn_takes_the_table_worked_out_ahead_but_what_moved():
    """Ticks every second for 40 minutes; at each turn the figures equal those of a fresh
    engine fed the same events (which reads its table whole). The table worked out ahead was
    taken at the turns (its rows shared), with the scopes that moved after it worked out
    again; a turn with a scope added after it read whole (no row shared)."""
    events = _stream(3, 40)
    live, i, ahead = Engine(CONFIG), 0, None
    taken: list[int] = []  # per turn: rows worked out again (-1: none shared)
    for step in range(40 * 60):
        now = T0 + 30 + step
        while i < len(events) and events[i].ts <= now:
            live.apply(events[i])
            i += 1
        snap = live.snapshot(now)
        if now % 60 == 0 and ahead is not None:
            table, before = live._occupancy.table, ahead[3]
            shared = sum(row is before.get(scope) for scope, row in table.items())
            taken.append(len(table) - shared if shared else -1)
            fresh = Engine(CONFIG)
            fresh.apply_all(events[:i])
            assert snap.values == fresh.snapshot(now).values, step
        ahead = live._occupancy._ahead
    assert len(taken) >= 35
    assert sum(n > 0 for n in taken) >= 20  # agents that moved after the table was worked out
    assert taken.count(-1) >= 5  # a scope added after it: the table read whole


def test_no_table_worked_out_ahead_for_a_tick_too_early_or_a_new_day():
    """A tick more than ``LEAD_S`` before the turn works nothing out; nor one before a new
    working day (its day start is read at the turn)."""
    engine = Engine(Config(queues={"q": QueueSettings()}))
    engine.apply(ev.AgentLoggedIn(ts=T0, agent="A", queue="q"))
    engine.snapshot(T0 + 60 + 60 - occupancy.LEAD_S - 0.5)
    assert engine._occupancy._ahead is None
    engine.snapshot(T0 + 60 + 60 - occupancy.LEAD_S + 0.5)
    assert engine._occupancy._ahead is not None
    day = engine.clock.end(T0)
    engine.snapshot(day - 1)
    assert engine._occupancy._ahead is None
