"""Overlay footprint: RSS and idle CPU of the overlay next to a bare Textual app, same run.

Each app runs headless in its own process (so RSS is its own) at 60×15; after a warm-up the
child measures the CPU time it uses over an idle window and its resident memory, then exits.
The overlay draws a fixed agent view and ticks once a second, as it does in real use.

    .venv/bin/python benchmarks/bench_overlay.py [--window 10] [--warmup 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _rss_kib() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in KiB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


def _make_app(kind: str):
    from textual.app import App
    from textual.widgets import Static

    if kind == "bare":

        class Bare(App[None]):
            def compose(self):
                yield Static("bare Textual app")

        return Bare()
    sys.path.insert(0, str(ROOT / "tests" / "overlay"))
    from overlay_views import NOW, agent_values, make_view, with_alert, with_message

    from overlay.app import OverlayApp
    from overlay.model import Link

    values = with_message(with_alert(agent_values()))
    return OverlayApp(view=make_view(values), link=Link(True, NOW), clock=lambda: NOW)


def child(kind: str, warmup: float, window: float) -> None:
    """Run one app headless, measure, print one JSON line."""
    app = _make_app(kind)
    result: dict = {"kind": kind}

    def start() -> None:
        result["cpu0"], result["wall0"] = time.process_time(), time.monotonic()

    def stop() -> None:
        cpu = time.process_time() - result.pop("cpu0")
        wall = time.monotonic() - result.pop("wall0")
        rss, hwm = _rss_kib()
        result.update({"cpu_pct": 100 * cpu / wall, "cpu_ms": 1000 * cpu, "wall_s": wall,
                       "rss_mib": rss / 1024, "peak_mib": hwm / 1024})
        app.exit()

    app.call_later(lambda: (app.set_timer(warmup, start), app.set_timer(warmup + window, stop)))
    app.run(headless=True, size=(60, 15))
    sys.stdout.write(json.dumps(result) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=10.0, help="idle seconds measured")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--child", choices=("bare", "overlay"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.warmup, args.window)
        return
    rows = []
    for kind in ("bare", "overlay"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--window", str(args.window),
             "--warmup", str(args.warmup)],
            capture_output=True, text=True, check=True, cwd=ROOT,
            timeout=args.warmup + args.window + 60,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"headless 60x15, idle window {args.window:.0f} s after {args.warmup:.0f} s warm-up")
    print(f"{'app':<10}{'RSS MiB':>10}{'peak MiB':>10}{'CPU ms':>10}{'idle CPU %':>12}")
    for row in rows:
        print(f"{row['kind']:<10}{row['rss_mib']:>10.1f}{row['peak_mib']:>10.1f}"
              f"{row['cpu_ms']:>10.0f}{row['cpu_pct']:>12.2f}")
    bare, overlay = rows
    print(f"overlay - bare: RSS {overlay['rss_mib'] - bare['rss_mib']:+.1f} MiB, "
          f"idle CPU {overlay['cpu_pct'] - bare['cpu_pct']:+.2f} points")


if __name__ == "__main__":
    main()
