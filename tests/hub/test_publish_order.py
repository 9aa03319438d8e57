"""A publish tick writes each audience's delta as soon as the last of its parts that may
have changed has been looked at, not after every part of the tick (real sockets)."""

import asyncio
import contextlib
import math
import socket
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


async def _two_deltas(ann, bob) -> dict[str, list[dict[str, Any]]]:
    """Each screen's first two deltas (seq 1 and 2), by agent."""
    got = {}
    for ws, token in ((ann, "ann"), (bob, "bob")):
        got[token] = [await _delta(ws), await _delta(ws)]
        assert [f["seq"] for f in got[token]] == [1, 2]
    return got


@contextlib.asynccontextmanager
async def _server(publisher: Publisher, attached: asyncio.Queue | None = None):
    """A real websockets server whose screens (token ``ann`` or ``bob``, the agent's
    audience) are attached to ``publisher`` with the ``epoch`` and ``seq`` of their hello;
    yields its URL."""
    audiences = {"ann": AGENT_A, "bob": AGENT_B}

    async def handler(ws):
        hello = wire.decode_client(await ws.recv(), 4096)
        publisher.attach(Client(ws, audiences[hello["token"]]), hello.get("epoch"),
                         hello.get("seq"), {})
        if attached is not None:
            attached.put_nowait(hello["token"])
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0, compression=None) as server:
        yield f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"


@contextlib.asynccontextmanager
async def _ann_and_bob(publisher: Publisher, attached: asyncio.Queue | None = None,
                       where: list[str] | None = None):
    """Two real screens, agents ann and bob, attached to ``publisher`` (their snapshots
    read); ``where`` gets the server's URL."""
    async with _server(publisher, attached) as url:
        if where is not None:
            where.append(url)
        async with connect(url, compression=None) as ann, connect(url, compression=None) as bob:
            for ws, token in ((ann, "ann"), (bob, "bob")):
                await ws.send(wire.encode({"type": "hello", "v": 1, "token": token}))
                assert wire.decode_hub(await ws.recv())["type"] == "snapshot"
            yield ann, bob


async def test_an_audience_gets_its_delta_before_parts_it_does_not_use_are_built():
    views = TableViews()
    publisher = Publisher(epoch="e1", views=views, metrics=Metrics(), resume_history=8,
                          buffer_bytes=1 << 20)
    attached = asyncio.Queue()
    async with _ann_and_bob(publisher, attached) as (ann, bob):
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


async def test_a_connection_dropped_mid_tick_leaves_the_tick_whole():
    """A slow screen dropped while its frame is written (its set of connections shrinks under
    the write) does not cut the tick short: the audiences after it get the same change."""
    views = TableViews()
    publisher = Publisher(epoch="e1", views=views, metrics=Metrics(), resume_history=8,
                          buffer_bytes=256 * 1024)
    audiences = {"ann": AGENT_A, "ann-slow": AGENT_A, "bob": AGENT_B}
    slow_in = asyncio.Event()

    async def handler(ws):
        hello = wire.decode_client(await ws.recv(), 4096)
        if hello["token"] == "ann-slow":  # its kernel buffer small: writes pile up in the hub
            ws.transport.get_extra_info("socket").setsockopt(
                socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        publisher.attach(Client(ws, audiences[hello["token"]]), None, None, {})
        if hello["token"] == "ann-slow":
            slow_in.set()
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0, compression=None, max_size=None) as server:
        url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(server.sockets[0].getsockname()[:2])
        async with connect(url, max_size=None) as ann, connect(url, max_size=None) as bob, \
                connect(url, sock=sock, max_size=None, max_queue=1,
                        close_timeout=0.5) as slow:
            for ws, token in ((ann, "ann"), (bob, "bob")):
                await ws.send(wire.encode({"type": "hello", "v": 1, "token": token}))
                assert wire.decode_hub(await ws.recv())["type"] == "snapshot"
            await slow.send(wire.encode({"type": "hello", "v": 1, "token": "ann-slow"}))
            await slow_in.wait()
            for n in range(2, 5):  # 200 kB a tick: the slow one is over 256 kB by the second
                views.values[SHARED] = {"kpi:queue:qall/today/offered": n,
                                        "trend:queue:qall/today/offered": [
                                            [float(t), float(n)] for t in range(10_500)]}
                publisher.publish([("scope", "queue:qall")])
                for ws in (ann, bob):
                    assert (await _delta(ws))["set"]["kpi:queue:qall/today/offered"] == n
            assert publisher.metrics.clients_dropped["client too slow"] == 1


async def test_frames_written_before_a_tick_fails_are_kept_for_resumes():
    """Deltas are kept for resumes once the tick's frames are written; a tick cut short by a
    part that cannot be built still keeps those already written: a screen that got one and
    comes back with the seq before it gets that delta again, not a snapshot."""
    views = TableViews()

    def parts_for(audience: Audience) -> tuple[Part, ...]:
        return (SHARED,) if audience == AGENT_A else (SHARED, TEAM_B)

    def build(part: Part) -> dict[str, Any]:
        if part == TEAM_B and views.values[SHARED]["kpi:queue:qall/today/offered"] == 2:
            raise RuntimeError("cannot build team b")
        return dict(views.values[part])

    views.parts_for, views.build = parts_for, build  # type: ignore[method-assign]
    publisher = Publisher(epoch="e1", views=views, metrics=Metrics(), resume_history=8,
                          buffer_bytes=1 << 20)

    async def handler(ws):
        hello = wire.decode_client(await ws.recv(), 4096)
        publisher.attach(Client(ws, AGENT_A), hello.get("epoch"), hello.get("seq"), {})
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0, compression=None) as server:
        url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        async with connect(url, compression=None) as ann:
            await ann.send(wire.encode({"type": "hello", "v": 1, "token": "ann"}))
            assert wire.decode_hub(await ann.recv())["seq"] == 0
            publisher._audience(AGENT_B)
            views.values[SHARED] = {"kpi:queue:qall/today/offered": 2}
            try:
                publisher.publish([("scope", "queue:qall"), ("scope", "team:b")])
            except RuntimeError:
                pass
            else:
                raise AssertionError("the tick should have failed")
            got = await _delta(ann)
            assert (got["seq"], got["set"]) == (1, {"kpi:queue:qall/today/offered": 2})
        async with connect(url, compression=None) as back:
            await back.send(wire.encode({"type": "hello", "v": 1, "token": "ann",
                                         "epoch": "e1", "seq": 0}))
            again = wire.decode_hub(await back.recv())
            assert again["type"] == "delta" and again["seq"] == 1
            assert again["set"] == {"kpi:queue:qall/today/offered": 2}


async def test_a_tick_during_a_step_sweep_carries_what_the_sweep_had_not_sent():
    """A step tick's sweep paused after one audience: the next tick sends the other its step
    changes too, in the same frame — a part both changed (the shared one, and its own team
    part) with the two changes folded into one — and every audience ends with the latest
    values, keys the step unset included."""
    views = TableViews()
    publisher = Publisher(epoch="e1", views=views, metrics=Metrics(), resume_history=8,
                          buffer_bytes=1 << 20)
    async with _ann_and_bob(publisher) as (ann, bob):
        every = [("scope", "queue:qall"), ("scope", "team:a"), ("scope", "team:b")]
        views.values[SHARED] = {"kpi:queue:qall/today/answered": 2}  # offered unset
        views.values[TEAM_A] = {"kpi:team:a/today/offered": 5}
        views.values[TEAM_B] = {"kpi:team:b/today/offered": 7}
        assert publisher.begin_step(every) == 0 and publisher.sweeping
        assert publisher.sweep(0.0) == 1 and publisher.sweeping  # one audience, paused
        first = "ann" if publisher.audiences[AGENT_A].seq == 1 else "bob"
        views.values[SHARED] = {"kpi:queue:qall/today/answered": 3,  # the same part again
                                "kpi:queue:qall/today/waiting": 1}
        views.values[TEAM_A] = {"kpi:team:a/today/offered": 6}
        views.values[TEAM_B] = {"kpi:team:b/today/offered": 8}
        assert publisher.publish(every) == 2 and not publisher.sweeping
        got = {}
        for ws, token in ((ann, "ann"), (bob, "bob")):
            got[token] = await _delta(ws)
        other = "bob" if first == "ann" else "ann"
        team = "a" if other == "ann" else "b"
        assert got[first]["seq"] == 1 and got[other]["seq"] == 1
        assert got[first]["unset"] == ["kpi:queue:qall/today/offered"]
        # the step's change and this tick's, of each part, as one
        assert got[other]["set"] == {"kpi:queue:qall/today/answered": 3,
                                     "kpi:queue:qall/today/waiting": 1,
                                     f"kpi:team:{team}/today/offered": 8 if
                                     team == "b" else 6}
        assert got[other]["unset"] == ["kpi:queue:qall/today/offered"]
        mine = {"ann": {"kpi:team:a/today/offered": 6}, "bob": {"kpi:team:b/today/offered": 8}}
        assert (await _delta(ann if first == "ann" else bob))["set"] == {
            "kpi:queue:qall/today/answered": 3, "kpi:queue:qall/today/waiting": 1, **mine[first]}
        for agent in (AGENT_A, AGENT_B):
            view = publisher.view(agent)
            assert view["kpi:queue:qall/today/answered"] == 3
            assert "kpi:queue:qall/today/offered" not in view
        assert publisher.view(AGENT_A)["kpi:team:a/today/offered"] == 6
        assert publisher.view(AGENT_B)["kpi:team:b/today/offered"] == 8


async def test_a_tick_during_a_step_sweep_goes_ahead_of_the_steps_own_parts():
    """A step tick's sweep paused after one audience, then a tick that changes only the part
    both share: the other audience gets that change first, in a frame with nothing of its
    own (the same bytes as the first's but the seq), and the step's own part after, when
    the sweep goes on."""
    views = TableViews()
    publisher = Publisher(epoch="e1", views=views, metrics=Metrics(), resume_history=8,
                          buffer_bytes=1 << 20)
    async with _ann_and_bob(publisher) as (ann, bob):
        every = [("scope", "queue:qall"), ("scope", "team:a"), ("scope", "team:b")]
        views.values[TEAM_A] = {"kpi:team:a/today/offered": 5}
        views.values[TEAM_B] = {"kpi:team:b/today/offered": 7}
        assert publisher.begin_step(every) == 0 and publisher.sweeping
        assert publisher.sweep(0.0) == 1 and publisher.sweeping  # one audience, paused
        first = "ann" if publisher.audiences[AGENT_A].seq == 1 else "bob"
        views.values[SHARED] = {"kpi:queue:qall/today/offered": 2}
        assert publisher.publish([("scope", "queue:qall")]) == 2 and publisher.sweeping
        assert publisher.sweep(math.inf) == 1 and not publisher.sweeping
        got = await _two_deltas(ann, bob)
        other = "bob" if first == "ann" else "ann"
        mine = {"ann": {"kpi:team:a/today/offered": 5}, "bob": {"kpi:team:b/today/offered": 7}}
        call = {"kpi:queue:qall/today/offered": 2}
        assert [f["set"] for f in got[first]] == [mine[first], call]
        assert [f["set"] for f in got[other]] == [call, mine[other]]
        frames = {t: publisher.audiences[AGENT_A if t == "ann" else AGENT_B].history
                  for t in ("ann", "bob")}
        assert frames[first][1] == frames[other][0].replace(b"\x01\xa3set", b"\x02\xa3set")


async def test_a_resume_during_a_step_sweep_is_brought_up_to_date():
    """A step's sweep keeps the frames it writes for resumes only when it ends: a screen
    that comes back before then, with the seq its audience had before the step's frame it
    was already sent, gets a snapshot of its view as it is now, not the kept deltas (which
    stop short of that frame: it was left one behind, the step's change never sent)."""
    views = TableViews()
    publisher = Publisher(epoch="e1", views=views, metrics=Metrics(), resume_history=8,
                          buffer_bytes=1 << 20)
    where: list[str] = []
    async with _ann_and_bob(publisher, where=where):
        views.values[SHARED] = {"kpi:queue:qall/today/offered": 2}
        assert publisher.publish([("scope", "queue:qall")]) == 2  # seq 1, kept
        views.values[TEAM_A] = {"kpi:team:a/today/offered": 5}
        views.values[TEAM_B] = {"kpi:team:b/today/offered": 7}
        publisher.begin_step([("scope", "team:a"), ("scope", "team:b")])
        assert publisher.sweep(0.0) == 1 and publisher.sweeping  # one audience, paused
        first = AGENT_A if publisher.audiences[AGENT_A].seq == 2 else AGENT_B
        async with connect(where[0], compression=None) as back:
            await back.send(wire.encode({"type": "hello", "v": 1, "token": first.agent,
                                         "epoch": "e1", "seq": 1}))
            got = [wire.decode_hub(await back.recv())]
            while got[-1]["type"] != "status":
                got.append(wire.decode_hub(await back.recv()))
        assert [f["type"] for f in got] == ["snapshot", "status"]
        assert got[0]["seq"] == 2
        assert got[0]["view"] == publisher.view(first)
        team = "a" if first == AGENT_A else "b"
        assert got[0]["view"][f"kpi:team:{team}/today/offered"] == (5 if team == "a" else 7)
        assert publisher.sweep(math.inf) == 1 and not publisher.sweeping


async def test_a_tick_during_a_step_sweep_leaves_the_steps_other_changes_to_the_sweep():
    """A step tick changed one shared part (at a minute's turn, the figures of each agent),
    its sweep paused after one audience; a tick that changes another shared part sends the
    other audience that change alone, in the bytes the first gets (only the seq differs),
    and the step's change follows in the sweep's frame: carried in the tick's frame it made
    every frame of that tick its own. Both screens end with the same view as the hub."""
    site = Part("scope", "site")

    class WithSite(TableViews):
        def parts_for(self, audience: Audience) -> tuple[Part, ...]:
            return (SHARED, site, *super().parts_for(audience)[1:])

    views = WithSite()
    views.values[site] = {"kpi:site/60m/occupancy_pct": 10}
    publisher = Publisher(epoch="e1", views=views, metrics=Metrics(), resume_history=8,
                          buffer_bytes=1 << 20)
    async with _ann_and_bob(publisher) as (ann, bob):
        views.values[site] = {"kpi:site/60m/occupancy_pct": 11}
        assert publisher.begin_step([("scope", "site")]) == 0
        assert publisher.sweep(0.0) == 1 and publisher.sweeping  # one audience, paused
        first = "ann" if publisher.audiences[AGENT_A].seq == 1 else "bob"
        views.values[SHARED] = {"kpi:queue:qall/today/offered": 2}
        assert publisher.publish([("scope", "queue:qall")]) == 2
        assert publisher.sweeping  # the other still has the step's change to get
        assert publisher.sweep(math.inf) == 1 and not publisher.sweeping
        got = await _two_deltas(ann, bob)
        other = "bob" if first == "ann" else "ann"
        step, call = {"kpi:site/60m/occupancy_pct": 11}, {"kpi:queue:qall/today/offered": 2}
        assert [f["set"] for f in got[first]] == [step, call]
        assert [f["set"] for f in got[other]] == [call, step]
        frames = {t: publisher.audiences[AGENT_A if t == "ann" else AGENT_B].history
                  for t in ("ann", "bob")}
        assert frames[first][1] == frames[other][0].replace(b"\x01\xa3set", b"\x02\xa3set")
        for agent in (AGENT_A, AGENT_B):
            assert publisher.view(agent)["kpi:site/60m/occupancy_pct"] == 11
            assert publisher.view(agent)["kpi:queue:qall/today/offered"] == 2
