"""Zendesk payloads → snapshots and events. Pure: no I/O, no clock.

- Incremental ticket export pages (``tickets`` with optional ``metric_sets`` side-load) →
  :class:`~panneau.hub.toolkit.tickets.TicketSnapshot`, status categories as Zendesk gives them.
- Ticket metrics (minutes, ``calendar`` or ``business``) → fields of the snapshot.
- Satisfaction ratings: ``good``/``bad`` → ``SurveyResponse`` (csat, 1/0 on 0..1, about the
  interaction: every rating belongs to a ticket); ``offered`` (asked, no answer yet), ``good``
  and ``bad`` → ``SurveySent`` (the survey went out, at ``created_at``); ``unoffered`` → nothing.
- Ticket metric events of type ``breach`` → ``TicketSlaBreached``.
"""

from __future__ import annotations

from typing import Any

from panneau.hub.events import SurveyResponse, SurveySent, TicketSlaBreached
from panneau.hub.toolkit.tickets import STATUSES, TicketSnapshot
from panneau.hub.toolkit.timeparse import parse_time

__all__ = [
    "METRIC_NAMES",
    "breach_event",
    "page_snapshots",
    "rating_response",
    "rating_sent",
    "ticket_snapshot",
]

#: Zendesk SLA metric → Panneau metric name in ``TicketSlaBreached``.
METRIC_NAMES = {
    "reply_time": "first_reply",
    "resolution_time": "resolution",
    "requester_wait_time": "requester_wait",
    "agent_work_time": "agent_work",
    "periodic_update_time": "periodic_update",
    "pausable_update_time": "next_reply",
}
_RATING_SCORES = {"good": 1.0, "bad": 0.0}


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def _time(value: Any) -> float | None:
    return None if value is None else parse_time(value)


def _minutes(metric: dict[str, Any], key: str, clock: str) -> float | None:
    value = metric.get(key)
    if isinstance(value, dict):
        value = value.get(clock)
    return None if value is None else float(value)


def ticket_snapshot(
    ticket: dict[str, Any], metric: dict[str, Any] | None = None, clock: str = "calendar"
) -> TicketSnapshot:
    """One exported ticket (and its metric set) as a snapshot; ``ValueError`` if malformed."""
    if not isinstance(ticket, dict) or ticket.get("id") is None:
        raise ValueError("ticket without an id")
    status = ticket.get("status")
    if status not in STATUSES:
        raise ValueError(f"ticket {ticket['id']}: unknown status {status!r}")
    updated = _time(ticket.get("updated_at"))
    if updated is None:
        raise ValueError(f"ticket {ticket['id']}: no updated_at")
    via = ticket.get("via") or {}
    kind = ticket.get("type")  # problem, incident, question, task or null
    metric = metric or {}
    return TicketSnapshot(
        ticket_id=str(ticket["id"]),
        updated=updated,
        status=status,
        created=_time(ticket.get("created_at")),
        channel=via.get("channel") if isinstance(via, dict) else None,
        group=_id(ticket.get("group_id")),
        assignee=_id(ticket.get("assignee_id")),
        priority=ticket.get("priority"),
        ticket_type=kind if isinstance(kind, str) and kind else None,
        solved_at=_time(metric.get("solved_at")),
        first_reply_min=_minutes(metric, "reply_time_in_minutes", clock),
        first_resolution_min=_minutes(metric, "first_resolution_time_in_minutes", clock),
        full_resolution_min=_minutes(metric, "full_resolution_time_in_minutes", clock),
        reopens=metric.get("reopens"),
        replies=metric.get("replies"),
    )


def page_snapshots(
    page: dict[str, Any], clock: str = "calendar"
) -> tuple[list[TicketSnapshot], list[str]]:
    """Snapshots of one export page, in page order, and a reason for each ticket skipped."""
    metrics = {m.get("ticket_id"): m for m in page.get("metric_sets") or () if isinstance(m, dict)}
    snapshots, bad = [], []
    for i, ticket in enumerate(page.get("tickets") or ()):
        try:
            tid = ticket.get("id") if isinstance(ticket, dict) else None
            snapshots.append(ticket_snapshot(ticket, metrics.get(tid), clock))
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:  # 10**400 minutes
            bad.append(f"tickets[{i}]: {exc}")
    return snapshots, bad


def _rating_common(rating: dict[str, Any], first: str, then: str) -> dict[str, Any]:
    """The time (``first``, else ``then``), id, ticket and agent of a rating, as event fields."""
    when = _time(rating.get(first) or rating.get(then))
    if when is None:
        raise ValueError(f"rating {rating['id']}: no time")
    return {"ts": when, "survey": "csat", "ticket_id": _id(rating.get("ticket_id")),
            "agent": _id(rating.get("assignee_id"))}


def rating_response(rating: dict[str, Any], source: str, pos: str) -> SurveyResponse | None:
    """A received good/bad rating as a binary CSAT response; ``None`` when not answered."""
    score = _RATING_SCORES.get(rating.get("score"))  # type: ignore[arg-type]
    if score is None or rating.get("id") is None:
        return None
    return SurveyResponse(
        **_rating_common(rating, "updated_at", "created_at"), source=source, source_pos=pos,
        response_id=f"zendesk-rating:{rating['id']}", score=score, scale_min=0.0,
        scale_max=1.0, comment=rating.get("comment") or None, about="interaction")


def rating_sent(rating: dict[str, Any], source: str, pos: str) -> SurveySent | None:
    """An offered or answered rating as a survey sent (at ``created_at``, when it was
    offered); ``None`` for ``unoffered`` ones."""
    if rating.get("score") not in ("offered", *_RATING_SCORES) or rating.get("id") is None:
        return None
    return SurveySent(**_rating_common(rating, "created_at", "updated_at"), source=source,
                      source_pos=pos, survey_id=f"zendesk-rating:{rating['id']}")


def breach_event(row: dict[str, Any], source: str, pos: str) -> TicketSlaBreached | None:
    """A ticket metric event of type ``breach`` as an SLA breach; others give ``None``."""
    if row.get("type") != "breach" or row.get("deleted"):
        return None
    metric = str(row.get("metric"))
    return TicketSlaBreached(
        ts=parse_time(row.get("time")), source=source, source_pos=pos,
        ticket_id=str(row["ticket_id"]), metric=METRIC_NAMES.get(metric, metric),
    )
