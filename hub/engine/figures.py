"""Figures of a scope from its summed numerators and denominators, for any span of days.

A period's figures are computed once from the sums of its days — a ratio over a quarter is the
quarter's numerator over the quarter's denominator, never an average of daily ratios. Figures
that are levels or need single samples (backlog, pending tickets, first-response median, ``now``
figures) are not period figures.
"""

from __future__ import annotations

from panneau.hub.engine.escalations import KEYS as ESCALATION_KEYS
from panneau.hub.engine.escalations import escalation_kpis
from panneau.hub.engine.inputs import input_kpis
from panneau.hub.engine.kpis import QUEUE_COUNTS, voice_kpis
from panneau.hub.engine.surveys import survey_kpis
from panneau.hub.engine.tickets import ticket_kpis
from panneau.hub.engine.windows import Sums

__all__ = ["add_sums", "figures_of"]

_CALL_KEYS = frozenset((*QUEUE_COUNTS, "ring_no_answer", "outcomes"))
_TICKET_KEYS = frozenset(("tickets_created", "tickets_solved", "sla_breaches", "frt_n",
                          "resolution_n"))


def add_sums(into: Sums, sums: Sums) -> None:
    """Add ``sums`` into ``into`` (key by key)."""
    for key, amount in sums.items():
        into[key] = into.get(key, 0.0) + amount


def figures_of(scope: str, sums: Sums) -> dict[str, float]:
    """Every KPI the sums of ``scope`` over some days give (formulas: docs/kpis.md)."""
    out = voice_kpis(sums, queue_like=not scope.startswith("agent:"),
                     seen=not _CALL_KEYS.isdisjoint(sums))
    if not _TICKET_KEYS.isdisjoint(sums):
        ticket_kpis(sums, out)
    if "survey_n" in sums:
        out["survey_responses"] = sums["survey_n"]
    survey_kpis(sums, out)
    escalation_kpis(sums, out, not ESCALATION_KEYS.isdisjoint(sums))
    input_kpis(sums, out)
    return out
