"""Overlay footprint: RSS and idle CPU of the overlay next to a bare Textual app, same run.

Each app runs headless in its own process (so RSS is its own) at 60×15; after a warm-up the
child measures the CPU time it uses over an idle window (no key pressed) and its resident
memory, then exits. Rows: a bare Textual app; the overlay drawing a fixed agent view (it
ticks once a second, as in real use); the overlay connected to a real hub (another process,
fed by the simulator at real speed, demo config) receiving deltas.

    .venv/bin/python benchmarks/bench_overlay.py [--window 10] [--warmup 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("bare", "overlay", "overlay-live")


def _rss_kib() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in KiB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


def _make_app(kind: str, hub_url: str):
    from textual.app import App
    from textual.widgets import Static

    if kind == "bare":

        class Bare(App[None]):
            def compose(self):
                yield Static("bare Textual app")

        return Bare()
    sys.path.insert(0, str(ROOT / "tests" / "overlay"))
    from overlay_views import NOW, agent_values, make_view, with_alert, with_message

    from panneau.overlay.app import OverlayApp
    from panneau.overlay.model import Link

    if kind == "overlay-live":
        from panneau.hub.client import HubClient
        from panneau.plugins.simulator.demo import agent_token

        return OverlayApp(HubClient(hub_url, agent_token("alice")))
    values = with_message(with_alert(agent_values()))
    return OverlayApp(view=make_view(values), link=Link(True, NOW), clock=lambda: NOW)


def child(kind: str, warmup: float, window: float, hub_url: str) -> None:
    """Run one app headless, measure, print one JSON line."""
    app = _make_app(kind, hub_url)
    result: dict = {"kind": kind}

    def start() -> None:
        result["cpu0"], result["wall0"] = time.process_time(), time.monotonic()

    def stop() -> None:
        cpu = time.process_time() - result.pop("cpu0")
        wall = time.monotonic() - result.pop("wall0")
        rss, hwm = _rss_kib()
        if kind == "overlay-live":
            result["live"] = app.overlay.model.fresh.level  # type: ignore[attr-defined]
        result.update({"cpu_pct": 100 * cpu / wall, "cpu_ms": 1000 * cpu, "wall_s": wall,
                       "rss_mib": rss / 1024, "peak_mib": hwm / 1024})
        app.exit()

    app.call_later(lambda: (app.set_timer(warmup, start), app.set_timer(warmup + window, stop)))
    app.run(headless=True, size=(60, 15))
    sys.stdout.write(json.dumps(result) + "\n")


def hub_child(port: int, database: str) -> None:
    """Run a demo hub (simulator at real speed) on ``port`` until killed."""
    from panneau.hub.server.app import Hub
    from panneau.plugins.simulator.demo import demo_config

    async def serve() -> None:
        config = demo_config(database=database, listen=f"127.0.0.1:{port}",
                             http_listen="127.0.0.1:0")
        async with Hub(config):
            await asyncio.Event().wait()

    asyncio.run(serve())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"the demo hub did not listen on {port} within {seconds} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=10.0, help="idle seconds measured")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--hub-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--hub-child", nargs=2, metavar=("PORT", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hub_child:
        hub_child(int(args.hub_child[0]), args.hub_child[1])
        return
    if args.child:
        child(args.child, args.warmup, args.window, args.hub_url)
        return
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        hub = subprocess.Popen([sys.executable, __file__, "--hub-child", str(port),
                                str(Path(tmp) / "bench.db")], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_for_port(port, 30)
            rows = [_run_child(kind, args, f"ws://127.0.0.1:{port}") for kind in KINDS]
        finally:
            hub.terminate()
            hub.wait(10)
    print(f"headless 60x15, idle window {args.window:.0f} s after {args.warmup:.0f} s warm-up")
    print(f"{'app':<14}{'RSS MiB':>10}{'peak MiB':>10}{'CPU ms':>10}{'idle CPU %':>12}")
    for row in rows:
        print(f"{row['kind']:<14}{row['rss_mib']:>10.1f}{row['peak_mib']:>10.1f}"
              f"{row['cpu_ms']:>10.0f}{row['cpu_pct']:>12.2f}")
    bare = rows[0]
    for row in rows[1:]:
        print(f"{row['kind']} - bare: RSS {row['rss_mib'] - bare['rss_mib']:+.1f} MiB, "
              f"idle CPU {row['cpu_pct'] - bare['cpu_pct']:+.2f} points")
    print(f"overlay-live was {rows[2].get('live')} at the end of its window")


def _run_child(kind: str, args: argparse.Namespace, hub_url: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--window", str(args.window),
         "--warmup", str(args.warmup), "--hub-url", hub_url],
        capture_output=True, text=True, check=True, cwd=ROOT,
        timeout=args.warmup + args.window + 60,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
