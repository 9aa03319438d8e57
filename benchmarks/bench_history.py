"""KPI history at 500 agents: how long a minute sample stalls the hub's event loop.

    .venv/bin/python benchmarks/bench_history.py [--calls 20000] [--samples 30] [--runs 10]

Builds the engine benchmark's 50 queues / 500 agents / 10 teams day (``bench_engine``) and a
real SQLite journal in a temporary folder already holding a day and a week ago of
``--samples`` minutes each. It prints the rows of one sample under the previous rule (every
window of site, team and queue scopes, every ``today`` figure of each agent: 9,917 rows) and
today's (``now`` and ``today`` plus the kiosk pages' windows; agents' ``AGENT_REF_KPIS`` in
``today``). Then ``--runs`` samples in each of three ways, each inside a running event loop
that also has

- a ticker (``asyncio.sleep(1 ms)``) measuring the loop's lag: how late it wakes up;
- an emitter journalling 5 events a 10 ms through ``Journal.accept`` on the loop, like a
  source's ``ctx.emit`` (its slowest call shows a wait for the history's write lock).

The three ways, side by side:

- ``before``: the previous layout (``kpi_history`` with its ``(key, ts)`` index), the
  previous rows and sample, on the loop: one ``executemany`` then trends and refs re-read;
- ``on loop``: today's layout and :meth:`History.sample` (trends in memory), on the loop;
- ``off loop``: :meth:`History.sample_off_loop`, what the hub runs: the loop copies the
  figures, a worker thread writes chunks and reads the refs on its own connection.

The objects built before the measure (the engine, and the generated day's events the emitter
reuses, far more than a hub keeps) are moved out of the garbage collector's reach
(``gc.freeze``): otherwise a full collection over them (~40 ms) lands in a random sample.
Off the loop, the lag left is mostly the GIL's switch interval (5 ms): the worker thread's
Python work (building rows, binding parameters) holds the GIL for up to that long at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_engine

from panneau.hub.engine import Engine
from panneau.hub.server.history import DAY, History, sampled
from panneau.hub.server.journal import Journal

TICK_S, EMIT_EVERY_S, EMIT_BATCH = 0.001, 0.010, 5


def sampled_before(flat: dict) -> list[tuple[str, float | None]]:
    """The previous rule: every figure but an agent's rolling windows."""
    return [(k, v) for k, v in flat.items()
            if not k.startswith("agent:") or k.split("/", 2)[1] == "today"]


def rows_of(history: History, flat: dict, old_rows: bool) -> list[tuple[str, float | None]]:
    return sampled_before(flat) if old_rows else list(sampled(flat, history.windows))


def before(history: History, now: float, snap) -> None:
    """The previous sample: one transaction, then trends and refs from the journal."""
    history.journal.add_history(now, sampled_before(snap.flat()))
    history.refresh(now, snap.values)


async def measure(history: History, way: str, start: float, runs: int, snap, events
                  ) -> dict[str, list[float]]:
    """``runs`` samples one way, with the ticker and the emitter running; the figures."""
    out: dict[str, list[float]] = {"sample": [], "lag": [], "accept": []}
    sampling, stop = [False], asyncio.Event()

    async def ticker() -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            await asyncio.sleep(TICK_S)
            if sampling[0]:
                out["lag"][-1] = max(out["lag"][-1], time.perf_counter() - t0 - TICK_S)

    async def emitter() -> None:
        for i in range(0, 10**9, EMIT_BATCH):
            if stop.is_set():
                return
            t0 = time.perf_counter()
            batch = events[i % len(events):i % len(events) + EMIT_BATCH]
            history.journal.accept("bench", batch, i, True, start)
            if sampling[0]:
                out["accept"][-1] = max(out["accept"][-1], time.perf_counter() - t0)
            await asyncio.sleep(EMIT_EVERY_S)

    tasks = [asyncio.create_task(ticker()), asyncio.create_task(emitter())]
    for i in range(runs):
        await asyncio.sleep(0.05)
        out["lag"].append(0.0)
        out["accept"].append(0.0)
        sampling[0] = True
        t0 = time.perf_counter()
        now = start + 60 * i
        if way == "before":
            before(history, now, snap)
        elif way == "on loop":
            history.sample(now, snap)
        else:
            await history.sample_off_loop(now, snap)
        out["sample"].append(time.perf_counter() - t0)
        await asyncio.sleep(3 * TICK_S)  # the ticker's sleep that spans the end
        sampling[0] = False
    stop.set()
    await asyncio.gather(*tasks)
    return out


def open_journal(path: Path, old_layout: bool, config, now: float, snap, samples: int
                 ) -> History:
    journal = Journal(path)
    if old_layout:
        journal.db["kpi_history"].create_index(["key", "ts"], if_not_exists=True)
    history = History(journal, config)
    for back in (DAY, 7 * DAY):  # what yesterday and last week left in the journal
        for i in range(samples):
            journal.add_history(now - back + 60 * i, rows_of(history, snap.flat(), old_layout))
    return history


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1e3:7.1f} /{max(values) * 1e3:7.1f}"


async def run(args: argparse.Namespace) -> None:
    config = bench_engine.config()
    engine = Engine(config)
    events = bench_engine.generate(args.calls, 3)
    for event in events:
        engine.apply(event)
    now = max(e.ts for e in events)
    snap = engine.snapshot(now)
    gc.collect()
    gc.freeze()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for way in ("before", "on loop", "off loop"):
            path = Path(folder) / f"{way.replace(' ', '_')}.db"
            history = open_journal(path, way == "before", config, now, snap, args.samples)
            history.refresh(now, snap.values)
            results[way] = await measure(history, way, now, args.runs, snap, events)
            keys = [k for k, _ in rows_of(history, snap.flat(), way == "before")]
            results[way]["rows"], results[way]["refs"] = [len(keys)], [len(history.refs)]
            results[way]["agents"] = [sum(k.startswith("agent:") for k in keys)]
            await history.aclose()
            history.journal.close()
            results[way]["size"] = [path.stat().st_size / 2**20]
    old, new = results["before"]["rows"][0], results["off loop"]["rows"][0]
    agents = results["before"]["agents"][0], results["off loop"]["agents"][0]
    print(f"500 agents: rows a sample: before {old:,} (agents' {agents[0]:,}), now {new:,} "
          f"(agents' {agents[1]:,}); a day at one a minute: {old * 1440 / 1e6:.1f} M -> "
          f"{new * 1440 / 1e6:.1f} M rows")
    print(f"{args.runs} samples each way (journal: {2 * args.samples} samples before); "
          f"median / max, ms; GIL switch interval {sys.getswitchinterval() * 1e3:.0f} ms")
    print(f"{'':10} {'rows':>6} {'refs':>6} {'sample takes':>16} {'loop lag':>16} "
          f"{'emit (accept)':>16}  journal")
    for way, out in results.items():
        print(f"{way:10} {out['rows'][0]:6,} {out['refs'][0]:6,} {ms(out['sample'])} "
              f"{ms(out['lag'])} {ms(out['accept'])}  {out['size'][0]:5.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--runs", type=int, default=10)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
