"""The hub's clock: the wall clock, or one running faster (``[hub] clock_speed``) for demos,
trials and tests.

Every part of a hub reads one clock: the sources (``ctx.now()``), the engine's windows, the
alerts, the history samples. A simulated day played faster therefore needs the hub's clock
sped up, not the simulator alone: events dated ahead of the hub's clock are skipped at the
door (:mod:`panneau.hub.server.context`). Screens are told (``meta.clock_speed``): the
kiosk says so beside the figures' time.

A sped clock starts at the wall clock, or at the hub's clock when it last journalled a
source's events or checkpoint, if later (a hub restarted after a sped run goes on from where
it stopped: its sources resume at checkpoints dated ahead of the wall clock, and would wait
for the wall clock to catch up). Not at the latest event's own time: a source may send one
dated days ahead.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["MAX_SPEED", "hub_clock", "sped_clock"]

#: The fastest a hub's clock runs: an hour a second.
MAX_SPEED = 3600.0


def sped_clock(speed: float, start: float | None = None) -> Callable[[], float]:
    """The wall clock at speed 1; otherwise a clock running ``speed`` times faster from
    ``start`` (UTC epoch seconds; default: now)."""
    if speed == 1:
        return time.time
    wall0 = time.time()
    t0 = wall0 if start is None else start
    return lambda: t0 + (time.time() - wall0) * speed


def hub_clock(speed: float, journalled: float | None) -> Callable[[], float]:
    """The clock of a hub whose ``[hub] clock_speed`` is ``speed`` and whose journal holds
    times up to ``journalled``: see the module docstring."""
    if speed == 1 or journalled is None:
        return sped_clock(speed)
    return sped_clock(speed, max(journalled, time.time()))
