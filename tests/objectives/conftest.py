"""Fixtures of the objectives tests: a journal holding two weeks of calls and entered figures.

Figures are derived by hand in the tests from the list below, never from the code under test.
Timezone Europe/Paris (UTC+1 in November), working day starting at 06:00.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from panneau.hub import events as ev
from panneau.hub import wire
from panneau.hub.config import parse_config
from panneau.hub.server.journal import Journal

PARIS = ZoneInfo("Europe/Paris")

CONFIG = """
[hub]
timezone = "Europe/Paris"
day_start = "06:00"
listen = "127.0.0.1:0"
http_listen = "127.0.0.1:0"
database = "{db}"
[[teams]]
id = "support"
queues = ["support"]
agents = ["ann", "bob", "cyd"]
[[tokens]]
role = "manager"
token = "manager-token-1"
[[tokens]]
role = "kiosk"
token = "kiosk-token-support"
team = "support"
[[tokens]]
role = "agent"
token = "agent-token-ann"
agent = "ann"
"""

#: One objective of the support team (its month's ASA down to 20 s), as [[objectives]] TOML.
ANSWER_FASTER = """
[[objectives]]
title = "Answer faster"
team = "support"
period = "month"
[[objectives.key_results]]
kpi = "asa_s"
target = 20.0
direction = "lower"
"""


def at(text: str) -> float:
    """Epoch seconds of a Paris wall-clock time ``YYYY-MM-DD HH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).timestamp()


def answered(call: str, when: str, hold: float, talk: float = 60.0) -> list[ev.Event]:
    t = at(when)
    return [ev.CallEntered(ts=t - hold, call_id=call, queue="support"),
            ev.CallAnswered(ts=t, call_id=call, queue="support", agent="ann", hold_s=hold),
            ev.CallEnded(ts=t + talk, call_id=call, queue="support", agent="ann", hold_s=hold,
                         talk_s=talk, ended_by="caller")]


def abandoned(call: str, when: str, wait: float = 30.0) -> list[ev.Event]:
    t = at(when)
    return [ev.CallEntered(ts=t - wait, call_id=call, queue="support"),
            ev.CallAbandoned(ts=t, call_id=call, queue="support", wait_s=wait)]


def figure(entry: str, name: str, amount: float, day: str, **kw) -> ev.FigureEntered:
    return ev.FigureEntered(ts=at("2026-11-04 09:00"), entry_id=entry, figure=name,
                            amount=amount, day=day, by="mia", **kw)


def two_weeks() -> list[ev.Event]:
    """Week 44 (Fri 30 Oct): 4 calls answered. Week 45: Mon 2 Nov 8 answered (hold 10 s) and
    2 abandoned, one of them at 05:30 on Tue 3 Nov (before the 06:00 day start: Monday);
    Tue 3 Nov 1 answered (hold 40 s) and 1 abandoned. Entered: complaints 3 (billing) on
    2 Nov corrected to 5, 2 (delay) on 3 Nov; a 600 cost on 2 Nov."""
    out: list[ev.Event] = []
    for i in range(4):
        out += answered(f"w44-{i}", f"2026-10-30 10:{i:02d}", hold=5)
    for i in range(8):
        out += answered(f"mon-{i}", f"2026-11-02 10:{i:02d}", hold=10)
    out += abandoned("mon-a1", "2026-11-02 11:00")
    out += abandoned("mon-a2", "2026-11-03 05:30")
    out += answered("tue-0", "2026-11-03 10:00", hold=40)
    out += abandoned("tue-a1", "2026-11-03 11:00")
    out += [figure("c1", "complaints", 3, "2026-11-02", team="support", category="billing"),
            figure("c2", "complaints", 5, "2026-11-02", team="support", category="billing",
                   corrects="c1"),
            figure("c3", "complaints", 2, "2026-11-03", team="support", category="delay"),
            figure("k1", "cost", 600, "2026-11-02", team="support")]
    return out


@pytest.fixture
def journal_path(tmp_path):
    path = tmp_path / "panneau.db"
    journal = Journal(path)
    journal.accept("fixture", two_weeks(), None, False, at("2026-11-04 09:00"))
    journal.close()
    return path


@pytest.fixture
def config(journal_path):
    return parse_config(CONFIG.format(db=journal_path))


class Screen:
    """A raw websocket client that keeps every frame it receives, decoded, and its view."""

    def __init__(self, ws) -> None:
        self.ws, self.frames, self.view = ws, [], {}
        self.task = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        async for data in self.ws:
            frame = wire.decode_hub(data)
            self.frames.append(frame)
            if frame["type"] == "snapshot":
                self.view = dict(frame["view"])
            elif frame["type"] == "delta":
                self.view.update(frame["set"])
                for key in frame["unset"]:
                    self.view.pop(key, None)

    async def send(self, frame: dict) -> dict:
        seen = len(self.frames)
        await self.ws.send(wire.encode({**frame, "ref": "p"}))
        async with asyncio.timeout(5):
            while True:
                for reply in self.frames[seen:]:
                    if reply.get("ref") == "p":
                        return reply
                await asyncio.sleep(0.01)

    async def until(self, predicate) -> None:
        async with asyncio.timeout(5):
            while not predicate(self.view):
                await asyncio.sleep(0.01)

    async def close(self) -> None:
        await self.ws.close()
        await self.task
