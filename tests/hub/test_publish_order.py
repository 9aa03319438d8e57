"""A publish tick writes each audience's delta as soon as the last of its parts that may
have changed has been looked at, not after every part of the tick (real sockets)."""

import asyncio
from typing import Any

from websockets.asyncio.client import connect
from websockets.asyncio.server import serve

from panneau.hub import wire
from panneau.hub.server.metrics import Metrics
from panneau.hub.server.publisher import Client, Publisher
from panneau.hub.server.views import Audience, Part, Topic

SHARED = Part("scope", "queue:qall")
TEAM_A, TEAM_B = Part("scope", "team:a"), Part("scope", "team:b")
AGENT_A, AGENT_B = Audience("agent", agent="ann"), Audience("agent", agent="bob")


class TableViews:
    """Views read from a table of part values; notes, per built part, the seq each audience
    had reached when it was built."""

    def __init__(self) -> None:
        self.values: dict[Part, dict[str, Any]] = {
            SHARED: {"kpi:queue:qall/today/offered": 1},
            TEAM_A: {"kpi:team:a/today/offered": 1},
            TEAM_B: {"kpi:team:b/today/offered": 1},
        }
        self.publisher: Publisher | None = None
        self.seen: dict[Part, dict[str, int]] = {}

    def parts_for(self, audience: Audience) -> tuple[Part, ...]:
        return (SHARED, TEAM_A if audience == AGENT_A else TEAM_B)

    def topic(self, part: Part) -> Topic:
        return part.kind, part.name

    def build(self, part: Part) -> dict[str, Any]:
        if self.publisher is not None:
            self.seen[part] = {a.agent: s.seq for a, s in self.publisher.audiences.items()}
        return dict(self.values[part])


async def _delta(ws) -> dict[str, Any]:
    while True:
        frame = wire.decode_hub(await ws.recv())
        if frame["type"] == "delta":
            return frame


async def test_an_audience_gets_its_delta_before_parts_it_does_not_use_are_built():
    views = TableViews()
    publisher = Publisher(epoch="e1", views=views, metrics=Metrics(), resume_history=8,
                          buffer_bytes=1 << 20)
    audiences = {"ann": AGENT_A, "bob": AGENT_B}
    attached = asyncio.Queue()

    async def handler(ws):
        hello = wire.decode_client(await ws.recv(), 4096)
        publisher.attach(Client(ws, audiences[hello["token"]]), None, None, {})
        attached.put_nowait(hello["token"])
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0, compression=None) as server:
        url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        async with connect(url, compression=None) as ann, connect(url, compression=None) as bob:
            for ws, token in ((ann, "ann"), (bob, "bob")):
                await ws.send(wire.encode({"type": "hello", "v": 1, "token": token}))
                assert wire.decode_hub(await ws.recv())["type"] == "snapshot"
            for _ in range(2):
                await attached.get()
            views.publisher = publisher
            views.values[SHARED] = {"kpi:queue:qall/today/offered": 2}
            views.values[TEAM_A] = {"kpi:team:a/today/offered": 5}
            views.values[TEAM_B] = {"kpi:team:b/today/offered": 7}
            assert publisher.publish([("scope", "queue:qall"), ("scope", "team:a"),
                                      ("scope", "team:b")]) == 2
            # the part every audience uses is looked at first, then the teams' one by one:
            # when the second team's part is built, the first team's agent has its delta
            assert views.seen[SHARED] == {"ann": 0, "bob": 0}
            first, second = sorted((TEAM_A, TEAM_B), key=lambda p: sum(
                views.seen[p].values()))
            assert sum(views.seen[first].values()) == 0
            assert sorted(views.seen[second].values()) == [0, 1]
            assert (await _delta(ann))["set"] == {"kpi:queue:qall/today/offered": 2,
                                                  "kpi:team:a/today/offered": 5}
            assert (await _delta(bob))["set"] == {"kpi:queue:qall/today/offered": 2,
                                                  "kpi:team:b/today/offered": 7}


async def test_audiences_whose_parts_did_not_change_get_nothing():
    views = TableViews()
    publisher = Publisher(epoch="e1", views=views, metrics=Metrics(), resume_history=8,
                          buffer_bytes=1 << 20)
    publisher._audience(AGENT_A), publisher._audience(AGENT_B)
    views.values[TEAM_B] = {"kpi:team:b/today/offered": 3}
    assert publisher.publish([("scope", "queue:qall"), ("scope", "team:a"),
                              ("scope", "team:b")]) == 1
    assert publisher.audiences[AGENT_A].seq == 0
    assert publisher.audiences[AGENT_B].seq == 1
    assert publisher.view(AGENT_B)["kpi:team:b/today/offered"] == 3
