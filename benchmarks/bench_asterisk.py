"""queue_log throughput: lines → KPI state per second on one core, next to a bare split loop.

    .venv/bin/python benchmarks/bench_asterisk.py [--lines 1000000] [--skip-cli]

Generates a queue_log of ``--lines`` lines in a temporary folder (calls every ~3 s over several
days on two queues: ENTERQUEUE, RINGNOANSWER, CONNECT, COMPLETE*, ABANDON, EXITWITHTIMEOUT,
PAUSE/UNPAUSE, the odd custom and malformed line), then times, in this process:

- baseline: ``for line in file: line.split('|')``;
- parse only: :func:`panneau.plugins.asterisk.queue_log.parse_batches` (lines → events);
- parse + engine: events applied to :class:`panneau.hub.engine.Engine` one at a time, then
  one snapshot; with the parse's and the engine's share of it, per line;
- replay path: what ``panneau replay`` and a hub run — the reader's batches, each given to
  ``Engine.apply_all`` (:func:`panneau.hub.cli.replay_cmd.replay` itself), then one snapshot,
  under the replay's collector settings (:func:`panneau.hub.cli.replay_cmd.collector`: the
  youngest generation collected every 100,000 allocations);

parse and parse + engine under the garbage-collector policy a hub runs with
(:class:`panneau.hub.server.gcpolicy.GcPolicy`: start-up frozen, the oldest generation
left to it); both engine figures are read against the same goal and the same split loop; and
the wall time of ``panneau replay queue_log FILE --json`` (a fresh process,
as a user runs it) with ``--processes 1`` (one process) and ``--processes 2`` (the file read in
a second process; what the command does by itself when a core is free).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.engines import each_engine, figure
from panneau.hub.cli.replay_cmd import collector, replay
from panneau.hub.config import Config
from panneau.hub.engine import Engine
from panneau.hub.server.gcpolicy import GcPolicy
from panneau.plugins.asterisk.queue_log import parse_batches
from panneau.plugins.asterisk.readers import QUEUE_LOG

ROOT = Path(__file__).resolve().parent.parent
AGENTS = {"support": ["Alice", "Bob", "Carol", "Dan"], "sales": ["Dave", "Erin", "Fay"]}


def generate(path: Path, lines: int, seed: int = 7) -> None:
    """Write a plausible queue_log of exactly ``lines`` lines."""
    rng = random.Random(seed)
    t, n, written = 1_795_000_000, 0, 0
    out: list[str] = [f"{t}|NONE|NONE|NONE|QUEUESTART|"]
    while len(out) < lines:
        t += rng.randint(1, 5)
        n += 1
        queue = "support" if rng.random() < 0.7 else "sales"
        agent = rng.choice(AGENTS[queue])
        call = f"{t}.{n}"
        out.append(f"{t}|{call}|{queue}|NONE|ENTERQUEUE||555{n % 10000:04d}|1")
        wait = rng.randint(0, 90)
        if rng.random() < 0.3:
            other = rng.choice(AGENTS[queue])
            out.append(f"{t + 8}|{call}|{queue}|{other}|RINGNOANSWER|{rng.choice([0, 8000])}")
        roll = rng.random()
        if roll < 0.7:
            talk = rng.randint(10, 400)
            out.append(f"{t + wait}|{call}|{queue}|{agent}|CONNECT|{wait}|{call}1|{min(wait, 9)}")
            verb = "COMPLETECALLER" if rng.random() < 0.5 else "COMPLETEAGENT"
            out.append(f"{t + wait + talk}|{call}|{queue}|{agent}|{verb}|{wait}|{talk}|1")
        elif roll < 0.93:
            out.append(f"{t + wait}|{call}|{queue}|NONE|ABANDON|1|1|{wait}")
        else:
            out.append(f"{t + 45}|{call}|{queue}|NONE|EXITWITHTIMEOUT|1|1|45")
        if rng.random() < 0.02:
            out.append(f"{t}|NONE|{queue}|{agent}|PAUSE|Break")
            out.append(f"{t + 300}|NONE|{queue}|{agent}|UNPAUSE|")
        if rng.random() < 0.01:
            out.append(f"{t}|{call}|{queue}|NONE|DID|+1555000{n % 1000:03d}")
        if rng.random() < 0.001:
            out.append("this line is not queue_log")
        if len(out) >= 100_000:
            written += _flush(path, out[: lines - written])
            out = []
            if written >= lines:
                return
    _flush(path, out[: lines - written])


def _flush(path: Path, rows: list[str]) -> int:
    with path.open("a", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")
    return len(rows)


def goal(label: str, met: bool, detail: str) -> None:
    """One goal of issue 21, met or missed, with the figure and the floor it was read against."""
    print(f"GOAL {label}: {'met' if met else 'MISSED'} ({detail})")


def hub_collector() -> contextlib.AbstractContextManager[None]:
    """The collector settings of a running hub (see :mod:`panneau.hub.server.gcpolicy`)."""
    policy = GcPolicy()
    policy.start()
    return contextlib.closing(SimpleNamespace(close=policy.stop))


def timed(label: str, fn, lines: int, baseline: float | None = None,
          settings=hub_collector) -> tuple[float, float]:
    """Run ``fn`` once, under the collector ``settings``, and print its rate per second of CPU
    (``process_time``: the figure that compares on a shared machine) and of wall time;
    returns ``(wall, cpu)`` seconds."""
    with settings():
        start, cpu_start = time.perf_counter(), time.process_time()
        try:
            extra = fn()
        finally:
            cpu = time.process_time() - cpu_start
            seconds = time.perf_counter() - start
    ratio = f"  ({cpu / baseline:5.1f}× baseline)" if baseline else ""
    print(f"{label:<34} {cpu:7.2f} s CPU {lines / cpu:>12,.0f} lines/s"
          f"  (wall {seconds:6.2f} s {lines / seconds:>10,.0f}/s){ratio}  {extra}")
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--skip-cli", action="store_true", help="do not time panneau replay")
    parser.add_argument("--rounds", type=int, default=1,
                        help="with a compiled build: rounds of pure then compiled (best kept)")
    if each_engine(__file__):
        return
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "queue_log"
        start = time.perf_counter()
        generate(log, args.lines)
        size = log.stat().st_size / 1e6
        print(f"generated {args.lines:,} lines ({size:.0f} MB) in {time.perf_counter() - start:.1f}"
              f" s; python {sys.version.split()[0]}, one process")

        def split_loop() -> str:
            fields = 0
            with log.open(encoding="utf-8") as f:
                for line in f:
                    fields += len(line.split("|"))
            return f"{fields:,} fields"

        def parse_only() -> str:
            events = skipped = 0
            with log.open(encoding="utf-8") as f:
                for batch in parse_batches(f):
                    events += len(batch.events)
                    skipped += len(batch.skipped)
            return f"{events:,} events, {skipped} skipped"

        def parse_and_engine() -> str:
            engine = Engine(Config())
            apply, last = engine.apply, 0.0
            with log.open(encoding="utf-8") as f:
                for batch in parse_batches(f):
                    for event in batch.events:
                        apply(event)
                    if batch.events:
                        last = batch.events[-1].ts
            snap = engine.snapshot(last)
            return f"site offered today: {snap.values['site']['today'].get('offered', 0):,.0f}"

        def replay_path() -> str:
            with log.open(encoding="utf-8", errors="replace", newline="") as f:
                done = replay(QUEUE_LOG.read(f, log.name, {}), Config(), None)
            offered = done.snapshot.values["site"]["today"].get("offered", 0)
            return f"site offered today: {offered:,.0f}"

        _, base = timed("baseline: line.split('|') loop", split_loop, args.lines)
        _, parse = timed("parse (lines → events)", parse_only, args.lines, base)
        _, both = timed("parse + engine (→ KPI state)", parse_and_engine, args.lines, base)
        _, path = timed("replay path (batches, apply_all)", replay_path, args.lines, base,
                        collector)
        per_line = 1e6 / args.lines
        print(f"{'  per line':<34} parse {parse * per_line:5.2f} µs ({parse / both:4.0%}), "
              f"engine {(both - parse) * per_line:5.2f} µs ({1 - parse / both:4.0%}) of CPU")
        figure("split loop, lines/s of CPU", args.lines / base, "lines/s")
        figure("parse, lines/s of CPU", args.lines / parse, "lines/s")
        for name, cpu in (("parse + engine", both), ("replay path", path)):
            rate = args.lines / cpu
            figure(f"{name}, lines/s of CPU", rate, "lines/s")
            figure(f"{name} / split loop", base / cpu, "ratio")
            goal(f"{name} >= 250,000 lines/s and >= 0.1x the split loop",
                 rate >= 250_000 and base / cpu >= 0.1,
                 f"{rate:,.0f} lines/s of CPU = {base / cpu:.3f}x the split loop's "
                 f"{args.lines / base:,.0f} lines/s")
        if not args.skip_cli:
            for processes in ("1", "2"):
                replay_cli(log, args.lines, processes, base)


def replay_cli(log: Path, lines: int, processes: str, base: float) -> None:
    """Time ``panneau replay queue_log FILE --json --processes N`` in a fresh process."""
    cmd = [str(ROOT / ".venv" / "bin" / "panneau"), "replay", "queue_log", str(log), "--json",
           "--processes", processes]
    started = time.perf_counter()
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (child.ru_utime + child.ru_stime)
    outcome = (f"FAILED ({done.returncode}): {done.stderr.strip()[-300:]}" if done.returncode
               else f"{len(done.stdout):,} bytes of JSON")
    label = f"panneau replay --processes {processes}"
    figure(f"replay --processes {processes}, s wall", wall, "s", higher_is_better=False)
    figure(f"replay --processes {processes}, s CPU", cpu, "s", higher_is_better=False)
    print(f"{label:<34} {wall:7.2f} s wall, {cpu:.2f} s CPU (both processes)"
          f" {lines / wall:>10,.0f} lines/s  {outcome}")
    goal(f"panneau replay of 1 M lines <= 6 s wall, {processes} process(es) ({lines:,} lines "
         f"here)", wall * 1_000_000 / lines <= 6.0,
         f"{wall:.2f} s, {wall * 1_000_000 / lines:.1f} s per million lines; the split loop "
         f"{base:.2f} s; load average {os.getloadavg()[0]:.1f}")

if __name__ == "__main__":
    main()
