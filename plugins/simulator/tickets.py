"""Tickets on several channels, escalations to the level-2 group, surveys sent and answered."""

from __future__ import annotations

import random
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
#: Statuses of the backlog carried over at the start, with their weights: unassigned new
#: tickets, open ones (the customer answered), pending (waiting on the customer) and on hold
#: (waiting on a third party).
CARRIED = (("new", 35), ("open", 25), ("pending", 30), ("hold", 10))
#: Median minutes before the level 2 first looks at an escalated ticket.
LEVEL2_REPLY_MIN = 60.0
#: Mean seconds before a relationship survey is answered (when it is).
RELATIONSHIP_ANSWER_S = 1800.0


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
        self._carried = 0
        self._surveys = 0
        self.by_group = {t.group: t for t in sim.options.teams if t.group}
        for team in sim.options.teams:
            if team.tickets_per_hour > 0 and team.agents:
                sim.poisson_next(self._rate_max(team), self._arrival_try, team)
                self._carry_backlog(team)
        if any(q.calls_per_hour > 0 for q in sim.options.queues):
            for _ in range(sim.options.relationship_campaign):
                self._relationship()
            rate = sim.options.relationship_surveys_per_hour / 3600.0
            if rate > 0:
                sim.schedule(sim.now + sim.extra_rng.expovariate(rate), self._relationship, rate)

    def _carry_backlog(self, team: SimTeam) -> None:
        """The tickets already in the helpdesk at the start, first seen through an update."""
        sim, rng = self.sim, self.sim.extra_rng
        for _ in range(round(team.tickets_per_hour * sim.options.carried_backlog_h)):
            self._carried += 1
            channel, _, median = rng.choices(CHANNELS, weights=[c[1] for c in CHANNELS])[0]
            status = rng.choices(CARRIED, weights=[c[1] for c in CARRIED])[0][0]
            ticket = Ticket(str(9000 + self._carried), team, median)
            if status != "new":
                ticket.assignee, ticket.rounds = rng.choice(team.agents), 1
            sim.emit(ev.TicketUpdated, ticket_id=ticket.id, status=status, channel=channel,
                     group=team.group, assignee=ticket.assignee, priority=rng.choice(PRIORITIES),
                     ticket_type=TYPES[self._carried % len(TYPES)])
            minutes = rng.uniform(1.0, 30.0)  # their next step comes within the first half hour
            if status == "pending":
                action = self._solve if rng.random() < 0.7 else self._customer
            else:
                action = self._customer if status == "hold" else self._reply
            sim.schedule(sim.now + minutes * 60.0, action, ticket)

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
        if ticket.rounds == 0 and self._escalate(ticket):
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

    def _escalate(self, ticket: Ticket) -> bool:
        """At its first look, a level-1 ticket may move to the level-2 group (unassigned)."""
        sim = self.sim
        level2 = self.by_group.get(ticket.team.escalate_to)
        if level2 is None or not sim.chance(sim.options.ticket_escalation_pct, sim.extra_rng):
            return False
        sim.emit(ev.TicketUpdated, ticket_id=ticket.id, status="open", group=level2.group)
        ticket.team, ticket.first_reply_min = level2, LEVEL2_REPLY_MIN
        sim.schedule(sim.now + sim.lognormal(LEVEL2_REPLY_MIN, 0.6) * 60.0, self._reply, ticket)
        return True

    def _solve(self, ticket: Ticket) -> None:
        sim = self.sim
        sim.emit(ev.TicketSolved, ticket_id=ticket.id, agent=ticket.assignee)
        sim.emit(ev.TicketUpdated, ticket_id=ticket.id, status="solved")
        quality = next((a.quality for a in sim.calls.agents if a.id == ticket.assignee), 0.0)
        self.after_contact(ticket.assignee, quality, 0.0, ticket_id=ticket.id)
        if sim.chance(7.0):
            sim.schedule(sim.now + sim.lognormal(240.0, 0.8) * 60.0, self._reopen, ticket)

    def _reopen(self, ticket: Ticket) -> None:
        sim = self.sim
        sim.emit(ev.TicketReopened, ticket_id=ticket.id)
        sim.emit(ev.TicketUpdated, ticket_id=ticket.id, status="open")
        ticket.rounds = MAX_ROUNDS - 1  # the next reply solves it
        sim.schedule(sim.now + sim.lognormal(30.0, 0.8) * 60.0, self._reply, ticket)

    # --- surveys ---------------------------------------------------------------------

    def after_contact(self, agent: str | None, quality: float, wait_s: float, *,
                      call_id: str | None = None, ticket_id: str | None = None,
                      queue: str | None = None) -> None:
        """After a call or a solve: maybe a survey, answered (``survey_pct`` of contacts) or
        not (so that ``survey_response_pct`` of the surveys sent are answered)."""
        sim = self.sim
        opts = sim.options
        link = {"call_id": call_id, "ticket_id": ticket_id, "agent": agent, "queue": queue}
        if sim.chance(opts.survey_pct):
            kind = "nps" if sim.chance(25.0) else "csat"
            score = self._score(kind, quality - min(wait_s, 600.0) / 300.0)
            # a call's survey is the IVR's, right after it; a ticket's comes by e-mail
            delay = sim.rng.uniform(30.0, 120.0) if call_id else sim.rng.uniform(60.0, 1800.0)
            sim.schedule(sim.now + delay, self._answer_survey, self._send(kind, link), kind,
                         score, "interaction", link)
            return
        # the rest of the surveys sent: sent / contacts = survey_pct / survey_response_pct
        sent_pct = 100.0 * opts.survey_pct / opts.survey_response_pct if opts.survey_pct else 0.0
        unanswered_pct = 100.0 * (sent_pct - opts.survey_pct) / (100.0 - opts.survey_pct)
        if sim.chance(unanswered_pct, sim.extra_rng):
            self._send("nps" if sim.chance(25.0, sim.extra_rng) else "csat", link)

    def _score(self, kind: str, mood: float, rng: random.Random | None = None) -> float:
        """A score: better agents and shorter waits (a higher ``mood``) score higher."""
        gauss = (rng or self.sim.rng).gauss
        if kind == "nps":
            return float(round(min(10.0, max(0.0, gauss(8.2 + 3.0 * mood, 1.8)))))
        return float(round(min(5.0, max(1.0, gauss(4.2 + 1.5 * mood, 0.9)))))

    def _send(self, kind: str, link: dict[str, str | None]) -> str:
        self._surveys += 1
        survey_id = f"R{self._surveys}"
        self.sim.emit(ev.SurveySent, survey_id=survey_id, survey=kind, **link)
        return survey_id

    def _relationship(self, rate: float = 0.0) -> None:
        """A relationship CSAT survey to a customer of some queue (more of the busier ones);
        with a ``rate``, plan the next one."""
        sim, rng = self.sim, self.sim.extra_rng
        queues = sim.options.queues
        queue = rng.choices(queues, weights=[q.calls_per_hour for q in queues])[0].name
        link = {"call_id": None, "ticket_id": None, "agent": None, "queue": queue}
        survey_id = self._send("csat", link)
        if sim.chance(sim.options.survey_response_pct, rng):
            # about the service as a whole: a little below the answers after a contact
            score = self._score("csat", -0.15, rng)
            sim.schedule(sim.now + rng.expovariate(1 / RELATIONSHIP_ANSWER_S),
                         self._answer_survey, survey_id, "csat", score, "relationship", link)
        if rate:
            sim.schedule(sim.now + rng.expovariate(rate), self._relationship, rate)

    def _answer_survey(self, survey_id: str, kind: str, score: float, about: str,
                       link: dict[str, str | None]) -> None:
        low, high = (0.0, 10.0) if kind == "nps" else (1.0, 5.0)
        self.sim.emit(ev.SurveyResponse, response_id=survey_id, survey=kind, score=score,
                      scale_min=low, scale_max=high, about=about, **link)
