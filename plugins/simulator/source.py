"""The ``simulator`` source: a thin async wrapper pacing the pure :class:`Simulation`."""

from __future__ import annotations

import asyncio
import math
import zoneinfo
from typing import Any

from panneau.hub.sources import SourceContext
from panneau.plugins.simulator.model import Simulation
from panneau.plugins.simulator.options import SimulatorOptions
from panneau.plugins.simulator.scenarios import status_text

__all__ = ["SimulatorSource", "check_options"]

#: Most simulated seconds produced per emit, so a catch-up never blocks the loop for long.
CHUNK_S = 600.0


def check_options(options: SimulatorOptions) -> None:
    """Refuse options that type-check but make no sense (raises ``ValueError``)."""
    problems = []
    if options.speed < 0:
        problems.append("speed must be 0 (as fast as possible) or more")
    if options.tick_s <= 0:
        problems.append("tick_s must be greater than 0")
    if options.warmup_s < 0:
        problems.append("warmup_s must be 0 or more")
    try:
        zoneinfo.ZoneInfo(options.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.append(f"unknown timezone {options.timezone!r}")
    for q in options.queues:
        if q.calls_per_hour < 0 or min(q.talk_median_s, q.wrapup_median_s,
                                       q.patience_median_s, q.timeout_s) <= 0:
            problems.append(f"queue {q.name!r}: rates must be 0 or more, times above 0")
    queues = {q.name for q in options.queues}
    for team in options.teams:
        problems += [f"team {team.id!r}: no queue {q!r}" for q in team.queues if q not in queues]
    if options.incident_queue is not None and options.incident_queue not in queues:
        problems.append(f"incident_queue: no queue {options.incident_queue!r}")
    problems += [f"queue {q.name!r}: escalates to itself" for q in options.queues
                 if q.escalate_to == q.name]
    groups = {t.group for t in options.teams if t.group}
    problems += [f"team {t.id!r}: escalate_to {t.escalate_to!r} is no other team's group"
                 for t in options.teams
                 if t.escalate_to is not None and (t.escalate_to not in groups
                                                   or t.escalate_to == t.group)]
    for name in ("transfer_pct", "repeat_caller_pct", "callback_after_abandon_pct",
                 "ring_no_answer_pct", "survey_pct", "survey_response_pct", "escalation_pct",
                 "ticket_escalation_pct"):
        if not 0 <= getattr(options, name) <= 100:
            problems.append(f"{name} must be 0 to 100")
    if options.survey_pct > options.survey_response_pct:
        problems.append("survey_pct (contacts with an answer) cannot exceed "
                        "survey_response_pct (sent surveys answered)")
    if options.relationship_surveys_per_hour < 0 or options.carried_backlog_h < 0:
        problems.append("relationship_surveys_per_hour and carried_backlog_h must be 0 or more")
    if problems:
        raise ValueError("; ".join(problems))


class SimulatorSource:
    """Emits the simulated contact centre's events as simulated time passes.

    Simulated time is ``origin + (wall - wall_origin) * speed``; both origins and the
    simulated time reached are the checkpoint, so a restart replays the (deterministic)
    simulation silently up to it and goes on without emitting anything twice.
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
        ctx.set_status("live", status_text(opts.scenario, opts.clock_hour, opts.timezone,
                                           opts.speed))
        while sim.now < end:
            if opts.speed == 0:
                target = sim.now + CHUNK_S
            else:
                target = state["origin"] + (ctx.now() - state["wall_origin"]) * opts.speed
            target = min(target, sim.now + CHUNK_S, end)
            if target > sim.now:
                events = sim.advance(target)
                state["reached"] = target
                if events:
                    await ctx.emit(events, checkpoint=dict(state))
            await asyncio.sleep(self._pause(sim, target))
        ctx.set_status("live", "simulation finished")
        await asyncio.Event().wait()

    def _pause(self, sim: Simulation, target: float) -> float:
        speed = self.options.speed
        if speed == 0 or target < sim.now:
            return 0.0
        nxt = sim.next_time()
        wait = (nxt - target) / speed if nxt is not None else self.options.tick_s
        return min(max(wait, 0.0), self.options.tick_s)
