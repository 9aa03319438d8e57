"""One queue_log :class:`~panneau.plugins.asterisk.record.Record` → normalised events, verb by verb.

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
"""

from __future__ import annotations

from collections.abc import Callable

from panneau.hub.events import (
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
    SystemRestart,
)
from panneau.plugins.asterisk.record import BadLine, Record, number

__all__ = ["KNOWN_VERBS", "VerbMapper"]

_NONE = ("", "NONE")
_INF, _NAN = float("inf"), float("nan")


def _field(rec: Record, i: int) -> str:
    return rec.data[i] if i < len(rec.data) else ""


def _num(rec: Record, i: int, name: str, required: bool = False) -> float | None:
    data = rec.data
    text = data[i].strip() if i < len(data) else ""
    if not text:
        if required:
            raise BadLine(f"{rec.verb}: missing {name}")
        return None
    try:  # the common case, without building the error message
        value = float(text)
    except ValueError:
        value = _NAN
    if -_INF < value < _INF:
        return value
    return number(text, f"{rec.verb}: {name}")  # raises BadLine with the message


def _int(rec: Record, i: int, name: str) -> int | None:
    value = _num(rec, i, name)
    return None if value is None else int(value)


def _queue(rec: Record) -> str:
    if rec.queue in _NONE:
        raise BadLine(f"{rec.verb}: no queue name")
    return rec.queue


def _agent(rec: Record) -> str:
    if rec.agent in _NONE:
        raise BadLine(f"{rec.verb}: no agent")
    return rec.agent


class VerbMapper:
    """Turns records into events; remembers recent ENTERQUEUE times (bounded) for old lines."""

    def __init__(self, source: str = "", remember_calls: int = 20000) -> None:
        self.source = source
        self._entered: dict[str, float] = {}
        self._ahead: dict[str, float] = {}  # calls whose outcome came before any ENTERQUEUE
        self._remember = remember_calls

    def events(self, rec: Record, pos: str) -> list[Event]:
        """The events of one record (``[]`` for verbs without any); raises ``BadLine``."""
        handler = _HANDLERS.get(rec.verb)
        if handler is None:
            return []
        return handler(self, rec, pos)

    # --- helpers used by the handlers ---------------------------------------------------

    def _wait(self, rec: Record, i: int) -> float:
        wait = _num(rec, i, "waittime")
        entered = self._entered.pop(rec.call_id, None)
        if entered is None:
            self._note_ahead(rec)
        if wait is not None:
            return wait
        if entered is None:
            raise BadLine(f"{rec.verb}: no waittime and the call's ENTERQUEUE was not seen")
        return max(0.0, rec.ts - entered)

    def _note_ahead(self, rec: Record) -> None:
        ahead = self._ahead
        ahead[rec.call_id] = rec.ts
        if len(ahead) > self._remember:
            del ahead[next(iter(ahead))]

    def _enter(self, rec: Record, pos: str) -> list[Event]:
        if self._ahead.pop(rec.call_id, None) == rec.ts:
            # Same second as the call's own outcome, written after it (an export sorted by a
            # one-second time column): the call is already counted; taking it in causal order
            # means not entering it again.
            return []
        queue = _queue(rec)
        position = _int(rec, 2, "origposition")
        entered = self._entered
        entered.pop(rec.call_id, None)
        entered[rec.call_id] = rec.ts
        if len(entered) > self._remember:
            del entered[next(iter(entered))]
        return [CallEntered(ts=rec.ts, source=self.source, source_pos=pos, call_id=rec.call_id,
                            queue=queue, caller_id=_field(rec, 1) or None, position=position)]

    def _connect(self, rec: Record, pos: str) -> list[Event]:
        if self._entered.pop(rec.call_id, None) is None:
            self._note_ahead(rec)
        return [CallAnswered(ts=rec.ts, source=self.source, source_pos=pos, call_id=rec.call_id,
                             queue=_queue(rec), agent=_agent(rec),
                             hold_s=_num(rec, 0, "holdtime", True),
                             ring_s=_num(rec, 2, "ringtime"))]

    def _ended(self, rec: Record, pos: str, at: int, ended_by, transfer) -> list[Event]:
        target = None
        if transfer == "blind" and (extension := _field(rec, 0).strip()):
            context = _field(rec, 1).strip()  # BLINDTRANSFER|extension|context|hold|talk|pos
            target = f"{extension}@{context}" if context else extension
        return [CallEnded(ts=rec.ts, source=self.source, source_pos=pos, call_id=rec.call_id,
                          queue=_queue(rec), agent=_agent(rec),
                          hold_s=_num(rec, at, "holdtime", True),
                          talk_s=_num(rec, at + 1, "calltime", True), ended_by=ended_by,
                          transfer=transfer, transfer_to=target)]

    def _abandon(self, rec: Record, pos: str) -> list[Event]:
        queue = _queue(rec)
        return [CallAbandoned(ts=rec.ts, source=self.source, source_pos=pos,
                              call_id=rec.call_id, queue=queue, wait_s=self._wait(rec, 2),
                              position=_int(rec, 0, "position"),
                              orig_position=_int(rec, 1, "origposition"))]

    def _left(self, rec: Record, pos: str, reason, wait_at: int, key: str | None = None,
              agent: str | None = None) -> list[Event]:
        queue = _queue(rec)
        return [CallLeft(ts=rec.ts, source=self.source, source_pos=pos, call_id=rec.call_id,
                         queue=queue, reason=reason, wait_s=self._wait(rec, wait_at), key=key,
                         agent=agent)]

    def _ring(self, rec: Record, pos: str, canceled: bool) -> list[Event]:
        ring = _num(rec, 0, "ringtime")
        return [RingNoAnswer(ts=rec.ts, source=self.source, source_pos=pos, call_id=rec.call_id,
                             queue=_queue(rec), agent=_agent(rec),
                             ring_ms=None if ring is None else int(ring), canceled=canceled)]

    def _member(self, rec: Record, pos: str, cls, queue: str | None, reason: bool) -> list[Event]:
        extra = {"reason": _field(rec, 0) or None} if reason else {}
        return [cls(ts=rec.ts, source=self.source, source_pos=pos, agent=_agent(rec), queue=queue,
                    **extra)]

    def _add_member(self, rec: Record, pos: str) -> list[Event]:
        out = self._member(rec, pos, AgentLoggedIn, _queue(rec), False)
        if _field(rec, 0).upper() == "PAUSED":
            out.append(AgentPaused(ts=rec.ts, source=self.source, source_pos=pos,
                                   agent=rec.agent, queue=rec.queue))
        return out

    def _restart(self, rec: Record, pos: str, reload_only: bool) -> list[Event]:
        if not reload_only:
            self._entered.clear()
        return [SystemRestart(ts=rec.ts, source=self.source, source_pos=pos,
                              reload_only=reload_only)]


def _none(mapper: VerbMapper, rec: Record, pos: str) -> list[Event]:
    return []


Handler = Callable[[VerbMapper, Record, str], list[Event]]

_HANDLERS: dict[str, Handler] = {
    "ENTERQUEUE": VerbMapper._enter,
    "CONNECT": VerbMapper._connect,
    "COMPLETECALLER": lambda m, r, p: m._ended(r, p, 0, "caller", None),
    "COMPLETEAGENT": lambda m, r, p: m._ended(r, p, 0, "agent", None),
    "TRANSFER": lambda m, r, p: m._ended(r, p, 2, "transfer", None),
    "BLINDTRANSFER": lambda m, r, p: m._ended(r, p, 2, "transfer", "blind"),
    "ATTENDEDTRANSFER": lambda m, r, p: m._ended(r, p, 2, "transfer", "attended"),
    "ABANDON": VerbMapper._abandon,
    "EXITWITHTIMEOUT": lambda m, r, p: m._left(r, p, "timeout", 2),
    "EXITEMPTY": lambda m, r, p: m._left(r, p, "empty", 2),
    "EXITWITHKEY": lambda m, r, p: m._left(r, p, "key", 3, key=_field(r, 0) or None),
    "WITHDRAW": lambda m, r, p: m._left(r, p, "withdrawn", 2),
    "SYSCOMPAT": lambda m, r, p: m._left(r, p, "syscompat", 99, agent=_agent(r)),
    "RINGNOANSWER": lambda m, r, p: m._ring(r, p, False),
    "RINGCANCELED": lambda m, r, p: m._ring(r, p, True),
    "ADDMEMBER": VerbMapper._add_member,
    "REMOVEMEMBER": lambda m, r, p: m._member(r, p, AgentLoggedOut, _queue(r), False),
    "PAUSE": lambda m, r, p: m._member(r, p, AgentPaused, _queue(r), True),
    "UNPAUSE": lambda m, r, p: m._member(r, p, AgentUnpaused, _queue(r), True),
    "AGENTLOGIN": lambda m, r, p: m._member(r, p, AgentLoggedIn, None, False),
    "AGENTCALLBACKLOGIN": lambda m, r, p: m._member(r, p, AgentLoggedIn, None, False),
    "AGENTLOGOFF": lambda m, r, p: m._member(r, p, AgentLoggedOut, None, False),
    "AGENTCALLBACKLOGOFF": lambda m, r, p: m._member(r, p, AgentLoggedOut, None, False),
    "QUEUESTART": lambda m, r, p: m._restart(r, p, False),
    "CONFIGRELOAD": lambda m, r, p: m._restart(r, p, True),
    "PAUSEALL": _none,
    "UNPAUSEALL": _none,
    "AGENTDUMP": _none,
    "PENALTY": _none,
    "RINGINUSE": _none,
    "OUTCALL": _none,
}

#: Every app_queue / app_agent_pool verb this mapper knows by name.
KNOWN_VERBS: frozenset[str] = frozenset(_HANDLERS)
