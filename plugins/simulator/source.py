"""The ``simulator`` source: a thin async wrapper pacing the pure :class:`Simulation`."""

from __future__ import annotations

import asyncio
import math
from typing import Any

from panneau.hub.sources import SourceContext
from panneau.plugins.simulator.model import Simulation
from panneau.plugins.simulator.options import SimulatorOptions, option_problems
from panneau.plugins.simulator.scenarios import status_text

__all__ = ["SimulatorSource", "check_options"]

#: Most simulated seconds produced per emit, so a catch-up never blocks the loop for long.
CHUNK_S = 600.0


def check_options(options: SimulatorOptions) -> None:
    """Refuse options that type-check but make no sense, changed since they were built
    (raises ``ValueError`` with every problem of :func:`option_problems`)."""
    if problems := option_problems(options):
        raise ValueError("; ".join(f"{key}: {message}" for key, message in problems.items()))


class SimulatorSource:
    """Emits the simulated contact centre's events as simulated time passes.

    Simulated time is ``origin + (now - wall_origin)`` on the hub's clock (``ctx.now()``: a
    demo's or a trial's runs faster, ``[hub] clock_speed``); never ahead of it, so the hub
    takes every event. Both origins and the simulated time reached are the checkpoint, so a
    restart replays the (deterministic) simulation silently up to it and goes on without
    emitting anything twice.
    """

    def __init__(self, options: SimulatorOptions) -> None:
        check_options(options)
        self.options = options

    def _resume(self, ctx: SourceContext) -> tuple[dict[str, Any], Simulation]:
        opts = self.options
        cp = ctx.checkpoint if isinstance(ctx.checkpoint, dict) else {}
        if cp and (cp.get("seed"), cp.get("scenario")) != (opts.seed, opts.scenario):
            ctx.log.warning("seed or scenario changed: starting a new simulation")
            cp = {}
        now = ctx.now()
        state = {
            "seed": opts.seed,
            "scenario": opts.scenario,
            "origin": float(cp.get("origin", opts.start if opts.start is not None else now)),
            "wall_origin": float(cp.get("wall_origin", now)),
            "reached": cp.get("reached"),
        }
        sim = Simulation(opts, state["origin"], ctx.name)
        if state["reached"] is not None:
            sim.advance(float(state["reached"]))  # journalled before the restart: dropped
        return state, sim

    async def run(self, ctx: SourceContext) -> None:
        """Produce events until cancelled (or until ``duration_s`` is simulated)."""
        opts = self.options
        state, sim = self._resume(ctx)
        end = state["origin"] + opts.duration_s if opts.duration_s is not None else math.inf
        ctx.set_status("live", status_text(opts.scenario, opts.clock_hour, opts.timezone))
        while sim.now < end:
            now = state["origin"] + (ctx.now() - state["wall_origin"])
            target = min(now, sim.now + CHUNK_S, end)
            if target > sim.now:
                events = sim.advance(target)
                state["reached"] = target
                if events:
                    await ctx.emit(events, checkpoint=dict(state))
            await asyncio.sleep(0.0 if target < now else self._pause(sim, target))
        ctx.set_status("live", "simulation finished")
        await asyncio.Event().wait()

    def _pause(self, sim: Simulation, target: float) -> float:
        """Until the next simulated event is due, in seconds of the hub's clock, at most
        ``tick_s`` (a sped clock runs past it meanwhile: the next round catches up)."""
        nxt = sim.next_time()
        wait = nxt - target if nxt is not None else self.options.tick_s
        return min(max(wait, 0.0), self.options.tick_s)
