"""The simulation core: a seeded discrete-event clock that turns a time into events.

Rules the core keeps (so the generator stays pure and restartable):

- All randomness comes from ``random.Random(seed)``; nothing reads the wall clock. Behaviours
  added later (escalations, unanswered and relationship surveys, the carried backlog) draw from
  a second stream seeded from the same seed, ``extra_rng``, so they leave the first stream's
  draws, and so the tuned scenarios, as close to what they were as the new events allow.
- Internal actions sit in one heap ordered by ``(time, sequence)``; :meth:`Simulation.advance`
  runs those due at or before ``until`` and returns the events they produced, so the same
  seed gives the same events however the timeline is cut into ``advance`` calls.
- Every event's ``ts`` is the simulated time of its action; ``source_pos`` counts events.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Callable
from typing import Any

from panneau.hub.events import Event
from panneau.plugins.simulator.calls import CallFloor
from panneau.plugins.simulator.options import SimulatorOptions
from panneau.plugins.simulator.scenarios import SCENARIOS, Scenario, SimClock
from panneau.plugins.simulator.tickets import TicketDesk

__all__ = ["Simulation"]


class Simulation:
    """A simulated contact centre from ``origin - warmup_s`` onwards.

    ``origin`` is the nominal start (the scenario's ``clock_hour`` is the local time there).
    """

    def __init__(self, options: SimulatorOptions, origin: float, source: str = "") -> None:
        self.options = options
        self.scenario: Scenario = SCENARIOS[options.scenario]
        hour = options.clock_hour if options.clock_hour is not None else self.scenario.clock_hour
        self.clock = SimClock(origin, hour, options.timezone)
        self.origin = origin
        self.source = source
        self.rng = random.Random(options.seed)
        self.extra_rng = random.Random(f"{options.seed}:extra")
        self.now = origin - options.warmup_s
        self._heap: list[tuple[float, int, Callable[..., None], tuple[Any, ...]]] = []
        self._seq = itertools.count()
        self._count = 0
        self._out: list[Event] = []
        self.calls = CallFloor(self)
        self.tickets = TicketDesk(self)

    # --- the timeline -------------------------------------------------------------

    def schedule(self, t: float, action: Callable[..., None], *args: Any) -> None:
        """Run ``action(*args)`` at simulated time ``t`` (never before now)."""
        heapq.heappush(self._heap, (max(t, self.now), next(self._seq), action, args))

    def next_time(self) -> float | None:
        """When the next internal action is due (``None``: nothing left)."""
        return self._heap[0][0] if self._heap else None

    def advance(self, until: float) -> list[Event]:
        """Run everything due at or before ``until``; return the events, oldest first."""
        heap = self._heap
        while heap and heap[0][0] <= until:
            t, _, action, args = heapq.heappop(heap)
            self.now = t
            action(*args)
        self.now = max(self.now, until)
        out, self._out = self._out, []
        return out

    def emit(self, cls: type[Event], **fields: Any) -> None:
        """Record one event at the current simulated time."""
        self._count += 1
        self._out.append(cls(ts=round(self.now, 3), source=self.source,
                             source_pos=str(self._count), **fields))

    # --- shared randomness --------------------------------------------------------

    def lognormal(self, median: float, sigma: float) -> float:
        """A skewed duration with this median."""
        return self.rng.lognormvariate(math.log(median), sigma)

    def chance(self, pct: float, rng: random.Random | None = None) -> bool:
        """True with probability ``pct`` percent (drawn from ``rng``, default the first
        stream)."""
        return (rng or self.rng).random() * 100.0 < pct

    def poisson_next(self, rate_max_per_s: float, action: Callable[..., None], *args: Any) -> None:
        """Schedule the next candidate arrival of a thinned Poisson process."""
        if rate_max_per_s > 0:
            self.schedule(self.now + self.rng.expovariate(rate_max_per_s), action, *args)

    def in_incident(self, queue: str) -> bool:
        """Whether ``queue`` is flooded by the incident scenario right now."""
        sc = self.scenario
        if sc.incident_factor == 1.0 or queue != self.incident_queue:
            return False
        start = self.origin + self.options.incident_after_s
        return start <= self.now < start + sc.incident_duration_s

    @property
    def incident_queue(self) -> str | None:
        """The queue the incident scenario floods."""
        queues = self.options.queues
        return self.options.incident_queue or (queues[0].name if queues else None)
