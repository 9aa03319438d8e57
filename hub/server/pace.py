"""When the hub runs a publish tick: at once on a quiet hub, coalesced under load.

Rules kept here (pure: times are passed in; the hub's publish loop asks and obeys):

- An *event* tick (events came in, or messages, notes, a source's state…) runs at once,
  unless the last event tick that sent frames started less than ``1 / max_frames_per_s``
  ago: then it waits for the end of that interval and carries everything that came
  meanwhile. That is the coalescing under load.
- A *clock* tick runs just after each step of ``step_s`` that the last tick's figures are
  before (rolling windows and waits move), and after ``idle_s`` at most. The hub's step is
  its engine's grid, each whole second of event time: the tick lands on that second, so one
  advance judges the alerts there and gives the figures shown. A ``meta.as_of`` step (a
  minute's turn is one) is such a second: it changes every screen's ``meta`` and a minute's
  turn every scope's figures, so that work goes out in a tick of its own instead of with
  whichever event comes next.
- A clock tick spaces no event tick: an event right after one runs at once. (Spaced, an
  isolated event that happened to follow the hub's own tick waited up to a whole interval,
  250 ms at the default 4 frames a second, for frames it had nothing to do with.) The hub's
  own refreshes (objectives and scorecards after each rollup write, once a minute;
  insights) are paced as clock ticks too: they run at once, and so does an event right
  after one (an isolated marker at 1,000 screens waited 209 ms behind the goals' frames
  when they spaced it: ``bench_hub.py --trace``).
- A tick that sent no frame counts for nothing (most clock ticks of a quiet hub).
- Whatever the kind, at most ``max_frames_per_s`` ticks that sent frames start in any
  second (in any ``1 / max_frames_per_s`` seconds below one a second): a screen never gets
  more frames than that, clock ticks included.
"""

from __future__ import annotations

import math
from collections import deque

__all__ = ["Pace"]

#: How long after a step its clock tick runs (the clock must be past it).
STEP_MARGIN_S = 0.005


class Pace:
    """The publish loop's pacing (see the module docstring). ``now`` and ``started`` are
    monotonic seconds; ``at`` and ``clock`` (for the step) are the hub clock's."""

    def __init__(self, max_frames_per_s: float, *, step_s: float, idle_s: float = 1.0) -> None:
        rate = max(max_frames_per_s, 0.01)
        self.interval = 1.0 / rate
        #: At most ``most`` ticks with frames start in any ``window`` seconds.
        self.window = max(1.0, self.interval)
        self.most = max(1, math.floor(rate * self.window + 1e-9))
        self.step_s, self.idle_s = step_s, idle_s
        self.last_event = -math.inf
        self.sent: deque[float] = deque(maxlen=self.most)  # start times of ticks with frames
        self.stepped = -math.inf  # the last step a clock tick was run for
        self._target: float | None = None

    def clock_wait(self, at: float, clock: float) -> float:
        """Seconds to wait for something new before a clock tick, the last tick's figures
        being of ``at`` and the hub clock reading ``clock``: ``idle_s``, or until just
        past the next step (once per step: a clock that stands still, as in tests, never
        makes it spin)."""
        step = (math.floor(at / self.step_s) + 1) * self.step_s
        until = step - clock + STEP_MARGIN_S
        if step == self.stepped or until >= self.idle_s:
            self._target = None
            return self.idle_s
        self._target = step
        return max(0.0, until)

    def timed_out(self) -> None:
        """Nothing new came within :meth:`clock_wait`: the clock tick runs now."""
        if self._target is not None:
            self.stepped, self._target = self._target, None

    def wait(self, now: float, event: bool) -> float:
        """Seconds to wait before a tick (an event tick when ``event``) may start."""
        wait = self.last_event + self.interval - now if event else 0.0
        if len(self.sent) == self.most:
            wait = max(wait, self.sent[0] + self.window - now)
        return max(0.0, wait)

    def ran(self, started: float, event: bool, frames: int) -> None:
        """Note a tick that started at ``started`` and sent ``frames`` frames."""
        if frames:
            self.sent.append(started)
            if event:
                self.last_event = started
