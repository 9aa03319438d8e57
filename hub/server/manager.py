"""Manager-side state: messages, who acknowledged them, annotations on KPI keys.

One :class:`ManagerState` per hub owns these records and their journal rows: every change is
written to the journal first, then kept in memory, so a restart (:meth:`ManagerState.load`)
shows the same messages, acks and notes. The frame handler (panneau.hub.server.frames) checks
who may do what; this module only stores.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from panneau.hub.server.journal import Journal

__all__ = ["Annotation", "ManagerState", "Message", "note_end"]

#: 9999-12-30T00:00Z: the last end of a note a date can show in any time zone.
_LAST_END = 253402128000.0


def note_end(until: float | None) -> float | None:
    """A stored note's end, or ``None`` (open-ended, until removed) when it is no time: older
    versions stored any ``until`` a manager sent (infinite, or past the years a date holds),
    which every ``panneau export`` of the period then failed on."""
    if until is None or not math.isfinite(until) or not 0 <= until <= _LAST_END:
        return None
    return until


@dataclass(frozen=True, slots=True)
class Message:
    """A manager's message to a team, one agent or (neither) everyone."""

    id: str
    text: str
    sender: str
    team: str | None
    agent: str | None
    sent: float
    expires: float

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Message:
        """The message of a journal ``messages`` row."""
        return cls(row["id"], row["text"], row["sender"] or "", row["team"] or None,
                   row["agent"] or None, float(row["sent"]), float(row["expires"]))


@dataclass(frozen=True, slots=True)
class Annotation:
    """A manager's note on one KPI key (``scope/window/kpi``), shown until ``until``."""

    text: str
    by: str
    ts: float
    until: float | None = None


class ManagerState:
    """Messages, acks and annotations, in memory and in the journal."""

    def __init__(self, journal: Journal, clock: Callable[[], float]) -> None:
        self.journal, self.clock = journal, clock
        self.messages: list[Message] = []
        self.acks: dict[str, list[str]] = {}
        self.annotations: dict[str, Annotation] = {}

    def load(self) -> None:
        """Read what the journal holds (unexpired messages, acks, annotations)."""
        self.messages = [Message.from_row(r) for r in self.journal.messages(self.clock())]
        self.acks = self.journal.acks()
        now = self.clock()
        notes = {k: (v, note_end(v["until"])) for k, v in self.journal.annotations().items()}
        self.annotations = {k: Annotation(v["text"], v["by"], v["ts"], until)
                            for k, (v, until) in notes.items() if until is None or until > now}

    def add_message(self, text: str, sender: str, team: str | None, agent: str | None,
                    expires_s: float) -> Message:
        """Store a new message; returns it."""
        now = self.clock()
        message = Message(uuid.uuid4().hex[:12], text, sender, team, agent, now,
                          now + expires_s)
        self.journal.add_message(asdict(message))
        self.messages.append(message)
        return message

    def message(self, message_id: str) -> Message | None:
        """The unexpired message with this id."""
        return next((m for m in self.messages if m.id == message_id), None)

    def ack(self, message_id: str, agent: str) -> None:
        """Record that ``agent`` read the message (idempotent)."""
        self.journal.add_ack(message_id, agent, self.clock())
        acked = self.acks.setdefault(message_id, [])
        if agent not in acked:
            acked.append(agent)

    def annotate(self, key: str, text: str, by: str, until: float | None = None) -> bool:
        """Set the note of ``key`` (until ``until``, if given); an empty ``text`` removes it.

        False (and nothing journalled) when there is no note of ``key`` to remove."""
        if not text and key not in self.annotations:
            return False
        now = self.clock()
        self.journal.set_annotation(key, text, by, now, until)
        if text:
            self.annotations[key] = Annotation(text, by, now, until)
        else:
            del self.annotations[key]
        return True

    def annotation_values(self) -> dict[str, dict[str, Any]]:
        """The annotations as view values (``annotation:<key>``)."""
        return {k: asdict(a) for k, a in self.annotations.items()}

    def expire(self, now: float) -> None:
        """Forget messages and notes whose time is over (the journal keeps them until
        retention, notes in its log)."""
        if any(m.expires <= now for m in self.messages):
            self.messages = [m for m in self.messages if m.expires > now]
        for key in [k for k, a in self.annotations.items()
                    if a.until is not None and a.until <= now]:
            del self.annotations[key]
