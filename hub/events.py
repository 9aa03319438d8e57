"""Normalised events: the only thing a source may hand to the hub.

Every event is a small slotted dataclass with a UTC time (``ts``, epoch seconds),
the name of the source instance that produced it and its position in that source
(``source_pos``: a byte offset, a cursor, a line number...). Parsing a vendor format ends here.

Rules every source keeps:

- ``ts`` is when the thing happened, in UTC epoch seconds (floats allowed).
- Durations are seconds (``*_s``) unless the name says otherwise.
- ``None`` means "not known", never zero.
- Identifiers (``call_id``, ``ticket_id``, ``agent``, ``queue``) are strings.

An event is checked when it is built: every field has its declared type (a number is an ``int``
or a ``float``, never a ``bool``), numbers are finite, ``ts`` lies in 1970..3000, durations,
positions and counts are not negative, a ``Literal`` field holds one of its values and a survey
score lies on its scale. Anything else raises :class:`InvalidEvent` — the one exception that
means "this event is refused" (a ``ValueError``). Built events are never changed afterwards
(make a new one with ``dataclasses.replace``); the checks are compiled into each class's
``__init__``, so a valid event costs no more to build than a plain slotted class.

That check is the contract for every source. A built-in parser that already guarantees all of
it for the fields it fills (types by construction, numbers parsed finite, and the ``ts`` range
and signs it tests itself) may build through :func:`unchecked_builder`: the same event,
positionally and without the keyword call (a third of the cost of a keyword build). It falls
back to :func:`checked_builder` whenever its own tests fail, so a bad line is refused by the
event's own check, with its words.
"""

from __future__ import annotations

import dataclasses
import datetime
import linecache
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Literal, TypeVar

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
    "CallLost",
    "Event",
    "FigureEntered",
    "InvalidEvent",
    "RingNoAnswer",
    "SurveyResponse",
    "SurveySent",
    "SystemRestart",
    "TicketCreated",
    "TicketMetrics",
    "TicketReopened",
    "TicketReplied",
    "TicketSlaBreached",
    "TicketSolved",
    "TicketUpdated",
    "checked_builder",
    "event_from_dict",
    "event_to_dict",
    "unchecked_builder",
]

EndedBy = Literal["caller", "agent", "transfer"]
TransferKind = Literal["blind", "attended"]
LeftReason = Literal["timeout", "empty", "key", "withdrawn", "syscompat"]
SurveyKind = Literal["csat", "nps", "ces"]
SurveyAbout = Literal["interaction", "relationship"]
DeviceState = Literal["available", "ringing", "on_call", "unavailable"]

#: Event times outside 1970..3000 are refused.
TS_MIN: Final = 0.0
TS_MAX: Final = 32_503_680_000.0
#: The largest finite float: a number field is refused above it — an int as large as 10**400
#: compares below infinity but no float holds it, and the engine's sums would raise.
_FMAX: Final = sys.float_info.max
_NOT_NEGATIVE = ("_s", "_ms", "_min", "position", "reopens", "replies")


E = TypeVar("E", bound="Event")


class InvalidEvent(ValueError):
    """An event that cannot be built: a field of the wrong type or out of its range."""


def _refuse(kind: str, name: str, value: object, want: str) -> InvalidEvent:
    return InvalidEvent(f"{kind}: {name} must be {want}, got {value!r}"[:300])


def _check(name: str, hint: Any, env: dict[str, Any]) -> list[str]:
    """Source lines checking argument ``name`` against its type ``hint``."""
    args = typing.get_args(hint)
    optional = typing.get_origin(hint) in (typing.Union, __import__("types").UnionType) and (
        type(None) in args)
    if optional:
        (hint,) = [a for a in args if a is not type(None)]
    v = name
    if typing.get_origin(hint) is Literal:
        env[f"_{name}_ok"] = frozenset(typing.get_args(hint))
        test, want = f"{v}.__class__ is str and {v} in _{name}_ok", \
            f"one of {sorted(typing.get_args(hint))}"
    elif hint is str:
        test, want = f"{v}.__class__ is str", "a string"
    elif hint is bool:
        test, want = f"{v} is True or {v} is False", "True or False"
    elif hint in (float, int):
        kind = "(v.__class__ is float or v.__class__ is int)".replace("v", v)
        if hint is int:
            kind = f"{v}.__class__ is int"
        if name == "ts":
            test, want = f"{kind} and {TS_MIN!r} <= {v} <= {TS_MAX!r}", "a time in 1970..3000"
        elif name.endswith(_NOT_NEGATIVE):
            test, want = f"{kind} and 0 <= {v} <= _fmax", "a finite number >= 0"
        else:
            test, want = f"{kind} and -_fmax <= {v} <= _fmax", "a finite number"
    else:
        raise TypeError(f"no check for {name}: {hint!r}")
    if optional:
        test, want = f"{v} is None or ({test})", f"None or {want}"
    return [f"    if not ({test}):",
            f"        raise _refuse(_KIND, {name!r}, {v}, {want!r})"]


def _event(cls: type) -> type:
    """Make ``cls`` a slotted keyword-only dataclass whose ``__init__`` checks every field."""
    cls = dataclass(slots=True, kw_only=True, init=False, eq=True, unsafe_hash=True)(cls)
    fields = dataclasses.fields(cls)
    hints = typing.get_type_hints(cls)
    env: dict[str, Any] = {"_refuse": _refuse, "_fmax": _FMAX, "_KIND": cls.kind}
    params, body = [], []
    for f in fields:
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            env[f"_{f.name}_default"] = f.default
            params.append(f"{f.name}=_{f.name}_default")
        body += _check(f.name, hints[f.name], env)
    body += [f"    self.{f.name} = {f.name}" for f in fields]
    post = getattr(cls, "_validate", None)
    if post is not None:
        env["_post"] = post
        body.append("    _post(self)")
    source = f"def __init__(self, *, {', '.join(params)}):\n" + "\n".join(body)
    filename = f"<panneau.hub.events {cls.__name__}.__init__>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), env)
    init = env["__init__"]
    init.__qualname__ = f"{cls.__name__}.__init__"
    cls.__init__ = init  # type: ignore[misc]
    return cls


_UNCHECKED: dict[type, Any] = {}  # compiled on first use: most processes never build one


def _compile_unchecked(cls: type, names: list[str]) -> Any:
    """``build(ts, source, source_pos, ...)``: every field positionally, in declaration order;
    sets the slots without any check (see :func:`unchecked_builder`)."""
    body = "".join(f"    self.{name} = {name}\n" for name in names)
    source = f"def build({', '.join(names)}):\n    self = _new(_cls)\n{body}    return self\n"
    filename = f"<panneau.hub.events {cls.__name__} unchecked>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    env: dict[str, Any] = {"_new": cls.__new__, "_cls": cls}  # object.__new__ unless native
    exec(compile(source, filename, "exec"), env)
    build = env["build"]
    build.__qualname__ = f"{cls.__name__}.unchecked"
    return build


@_event
class Event:
    """Base of all events: when, from which source, and where in it."""

    kind: ClassVar[str] = "event"
    ts: float
    source: str = ""
    source_pos: str = ""


# --- calls (ACD / CMS) -----------------------------------------------------


@_event
class CallEntered(Event):
    """A caller joined a queue (queue_log ENTERQUEUE, AMI QueueCallerJoin)."""

    kind: ClassVar[str] = "call_entered"
    call_id: str
    queue: str
    caller_id: str | None = None
    position: int | None = None


@_event
class AgentRung(Event):
    """A member's phone started ringing for a waiting call (AMI AgentCalled)."""

    kind: ClassVar[str] = "agent_rung"
    call_id: str
    queue: str
    agent: str


@_event
class RingNoAnswer(Event):
    """One ring attempt to one member ended unanswered; ``canceled`` when the caller hung up
    during the ring (RINGCANCELED). Not a call outcome."""

    kind: ClassVar[str] = "ring_no_answer"
    call_id: str
    queue: str
    agent: str
    ring_ms: int | None = None
    canceled: bool = False


@_event
class CallAnswered(Event):
    """A member answered a queued call after ``hold_s`` seconds in queue (CONNECT)."""

    kind: ClassVar[str] = "call_answered"
    call_id: str
    queue: str
    agent: str
    hold_s: float
    ring_s: float | None = None


@_event
class CallEnded(Event):
    """An answered call ended after ``talk_s`` seconds of talk (COMPLETE*, *TRANSFER).
    ``transfer_to``: where a transfer went when the source says (queue_log ``BLINDTRANSFER``:
    ``extension@context``)."""

    kind: ClassVar[str] = "call_ended"
    call_id: str
    queue: str
    agent: str
    hold_s: float
    talk_s: float
    ended_by: EndedBy
    transfer: TransferKind | None = None
    transfer_to: str | None = None


@_event
class CallAbandoned(Event):
    """The caller hung up while waiting (ABANDON, AMI QueueCallerAbandon)."""

    kind: ClassVar[str] = "call_abandoned"
    call_id: str
    queue: str
    wait_s: float
    position: int | None = None
    orig_position: int | None = None


@_event
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


@_event
class CallLost(Event):
    """The source lost track of a waiting call while it could not see (an AMI link down while
    the caller left): the call is forgotten with no outcome, and stays counted as offered."""

    kind: ClassVar[str] = "call_lost"
    call_id: str
    queue: str


# --- agents -----------------------------------------------------------------


@_event
class AgentLoggedIn(Event):
    """An agent became a member of ``queue`` (or of every queue when ``queue`` is None)."""

    kind: ClassVar[str] = "agent_logged_in"
    agent: str
    queue: str | None = None


@_event
class AgentLoggedOut(Event):
    """An agent left ``queue`` (or every queue when ``queue`` is None)."""

    kind: ClassVar[str] = "agent_logged_out"
    agent: str
    queue: str | None = None


@_event
class AgentPaused(Event):
    """An agent paused, in ``queue`` or everywhere when ``queue`` is None."""

    kind: ClassVar[str] = "agent_paused"
    agent: str
    queue: str | None = None
    reason: str | None = None


@_event
class AgentUnpaused(Event):
    """An agent resumed taking calls, in ``queue`` or everywhere when ``queue`` is None."""

    kind: ClassVar[str] = "agent_unpaused"
    agent: str
    queue: str | None = None
    reason: str | None = None


@_event
class AgentStatus(Event):
    """A live device state seen for an agent (AMI QueueMemberStatus, QueueStatus seed)."""

    kind: ClassVar[str] = "agent_status"
    agent: str
    queue: str | None = None
    state: DeviceState
    paused: bool | None = None
    reason: str | None = None


@_event
class SystemRestart(Event):
    """The ACD restarted (QUEUESTART): calls in flight are lost and leave no outcome."""

    kind: ClassVar[str] = "system_restart"
    reload_only: bool = False


# --- tickets (CRM / helpdesk) --------------------------------------------------


@_event
class TicketCreated(Event):
    """A ticket was created; ``ts`` is its creation time. ``ticket_type`` is the helpdesk's
    type (Zendesk problem/incident/question/task, Freshdesk's free text), ``None`` when the
    ticket has none."""

    kind: ClassVar[str] = "ticket_created"
    ticket_id: str
    status: str = "new"
    channel: str | None = None
    group: str | None = None
    assignee: str | None = None
    priority: str | None = None
    ticket_type: str | None = None


@_event
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
    ticket_type: str | None = None


@_event
class TicketReplied(Event):
    """An agent added a public reply to a ticket."""

    kind: ClassVar[str] = "ticket_replied"
    ticket_id: str
    agent: str | None = None


@_event
class TicketSolved(Event):
    """A ticket reached solved/resolved."""

    kind: ClassVar[str] = "ticket_solved"
    ticket_id: str
    agent: str | None = None


@_event
class TicketReopened(Event):
    """A solved ticket was reopened."""

    kind: ClassVar[str] = "ticket_reopened"
    ticket_id: str


@_event
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


@_event
class TicketSlaBreached(Event):
    """A ticket breached an SLA target (``metric``: first_reply, resolution, ...)."""

    kind: ClassVar[str] = "ticket_sla_breached"
    ticket_id: str
    metric: str


# --- surveys -------------------------------------------------------------------


@_event
class SurveyResponse(Event):
    """One survey answer. ``score`` on the scale ``scale_min..scale_max`` (NPS 0..10, CSAT 1..5,
    binary good/bad as 1/0 on 0..1), linked to a call, a ticket and an agent when known.
    ``about``: ``interaction`` (asked after a call or ticket) or ``relationship`` (about the
    service as a whole); ``None`` lets a linked answer count as ``interaction``."""

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
    about: SurveyAbout | None = None

    def _validate(self) -> None:
        if not self.scale_min < self.scale_max:
            raise InvalidEvent(f"survey_response: scale {self.scale_min}..{self.scale_max} "
                               "is empty")
        if not self.scale_min <= self.score <= self.scale_max:
            raise InvalidEvent(f"survey_response: score {self.score} is off its scale "
                               f"{self.scale_min}..{self.scale_max}")
        if self.survey == "ces" and self.scale_min < 0:
            raise InvalidEvent("survey_response: an effort scale starts at 0 or 1")


@_event
class SurveySent(Event):
    """A survey was sent (or offered) to a customer, answered or not: the denominator of the
    response rate. ``survey_id`` is the ``response_id`` its answer will carry; a sent survey
    is counted once per id."""

    kind: ClassVar[str] = "survey_sent"
    survey_id: str
    survey: SurveyKind
    call_id: str | None = None
    ticket_id: str | None = None
    agent: str | None = None
    queue: str | None = None


# --- figures no source system holds ------------------------------------------------


@_event
class FigureEntered(Event):
    """A figure no phone system or helpdesk holds (training hours, complaints, costs...), typed
    by a manager (``panneau input``) or fed by a plugin (CRM, HR tool). ``figure`` is one of
    :data:`panneau.hub.engine.inputs.FIGURES`; ``team`` None is the whole site; ``day`` the
    working day it counts for (ISO date; None: the day of ``ts``, the time it was entered);
    ``by`` who entered it. A correction is a new entry naming the one it replaces in
    ``corrects``: nothing is overwritten."""

    kind: ClassVar[str] = "figure_entered"
    entry_id: str
    figure: str
    amount: float
    team: str | None = None
    day: str | None = None
    category: str | None = None
    by: str | None = None
    corrects: str | None = None

    def _validate(self) -> None:
        if self.amount < 0:
            raise InvalidEvent(f"figure_entered: {self.figure}: the amount must be 0 or more, "
                               f"got {self.amount!r}")
        if self.day is not None:
            try:
                datetime.date.fromisoformat(self.day)
            except ValueError:
                raise InvalidEvent(f"figure_entered: day must be a date YYYY-MM-DD, got "
                                   f"{self.day!r}"[:300]) from None


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
        CallLost,
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
        SurveySent,
        FigureEntered,
    )
}


_BY_NAME: dict[str, type[Event]] = {cls.__name__: cls for cls in EVENT_TYPES.values()}

_FIELDS: dict[type[Event], frozenset[str]] = {
    cls: frozenset(f.name for f in dataclasses.fields(cls)) for cls in EVENT_TYPES.values()}


def unchecked_builder(cls: type[E]) -> Callable[..., E]:
    """Build ``cls`` from every field positionally (``ts, source, source_pos``, then the class's
    own, in declaration order) **without any check**.

    For built-in parsers only, and only for values that pass every check of ``cls`` (see the
    module docstring): the event is the one ``cls(**fields)`` would build, so it compares,
    hashes and journals the same. ``tests/asterisk`` rebuilds every event a parser made this
    way through the checked constructor and asks for the same event.
    """
    build = _UNCHECKED.get(cls)
    if build is None:
        names = [f.name for f in dataclasses.fields(cls)]
        build = _UNCHECKED[cls] = _compile_unchecked(cls, names)
    return build


def __getattr__(name: str) -> Any:
    """``unchecked_<Class>``: :func:`unchecked_builder` of that event class, for a built-in
    parser's import (``from panneau.hub.events import unchecked_CallEntered``). Compiled, each
    is a native function with the fields' types, so a compiled parser calls it directly (no
    call through a Python object, no boxed float) rather than through the value
    :func:`unchecked_builder` returns."""
    cls = _BY_NAME.get(name[10:]) if name.startswith("unchecked_") else None
    if cls is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return unchecked_builder(cls)


def checked_builder(cls: type[E]) -> Callable[..., E]:
    """Build ``cls`` from every field positionally, checked as ``cls(**fields)`` checks it
    (raises :class:`InvalidEvent` with the same words): a fast path's way back."""
    names = tuple(f.name for f in dataclasses.fields(cls))

    def build(*values: Any) -> E:
        return cls(**dict(zip(names, values, strict=True)))

    build.__qualname__ = f"{cls.__name__}.checked"
    return build


def event_to_dict(event: Event) -> dict[str, Any]:
    """A plain dict with a ``kind`` key (for the journal and the wire)."""
    data = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    data["kind"] = event.kind
    return data


def event_from_dict(data: dict[str, Any]) -> Event:
    """Rebuild an event from :func:`event_to_dict` output; raises :class:`InvalidEvent` for an
    unknown kind, unknown or missing keys and bad values."""
    data = dict(data)
    kind = data.pop("kind", None)
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise InvalidEvent(f"unknown event kind {kind!r}")
    names = _FIELDS[cls]
    if not names.issuperset(data):
        raise InvalidEvent(f"{kind}: unknown fields {sorted(set(data) - names)}")
    try:
        return cls(**data)
    except TypeError as exc:  # a required field is missing
        raise InvalidEvent(f"{kind}: {exc}") from None
