"""The hub's publish ticks in process, by instruction count: what the hub itself spends.

A hub (not started: no sockets, no sources) with ``--screens`` screens laid out as
``bench_hub.py`` lays them out (2 % managers, 18 % team kiosks, 80 % agents; at 2,000
screens 1,681 audiences), each connection a null transport that only counts its bytes. The
clock is the script's own, so every run does the same work. Each case is set up, then one
publish is run and measured:

- **marker**: a call enters and leaves ``qall`` (every screen's figures move), one tick;
- **step**: the clock crosses a ``meta.as_of`` step (every screen's ``meta``), the step
  tick and its whole sweep; measured apart as **step tick** (what an event arriving just
  after the step waits behind: the engine, the changed topics, the shared parts) and **step
  sweep** (every screen's frame, sent a slice at a time with the loop turning between). The
  clock jumps to the step from half a second after the last marker, so the engine judges
  nine seconds and more in that tick;
- **live step tick**: the same tick as a running hub has it, after a clock tick on each
  whole second before the step (its engine judges one second, as ``bench_hub.py``'s hub);
- **mid-step**: a marker's tick landing half-way through a step's sweep (it carries what
  the step had not sent yet), then the rest of the sweep, measured apart;
- **load**: 50 agents pausing or unpausing (a quarter second at 200 events/s, coalesced)
  and a marker, one tick;
- **agent**: one agent pausing or unpausing, one tick (the work that grows with the agents:
  the managers see every agent);
- **bare**: the marker tick's frames written again, each to its connection, by a plain loop:
  the floor of a broadcast of the same bytes;
- **minute step tick**, **minute marker**, **minute rest**: at a minute's turn, after a
  clock tick on each whole second before it, the step tick; a marker 3 ms behind it (its
  tick goes ahead of the step's sweep); the rest of the sweep. It is the first minute after
  the agents' login, where every agent's occupancy moves, as every working agent's does at
  each minute on a site.

Counts come from ``valgrind --tool=callgrind``, collecting only inside the measured calls
(each one made through ``operator.call``, a C function callgrind toggles on) and dumping
after each, so set-up costs nothing. Without valgrind (``--cpu``) each case prints its CPU
time instead (noisy on a shared machine). ``--before PYTHON`` runs another tree's hub the
same way (that tree's ``.venv/bin/python``; this script and ``bench_hub.py`` from here).

    .venv/bin/python benchmarks/bench_hub_ticks.py                 # 2,000 screens, ~3 min
    .venv/bin/python benchmarks/bench_hub_ticks.py --before /tmp/old/.venv/bin/python
    .venv/bin/python benchmarks/bench_hub_ticks.py --cpu --screens 1000
"""

from __future__ import annotations

import argparse
import gc
import glob
import operator
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CASES = ("marker", "step", "step tick", "step sweep", "live step tick", "mid-step",
         "mid-step rest", "load", "agent", "bare", "minute step tick", "minute marker",
         "minute rest")
#: Cases measured in parts: printed as the sum of theirs.
SUMS = {"step": ("step tick", "step sweep")}
#: A fixed start: 09:00:02 UTC, clear of a minute's turn and of a step for a while.
T0 = 1_796_029_202.0
LOAD_EVENTS = 50


class NullTransport:
    """A connection's transport that takes every write and keeps nothing (not slotted: a
    capture puts its own ``write`` on each)."""

    def __init__(self) -> None:
        self.frames, self.sent = 0, 0

    def write(self, data: bytes) -> None:
        self.frames += 1
        self.sent += len(data)

    def get_write_buffer_size(self) -> int:
        return 0

    def is_closing(self) -> bool:
        return False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


class NullConn:
    """What the publisher reads of a websockets ``ServerConnection``."""

    def __init__(self, i: int) -> None:
        from websockets.protocol import State

        self.transport = NullTransport()
        self.protocol = type("P", (), {"state": State.OPEN})()
        self.remote_address = ("127.0.0.1", 10000 + i)


class Rig:
    """A hub with ``screens`` null connections, driven by its own clock."""

    def __init__(self, screens: int, db: str) -> None:
        sys.path.insert(0, str(HERE))
        import bench_hub as bh

        from panneau.hub.events import AgentLoggedIn
        from panneau.hub.plugins import make_plugin_manager
        from panneau.hub.server.app import Hub
        from panneau.hub.server.publisher import Client
        from panneau.hub.server.ws import audience_of

        n_agents = screens - max(1, screens // 50) - max(1, screens * 18 // 100)
        teams = bh.team_layout(n_agents)
        config = bh.make_config(teams, db)
        pm = make_plugin_manager(load_entry_points=False)
        pm.register(bh._make_plugin(None), name="bench")
        self.now = T0
        self.hub = hub = Hub(config, pm=pm, clock=lambda: self.now)
        self.agents = [a for members in teams.values() for a in members]
        hub._apply_all([AgentLoggedIn(ts=self.now, agent=a) for a in self.agents])
        self.tick()
        tokens = {t.token: t for t in config.tokens}
        self.clients = []
        for i, (_, token) in enumerate(bh.specs_for(screens, teams)):
            entry = tokens[token]
            client = Client(NullConn(i), audience_of(entry), entry.label or "")  # type: ignore[arg-type]
            hub.publisher.attach(client, None, None, hub._status_for(client.audience))
            self.clients.append(client)
        self.audiences = len(hub.publisher.audiences)
        self.marks, self.paused = 0, set()

    def tick(self, clock: bool = False) -> int:
        self.hub._clock_tick = clock
        return self.hub.tick()

    def marker(self) -> None:
        from panneau.hub.events import CallAbandoned, CallEntered

        self.marks += 1
        call = f"mark{self.marks}"
        self.hub._apply_all([CallEntered(ts=self.now, call_id=call, queue="qall"),
                             CallAbandoned(ts=self.now, call_id=call, queue="qall", wait_s=0.0)])

    def agent_events(self, count: int) -> None:
        from panneau.hub.events import AgentPaused, AgentUnpaused

        batch = []
        for i in range(count):
            agent = self.agents[(self.marks * count + i) % len(self.agents)]
            kind = AgentUnpaused if agent in self.paused else AgentPaused
            self.paused.symmetric_difference_update({agent})
            batch.append(kind(ts=self.now, agent=agent))
        self.hub._apply_all(batch)

    def to_step(self, live: bool = False) -> None:
        """The clock just past the next ``meta.as_of`` step; ``live``: with a clock tick just
        past each whole second before it, as a running hub's publish loop ticks."""
        from panneau.hub.server.views import AS_OF_STEP_S

        step = (self.now // AS_OF_STEP_S + 1) * AS_OF_STEP_S
        while live and self.now // 1 + 1 < step:
            self.now = self.now // 1 + 1.005
            self.tick(clock=True)
        self.now = step + 0.005

    def to_minute(self) -> None:
        """The clock just past the next minute's turn, with a clock tick (and its step's
        sweep) just past each whole second before it, as a running hub's publish loop."""
        minute = (self.now // 60 + 1) * 60
        while self.now // 1 + 1 < minute:
            self.now = self.now // 1 + 1.005
            self.tick(clock=True)
            self.hub.publisher.sweep(float("inf"))
        self.now = minute + 0.005

    def half_sweep(self) -> None:
        """Send the first half of a step's sweep (as its first slices would)."""
        step = self.hub.publisher._sweep
        assert step is not None
        stop = len(step.queue) // 2
        while step.at < stop:
            step.at += 1
            step.finish(step.queue[step.at - 1])

    def capture(self) -> list[tuple[NullTransport, bytes]]:
        """The frames a marker tick writes, each with its connection's transport."""
        got: list[tuple[NullTransport, bytes]] = []
        for client in self.clients:
            t = client.conn.transport
            t.write = lambda data, t=t: got.append((t, data))  # type: ignore[method-assign]
        self.now += 0.5
        self.marker()
        self.tick()
        for client in self.clients:
            del client.conn.transport.write
        return got


def bare(pairs: list[tuple[NullTransport, bytes]]) -> None:
    for transport, frame in pairs:
        transport.write(frame)


def run_cases(screens: int, cpu: bool) -> None:
    """Set up and measure each case in turn (in this process): print one line a case."""
    with tempfile.TemporaryDirectory() as tmp:
        rig = Rig(screens, str(Path(tmp) / "hub.db"))
        try:
            _run(rig, cpu)
        finally:
            rig.hub.journal.close()


def _run(rig: Rig, cpu: bool) -> None:
    gc.collect()
    gc.freeze()
    gc.disable()

    def measure(name: str, fn: Callable[[], Any]) -> None:
        start = time.process_time()
        result = operator.call(fn)  # callgrind: collects inside this call, dumps after it
        took = time.process_time() - start
        line = f"{name}: frames {result}" if result is not None else name
        print(f"{line}  cpu {took * 1000:.2f} ms" if cpu else line, flush=True)

    for _ in range(3):  # warm: every part built, every meta cached, histories filled
        rig.now += 0.5
        rig.marker()
        rig.tick()
    rig.to_step()
    rig.tick(clock=True)
    rig.hub.publisher.sweep(float("inf"))
    rig.now += 0.5
    rig.marker()
    measure("marker", rig.tick)
    rig.to_step()
    measure("step tick", lambda: rig.tick(clock=True))
    measure("step sweep", lambda: rig.hub.publisher.sweep(float("inf")))
    rig.to_step()
    rig.tick(clock=True)
    rig.half_sweep()
    rig.now += 0.003
    rig.marker()
    measure("mid-step", rig.tick)
    measure("mid-step rest", lambda: rig.hub.publisher.sweep(float("inf")))
    rig.now += 0.5
    rig.agent_events(LOAD_EVENTS)
    rig.marker()
    measure("load", rig.tick)
    rig.now += 0.5
    rig.agent_events(1)
    measure("agent", rig.tick)
    pairs = rig.capture()
    measure("bare", lambda: bare(pairs))
    rig.to_step(live=True)
    measure("live step tick", lambda: rig.tick(clock=True))
    rig.hub.publisher.sweep(float("inf"))
    rig.to_minute()
    measure("minute step tick", lambda: rig.tick(clock=True))
    rig.now += 0.003
    rig.marker()
    measure("minute marker", rig.tick)
    measure("minute rest", lambda: rig.hub.publisher.sweep(float("inf")))
    print(f"screens {len(rig.clients)} audiences {rig.audiences} "
          f"marker frames {len(pairs)} of {sum(map(len, (f for _, f in pairs)))} B", flush=True)


def callgrind(python: str, screens: int) -> tuple[dict[str, int], str]:
    """Each case's instructions (callgrind, the measured calls only) with ``python``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cg.out"
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        proc = subprocess.run(
            ["valgrind", "--tool=callgrind", "--collect-atstart=no",
             "--toggle-collect=_operator_call", "--dump-after=_operator_call",
             f"--callgrind-out-file={out}", python, str(Path(__file__).resolve()),
             "--inside", "--screens", str(screens)],
            env=env, capture_output=True, text=True, check=True)
        counts = []
        for path in sorted(glob.glob(f"{out}.*"), key=lambda p: int(p.rsplit(".", 1)[1])):
            for line in Path(path).read_text().splitlines():
                if line.startswith("summary:"):
                    counts.append(int(line.split()[1]))
        names = [line.split(":")[0] for line in proc.stdout.splitlines()
                 if line.split(":")[0] in CASES]
        info = proc.stdout.splitlines()[-1]
        return dict(zip(names, counts, strict=True)), info


def _count(counts: dict[str, int], case: str) -> int | None:
    """A case's instructions (the sum of its parts' for :data:`SUMS`)."""
    if case in SUMS:
        parts = [counts.get(p) for p in SUMS[case]]
        return None if None in parts else sum(parts)  # type: ignore[arg-type]
    return counts.get(case)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--screens", type=int, default=2000)
    ap.add_argument("--cpu", action="store_true", help="CPU time in this process, no valgrind")
    ap.add_argument("--before", metavar="PYTHON", help="another tree's interpreter, run too")
    ap.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inside or args.cpu:
        run_cases(args.screens, args.cpu)
        return
    runs = [("after", sys.executable)]
    if args.before:
        runs.insert(0, ("before", args.before))
    results = {}
    for label, python in runs:
        results[label], info = callgrind(python, args.screens)
        print(f"{label}: {info}", flush=True)
    print(f"\ninstructions (M), {args.screens} screens, callgrind, PYTHONHASHSEED=0")
    print(f"{'case':15}" + "".join(f"{label:>10}" for label, _ in runs))
    for case in CASES:
        row = [_count(results[label], case) for label, _ in runs]
        print(f"{case:15}" + "".join(f"{c / 1e6:10.1f}" if c else f"{'-':>10}" for c in row))


if __name__ == "__main__":
    main()
