"""Hub fan-out benchmark: N screens in other processes, latency of an event to every screen.

For each N (2 % managers, 18 % team kiosks, 80 % agents, one agent each; 20 agents a team,
every team also answers the shared queue ``qall``) a hub runs in a child process pinned to
one core; the clients run in ``--procs`` other processes pinned to the other cores. Two
phases, each with a *marker* every 0.5 s: one call entering ``qall`` and leaving at once, so
``kpi:queue:qall/today/offered`` (seen by every manager, kiosk and agent) counts the markers;
each client notes when each count arrives, and the latency is that time minus the marker's
emit time (same wall clock, loopback):

- **isolated**: markers alone, on a quiet hub — how fast one event reaches every screen;
- **step** (``--step-markers``, 6 by default): markers alone, each due 8 ms after a
  ``meta.as_of`` step (every 10 s), when the hub's step tick — every screen's new ``meta`` —
  has just begun: an isolated event at its worst moment. A marker's time is when it was
  due (an event on a socket is there then, whether or not the hub's loop is free to read
  it);
- **load**: markers on top of 200 agent events a second (agents pausing / unpausing).

``--before PYTHON`` runs the hub once more with another interpreter (another worktree's
``.venv/bin/python``: that tree's hub code, this bench, the same clients and phases) and
prints its isolated and step rows next to this tree's: before / after in one run.

The screens are ``--clients`` of two kinds, each measuring the hub *and* its bare floor
(the same clients on both sides of a row of the table):

- **lean** (the default, first): websockets' Sans-I/O ``ClientProtocol`` driven by a plain
  asyncio ``Protocol``; a frame's arrival is stamped when the frame is complete, and frames
  are decoded after the phases, off the arrival path;
- **full**: the real screens' client, ``panneau.hub.client.HubClient.updates()`` as the
  kiosk and the overlay follow the hub (its websocket, the frame decoded and applied to its
  view), a frame stamped when its update is yielded: what a screen pays before drawing.
  (Until the eighth round, websockets' asyncio client, ``recv()`` then the msgpack decode.)
  The bare server speaks the protocol for it: a snapshot at the hello, then ``delta`` frames.

Why both: on a site every screen reads its frames on its own machine, but here 1,000–2,000
screens share the clients' one core, so what each spends reading a frame before stamping it
adds up in series into the last screen's latency — an artefact of the apparatus, not latency
a screen sees. The bench prints what each kind spends on the clients' core a frame (CPU of
the client processes over the frames read): on the loaded 2-core build machine 16–17 µs for
the lean ones (about 9 of it websockets' parser) against 24–35 µs for the full ones, so a
broadcast to 2,000 screens takes that core about 35 ms instead of 50–70. The hub is the
same for both (it cannot tell them apart); the goal lines name the kind. With the full ones
the hub runs traced (as ``--trace``: its ticks' last writes noted) and the report splits
each marker's latency plainly: the hub's part (emit → the hub's last frame of it written)
and the clients' shared core's part (→ the last screen's update), next to N × what the
clients' core spends a frame.

The floor of both, same run, same client processes: a bare websockets server (no views, no
diffs) broadcasting a timestamped frame to the same N connections, every 0.5 s (isolated)
and 4 times a second (load, the hub's coalesced rate). A second floor, printed apart and
judging no goal (``--no-sized-floor`` skips it): the same server broadcasting frames of the
size and shape of an agent's marker delta (24 figures, ~970 B instead of 88), to show how
much of the tail is the clients reading bigger frames. Also printed: the hub's resident
memory per connected client (RSS with the clients connected, after the load phase, minus
RSS before the first client, over N), agent delta bytes (one-key deltas, and all) next to the
agent snapshot, and each goal met or missed.

    .venv/bin/python benchmarks/bench_hub.py                 # 500, 1000, 2000: ~8 minutes
    .venv/bin/python benchmarks/bench_hub.py --sizes 200 --seconds 4
    .venv/bin/python benchmarks/bench_hub.py --sizes 1000 --isolated-seconds 30 --trace
    .venv/bin/python benchmarks/bench_hub.py --sizes 2000 --clients lean   # lean only

``--trace`` also prints, per phase, where each marker's time went on the hub (wall clock and
the hub process's CPU, from wrappers around ``Hub._accept`` and ``Hub.tick`` in the hub's
process): accepted (journalled and applied) → its tick started → its last frame written, the
CPU of that tick, how many of those ticks also carried the ``meta.as_of`` step; and on the
clients' side, all frames written → the last screen's receipt, and how many deltas without
the marker the screens got meanwhile (from its emit to its last screen: at a step, the
step's own frames, which the clients' one core reads too before the last marker frame).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import multiprocessing as mp
import os
import queue
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import msgpack
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.uri import parse_uri

RATE = 200.0
FPS = 4.0
MARK_EVERY_S = 0.5
MARKER_KEY = "kpi:queue:qall/today/offered"
TEAM_SIZE = 20
#: Goals (issue 21): isolated p99 by N, coalescing interval, memory, agent delta.
ISOLATED_P99_MS = {1000: 50.0, 2000: 100.0}
COALESCE_MS = 1000.0 / FPS
MEMORY_KIB = 20.0
#: Seconds kept clear of a minute's turn for connecting the clients (memory reading).
CONNECT_ROOM_S = 30.0
ONE_FIGURE_DELTA_B = 100
#: The ``step`` phase: a marker this long after each ``meta.as_of`` step (the hub's step tick
#: starts 5 ms after it: ``panneau.hub.server.pace.STEP_MARGIN_S``), so it lands while that
#: tick sends every screen its new ``meta``.
STEP_S, AT_STEP_S = 10.0, 0.008
#: The phases, in the order they run (markers are numbered across them).
PHASES = ("isolated", "step", "load")


def _pin(cores: set[int]) -> None:
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, cores)


def _cores() -> tuple[set[int], set[int]]:
    """(hub core, client cores)."""
    try:
        mine = sorted(os.sched_getaffinity(0))
    except AttributeError:
        mine = list(range(os.cpu_count() or 1))
    return {mine[0]}, set(mine[1:]) or {mine[0]}


# --- the hub side (child process) ---------------------------------------------------------


@dataclass
class BenchOptions:
    agents: list[str] = field(default_factory=list)


async def next_phase(control) -> tuple[str, float]:
    """The next (phase, seconds) the parent asks for, polled without blocking the loop."""
    while True:
        try:
            return control[0].get_nowait()
        except queue.Empty:
            await asyncio.sleep(0.01)


#: The hub process's trace (``--trace``): per marker accepted, per publish tick.
_TRACE: dict[str, list] = {"accepted": [], "ticks": [], "gc": [], "paced": []}


def _take_trace() -> dict[str, list]:
    taken = {k: list(v) for k, v in _TRACE.items()}
    for rows in _TRACE.values():
        rows.clear()
    return taken


def _trace_hub(hub_cls) -> None:
    """Wrap ``Hub._accept`` and ``Hub.tick`` (in the hub's process only) to note when each
    marker was accepted and, per tick: start, last frame written, CPU (in all, and of the engine
    snapshot, the changed topics and the publish), the as_of step and a minute's turn, the
    times the process was switched out during it, the garbage collections in it, count."""
    import gc
    import resource

    accept, tick = hub_cls._accept, hub_cls.tick
    gc_ms = [0.0, 0.0, 0.0]  # collections' CPU so far, start of the one running (CPU, wall)

    def on_gc(phase, info):
        if phase == "start":
            gc_ms[1], gc_ms[2] = time.process_time(), time.time()
        else:
            took = (time.process_time() - gc_ms[1]) * 1e3
            gc_ms[0] += took
            if took >= 1.0:
                _TRACE["gc"].append((gc_ms[2], took, info["generation"]))

    gc.callbacks.append(on_gc)

    def traced_accept(self, state, events, *args):
        accept(self, state, events, *args)
        marks = [int(e.call_id[4:]) for e in events if getattr(e, "call_id", "")[:4] == "mark"]
        if marks:
            _TRACE["accepted"].append((max(marks), time.time()))

    def traced_tick(self):
        row = {"start": time.time(), "minute": self.clock() // 60 != self.snapshot.at // 60,
               "event": not getattr(self, "_clock_tick", False)}
        cpu, views, publisher, engine = time.process_time(), self.views, self.publisher, \
            self.engine
        switched, gc_before = resource.getrusage(resource.RUSAGE_SELF).ru_nivcsw, gc_ms[0]
        update, publish, snapshot = views.update, publisher.publish, engine.snapshot

        def traced_snapshot(now):
            start = time.process_time()
            try:
                return snapshot(now)
            finally:
                row["snap"] = time.process_time() - start

        def traced_update(inputs):
            start = time.process_time()
            topics = update(inputs)
            row["topics"] = time.process_time() - start
            row["step"] = ("meta", "") in topics
            row["kinds"] = sorted({kind for kind, _ in topics} - {"sources"})
            return topics

        def traced_write(clients, frame):  # the deltas' last write, not alerts' after
            n = write(clients, frame)
            if "publish" not in row:
                row["written"], row["written_cpu"] = time.time(), time.process_time() - cpu
            return n

        def traced_publish(topics):
            start = time.process_time()
            built = publish(topics)
            row.setdefault("written", time.time())
            row["publish"] = time.process_time() - start
            return built

        write = publisher._write_frame
        views.update, publisher.publish, publisher._write_frame = \
            traced_update, traced_publish, traced_write
        try:  # a compiled engine's methods cannot be wrapped: no snapshot column then
            engine.snapshot = traced_snapshot
        except AttributeError:
            snapshot = None
        try:
            row["frames"] = tick(self)
            return row["frames"]
        finally:
            del views.update, publisher.publish, publisher._write_frame
            if snapshot is not None:
                del engine.snapshot
            row["cpu"] = time.process_time() - cpu
            row["switched"] = resource.getrusage(resource.RUSAGE_SELF).ru_nivcsw - switched
            row["gc_ms"] = gc_ms[0] - gc_before
            row["count"] = self.snapshot.values.get("queue:qall", {}).get("today", {}).get(
                "offered")
            _TRACE["ticks"].append(row)

    hub_cls._accept, hub_cls.tick = traced_accept, traced_tick
    sweep = getattr(hub_cls, "_sweep", None)  # a step tick's slices (not in older trees)
    if sweep is not None:
        def traced_sweep(self, budget_s):
            start = time.process_time()
            try:
                return sweep(self, budget_s)
            finally:
                if _TRACE["ticks"]:
                    row = _TRACE["ticks"][-1]
                    row["sweep_cpu"] = row.get("sweep_cpu", 0.0) + time.process_time() - start

        hub_cls._sweep = traced_sweep
    try:  # the publish loop's pacing (not in older trees): each wait it imposed
        from panneau.hub.server.pace import Pace
    except ImportError:
        return
    wait = Pace.wait

    def traced_wait(self, now, event):
        took = wait(self, now, event)
        if took > 0:
            _TRACE["paced"].append((time.time(), took, event))
        return took

    Pace.wait = traced_wait


def _make_plugin(control):
    """A plugin whose source obeys ``control`` (a queue of ``(phase, seconds)``) and puts
    ``("marks", [emit times])`` on it after each phase."""
    from panneau.hub.events import (
        AgentLoggedIn,
        AgentPaused,
        AgentUnpaused,
        CallAbandoned,
        CallEntered,
    )
    from panneau.hub.hookspecs import hookimpl
    from panneau.hub.sources import SourceSpec

    class BenchSource:
        def __init__(self, options: BenchOptions) -> None:
            self.agents = options.agents
            self.marks = 0

        async def run(self, ctx) -> None:
            await ctx.emit([AgentLoggedIn(ts=time.time(), agent=a) for a in self.agents])
            ctx.set_status("live")
            loop = asyncio.get_running_loop()
            while True:
                phase, seconds = await next_phase(control)
                if phase == "step":
                    marks = await self.at_steps(ctx, int(seconds))
                else:
                    marks = await self.phase(ctx, loop, seconds,
                                             RATE if phase == "load" else 0.0)
                control[1].put(("marks", marks, _take_trace()))

        async def marker(self, ctx, at: float) -> None:
            self.marks += 1
            call = f"mark{self.marks}"
            await ctx.emit([CallEntered(ts=at, call_id=call, queue="qall"),
                            CallAbandoned(ts=at, call_id=call, queue="qall", wait_s=0.0)])

        async def at_steps(self, ctx, count: int) -> list[float]:
            """``count`` markers, each due ``AT_STEP_S`` after a ``meta.as_of`` step, while
            the hub's step tick runs. A marker's time is when it was due: an event coming
            from a socket is there then, whether or not the hub's loop is free to read it
            (this source, in the hub's loop, runs only when the loop turns)."""
            marks: list[float] = []
            for _ in range(count):
                now = time.time()
                due = (now // STEP_S + 1) * STEP_S + AT_STEP_S
                await asyncio.sleep(due - now)
                await self.marker(ctx, due)
                marks.append(due)
            return marks

        async def phase(self, ctx, loop, seconds: float, rate: float) -> list[float]:
            step = 0.05
            per_batch, paused, i = round(rate * step), set(), 0
            marks: list[float] = []
            start = due = loop.time()
            next_mark = start + MARK_EVERY_S / 2
            while due - start < seconds:
                batch = []
                for _ in range(per_batch):
                    agent = self.agents[i % len(self.agents)]
                    i += 1
                    kind = AgentUnpaused if agent in paused else AgentPaused
                    paused.symmetric_difference_update({agent})
                    batch.append(kind(ts=time.time(), agent=agent))
                if batch:
                    await ctx.emit(batch)
                if loop.time() >= next_mark:
                    now = time.time()
                    await self.marker(ctx, now)
                    marks.append(now)
                    next_mark += MARK_EVERY_S
                due += step
                await asyncio.sleep(max(0.0, due - loop.time()))
            for agent in paused:
                await ctx.emit([AgentUnpaused(ts=time.time(), agent=agent)])
            return marks

    class BenchPlugin:
        @hookimpl
        def register_sources(self, register):
            register(SourceSpec(name="bench", factory=BenchSource, options=BenchOptions))

    return BenchPlugin()


def team_layout(n_agents: int) -> dict[str, list[str]]:
    n_teams = max(1, (n_agents + TEAM_SIZE - 1) // TEAM_SIZE)
    teams: dict[str, list[str]] = {f"t{t:03d}": [] for t in range(n_teams)}
    names = list(teams)
    for a in range(n_agents):
        teams[names[a % n_teams]].append(f"ag{a:04d}")
    return teams


def make_config(teams: dict[str, list[str]], db: str):
    from panneau.hub.config.schema import Config, HubSettings, SourceConfig, Team, Threshold, Token

    agents = [a for members in teams.values() for a in members]
    tokens = [Token(role="manager", token="bench-manager")]
    tokens += [Token(role="kiosk", token=f"bench-kiosk-{t}", team=t) for t in teams]
    tokens += [Token(role="agent", token=f"bench-agent-{a}", agent=a) for a in agents]
    return Config(
        hub=HubSettings(listen="127.0.0.1:0", http_listen="127.0.0.1:0", database=db,
                        max_frames_per_s=FPS, client_buffer_bytes=8 * 1024 * 1024),
        teams=[Team(id=t, name=t, queues=[f"q{t}", "qall"], agents=m)
               for t, m in teams.items()],
        sources=[SourceConfig(name="bench", plugin="bench", options={"agents": agents})],
        thresholds=[Threshold("agents_paused", warn=5.0, alert=10.0)],
        tokens=tokens)


def run_hub(teams: dict[str, list[str]], db: str, ready, control, core: set[int],
            trace: bool = False) -> None:
    _pin(core)
    from panneau.hub.plugins import make_plugin_manager
    from panneau.hub.server.app import Hub

    if trace:
        _trace_hub(Hub)

    async def main() -> None:
        pm = make_plugin_manager(load_entry_points=False)
        pm.register(_make_plugin(control), name="bench")
        async with Hub(make_config(teams, db), pm=pm) as hub:
            await hub.wait_idle(30)
            ready.put(hub.ws_url)
            await hub.serve_forever()

    asyncio.run(main())


#: The second floor's frame: the shape and size of an agent's delta for one marker (its
#: team's and ``qall``'s offered, abandoned and unanswered in four windows: 24 figures).
SIZED_KEYS = [f"kpi:{scope}/{window}/{kpi}" for scope in ("team:t001", "queue:qall")
              for window in ("15m", "30m", "60m", "today")
              for kpi in ("offered", "abandoned", "unanswered")]


#: The bare server's frames are protocol ``delta`` frames (the real client reads them as it
#: reads the hub's), their send time under this key.
BARE_KEY, BARE_EPOCH = "bare:t", "0123456789ab"


def bare_frame(sized: bool, seq: int) -> bytes:
    """The bare server's frame, a ``delta`` of ``seq``: 88 bytes, or (``sized``) an agent
    marker delta's size."""
    values = dict.fromkeys(SIZED_KEYS, 2.0) if sized else {"bare:pad": "x" * 33}
    return msgpack.packb({"type": "delta", "epoch": BARE_EPOCH, "seq": seq,
                          "set": {BARE_KEY: time.time(), **values}, "unset": []})


def bare_snapshot(seq: int) -> bytes:
    return msgpack.packb({"type": "snapshot", "v": 1, "epoch": BARE_EPOCH, "seq": seq,
                          "view": {}})


def run_bare(ready, control, core: set[int], sized: bool = False) -> None:
    """The floor: a bare websockets server broadcasting a timestamped frame (``sized``: of
    the size and shape of the hub's agent delta for a marker)."""
    _pin(core)
    from websockets.asyncio.server import broadcast, serve

    async def main() -> None:
        clients, seq = set(), [0]

        async def handler(ws):
            await ws.recv()  # the hello
            clients.add(ws)
            broadcast([ws], bare_snapshot(seq[0]))  # written at once: no delta before it
            try:
                await ws.wait_closed()
            finally:
                clients.discard(ws)

        async with serve(handler, "127.0.0.1", 0, compression=None) as server:
            ready.put(f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}")
            while True:
                phase, seconds = await next_phase(control)
                every = MARK_EVERY_S if phase == "isolated" else 1 / FPS
                end, cpu = time.monotonic() + seconds, []
                while time.monotonic() < end:
                    await asyncio.sleep(every)
                    start = time.process_time()
                    seq[0] += 1
                    broadcast(clients, bare_frame(sized, seq[0]))
                    cpu.append(time.process_time() - start)
                control[1].put(("marks", [], {"broadcast_cpu": cpu}))

    asyncio.run(main())


# --- the clients (other processes) -----------------------------------------------------------

#: A client's record: role, [(marker value or tick time, arrival)], [(delta size, one
#: figure)], [snapshot size], [arrival of each delta without the marker (a step's, an agent's)].
Record = tuple[str, list[tuple[float, float]], list[tuple[int, bool]], list[int], list[float]]


def note_frame(record: Record, data: bytes, now: float) -> None:
    """Decode one frame that arrived at ``now`` into ``record`` (the marker count or the bare
    server's timestamp, a delta's size, the snapshot's size)."""
    note_decoded(record, msgpack.unpackb(data), len(data), now)


def note_decoded(record: Record, frame: dict, size: int, now: float) -> None:
    """:func:`note_frame` of a frame decoded (``size``: its bytes, 0 when not known)."""
    _, seen, deltas, snap, others = record
    kind = frame["type"]
    if kind == "delta":
        if BARE_KEY in frame["set"]:
            seen.append((frame["set"][BARE_KEY], now))
            return
        if size:
            keys = [*frame["set"], *frame["unset"]]
            deltas.append((size, len(keys) == 1 and keys[0].startswith("kpi:")))
        if MARKER_KEY in frame["set"]:
            seen.append((frame["set"][MARKER_KEY], now))
        else:
            others.append(now)
    elif kind == "snapshot" and size:
        snap[0] = size


class LeanScreen(asyncio.Protocol):
    """A screen as lean as a websockets library allows (``--clients lean``): websockets'
    Sans-I/O ``ClientProtocol`` fed by a plain asyncio ``Protocol``, no reader task, no
    message queue. A frame's arrival is stamped in the ``data_received`` that completes it;
    the frame is kept as received and decoded after the phases (``frames``), off the arrival
    path. Pings are answered and a close is echoed by the protocol itself.

    Why: on a site every screen reads its frames on its own machine; here 1,000–2,000 screens
    share one core, so what each spends reading a frame before noting its arrival adds up, in
    series, into the last screen's latency. The ``full`` client (websockets' asyncio client:
    a reader task, ``recv()``, then the msgpack decode before the next ``recv``) spent some
    42 µs of that core a frame: at 2,000 screens most of the bare floor.
    """

    def __init__(self, url: str, hello: bytes, frames: list[tuple[float, bytes]],
                 on_open, on_first_frame) -> None:
        self.ws = ClientProtocol(parse_uri(url), max_size=None)
        self.hello, self.frames = hello, frames
        self.on_open, self.on_first_frame = on_open, on_first_frame
        self.transport: asyncio.Transport | None = None
        self.partial: list[bytes] = []

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.ws.send_request(self.ws.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        ws = self.ws
        ws.receive_data(data)
        events = ws.events_received()
        if events:
            now = time.time()
            for event in events:
                if isinstance(event, Frame):
                    self._frame(event, now)
                else:  # the handshake's response
                    if ws.handshake_exc is not None:
                        raise ws.handshake_exc
                    ws.send_binary(self.hello)
                    self.on_open()
        self._flush()

    def _frame(self, frame: Frame, now: float) -> None:
        if frame.opcode not in (Opcode.BINARY, Opcode.TEXT, Opcode.CONT):
            return  # ping (answered by the protocol), pong, close
        if not frame.fin:
            self.partial.append(frame.data)
            return
        data = b"".join([*self.partial, frame.data]) if self.partial else frame.data
        self.partial.clear()
        if not self.frames:
            self.on_first_frame()
        self.frames.append((now, data))

    def _flush(self) -> None:
        for chunk in self.ws.data_to_send():
            if chunk:
                self.transport.write(chunk)
            else:  # the protocol's end of stream
                self.transport.close()


async def open_lean(url: str, hello: bytes, frames: list[tuple[float, bytes]],
                    on_open=lambda: None, on_first_frame=lambda: None) -> asyncio.Transport:
    """Connect one ``LeanScreen`` to ``url`` (``ws://host:port``); its frames go to
    ``frames``."""
    host, port = url.removeprefix("ws://").split("/", 1)[0].rsplit(":", 1)
    transport, _ = await asyncio.get_running_loop().create_connection(
        lambda: LeanScreen(url, hello, frames, on_open, on_first_frame), host, int(port))
    return transport


def run_clients(url: str, specs: list[tuple[str, str]], core: set[int], out, go,
                bare: bool, kind: str = "lean") -> None:
    """Connect ``specs`` (``kind``: ``lean`` or ``full`` clients), report ``connected`` (when
    every client got its snapshot; at once for the bare server), record until told to stop,
    report the records."""
    _pin(core)
    records: list[Record] = []
    received: list[list[tuple[float, bytes]]] = []  # lean: per client, its frames undecoded
    read = [0]  # full: frames read so far
    reading: list[float] = []  # once all are in: this process's CPU, frames read

    def frames_read() -> int:
        return sum(map(len, received)) if kind == "lean" else read[0]

    def hello(token: str) -> bytes:
        return msgpack.packb({"type": "hello", "v": 1, "token": token})

    async def full_client(role: str, token: str, connected) -> None:
        """Record frames until cancelled: the real screens' client (``HubClient.updates()``,
        as the kiosk and the overlay follow the hub: its websocket, decode and view),
        stamping each snapshot or delta as it is yielded."""
        from panneau.hub.client import HubClient

        record: Record = (role, [], [], [0], [])
        records.append(record)
        client = HubClient(url, token, open_timeout=120)
        first = True
        async for update in client.updates():
            if update.kind in ("snapshot", "delta"):
                now = time.time()
                read[0] += 1
                if first:
                    first = False
                    connected()
                note_decoded(record, update.frame, 0, now)

    async def lean_client(role: str, token: str, connected) -> asyncio.Transport:
        frames: list[tuple[float, bytes]] = []
        records.append((role, [], [], [0], []))
        received.append(frames)
        if bare:
            return await open_lean(url, hello(token), frames, on_open=connected)
        return await open_lean(url, hello(token), frames, on_first_frame=connected)

    async def main() -> None:
        left = [len(specs)]

        def connected() -> None:
            left[0] -= 1
            if not left[0]:
                reading[:] = time.process_time(), frames_read()
                out.put(("connected", None))

        client = lean_client if kind == "lean" else full_client
        tasks = []
        for i in range(0, len(specs), 50):  # connect in waves
            tasks += [asyncio.create_task(client(role, token, connected))
                      for role, token in specs[i:i + 50]]
            await asyncio.sleep(0.05)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, go.wait)
        cpu = (time.process_time() - reading[0], frames_read() - reading[1]) if reading \
            else (0.0, 0)
        for task in tasks:
            if kind == "lean" and task.done() and not task.exception():
                task.result().abort()
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for record, frames in zip(records, received, strict=False):  # lean: decode now
            for now, data in frames:
                note_frame(record, data, now)
        out.put(("records", [(r, s, d, n[0], o) for r, s, d, n, o in records], cpu))

    asyncio.run(main())


# --- one case ----------------------------------------------------------------------------------


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def clear_of_minute(room_s: float) -> None:
    """Wait, if need be, until the next ``room_s`` seconds hold no turn of a clock minute.

    At each minute the hub's engine closes that minute for every scope; landing between the
    two RSS readings it most likely made the memory per client swing between 17 and 23 KiB
    from one run to the next, none of it the clients'.
    """
    into = time.time() % 60
    if into > 60 - room_s:
        time.sleep(60 - into + 1)


def specs_for(n: int, teams: dict[str, list[str]]) -> list[tuple[str, str]]:
    n_managers, n_kiosks = max(1, n // 50), max(1, n * 18 // 100)
    agents = [a for members in teams.values() for a in members]
    names = list(teams)
    specs = [("manager", "bench-manager")] * n_managers
    specs += [("kiosk", f"bench-kiosk-{names[i % len(names)]}") for i in range(n_kiosks)]
    specs += [("agent", f"bench-agent-{a}") for a in agents[: n - n_managers - n_kiosks]]
    return specs


@dataclass
class Case:
    n: int
    bare: bool
    clients: str = "lean"  # the client kind: lean or full
    marks: dict[str, list[float]] = field(default_factory=dict)
    lat: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # phase → role → s
    missing: dict[str, int] = field(default_factory=dict)  # phase → marks never seen
    rss_base_kib: int = 0
    rss_connected_kib: int = 0  # all clients in, before any phase
    rss_kib: int = 0  # after the load phase (resume histories full)
    spans: dict[str, tuple[float, float]] = field(default_factory=dict)
    deltas: dict[str, list[tuple[int, bool]]] = field(default_factory=dict)
    snapshots: dict[str, list[int]] = field(default_factory=dict)
    connect_s: float = 0.0
    trace: dict[str, dict[str, list]] = field(default_factory=dict)  # phase → hub's trace
    client_cpu: tuple[float, int] = (0.0, 0)  # client processes' CPU after connecting, frames
    broadcast_cpu: dict[str, list[float]] = field(default_factory=dict)  # bare: phase → s
    receipts: dict[int, list[float]] = field(default_factory=dict)  # marker → screens' times
    others: list[float] = field(default_factory=list)  # arrivals of deltas without the marker
    before: str = ""  # the hub's interpreter when it is another tree's (``--before``)


def run_case(n: int, seconds: float, bare: bool, procs: int, isolated_s: float,
             trace: bool = False, sized: bool = False, clients: str = "lean",
             step_markers: int = 0, python: str | None = None) -> Case:
    """One server (the hub, or the bare floor) and its N clients through the phases; the
    hub's process runs ``python`` when given (another tree's interpreter: ``--before``)."""
    n_agents = n - max(1, n // 50) - max(1, n * 18 // 100)
    teams = team_layout(n_agents)
    specs = specs_for(n, teams)
    hub_core, client_cores = _cores()
    ctx = mp.get_context("spawn")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    control = (ctx.Queue(), ctx.Queue())
    case = Case(n, bare, clients, before=python or "")
    with tempfile.TemporaryDirectory() as tmp:
        target, args = (run_bare, (ready, control, hub_core, sized)) if bare else (
            run_hub, (teams, str(Path(tmp) / "bench.db"), ready, control, hub_core, trace))
        server = ctx.Process(target=target, args=args, daemon=True)
        if python:
            ctx.set_executable(python)
        try:
            server.start()
        finally:
            ctx.set_executable(sys.executable)
        workers = []
        try:
            url = ready.get(timeout=120)
            time.sleep(0.5)
            if not bare:
                clear_of_minute(CONNECT_ROOM_S)
            case.rss_base_kib = rss_kib(server.pid)
            started = time.monotonic()
            share = (len(specs) + procs - 1) // procs
            for p in range(procs):
                w = ctx.Process(target=run_clients, daemon=True, args=(
                    url, specs[p * share:(p + 1) * share], client_cores, out, go, bare, clients))
                w.start()
                workers.append(w)
            for _ in workers:
                assert out.get(timeout=600)[0] == "connected"  # a loaded machine: minutes
            case.connect_s = time.monotonic() - started
            time.sleep(1.0)  # snapshots in, steady
            case.rss_connected_kib = rss_kib(server.pid)
            phases = [("isolated", isolated_s), ("load", seconds)]
            if step_markers and not bare:
                phases.insert(1, ("step", step_markers))
            for phase, length in phases:
                begin = time.time()
                control[0].put((phase, length))
                took = length * STEP_S if phase == "step" else length
                _, case.marks[phase], taken = control[1].get(timeout=took + 180)
                if bare:
                    case.broadcast_cpu[phase] = taken["broadcast_cpu"]
                elif trace:
                    case.trace[phase] = taken
                time.sleep(1.0)  # the last marks arrive
                case.spans[phase] = (begin, time.time())
            case.rss_kib = rss_kib(server.pid)
            go.set()
            records = []
            for _ in workers:
                _, got, (cpu, frames) = out.get(timeout=120)
                records += got
                case.client_cpu = (case.client_cpu[0] + cpu, case.client_cpu[1] + frames)
        finally:
            for w in workers:
                w.join(30)
            server.terminate()
            server.join(10)
    _attribute(case, records)
    return case


def _attribute(case: Case, records) -> None:
    """Per phase and role: each client's latency to each marker it got (a missing one counts
    as never seen)."""
    spans = case.spans
    for phase in spans:
        case.lat[phase] = defaultdict(list)
        case.missing[phase] = 0
    for role, seen, deltas, snap, others in records:
        case.others += others
        case.deltas.setdefault(role, []).extend(deltas)
        if snap:
            case.snapshots.setdefault(role, []).append(snap)
        for phase, (lo, hi) in spans.items():
            marks = case.marks[phase]
            if case.bare:
                got = [now - t for t, now in seen if lo <= t <= hi]
                case.lat[phase][role] += got
                continue
            first_value = sum(len(case.marks.get(p, ())) for p in PHASES[:PHASES.index(phase)])
            index = {first_value + k + 1: t for k, t in enumerate(marks)}
            got_values: set[int] = set()
            for value, now in seen:  # a count that skips markers (coalesced) reaches them too
                for v in range(first_value + 1, int(value) + 1):
                    if v in index and v not in got_values:
                        got_values.add(v)
                        case.lat[phase][role].append(now - index[v])
                        case.receipts.setdefault(v, []).append(now)
            case.missing[phase] += len(index) - len(got_values)
    case.others.sort()


# --- report --------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def _all(case: Case, phase: str) -> list[float]:
    return [x for v in case.lat.get(phase, {}).values() for x in v]


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


CLIENTS_TEXT = {
    "lean": "websockets' Sans-I/O ClientProtocol in a plain asyncio Protocol; arrival stamped "
            "when the frame is complete, frames decoded after the phases",
    "full": "the real screens' client (panneau.hub.client.HubClient.updates(): websockets, "
            "the frame decoded and applied to its view), stamped as each update is yielded",
}


def report(results: list[tuple[Case, Case]], machine: str, befores: list[Case],
           trace: bool = False) -> None:
    print(f"\n{machine}; hub pinned to one core, clients in other processes")
    print(f"markers every {MARK_EVERY_S:g} s; load = {RATE:g} agent events/s; "
          f"at most {FPS:g} frames/s per audience")
    print("clients (the same for the hub and its bare floor in a row):")
    for kind in dict.fromkeys(hub.clients for hub, _ in results):
        print(f"  {kind:<5} {CLIENTS_TEXT[kind]}")
    print("  every screen here reads on the clients' one core, so what a client spends "
          "reading a frame before stamping it adds up over N screens; on a site each reads "
          "on its own machine\n")
    head = (f"{'N':>5} {'phase':<9}{'clients':<8}| {'hub p50':>8} {'p99 ms':>8} {'max':>7} "
            f"{'lost':>5} | {'bare p50':>8} {'p99':>7} | goal")
    print(head)
    print("-" * len(head))
    for hub, bare in results:
        for phase in PHASES:
            if phase not in hub.lat:
                continue
            h, b = _all(hub, phase), _all(bare, "isolated" if phase == "step" else phase)
            p99, floor = pct(h, .99) * 1e3, pct(b, .99) * 1e3
            if phase in ("isolated", "step"):
                limit = ISOLATED_P99_MS.get(hub.n)
                at = ", landing at a step tick" if phase == "step" else ""
                goal = (f"p99 ≤ {limit:g} ms{at}, {hub.clients} clients: "
                        f"{verdict(p99 <= limit)}" if limit else "—")
            else:
                worst = max((pct(v, .99) * 1e3 for v in hub.lat[phase].values()),
                            default=float("nan"))
                limit = COALESCE_MS + 1.5 * floor
                goal = (f"every role p99 ≤ {COALESCE_MS:g} + 1.5×floor = {limit:.0f} ms "
                        f"(worst role {worst:.0f}), {hub.clients} clients: "
                        f"{verdict(worst <= limit)}")
            print(f"{hub.n:>5} {phase:<9}{hub.clients:<8}| {pct(h, .5) * 1e3:>8.1f} "
                  f"{p99:>8.1f} {max(h, default=float('nan')) * 1e3:>7.0f} "
                  f"{hub.missing.get(phase, 0):>5} | {pct(b, .5) * 1e3:>8.1f} {floor:>7.1f} | "
                  f"{goal}")
    if befores:
        print("\nthe hub of --before (the same bench, clients and phases; the hub's process "
              "runs that tree's code): isolated and landing at a step tick, p50 / p99 / max ms")
    for hub in befores:
        after = next((h for h, _ in results if h.n == hub.n and h.clients == hub.clients),
                     None)
        for phase in ("isolated", "step"):
            cells = [f"{label} {pct(_all(c, phase), .5) * 1e3:.1f} / "
                     f"{pct(_all(c, phase), .99) * 1e3:.1f} / "
                     f"{max(_all(c, phase), default=float('nan')) * 1e3:.0f}"
                     for label, c in (("before", hub), ("after", after)) if c is not None]
            print(f"  N={hub.n:<5} {hub.clients:<5} {phase:<9} " + "   ".join(cells)
                  + f"   ({hub.before})")
    print("\nthe clients' core: CPU of the client processes from all connected to the end, "
          "over the frames they read (the lean ones' decoding, after, not counted)")
    for hub, bare in results:
        cells = [f"{'bare' if c.bare else 'hub'} {c.client_cpu[0] / c.client_cpu[1] * 1e6:.1f} "
                 f"µs a frame ({c.client_cpu[1]} frames)" for c in (hub, bare) if c.client_cpu[1]]
        print(f"  N={hub.n:<5} {hub.clients:<5} " + "   ".join(cells))
    print("\nthe bare server's CPU for one broadcast to every screen, isolated phase (the "
          "hub's tick, for comparison: --trace)")
    for _, bare in results:
        cpu = bare.broadcast_cpu.get("isolated", [])
        print(f"  N={bare.n:<5} {bare.clients:<5} p50 {pct(cpu, .5) * 1e3:.1f}  max "
              f"{max(cpu, default=float('nan')) * 1e3:.1f} ms")
    print("\nper role under load (hub): p50 / p99 ms")
    for hub, _ in results:
        cells = [f"{role} {pct(v, .5) * 1e3:.0f}/{pct(v, .99) * 1e3:.0f}"
                 for role, v in sorted(hub.lat.get("load", {}).items())]
        print(f"  N={hub.n:<5} {hub.clients:<5} " + "   ".join(cells))
    print("\nhub memory per connected client: (RSS with every client in − RSS before the "
          "first) / N; after the load phase (resume histories full, engine grown) in brackets")
    for hub, bare in results:
        per = (hub.rss_connected_kib - hub.rss_base_kib) / hub.n
        after = (hub.rss_kib - hub.rss_base_kib) / hub.n
        floor = (bare.rss_connected_kib - bare.rss_base_kib) / bare.n
        print(f"  N={hub.n:<5} {hub.clients:<5} hub {per:6.1f} KiB ({after:.1f})  bare "
              f"websockets server {floor:5.1f} KiB  ≤ {MEMORY_KIB:g} KiB: "
              f"{verdict(per <= MEMORY_KIB)}   connect {hub.connect_s:.0f} s")
    size = one_figure_delta()
    print(f"\nan agent delta for one changed figure, as the publisher builds it (seq 123456, "
          f"kpi:team:t001/today/answered = 412): {size} B; ≤ {ONE_FIGURE_DELTA_B} B: "
          f"{verdict(size <= ONE_FIGURE_DELTA_B)}")
    print("agent deltas received (each marker moves ~20 figures of qall at once; under load "
          "they gather more): mean size next to the agent snapshot")
    for hub, _ in results:
        deltas = hub.deltas.get("agent", [])
        one = [size for size, one_figure in deltas if one_figure]
        snaps = hub.snapshots.get("agent", [])
        snap = statistics.fmean(snaps) if snaps else float("nan")
        mean = statistics.fmean(s for s, _ in deltas) if deltas else float("nan")
        one_text = f", one-figure ones received: median {statistics.median(one):.0f} B" \
            if one else ""
        print(f"  N={hub.n:<5} {hub.clients:<5} mean {mean:.0f} B vs snapshot {snap:.0f} B "
              f"({mean / snap:.0%}){one_text}")
    report_split(results)
    if trace and any(hub.trace for hub, _ in results):
        print("\nwhere each marker's time went (--trace; hub: wall clock, and the hub "
              "process's CPU for its tick)")
        for hub, _ in results:
            report_trace(hub)
        for hub in befores:
            print(f"  the hub of --before ({hub.before}):")
            report_trace(hub)


def report_sized(results: list[tuple[Case, Case]], sized: list[Case]) -> None:
    """The second floor: the same bare server and clients, frames of the hub's size."""
    size = len(bare_frame(True, 1))
    print(f"\nthe floor again, its frames the size and shape of an agent's marker delta "
          f"({len(SIZED_KEYS)} figures, {size} B instead of {len(bare_frame(False, 1))}): "
          f"what the clients' reading of the bigger frames adds to the tail (not a goal)")
    print(f"{'N':>5} {'phase':<9}{'clients':<8}| {'bare p50':>8} {'p99 ms':>8} | "
          f"{'sized p50':>9} {'p99 ms':>8} | {'hub p50':>8} {'p99 ms':>8}")
    for big in sized:
        hub, bare = next((h, b) for h, b in results if h.n == big.n and
                         h.clients == big.clients)
        for phase in ("isolated", "load"):
            cells = [(pct(_all(c, phase), .5) * 1e3, pct(_all(c, phase), .99) * 1e3)
                     for c in (bare, big, hub)]
            print(f"{hub.n:>5} {phase:<9}{big.clients:<8}| {cells[0][0]:>8.1f} "
                  f"{cells[0][1]:>8.1f} | {cells[1][0]:>9.1f} {cells[1][1]:>8.1f} | "
                  f"{cells[2][0]:>8.1f} {cells[2][1]:>8.1f}")


def traced_markers(hub: Case) -> dict[str, list[tuple[int, float, float, dict]]]:
    """Per phase, each marker the hub's trace follows: its number, emit time, when the hub
    accepted it, and the tick that sent it (whose ``written`` is its last frame's write)."""
    out: dict[str, list[tuple[int, float, float, dict]]] = {}
    first = 0
    for phase in PHASES:
        marks, trace = hub.marks.get(phase, []), hub.trace.get(phase)
        if trace:
            accepted = dict(trace["accepted"])
            rows = out[phase] = []
            for number, emitted in enumerate(marks, first + 1):
                at = accepted.get(number)
                tick = next((t for t in trace["ticks"] if at is not None and "written" in t
                             and (t["count"] or 0) >= number and t["start"] >= at - 0.001),
                            None)
                if tick is not None:
                    rows.append((number, emitted, at, tick))
        first += len(marks)
    return out


def report_split(results: list[tuple[Case, Case]]) -> None:
    """Where the full screens' latency went: the hub's part (a marker's emit → the hub's last
    frame of it written) and the clients' part (→ the last screen's update), next to what
    reading one frame on every screen costs the clients' one shared core."""
    full = [(hub, bare) for hub, bare in results if hub.clients == "full" and hub.trace]
    if not full:
        return
    print("\nfull screens: the hub's part and the clients' shared core's part of each marker's "
          "latency (p50 / p99 ms): hub = emit → the hub's last frame written; clients = → "
          "the last screen's update. On a site each screen reads on its own machine: the "
          "clients' part here is N screens read one after the other on one core")
    for hub, bare in full:
        cpu, frames = hub.client_cpu
        per = cpu / frames if frames else float("nan")
        for phase, rows in traced_markers(hub).items():
            parts = [(tick["written"] - emitted, max(hub.receipts[n]) - tick["written"])
                     for n, emitted, _, tick in rows if hub.receipts.get(n)]
            if phase == "load" or not parts:
                continue
            h, c = [p[0] for p in parts], [p[1] for p in parts]
            print(f"  N={hub.n:<5} {phase:<9} hub {pct(h, .5) * 1e3:6.1f} / "
                  f"{pct(h, .99) * 1e3:6.1f}   clients {pct(c, .5) * 1e3:6.1f} / "
                  f"{pct(c, .99) * 1e3:6.1f}   (one frame "
                  f"on every screen: {hub.n} × {per * 1e6:.1f} µs = {hub.n * per * 1e3:.0f} ms "
                  f"of the clients' core; the bare floor's p99 with these clients "
                  f"{pct(_all(bare, 'isolated'), .99) * 1e3:.0f} ms)")


def _others_between(hub: Case, start: float, end: float) -> int:
    """How many deltas without the marker the screens got between ``start`` and ``end``."""
    return bisect.bisect_right(hub.others, end) - bisect.bisect_left(hub.others, start)


def report_trace(hub: Case, slowest: int = 5) -> None:
    """Where each marker's time went (``--trace``): hub side from the hub's own trace, then
    the screens' receipts after the hub wrote the frames; and the ``slowest`` markers one by
    one (what their tick was made of)."""
    for phase, markers in traced_markers(hub).items():
        trace = hub.trace[phase]
        columns: dict[str, list[float]] = defaultdict(list)
        rows: list[tuple[float, int, float, float, dict]] = []
        steps, between = 0, []
        for number, emitted, at, tick in markers:
            steps += tick.get("step", False)
            got = hub.receipts.get(number, [])
            columns["emit → accepted"].append(at - emitted)
            columns["accepted → tick start"].append(tick["start"] - at)
            columns["tick start → all written"].append(tick["written"] - tick["start"])
            columns["tick CPU"].append(tick["cpu"])
            columns["tick CPU to last frame"].append(tick.get("written_cpu", tick["cpu"]))
            if got:
                columns["all written → last screen"].append(max(got) - tick["written"])
                columns["emit → last screen"].append(max(got) - emitted)
                rows.append((max(got) - emitted, number, emitted, at, tick))
                between.append(_others_between(hub, emitted, max(got)))
        lo, hi = hub.spans[phase]
        step_cpu = ", ".join(f"{(t['cpu'] + t.get('sweep_cpu', 0.0)) * 1e3:.0f}"
                             for t in trace["ticks"]
                             if t.get("step") and lo <= t["start"] <= hi)
        print(f"  N={hub.n:<5} {hub.clients} clients, {phase}: {len(columns['tick CPU'])} "
              f"markers, {steps} of their "
              f"ticks also carried the as_of step (step ticks in the phase, CPU ms: "
              f"{step_cpu or '—'})")
        refreshes = [t for t in trace["ticks"] if lo <= t["start"] <= hi
                     and {"goals", "insights"} & set(t.get("kinds", ()))]
        if refreshes:  # the hub's own (a rollup write's goals, insights): markers behind?
            behind = sum(any(0 <= at - t["start"] < COALESCE_MS / 1e3 for t in refreshes)
                         for _, _, at, _ in markers)
            print(f"      the hub's own refreshes in the phase (goals, insights): "
                  f"{len(refreshes)}; markers accepted less than {COALESCE_MS:.0f} ms after "
                  f"one: {behind}")
        for name, values in columns.items():
            print(f"      {name:<26} p50 {pct(values, .5) * 1e3:6.1f}  p99 "
                  f"{pct(values, .99) * 1e3:6.1f}  max {max(values) * 1e3:6.1f} ms")
        if between:
            cpu, frames = hub.client_cpu
            per = cpu / frames if frames else float("nan")
            print(f"      {'other deltas read meanwhile':<26} p50 {pct(between, .5):6.0f}  p99 "
                  f"{pct(between, .99):6.0f}  max {max(between):6.0f} (frames without the "
                  f"marker the screens got from its emit to its last screen: the clients' "
                  f"core read them too, ~{per * 1e6:.0f} µs each)")
        if rows:
            print(f"    the {min(slowest, len(rows))} slowest markers (ms; CPU: tick = engine "
                  "snapshot + topics + publish + the rest; sw: times the hub was switched "
                  "out in the tick; gc: collections' CPU in it):")
        for total, number, emitted, at, tick in sorted(rows, key=lambda r: r[0])[-slowest:]:
            ms = {k: tick.get(k, 0.0) * 1e3 for k in ("cpu", "snap", "topics", "publish")}
            rest = ms["cpu"] - ms["snap"] - ms["topics"] - ms["publish"]
            last = max(hub.receipts[number])
            kind = "+step" if tick.get("step") else ""
            kind += "+minute" if tick.get("minute") else ""
            before = [t for t in trace["ticks"] if t.get("step") and t is not tick
                      and "written" in t and t["start"] <= emitted]
            if before and emitted - before[-1]["written"] < 0.3:  # screens may still read it
                gap, step = (emitted - before[-1]["written"]) * 1e3, before[-1]
                kind += (f" {'during' if gap < 0 else f'{gap:.0f} ms after'} a step tick"
                         f"{' (minute)' if step.get('minute') else ''} of "
                         f"{step['cpu'] * 1e3:.0f} ms CPU")
            gcs = " ".join(f"gen{g} {took:.0f} ms" for at_gc, took, g in trace.get("gc", ())
                           if emitted - 0.2 <= at_gc <= last)
            others = _others_between(hub, emitted, last)
            ahead = " ".join(  # the ticks and pacing waits between its accept and its tick
                f"{'event' if t.get('event') else 'clock'} tick {(t['start'] - at) * 1e3:+.0f}"
                f" ms {t.get('frames', '?')} fr [{','.join(t.get('kinds', ()))}]"
                for t in trace["ticks"] if at - 0.3 <= t["start"] < tick["start"])
            ahead += " ".join(f" paced {took * 1e3:.0f} ms at {(when - at) * 1e3:+.0f}"
                              for when, took, _ in trace.get("paced", ())
                              if at - 0.3 <= when < tick["start"])
            print(f"      #{number:<4} {total * 1e3:6.1f} = accepted {(at - emitted) * 1e3:.1f}"
                  f" + wait {(tick['start'] - at) * 1e3:.1f} + tick "
                  f"{(tick['written'] - tick['start']) * 1e3:.1f} + screens "
                  f"{(last - tick['written']) * 1e3:.1f} | CPU {ms['cpu']:.1f} = "
                  f"{ms['snap']:.1f} + {ms['topics']:.1f} + {ms['publish']:.1f} + {rest:.1f}"
                  f" | sw {tick.get('switched', 0)} gc {tick.get('gc_ms', 0.0):.1f}"
                  f" | others {others} {kind}"
                  f"{' | collections near: ' + gcs if gcs else ''}"
                  f"{' | ahead: ' + ahead if ahead else ''}")


def one_figure_delta() -> int:
    """The bytes of a delta carrying one changed figure, from the publisher's own splicing."""
    import secrets

    from panneau.hub import wire
    from panneau.hub.server.metrics import Metrics
    from panneau.hub.server.publisher import Publisher

    publisher = Publisher(epoch=secrets.token_hex(6), views=None, metrics=Metrics(),
                          resume_history=1, buffer_bytes=1)
    change = wire.Splice.of_map({"kpi:team:t001/today/answered": 412})
    frame = publisher.delta_frame(123456, [(change, wire.Splice.EMPTY_ARRAY)])
    assert msgpack.unpackb(frame)["set"] == {"kpi:team:t001/today/answered": 412}
    return len(frame)


def machine() -> str:
    model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description="hub fan-out benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2000])
    parser.add_argument("--seconds", type=float, default=8.0, help="length of the load phase")
    parser.add_argument("--procs", type=int, default=4, help="client processes")
    parser.add_argument("--isolated-seconds", type=float, default=0.0,
                        help="length of the isolated phase (default: --seconds, at most 5): "
                             "a marker every 0.5 s, so 5 s give 10 markers and a p99 that is "
                             "the slowest marker's")
    parser.add_argument("--trace", action="store_true",
                        help="also print where each marker's time went, hub and screens")
    parser.add_argument("--no-sized-floor", action="store_true",
                        help="skip the second floor (the bare server's frames of the hub's "
                             "delta size)")
    parser.add_argument("--clients", nargs="+", choices=list(CLIENTS_TEXT),
                        default=list(CLIENTS_TEXT),
                        help="client kinds, each measuring the hub and the bare floor (the "
                             "sized floor: the first kind only); default: lean, then full")
    parser.add_argument("--step-markers", type=int, default=6,
                        help="markers of the step phase, one just after each meta.as_of step "
                             f"({STEP_S:g} s apart; 0: no step phase)")
    parser.add_argument("--before", metavar="PYTHON",
                        help="also run the hub (first client kind) with this interpreter, "
                             "e.g. another worktree's .venv/bin/python: its code, the same "
                             "bench, clients and phases, printed as before / after")
    args = parser.parse_args()
    started = time.monotonic()
    results, sized, befores = [], [], []
    for n in args.sizes:
        isolated = args.isolated_seconds or min(args.seconds, 5.0)
        for kind in args.clients:
            hub = run_case(n, args.seconds, bare=False, procs=args.procs, isolated_s=isolated,
                           trace=args.trace or kind == "full", clients=kind,
                           step_markers=args.step_markers)
            bare = run_case(n, min(args.seconds, 5.0), bare=True, procs=args.procs,
                            isolated_s=isolated, clients=kind)
            results.append((hub, bare))
            if args.before and kind == args.clients[0]:
                befores.append(run_case(n, args.seconds, bare=False, procs=args.procs,
                                        isolated_s=isolated, trace=args.trace, clients=kind,
                                        step_markers=args.step_markers, python=args.before))
        if not args.no_sized_floor:
            sized.append(run_case(n, min(args.seconds, 5.0), bare=True, procs=args.procs,
                                  isolated_s=isolated, sized=True, clients=args.clients[0]))
        print(f"N={n} done ({time.monotonic() - started:.0f} s)", flush=True)
    report(results, machine(), befores, args.trace)
    if sized:
        report_sized(results, sized)
    print(f"\ntotal {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
