"""Normalised events: the only thing a source may hand to the hub.

Every event is a small frozen dataclass with a UTC time (``ts``, epoch seconds),
the name of the source instance that produced it and its position in that source
(``source_pos``: a byte offset, a cursor, a line number...). Parsing a vendor format ends here.

Rules every source keeps:

- ``ts`` is when the thing happened, in UTC epoch seconds (floats allowed).
- Durations are seconds (``*_s``) unless the name says otherwise.
- ``None`` means "not known", never zero.
- Identifiers (``call_id``, ``ticket_id``, ``agent``, ``queue``) are strings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

__all__ = [
    "EVENT_TYPES",
    "AgentLoggedIn",
    "AgentLoggedOut",
    "AgentPaused",
    "AgentRung",
    "AgentStatus",
    "AgentUnpaused",
    "CallAbandoned",
    "CallAnswered",
    "CallEnded",
    "CallEntered",
    "CallLeft",
    "Event",
    "RingNoAnswer",
    "SurveyResponse",
    "SystemRestart",
    "TicketCreated",
    "TicketMetrics",
    "TicketReopened",
    "TicketReplied",
    "TicketSlaBreached",
    "TicketSolved",
    "TicketUpdated",
    "event_from_dict",
    "event_to_dict",
]

EndedBy = Literal["caller", "agent", "transfer"]
TransferKind = Literal["blind", "attended"]
LeftReason = Literal["timeout", "empty", "key", "withdrawn", "syscompat"]
SurveyKind = Literal["csat", "nps", "ces"]
DeviceState = Literal["available", "ringing", "on_call", "unavailable"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of all events: when, from which source, and where in it."""

    kind: ClassVar[str] = "event"
    ts: float
    source: str = ""
    source_pos: str = ""


# --- calls (ACD / CMS) -----------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CallEntered(Event):
    """A caller joined a queue (queue_log ENTERQUEUE, AMI QueueCallerJoin)."""

    kind: ClassVar[str] = "call_entered"
    call_id: str
    queue: str
    caller_id: str | None = None
    position: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentRung(Event):
    """A member's phone started ringing for a waiting call (AMI AgentCalled)."""

    kind: ClassVar[str] = "agent_rung"
    call_id: str
    queue: str
    agent: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RingNoAnswer(Event):
    """One ring attempt to one member ended unanswered; ``canceled`` when the caller hung up
    during the ring (RINGCANCELED). Not a call outcome."""

    kind: ClassVar[str] = "ring_no_answer"
    call_id: str
    queue: str
    agent: str
    ring_ms: int | None = None
    canceled: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class CallAnswered(Event):
    """A member answered a queued call after ``hold_s`` seconds in queue (CONNECT)."""

    kind: ClassVar[str] = "call_answered"
    call_id: str
    queue: str
    agent: str
    hold_s: float
    ring_s: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CallEnded(Event):
    """An answered call ended after ``talk_s`` seconds of talk (COMPLETE*, *TRANSFER)."""

    kind: ClassVar[str] = "call_ended"
    call_id: str
    queue: str
    agent: str
    hold_s: float
    talk_s: float
    ended_by: EndedBy
    transfer: TransferKind | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CallAbandoned(Event):
    """The caller hung up while waiting (ABANDON, AMI QueueCallerAbandon)."""

    kind: ClassVar[str] = "call_abandoned"
    call_id: str
    queue: str
    wait_s: float
    position: int | None = None
    orig_position: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CallLeft(Event):
    """The call left the queue unanswered for another reason than hanging up: queue timeout,
    no reachable member, a key pressed, withdrawn by AMI, or dropped (SYSCOMPAT)."""

    kind: ClassVar[str] = "call_left"
    call_id: str
    queue: str
    reason: LeftReason
    wait_s: float
    agent: str | None = None
    key: str | None = None


# --- agents -----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentLoggedIn(Event):
    """An agent became a member of ``queue`` (or of every queue when ``queue`` is None)."""

    kind: ClassVar[str] = "agent_logged_in"
    agent: str
    queue: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentLoggedOut(Event):
    """An agent left ``queue`` (or every queue when ``queue`` is None)."""

    kind: ClassVar[str] = "agent_logged_out"
    agent: str
    queue: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentPaused(Event):
    """An agent paused, in ``queue`` or everywhere when ``queue`` is None."""

    kind: ClassVar[str] = "agent_paused"
    agent: str
    queue: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentUnpaused(Event):
    """An agent resumed taking calls, in ``queue`` or everywhere when ``queue`` is None."""

    kind: ClassVar[str] = "agent_unpaused"
    agent: str
    queue: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentStatus(Event):
    """A live device state seen for an agent (AMI QueueMemberStatus, QueueStatus seed)."""

    kind: ClassVar[str] = "agent_status"
    agent: str
    queue: str | None = None
    state: DeviceState
    paused: bool | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SystemRestart(Event):
    """The ACD restarted (QUEUESTART): calls in flight are lost and leave no outcome."""

    kind: ClassVar[str] = "system_restart"
    reload_only: bool = False


# --- tickets (CRM / helpdesk) --------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketCreated(Event):
    """A ticket was created; ``ts`` is its creation time."""

    kind: ClassVar[str] = "ticket_created"
    ticket_id: str
    status: str = "new"
    channel: str | None = None
    group: str | None = None
    assignee: str | None = None
    priority: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketUpdated(Event):
    """A ticket's fields changed. ``status`` is a category: new, open, pending, hold, solved,
    closed or deleted (sources map vendor and custom statuses onto these)."""

    kind: ClassVar[str] = "ticket_updated"
    ticket_id: str
    status: str | None = None
    channel: str | None = None
    group: str | None = None
    assignee: str | None = None
    priority: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketReplied(Event):
    """An agent added a public reply to a ticket."""

    kind: ClassVar[str] = "ticket_replied"
    ticket_id: str
    agent: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketSolved(Event):
    """A ticket reached solved/resolved."""

    kind: ClassVar[str] = "ticket_solved"
    ticket_id: str
    agent: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketReopened(Event):
    """A solved ticket was reopened."""

    kind: ClassVar[str] = "ticket_reopened"
    ticket_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketMetrics(Event):
    """Figures a helpdesk computed itself for a ticket (Zendesk ticket_metrics, Freshdesk stats).
    Minutes, as the vendors give them; ``None`` where not known yet."""

    kind: ClassVar[str] = "ticket_metrics"
    ticket_id: str
    first_reply_min: float | None = None
    first_resolution_min: float | None = None
    full_resolution_min: float | None = None
    reopens: int | None = None
    replies: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketSlaBreached(Event):
    """A ticket breached an SLA target (``metric``: first_reply, resolution, ...)."""

    kind: ClassVar[str] = "ticket_sla_breached"
    ticket_id: str
    metric: str


# --- surveys -------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SurveyResponse(Event):
    """One survey answer. ``score`` on the scale ``scale_min..scale_max`` (NPS 0..10, CSAT 1..5,
    binary good/bad as 1/0 on 0..1), linked to a call, a ticket and an agent when known."""

    kind: ClassVar[str] = "survey_response"
    response_id: str
    survey: SurveyKind
    score: float
    scale_min: float
    scale_max: float
    call_id: str | None = None
    ticket_id: str | None = None
    agent: str | None = None
    queue: str | None = None
    comment: str | None = None


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        CallEntered,
        AgentRung,
        RingNoAnswer,
        CallAnswered,
        CallEnded,
        CallAbandoned,
        CallLeft,
        AgentLoggedIn,
        AgentLoggedOut,
        AgentPaused,
        AgentUnpaused,
        AgentStatus,
        SystemRestart,
        TicketCreated,
        TicketUpdated,
        TicketReplied,
        TicketSolved,
        TicketReopened,
        TicketMetrics,
        TicketSlaBreached,
        SurveyResponse,
    )
}


def event_to_dict(event: Event) -> dict[str, Any]:
    """A plain dict with a ``kind`` key (for the journal and the wire)."""
    data = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    data["kind"] = event.kind
    return data


def event_from_dict(data: dict[str, Any]) -> Event:
    """Rebuild an event from :func:`event_to_dict` output; unknown keys are refused."""
    data = dict(data)
    kind = data.pop("kind", None)
    cls = EVENT_TYPES.get(kind)  # type: ignore[arg-type]
    if cls is None:
        raise ValueError(f"unknown event kind {kind!r}")
    return cls(**data)
