"""Options of the ``simulator`` source (the ``[sources.options]`` table), validated by the hub."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from typing import Literal

from panneau.hub.clock import MAX_SPEED
from panneau.hub.config.validate import OptionProblems

__all__ = ["ScenarioName", "SimQueue", "SimTeam", "SimulatorOptions", "option_problems",
           "speed_moved"]

ScenarioName = Literal["day", "quiet_morning", "lunch_peak", "incident"]


@dataclass
class SimQueue:
    """One simulated call queue and how its callers behave."""

    name: str
    calls_per_hour: float = 30.0
    """Arrival rate at the busiest time of a normal day."""
    talk_median_s: float = 180.0
    wrapup_median_s: float = 30.0
    patience_median_s: float = 150.0
    """Half the callers hang up after waiting this long."""
    timeout_s: float = 600.0
    """The queue sends a caller elsewhere after this wait (``CallLeft`` timeout)."""
    escalate_to: str | None = None
    """Where its escalated calls go: a level-2 queue (the call enters it under its own id, as
    Asterisk shows a transfer into another queue) or an extension ``ext@context`` (a blind
    transfer there); ``None``: its calls are never escalated."""


@dataclass
class SimTeam:
    """A team of agents answering some queues and (optionally) a helpdesk group."""

    id: str
    queues: list[str]
    agents: list[str]
    group: str | None = None
    tickets_per_hour: float = 0.0
    escalate_to: str | None = None
    """The level-2 helpdesk group (another team's ``group``) its escalated tickets move to."""


#: Where the default sales queue escalates: the sales manager's extension (a blind transfer).
SALES_MANAGER = "8002@from-internal"


def _queues() -> list[SimQueue]:
    return [
        SimQueue("support", calls_per_hour=40.0, talk_median_s=200.0, escalate_to="expert"),
        SimQueue("billing", calls_per_hour=15.0, talk_median_s=160.0, escalate_to="expert"),
        SimQueue("sales", calls_per_hour=25.0, talk_median_s=150.0, patience_median_s=100.0,
                 escalate_to=SALES_MANAGER),
        # the second level: only escalated calls come in
        SimQueue("expert", calls_per_hour=0.0, talk_median_s=420.0, wrapup_median_s=90.0,
                 patience_median_s=300.0),
    ]


def _teams() -> list[SimTeam]:
    return [
        SimTeam("support", ["support", "billing"],
                ["alice", "bob", "carol", "dan", "emma", "farid", "gabe", "hana"], "Support", 6.0,
                escalate_to="Level 2"),
        SimTeam("sales", ["sales"], ["ines", "jon", "kim", "leo"], "Sales", 2.0),
        SimTeam("expert", ["expert"], ["mia", "nils", "oona"], "Level 2"),
    ]


@dataclass
class SimulatorOptions:
    """What to simulate and how fast."""

    seed: int = 1
    speed: float = 1.0
    """Refused unless 1: the simulator follows the hub's clock, sped up by ``[hub]
    clock_speed`` (:func:`speed_moved`)."""
    scenario: ScenarioName = "day"
    queues: list[SimQueue] = field(default_factory=_queues)
    teams: list[SimTeam] = field(default_factory=_teams)
    start: float | None = None
    """Simulated time (UTC epoch) of the start; default: the hub clock at first start."""
    warmup_s: float = 900.0
    """Simulate this long before ``start`` so figures exist from the first second."""
    duration_s: float | None = None
    """Stop producing after this much simulated time (``None``: forever)."""
    clock_hour: float | None = None
    """Local hour of day at ``start`` (e.g. 11.5); default: the scenario's, else the real one."""
    timezone: str = "UTC"
    incident_queue: str | None = None
    """Queue hit by the ``incident`` scenario (default: the first queue)."""
    incident_after_s: float = 20.0
    transfer_pct: float = 6.0
    repeat_caller_pct: float = 8.0
    callback_after_abandon_pct: float = 40.0
    ring_no_answer_pct: float = 4.0
    survey_pct: float = 20.0
    """Calls and solved tickets followed by a survey answer (post-interaction)."""
    survey_response_pct: float = 25.0
    """Sent surveys that get an answer: ``survey_pct`` ÷ this of the calls and solved tickets
    get a survey (``SurveySent``), the others no answer."""
    relationship_campaign: int = 20
    """Relationship CSAT surveys (about the service as a whole, to customers of the queues)
    just sent at the start; ``survey_response_pct`` of them are answered within hours."""
    relationship_surveys_per_hour: float = 3.0
    """More relationship surveys sent after that, spread over the whole day."""
    escalation_pct: float = 50.0
    """Transferred calls of a queue with ``escalate_to`` that go to the second level (the
    others to another level-1 queue)."""
    ticket_escalation_pct: float = 10.0
    """Tickets of a team with ``escalate_to`` moved to the level-2 group at their first look."""
    carried_backlog_h: float = 3.0
    """At the start, each team's helpdesk already holds this many hours of its ticket arrivals,
    new, open, pending or on hold (seen through updates, as a helpdesk source first sees them)."""
    tick_s: float = 0.5
    """Longest wall-clock pause between two emits."""

    def __post_init__(self) -> None:
        """Refused here, ``panneau config check`` names each problem at its key's line (and
        the hub refuses the file the same way) instead of a source down at every restart."""
        if problems := option_problems(self):
            raise OptionProblems(problems)


def speed_moved(speed: float) -> str:
    """Why a ``speed`` other than 1 is refused, and the fix. Ahead of the hub's clock, the
    simulator emitted events dated in the hub's future (skipped at the door: let in, they
    moved the engine's time ahead); ``0`` (as fast as possible) made a day of them in
    seconds: the nearest now is the fastest hub clock."""
    shown = f"{min(speed, MAX_SPEED):g}" if speed > 0 else f"{MAX_SPEED:g}"
    pace = (f"at {speed:g}× the wall clock's pace" if speed > 0
            else "as fast as it can go" if speed == 0 else "faster")
    return (f"the simulator follows the hub's clock: to play it {pace}, speed the hub's "
            f"clock up instead, 'clock_speed = {shown}' under [hub] (demos, trials and tests; "
            f"at most {MAX_SPEED:g}), or run 'panneau demo --speed {shown}'")


_PERCENTAGES = ("transfer_pct", "repeat_caller_pct", "callback_after_abandon_pct",
                "ring_no_answer_pct", "survey_pct", "survey_response_pct", "escalation_pct",
                "ticket_escalation_pct")


def option_problems(options: SimulatorOptions) -> dict[str, str]:
    """What makes ``options`` unusable though well typed, at the key each is about."""
    problems: dict[str, str] = {}
    if options.speed != 1:
        problems["speed"] = speed_moved(options.speed)
    if options.tick_s <= 0:
        problems["tick_s"] = "must be greater than 0"
    if options.warmup_s < 0:
        problems["warmup_s"] = "must be 0 or more"
    try:
        zoneinfo.ZoneInfo(options.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems["timezone"] = f"unknown timezone {options.timezone!r}"
    for i, q in enumerate(options.queues):
        if q.calls_per_hour < 0 or min(q.talk_median_s, q.wrapup_median_s,
                                       q.patience_median_s, q.timeout_s) <= 0:
            problems[f"queues[{i}]"] = f"queue {q.name!r}: rates must be 0 or more, times above 0"
        if q.escalate_to == q.name:
            problems[f"queues[{i}].escalate_to"] = f"queue {q.name!r}: escalates to itself"
    queues = {q.name for q in options.queues}
    groups = {t.group for t in options.teams if t.group}
    for i, team in enumerate(options.teams):
        if missing := [q for q in team.queues if q not in queues]:
            problems[f"teams[{i}].queues"] = (f"team {team.id!r}: no queue "
                                              f"{', '.join(map(repr, missing))}")
        if team.escalate_to is not None and (team.escalate_to not in groups
                                             or team.escalate_to == team.group):
            problems[f"teams[{i}].escalate_to"] = (f"team {team.id!r}: escalate_to "
                                                   f"{team.escalate_to!r} is no other team's "
                                                   "group")
    if options.incident_queue is not None and options.incident_queue not in queues:
        problems["incident_queue"] = f"no queue {options.incident_queue!r}"
    problems |= {name: "must be 0 to 100" for name in _PERCENTAGES
                 if not 0 <= getattr(options, name) <= 100}
    if options.survey_pct > options.survey_response_pct and "survey_pct" not in problems:
        problems["survey_pct"] = ("(contacts with an answer) cannot exceed survey_response_pct "
                                  "(sent surveys answered)")
    problems |= {name: "must be 0 or more" for name in ("relationship_surveys_per_hour",
                                                        "carried_backlog_h")
                 if getattr(options, name) < 0}
    return problems
