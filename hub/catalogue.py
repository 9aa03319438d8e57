"""Every KPI id Panneau knows: unit, which way is better, and which kind of source feeds it.

The engine computes these; screens label and format them from here; the config refuses a
threshold on an id that is not listed. ``docs/kpis.md`` gives each formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["CHANNELS", "KPIS", "LEVELS", "SERVICE_LEVEL", "TICKET_TYPES", "WINDOWS", "KpiInfo",
           "in_window"]

Unit = Literal["count", "s", "min", "h", "pct", "score", "agents", "money"]
Family = Literal["voice", "agents", "tickets", "surveys", "staffing", "inputs"]

#: Window ids: ``now`` is instantaneous, ``today`` day-to-date, the others rolling.
WINDOWS: tuple[str, ...] = ("now", "15m", "30m", "60m", "today")
#: Channels with their own ``tickets_via_<channel>`` count; anything else is ``other``.
CHANNELS: tuple[str, ...] = ("email", "web", "phone", "chat", "api", "social", "other")
#: Ticket types with their own ``tickets_type_<type>`` count (Zendesk's four, Freshdesk's
#: defaults); another type is ``other``, a ticket without one ``unspecified``.
TICKET_TYPES: tuple[str, ...] = ("question", "incident", "problem", "task", "feature_request",
                                 "refund", "other", "unspecified")


@dataclass(frozen=True, slots=True)
class KpiInfo:
    """What a KPI id means for display and thresholds."""

    id: str
    label: str
    unit: Unit
    family: Family
    higher_is_better: bool | None
    instant: bool = False  # only in the ``now`` window


def _k(id: str, label: str, unit: Unit, family: Family, better: bool | None, instant=False):
    return KpiInfo(id, label, unit, family, better, instant)


KPIS: dict[str, KpiInfo] = {
    k.id: k
    for k in (
        _k("calls_waiting", "Calls waiting", "count", "voice", False, True),
        _k("longest_wait_s", "Longest wait", "s", "voice", False, True),
        _k("agents_logged_in", "Agents logged in", "agents", "agents", True, True),
        _k("agents_available", "Available", "agents", "agents", True, True),
        _k("agents_on_call", "On call", "agents", "agents", None, True),
        _k("agents_paused", "Paused", "agents", "agents", False, True),
        _k("agents_ringing", "Ringing", "agents", "agents", None, True),
        _k("agents_wrapup", "Wrap-up", "agents", "agents", None, True),
        _k("agents_needed", "Agents needed", "agents", "staffing", None, True),
        _k("expected_wait_s", "Expected wait", "s", "staffing", False, True),
        _k("offered", "Offered", "count", "voice", None),
        _k("answered", "Answered", "count", "voice", True),
        _k("completed", "Completed (Asterisk)", "count", "voice", True),
        _k("abandoned", "Abandoned", "count", "voice", False),
        _k("unanswered", "Unanswered (Asterisk)", "count", "voice", False),
        _k("timed_out", "Timed out", "count", "voice", False),
        _k("exited_empty", "Left: no agent", "count", "voice", False),
        _k("exited_with_key", "Left with key", "count", "voice", None),
        _k("withdrawn", "Withdrawn", "count", "voice", None),
        _k("service_level_pct", "SL (Asterisk)", "pct", "voice", True),
        _k("service_level2_pct", "SL2 (Asterisk)", "pct", "voice", True),
        _k("service_level_offered_pct", "SL (all callers)", "pct", "voice", True),
        _k("asa_s", "ASA", "s", "voice", False),
        _k("ata_s", "Time to abandon", "s", "voice", None),
        _k("avg_talk_s", "Average talk", "s", "voice", None),
        _k("acw_s", "After-call work", "s", "voice", False),
        _k("aht_s", "AHT", "s", "voice", False),
        _k("abandon_rate_pct", "Abandon rate", "pct", "voice", False),
        _k("transfer_rate_pct", "Transfer rate", "pct", "voice", False),
        _k("ring_no_answer", "Ring no answer", "count", "agents", False),
        _k("occupancy_pct", "Occupancy", "pct", "agents", None),
        _k("fcr_pct", "First-contact resolution", "pct", "voice", True),
        _k("tickets_created", "Tickets created", "count", "tickets", None),
        _k("tickets_solved", "Tickets solved", "count", "tickets", True),
        _k("backlog", "Backlog", "count", "tickets", False),
        _k("tickets_pending", "Pending tickets", "count", "tickets", False),
        _k("tickets_per_agent", "Tickets per agent a day", "count", "tickets", None),
        _k("escalations", "Escalations to L2", "count", "tickets", False),
        _k("ticket_escalation_pct", "Tickets escalated to L2", "pct", "tickets", False),
        _k("call_escalation_pct", "Calls escalated to L2", "pct", "voice", False),
        _k("frt_avg_min", "First response", "min", "tickets", False),
        _k("frt_median_min", "First response (median)", "min", "tickets", False),
        _k("resolution_avg_h", "Resolution time", "h", "tickets", False),
        _k("resolved_24h_pct", "Resolved within 24 h", "pct", "tickets", True),
        _k("reopen_rate_pct", "Reopen rate", "pct", "tickets", False),
        _k("one_touch_pct", "One-touch resolution", "pct", "tickets", True),
        _k("sla_breaches", "SLA breaches", "count", "tickets", False),
        *(_k(f"tickets_via_{c}", f"Tickets by {c}", "count", "tickets", None)
          for c in CHANNELS),
        *(_k(f"tickets_type_{t}", f"{t.replace('_', ' ').capitalize()} tickets", "count",
             "tickets", None)
          for t in TICKET_TYPES),
        _k("csat_pct", "CSAT", "pct", "surveys", True),
        _k("nps", "NPS", "score", "surveys", True),
        _k("csat_responses", "CSAT responses", "count", "surveys", None),
        _k("csat_interaction_pct", "CSAT after contact", "pct", "surveys", True),
        _k("csat_interaction_responses", "CSAT after contact: answers", "count", "surveys",
           None),
        _k("csat_relationship_pct", "CSAT relationship", "pct", "surveys", True),
        _k("csat_relationship_responses", "CSAT relationship: answers", "count", "surveys",
           None),
        _k("surveys_sent", "Surveys sent", "count", "surveys", None),
        _k("survey_response_rate_pct", "Survey response rate", "pct", "surveys", True),
        _k("nps_responses", "NPS responses", "count", "surveys", None),
        _k("ces_avg", "Customer effort", "score", "surveys", False),
        _k("survey_responses", "Survey responses", "count", "surveys", None),
        # entered figures (panneau input, or a plugin's FigureEntered events)
        _k("training_hours", "Training hours", "h", "inputs", True),
        _k("leavers", "Leavers", "count", "inputs", False),
        _k("headcount", "Headcount", "agents", "inputs", None),
        _k("turnover_pct", "Turnover", "pct", "inputs", False),
        _k("complaints", "Complaints", "count", "inputs", False),
        _k("revenue", "Revenue", "money", "inputs", True),
        _k("fta_pct", "Missed appointments", "pct", "inputs", False),
        _k("self_service_pct", "Self-service completion", "pct", "inputs", True),
        _k("kb_freshness_pct", "Knowledge base up to date", "pct", "inputs", True),
        _k("cost_total", "Cost", "money", "inputs", False),
        _k("cost_per_contact", "Cost per contact", "money", "inputs", False),
    )
}

#: Levels (how many tickets are open now): the current value in every window, ``now`` too.
LEVELS: frozenset[str] = frozenset({"backlog", "tickets_pending"})


def in_window(kpi: str, window: str) -> bool:
    """Whether the engine gives ``kpi`` in ``window``: an instant figure only ``now``, a
    level everywhere, any other (counted over a period) everywhere but ``now``."""
    info = KPIS.get(kpi)
    if info is None or kpi in LEVELS:
        return True
    return info.instant == (window == "now")


#: The service level the screens show by default: the industry variant, which counts the
#: callers who hung up (Asterisk's ``service_level_pct`` ignores them and stays green while
#: callers are lost; it remains available to any page).
SERVICE_LEVEL = "service_level_offered_pct"
