"""What the hub does with a client's frames after ``hello``: ack, send_message, annotate,
enter_figure.

A frame a role may not send, or with values the hub refuses, gets an ``error`` frame (the
connection stays open); a done action gets ``ok`` with the client's ``ref`` and the new id.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from panneau.hub import wire
from panneau.hub.config.schema import Config
from panneau.hub.events import FigureEntered
from panneau.hub.server.manager import ManagerState
from panneau.hub.server.publisher import Client, Publisher
from panneau.hub.server.views import message_value, message_visible

__all__ = ["MAX_ANNOTATION_CHARS", "MAX_EXPIRES_S", "MAX_MESSAGE_CHARS", "FrameHandler"]

log = logging.getLogger(__name__)
MAX_MESSAGE_CHARS = 500
MAX_ANNOTATION_CHARS = 500
MAX_EXPIRES_S = 7 * 86400
_KPI_KEY = re.compile(r"^(site|(queue|team|agent):[^/]+)/(now|15m|30m|60m|today)/[a-z0-9_]+$")


Handler = Callable[[Client, dict[str, Any]], dict[str, Any]]


class FrameHandler:
    """Checks and carries out client frames; one instance per hub.

    :attr:`handlers` maps each client frame type (after ``hello``) to its method; the wire
    module has already checked the fields' presence and types.
    """

    def __init__(self, config: Config, manager: ManagerState, publisher: Publisher,
                 changed: Callable[[], None],
                 enter: Callable[[FigureEntered], str | None] | None = None) -> None:
        self.config, self.manager, self.publisher, self.changed = (
            config, manager, publisher, changed)
        #: Journals and counts an entered figure; returns why it was refused, or ``None``.
        self.enter = enter
        self.handlers: dict[str, Handler] = {
            "ack": self.ack,
            "send_message": self.send_message,
            "annotate": self.annotate,
            "enter_figure": self.enter_figure,
        }

    async def handle(self, client: Client, frame: dict[str, Any]) -> None:
        """Answer ``frame`` with ``ok`` or ``error`` (with the client's ``ref``)."""
        handler = self.handlers.get(frame["type"])
        try:
            if handler is None:
                raise ValueError(f"the hub does not take {frame['type']!r} frames here")
            reply = handler(client, frame)
        except ValueError as exc:
            reply = {"type": "error", "reason": str(exc)}
        reply.setdefault("ref", frame.get("ref"))
        self.publisher.write([client], wire.encode(reply), reply["type"])

    def ack(self, client: Client, frame: dict[str, Any]) -> dict[str, Any]:
        """An agent read a message."""
        audience = client.audience
        if audience.role != "agent" or audience.agent is None:
            raise ValueError("only an agent screen acknowledges messages")
        message = self.manager.message(frame["message_id"])
        if message is None or not message_visible(audience, message, self.config):
            raise ValueError(f"no message {frame['message_id']!r} for you")
        self.manager.ack(message.id, audience.agent)
        self.changed()
        return {"type": "ok", "id": message.id}

    @staticmethod
    def _require_manager(client: Client, what: str) -> None:
        if client.audience.role != "manager":
            raise ValueError(f"only a manager may {what}")

    def send_message(self, client: Client, frame: dict[str, Any]) -> dict[str, Any]:
        """A manager sends a message to a team, an agent or everyone."""
        self._require_manager(client, "send messages")
        config = self.config
        text, team, agent = frame["text"].strip(), frame.get("team"), frame.get("agent")
        if not text or len(text) > MAX_MESSAGE_CHARS:
            raise ValueError(f"message text must be 1 to {MAX_MESSAGE_CHARS} characters")
        if team and config.team(team) is None:
            raise ValueError(f"no team {team!r}")
        if agent and not any(agent in t.agents for t in config.teams):
            raise ValueError(f"no agent {agent!r}")
        if team and agent:
            raise ValueError("send to a team or to an agent, not both")
        if not 0 < frame["expires_s"] <= MAX_EXPIRES_S:
            raise ValueError(f"expires_s must be over 0 and at most {MAX_EXPIRES_S}")
        message = self.manager.add_message(text, client.label or "manager", team or None,
                                           agent or None, float(frame["expires_s"]))
        self.changed()
        self.publisher.send_each(
            lambda a: {"type": "message", "message": message_value(a, message, [])}
            if message_visible(a, message, config) else None)
        log.info("message %s from %s to %s", message.id, message.sender,
                 agent or team or "everyone")
        return {"type": "ok", "id": message.id}

    def annotate(self, client: Client, frame: dict[str, Any]) -> dict[str, Any]:
        """A manager sets (or, with empty text, removes) the note of a KPI key."""
        self._require_manager(client, "annotate")
        key = frame["key"].removeprefix("kpi:")
        if not _KPI_KEY.match(key):
            raise ValueError(f"annotation key must be <scope>/<window>/<kpi>, got {key!r}")
        text = frame["text"].strip()
        if len(text) > MAX_ANNOTATION_CHARS:
            raise ValueError(f"annotation over {MAX_ANNOTATION_CHARS} characters")
        self.manager.annotate(key, text, client.label or "manager")
        self.changed()
        return {"type": "ok", "id": key}

    def enter_figure(self, client: Client, frame: dict[str, Any]) -> dict[str, Any]:
        """A manager enters a figure no source holds (or corrects one); ``ok`` carries its
        entry id. The hub's ``enter`` stamps the time."""
        self._require_manager(client, "enter figures")
        if self.enter is None:
            raise ValueError("this hub does not take entered figures")
        event = FigureEntered(
            ts=0.0, entry_id=uuid.uuid4().hex[:12], figure=frame["figure"],
            amount=frame["amount"], team=frame.get("team") or None,
            day=frame.get("day") or None, category=(frame.get("category") or "").strip() or None,
            by=client.label or "manager", corrects=frame.get("corrects") or None,
            source="input", source_pos=client.label or "manager")
        if problem := self.enter(event):
            raise ValueError(problem)
        log.info("figure %s %s entered by %s (%s)", event.figure, event.amount, event.by,
                 event.entry_id)
        return {"type": "ok", "id": event.entry_id}
