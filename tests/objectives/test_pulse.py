"""The satisfaction pulse on the wire: anonymous answers, team aggregates from small_n on,
nothing that traces an answer back — in any frame any screen receives, or in the journal."""

from __future__ import annotations

import sqlite3

import pytest

from panneau.hub.config import parse_config
from panneau.hub.plugins import make_plugin_manager
from panneau.hub.server.app import Hub
from panneau.hub.server.pulse import BATCH, TeamPulse, published
from tests.hub.conftest import hello
from tests.objectives.conftest import CONFIG, Screen

PULSE = """
[kpi]
small_n = 2
[pulse]
enabled = true
question = "How was your week?"
[[tokens]]
role = "agent"
token = "agent-token-bob"
agent = "bob"
"""
COMMENT = "too many night shifts lately"
OTHER = "more coaching please"


async def test_pulse_answers_are_anonymous_on_the_wire(tmp_path):
    config = parse_config(CONFIG.format(db=tmp_path / "hub.db") + PULSE)
    async with Hub(config, pm=make_plugin_manager()) as hub:
        screens = {name: Screen(await hello(hub.ws_url, token)) for name, token in (
            ("manager", "manager-token-1"), ("kiosk", "kiosk-token-support"),
            ("ann", "agent-token-ann"), ("bob", "agent-token-bob"))}
        ann, bob, manager = screens["ann"], screens["bob"], screens["manager"]
        await ann.until(lambda v: "pulse:ask" in v)
        assert ann.view["pulse:ask"]["answered"] is False
        assert ann.view["pulse:ask"]["question"] == "How was your week?"

        assert (await ann.send({"type": "pulse_answer", "score": 4, "comment": COMMENT})) == {
            "type": "ok", "id": "pulse", "ref": "p"}
        await ann.until(lambda v: v["pulse:ask"]["answered"])
        # one answer, under small_n = 2: no aggregate and no comment anywhere
        assert manager.view["pulse:team:support"]["answers"] is None
        assert manager.view["pulse:team:support"]["comments"] == []
        again = await ann.send({"type": "pulse_answer", "score": 1})
        assert again["type"] == "error" and "already" in again["reason"]
        bad = await bob.send({"type": "pulse_answer", "score": 6})
        assert bad["type"] == "error" and "1 to 5" in bad["reason"]
        refused = await manager.send({"type": "pulse_answer", "score": 3})
        assert refused["type"] == "error" and "only an agent" in refused["reason"]

        await bob.send({"type": "pulse_answer", "score": 2, "comment": OTHER})
        await manager.until(lambda v: v["pulse:team:support"]["answers"] == 2)
        await screens["kiosk"].until(lambda v: v.get("pulse:team:support", {}).get("answers"))
        assert manager.view["pulse:team:support"] == {
            "question": "How was your week?", "period": ann.view["pulse:ask"]["period"],
            "answers": 2, "mean": 3.0, "counts": [0, 1, 0, 1, 0],
            "comments": [OTHER, COMMENT]}  # alphabetical: not who answered first
        assert bob.view["pulse:ask"]["answered"] is True
        await hub.wait_idle()
        for screen in screens.values():
            await screen.close()
        stored = sqlite3.connect(config.hub.database)
        columns = [row[1] for row in stored.execute("PRAGMA table_info(pulse_answers)")]
        journal_kinds = {k for (k,) in stored.execute("SELECT DISTINCT kind FROM events")}
        stored.close()

    # Nothing that traces an answer back reached any screen: no answer row, no pulse value
    # naming an agent (an agent learns only whether it answered itself); comments only to the
    # manager, only with an aggregate of small_n answers, never beside a score.
    for name, screen in screens.items():
        text = repr(screen.frames)
        assert (COMMENT in text) == (name == "manager"), name
        for frame in screen.frames:
            for key, value in {**frame.get("view", {}), **frame.get("set", {})}.items():
                if key.startswith("pulse:"):
                    assert "ann" not in repr(value) and "bob" not in repr(value), (name, key)
                    allowed = {"question", "period", "answers", "mean", "counts", "answered"}
                    assert set(value) <= allowed | ({"comments"} if name == "manager" else
                                                    set())
                    if value.get("comments"):
                        assert value["answers"] >= 2 and value["comments"] == sorted(
                            value["comments"])
    assert columns == ["id", "period", "team", "score", "comment"]  # no agent, no time
    assert not {k for k in journal_kinds if "pulse" in k}  # not journalled, not exported


def test_the_aggregate_moves_only_in_batches():
    two, three = TeamPulse(2, 3.0, (0, 1, 0, 1, 0)), TeamPulse(3, 3.0, (0, 1, 1, 1, 0))
    assert published({"t": TeamPulse(1, 4.0, (0, 0, 0, 1, 0))}, {}, 2) == {}
    assert published({"t": two}, {}, 2) == {"t": two}
    assert published({"t": three}, {"t": two}, 2) == {"t": two}  # one more: held
    later = TeamPulse(2 + BATCH, 3.0, (0, 2, 1, 2, 0))
    assert published({"t": later}, {"t": two}, 2) == {"t": later}


@pytest.mark.parametrize("score", [0, 6])
def test_scores_out_of_range_are_refused(tmp_path, score):
    from panneau.hub.server.journal import Journal
    from panneau.hub.server.pulse import PulseStore
    store = PulseStore(Journal(tmp_path / "p.db"))
    with pytest.raises(ValueError, match="1 to 5"):
        store.answer("2026-W48", "ann", "support", score, None)
    assert store.teams("2026-W48") == {} and store.done("2026-W48") == frozenset()
