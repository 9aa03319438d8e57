"""Hub fan-out benchmark: N screens on loopback, events at 200/s, latency measured at clients.

For N = 100, 500, 2000 clients (2 % managers, 18 % team kiosks, 80 % agents, one agent each),
a hub runs in a child process fed by a steady source (agents pausing / unpausing, 200
events/s, each event stamped with the wall time it was emitted). The clients, in this
process, measure:

- event-to-screen latency: receive time − the ``since`` of every ``agent:<id>`` value a frame
  carries (managers and agents; kiosks see counts only), p50 / p99 — includes the publish
  coalescing (at most ``max_frames_per_s`` = 4 frames/s per audience, so up to 250 ms);
- frames/s and bytes/s received by all clients;
- mean bytes per delta frame next to the bytes of the full snapshot of the same view.

Baseline, same run, same clients: a bare websockets server broadcasting a timestamped frame
4 times a second to the same N connections (no views, no diffs): the floor of the latency.

    .venv/bin/python benchmarks/bench_hub.py            # about 2 minutes
    .venv/bin/python benchmarks/bench_hub.py --sizes 100 --seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import msgpack
from websockets.asyncio.client import connect

RATE = 200.0
FPS = 4.0


# --- the hub side (child process) ---------------------------------------------------------


@dataclass
class BenchOptions:
    agents: list[str] = field(default_factory=list)
    rate: float = RATE


class BenchSource:
    """Toggles agents between paused and available, ``rate`` events a second."""

    def __init__(self, options: BenchOptions) -> None:
        self.options = options

    async def run(self, ctx) -> None:
        from panneau.hub.events import AgentLoggedIn, AgentPaused, AgentUnpaused

        agents, step = self.options.agents, 0.05
        per_batch = max(1, round(self.options.rate * step))
        await ctx.emit([AgentLoggedIn(ts=time.time(), agent=a) for a in agents])
        ctx.set_status("live")
        loop, paused, i = asyncio.get_running_loop(), set(), 0
        due = loop.time()
        while True:
            batch = []
            for _ in range(per_batch):
                agent = agents[i % len(agents)]
                i += 1
                if agent in paused:
                    paused.discard(agent)
                    batch.append(AgentUnpaused(ts=time.time(), agent=agent))
                else:
                    paused.add(agent)
                    batch.append(AgentPaused(ts=time.time(), agent=agent, reason="Break"))
            await ctx.emit(batch, checkpoint=i)
            due += step
            await asyncio.sleep(max(0.0, due - loop.time()))


class BenchPlugin:
    def __init__(self) -> None:
        from panneau.hub.hookspecs import hookimpl

        def register_sources(register):
            from panneau.hub.sources import SourceSpec
            register(SourceSpec(name="bench", factory=BenchSource, options=BenchOptions))

        self.register_sources = hookimpl(register_sources)


def team_layout(n_agents: int, n_kiosks: int) -> dict[str, list[str]]:
    n_teams = max(1, min(n_kiosks, (n_agents + 19) // 20))
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
        teams=[Team(id=t, name=t, queues=[f"q{t}"], agents=m) for t, m in teams.items()],
        sources=[SourceConfig(name="bench", plugin="bench",
                              options={"agents": agents, "rate": RATE})],
        thresholds=[Threshold("agents_paused", warn=5.0, alert=10.0)],
        tokens=tokens)


def run_hub(teams: dict[str, list[str]], db: str, ready) -> None:
    from panneau.hub.plugins import make_plugin_manager
    from panneau.hub.server.app import Hub

    async def main() -> None:
        pm = make_plugin_manager(load_entry_points=False)
        pm.register(BenchPlugin(), name="bench")
        async with Hub(make_config(teams, db), pm=pm) as hub:
            ready.put(hub.ws_url)
            await hub.serve_forever()

    asyncio.run(main())


def run_baseline(ready) -> None:
    from websockets.asyncio.server import broadcast, serve

    async def main() -> None:
        clients = set()

        async def handler(ws):
            await ws.recv()  # the hello
            clients.add(ws)
            try:
                await ws.wait_closed()
            finally:
                clients.discard(ws)

        async with serve(handler, "127.0.0.1", 0, compression=None) as server:
            ready.put(f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}")
            while True:
                await asyncio.sleep(1 / FPS)
                broadcast(clients, msgpack.packb({"type": "tick", "t": time.time(),
                                                  "pad": "x" * 200}))

    asyncio.run(main())


# --- the client side (this process) ---------------------------------------------------------


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    frames: int = 0
    bytes: int = 0
    delta_bytes: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    snapshot_bytes: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    measuring: bool = False


async def client(url: str, role: str, token: str, stats: Stats, stop: asyncio.Event) -> None:
    async with connect(url, max_size=None, compression=None, open_timeout=60,
                       close_timeout=1) as ws:
        await ws.send(msgpack.packb({"type": "hello", "v": 1, "token": token}))
        while not stop.is_set():
            try:
                async with asyncio.timeout(0.5):
                    data = await ws.recv()
            except TimeoutError:
                continue
            now = time.time()
            frame = msgpack.unpackb(data)
            kind = frame["type"]
            if kind == "snapshot":
                stats.snapshot_bytes[role].append(len(data))
            if not stats.measuring:
                continue
            stats.frames += 1
            stats.bytes += len(data)
            if kind == "tick":
                stats.latencies[role].append(now - frame["t"])
            elif kind == "delta":
                stats.delta_bytes[role].append(len(data))
                for key, value in frame["set"].items():
                    if key.startswith("agent:"):
                        stats.latencies[role].append(now - value["since"])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def measure(url: str, specs: list[tuple[str, str]], seconds: float) -> tuple[Stats, float]:
    stats, stop = Stats(), asyncio.Event()
    tasks = []
    for i in range(0, len(specs), 100):  # connect in waves
        tasks += [asyncio.create_task(client(url, role, token, stats, stop))
                  for role, token in specs[i:i + 100]]
        await asyncio.sleep(0.2)
    await asyncio.sleep(3.0)  # snapshots in, steady state
    stats.measuring = True
    start = time.monotonic()
    await asyncio.sleep(seconds)
    stats.measuring = False
    elapsed = time.monotonic() - start
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return stats, elapsed


def specs_for(n: int, teams: dict[str, list[str]], n_managers: int, n_kiosks: int):
    agents = [a for members in teams.values() for a in members]
    specs = [("manager", "bench-manager")] * n_managers
    names = list(teams)
    specs += [("kiosk", f"bench-kiosk-{names[i % len(names)]}") for i in range(n_kiosks)]
    specs += [("agent", f"bench-agent-{a}") for a in agents[: n - n_managers - n_kiosks]]
    return specs


def run_case(n: int, seconds: float, baseline: bool) -> dict:
    n_managers, n_kiosks = max(1, n // 50), max(1, n * 18 // 100)
    n_agents = n - n_managers - n_kiosks
    teams = team_layout(n_agents, n_kiosks)
    ctx = mp.get_context("spawn")
    ready = ctx.Queue()
    with tempfile.TemporaryDirectory() as tmp:
        target, args = (run_baseline, (ready,)) if baseline else (
            run_hub, (teams, str(Path(tmp) / "bench.db"), ready))
        proc = ctx.Process(target=target, args=args, daemon=True)
        proc.start()
        try:
            url = ready.get(timeout=60)
            stats, elapsed = asyncio.run(measure(url, specs_for(n, teams, n_managers,
                                                                n_kiosks), seconds))
        finally:
            proc.terminate()
            proc.join(10)
    all_lat = [x for values in stats.latencies.values() for x in values]
    return {"n": n, "stats": stats, "elapsed": elapsed, "lat": all_lat}


def report(results: list[tuple[dict, dict]]) -> None:
    print(f"\nevents {RATE:g}/s, at most {FPS:g} frames/s per audience; baseline = bare "
          "websockets.broadcast of a 230-byte timestamped frame at 4/s to the same clients\n")
    head = (f"{'N':>5} | {'hub p50 ms':>10} {'p99 ms':>8} {'frames/s':>9} {'KB/s':>8} | "
            f"{'base p50':>8} {'p99':>6} {'frames/s':>9} {'KB/s':>7}")
    print(head)
    print("-" * len(head))
    for hub, base in results:
        hs, bs = hub["stats"], base["stats"]
        p50, p99 = pct(hub["lat"], .5) * 1e3, pct(hub["lat"], .99) * 1e3
        print(f"{hub['n']:>5} | {p50:>10.1f} {p99:>8.1f}"
              f" {hs.frames / hub['elapsed']:>9.0f} {hs.bytes / hub['elapsed'] / 1024:>8.0f} |"
              f" {pct(base['lat'], .5) * 1e3:>8.1f} {pct(base['lat'], .99) * 1e3:>6.1f}"
              f" {bs.frames / base['elapsed']:>9.0f} {bs.bytes / base['elapsed'] / 1024:>7.0f}")
    print("\nper role (hub): latency p50/p99 ms, mean delta bytes vs full snapshot bytes")
    for hub, _ in results:
        hs = hub["stats"]
        for role in ("manager", "kiosk", "agent"):
            lat, deltas, snaps = hs.latencies.get(role, []), hs.delta_bytes.get(role, []), \
                hs.snapshot_bytes.get(role, [])
            if not snaps:
                continue
            mean_delta = statistics.fmean(deltas) if deltas else float("nan")
            mean_snap = statistics.fmean(snaps)
            lat_text = (f"{pct(lat, .5) * 1e3:7.1f} {pct(lat, .99) * 1e3:7.1f}" if lat
                        else f"{'(counts only)':>15}")
            print(f"  N={hub['n']:<5} {role:<8} {lat_text}   delta {mean_delta:9.0f} B"
                  f"   snapshot {mean_snap:9.0f} B   ({mean_delta / mean_snap:.1%})")


def main() -> None:
    parser = argparse.ArgumentParser(description="hub fan-out benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 2000])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    started = time.monotonic()
    results = []
    for n in args.sizes:
        hub = run_case(n, args.seconds, baseline=False)
        base = run_case(n, min(args.seconds, 5.0), baseline=True)
        results.append((hub, base))
        print(f"N={n} done ({time.monotonic() - started:.0f} s)", flush=True)
    report(results)
    print(f"\ntotal {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
