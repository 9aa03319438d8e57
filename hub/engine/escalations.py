"""Escalations to level 2: calls transferred into a level-2 queue, tickets moved to a level-2 group.

Rules (docs/kpis.md, "Escalations"):

- Nothing is counted unless ``kpi.level2_queues``, ``kpi.level2_groups`` or
  ``kpi.level2_transfer_targets`` names something.
- A call that ends by a transfer out of a level-1 queue (any queue not in ``level2_queues``)
  and then enters a level-2 queue under the same call id (what Asterisk's queue_log and AMI
  show after a transfer into another queue) is one escalated call, counted when it enters, in
  the scopes of the level-1 leg: site, that queue and its teams, the transferring agent and
  theirs. A transfer out of a level-1 queue whose ``transfer_to`` is one of
  ``kpi.level2_transfer_targets`` (its extension alone, or ``extension@context``) is escalated
  at once, at the transfer. Every answered call that ends in a level-1 queue counts in
  ``l1_calls``.
- A ticket whose group changes from a level-1 group to a level-2 group is one escalated
  ticket, counted in the scopes it had before the move (its level-1 group's teams and its
  assignee). A ticket first given a group that is level 2 is routed, not escalated. Every solve
  outside a level-2 group counts in ``l1_solved``.
"""

from __future__ import annotations

from panneau.hub import events as ev
from panneau.hub.config import Config
from panneau.hub.engine.kpis import pct
from panneau.hub.engine.scopes import Scopes
from panneau.hub.engine.windows import Sums, Tallies

__all__ = ["KEYS", "CallEscalations", "escalation_kpis"]

#: The sums behind the escalation KPIs.
KEYS = frozenset(("calls_escalated", "l1_calls", "tickets_escalated", "l1_solved"))
#: Transferred calls remembered while they may still enter a level-2 queue.
_TRANSFERS_MAX = 10_000


class CallEscalations:
    """Calls transferred out of a level-1 queue, until they enter another queue."""

    def __init__(self, config: Config, scopes: Scopes, tallies: Tallies) -> None:
        self.level2 = frozenset(config.kpi.level2_queues)
        self.targets = frozenset(config.kpi.level2_transfer_targets)
        self.scopes = scopes
        self.tallies = tallies
        #: call id -> (level-1 queue, transferring agent)
        self.transferred: dict[str, tuple[str, str]] = {}

    def to_data(self) -> dict:
        """Transfers waiting for their next queue, as plain data."""
        return {"transferred": [[cid, q, a] for cid, (q, a) in self.transferred.items()]}

    def load_data(self, data: dict) -> None:
        """Take back what :meth:`to_data` gave."""
        self.transferred = {cid: (q, a) for cid, q, a in data["transferred"]}

    def _to_level2(self, target: str | None) -> bool:
        return bool(target and self.targets and _target_matches(target, self.targets))

    def apply(self, event: ev.CallEnded | ev.CallEntered) -> None:
        """Count a level-1 call's end, or a transferred call entering a level-2 queue."""
        if not (self.level2 or self.targets):
            return
        if isinstance(event, ev.CallEnded):
            if event.queue in self.level2:
                return
            scopes = self.scopes.queue_and_agent(event.queue, event.agent)
            if self._to_level2(event.transfer_to):
                self.tallies.add(event.ts, scopes, {"l1_calls": 1, "calls_escalated": 1})
                return
            self.tallies.add(event.ts, scopes, {"l1_calls": 1})
            if event.ended_by == "transfer" and self.level2:
                self.transferred[event.call_id] = (event.queue, event.agent)
                if len(self.transferred) > _TRANSFERS_MAX:
                    del self.transferred[next(iter(self.transferred))]
        elif (leg := self.transferred.pop(event.call_id, None)) is not None and (
                event.queue in self.level2):
            scopes = self.scopes.queue_and_agent(*leg)
            self.tallies.add(event.ts, scopes, {"calls_escalated": 1})


def _target_matches(target: str, targets: frozenset[str]) -> bool:
    return target in targets or target.partition("@")[0] in targets


def escalation_kpis(s: Sums, out: dict[str, float], counted: bool) -> None:
    """``escalations`` and the escalation rates of sums ``s``; ``counted``: the scope has
    level-1 activity to judge (so no escalation shows as 0)."""
    g = s.get
    if not counted:
        return
    calls, tickets = g("calls_escalated", 0.0), g("tickets_escalated", 0.0)
    out["escalations"] = calls + tickets
    if (l1_calls := g("l1_calls", 0.0)) > 0:
        out["call_escalation_pct"] = pct(calls, l1_calls)
    if (left := tickets + g("l1_solved", 0.0)) > 0:
        out["ticket_escalation_pct"] = pct(tickets, left)
