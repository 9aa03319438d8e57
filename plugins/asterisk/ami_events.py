"""AMI messages → normalised events (pure: no socket, no clock; ``now`` is passed in).

Both generations of names are read: Asterisk ≤ 11 (``Join``, ``Leave``, ``QueueMemberPaused``,
``Location``, flat ``Member``/``MemberName`` fields) and 12+ (``QueueCallerJoin``/``Leave``/
``Abandon``, ``AgentCalled``/``Connect``/``Complete``/``RingNoAnswer``, ``QueueMemberStatus``/
``Pause``/``Added``/``Removed`` with ``Interface``). Keys are matched case-insensitively.

Rules kept here:

- ``QueueCallerLeave`` only means "left the waiting line": ``AgentConnect`` comes right *after*
  it and ``QueueCallerAbandon`` right before it. A caller who left with neither within
  ``leave_grace_s`` left with a key (the only such exit in app_queue): :meth:`tick` reports it.
- ``QueueCallerAbandon`` is Asterisk's own "abandoned" counter: it also fires for queue
  timeouts and empty-queue exits, which AMI does not tell apart; all become ``CallAbandoned``.
- ``AgentComplete`` may lack the caller's ``Uniqueid`` (the caller channel is gone): the call is
  found again from the member channel (``DestUniqueid``) or the member seen at ``AgentConnect``.
- Mode ``agent_state`` emits only :class:`~panneau.hub.events.AgentStatus` (device state, paused):
  the
  live part queue_log cannot give, for running beside an ``asterisk_queue_log`` source.
- A repeated ``SequenceNumber`` (debug captures show some events twice) is dropped.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from panneau.hub.events import (
    AgentLoggedIn,
    AgentLoggedOut,
    AgentPaused,
    AgentRung,
    AgentStatus,
    AgentUnpaused,
    CallAbandoned,
    CallAnswered,
    CallEnded,
    CallEntered,
    CallLeft,
    CallLost,
    DeviceState,
    Event,
    InvalidEvent,
    RingNoAnswer,
)
from panneau.plugins.asterisk.record import BadLine, number

__all__ = ["DEVICE_STATES", "AmiTranslator", "Mode"]

Mode = Literal["all", "agent_state"]

#: ``enum ast_device_state`` → our device state. UNKNOWN is callable for app_queue.
DEVICE_STATES: dict[str, DeviceState] = {
    "0": "available", "1": "available", "2": "on_call", "3": "on_call", "4": "unavailable",
    "5": "unavailable", "6": "ringing", "7": "on_call", "8": "on_call",
}
_MEMORY = 10000  # calls remembered per table (bounded)


def _get(msg: Mapping[str, Any], *keys: str) -> str:
    """The first present key's value (case-insensitive), first of repeats, else ``""``."""
    lower = None
    for key in keys:
        value = msg.get(key)
        if value is None:
            if lower is None:
                lower = {str(k).lower(): v for k, v in msg.items()}
            value = lower.get(key.lower())
        if value is not None:
            if isinstance(value, list):
                value = value[0] if value else ""
            return str(value).strip()
    return ""


def _float(text: str) -> float | None:
    try:
        return number(text, "")
    except BadLine:
        return None


def _int(text: str) -> int | None:
    value = _float(text)
    return None if value is None else int(value)


def _remember(table: OrderedDict, key: Any, value: Any) -> None:
    table[key] = value
    table.move_to_end(key)
    while len(table) > _MEMORY:
        table.popitem(last=False)


class AmiTranslator:
    """Keeps the little call state AMI needs and turns messages into events."""

    def __init__(self, source: str = "", mode: Mode = "all", queues: Iterable[str] = (),
                 leave_grace_s: float = 5.0) -> None:
        self.source = source
        self.mode = mode
        self.queues = frozenset(queues)
        self.leave_grace_s = leave_grace_s
        self.problems: list[str] = []
        self._count = 0
        self._waiting: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._left: OrderedDict[str, tuple[str, float, float]] = OrderedDict()
        self._by_dest: OrderedDict[str, str] = OrderedDict()
        self._by_member: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._sequence: OrderedDict[str, None] = OrderedDict()

    # --- public ------------------------------------------------------------------------------

    def seed(self, messages: Iterable[Mapping[str, Any]], now: float) -> list[Event]:
        """Events for a ``QueueStatus`` reply: waiting callers and members as they are now.

        Callers already announced (still waiting) are not announced again. A caller this
        source announced who is gone from the reply left while the link was down, with an
        outcome nobody saw: a :class:`CallLost` forgets that one call (still counted as offered,
        once), and the callers still waiting keep their place.
        """
        messages = [m for m in messages if self._wanted(m)]
        entries = [m for m in messages if _get(m, "Event") == "QueueEntry"]
        out: list[Event] = []
        if self.mode == "all":
            present = {_get(m, "Uniqueid") for m in entries}
            for call_id in [c for c in self._waiting if c not in present]:
                queue, _ = self._waiting.pop(call_id)
                self._left.pop(call_id, None)
                out.append(CallLost(**self._base({}, now), call_id=call_id, queue=queue))
            for msg in entries:
                if _get(msg, "Uniqueid") in self._waiting:
                    continue
                entered = self._base(msg, now)
                entered["ts"] = now - (_float(_get(msg, "Wait")) or 0.0)
                out.extend(self._checked("QueueEntry", self._entry, msg, entered))
        for msg in messages:
            if _get(msg, "Event") == "QueueMember":
                out.extend(self._checked("QueueMember", self._login, msg, self._base(msg, now)))
        return out

    def waiting(self) -> list[list[Any]]:
        """Callers announced and still waiting, ``[[call_id, queue, entered], ...]`` (for the
        checkpoint, so that a restarted hub does not announce them twice)."""
        return [[call_id, queue, ts] for call_id, (queue, ts) in self._waiting.items()]

    def restore(self, waiting: Any) -> None:
        """Take back :meth:`waiting` from a checkpoint (anything malformed is ignored)."""
        if not isinstance(waiting, list):
            return
        for item in waiting[-_MEMORY:]:
            if (isinstance(item, list) and len(item) == 3 and isinstance(item[0], str)
                    and isinstance(item[1], str) and isinstance(item[2], int | float)):
                self._waiting[item[0]] = (item[1], float(item[2]))

    def event(self, msg: Mapping[str, Any], now: float) -> list[Event]:
        """Events for one asynchronous AMI event (``[]`` for everything else)."""
        name = _get(msg, "Event")
        handler = _HANDLERS.get(name)
        if handler is None or not self._wanted(msg) or self._repeated(msg):
            return []
        if self.mode == "agent_state" and name not in _MEMBER_EVENTS:
            return []
        return self._checked(name, handler, self, msg, self._base(msg, now))

    def tick(self, now: float) -> list[Event]:
        """Callers who left the line with no answer nor abandon for ``leave_grace_s``."""
        out: list[Event] = []
        while self._left:
            call_id, (queue, entered, left) = next(iter(self._left.items()))
            if now - left < self.leave_grace_s:
                break
            del self._left[call_id]
            out.append(CallLeft(ts=left, source=self.source, source_pos=f"ami:{self._next()}",
                                call_id=call_id, queue=queue, reason="key",
                                wait_s=max(0.0, left - entered)))
        return out

    # --- helpers -----------------------------------------------------------------------------

    def _next(self) -> int:
        self._count += 1
        return self._count

    def _base(self, msg: Mapping[str, Any], now: float) -> dict[str, Any]:
        stamp = _float(_get(msg, "Timestamp")) if msg else None
        seq = _get(msg, "SequenceNumber") if msg else ""
        pos = f"ami:seq:{seq}" if seq else f"ami:{self._next()}"
        return {"ts": stamp if stamp is not None else now, "source": self.source,
                "source_pos": pos}

    def _wanted(self, msg: Mapping[str, Any]) -> bool:
        return not self.queues or _get(msg, "Queue") in self.queues

    def _repeated(self, msg: Mapping[str, Any]) -> bool:
        seq = _get(msg, "SequenceNumber")
        if not seq:
            return False
        if seq in self._sequence:
            return True
        _remember(self._sequence, seq, None)
        return False

    def _checked(self, name: str, build: Callable[..., list[Event]], *args: Any
                 ) -> list[Event]:
        """``build(*args)``, or ``[]`` with the refusal reported when a field is out of range (a
        caller waiting since before 1970, a negative duration...): the link goes on."""
        try:
            return build(*args)
        except InvalidEvent as exc:
            self.problems.append(f"{name} refused: {exc}")
            return []

    def _entry(self, msg: Mapping[str, Any], base: dict[str, Any]) -> list[Event]:
        return [self._enter(msg, base)]

    def _login(self, msg: Mapping[str, Any], base: dict[str, Any]) -> list[Event]:
        return self._member(msg, base, login=True)

    def _problem(self, name: str, what: str) -> list[Event]:
        self.problems.append(f"{name}: {what}")
        return []

    def _agent(self, msg: Mapping[str, Any]) -> str:
        return _get(msg, "MemberName", "Name", "AgentName", "Interface", "Location", "Member",
                    "AgentCalled")

    def _interface(self, msg: Mapping[str, Any]) -> str:
        return _get(msg, "Interface", "Location", "Member", "AgentCalled")

    # --- callers -----------------------------------------------------------------------------

    def _enter(self, msg: Mapping[str, Any], base: dict[str, Any]) -> Event:
        call_id, queue = _get(msg, "Uniqueid"), _get(msg, "Queue")
        _remember(self._waiting, call_id, (queue, base["ts"]))
        return CallEntered(**base, call_id=call_id, queue=queue,
                           caller_id=_get(msg, "CallerIDNum", "CallerID") or None,
                           position=_int(_get(msg, "Position")))

    def _join(self, msg: Mapping[str, Any], base: dict[str, Any]) -> list[Event]:
        if not _get(msg, "Uniqueid") or not _get(msg, "Queue"):
            return self._problem("QueueCallerJoin", "no Uniqueid or Queue")
        return [self._enter(msg, base)]

    def _leave(self, msg: Mapping[str, Any], base: dict[str, Any]) -> list[Event]:
        call_id = _get(msg, "Uniqueid")
        waiting = self._waiting.pop(call_id, None)
        if waiting is not None:
            _remember(self._left, call_id, (waiting[0], waiting[1], base["ts"]))
        return []

    def _abandon(self, msg: Mapping[str, Any], base: dict[str, Any]) -> list[Event]:
        call_id, queue = _get(msg, "Uniqueid"), _get(msg, "Queue")
        waiting = self._waiting.pop(call_id, None)
        self._left.pop(call_id, None)
        wait = _float(_get(msg, "HoldTime"))
        if wait is None:
            wait = base["ts"] - waiting[1] if waiting else None
        if not call_id or not queue or wait is None:
            return self._problem("QueueCallerAbandon", "no Uniqueid, Queue or HoldTime")
        return [CallAbandoned(**base, call_id=call_id, queue=queue, wait_s=max(0.0, wait),
                              position=_int(_get(msg, "Position")),
                              orig_position=_int(_get(msg, "OriginalPosition")))]

    # --- members and calls ---------------------------------------------------------------

    def _called(self, msg: Mapping[str, Any], base: dict[str, Any]) -> list[Event]:
        call_id, queue, agent = _get(msg, "Uniqueid"), _get(msg, "Queue"), self._agent(msg)
        if not (call_id and queue and agent):
            return self._problem("AgentCalled", "no Uniqueid, Queue or member")
        return [AgentRung(**base, call_id=call_id, queue=queue, agent=agent)]

    def _ring_no_answer(self, msg: Mapping[str, Any], base: dict[str, Any]) -> list[Event]:
        call_id, queue, agent = _get(msg, "Uniqueid"), _get(msg, "Queue"), self._agent(msg)
        if not (call_id and queue and agent):
            return self._problem("AgentRingNoAnswer", "no Uniqueid, Queue or member")
        return [RingNoAnswer(**base, call_id=call_id, queue=queue, agent=agent,
                             ring_ms=_int(_get(msg, "RingTime")))]

    def _connect(self, msg: Mapping[str, Any], base: dict[str, Any]) -> list[Event]:
        call_id, queue, agent = _get(msg, "Uniqueid"), _get(msg, "Queue"), self._agent(msg)
        hold = _float(_get(msg, "HoldTime"))
        if not (call_id and queue and agent) or hold is None:
            return self._problem("AgentConnect", "no Uniqueid, Queue, member or HoldTime")
        self._waiting.pop(call_id, None)
        self._left.pop(call_id, None)
        dest = _get(msg, "DestUniqueid")
        if dest:
            _remember(self._by_dest, dest, call_id)
        _remember(self._by_member, (queue, self._interface(msg)), call_id)
        return [CallAnswered(**base, call_id=call_id, queue=queue, agent=agent, hold_s=hold,
                             ring_s=_float(_get(msg, "RingTime")))]

    def _complete(self, msg: Mapping[str, Any], base: dict[str, Any]) -> list[Event]:
        queue, agent = _get(msg, "Queue"), self._agent(msg)
        member = (queue, self._interface(msg))
        call_id = (_get(msg, "Uniqueid") or self._by_dest.get(_get(msg, "DestUniqueid"), "")
                   or self._by_member.get(member, ""))
        hold, talk = _float(_get(msg, "HoldTime")), _float(_get(msg, "TalkTime"))
        if not (call_id and queue and agent) or hold is None or talk is None:
            return self._problem("AgentComplete", "call, Queue, member or times not known")
        self._by_dest.pop(_get(msg, "DestUniqueid"), None)
        if self._by_member.get(member) == call_id:
            del self._by_member[member]
        reason = _get(msg, "Reason").lower()
        ended_by = reason if reason in ("caller", "agent", "transfer") else "agent"
        return [CallEnded(**base, call_id=call_id, queue=queue, agent=agent, hold_s=hold,
                          talk_s=talk, ended_by=ended_by)]

    def _status(self, msg: Mapping[str, Any], base: dict[str, Any]) -> AgentStatus:
        state = DEVICE_STATES.get(_get(msg, "Status"), "unavailable")
        if _get(msg, "InCall") == "1" and state == "available":
            state = "on_call"
        paused = _get(msg, "Paused")
        return AgentStatus(**base, agent=self._agent(msg), queue=_get(msg, "Queue") or None,
                           state=state, paused=None if paused == "" else paused == "1",
                           reason=_get(msg, "PausedReason", "Reason") or None)

    def _member(self, msg: Mapping[str, Any], base: dict[str, Any], login: bool = False,
                pause: bool = False) -> list[Event]:
        agent, queue = self._agent(msg), _get(msg, "Queue")
        if not agent or not queue:
            return self._problem(_get(msg, "Event"), "no member or Queue")
        out: list[Event] = []
        if self.mode == "all":
            if login:
                out.append(AgentLoggedIn(**base, agent=agent, queue=queue))
            if pause or (login and _get(msg, "Paused") == "1"):
                cls = AgentPaused if _get(msg, "Paused") == "1" else AgentUnpaused
                out.append(cls(**base, agent=agent, queue=queue,
                               reason=_get(msg, "PausedReason", "Reason") or None))
            if pause:
                return out
        if _get(msg, "Status") or _get(msg, "Paused"):
            out.append(self._status(msg, base))
        return out

    def _removed(self, msg: Mapping[str, Any], base: dict[str, Any]) -> list[Event]:
        agent, queue = self._agent(msg), _get(msg, "Queue")
        if not agent or not queue:
            return self._problem("QueueMemberRemoved", "no member or Queue")
        if self.mode == "all":
            return [AgentLoggedOut(**base, agent=agent, queue=queue)]
        return [AgentStatus(**base, agent=agent, queue=queue, state="unavailable")]


_HANDLERS = {
    "QueueCallerJoin": AmiTranslator._join,
    "Join": AmiTranslator._join,
    "QueueCallerLeave": AmiTranslator._leave,
    "Leave": AmiTranslator._leave,
    "QueueCallerAbandon": AmiTranslator._abandon,
    "AgentCalled": AmiTranslator._called,
    "AgentRingNoAnswer": AmiTranslator._ring_no_answer,
    "AgentConnect": AmiTranslator._connect,
    "AgentComplete": AmiTranslator._complete,
    "QueueMemberStatus": lambda t, m, b: t._member(m, b),
    "QueueMemberAdded": lambda t, m, b: t._member(m, b, login=True),
    "QueueMemberPause": lambda t, m, b: t._member(m, b, pause=True),
    "QueueMemberPaused": lambda t, m, b: t._member(m, b, pause=True),
    "QueueMemberRemoved": AmiTranslator._removed,
}
_MEMBER_EVENTS = frozenset(
    {"QueueMemberStatus", "QueueMemberAdded", "QueueMemberPause", "QueueMemberPaused",
     "QueueMemberRemoved"})
