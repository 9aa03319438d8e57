"""Calls and agents: arrivals, ringing, talk, wrap-up, abandons, transfers, escalations to the
second level, pauses, shifts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from panneau.hub import events as ev
from panneau.plugins.simulator.options import SimQueue, SimTeam
from panneau.plugins.simulator.scenarios import day_factor

if TYPE_CHECKING:
    from panneau.plugins.simulator.model import Simulation

__all__ = ["Agent", "Call", "CallFloor"]

#: Pause reasons other than lunch: (reason, weight, median minutes).
PAUSES = (("Break", 60, 10.0), ("Coaching", 15, 20.0), ("Meeting", 15, 25.0),
          ("Training", 10, 30.0))
WRAPUP = "Wrap-up"
SHIFT_H = 8.5
#: Early and late shifts start within an hour after these local hours (early ones are likelier).
SHIFT_STARTS = (7.5, 7.5, 7.5, 9.5, 9.5)


@dataclass(eq=False)
class Call:
    """A caller in the system."""

    id: str
    queue: str
    caller: str
    entered: float
    state: str = "waiting"  # waiting | ringing | talking | done
    agent: Agent | None = None
    ring_at: float = 0.0
    answered_at: float = 0.0
    hold_s: float = 0.0


@dataclass(eq=False)
class Agent:
    """An agent, their shift and what they are doing."""

    id: str
    team: SimTeam
    quality: float
    start_h: float
    lunch_h: float
    state: str = "off"  # off | idle | ringing | talking | wrap | paused
    idle_since: float = 0.0
    shift: int = 0  # bumped at each login: actions of a past shift are ignored
    pause_due: tuple[str, float] | None = None
    logout_due: float | None = None  # when set: log out at the next chance, back at this time
    queues: tuple[str, ...] = field(default=())


class CallFloor:
    """The voice side of the simulation."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        opts = sim.options
        rng = sim.rng
        self.queues: dict[str, SimQueue] = {q.name: q for q in opts.queues}
        #: Queues of the second level: plain transfers never go there, escalations do.
        self.level2 = {q.escalate_to for q in opts.queues if q.escalate_to in self.queues}
        self.waiting: dict[str, list[Call]] = {q: [] for q in self.queues}
        self.agents: list[Agent] = []
        self.recent_callers: list[str] = []
        self._calls = 0
        for team in opts.teams:
            team_agents = [
                Agent(a, team, rng.gauss(0.0, 0.3), rng.choice(SHIFT_STARTS) + rng.uniform(0, 1),
                      0.0, queues=tuple(q for q in team.queues if q in self.queues))
                for a in team.agents
            ]
            rostered = [a for a in team_agents if rng.random() < sim.scenario.staffing]
            for agent in rostered or team_agents[:1]:
                agent.lunch_h = agent.start_h + 3.25 + rng.uniform(0, 1.0)
                self._roster(agent)
            self.agents.extend(team_agents)
        for q in self.queues.values():
            sim.poisson_next(self._rate_max(q), self._arrival_try, q)
        if sim.scenario.incident_dropouts and sim.incident_queue:
            self._plan_dropouts(sim.incident_queue)

    # --- arrivals -------------------------------------------------------------------

    def _rate_max(self, q: SimQueue) -> float:
        sc = self.sim.scenario
        return q.calls_per_hour / 3600.0 * sc.volume * max(sc.incident_factor, 1.0)

    def _rate(self, q: SimQueue) -> float:
        sim = self.sim
        factor = sim.scenario.incident_factor if sim.in_incident(q.name) else 1.0
        return (q.calls_per_hour / 3600.0 * sim.scenario.volume * factor
                * day_factor(sim.clock.hour(sim.now)))

    def _arrival_try(self, q: SimQueue) -> None:
        sim = self.sim
        rate_max = self._rate_max(q)
        if sim.rng.random() * rate_max < self._rate(q):
            self.arrive(q.name, self._caller())
        sim.poisson_next(rate_max, self._arrival_try, q)

    def _caller(self) -> str:
        sim, recent = self.sim, self.recent_callers
        if recent and sim.chance(sim.options.repeat_caller_pct):
            return sim.rng.choice(recent)
        caller = f"+331{sim.rng.randrange(10**8):08d}"
        recent.append(caller)
        del recent[:-300]
        return caller

    def arrive(self, queue: str, caller: str, call_id: str | None = None) -> None:
        """A caller joins ``queue`` (an escalated call keeps its ``call_id``)."""
        sim = self.sim
        self._calls += 1
        call = Call(call_id or f"{int(sim.now)}.{self._calls}", queue, caller, sim.now)
        waiting = self.waiting[queue]
        sim.emit(ev.CallEntered, call_id=call.id, queue=queue, caller_id=caller,
                 position=len(waiting) + 1)
        waiting.append(call)
        q = self.queues[queue]
        patience = sim.lognormal(q.patience_median_s, 0.8)
        sim.schedule(sim.now + min(patience, q.timeout_s), self._give_up, call)
        self._dispatch(queue)

    # --- ringing and talking ------------------------------------------------------------

    def _dispatch(self, queue: str) -> None:
        waiting = self.waiting[queue]
        while waiting:
            idle = [a for a in self.agents if a.state == "idle" and queue in a.queues]
            if not idle:
                return
            agent = min(idle, key=lambda a: (a.idle_since, a.id))
            self._ring(waiting.pop(0), agent)

    def _ring(self, call: Call, agent: Agent) -> None:
        sim = self.sim
        sim.emit(ev.AgentRung, call_id=call.id, queue=call.queue, agent=agent.id)
        call.state, call.agent, call.ring_at = "ringing", agent, sim.now
        agent.state = "ringing"
        if sim.chance(sim.options.ring_no_answer_pct):
            sim.schedule(sim.now + 15.0, self._no_answer, call, agent)
        else:
            sim.schedule(sim.now + sim.rng.uniform(2.0, 8.0), self._answer, call, agent)

    def _no_answer(self, call: Call, agent: Agent) -> None:
        if call.state != "ringing" or call.agent is not agent:
            return
        self.sim.emit(ev.RingNoAnswer, call_id=call.id, queue=call.queue, agent=agent.id,
                      ring_ms=15000)
        call.state, call.agent = "waiting", None
        waiting = self.waiting[call.queue]
        waiting.insert(sum(1 for c in waiting if c.entered <= call.entered), call)
        self._free(agent)

    def _answer(self, call: Call, agent: Agent) -> None:
        sim = self.sim
        if call.state != "ringing" or call.agent is not agent:
            return
        call.state, call.hold_s = "talking", round(sim.now - call.entered, 3)
        call.answered_at = sim.now
        agent.state = "talking"
        sim.emit(ev.CallAnswered, call_id=call.id, queue=call.queue, agent=agent.id,
                 hold_s=call.hold_s, ring_s=round(sim.now - call.ring_at, 3))
        talk = sim.lognormal(self.queues[call.queue].talk_median_s, 0.6)
        sim.schedule(sim.now + talk, self._hang_up, call, agent)

    def _hang_up(self, call: Call, agent: Agent) -> None:
        sim = self.sim
        talk = round(sim.now - call.answered_at, 3)
        others = [q for q in self.queues if q != call.queue and q not in self.level2]
        transfer = bool(others) and sim.chance(sim.options.transfer_pct)
        ended_by = "transfer" if transfer else sim.rng.choice(("caller", "caller", "agent"))
        escalate = self._escalation(call.queue) if transfer else None
        sim.emit(ev.CallEnded, call_id=call.id, queue=call.queue, agent=agent.id,
                 hold_s=call.hold_s, talk_s=talk, ended_by=ended_by,
                 transfer="blind" if transfer else None,
                 transfer_to=escalate if escalate not in self.queues else None)
        call.state = "done"
        if escalate in self.queues:
            self.arrive(escalate, call.caller, call.id)
        elif transfer and escalate is None:
            self.arrive(sim.rng.choice(others), call.caller)
        elif not transfer:
            sim.tickets.after_contact(agent.id, agent.quality, call.hold_s, call_id=call.id,
                                      queue=call.queue)
        sim.emit(ev.AgentPaused, agent=agent.id, reason=WRAPUP)
        agent.state = "wrap"
        wrap = sim.lognormal(self.queues[call.queue].wrapup_median_s, 0.5)
        sim.schedule(sim.now + wrap, self._wrap_end, agent)

    def _escalation(self, queue: str) -> str | None:
        """Where a transferred call of ``queue`` is escalated to, if it is."""
        target = self.queues[queue].escalate_to
        if target is None or not self.sim.chance(self.sim.options.escalation_pct,
                                                 self.sim.extra_rng):
            return None
        return target

    def _give_up(self, call: Call) -> None:
        sim = self.sim
        if call.state == "ringing":
            assert call.agent is not None
            sim.emit(ev.RingNoAnswer, call_id=call.id, queue=call.queue, agent=call.agent.id,
                     ring_ms=int((sim.now - call.ring_at) * 1000), canceled=True)
            self._free(call.agent)
            position = 1
        elif call.state == "waiting":
            waiting = self.waiting[call.queue]
            position = waiting.index(call) + 1
            waiting.remove(call)
        else:
            return
        call.state = "done"
        wait = round(sim.now - call.entered, 3)
        if wait >= self.queues[call.queue].timeout_s:
            sim.emit(ev.CallLeft, call_id=call.id, queue=call.queue, reason="timeout", wait_s=wait)
            return
        sim.emit(ev.CallAbandoned, call_id=call.id, queue=call.queue, wait_s=wait,
                 position=position)
        if sim.chance(sim.options.callback_after_abandon_pct):
            sim.schedule(sim.now + sim.lognormal(300.0, 0.7), self.arrive, call.queue, call.caller)

    # --- agents: free, wrap-up, pauses, shifts ---------------------------------------------

    def _free(self, agent: Agent) -> None:
        """The agent may take a call now (unless a pause or logout is due)."""
        sim = self.sim
        if agent.logout_due is not None:
            self._log_out(agent, agent.logout_due)
            return
        if agent.pause_due is not None:
            reason, minutes = agent.pause_due
            agent.pause_due = None
            self._pause(agent, reason, minutes)
            return
        agent.state, agent.idle_since = "idle", sim.now
        for queue in sorted(agent.queues, key=self._oldest_wait):
            self._dispatch(queue)

    def _oldest_wait(self, queue: str) -> float:
        waiting = self.waiting[queue]
        return waiting[0].entered if waiting else float("inf")

    def _wrap_end(self, agent: Agent) -> None:
        self.sim.emit(ev.AgentUnpaused, agent=agent.id, reason=WRAPUP)
        self._free(agent)

    def _pause_due(self, agent: Agent, shift: int, reason: str | None) -> None:
        sim = self.sim
        if agent.shift != shift or agent.state == "off":
            return
        if reason is None:  # a break; plan the next one
            reason, _, median = sim.rng.choices(PAUSES, weights=[p[1] for p in PAUSES])[0]
            minutes = sim.lognormal(median, 0.4)
            sim.schedule(sim.now + sim.rng.expovariate(1 / 7200.0), self._pause_due, agent,
                         shift, None)
        else:
            minutes = sim.rng.uniform(30.0, 45.0)
        if agent.state == "idle":
            self._pause(agent, reason, minutes)
        elif agent.pause_due is None and (agent.state != "paused" or reason == "Lunch"):
            agent.pause_due = (reason, minutes)

    def _pause(self, agent: Agent, reason: str, minutes: float) -> None:
        sim = self.sim
        sim.emit(ev.AgentPaused, agent=agent.id, reason=reason)
        agent.state = "paused"
        sim.schedule(sim.now + minutes * 60.0, self._pause_end, agent, agent.shift, reason)

    def _pause_end(self, agent: Agent, shift: int, reason: str) -> None:
        if agent.shift == shift and agent.state == "paused":
            self.sim.emit(ev.AgentUnpaused, agent=agent.id, reason=reason)
            self._free(agent)

    def _roster(self, agent: Agent) -> None:
        """Plan the agent's next login: now if within their shift, else at its start."""
        sim = self.sim
        hour = sim.clock.hour(sim.now)
        if 0 <= (hour - agent.start_h) % 24 < SHIFT_H - 0.25:
            sim.schedule(sim.now + sim.rng.uniform(0.0, 30.0), self._log_in, agent)
        else:
            sim.schedule(sim.clock.next_at(sim.now, agent.start_h), self._log_in, agent)

    def _log_in(self, agent: Agent) -> None:
        sim = self.sim
        if agent.state != "off":
            return
        agent.shift += 1
        for queue in agent.queues:
            sim.emit(ev.AgentLoggedIn, agent=agent.id, queue=queue)
        end = sim.clock.next_at(sim.now, (agent.start_h + SHIFT_H) % 24)
        sim.schedule(end, self._shift_end, agent, agent.shift)
        if (agent.lunch_h - sim.clock.hour(sim.now)) % 24 < (end - sim.now) / 3600.0:
            lunch = sim.clock.next_at(sim.now, agent.lunch_h % 24)
            sim.schedule(lunch, self._pause_due, agent, agent.shift, "Lunch")
        sim.schedule(sim.now + sim.rng.expovariate(1 / 3600.0), self._pause_due, agent,
                     agent.shift, None)
        self._free(agent)

    def _shift_end(self, agent: Agent, shift: int) -> None:
        if agent.shift == shift:
            self._request_log_out(agent, self.sim.clock.next_at(self.sim.now + 3600, agent.start_h))

    def _request_log_out(self, agent: Agent, back_at: float) -> None:
        if agent.state in ("idle", "paused"):
            self._log_out(agent, back_at)
        elif agent.state != "off":
            agent.logout_due = back_at

    def _log_out(self, agent: Agent, back_at: float) -> None:
        sim = self.sim
        if agent.state == "paused":
            sim.emit(ev.AgentUnpaused, agent=agent.id)
        for queue in agent.queues:
            sim.emit(ev.AgentLoggedOut, agent=agent.id, queue=queue)
        agent.state, agent.logout_due, agent.pause_due = "off", None, None
        sim.schedule(back_at, self._log_in, agent)

    def _plan_dropouts(self, queue: str) -> None:
        sim, sc = self.sim, self.sim.scenario
        start = sim.origin + sim.options.incident_after_s
        serving = [a for a in self.agents if queue in a.queues]
        # The last ones drop out, so the first agent (the demo's ``--overlay alice``) stays.
        for agent in serving[len(serving) - sc.incident_dropouts:]:
            sim.schedule(start, self._request_log_out, agent, start + sc.incident_duration_s)
