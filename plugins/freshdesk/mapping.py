"""Freshdesk API v2 tickets (with ``include=stats``) → snapshots. Pure: no I/O, no clock.

Enums as documented for API v2: status 2 Open, 3 Pending, 4 Resolved, 5 Closed (other numbers
are custom statuses, mapped to a category through the options); priority 1–4; source 1 Email,
2 Portal, 3 Phone, 7 Chat, 9 Feedback widget, 10 Outbound email. Deleted or spam tickets leave
the backlog as ``deleted``. Figures from ``stats`` are calendar minutes since ``created_at``;
``fr_escalated``/``is_escalated`` are the first-response and resolution SLA breaches.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from panneau.hub.toolkit.tickets import STATUSES, TicketSnapshot
from panneau.hub.toolkit.timeparse import parse_time

__all__ = ["PRIORITIES", "SOURCES", "STATUS_CATEGORIES", "ticket_snapshot"]

STATUS_CATEGORIES = {2: "open", 3: "pending", 4: "solved", 5: "closed"}
PRIORITIES = {1: "low", 2: "medium", 3: "high", 4: "urgent"}
SOURCES = {1: "email", 2: "portal", 3: "phone", 7: "chat", 9: "feedback_widget",
           10: "outbound_email"}


def _time(value: Any) -> float | None:
    return None if value in (None, "") else parse_time(value)


def _minutes(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else round((end - start) / 60.0, 3)


def status_category(status: Any, custom: Mapping[str, str]) -> str:
    """The category of a Freshdesk status number; ``ValueError`` for an unmapped one."""
    if str(status) in custom:
        return custom[str(status)]
    if status in STATUS_CATEGORIES:
        return STATUS_CATEGORIES[status]
    raise ValueError(f"unknown status {status!r} (map it in options.custom_statuses)")


def ticket_snapshot(ticket: dict[str, Any], custom: Mapping[str, str]) -> TicketSnapshot:
    """One ticket as a snapshot; ``ValueError`` when it cannot be read."""
    if not isinstance(ticket, dict) or ticket.get("id") is None:
        raise ValueError("ticket without an id")
    updated = _time(ticket.get("updated_at"))
    if updated is None:
        raise ValueError(f"ticket {ticket['id']}: no updated_at")
    status = status_category(ticket.get("status"), custom)
    if ticket.get("deleted") or ticket.get("spam"):
        status = "deleted"
    created = _time(ticket.get("created_at"))
    stats = ticket.get("stats") if isinstance(ticket.get("stats"), dict) else None
    solved_at = first_reply = resolution = None
    reopened: bool | None = None
    if stats is not None:
        solved_at = _time(stats.get("resolved_at")) or _time(stats.get("closed_at"))
        first_reply = _minutes(created, _time(stats.get("first_responded_at")))
        resolution = _minutes(created, solved_at)
        reopened = stats.get("reopened_at") is not None
    breaches = []
    if ticket.get("fr_escalated"):
        breaches.append(("first_reply", _time(ticket.get("fr_due_by")) or updated))
    if ticket.get("is_escalated"):
        breaches.append(("resolution", _time(ticket.get("due_by")) or updated))
    source = ticket.get("source")
    responder, group = ticket.get("responder_id"), ticket.get("group_id")
    kind = ticket.get("type")  # free text: "Question", "Incident", a custom type, or null
    return TicketSnapshot(
        ticket_id=str(ticket["id"]), updated=updated, status=status, created=created,
        channel=SOURCES.get(source, None if source is None else f"source_{source}"),
        group=None if group is None else str(group),
        assignee=None if responder is None else str(responder),
        priority=PRIORITIES.get(ticket.get("priority")),  # type: ignore[arg-type]
        ticket_type=kind.strip() or None if isinstance(kind, str) else None,
        solved_at=solved_at, first_reply_min=first_reply,
        first_resolution_min=None if reopened else resolution, full_resolution_min=resolution,
        reopens=None if reopened is None else int(reopened),
        breaches=tuple(breaches),
    )


def check_custom_statuses(custom: Mapping[str, str]) -> dict[str, str]:
    """Problems in an ``options.custom_statuses`` table, by key (empty when fine)."""
    return {f"custom_statuses.{k}": f"{v!r} is not one of {', '.join(sorted(STATUSES))}"
            for k, v in custom.items() if v not in STATUSES}
