"""One queue_log line, cut at its ``|``, → normalised events, verb by verb.

Fields are read by position and every field Asterisk added over the years (CONNECT ringtime,
ENTERQUEUE origposition, EXITWITHKEY position/waittime before 13...) may be missing.
Choices, so that nothing is counted twice:

- ``PAUSEALL``/``UNPAUSEALL`` give no event: Asterisk always writes a per-queue
  ``PAUSE``/``UNPAUSE`` line as well, and those carry the queue.
- ``RINGCANCELED`` is a :class:`~panneau.hub.events.RingNoAnswer` with ``canceled=True``; the
  ``ABANDON`` that follows is the one outcome of the call.
- ``QUEUESTART`` is a :class:`~panneau.hub.events.SystemRestart`; ``CONFIGRELOAD`` one with
  ``reload_only=True``.
- Custom and vendor verbs (``DID``, ``INFO``, ``HEARTBEAT``, PBXware ``OUT*``...) and verbs with
  no KPI meaning (``PENALTY``, ``RINGINUSE``, ``AGENTDUMP``, ``OUTCALL``) give no event and are
  not errors.
- A leave line without its waittime (EXITWITHKEY before Asterisk 13, SYSCOMPAT) gets it from the
  call's ENTERQUEUE time when this mapper saw it; otherwise the line is reported as skipped.
- Same-second order: an export sorted by a one-second time column may put a call's CONNECT (or
  ABANDON, EXIT*) before its own ENTERQUEUE. Lines are taken in causal order: the outcome already
  counts the call as offered, so an ENTERQUEUE of that call in that same second adds nothing.

Speed: a handler takes the line's fields as ``line.split('|')`` gave them (``p[1]`` call id,
``p[2]`` queue, ``p[3]`` agent, ``p[4]`` verb, data from ``p[5]``), without a record in
between, and appends its events to the caller's list (no list per line), returning True when the
line gives none; it appends only once nothing can be refused any more, so a refused line leaves
nothing behind. Every field it puts
in an event is a ``str`` by construction or a number it parsed finite, so the only checks of
the event left are ``ts``'s range and the signs of durations and positions. The caller tests
the range, once a line (:meth:`~panneau.plugins.asterisk.queue_log.RecordSink.take_lines`,
:meth:`VerbMapper.events`): a line whose time is a number out of 1970..3000 still goes
through its handler (its own refusals first), then the events it made are built again through
their checked constructors (:func:`checked_again`), which refuse it in the event's words. The
handler tests the signs inline and builds the event with its class's ``unchecked_<Class>`` from
:mod:`panneau.hub.events` (:func:`~panneau.hub.events.unchecked_builder`; compiled, a direct
call of a native function, without boxing its floats); if one fails it builds through the
event's own checked constructor, which refuses the line with the event's words. The mapper's
own refusals (:class:`BadLine`) come first, in the order of the event's fields, as the keyword
build had them.
The most frequent verbs (ENTERQUEUE, CONNECT, COMPLETE*, RINGNOANSWER) read their numbers with
one :func:`~panneau.plugins.asterisk.record.decimal` each (``float()``; compiled, a digit loop)
and test every sign once; any other shape of line takes the field readers, whose words and
order are the ones above.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Final

from panneau.hub.events import (
    TS_MAX,
    TS_MIN,
    AgentLoggedIn,
    AgentLoggedOut,
    AgentPaused,
    AgentUnpaused,
    CallAbandoned,
    CallAnswered,
    CallEnded,
    CallEntered,
    CallLeft,
    Event,
    RingNoAnswer,
    checked_builder,
    unchecked_builder,
    unchecked_CallAbandoned,
    unchecked_CallAnswered,
    unchecked_CallEnded,
    unchecked_CallEntered,
    unchecked_CallLeft,
    unchecked_RingNoAnswer,
    unchecked_SystemRestart,
)
from panneau.plugins.asterisk.record import BadLine, Record, decimal, number

__all__ = ["KNOWN_VERBS", "Fields", "Handler", "VerbMapper", "checked_again", "take",
           "unknown"]

Fields = list[str]
"""A line cut at its ``|``: time, call id, queue, agent, verb, then the verb's data."""

# Final: compiled, each is a C global instead of a lookup in the module's dict at every use.
# Tests written for pure Python's speed too (measured): a name Asterisk left out ("" or
# "NONE") as ``not name or name == "NONE"``, not ``name in ("", "NONE")``; bounds as ``0.0 <=``
# and ``_NINF <`` (``-_INF`` makes a new float at every test).
_INF: Final = float("inf")
_NINF: Final = -_INF
_NAN: Final = float("nan")
_DATA: Final = 5  # index of the first data field


_ENTERED_CHECKED: Final = checked_builder(CallEntered)
_ANSWERED_CHECKED: Final = checked_builder(CallAnswered)
_ENDED_CHECKED: Final = checked_builder(CallEnded)
_ABANDONED_CHECKED: Final = checked_builder(CallAbandoned)
_LEFT_CHECKED: Final = checked_builder(CallLeft)
_RING_CHECKED: Final = checked_builder(RingNoAnswer)


def _field(p: Fields, i: int) -> str:
    return p[i] if i < len(p) else ""


def _num(p: Fields, i: int, name: str, required: bool = False) -> float | None:
    """Field ``i`` as a finite float, None when blank; raises :class:`BadLine` otherwise."""
    try:  # the common case: a number, without stripping or building a message
        value = decimal(p[i])
    except (IndexError, ValueError):
        text = p[i].strip() if i < len(p) else ""
        if not text:
            if required:
                raise BadLine(f"{p[4]}: missing {name}") from None
            return None
        value = _NAN
    if _NINF < value < _INF:
        return value
    return number(p[i].strip(), f"{p[4]}: {name}")  # raises BadLine with the message


def _int(p: Fields, i: int, name: str) -> int | None:
    value = _num(p, i, name)
    return None if value is None else int(value)


def _names(p: Fields, agent: bool) -> None:
    """Raise :class:`BadLine` for a missing queue name, then (``agent``) a missing agent."""
    if not p[2] or p[2] == "NONE":
        raise BadLine(f"{p[4]}: no queue name")
    if agent and (not p[3] or p[3] == "NONE"):
        raise BadLine(f"{p[4]}: no agent")


def _queue(p: Fields) -> str:
    queue = p[2]
    if not queue or queue == "NONE":
        raise BadLine(f"{p[4]}: no queue name")
    return queue


def _agent(p: Fields) -> str:
    agent = p[3]
    if not agent or agent == "NONE":
        raise BadLine(f"{p[4]}: no agent")
    return agent


def checked_again(events: list[Event]) -> list[Event]:
    """``events`` built again through their checked constructors: the way back for a line
    whose time is out of 1970..3000, which its handler does not test (the caller does, once a
    line); raises :class:`~panneau.hub.events.InvalidEvent` in the event's words."""
    return [type(e)(**{f.name: getattr(e, f.name) for f in dataclasses.fields(e)})
            for e in events]


Handler = Callable[["VerbMapper", Fields, float, str, list[Event]], bool | None]
"""Appends the events of a line cut into its fields to the list; True when it gives none."""


class VerbMapper:
    """Turns lines into events; remembers recent ENTERQUEUE times (bounded) for old lines."""

    def __init__(self, source: str = "", remember_calls: int = 20000) -> None:
        if not isinstance(source, str):
            raise TypeError(f"source must be a str, got {source!r}")
        self.source = source
        self._entered: dict[str, float] = {}
        self._ahead: dict[str, float] = {}  # calls whose outcome came before any ENTERQUEUE
        self._remember = remember_calls

    def events(self, rec: Record, pos: str) -> list[Event]:
        """The events of one record (``[]`` for verbs without any); raises ``BadLine``, or
        ``InvalidEvent`` for a time out of 1970..3000."""
        out: list[Event] = []
        handler = HANDLERS.get(rec.verb)
        if handler is not None:
            handler(self, ["", rec.call_id, rec.queue, rec.agent, rec.verb, *rec.data], rec.ts,
                    pos, out)
            if out and not TS_MIN <= rec.ts <= TS_MAX:
                return checked_again(out)
        return out

    # --- state shared by the handlers ---------------------------------------------------

    def wait(self, p: Fields, ts: float, i: int) -> float:
        """The waittime in field ``i``, or the time since the call's ENTERQUEUE."""
        wait = _num(p, i, "waittime")
        call_id = p[1]
        entered = self._entered.pop(call_id, None)
        if entered is None:
            self.note_ahead(call_id, ts)
        if wait is not None:
            return wait
        if entered is None:
            raise BadLine(f"{p[4]}: no waittime and the call's ENTERQUEUE was not seen")
        return max(0.0, ts - entered)

    def note_ahead(self, call_id: str, ts: float) -> None:
        """An outcome of ``call_id`` came before any ENTERQUEUE of it."""
        ahead = self._ahead
        ahead[call_id] = ts
        if len(ahead) > self._remember:
            del ahead[next(iter(ahead))]

    def restarted(self) -> None:
        """QUEUESTART: the calls in flight are gone."""
        self._entered.clear()


# --- the handlers, verb by verb ---------------------------------------------------------------


# The common shapes go through one ``float()`` per number and one test of every sign and range
# at the end; any other (a blank, a missing field, a bad number, a sign) goes through the
# field readers above and the checked constructor, which say what is wrong in the same order.


def _enter(m: VerbMapper, p: Fields, ts: float, pos: str, out: list[Event]) -> bool | None:
    call_id = p[1]
    if m._ahead and m._ahead.pop(call_id, None) == ts:
        # Same second as the call's own outcome, written after it (an export sorted by a
        # one-second time column): the call is already counted; taking it in causal order
        # means not entering it again.
        return True
    queue = p[2]
    if not queue or queue == "NONE":
        _names(p, False)
    position: int | None
    try:
        caller, position = p[6], int(decimal(p[7]))
    except (IndexError, ValueError, OverflowError):
        caller, position = _field(p, 6), _int(p, 7, "origposition")
    entered = m._entered
    if call_id in entered:  # entered again: it moves to the end
        del entered[call_id]
    entered[call_id] = ts
    if len(entered) > m._remember:
        del entered[next(iter(entered))]
    if position is None or position >= 0:
        out.append(unchecked_CallEntered(ts, m.source, pos, call_id, queue, caller or None,
                                         position))
        return None
    out.append(_ENTERED_CHECKED(ts, m.source, pos, call_id, queue, caller or None, position))
    return None


def _connect(m: VerbMapper, p: Fields, ts: float, pos: str, out: list[Event]) -> None:
    call_id, queue, agent = p[1], p[2], p[3]
    if m._entered.pop(call_id, None) is None:
        m.note_ahead(call_id, ts)
    if not queue or not agent or queue == "NONE" or agent == "NONE":
        _names(p, True)
    try:
        hold, ring = decimal(p[5]), decimal(p[7])
    except (IndexError, ValueError):
        hold = ring = _NAN
    if 0.0 <= hold < _INF and 0.0 <= ring < _INF:
        out.append(unchecked_CallAnswered(ts, m.source, pos, call_id, queue, agent, hold, ring))
        return
    out.append(_ANSWERED_CHECKED(ts, m.source, pos, call_id, queue, agent,
                                 _num(p, 5, "holdtime", True), _num(p, 7, "ringtime")))


def _ended(m: VerbMapper, p: Fields, ts: float, pos: str, out: list[Event]) -> None:
    """COMPLETECALLER and COMPLETEAGENT (hold and talk at data 0), TRANSFER, BLINDTRANSFER and
    ATTENDEDTRANSFER (at data 2): the verb (``p[4]``) says which. One module-level function
    rather than a closure per verb, so that :func:`take` calls it directly when compiled."""
    verb = p[4]
    transfer: str | None = None
    target: str | None = None
    if verb == "COMPLETECALLER":
        i, ended_by = _DATA, "caller"
    elif verb == "COMPLETEAGENT":
        i, ended_by = _DATA, "agent"
    else:
        i, ended_by = _DATA + 2, "transfer"
        if verb == "ATTENDEDTRANSFER":
            transfer = "attended"
        elif verb == "BLINDTRANSFER":
            transfer = "blind"
            if extension := _field(p, 5).strip():
                context = _field(p, 6).strip()  # BLINDTRANSFER|extension|context|hold|talk|pos
                target = f"{extension}@{context}" if context else extension
    queue, agent = p[2], p[3]
    if not queue or not agent or queue == "NONE" or agent == "NONE":
        _names(p, True)
    try:
        hold, talk = decimal(p[i]), decimal(p[i + 1])
    except (IndexError, ValueError):
        hold = talk = _NAN
    if 0.0 <= hold < _INF and 0.0 <= talk < _INF:
        out.append(unchecked_CallEnded(ts, m.source, pos, p[1], queue, agent, hold, talk,
                                       ended_by, transfer, target))
        return
    out.append(_ENDED_CHECKED(ts, m.source, pos, p[1], queue, agent,
                              _num(p, i, "holdtime", True), _num(p, i + 1, "calltime", True),
                              ended_by, transfer, target))


def _abandon(m: VerbMapper, p: Fields, ts: float, pos: str, out: list[Event]) -> None:
    queue = _queue(p)
    wait = m.wait(p, ts, 7)
    position, orig = _int(p, 5, "position"), _int(p, 6, "origposition")
    if 0.0 <= wait < _INF and (position is None or position >= 0) and (orig is None or orig >= 0):
        out.append(unchecked_CallAbandoned(ts, m.source, pos, p[1], queue, wait, position, orig))
        return
    out.append(_ABANDONED_CHECKED(ts, m.source, pos, p[1], queue, wait, position, orig))


def _leaving(reason: str, wait_at: int, with_key: bool = False,
             with_agent: bool = False) -> Handler:
    """EXIT*, WITHDRAW and SYSCOMPAT (which has no waittime field: ``wait_at`` past the end)."""
    i = _DATA + wait_at

    def left(m: VerbMapper, p: Fields, ts: float, pos: str, out: list[Event]) -> None:
        key = (_field(p, 5) or None) if with_key else None
        agent = _agent(p) if with_agent else None
        queue = _queue(p)
        wait = m.wait(p, ts, i)
        if 0.0 <= wait < _INF:
            out.append(unchecked_CallLeft(ts, m.source, pos, p[1], queue, reason, wait, agent, key))
            return
        out.append(_LEFT_CHECKED(ts, m.source, pos, p[1], queue, reason, wait, agent, key))

    return left


def _ring(m: VerbMapper, p: Fields, ts: float, pos: str, out: list[Event]) -> None:
    """RINGNOANSWER and RINGCANCELED (``p[4]``), directly called by :func:`take` as
    :func:`_ended`."""
    queue, agent = p[2], p[3]
    try:
        ring_ms: int | None = int(decimal(p[5]))
    except (IndexError, ValueError, OverflowError):
        ring_ms = None
        if (ring_s := _num(p, 5, "ringtime")) is not None:
            ring_ms = int(ring_s)
    if not queue or not agent or queue == "NONE" or agent == "NONE":
        _names(p, True)
    canceled = p[4] == "RINGCANCELED"
    if ring_ms is None or ring_ms >= 0:
        out.append(unchecked_RingNoAnswer(ts, m.source, pos, p[1], queue, agent, ring_ms,
                                          canceled))
        return
    out.append(_RING_CHECKED(ts, m.source, pos, p[1], queue, agent, ring_ms, canceled))


def _membership(cls: type[Event], per_queue: bool, with_reason: bool) -> Handler:
    """ADDMEMBER/REMOVEMEMBER, PAUSE/UNPAUSE (per queue) and the app_agent_pool logins."""
    build = unchecked_builder(cls)

    def member(m: VerbMapper, p: Fields, ts: float, pos: str, out: list[Event]) -> None:
        queue = _queue(p) if per_queue else None
        values: tuple = (ts, m.source, pos, _agent(p), queue)
        if with_reason:
            values += (_field(p, 5) or None,)
        out.append(build(*values))

    return member


_login: Final = _membership(AgentLoggedIn, True, False)
_paused: Final = _membership(AgentPaused, True, True)


def _add_member(m: VerbMapper, p: Fields, ts: float, pos: str, out: list[Event]) -> None:
    both: list[Event] = []
    _login(m, p, ts, pos, both)
    if _field(p, 5).upper() == "PAUSED":
        _paused(m, p[:5], ts, pos, both)  # no reason
    out += both


def _restarting(reload_only: bool) -> Handler:
    """QUEUESTART and CONFIGRELOAD."""

    def restart(m: VerbMapper, p: Fields, ts: float, pos: str, out: list[Event]) -> None:
        if not reload_only:
            m.restarted()
        out.append(unchecked_SystemRestart(ts, m.source, pos, reload_only))

    return restart


def _none(m: VerbMapper, p: Fields, ts: float, pos: str, out: list[Event]) -> bool:
    return True


def unknown(m: VerbMapper, p: Fields, ts: float, pos: str, out: list[Event]) -> bool:
    """The handler of a verb this mapper does not know (``p[4]``): a vendor's or a custom one
    gives no event, an empty one is refused."""
    if not p[4]:
        raise BadLine("empty event name")
    return True


#: Every app_queue / app_agent_pool verb this mapper knows, by name → its handler.
HANDLERS: dict[str, Handler] = {
    "ENTERQUEUE": _enter,
    "CONNECT": _connect,
    "COMPLETECALLER": _ended,
    "COMPLETEAGENT": _ended,
    "TRANSFER": _ended,
    "BLINDTRANSFER": _ended,
    "ATTENDEDTRANSFER": _ended,
    "ABANDON": _abandon,
    "EXITWITHTIMEOUT": _leaving("timeout", 2),
    "EXITEMPTY": _leaving("empty", 2),
    "EXITWITHKEY": _leaving("key", 3, with_key=True),
    "WITHDRAW": _leaving("withdrawn", 2),
    "SYSCOMPAT": _leaving("syscompat", 99, with_agent=True),
    "RINGNOANSWER": _ring,
    "RINGCANCELED": _ring,
    "ADDMEMBER": _add_member,
    "REMOVEMEMBER": _membership(AgentLoggedOut, True, False),
    "PAUSE": _paused,
    "UNPAUSE": _membership(AgentUnpaused, True, True),
    "AGENTLOGIN": _membership(AgentLoggedIn, False, False),
    "AGENTCALLBACKLOGIN": _membership(AgentLoggedIn, False, False),
    "AGENTLOGOFF": _membership(AgentLoggedOut, False, False),
    "AGENTCALLBACKLOGOFF": _membership(AgentLoggedOut, False, False),
    "QUEUESTART": _restarting(False),
    "CONFIGRELOAD": _restarting(True),
    "PAUSEALL": _none,
    "UNPAUSEALL": _none,
    "AGENTDUMP": _none,
    "PENALTY": _none,
    "RINGINUSE": _none,
    "OUTCALL": _none,
}

#: Every app_queue / app_agent_pool verb this mapper knows by name.
KNOWN_VERBS: frozenset[str] = frozenset(HANDLERS)


def take(m: VerbMapper, verb: str, p: Fields, ts: float, pos: str, out: list[Event]
         ) -> bool | None:
    """``HANDLERS.get(verb, unknown)(m, p, ts, pos, out)`` for a line cut into ``p`` (``verb``
    is ``p[4]``): True when it gives no event, as for a verb this mapper does not know; an
    empty verb is refused (:class:`BadLine`).

    Compiled, the parse loop's way to the handlers: the most frequent verbs are told apart by
    their names (a length test for most names that are not it), not looked up by the line's
    fresh verb string (hashed at every line), and the module-level handlers among them called
    directly rather than through a Python object (cachegrind, 100,000 lines: the parse
    −59 M instructions, −6.3 %). In pure Python a call costs more than the lookup: the loop
    looks the handler up itself.
    """
    if verb == "ENTERQUEUE":
        return _enter(m, p, ts, pos, out)
    if verb == "CONNECT":
        _connect(m, p, ts, pos, out)
    elif verb == "COMPLETECALLER" or verb == "COMPLETEAGENT":
        _ended(m, p, ts, pos, out)
    elif verb == "RINGNOANSWER":
        _ring(m, p, ts, pos, out)
    elif verb == "ABANDON":
        _abandon(m, p, ts, pos, out)
    else:
        return HANDLERS.get(verb, unknown)(m, p, ts, pos, out)
    return None
