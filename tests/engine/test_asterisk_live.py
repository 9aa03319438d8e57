"""The real Asterisk recording must give Asterisk's own QueueParams figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from panneau.hub.config import Config, QueueSettings, Team
from panneau.hub.engine import Engine
from panneau.plugins.asterisk.queue_log import parse_lines

LIVE = Path(__file__).parents[1] / "fixtures" / "asterisk_live"


def _queue_params() -> tuple[int, dict[str, dict[str, str]]]:
    data = json.loads((LIVE / "asterisk_queuestatus_after.json").read_text())
    params = {b["Queue"]: b for b in data["blocks"] if b.get("Event") == "QueueParams"}
    return data["at"], params


@pytest.fixture(scope="module")
def replay():
    result = parse_lines((LIVE / "queue_log").read_text().splitlines(), source="pbx")
    assert not result.skipped
    config = Config(
        queues={"support": QueueSettings(service_level_s=20),
                "sales": QueueSettings(service_level_s=20)},
        teams=[Team(id="support", queues=["support"], agents=["Alice", "Bob", "Carol"]),
               Team(id="sales", queues=["sales"], agents=["Dave", "Erin"])],
    )
    engine = Engine(config)
    for event in result.events:
        engine.apply(event)
    at, params = _queue_params()
    return engine.snapshot(float(at)), params


@pytest.mark.parametrize("queue", ["support", "sales"])
def test_asterisk_counters(replay, queue):
    snap, params = replay
    p = params[queue]
    today = snap.values[f"queue:{queue}"]["today"]
    assert today["completed"] == int(p["Completed"])
    assert today["answered"] == int(p["Completed"])
    assert today["unanswered"] == int(p["Abandoned"])
    assert today["service_level_pct"] == pytest.approx(float(p["ServicelevelPerf"]), abs=0.1)
    assert today["service_level2_pct"] == pytest.approx(float(p["ServicelevelPerf2"]), abs=0.1)
    now = snap.values[f"queue:{queue}"]["now"]
    assert now["calls_waiting"] == int(p["Calls"])


def test_asterisk_site_and_team_add_up(replay):
    snap, params = replay
    site = snap.values["site"]["today"]
    assert site["completed"] == sum(int(p["Completed"]) for p in params.values())
    assert site["unanswered"] == sum(int(p["Abandoned"]) for p in params.values())
    assert snap.values["team:sales"]["today"]["completed"] == int(params["sales"]["Completed"])
    assert snap.bad_events == {}


def test_asterisk_agents_calls_taken(replay):
    snap, _ = replay
    data = json.loads((LIVE / "asterisk_queuestatus_after.json").read_text())
    taken: dict[str, int] = {}
    for block in data["blocks"]:
        if block.get("Event") == "QueueMember":
            taken[block["Name"]] = taken.get(block["Name"], 0) + int(block["CallsTaken"])
    for name, count in taken.items():
        assert snap.values[f"agent:{name}"]["today"]["completed"] == count
        assert snap.agents[name].state == "available"
