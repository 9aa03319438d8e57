"""One benchmark run, pure-Python engine and compiled engine side by side.

A benchmark script calls :func:`each_engine` first. When ``PANNEAU_ENGINE`` is set, the script
runs as usual on that engine (``engine: ...`` says which). Otherwise, when the compiled build
(``panneau compiled build``, docs/install.md) is usable, it runs itself in a child process per
engine, interleaved (pure, compiled, pure, ... for ``--rounds N``), prints each child's output
under a heading, and ends with a table of the figures the children reported with
:func:`figure`: the best of each engine's rounds and the compiled engine's speed-up. Without a
build, it runs the pure engine and says why the compiled one is not there.
"""

from __future__ import annotations

import os
import subprocess
import sys

from panneau.hub import compiled

__all__ = ["each_engine", "figure"]

_FIGURE = "FIGURE\t"
_CHILD = "PANNEAU_BENCH_CHILD"


def figure(label: str, value: float, unit: str, higher_is_better: bool = True) -> None:
    """Note a figure for the side-by-side table (printed only in a child run)."""
    if os.environ.get(_CHILD):
        print(f"{_FIGURE}{label}\t{value!r}\t{unit}\t{int(higher_is_better)}")


def _rounds(argv: list[str]) -> tuple[int, list[str]]:
    """``--rounds N`` (default 1) taken out of ``argv``."""
    rest, rounds, i = [], 1, 0
    while i < len(argv):
        if argv[i] == "--rounds" and i + 1 < len(argv):
            rounds, i = int(argv[i + 1]), i + 2
        elif argv[i].startswith("--rounds="):
            rounds, i = int(argv[i].split("=", 1)[1]), i + 1
        else:
            rest.append(argv[i])
            i += 1
    return rounds, rest


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 1000 else f"{value:.3g}"


def each_engine(script: str) -> bool:
    """Run ``script`` per engine when both are there; True when it did (the caller returns).

    Otherwise prints which engine this process runs and returns False (``--rounds`` dropped)."""
    rounds, argv = _rounds(sys.argv[1:])
    sys.argv[1:] = argv
    if os.environ.get(compiled.ENV) or os.environ.get(_CHILD):
        print(f"engine: {compiled.describe()}")
        return False
    build = compiled.choice(env="auto")
    if build.kind != "compiled":
        print(f"engine: {compiled.describe()}; no compiled engine measured beside it")
        return False
    best: dict[str, dict[str, float]] = {"pure": {}, "compiled": {}}
    units: dict[str, tuple[str, bool]] = {}
    for n in range(1, rounds + 1):
        for engine in ("pure", "compiled"):
            print(f"===== {engine} engine, round {n} of {rounds} =====", flush=True)
            env = {**os.environ, compiled.ENV: engine, _CHILD: "1"}
            done = subprocess.run([sys.executable, script, *argv], env=env, text=True,
                                  stdout=subprocess.PIPE, check=False)
            for line in done.stdout.splitlines():
                if not line.startswith(_FIGURE):
                    print(line)
                    continue
                _, label, value, unit, higher = line.split("\t")
                units[label] = (unit, higher == "1")
                kept = best[engine].get(label)
                v = float(value)
                if kept is None or (v > kept if higher == "1" else v < kept):
                    best[engine][label] = v
            if done.returncode:
                print(f"({engine} run failed: exit {done.returncode})")
    print(f"===== side by side: best of {rounds} round(s) each, load average "
          f"{os.getloadavg()[0]:.1f} =====")
    print(f"{'figure':<40} {'pure':>14} {'compiled':>14}  speed-up")
    for label, (unit, higher) in units.items():
        pure, fast = best["pure"].get(label), best["compiled"].get(label)
        if pure is None or fast is None:
            continue
        gain = (fast / pure if higher else pure / fast) if pure and fast else float("nan")
        print(f"{label:<40} {_number(pure):>14} {_number(fast):>14}  {gain:.2f}x  ({unit})")
    return True
