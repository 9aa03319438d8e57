"""Kiosk footprint: RSS and CPU, idle and at 10 deltas/s, next to a bare Textual app.

Each app runs headless in its own process (so RSS is its own) at 160×45. After a warm-up the
child measures CPU time over an idle window, then over a window where 10 updates a second
arrive (kiosk: a hub-style delta applied to its ViewState then ``set_view``; bare app: its one
``Static`` updated), and reports its resident memory. The kiosk shows the fixed team view of
the tests with a fixed clock.

    .venv/bin/python benchmarks/bench_kiosk.py [--window 10] [--warmup 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RATE_HZ = 10
CPU_GOAL_PCT = 5.0  # issue 21: at 10 deltas/s
RSS_GOAL_RATIO = 1.3  # issue 21: against a bare Textual app


def _memory_mib() -> tuple[float, float]:
    """(resident now, peak resident) of this process in MiB (Linux)."""
    resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    now = resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    return now, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _make_app(kind: str):
    """The app and a function that applies update number ``n``."""
    from textual.app import App
    from textual.widgets import Static

    if kind == "bare":

        class Bare(App[None]):
            def compose(self):
                yield Static("bare Textual app", id="s")

        bare = Bare()
        return bare, lambda n: bare.query_one("#s", Static).update(f"update {n}")

    sys.path.insert(0, str(ROOT / "tests" / "kiosk"))
    from kiosk_data import SCOPE, fixed_clock, normal_values, view_of

    from panneau.hub.view import Delta
    from panneau.kiosk.app import KioskApp

    view = view_of(normal_values())
    app = KioskApp(view=view, clock=fixed_clock)

    def update(n: int) -> None:
        delta = Delta({f"kpi:{SCOPE}/now/calls_waiting": n % 12,
                       f"kpi:{SCOPE}/now/longest_wait_s": 30 + n % 300})
        view.apply_delta(view.epoch, view.seq + 1, delta)
        app.set_view(view)

    return app, update


def child(kind: str, warmup: float, window: float) -> None:
    """Run one app headless through idle then busy windows; print one JSON line."""
    app, update = _make_app(kind)
    result: dict = {"kind": kind}
    mark: dict = {}
    count = [0]

    def begin() -> None:
        mark["cpu"], mark["wall"] = time.process_time(), time.monotonic()

    def end(phase: str) -> None:
        cpu, wall = time.process_time() - mark["cpu"], time.monotonic() - mark["wall"]
        result[f"{phase}_cpu_pct"] = 100 * cpu / wall
        result[f"{phase}_cpu_ms"] = 1000 * cpu

    def tick() -> None:
        count[0] += 1
        update(count[0])

    def idle_done() -> None:
        end("idle")
        app.set_interval(1 / RATE_HZ, tick)
        begin()
        app.set_timer(window, busy_done)

    def busy_done() -> None:
        end("busy")
        rss, peak = _memory_mib()
        result.update({"rss_mib": rss, "peak_mib": peak, "updates": count[0]})
        app.exit()

    def arm() -> None:
        app.set_timer(warmup, begin)
        app.set_timer(warmup + window, idle_done)

    app.call_later(arm)
    app.run(headless=True, size=(160, 45))
    sys.stdout.write(json.dumps(result) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=10.0, help="seconds of each window")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--child", choices=("bare", "kiosk"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.warmup, args.window)
        return
    rows = []
    for kind in ("bare", "kiosk"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--window", str(args.window),
             "--warmup", str(args.warmup)],
            capture_output=True, text=True, check=True, cwd=ROOT,
            timeout=args.warmup + 2 * args.window + 60,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"headless 160x45, {args.window:.0f} s idle then {args.window:.0f} s at "
          f"{RATE_HZ} updates/s, after {args.warmup:.0f} s warm-up")
    print(f"{'app':<8}{'RSS MiB':>9}{'peak MiB':>10}{'idle CPU %':>12}{'busy CPU %':>12}"
          f"{'updates':>9}")
    for row in rows:
        print(f"{row['kind']:<8}{row['rss_mib']:>9.1f}{row['peak_mib']:>10.1f}"
              f"{row['idle_cpu_pct']:>12.2f}{row['busy_cpu_pct']:>12.2f}{row['updates']:>9}")
    bare, kiosk = rows
    print(f"kiosk - bare: RSS {kiosk['rss_mib'] - bare['rss_mib']:+.1f} MiB, idle CPU "
          f"{kiosk['idle_cpu_pct'] - bare['idle_cpu_pct']:+.2f} points, busy CPU "
          f"{kiosk['busy_cpu_pct'] - bare['busy_cpu_pct']:+.2f} points")
    cpu_ok = kiosk["busy_cpu_pct"] <= CPU_GOAL_PCT
    ratio = kiosk["rss_mib"] / bare["rss_mib"]
    print(f"goal: busy CPU ≤ {CPU_GOAL_PCT:g} % of a core: {kiosk['busy_cpu_pct']:.2f} % "
          f"{'met' if cpu_ok else 'MISSED'}; RSS ≤ {RSS_GOAL_RATIO:g}× bare: {ratio:.2f}× "
          f"{'met' if ratio <= RSS_GOAL_RATIO else 'MISSED'} (no intermediate frame at a page "
          "change: tests/kiosk/test_page_change.py)")


if __name__ == "__main__":
    main()
