"""What the hub does with a client's frames after ``hello``: ack, send_message, annotate,
enter_figure, history.

A frame a role may not send, or with values the hub refuses, gets an ``error`` frame (the
connection stays open); a done action gets ``ok`` with the client's ``ref`` and the new id,
a ``history`` request a ``series`` frame.
"""

from __future__ import annotations

import inspect
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from panneau.hub import wire
from panneau.hub.catalogue import KPIS
from panneau.hub.config.schema import Config
from panneau.hub.events import FigureEntered
from panneau.hub.server.history import History
from panneau.hub.server.manager import ManagerState
from panneau.hub.server.publisher import Client, Publisher
from panneau.hub.server.views import key_visible, message_value, message_visible

__all__ = ["DEFAULT_EXPIRES_S", "MAX_ANNOTATION_CHARS", "MAX_EXPIRES_S", "MAX_MESSAGE_CHARS",
           "MAX_SERIES_KEYS", "MAX_SERIES_POINTS", "MAX_SERIES_SPAN_S", "FrameHandler",
           "annotation_key_problem"]

log = logging.getLogger(__name__)
MAX_MESSAGE_CHARS = 500
MAX_ANNOTATION_CHARS = 500
MAX_EXPIRES_S = 7 * 86400
#: ``history`` requests: keys per request, span (8 days: a week back and a day), points a key
MAX_SERIES_KEYS, MAX_SERIES_SPAN_S, MAX_SERIES_POINTS = 24, 8 * 86400, 1000
#: How long a message shows when ``send_message`` gives no ``expires_s``.
DEFAULT_EXPIRES_S = 3600.0
#: Fields a ``set_target`` frame may set.
TARGET_FIELDS = ("target", "warn", "alert", "hysteresis", "direction")
#: How far ahead a note's end may be (a year; a finite time).
MAX_NOTE_S = 366 * 86400
#: A figure id of an annotation or a history request; a name may hold "/" (Agent/1127).
_KPI_KEY = re.compile(r"^(site|(queue|team|agent):.+)/(now|15m|30m|60m|today)/[a-z0-9_]+$")


def annotation_key_problem(key: str) -> str | None:
    """Why ``key`` (``kpi:`` prefix or not) can take no note, as far as it is told without the
    config: not ``<scope>/<window>/<kpi>``, or a KPI the hub does not know; ``None`` when it
    may (``panneau annotate`` checks it before connecting)."""
    key = key.removeprefix("kpi:")
    if not _KPI_KEY.match(key):
        return f"annotation key must be <scope>/<window>/<kpi>, got {key!r}"
    if (kpi := key.rsplit("/", 1)[1]) not in KPIS:
        return f"unknown KPI {kpi!r}"
    return None


Handler = Callable[[Client, dict[str, Any]], dict[str, Any] | Awaitable[dict[str, Any]]]


def _no_team(team: str, config: Config) -> str:
    """Why a team is refused: the hub's config lacks it (its teams named, for the sender)."""
    teams = ", ".join(sorted(t.id for t in config.teams)) or "none"
    return f"no team {team!r} in the hub's config (its teams: {teams})"


class FrameHandler:
    """Checks and carries out client frames; one instance per hub.

    :attr:`handlers` maps each client frame type (after ``hello``) to its method; the wire
    module has already checked the fields' presence and types.
    """

    def __init__(self, config: Config, manager: ManagerState, publisher: Publisher,
                 changed: Callable[[], None],
                 enter: Callable[[FigureEntered], str | None] | None = None,
                 history: History | None = None,
                 clock: Callable[[], float] | None = None,
                 pulse: Callable[[str, int, str | None], str | None] | None = None) -> None:
        self.config, self.manager, self.publisher, self.changed = (
            config, manager, publisher, changed)
        #: Journals and counts an entered figure; returns why it was refused, or ``None``.
        self.enter = enter
        self.history, self.clock = history, clock or manager.clock
        #: Writes a threshold change to the config file and applies it (a hub started with
        #: ``config_path``: :meth:`panneau.hub.server.reload.ConfigReloader.set_target`).
        self.set_target: Callable[[str, str, dict[str, Any], str], dict[str, Any]] | None = None
        #: Stores an agent's pulse answer (agent, score, comment); returns why refused.
        self.pulse = pulse
        self.handlers: dict[str, Handler] = {
            "ack": self.ack,
            "send_message": self.send_message,
            "annotate": self.annotate,
            "enter_figure": self.enter_figure,
            "history": self.series,
            "set_target": self.target,
            "pulse_answer": self.pulse_answer,
        }

    async def handle(self, client: Client, frame: dict[str, Any]) -> None:
        """Answer ``frame`` with ``ok`` or ``error`` (with the client's ``ref``)."""
        handler = self.handlers.get(frame["type"])
        try:
            if handler is None:
                raise ValueError(f"the hub does not take {frame['type']!r} frames here")
            reply = handler(client, frame)
            if inspect.isawaitable(reply):
                reply = await reply
        except ValueError as exc:
            reply = {"type": "error", "reason": str(exc)}
        if frame.get("ref") is not None:  # no ref asked, none answered
            reply.setdefault("ref", frame["ref"])
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
            raise ValueError(_no_team(team, config))
        if agent and not any(agent in t.agents for t in config.teams):
            raise ValueError(f"no agent {agent!r} in any team of the hub's config")
        if team and agent:
            raise ValueError("send to a team or to an agent, not both")
        expires_s = frame.get("expires_s", DEFAULT_EXPIRES_S)
        if not 0 < expires_s <= MAX_EXPIRES_S:
            raise ValueError(f"expires_s must be over 0 and at most {MAX_EXPIRES_S}")
        message = self.manager.add_message(text, client.label or "manager", team or None,
                                           agent or None, float(expires_s))
        self.changed()
        self.publisher.send_each(
            lambda a: {"type": "message", "message": message_value(a, message, [])}
            if message_visible(a, message, config) else None)
        log.info("message %s from %s to %s", message.id, message.sender,
                 agent or team or "everyone")
        return {"type": "ok", "id": message.id}

    def annotate(self, client: Client, frame: dict[str, Any]) -> dict[str, Any]:
        """A manager sets (or, with empty text, removes) the note of a KPI key; the ``ok`` of
        a removal says whether there was a note (``removed``)."""
        self._require_manager(client, "annotate")
        key = frame["key"].removeprefix("kpi:")
        if problem := annotation_key_problem(key):
            raise ValueError(problem)
        self._check_team(key)
        text = frame["text"].strip()
        if len(text) > MAX_ANNOTATION_CHARS:
            raise ValueError(f"annotation over {MAX_ANNOTATION_CHARS} characters")
        until = frame.get("until")
        if until is not None and text and until <= self.clock():
            raise ValueError("annotation until is not in the future")
        if until is not None and text and not until <= self.clock() + MAX_NOTE_S:
            # inf or NaN was stored, and every export of the period failed on the time
            raise ValueError(f"annotation until must be within {MAX_NOTE_S // 86400} days")
        done = self.manager.annotate(key, text, client.label or "manager",
                                     None if until is None else float(until))
        if done:
            self.changed()
        return {"type": "ok", "id": key} if text else {"type": "ok", "id": key, "removed": done}

    def target(self, client: Client, frame: dict[str, Any]) -> dict[str, Any]:
        """A manager changes a KPI's target or levels for the site, a team or a queue; the
        ``ok`` carries the entry's fields before (``old``, ``None``: new) and after."""
        self._require_manager(client, "change targets")
        if self.set_target is None:
            raise ValueError("this hub was started without a configuration file to write")
        changes: dict[str, Any] = {k: frame[k] for k in TARGET_FIELDS if k in frame}
        for name in frame.get("clear") or ():
            if name not in TARGET_FIELDS:
                raise ValueError(f"clear: unknown field {name!r}")
            changes[name] = None
        if not changes:
            raise ValueError("nothing to change (target, warn, alert, hysteresis, direction "
                             "or clear)")
        done = self.set_target(frame["scope"], frame["kpi"], changes,
                               client.label or "manager")
        return {"type": "ok", "id": f"{frame['scope']}/{frame['kpi']}", **done}

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

    async def series(self, client: Client, frame: dict[str, Any]) -> dict[str, Any]:
        """Samples of KPI keys over a period, for charts; each key must be one the client's
        view may hold (the same rule as every other frame)."""
        keys, since = frame["keys"], float(frame["since"])
        until = float(frame["until"]) if frame.get("until") is not None else self.clock()
        if not keys or len(keys) > MAX_SERIES_KEYS:
            raise ValueError(f"history: 1 to {MAX_SERIES_KEYS} keys")
        for key in keys:
            if not isinstance(key, str) or not _KPI_KEY.match(key.removeprefix("kpi:")):
                raise ValueError(f"history: keys are <scope>/<window>/<kpi>, got {key!r}")
            if not key_visible(client.audience, self.config, key.removeprefix("kpi:")):
                raise ValueError(f"history: {key!r} is not yours to see")
        if not 0 < until - since <= MAX_SERIES_SPAN_S:
            raise ValueError(f"history: until must be after since, at most {MAX_SERIES_SPAN_S}"
                             " s later")
        interval = self.history.interval if self.history else 60.0
        step = max(float(frame.get("step_s") or 0.0), interval,
                   (until - since) / MAX_SERIES_POINTS)
        if self.history is None:
            raise ValueError("history: this hub keeps no KPI history")
        wanted = [k.removeprefix("kpi:") for k in keys]
        series = await self.history.series_off_loop(wanted, since, until, step)
        return {"type": "series", "series": {k: series.get(k, []) for k in wanted},
                "since": since, "until": until, "step_s": step}

    def _check_team(self, key: str) -> None:
        """A team scope names a configured team. (Queues and agents may be known only from
        events, so any name is taken.)"""
        scope = key.rsplit("/", 2)[0]  # a scope may hold "/" (Agent/1127)
        kind, _, name = scope.partition(":")
        if kind == "team" and self.config.team(name) is None:
            raise ValueError(_no_team(name, self.config))

    def pulse_answer(self, client: Client, frame: dict[str, Any]) -> dict[str, Any]:
        """An agent answers the satisfaction pulse; stored without the agent (``ok.id`` is
        always ``"pulse"``, never an answer id)."""
        audience = client.audience
        if audience.role != "agent" or audience.agent is None:
            raise ValueError("only an agent answers the pulse")
        if self.pulse is None:
            raise ValueError("this hub runs no pulse")
        if problem := self.pulse(audience.agent, frame["score"], frame.get("comment")):
            raise ValueError(problem)
        return {"type": "ok", "id": "pulse"}
