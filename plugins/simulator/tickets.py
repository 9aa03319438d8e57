"""Tickets on several channels and survey answers linked to agents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from panneau.hub import events as ev
from panneau.plugins.simulator.options import SimTeam
from panneau.plugins.simulator.scenarios import day_factor

if TYPE_CHECKING:
    from panneau.plugins.simulator.model import Simulation

__all__ = ["TicketDesk"]

#: (channel, weight, median minutes to the first reply).
CHANNELS = (("email", 50, 45.0), ("web", 25, 40.0), ("chat", 15, 3.0), ("social", 10, 20.0))
#: First-reply SLA: this many times the channel's median.
SLA_FACTOR = 3.0
PRIORITIES = ("low", "normal", "normal", "normal", "high", "urgent")
#: Ticket types, taken in turn (not drawn: the random stream, and so every scenario's
#: figures, stay as they were): about half questions, a fifth without a type.
TYPES = ("question", "incident", "question", None, "problem", "question", "task", None,
         "question", "incident")
MAX_ROUNDS = 4


@dataclass(eq=False)
class Ticket:
    """A ticket and its conversation so far."""

    id: str
    team: SimTeam
    first_reply_min: float
    assignee: str | None = None
    rounds: int = 0


class TicketDesk:
    """The helpdesk side: tickets, replies, solves, reopens; and every survey answer."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self._tickets = 0
        self._responses = 0
        for team in sim.options.teams:
            if team.tickets_per_hour > 0 and team.agents:
                sim.poisson_next(self._rate_max(team), self._arrival_try, team)

    def _rate_max(self, team: SimTeam) -> float:
        return team.tickets_per_hour / 3600.0 * self.sim.scenario.volume

    def _arrival_try(self, team: SimTeam) -> None:
        sim = self.sim
        # tickets keep coming outside opening hours, more slowly
        if sim.rng.random() < max(0.15, day_factor(sim.clock.hour(sim.now))):
            self._create(team)
        sim.poisson_next(self._rate_max(team), self._arrival_try, team)

    def _create(self, team: SimTeam) -> None:
        sim = self.sim
        self._tickets += 1
        channel, _, median = sim.rng.choices(CHANNELS, weights=[c[1] for c in CHANNELS])[0]
        ticket = Ticket(str(10000 + self._tickets), team, median)
        sim.emit(ev.TicketCreated, ticket_id=ticket.id, status="new", channel=channel,
                 group=team.group, priority=sim.rng.choice(PRIORITIES),
                 ticket_type=TYPES[self._tickets % len(TYPES)])
        sim.schedule(sim.now + sim.lognormal(median, 0.8) * 60.0, self._reply, ticket)
        sim.schedule(sim.now + SLA_FACTOR * median * 60.0, self._sla_check, ticket)

    def _sla_check(self, ticket: Ticket) -> None:
        if ticket.rounds == 0:
            self.sim.emit(ev.TicketSlaBreached, ticket_id=ticket.id, metric="first_reply")

    def _reply(self, ticket: Ticket) -> None:
        sim = self.sim
        on_duty = [a.id for a in sim.calls.agents if a.team is ticket.team and a.state != "off"]
        if not on_duty:  # nobody at work: look again later
            sim.schedule(sim.now + 900.0, self._reply, ticket)
            return
        agent = ticket.assignee if ticket.assignee in on_duty else sim.rng.choice(on_duty)
        ticket.assignee, ticket.rounds = agent, ticket.rounds + 1
        sim.emit(ev.TicketReplied, ticket_id=ticket.id, agent=agent)
        sim.emit(ev.TicketUpdated, ticket_id=ticket.id, status="pending", assignee=agent)
        if ticket.rounds >= MAX_ROUNDS or sim.chance(60.0):
            sim.schedule(sim.now + sim.lognormal(20.0, 0.7) * 60.0, self._solve, ticket)
        else:
            sim.schedule(sim.now + sim.lognormal(120.0, 0.8) * 60.0, self._customer, ticket)

    def _customer(self, ticket: Ticket) -> None:
        sim = self.sim
        sim.emit(ev.TicketUpdated, ticket_id=ticket.id, status="open")
        sim.schedule(sim.now + sim.lognormal(ticket.first_reply_min, 0.8) * 60.0, self._reply,
                     ticket)

    def _solve(self, ticket: Ticket) -> None:
        sim = self.sim
        sim.emit(ev.TicketSolved, ticket_id=ticket.id, agent=ticket.assignee)
        sim.emit(ev.TicketUpdated, ticket_id=ticket.id, status="solved")
        quality = next((a.quality for a in sim.calls.agents if a.id == ticket.assignee), 0.0)
        if sim.chance(sim.options.survey_pct):
            self.plan_survey(ticket.assignee, quality, 0.0, ticket_id=ticket.id)
        if sim.chance(7.0):
            sim.schedule(sim.now + sim.lognormal(240.0, 0.8) * 60.0, self._reopen, ticket)

    def _reopen(self, ticket: Ticket) -> None:
        sim = self.sim
        sim.emit(ev.TicketReopened, ticket_id=ticket.id)
        sim.emit(ev.TicketUpdated, ticket_id=ticket.id, status="open")
        ticket.rounds = MAX_ROUNDS - 1  # the next reply solves it
        sim.schedule(sim.now + sim.lognormal(30.0, 0.8) * 60.0, self._reply, ticket)

    # --- surveys ---------------------------------------------------------------------

    def plan_survey(self, agent: str | None, quality: float, wait_s: float, *,
                    call_id: str | None = None, ticket_id: str | None = None,
                    queue: str | None = None) -> None:
        """A customer will answer a survey about this call or ticket a little later."""
        sim = self.sim
        kind = "nps" if sim.chance(25.0) else "csat"
        # better agents score higher, long waits lower
        mood = quality - min(wait_s, 600.0) / 300.0
        if kind == "nps":
            score = round(min(10.0, max(0.0, sim.rng.gauss(8.2 + 3.0 * mood, 1.8))))
        else:
            score = round(min(5.0, max(1.0, sim.rng.gauss(4.2 + 1.5 * mood, 0.9))))
        delay = sim.rng.uniform(60.0, 1800.0)
        sim.schedule(sim.now + delay, self._answer_survey, kind, float(score), agent, call_id,
                     ticket_id, queue)

    def _answer_survey(self, kind: str, score: float, agent: str | None, call_id: str | None,
                       ticket_id: str | None, queue: str | None) -> None:
        self._responses += 1
        low, high = (0.0, 10.0) if kind == "nps" else (1.0, 5.0)
        self.sim.emit(ev.SurveyResponse, response_id=f"R{self._responses}", survey=kind,
                      score=score, scale_min=low, scale_max=high, call_id=call_id,
                      ticket_id=ticket_id, agent=agent, queue=queue)
