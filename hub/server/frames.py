"""What the hub does with a client's frames after ``hello``: ack, send_message, annotate.

A frame a role may not send, or with values the hub refuses, gets an ``error`` frame (the
connection stays open); a done action gets ``ok`` with the client's ``ref`` and the new id.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from panneau.hub import wire
from panneau.hub.server.publisher import Client
from panneau.hub.server.views import message_value, message_visible

if TYPE_CHECKING:
    from panneau.hub.server.app import Hub

__all__ = ["MAX_ANNOTATION_CHARS", "MAX_EXPIRES_S", "MAX_MESSAGE_CHARS", "FrameHandler"]

log = logging.getLogger(__name__)
MAX_MESSAGE_CHARS = 500
MAX_ANNOTATION_CHARS = 500
MAX_EXPIRES_S = 7 * 86400
_KPI_KEY = re.compile(r"^(site|(queue|team|agent):[^/]+)/(now|15m|30m|60m|today)/[a-z0-9_]+$")


class FrameHandler:
    """Dispatches client frames to the hub; one instance per hub."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def handle(self, client: Client, frame: dict[str, Any]) -> None:
        kind = frame["type"]
        try:
            reply = getattr(self, f"_{kind}")(client, frame)
        except ValueError as exc:
            reply = {"type": "error", "reason": str(exc)}
        reply.setdefault("ref", frame.get("ref"))
        self.hub.publisher.write([client], wire.encode(reply), reply["type"])

    def _ack(self, client: Client, frame: dict[str, Any]) -> dict[str, Any]:
        audience, hub = client.audience, self.hub
        if audience.role != "agent":
            raise ValueError("only an agent screen acknowledges messages")
        message = next((m for m in hub.messages if m["id"] == frame["message_id"]), None)
        if message is None or not message_visible(audience, message, hub.config):
            raise ValueError(f"no message {frame['message_id']!r} for you")
        assert hub.journal is not None and audience.agent is not None
        hub.journal.add_ack(message["id"], audience.agent, hub.clock())
        acked = hub.acks.setdefault(message["id"], [])
        if audience.agent not in acked:
            acked.append(audience.agent)
        hub.mark_dirty()
        return {"type": "ok", "id": message["id"]}

    def _require_manager(self, client: Client, what: str) -> None:
        if client.audience.role != "manager":
            raise ValueError(f"only a manager may {what}")

    def _send_message(self, client: Client, frame: dict[str, Any]) -> dict[str, Any]:
        self._require_manager(client, "send messages")
        hub, config = self.hub, self.hub.config
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
        message = hub.add_message(text, client.label or "manager", team, agent,
                                  float(frame["expires_s"]))
        hub.publisher.send_each(
            lambda a: {"type": "message", "message": message_value(a, message, [])}
            if message_visible(a, message, config) else None)
        log.info("message %s from %s to %s", message["id"], message["sender"],
                 agent or team or "everyone")
        return {"type": "ok", "id": message["id"]}

    def _annotate(self, client: Client, frame: dict[str, Any]) -> dict[str, Any]:
        self._require_manager(client, "annotate")
        key = frame["key"].removeprefix("kpi:")
        if not _KPI_KEY.match(key):
            raise ValueError(f"annotation key must be <scope>/<window>/<kpi>, got {key!r}")
        text = frame["text"].strip()
        if len(text) > MAX_ANNOTATION_CHARS:
            raise ValueError(f"annotation over {MAX_ANNOTATION_CHARS} characters")
        hub = self.hub
        assert hub.journal is not None
        by, now = client.label or "manager", hub.clock()
        hub.journal.set_annotation(key, text, by, now)
        if text:
            hub.annotations[key] = {"text": text, "by": by, "ts": now}
        else:
            hub.annotations.pop(key, None)
        hub.mark_dirty()
        return {"type": "ok", "id": key}
