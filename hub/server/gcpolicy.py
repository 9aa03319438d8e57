"""When the hub lets Python's cyclic garbage collector scan everything.

A full collection (the oldest generation) walks every object the process holds: at 2,000
screens the engine's sums, the views' parts and the connections, about 100–170 ms of CPU on
the build machine (bench_hub, ``gc.callbacks``). Python starts one whenever the objects that
survived into the oldest generation have grown by a quarter, which under 200 events a
second was every 10–15 publish ticks, each time inside a tick or an event; and they found
nothing to free (``collected 0``): the hub's garbage goes by reference counting or dies
young. Each one held every screen's frame back by its whole length: the p99 latency was
theirs.

So while a hub runs:

- what start-up built (configuration, the engine replayed from the journal, modules) is
  collected once and then frozen (``gc.freeze``): no later collection walks it again;
- the youngest generations are collected as Python decides (they are small and cheap),
  but never inside a publish tick: one that falls due while a tick builds and writes its
  frames runs right after it (at Python's next allocation). A marker's tick at 2,000
  screens made enough objects for one to five young collections, 1–8 ms of its 40–50 ms of
  CPU, each one before the frames still to write (bench_hub ``--trace``);
- the oldest generation is collected by the hub, right after a publish tick, once every
  :data:`FULL_EVERY_S` seconds, instead of whenever Python's growth rule fires. Cyclic
  garbage that outlived two collections waits that long at most.

Several hubs in one process (tests, ``panneau demo --sites``) share the setting: the first
to start sets it, the last to stop puts Python's thresholds back and unfreezes.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterator

__all__ = ["FULL_EVERY_S", "GcPolicy"]

#: Seconds between two full collections while a hub runs.
FULL_EVERY_S = 300.0
#: The oldest generation's threshold while a hub runs: never reached in practice.
_NEVER = 1_000_000_000

_users = 0
_saved: tuple[int, int, int] | None = None


class GcPolicy:
    """One hub's share of the process's collector settings (see the module docstring)."""

    def __init__(self, every_s: float = FULL_EVERY_S, clock=time.monotonic) -> None:
        self.every_s, self.clock = every_s, clock
        self.last = clock()
        self.running = False

    def start(self) -> None:
        """Collect and freeze what start-up built; take the oldest generation in hand."""
        global _users, _saved
        if self.running:
            return
        self.running = True
        if _users == 0:
            _saved = gc.get_threshold()
            gc.collect()
            gc.freeze()
            gc.set_threshold(_saved[0], _saved[1], _NEVER)
        _users += 1
        self.last = self.clock()

    @contextlib.contextmanager
    def tick(self) -> Iterator[None]:
        """No collection while a publish tick runs; those due run after it."""
        if not self.running or not gc.isenabled():  # another hub's tick, or a test, holds it
            yield
            return
        gc.disable()
        try:
            yield
        finally:
            gc.enable()

    def after_tick(self) -> bool:
        """Run a full collection when one is due; returns whether it ran."""
        now = self.clock()
        if not self.running or now - self.last < self.every_s:
            return False
        self.last = now
        gc.collect()
        return True

    def stop(self) -> None:
        """Give Python its own thresholds back when the last hub stops."""
        global _users, _saved
        if not self.running:
            return
        self.running = False
        _users -= 1
        if _users == 0 and _saved is not None:
            gc.set_threshold(*_saved)
            gc.unfreeze()
            _saved = None
