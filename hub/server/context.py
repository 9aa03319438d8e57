"""The :class:`~panneau.hub.sources.SourceContext` a running source gets, and the state the hub
keeps of each source. Webhook routes: :class:`panneau.hub.source_context.Routes`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from panneau.hub.events import Event
from panneau.hub.server.metrics import Metrics
from panneau.hub.source_context import Routes, SourceContextBase
from panneau.hub.sources import SourceStatus
from panneau.hub.toolkit.timeparse import AHEAD_S, implausible_time

__all__ = ["NOT_RESPONDING", "HubSourceContext", "Routes", "SourceState", "families_of"]

log = logging.getLogger(__name__)

_CALLS = ("voice", "staffing")
_AGENTS = ("agents", "staffing")
#: Which KPI families (panneau.hub.catalogue) an event kind feeds: screens grey only those when the
#: source goes stale (``source:<name>["feeds"]``).
_FAMILIES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("call_entered", "call_answered", "call_ended", "call_abandoned",
                     "call_left", "call_lost", "system_restart"), _CALLS),
    **dict.fromkeys(("agent_rung", "ring_no_answer", "agent_logged_in", "agent_logged_out",
                     "agent_paused", "agent_unpaused", "agent_status"), _AGENTS),
    **dict.fromkeys(("ticket_created", "ticket_updated", "ticket_replied", "ticket_solved",
                     "ticket_reopened", "ticket_metrics", "ticket_sla_breached"), ("tickets",)),
    "survey_response": ("surveys",),
}

def families_of(events: Iterable[Event]) -> set[str]:
    """The KPI families these events feed."""
    return {family for event in events for family in _FAMILIES.get(event.kind, ())}


#: ``accept(state, events, checkpoint, set_checkpoint, now)``: journal, apply, publish.
AcceptFn = Callable[["SourceState", Sequence[Event], Any, bool, float], None]
#: How a ``down`` source's detail starts when it blocked the event loop.
NOT_RESPONDING = "not responding: "


@dataclass
class SourceState:
    """What the hub knows about one configured source instance."""

    name: str
    plugin: str
    stale_after_s: float | None = None
    status: SourceStatus = "starting"
    since: float = 0.0
    detail: str = ""
    last_event: float | None = None  # hub clock when events last arrived
    last_activity: float = 0.0  # last event or (re)start, for staleness
    restarts: int = 0
    accepted: int = 0
    skipped: int = 0
    last_skipped: str = ""
    feeds: set[str] = field(default_factory=set)  # KPI families its events fed so far
    #: ``down`` because it blocked the event loop (:data:`NOT_RESPONDING`): its next events or
    #: heartbeat make it live again, as a stale one's.
    blocked: bool = False

    def change(self, status: SourceStatus, detail: str, now: float) -> bool:
        """Set the status and its detail; returns whether either changed. A change of status
        is logged once, with its reason (a new detail alone is not)."""
        if (status, detail) == (self.status, self.detail):
            return False
        if status != self.status:
            level = logging.WARNING if status in ("down", "stale") else logging.INFO
            log.log(level, "source %s is %s%s (was %s)", self.name, status,
                    f": {detail}" if detail else "", self.status)
            self.since = now
        self.status, self.detail, self.blocked = status, detail, False
        if status == "live":
            self.last_activity = now
        return True

    def public(self, with_detail: bool = True) -> dict[str, Any]:
        """The ``source:<name>`` view value (details only for managers)."""
        out = {"status": self.status, "since": self.since, "last_event": self.last_event,
               "plugin": self.plugin, "feeds": sorted(self.feeds)}
        if with_detail:
            out |= {"detail": self.detail, "restarts": self.restarts,
                    "accepted": self.accepted, "skipped": self.skipped,
                    "last_skipped": self.last_skipped}
        return out


@dataclass
class HubSourceContext(SourceContextBase):
    """The hub's context: one per run of a source (a restart gets a fresh one); the checks
    are :class:`~panneau.hub.source_context.SourceContextBase`'s, shared with
    ``panneau.hub.testing``."""

    state: SourceState
    checkpoint: Any
    accept: AcceptFn
    route_table: Routes
    on_status: Callable[[SourceState], None]
    metrics: Metrics
    clock: Callable[[], float] = time.time
    log: logging.Logger = field(init=False)

    def __post_init__(self) -> None:
        self.log = logging.getLogger(f"panneau.source.{self.state.name}")

    @property
    def name(self) -> str:
        return self.state.name

    async def _store(self, events: list[Event], checkpoint: Any, changed: bool) -> None:
        """Journal ``events`` with ``checkpoint`` in one transaction, then apply and publish;
        events dated more than :data:`AHEAD_S` ahead of the clock are skipped instead."""
        now = self.clock()
        latest = now + AHEAD_S
        for event in events:  # a loop, not any(): 323 instructions an event, not 437
            if event.ts > latest:
                events = self._drop_ahead(events, now)
                break
        self.accept(self.state, events, checkpoint, changed, now)
        if events:
            self.state.feeds |= families_of(events)
            self.state.last_event = self.state.last_activity = now
            self.state.accepted += len(events)
            if self.state.status in ("starting", "stale") or self.state.blocked:
                self.set_status("live")

    def _drop_ahead(self, events: list[Event], now: float) -> list[Event]:
        """``events`` less those dated more than :data:`AHEAD_S` after ``now``, each counted as
        skipped with the reason. Let in, one would move the engine's time to its date: every
        call then waiting would count as gone, later ones as entered before it, and the
        journal would keep it for the next start. ``panneau.hub.testing``'s context keeps them
        (a test's fixed clock may sit before its fixtures' dates)."""
        kept = []
        for event in events:
            reason = implausible_time(event.ts, now, "time") if event.ts > now + AHEAD_S else None
            if reason is None:
                kept.append(event)
            else:
                where = f" ({event.source_pos})" if event.source_pos else ""
                self._skip(f"{event.kind}{where}: {reason}", 1)
        return kept

    def _skip(self, detail: str, count: int) -> None:
        """Count unreadable input; the first few of each run are logged."""
        self.state.skipped += count
        self.state.last_skipped = detail[:200]
        self.metrics.skipped[self.name] += count
        if self.state.skipped <= 20:
            self.log.warning("skipped %d: %s", count, detail)

    def _status(self, status: SourceStatus, detail: str) -> None:
        """Record and publish the source's health."""
        if self.state.change(status, detail, self.clock()):
            self.on_status(self.state)

    def _heartbeat(self) -> None:
        """Quiet but current: the staleness check counts from now; a stale source is live."""
        self.state.last_activity = self.clock()
        if self.state.status == "stale" or self.state.blocked:
            self.set_status("live")
